import { useEffect } from 'react';
import { missingCase } from '../../../shared/errors';
import { useResolvedTheme } from '../lib/theme';
import { AREAS, useApp, type Area } from '../store';
import { DataScreen, ImportFileInput } from '../screens/data';
import { MessagesScreen } from '../screens/messages';
import { SegmentsScreen } from '../screens/segments';
import { SettingsScreen } from '../screens/settings';
import { BundleInput, BundleOpenDialog, WorkshopsScreen } from '../screens/workshops';
import { ActivityTray } from './ActivityTray';
import { connectBackendEvents } from './backend-events';
import { CommandPalette } from './CommandPalette';
import { connectOpenRequests } from './open-requests';
import { StatusBar } from './StatusBar';
import { Toasts } from './Toasts';
import './shell.css';

function Screen({ area }: { area: Area }) {
  switch (area) {
    case 'data':
      return <DataScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'segments':
      return <SegmentsScreen />;
    case 'workshops':
      return <WorkshopsScreen />;
    case 'messages':
      return <MessagesScreen />;
    default:
      return missingCase(area);
  }
}

export function App() {
  const { area, setArea, theme, refreshStatus, setPaletteOpen, paletteOpen } = useApp();
  const resolved = useResolvedTheme(theme);

  // Set while rendering, not in an effect: charts below read their colours from the theme's CSS
  // variables as they render, and an effect would only run after them, leaving the old theme's colours.
  if (document.documentElement.dataset.theme !== resolved) document.documentElement.dataset.theme = resolved;

  useEffect(() => {
    const disconnect = connectBackendEvents();
    const disconnectOpen = connectOpenRequests();
    void refreshStatus();
    return () => {
      disconnect();
      disconnectOpen();
    };
  }, [refreshStatus]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setPaletteOpen(!paletteOpen);
        return;
      }
      const target = AREAS.find((a) => a.shortcut === e.key);
      if (mod && target) {
        e.preventDefault();
        setArea(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [paletteOpen, setArea, setPaletteOpen]);

  return (
    <div className="app">
      <nav className="rail" aria-label="Areas">
        <div className="brand" aria-hidden="true">
          <span className="brand-mark">G</span>
          <span>Guidepost</span>
        </div>
        <ul>
          {AREAS.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={area === a.id ? 'nav-item active' : 'nav-item'}
                aria-current={area === a.id ? 'page' : undefined}
                onClick={() => setArea(a.id)}
                title={`${a.label} (Ctrl+${a.shortcut})`}
                aria-keyshortcuts={`Control+${a.shortcut}`}
              >
                <span>{a.label}</span>
                <kbd className="nav-shortcut" aria-hidden="true">
                  Ctrl {a.shortcut}
                </kbd>
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="nav-item palette-hint" aria-keyshortcuts="Control+K" onClick={() => setPaletteOpen(true)}>
          <span>Commands</span>
          <kbd>Ctrl K</kbd>
        </button>
      </nav>
      <main className="content" id="main">
        <Screen area={area} />
      </main>
      <StatusBar />
      <ActivityTray />
      <Toasts />
      <CommandPalette />
      <ImportFileInput />
      <BundleInput />
      <BundleOpenDialog />
    </div>
  );
}
