import { useMemo, useState } from 'react';
import type { EventCatalogEntry } from '../../../../shared/types';
import { formatDateTime, formatNumber } from '../../lib/format';
import { DataTable, type Column } from '../../ui/DataTable';
import { matchingEvents } from './model';

/** The id of an event's detail row, for the disclosure button's aria-controls. */
const detailId = (name: string): string => `props-${name.replace(/[^\w-]/g, '_')}`;

/** Every event name in the cache with its volume; a row opens to the property keys seen on it and their types. */
export function EventCatalog({ catalog }: { catalog: EventCatalogEntry[] | null }) {
  const [filter, setFilter] = useState('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => matchingEvents(catalog ?? [], filter), [catalog, filter]);
  const toggle = (name: string): void => {
    const next = new Set(expanded);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setExpanded(next);
  };

  const columns: Column<EventCatalogEntry>[] = [
    {
      id: 'name',
      header: 'Event',
      sortValue: (e) => e.name,
      cell: (e) => {
        const open = expanded.has(e.name);
        return (
          <button type="button" className="disclosure" aria-expanded={open} aria-controls={open ? detailId(e.name) : undefined} onClick={() => toggle(e.name)}>
            <span className="chevron" aria-hidden="true" />
            <code>{e.name}</code>
          </button>
        );
      },
    },
    { id: 'count', header: 'Events', numeric: true, sortValue: (e) => e.count, firstSort: 'descending', cell: (e) => formatNumber(e.count) },
    { id: 'users', header: 'Users', numeric: true, sortValue: (e) => e.users, firstSort: 'descending', cell: (e) => formatNumber(e.users) },
    { id: 'firstSeen', header: 'First seen', sortValue: (e) => e.firstSeen, firstSort: 'descending', cell: (e) => formatDateTime(e.firstSeen) },
    { id: 'lastSeen', header: 'Last seen', sortValue: (e) => e.lastSeen, firstSort: 'descending', cell: (e) => formatDateTime(e.lastSeen) },
  ];

  return (
    <section className="card" aria-label="Event catalog">
      <header className="card-header">
        <div>
          <h3>Event catalog</h3>
          <p className="muted">{catalog ? `${catalog.length} event names · open a row for its properties` : 'Loading…'}</p>
        </div>
        <input type="search" placeholder="Filter events" aria-label="Filter events" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </header>
      <DataTable
        testId="event-catalog"
        columns={columns}
        rows={rows}
        rowKey={(e) => e.name}
        initialSort={{ column: 'count', direction: 'descending' }}
        rowProps={(e) => ({ className: expanded.has(e.name) ? 'expanded' : undefined })}
        detail={(e) => (expanded.has(e.name) ? { className: 'detail-row', id: detailId(e.name), content: <PropertyKeys entry={e} /> } : null)}
        emptyRow={catalog ? `No event matches “${filter}”.` : undefined}
      />
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
              <span key={t} className={`type-chip ${t}`}>
                {t}
              </span>
            ))}
          </span>
        </li>
      ))}
    </ul>
  );
}
