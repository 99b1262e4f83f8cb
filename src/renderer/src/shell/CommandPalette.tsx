import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api } from '../lib/api';
import { AREAS, useApp } from '../store';
import { focusLater } from '../ui/focusLater';
import { ModalLayer } from '../ui/ModalLayer';
import { toastOnError } from '../ui/toastOnError';
import { pickImportFile, useData, type DataTab } from '../screens/data';
import { useMessages } from '../screens/messages';
import { useSegments } from '../screens/segments';
import { pickBundleFile, useWorkshops } from '../screens/workshops';

interface PaletteCommand {
  id: string;
  label: string;
  hint: string;
  run(): void;
  /** Leaves the focus where it was: the command changes no screen (the theme, a file picker). */
  stays?: boolean;
}

/**
 * After a command that changes the screen: unless the command moved the focus into the screen or a
 * dialog itself, focus the screen's heading. Left on the nav, a Space would navigate away again.
 * Checked on each of the next 30 frames, not once: on a slow machine the new screen (and its heading)
 * may be drawn frames later, and a heading focused before it was replaced leaves the focus nowhere.
 */
function landOnScreen(): void {
  let frames = 0;
  let focused: HTMLElement | null = null;
  const check = (): void => {
    frames += 1;
    const main = document.getElementById('main');
    const active = document.activeElement;
    const elsewhere = active !== null && active !== document.body && active !== focused;
    // The command put the focus in the screen or a dialog, or the focus moved on after the heading had
    // it (the user went on): leave it there.
    if (elsewhere && (focused !== null || main?.contains(active) || active.closest('[role="dialog"], [role="alertdialog"]'))) return;
    const heading = main?.querySelector<HTMLElement>('h1') ?? null;
    if (heading && document.activeElement !== heading) {
      if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
      heading.focus();
      focused = heading;
    }
    if (frames < 30) requestAnimationFrame(check);
  };
  requestAnimationFrame(() => requestAnimationFrame(check));
}

