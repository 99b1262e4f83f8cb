import { useState, type ReactNode } from 'react';
import { toCsv } from '../lib/format';
import { useApp } from '../store';

interface ChartCardProps {
  title: string;
  subtitle?: string;
  /** The numbers behind the chart: shown as a table on request, and copyable as CSV. */
  header: string[];
  rows: (string | number)[][];
  children: ReactNode;
}

/** A chart with its numbers one click away, as people who check figures expect. */
export function ChartCard({ title, subtitle, header, rows, children }: ChartCardProps) {
  const [asTable, setAsTable] = useState(false);
  const toast = useApp((s) => s.toast);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(toCsv(header, rows));
      toast('success', `Copied ${rows.length} rows as CSV.`);
    } catch {
      toast('error', 'The clipboard is not available here.');
    }
  };
  return (
    <section className="card" aria-label={title}>
      <header className="card-header">
        <div>
          <h3>{title}</h3>
          {subtitle ? <p className="muted">{subtitle}</p> : null}
        </div>
        <div className="card-actions">
          <button type="button" className="ghost" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
            {asTable ? 'Show chart' : 'Show table'}
          </button>
          <button type="button" className="ghost" onClick={() => void copy()}>
            Copy CSV
          </button>
        </div>
      </header>
      {asTable ? (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>{header.map((h) => <th key={h} scope="col">{h}</th>)}</tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={i}>{row.map((cell, j) => <td key={j} className={typeof cell === 'number' ? 'num' : undefined}>{typeof cell === 'number' ? cell.toLocaleString('en-US') : cell}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div className="chart-box">{children}</div>
      )}
    </section>
  );
}
