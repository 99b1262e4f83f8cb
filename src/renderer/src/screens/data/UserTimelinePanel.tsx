import { useEffect, useRef } from 'react';
import type { TimelineEntry } from '../../../../shared/types';
import { api } from '../../lib/api';
import { formatDateTime, formatDateTimeSeconds, valueText } from '../../lib/format';
import { ErrorNote } from '../../ui/ErrorNote';
import { useApiQuery } from '../../ui/useApiQuery';
import { timelineCount } from './model';

const TIMELINE_LIMIT = 200;

/** One user's records, newest first, in a side panel. Everything is text: nothing imported is ever markup. */
export function UserTimelinePanel({ userId, onClose }: { userId: string; onClose: () => void }) {
  const { data: timeline, error } = useApiQuery(() => api.getUserTimeline({ userId, limit: TIMELINE_LIMIT }), [userId]);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, [userId]);

  const traits = timeline ? Object.entries(timeline.user.traits) : [];

  return (
    <aside
      className="side-panel"
      aria-labelledby="timeline-title"
      data-testid="user-timeline"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="side-panel-header">
        <div>
          <p className="eyebrow">User timeline</p>
          <h2 id="timeline-title" ref={heading} tabIndex={-1}>
            {userId}
          </h2>
        </div>
        <button type="button" className="ghost" onClick={onClose} aria-label="Close the timeline">
          Close
        </button>
      </header>
      <div className="side-panel-body">
        <ErrorNote error={error} />
        {!timeline && !error ? <p className="muted">Loading…</p> : null}
        {timeline ? (
          <>
            <dl className="facts compact">
              <dt>First seen</dt>
              <dd>{timeline.user.firstSeen !== null ? formatDateTime(timeline.user.firstSeen) : '—'}</dd>
              <dt>Last seen</dt>
              <dd>{timeline.user.lastSeen !== null ? formatDateTime(timeline.user.lastSeen) : '—'}</dd>
              {traits.map(([key, value]) => (
                <Pair key={key} name={key} value={value} />
              ))}
            </dl>
            <h3 className="timeline-count">{timelineCount(timeline.entries.length, timeline.total)}</h3>
            {timeline.entries.length === 0 ? <p className="muted">No records for this user.</p> : null}
            <ol className="timeline">
              {timeline.entries.map((entry) => (
                <TimelineItem key={entry.id} entry={entry} />
              ))}
            </ol>
          </>
        ) : null}
      </div>
    </aside>
  );
}

function Pair({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{valueText(value)}</dd>
    </>
  );
}

function TimelineItem({ entry }: { entry: TimelineEntry }) {
  const data = entry.data ? Object.entries(entry.data) : [];
  return (
    <li className={entry.name === null ? 'timeline-item identify' : 'timeline-item'} data-testid="timeline-entry">
      <div className="timeline-head">
        {entry.name === null ? <span className="badge identify">identify</span> : <code className="event-name">{entry.name}</code>}
        <time dateTime={new Date(entry.ts).toISOString()} className="muted">
          {formatDateTimeSeconds(entry.ts)}
        </time>
      </div>
      {data.length > 0 ? (
        <dl className="props">
          {data.map(([key, value]) => (
            <div key={key}>
              <dt>{key}:</dt>{' '}
              <dd>{valueText(value)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </li>
  );
}