/** Ctrl/Cmd+K: reach any screen or action by typing part of its name. */
export function CommandPalette() {
  const { paletteOpen, setPaletteOpen, setArea, setTheme, status } = useApp();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const segments = useSegments((s) => s.segments);
  const workshops = useWorkshops((s) => s.list);
  const workshopOpen = useWorkshops((s) => s.doc !== null);
  const messages = useMessages((s) => s.list);
  const inputRef = useRef<HTMLInputElement>(null);
  const returnFocus = useRef<Element | null>(null);

  const commands = useMemo<PaletteCommand[]>(() => {
    const list: PaletteCommand[] = AREAS.map((a) => ({
      id: `go-${a.id}`,
      label: `Go to ${a.label}`,
      hint: `Ctrl+${a.shortcut}`,
      run: () => setArea(a.id),
    }));
    const dataTab = (tab: DataTab) => () => {
      setArea('data');
      useData.getState().setTab(tab);
    };
    list.push(
      { id: 'import', label: 'Import events from a file…', hint: 'Data', run: () => pickImportFile(), stays: true },
      { id: 'data-events', label: 'Data: events and catalog', hint: 'Data', run: dataTab('events') },
      { id: 'data-users', label: 'Data: users and timelines', hint: 'Data', run: dataTab('users') },
      { id: 'data-accounts', label: 'Data: accounts and their members', hint: 'Data', run: dataTab('accounts') },
      { id: 'data-imports', label: 'Data: imports, sync and connect a source', hint: 'Data', run: dataTab('imports') },
    );
    const seg = useSegments.getState();
    list.push(
      { id: 'segment-new', label: 'New segment', hint: 'Segments', run: () => seg.newSegment() },
      {
        id: 'segment-template',
        label: 'New segment from a template…',
        hint: 'Segments',
        run: () => {
          setArea('segments');
          seg.setTemplateOpen(true);
        },
      },
      { id: 'segment-compare', label: 'Compare segments', hint: 'Segments', run: () => seg.showCompare() },
      ...(segments ?? []).map((s) => ({ id: `segment-${s.id}`, label: `Open segment: ${s.name}`, hint: 'Segment', run: () => void seg.openSegment(s.id) })),
    );
    const ws = useWorkshops.getState();
    list.push(
      {
        id: 'workshop-new',
        label: 'New workshop…',
        hint: 'Workshops',
        run: () => {
          setArea('workshops');
          void ws.close().then((left) => left && ws.setCreateOpen(true));
        },
      },
      { id: 'workshop-import', label: 'Import a workshop bundle…', hint: 'Workshops', run: () => pickBundleFile(), stays: true },
      ...(workshopOpen
        ? [{ id: 'workshop-present', label: 'Present the current workshop step', hint: 'Workshops', run: () => ws.setPresenting(true) }]
        : []),
      ...(workshops ?? []).map((w) => ({ id: `workshop-${w.id}`, label: `Open workshop: ${w.title}`, hint: 'Workshop', run: () => void ws.open(w.id) })),
    );
    const msg = useMessages.getState();
    const messagesTab = (tab: 'outbox' | 'environments') => () => {
      setArea('messages');
      // Saves the open message first; one that cannot be saved asks before it is dropped.
      msg.close(() => msg.setListTab(tab));
    };
    list.push(
      { id: 'message-nps', label: 'New NPS survey', hint: 'Messages', run: () => msg.newMessage('nps') },
      { id: 'message-modal', label: 'New upsell modal', hint: 'Messages', run: () => msg.newMessage('modal') },
      { id: 'message-survey', label: 'New survey (several questions)', hint: 'Messages', run: () => msg.newMessage('survey') },
      { id: 'message-banner', label: 'New banner', hint: 'Messages', run: () => msg.newMessage('banner') },
      { id: 'message-slideout', label: 'New slideout', hint: 'Messages', run: () => msg.newMessage('slideout') },
      { id: 'message-outbox', label: 'Messages: outbox', hint: 'Messages', run: messagesTab('outbox') },
      { id: 'message-environments', label: 'Messages: delivery environments and tokens', hint: 'Messages', run: messagesTab('environments') },
      ...(messages ?? []).map((m) => ({ id: `message-${m.message.id}`, label: `Open message: ${m.message.name}`, hint: 'Message', run: () => void msg.open(m.message.id) })),
    );
    list.push(
      { id: 'theme-light', label: 'Theme: light', hint: 'Appearance', run: () => setTheme('light'), stays: true },
      { id: 'theme-dark', label: 'Theme: dark', hint: 'Appearance', run: () => setTheme('dark'), stays: true },
      { id: 'theme-system', label: 'Theme: follow the system', hint: 'Appearance', run: () => setTheme('system'), stays: true },
    );
    if (status && status.users === 0) {
      list.push({
        id: 'demo',
        label: 'Open the demo workspace',
        hint: 'Data',
        run: () => {
          setArea('data');
          void toastOnError(() => api.startDemo({}));
        },
      });
    }
    return list;
  }, [setArea, setTheme, status, segments, workshops, workshopOpen, messages]);

  const matches = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return commands.filter((c) => words.every((w) => c.label.toLowerCase().includes(w)));
  }, [commands, query]);

  // Cleared as the palette opens, before anything can be typed into it. Cleared in the effect below,
  // it could run after the first keystrokes reached the input and wipe them (an e2e run under load did).
  useLayoutEffect(() => {
    if (paletteOpen) {
      setQuery('');
      setActive(0);
    }
  }, [paletteOpen]);

  /** Back to where the focus was before the palette opened; once, so a command that moves it on keeps it there. */
  const giveFocusBack = (): void => {
    const previous = returnFocus.current;
    returnFocus.current = null;
    if (previous instanceof HTMLElement) previous.focus();
  };

  useEffect(() => {
    if (paletteOpen) {
      void useSegments.getState().refreshSegments();
      void useWorkshops.getState().refreshList();
      void useMessages.getState().refreshList();
      returnFocus.current = document.activeElement;
      focusLater(() => inputRef.current);
    } else giveFocusBack();
  }, [paletteOpen]);

  if (!paletteOpen) return null;
  const close = (): void => setPaletteOpen(false);
  const run = (command: PaletteCommand | undefined): void => {
    if (!command) return;
    close();
    // Before the command runs: the focus it moves (into a dialog it opens, say) must not be taken back after.
    giveFocusBack();
    command.run();
    if (!command.stays) landOnScreen();
  };

  return (
    <ModalLayer className="palette" aria-label="Command palette" onClose={close}>
      <input
        ref={inputRef}
        type="text"
        role="combobox"
        aria-label="Command"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={matches[active] ? `palette-${matches[active].id}` : undefined}
        placeholder="Type a command or a screen…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') close();
          else if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive(Math.min(active + 1, matches.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive(Math.max(active - 1, 0));
          } else if (e.key === 'Enter') {
            // No keypress follows: it would press whatever the command focuses (the leave prompt's Keep editing, say).
            e.preventDefault();
            run(matches[active]);
          }
          else if (e.key === 'Tab') e.preventDefault();
        }}
      />
      <ul id="palette-list" role="listbox">
        {matches.map((c, i) => (
          <li
            key={c.id}
            id={`palette-${c.id}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            onMouseEnter={() => setActive(i)}
            onClick={() => run(c)}
          >
            <span>{c.label}</span>
            <span className="muted">{c.hint}</span>
          </li>
        ))}
        {matches.length === 0 ? <li className="muted">Nothing matches “{query}”.</li> : null}
      </ul>
    </ModalLayer>
  );
}
