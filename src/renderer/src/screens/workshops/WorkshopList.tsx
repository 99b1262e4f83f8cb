import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { WorkshopSummary } from '../../../../shared/workshop/model';
import { TEMPLATES, TEMPLATE_IDS, type TemplateId } from '../../../../shared/workshop/templates';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime, plural } from '../../lib/format';
import { useApp } from '../../store';
import { EmptyState } from '../../ui/EmptyState';
import { toast } from '../../ui/toast';
import { todayIso } from './doc';
import { pickBundleFile } from './BundleInput';
import { useWorkshops } from './store';

/** Duplicate, archive and delete (with Undo), shared by the list and the palette. */
export async function deleteWithUndo(id: string, title: string): Promise<void> {
  try {
    const old = await api.getWorkshop({ id });
    await api.deleteWorkshop({ id });
    if (useWorkshops.getState().doc?.id === id) useWorkshops.setState({ doc: null, saved: null });
    void useWorkshops.getState().refreshList();
    toast('info', `Deleted “${title}”.`, {
      label: 'Undo',
      run: () => {
        api
          .saveWorkshop({ workshop: old })
          .then(() => {
            toast('success', `Restored “${title}”.`);
            void useWorkshops.getState().refreshList();
          })
          .catch((err: unknown) => toast('error', `Could not restore “${title}”: ${errorMessage(err)}`));
      },
    });
  } catch (err) {
    toast('error', `Could not delete “${title}”: ${errorMessage(err)}`);
  }
}

async function duplicate(id: string): Promise<void> {
  try {
    const copy = await api.duplicateWorkshop({ id });
    toast('success', `Duplicated as “${copy.title}”.`);
    void useWorkshops.getState().refreshList();
  } catch (err) {
    toast('error', `Could not duplicate: ${errorMessage(err)}`);
  }
}

async function setArchived(w: WorkshopSummary, archived: boolean): Promise<void> {
  try {
    await api.archiveWorkshop({ id: w.id, archived });
    toast('info', archived ? `Archived “${w.title}”.` : `“${w.title}” is back in the list.`);
    void useWorkshops.getState().refreshList();
  } catch (err) {
    toast('error', errorMessage(err));
  }
}

/** The workshops, newest change first, with the way to start one. */
export function WorkshopList() {
  const list = useWorkshops((s) => s.list);
  const listError = useWorkshops((s) => s.listError);
  const includeArchived = useWorkshops((s) => s.includeArchived);
  const createOpen = useWorkshops((s) => s.createOpen);
  const { setIncludeArchived, setCreateOpen, open } = useWorkshops.getState();
  const status = useApp((s) => s.status);

  const header = (
    <header className="screen-header">
      <div>
        <h1>Workshops</h1>
        <p className="muted">Build behavioral personas with your customer, then check them against the data.</p>
      </div>
      <div className="header-actions">
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
      </div>
    </header>
  );

  let body;
  if (list === null) {
    body = listError ? (
      <p className="error-banner" role="alert">
        {listError}
      </p>
    ) : (
      <p className="muted">Loading workshops…</p>
    );
  } else if (list.length === 0) {
    body = (
      <EmptyState
        title={includeArchived ? 'No workshops, archived or not' : 'No workshops yet: run the first one'}
        actions={
          <>
            <button type="button" className="primary" onClick={() => setCreateOpen(true)}>
              New workshop
            </button>
            <button type="button" onClick={pickBundleFile}>
              Import a .guidepost bundle
            </button>
          </>
        }
      >
        <p>
          A workshop walks the team through four steps: brainstorm personas, map their behaviors, check them against the
          events in your cache, and pick the investments worth making. Timers, notes per participant and exports included.
        </p>
        {status !== null && status.users === 0 ? <p>Step 3 reads your events: import some or open the demo workspace in Data.</p> : null}
      </EmptyState>
    );
  } else {
    body = (
      <section className="card list-card">
        <div className="table-scroll">
          <table className="data-table list-table">
            <thead>
              <tr>
                <th scope="col">Workshop</th>
                <th scope="col">Account</th>
                <th scope="col">Date</th>
                <th scope="col">Template</th>
                <th scope="col">People</th>
                <th scope="col">Changed</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => (
                <tr key={w.id} data-testid="workshop-row" className={w.archived ? 'archived-row' : undefined}>
                  <td className="name-cell">
                    <button type="button" className="link row-name" onClick={() => void open(w.id)}>
                      {w.title}
                    </button>
                    {w.archived ? <span className="badge">archived</span> : null}
                  </td>
                  <td>{w.account}</td>
                  <td>{w.date}</td>
                  <td className="muted">{TEMPLATES[w.template].title}</td>
                  <td className="muted">
                    {plural(w.participants, 'participant')} · {plural(w.personas, 'persona')}
                  </td>
                  <td className="muted">{formatDateTime(w.updatedAt)}</td>
                  <td className="row-actions">
                    <button type="button" className="ghost small" onClick={() => void duplicate(w.id)} aria-label={`Duplicate ${w.title}`}>
                      Duplicate
                    </button>
                    <button
                      type="button"
                      className="ghost small"
                      onClick={() => void setArchived(w, !w.archived)}
                      aria-label={`${w.archived ? 'Unarchive' : 'Archive'} ${w.title}`}
                    >
                      {w.archived ? 'Unarchive' : 'Archive'}
                    </button>
                    <button type="button" className="ghost small danger" onClick={() => void deleteWithUndo(w.id, w.title)} aria-label={`Delete ${w.title}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
  const returnFocus = useRef<Element | null>(null);

  useEffect(() => {
    returnFocus.current = document.activeElement;
    titleRef.current?.focus();
    return () => {
      if (returnFocus.current instanceof HTMLElement && returnFocus.current.isConnected) returnFocus.current.focus();
    };
  }, []);

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
      void useWorkshops.getState().refreshList();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="overlay" onMouseDown={onClose}>
      <form
        className="dialog workshop-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="new-workshop-title"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
        }}
        onSubmit={(e) => void submit(e)}
      >
        <header className="dialog-header">
          <div>
            <h2 id="new-workshop-title">New workshop</h2>
            <p className="muted">Who it is with, when, and which session to run.</p>
          </div>
          <button type="button" className="ghost icon" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="workshop-dialog-body">
          <div className="form-grid">
            <label>
              Title
              <input ref={titleRef} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
            </label>
            <label>
              Account
              <input value={account} onChange={(e) => setAccount(e.target.value)} maxLength={200} placeholder="Customer or team" />
            </label>
            <label>
              Date
              <input type="date" value={date} onChange={(e) => setDate(e.target.value)} />
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
                  <input
                    aria-label={`Participant ${i + 1} name`}
                    placeholder="Name"
                    value={p.name}
                    onChange={(e) => setPeople(people.map((q) => (q.key === p.key ? { ...q, name: e.target.value } : q)))}
                  />
                  <input
                    aria-label={`Participant ${i + 1} role`}
                    placeholder="Role"
                    value={p.role}
                    onChange={(e) => setPeople(people.map((q) => (q.key === p.key ? { ...q, role: e.target.value } : q)))}
                  />
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
          {error ? (
            <p className="error-text" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <footer className="dialog-footer">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create workshop
          </button>
        </footer>
      </form>
    </div>
  );
}
