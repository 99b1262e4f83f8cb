import type { TableRow, Workshop } from '../../../../shared/workshop/model';
import type { StepDefinition } from '../../../../shared/workshop/templates';
import type { Column } from '../../ui/DataTable';
import { focusLater } from '../../ui/focusLater';
import { newId, stepState, withStep } from './doc';
import { SheetCard, SheetTable } from './SheetParts';
import { useWorkshops } from './store';

/** A generic worksheet: rows with the columns the step declares. */
export function TableSheet({ w, step }: { w: Workshop; step: StepDefinition }) {
  const update = useWorkshops((s) => s.update);
  const rows = stepState(w, step.key).rows;
  const setRows = (change: (rows: TableRow[]) => TableRow[]): void => update((d) => withStep(d, step.key, (s) => ({ ...s, rows: change(s.rows) })));
  const add = (): void => {
    const id = newId('r');
    setRows((r) => [...r, { id, cells: {} }]);
    focusLater(() => document.getElementById(`cell-${id}-0`));
  };
  const columns: Column<TableRow>[] = (step.columns ?? []).map((c, ci) => ({
    id: c.key,
    header: c.label,
    className: 'wrap',
    cell: (row, i) => (
      <textarea
        id={`cell-${row.id}-${ci}`}
        rows={1}
        aria-label={`Row ${i + 1} ${c.label}`}
        value={row.cells[c.key] ?? ''}
        maxLength={5000}
        onChange={(e) => setRows((r) => r.map((x) => (x.id === row.id ? { ...x, cells: { ...x.cells, [c.key]: e.target.value } } : x)))}
      />
    ),
  }));
  return (
    <SheetCard
      titleId={`table-${step.key}`}
      title="Worksheet"
      add={{ label: 'Add row', run: add, disabled: rows.length >= 500 }}
    >
      <SheetTable
        columns={columns}
        rows={rows}
        rowKey={(row) => row.id}
        removeLabel={(_, i) => `Remove row ${i + 1}`}
        onRemove={(row) => setRows((r) => r.filter((x) => x.id !== row.id))}
        empty="Add a row for each line of this step, with Add row above."
      />
    </SheetCard>
  );
}
