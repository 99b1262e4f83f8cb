import { useEffect, useState } from 'react';
import type { ImportReport } from '../../../shared/types';
import { api, errorMessage } from '../lib/api';
import { formatDateTime, formatElapsed, formatNumber } from '../lib/format';
import { useApp } from '../store';
import { reportSource, StateBadge } from './ImportReportPanel';
import { pickImportFile } from './ImportFileInput';

/** Every import and sync the cache remembers, newest first; each opens its report. */
export function RecentImports() {
  const dataVersion = useApp((s) => s.dataVersion);
  const showReport = useApp((s) => s.showReport);
  const openId = useApp((s) => s.openReport?.id ?? null);
  const [reports, setReports] = useState<ImportReport[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api
      .listImportReports({ limit: 50 })
      .then((r) => {
        if (!live) return;
        setReports(r);
        setError(null);
      })
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [dataVersion]);

  return (
    <section className="card" aria-labelledby="recent-imports-title">
      <header className="card-header">
        <div>
          <h3 id="recent-imports-title">Recent imports</h3>
          <p className="muted">Files and syncs brought into this cache, newest first. Open one to see what it rejected and why.</p>
        </div>
      </header>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
      {reports === null && !error ? <p className="muted">Loading…</p> : null}
      {reports !== null && reports.length === 0 ? (
        <div className="inline-empty">
          <p className="muted">Nothing imported yet. Import a file of events, or connect a delivery server below.</p>
          <button type="button" onClick={pickImportFile}>
            Import events
          </button>
        </div>
      ) : null}
      {reports !== null && reports.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table" data-testid="recent-imports">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Started</th>
                <th scope="col">Result</th>
                <th scope="col" className="num">Imported</th>
                <th scope="col" className="num">Duplicates</th>
                <th scope="col" className="num">Rejected</th>
                <th scope="col" className="num">Duration</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((r) => (
                <tr key={r.id} className={r.id === openId ? 'current' : undefined}>
                  <td className="truncate">
                    <button
                      type="button"
                      className="link"
                      onClick={() => showReport(r.id, true)}
                      title={`Open the report of ${reportSource(r)}`}
                    >
                      <span className="kind-tag">{r.kind === 'file' ? 'File' : 'Sync'}</span>
                      {reportSource(r)}
                    </button>
                  </td>
                  <td>{formatDateTime(r.startedAt)}</td>
                  <td><StateBadge state={r.state} /></td>
                  <td className="num">{formatNumber(r.imported)}</td>
                  <td className="num">{formatNumber(r.duplicates)}</td>
                  <td className="num">{formatNumber(r.rejected)}</td>
                  <td className="num">{formatElapsed(r.ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
