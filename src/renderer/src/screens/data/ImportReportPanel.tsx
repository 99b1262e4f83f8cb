import { useEffect, useRef, useState } from 'react';
import type { ImportError, ImportReport } from '../../../../shared/types';
import { api, fileLabel, withFileNames } from '../../lib/api';
import { formatBytes, formatDateTime, formatElapsed, formatNumber } from '../../lib/format';
import { copyText } from '../../ui/clipboard';
import { DataTable } from '../../ui/DataTable';
import { ErrorNote } from '../../ui/ErrorNote';
import { useApiQuery } from '../../ui/useApiQuery';
import { conflictingDuplicatesNote, erasedNote, identityNote, replacedTracksNote, sampledOutNote } from '../../../../shared/import-notes';
import { formatText, futureDatedWarning, locationLabel, rejectionPlace, rejectionsCsv, warehouseTableText } from './model';
import { useData } from './store';
import './data.css';

const STATE_LABEL: Record<ImportReport['state'], string> = { done: 'Completed', cancelled: 'Cancelled', failed: 'Failed' };

export function reportSource(report: Pick<ImportReport, 'kind' | 'source'>): string {
  return report.kind === 'file' ? fileLabel(report.source) : report.source;
}

/** The outcome; a completed import that rejected records says so, rather than a plain "Completed". */
export function StateBadge({ state, rejected = 0 }: { state: ImportReport['state']; rejected?: number }) {
  if (state === 'done' && rejected > 0) return <span className="badge done warn" data-testid="import-state">Completed with {formatNumber(rejected)} rejected</span>;
  return (
    <span className={`badge ${state}`} data-testid="import-state">
      {STATE_LABEL[state]}
    </span>
  );
}

/** One import's or sync's report: what it counted, and the records it rejected with their reasons. */
export function ImportReportPanel() {
  const open = useData((s) => s.openReport);
  const close = useData((s) => s.closeReport);
  const { data: report, error } = useApiQuery(open ? () => api.getImportReport({ id: open.id }) : null, [open]);
  const panel = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!open?.focus) return;
    panel.current?.scrollIntoView({ block: 'nearest' });
    panel.current?.focus();
  }, [open]);

  if (!open) return null;

  const copy = (r: ImportReport): Promise<void> => copyText(rejectionsCsv(r), `Copied ${formatNumber(r.errors.length)} rejections as CSV.`);
  const future = report ? futureDatedWarning(report.details) : null;
  const conflicts = report ? conflictingDuplicatesNote(report.details) : null;
  const replaced = report ? replacedTracksNote(report.details) : null;
  const identity = report ? identityNote(report.details) : null;
  const erased = report ? erasedNote(report.details) : null;
  const sampledOut = report ? sampledOutNote(report.details) : null;

  return (
    <section
      ref={panel}
      className="card report"
      aria-labelledby="report-title"
      tabIndex={-1}
      data-testid="import-report"
      onKeyDown={(e) => {
        if (e.key === 'Escape') close();
      }}
    >
      <header className="card-header">
        <div>
          <h3 id="report-title">
            {report ? `${report.kind === 'file' ? 'Import' : 'Sync'} report · ${reportSource(report)}` : 'Import report'}
            {report ? <StateBadge state={report.state} rejected={report.rejected} /> : null}
          </h3>
          {report ? (
            <p className="muted">
              {report.kind === 'file' ? (
                <>
                  <span data-testid="report-format">{formatText(report)}</span>, {formatBytes(report.bytes)} read
                </>
              ) : report.format === 'postgres' ? (
                'PostgreSQL warehouse'
              ) : (
                'Delivery server export'
              )}
              {' · started '}
              {formatDateTime(report.startedAt)}
            </p>
          ) : null}
        </div>
        <div className="card-actions">
          {report && report.errors.length > 0 ? (
            <button type="button" className="ghost" onClick={() => void copy(report)}>
              Copy rejections as CSV
            </button>
          ) : null}
          <button type="button" className="ghost" onClick={close} aria-label="Close the report">
            Close
          </button>
        </div>
      </header>
      <ErrorNote error={error} />
      {!report && !error ? <p className="muted">Loading the report…</p> : null}
      {report ? (
        <>
          <dl className="stat-grid">
            <Stat label="Imported" value={formatNumber(report.imported)} testId="report-imported" />
            <Stat label="Duplicates" value={formatNumber(report.duplicates)} testId="report-duplicates" />
            <Stat label="Rejected" value={formatNumber(report.rejected)} testId="report-rejected" tone={report.rejected > 0 ? 'warn' : undefined} />
            <Stat label="Users in the cache" value={formatNumber(report.users)} testId="report-users" />
            <Stat label="Duration" value={formatElapsed(report.ms)} testId="report-duration" />
          </dl>
          {report.message ? <p className="muted">{withFileNames(report.message)}</p> : null}
          {future ? <ReportNote title="Future-dated records" text={future} testId="report-future-dated" /> : null}
          {conflicts ? <ReportNote title="Duplicates with other content" text={conflicts} testId="report-conflicting-duplicates" /> : null}
          {replaced ? <ReportNote title="Tracks rows replaced" text={replaced} testId="report-replaced-tracks" /> : null}
          {identity ? <ReportNote title="Identity" text={identity} testId="report-identity" /> : null}
          {erased ? <ReportNote title="Erased users" text={erased} testId="report-erased" /> : null}
          {sampledOut ? <ReportNote title="Sample of users" text={sampledOut} testId="report-sampled-out" /> : null}
          <WarehouseTables tables={report.details?.warehouseTables} />
          <RejectionTable report={report} />
        </>
      ) : null}
    </section>
  );
}

