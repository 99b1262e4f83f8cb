import type { TableRow, Workshop } from '../../../../shared/workshop/model';
import type { StepDefinition } from '../../../../shared/workshop/templates';
import { newId, stepState, withStep } from './doc';
import { useWorkshops } from './store';

/** A generic worksheet: rows with the columns the step declares. */
export function TableSheet({ w, step }: { w: Workshop; step: StepDefinition }) {
  const update = useWorkshops((s) => s.update);
  const columns = step.columns ?? [];
  const rows = stepState(w, step.key).rows;
  const setRows = (change: (rows: TableRow[]) => TableRow[]): void => update((d) => withStep(d, step.key, (s) => ({ ...s, rows: change(s.rows) })));
  const add = (): void => {
    const id = newId('r');
    setRows((r) => [...r, { id, cells: {} }]);
    setTimeout(() => document.getElementById(`cell-${id}-0`)?.focus(), 0);
  };
  return (
    <section className="card" aria-labelledby={`table-${step.key}`}>
      <header className="card-header">
        <h3 id={`table-${step.key}`}>Worksheet</h3>
        <button type="button" className="small" onClick={add} disabled={rows.length >= 500}>
          Add row
        </button>
      </header>
      {rows.length === 0 ? (
        <p className="muted small-text">No rows yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table sheet-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key} scope="col">
                    {c.label}
                  </th>
                ))}
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={row.id}>
                  {columns.map((c, ci) => (
                    <td key={c.key} className="wrap">
                      <textarea
                        id={`cell-${row.id}-${ci}`}
                        rows={1}
                        aria-label={`Row ${i + 1} ${c.label}`}
                        value={row.cells[c.key] ?? ''}
                        maxLength={5000}
                        onChange={(e) => setRows((r) => r.map((x) => (x.id === row.id ? { ...x, cells: { ...x.cells, [c.key]: e.target.value } } : x)))}
                      />
                    </td>
                  ))}
                  <td className="row-actions">
                    <button type="button" className="ghost small" aria-label={`Remove row ${i + 1}`} onClick={() => setRows((r) => r.filter((x) => x.id !== row.id))}>
                      ×
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
