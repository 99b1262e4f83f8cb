import { useRef, useState, type FormEvent } from 'react';
import type { Workshop, WorkshopSummary } from '../../../../shared/workshop/model';
import { TEMPLATES, TEMPLATE_IDS, type TemplateId } from '../../../../shared/workshop/templates';
import { api, errorMessage } from '../../lib/api';
import { formatDate, formatDateTime, parseUtcDay, plural } from '../../lib/format';
import { UtcDateInput } from '../../ui/UtcDateInput';
import { useApp } from '../../store';
import { DataTable, type Column } from '../../ui/DataTable';
import { Dialog, DialogFooter } from '../../ui/Dialog';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { toast } from '../../ui/toast';
import { deleteWithUndo } from '../../ui/useUndoableDelete';
import { todayIso } from './doc';
import { pickBundleFile } from './BundleInput';
import { useWorkshops } from './store';

const refreshList = (): Promise<void> => useWorkshops.getState().refreshList();

/** Deletes a workshop (closing it if it is open); the toast's Undo saves it back as it was. */
async function deleteWorkshop(w: WorkshopSummary): Promise<void> {
  let stored: Workshop | null = null;
  try {
    await deleteWithUndo({
      name: w.title,
      remove: async () => {
        stored = await api.getWorkshop({ id: w.id });
        await api.deleteWorkshop({ id: w.id });
        if (useWorkshops.getState().doc?.id === w.id) useWorkshops.setState({ doc: null, saved: null });
      },
      restore: async () => {
        if (stored) await api.saveWorkshop({ workshop: stored });
      },
      refresh: refreshList,
    });
  } catch (err) {
    toast('error', `Could not delete “${w.title}”: ${errorMessage(err)}`);
  }
}

async function duplicate(id: string): Promise<void> {
  try {
    const copy = await api.duplicateWorkshop({ id });
    toast('success', `Duplicated as “${copy.title}”.`);
    void refreshList();
  } catch (err) {
    toast('error', `Could not duplicate: ${errorMessage(err)}`);
  }
}

async function setArchived(w: WorkshopSummary, archived: boolean): Promise<void> {
  try {
    await api.archiveWorkshop({ id: w.id, archived });
    toast('info', archived ? `Archived “${w.title}”.` : `“${w.title}” is back in the list.`);
    void refreshList();
  } catch (err) {
    toast('error', errorMessage(err));
  }
}

const COLUMNS: Column<WorkshopSummary>[] = [
  {
    id: 'workshop',
    header: 'Workshop',
    className: 'name-cell',
    cell: (w) => (
      <>
        <button type="button" className="link row-name" onClick={() => void useWorkshops.getState().open(w.id)}>
          {w.title}
        </button>
        {w.archived ? <span className="badge">archived</span> : null}
      </>
    ),
  },
  { id: 'account', header: 'Account', className: 'wrap', cell: (w) => w.account },
  { id: 'date', header: 'Date', cell: (w) => w.date },
  { id: 'template', header: 'Template', className: 'muted wrap', cell: (w) => TEMPLATES[w.template].title },
  { id: 'people', header: 'People', className: 'muted wrap', cell: (w) => `${plural(w.participants, 'participant')} · ${plural(w.personas, 'persona')}` },
  { id: 'changed', header: 'Changed', className: 'muted', cell: (w) => formatDateTime(w.updatedAt) },
];

function WorkshopActions({ w }: { w: WorkshopSummary }) {
  const archiveLabel = w.archived ? 'Unarchive' : 'Archive';
  return (
    <>
      <button type="button" className="ghost small" onClick={() => void duplicate(w.id)} aria-label={`Duplicate ${w.title}`}>
        Duplicate
      </button>
      <button type="button" className="ghost small" onClick={() => void setArchived(w, !w.archived)} aria-label={`${archiveLabel} ${w.title}`}>
        {archiveLabel}
      </button>
      <button type="button" className="ghost small danger" onClick={() => void deleteWorkshop(w)} aria-label={`Delete ${w.title}`}>
        Delete
      </button>
    </>
  );
}