/** A PostgreSQL sync's tables: the kind each was read as and its rows this run, or why it was skipped. */
function WarehouseTables({ tables }: { tables: NonNullable<ImportReport['details']>['warehouseTables'] }) {
  if (!tables || tables.length === 0) return null;
  return (
    <ul className="plain-list" data-testid="report-warehouse-tables" aria-label="Warehouse tables">
      {tables.map((t) => (
        <li key={t.table}>
          <code>{t.table}</code> {warehouseTableText(t)}
        </li>
      ))}
    </ul>
  );
}

/** A calm note under the figures: something the user should know that is not an error. */
function ReportNote({ title, text, testId }: { title: string; text: string; testId: string }) {
  return (
    <div className="notice calm" role="status" data-testid={testId}>
      <div>
        <strong>{title}</strong>
        <p>{text}</p>
      </div>
    </div>
  );
}

function Stat({ label, value, testId, tone }: { label: string; value: string; testId: string; tone?: 'warn' }) {
  return (
    <div className={tone ? `stat ${tone}` : 'stat'}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

function RejectionTable({ report }: { report: ImportReport }) {
  if (report.rejected === 0) return <p className="muted">No record was rejected.</p>;
  return (
    <div className="rejections">
      <h4>
        Rejected records
        <span className="muted">
          {report.rejected > report.errors.length
            ? ` · the first ${formatNumber(report.errors.length)} of ${formatNumber(report.rejected)}`
            : ` · ${formatNumber(report.rejected)}`}
        </span>
      </h4>
      <DataTable
        testId="rejections"
        scroll="table-scroll short"
        rows={report.errors}
        rowKey={(_, i) => i}
        columns={[
          // "line n, element k" reads as text, not as a number.
          { id: 'where', header: locationLabel(report), numeric: !report.errors.some((e) => e.element !== undefined), headerClassName: 'narrow-col', cell: (e) => rejectionPlace(e) },
          { id: 'reason', header: 'Reason', className: 'wrap', cell: (e) => e.reason },
          ...(report.errors.some((e) => e.excerpt !== undefined)
            ? [{ id: 'text', header: 'Record', className: 'wrap rejected-text-col', cell: (e: ImportError) => <RejectedText error={e} /> }]
            : []),
        ]}
      />
    </div>
  );
}

/** Characters of a rejected record shown before "Show all". */
const SHORT_EXCERPT = 60;

/** The start of the rejected record's text, as text (never markup), expandable to all the report kept. */
function RejectedText({ error }: { error: ImportError }) {
  const [expanded, setExpanded] = useState(false);
  if (error.excerpt === undefined) return <span className="muted">—</span>;
  const long = error.excerpt.length > SHORT_EXCERPT;
  const shown = expanded || !long ? error.excerpt : error.excerpt.slice(0, SHORT_EXCERPT);
  return (
    <span className="rejected-text">
      <code data-testid="rejected-text">
        {shown}
        {(!expanded && long) || (expanded && error.excerptCut) ? '…' : ''}
      </code>
      {expanded && error.excerptCut ? <span className="muted"> (the report keeps the first {formatNumber(error.excerpt.length)} characters)</span> : null}
      {long ? (
        <button type="button" className="link" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Show less' : 'Show all'}
        </button>
      ) : null}
    </span>
  );
}
