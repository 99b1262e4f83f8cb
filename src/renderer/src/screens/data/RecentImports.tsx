import type { ImportReport } from '../../../../shared/types';
import { api } from '../../lib/api';
import { formatDateTime, formatElapsed, formatNumber } from '../../lib/format';
import { useApp } from '../../store';
import { DataTable, type Column } from '../../ui/DataTable';
import { ErrorNote } from '../../ui/ErrorNote';
import { useApiQuery } from '../../ui/useApiQuery';
import { EmptyState } from '../../ui/EmptyState';
import { pickImportFile } from './ImportFileInput';
import { reportSource, StateBadge } from './ImportReportPanel';
import { useData } from './store';

/** Every import and sync the cache remembers, newest first; each opens its report. */
export function RecentImports() {
  const dataVersion = useApp((s) => s.dataVersion);
  const showReport = useData((s) => s.showReport);
  const openId = useData((s) => s.openReport?.id ?? null);
  const { data: reports, error } = useApiQuery(() => api.listImportReports({ limit: 50 }), [dataVersion], { keep: true });

  const columns: Column<ImportReport>[] = [
    {
      id: 'source',
      header: 'Source',
      className: 'truncate',
      cell: (r) => (
        <button type="button" className="link" onClick={() => showReport(r.id, true)} title={`Open the report of ${reportSource(r)}`}>
          <span className="kind-tag">{r.kind === 'file' ? 'File' : 'Sync'}</span>
          {reportSource(r)}
        </button>
      ),
    },
    { id: 'started', header: 'Started', cell: (r) => formatDateTime(r.startedAt) },
    { id: 'result', header: 'Result', cell: (r) => <StateBadge state={r.state} rejected={r.rejected} /> },
    { id: 'imported', header: 'Imported', numeric: true, cell: (r) => formatNumber(r.imported) },
    { id: 'duplicates', header: 'Duplicates', numeric: true, cell: (r) => formatNumber(r.duplicates) },
    { id: 'rejected', header: 'Rejected', numeric: true, cell: (r) => formatNumber(r.rejected) },
    { id: 'duration', header: 'Duration', numeric: true, cell: (r) => formatElapsed(r.ms) },
  ];

  return (
    <section className="card" aria-labelledby="recent-imports-title">
      <header className="card-header">
        <div>
          <h3 id="recent-imports-title">Recent imports</h3>
          <p className="muted">Files and syncs brought into this cache, newest first. Open one to see what it rejected and why.</p>
        </div>
      </header>
      <ErrorNote error={error} />
      {reports === null && !error ? <p className="muted">Loading…</p> : null}
      {reports !== null ? (
        <DataTable
          testId="recent-imports"
          columns={columns}
          rows={reports}
          rowKey={(r) => r.id}
          rowProps={(r) => ({ className: r.id === openId ? 'current' : undefined })}
          empty={
            <EmptyState
              size="inline"
              title="Nothing imported yet"
              help="Import a file of events, or connect a delivery server below."
              action={{ label: 'Import events', onClick: pickImportFile }}
            />
          }
        />
      ) : null}
    </section>
  );
}