/** The workshops, newest change first, with the way to start one. */
export function WorkshopList() {
  const list = useWorkshops((s) => s.list);
  const listError = useWorkshops((s) => s.listError);
  const includeArchived = useWorkshops((s) => s.includeArchived);
  const createOpen = useWorkshops((s) => s.createOpen);
  const { setIncludeArchived, setCreateOpen } = useWorkshops.getState();
  const status = useApp((s) => s.status);

  const header = (
    <ScreenHeader
      title="Workshops"
      subtitle="Build behavioral personas with your customer, then check them against the data."
      actions={
        <>
          <label className="check">
            <input type="checkbox" checked={includeArchived} onChange={(e) => setIncludeArchived(e.target.checked)} />
            Show archived
          </label>
          <button type="button" onClick={pickBundleFile}>
            Import bundle…
          </button>
          <button type="button" className="primary" onClick={() => setCreateOpen(true)}>
            New workshop
          </button>
        </>
      }
    />
  );

  let body;
  if (list === null) {
    body = listError ? <ErrorNote error={listError} banner /> : <p className="muted">Loading workshops…</p>;
  } else if (list.length === 0) {
    body = (
      <EmptyState
        title="Run your first workshop"
        help={
          status !== null && status.users === 0
            ? 'Four steps with the team: personas, their behaviors, a check against your events (import some first, in Data), and the investments worth making.'
            : 'Four steps with the team: personas, their behaviors, a check against your events, and the investments worth making.'
        }
        action={{ label: 'New workshop', onClick: () => setCreateOpen(true) }}
        secondary={
          <button type="button" onClick={pickBundleFile}>
            Import a .guidepost bundle
          </button>
        }
      />
    );
  } else {
    body = (
      <section className="card list-card">
        <DataTable
          className="list-table"
          columns={COLUMNS}
          rows={list}
          rowKey={(w) => w.id}
          rowProps={(w) => ({ className: w.archived ? 'archived-row' : undefined, 'data-testid': 'workshop-row' })}
          actions={{ cell: (w) => <WorkshopActions w={w} /> }}
        />
      </section>
    );
  }

  return (
    <div className="screen">
      {header}
      {body}
      {createOpen ? <CreateDialog onClose={() => setCreateOpen(false)} /> : null}
    </div>
  );
}

interface DraftParticipant {
  key: number;
  name: string;
  role: string;
}

let participantKey = 1;

function CreateDialog({ onClose }: { onClose(): void }) {
  const [title, setTitle] = useState('');
  const [account, setAccount] = useState('');
  const [date, setDate] = useState(todayIso());
  const [template, setTemplate] = useState<TemplateId>('personas');
  const [people, setPeople] = useState<DraftParticipant[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!title.trim()) {
      setError('Give the workshop a title.');
      titleRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const participants = people.filter((p) => p.name.trim()).map((p) => ({ name: p.name.trim(), role: p.role.trim() }));
      const w = await api.createWorkshop({
        title: title.trim(),
        ...(account.trim() ? { account: account.trim() } : {}),
        ...(date ? { date } : {}),
        template,
        participants,
      });
      useWorkshops.getState().show(w);
      void refreshList();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const editPerson = (key: number, change: Partial<DraftParticipant>): void => setPeople(people.map((q) => (q.key === key ? { ...q, ...change } : q)));

  return (
    <Dialog
      className="workshop-dialog"
      title="New workshop"
      subtitle="Who it is with, when, and which session to run."
      onClose={onClose}
      initialFocus="input[name='title']"
      onSubmit={(e) => void submit(e)}
    >
      <div className="workshop-dialog-body">
        <div className="form-grid">
          <label>
            Title
            <input ref={titleRef} name="title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
          </label>
          <label>
            Account
            <input value={account} onChange={(e) => setAccount(e.target.value)} maxLength={200} placeholder="Customer or team" />
          </label>
          <label>
            Date
            <UtcDateInput value={parseUtcDay(date)} onChange={(ms) => ms !== null && setDate(formatDate(ms))} />
          </label>
        </div>
        <fieldset className="template-picks">
          <legend>Template</legend>
          {TEMPLATE_IDS.map((id) => {
            const t = TEMPLATES[id];
            return (
              <label key={id} className={template === id ? 'template-pick on' : 'template-pick'}>
                <input type="radio" name="template" value={id} checked={template === id} onChange={() => setTemplate(id)} />
                <span>
                  <strong>{t.title}</strong>
                  <span className="muted">{t.summary}</span>
                  <span className="muted small-text">{plural(t.steps.length, 'step')}</span>
                </span>
              </label>
            );
          })}
        </fieldset>
        <fieldset className="participant-picks">
          <legend>Participants</legend>
          {people.length === 0 ? <p className="muted small-text">Add them now or later, from the workshop’s header.</p> : null}
          <ul className="plain-list">
            {people.map((p, i) => (
              <li key={p.key} className="row">
                <input aria-label={`Participant ${i + 1} name`} placeholder="Name" value={p.name} onChange={(e) => editPerson(p.key, { name: e.target.value })} />
                <input aria-label={`Participant ${i + 1} role`} placeholder="Role" value={p.role} onChange={(e) => editPerson(p.key, { role: e.target.value })} />
                <button type="button" className="ghost small" aria-label={`Remove participant ${i + 1}`} onClick={() => setPeople(people.filter((q) => q.key !== p.key))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <button type="button" className="small" onClick={() => setPeople([...people, { key: participantKey++, name: '', role: '' }])}>
            Add participant
          </button>
        </fieldset>
        <ErrorNote error={error} />
      </div>
      <DialogFooter onCancel={onClose}>
        <button type="submit" className="primary" disabled={busy}>
          Create workshop
        </button>
      </DialogFooter>
    </Dialog>
  );
}
