import { useEffect, useRef, useState, type RefObject } from 'react';
import { useApiQuery, type ApiQuery } from './useApiQuery';

const SEARCH_DELAY_MS = 200;

export interface PageRequest {
  search?: string;
  limit: number;
  offset: number;
}

export interface SearchedPages<T> extends ApiQuery<T> {
  /** The search box's text, as typed. */
  query: string;
  setQuery(query: string): void;
  /** The search the backend was asked for: the query, trimmed, once typing paused. */
  search: string;
  pageIndex: number;
  setPageIndex(pageIndex: number): void;
  /** The table's scroll box: each new page starts at its top. */
  scroller: RefObject<HTMLDivElement | null>;
}

/**
 * A list the backend pages and searches (users, accounts): the page for the search, asked again when
 * `version` changes (new data in the cache), the last page kept on screen while the next one loads.
 */
export function useSearchedPages<T>(
  fetchPage: (request: PageRequest) => Promise<T>,
  pageSize: number,
  version: number,
  /** What else `fetchPage` asks by (a sort, a filter), as a string: a change asks again from page one. */
  requestKey = '',
): SearchedPages<T> {
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [pageIndex, setPageIndex] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const [askedKey, setAskedKey] = useState(requestKey);
  // A new sort or filter starts at the first page, in the same render (no request for the old page index).
  if (askedKey !== requestKey) {
    setAskedKey(requestKey);
    setPageIndex(0);
  }
  const result = useApiQuery(() => fetchPage({ ...(search ? { search } : {}), limit: pageSize, offset: pageIndex * pageSize }), [search, pageIndex, version, requestKey], {
    keep: true,
  });

  // Typing waits for a pause before asking the backend. Only a changed search goes back to page one: on
  // mount this timer used to fire too, and snapped a quick "Next" back to the first page.
  useEffect(() => {
    const next = query.trim();
    if (next === search) return;
    const timer = setTimeout(() => {
      setSearch(next);
      setPageIndex(0);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, search]);

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [result.data]);

  return { ...result, query, setQuery, search, pageIndex, setPageIndex, scroller };
}
