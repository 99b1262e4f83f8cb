import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { errorMessage } from '../lib/api';

export interface ApiQuery<T> {
  /** The newest answer, or null before the first one (and, unless `keep`, while another is asked for). */
  data: T | null;
  /** Why the last call failed, in words; cleared by the next answer. */
  error: string | null;
  /** True while a call is out. */
  loading: boolean;
  /** Puts a value in place of the data (and clears the error), such as the one a save answered with. */
  setData(data: T): void;
  /** Asks again, with the same arguments. */
  reload(): void;
}

interface QueryOptions {
  /**
   * Keep the last answer on screen while the next one is asked for: for a refresh of the same thing
   * (new data in the cache). Without it the data clears first, as it should when another thing is asked
   * for (another user's timeline).
   */
  keep?: boolean;
}

interface QueryState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/**
 * Calls the backend whenever `deps` change and holds the answer, the error and whether a call is out.
 * An answer that arrives after the deps changed (or the component went away) is dropped, so a slow
 * old answer never overwrites a newer one. A null `query` asks nothing.
 */
export function useApiQuery<T>(query: (() => Promise<T>) | null, deps: DependencyList, { keep = false }: QueryOptions = {}): ApiQuery<T> {
  const [state, setState] = useState<QueryState<T>>({ data: null, error: null, loading: query !== null });
  const [round, setRound] = useState(0);
  const latestQuery = useRef(query);

  useEffect(() => {
    latestQuery.current = query;
  });

  useEffect(() => {
    const run = latestQuery.current;
    if (!run) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    let live = true;
    setState((s) => (keep ? { ...s, loading: true } : { data: null, error: null, loading: true }));
    run().then(
      (data) => {
        if (live) setState({ data, error: null, loading: false });
      },
      (err: unknown) => {
        if (live) setState((s) => ({ ...s, error: errorMessage(err), loading: false }));
      },
    );
    return () => {
      live = false;
    };
    // The caller's deps say when to ask again; the query itself is read from the ref.
  }, [...deps, round]);

  const setData = useCallback((data: T) => setState((s) => ({ ...s, data, error: null })), []);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, setData, reload };
}
