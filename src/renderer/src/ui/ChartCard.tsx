import { useState, type ReactNode } from 'react';
import { toCsv } from '../lib/format';
import { copyText } from './clipboard';
import { DataTable, type Column } from './DataTable';

type Cell = string | number;

interface ChartCardProps {
  title: string;
  subtitle?: string;
  /** The numbers behind the chart: shown as a table on request, and copyable as CSV. */
  header: string[];
  rows: Cell[][];
  children: ReactNode;
}

/** A chart with its numbers one click away, as people who check figures expect. */
export function ChartCard({ title, subtitle, header, rows, children }: ChartCardProps) {
  const [asTable, setAsTable] = useState(false);
  const columns: Column<Cell[]>[] = header.map((h, j) => ({
    id: String(j),
    header: h,
    cell: (row) => {
      const value = row[j] ?? '';
      return typeof value === 'number' ? value.toLocaleString('en-US') : value;
    },
    cellProps: (row) => ({ className: typeof row[j] === 'number' ? 'num' : undefined }),
  }));
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
          <button type="button" className="ghost" onClick={() => void copyText(toCsv(header, rows), `Copied ${rows.length} rows as CSV.`)}>
            Copy CSV
          </button>
        </div>
      </header>
      {asTable ? <DataTable columns={columns} rows={rows} rowKey={(_, i) => i} /> : <div className="chart-box">{children}</div>}
    </section>
  );
}
