import { Fragment, useMemo, useState } from 'react';
import type { EventCatalogEntry } from '../../../shared/types';
import { formatDateTime, formatNumber } from '../lib/format';

type SortKey = 'name' | 'count' | 'users' | 'firstSeen' | 'lastSeen';

/** Every event name in the cache with its volume; a row opens to the property keys seen on it and their types. */
export function EventCatalog({ catalog }: { catalog: EventCatalogEntry[] | null }) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'count', desc: true });
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const list = (catalog ?? []).filter((e) => e.name.toLowerCase().includes(needle));
    const dir = sort.desc ? -1 : 1;
    return list.sort((a, b) => {
      const x = a[sort.key];
      const y = b[sort.key];
      return (typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number)) * dir;
    });
  }, [catalog, filter, sort]);
  const toggle = (name: string): void => {
    const next = new Set(expanded);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setExpanded(next);
  };
  const header = (key: SortKey, label: string, numeric = false) => (
    <th scope="col" className={numeric ? 'num' : undefined} aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key !== 'name' })}>
        {label}
        {sort.key === key ? (sort.desc ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
  return (
    <section className="card" aria-label="Event catalog">
      <header className="card-header">
        <div>
          <h3>Event catalog</h3>
          <p className="muted">{catalog ? `${catalog.length} event names · open a row for its properties` : 'Loading…'}</p>
        </div>
        <input
          type="search"
          placeholder="Filter events"
          aria-label="Filter events"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </header>
      <div className="table-scroll">
        <table className="data-table" data-testid="event-catalog">
          <thead>
            <tr>
              {header('name', 'Event')}
              {header('count', 'Events', true)}
              {header('users', 'Users', true)}
              {header('firstSeen', 'First seen')}
              {header('lastSeen', 'Last seen')}
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => {
              const open = expanded.has(e.name);
              const detailId = `props-${e.name.replace(/[^\w-]/g, '_')}`;
              return (
                <Fragment key={e.name}>
                  <tr className={open ? 'expanded' : undefined}>
                    <td>
                      <button
                        type="button"
                        className="disclosure"
                        aria-expanded={open}
                        aria-controls={open ? detailId : undefined}
                        onClick={() => toggle(e.name)}
                      >
                        <span className="chevron" aria-hidden="true" />
                        <code>{e.name}</code>
                      </button>
                    </td>
                    <td className="num">{formatNumber(e.count)}</td>
                    <td className="num">{formatNumber(e.users)}</td>
                    <td>{formatDateTime(e.firstSeen)}</td>
                    <td>{formatDateTime(e.lastSeen)}</td>
                  </tr>
                  {open ? (
                    <tr className="detail-row" id={detailId}>
                      <td colSpan={5}>
                        <PropertyKeys entry={e} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
            {catalog && rows.length === 0 ? (
              <tr><td colSpan={5} className="muted">No event matches “{filter}”.</td></tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PropertyKeys({ entry }: { entry: EventCatalogEntry }) {
  if (entry.properties.length === 0) return <p className="muted">No properties were recorded on “{entry.name}”.</p>;
  return (
    <ul className="prop-keys" aria-label={`Properties of ${entry.name}`}>
      {entry.properties.map((p) => (
        <li key={p.key}>
          <code>{p.key}</code>
          <span className="types">
            {p.types.map((t) => (
              <span key={t} className={`type-chip ${t}`}>{t}</span>
            ))}
          </span>
        </li>
      ))}
    </ul>
  );
}
