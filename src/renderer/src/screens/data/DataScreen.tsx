import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { DailyVolumePoint } from '../../../../shared/types';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime, formatNumber } from '../../lib/format';
import { isWriterJob } from '../../lib/jobs';
import { useApp } from '../../store';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { focusLater } from '../../ui/focusLater';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { TabPanel, Tabs, type TabItem } from '../../ui/Tabs';
import { toast } from '../../ui/toast';
import { useApiQuery } from '../../ui/useApiQuery';
import { AccountsPanel } from './AccountsPanel';
import { DataActivity } from './DataActivity';
import { EventCatalog } from './EventCatalog';
import { pickImportFile } from './ImportFileInput';
import { ImportReportPanel } from './ImportReportPanel';
import { VOLUME_DAYS, type DataTab } from './model';
import { RecentImports } from './RecentImports';
import { useData } from './store';
import { SyncPanel } from './SyncPanel';
import { UsersPanel } from './UsersPanel';
import { VolumeChart } from './VolumeChart';
import { WarehouseSyncPanel } from './WarehouseSyncPanel';

const NO_POINTS: DailyVolumePoint[] = [];

const hasFiles = (e: DragEvent): boolean => Array.from(e.dataTransfer.types).includes('Files');

/** The Data area: bring events in (demo, file import, sync), then browse events, users, accounts and imports. */
export function DataScreen() {
  const status = useApp((s) => s.status);
  const jobs = useApp((s) => s.jobs);
  const uploading = useData((s) => s.uploading);
  const importFile = useData((s) => s.importFile);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const writer = Object.values(jobs).find(isWriterJob);
  const busy = writer !== undefined || uploading !== null;

  // A file dropped anywhere else in the window must not replace the app with the file's contents.
  useEffect(() => {
    const block = (e: globalThis.DragEvent): void => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    window.addEventListener('dragover', block);
    window.addEventListener('drop', block);
    return () => {
      window.removeEventListener('dragover', block);
      window.removeEventListener('drop', block);
    };
  }, []);

  const dropHandlers = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      dragDepth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = busy ? 'none' : 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      const file = e.dataTransfer.files[0];
      if (!file) return;
      if (busy) toast('info', `Wait for “${writer?.title ?? 'the upload'}” to finish, then drop the file again.`);
      else void importFile(file);
    },
  };

  if (!status) return <p className="muted pad">Opening the cache…</p>;
  const isEmpty = status.users === 0;

  return (
    <div className="data-area" {...dropHandlers} data-testid="data-area">
      {isEmpty ? <EmptyData busy={busy} /> : <PopulatedData busy={busy} busyTitle={writer?.title ?? null} />}
      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          <div>
            <strong>{busy ? 'Another job is running' : 'Drop to import events'}</strong>
            <span>{busy ? 'Wait for it to finish, then drop the file again.' : 'NDJSON, a JSON array or CSV in the Segment spec'}</span>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function EmptyData({ busy }: { busy: boolean }) {
  const jobs = useApp((s) => s.jobs);
  const [showSync, setShowSync] = useState(false);
  const demoJob = Object.values(jobs).find((j) => j.kind === 'demo' && j.state === 'running');

  const openDemo = async (): Promise<void> => {
    try {
      await api.startDemo({});
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };

  return (
    <div className="empty-stack">
      <EmptyState
        title="Bring your product's events in"
        help="Guidepost works offline from a local copy of your events: open the demo (a product with 50,000 users and 90 days of behavior), or import a Segment-spec file (NDJSON, a JSON array or CSV) or drop one anywhere here."
        action={{ label: demoJob ? 'Generating the demo…' : 'Open the demo workspace', onClick: () => void openDemo(), disabled: busy }}
        secondary={
          <>
            <button type="button" onClick={pickImportFile} disabled={busy}>
              Import events
            </button>
            <button type="button" onClick={() => setShowSync(!showSync)} aria-expanded={showSync} aria-controls="empty-sync">
              Connect a source
            </button>
          </>
        }
      >
        {demoJob ? (
          <div className="inline-progress" aria-live="polite">
            <progress max={demoJob.progress.total ?? undefined} value={demoJob.progress.done} aria-label="Demo generation progress" />
            <span className="muted">
              {formatNumber(demoJob.progress.done)} of {formatNumber(demoJob.progress.total ?? 0)} users
            </span>
          </div>
        ) : null}
      </EmptyState>
      <DataActivity />
      <ImportReportPanel />
      {showSync ? (
        <div id="empty-sync">
          <SyncPanel autoFocus />
          <WarehouseSyncPanel />
        </div>
      ) : null}
    </div>
  );
}

function PopulatedData({ busy, busyTitle }: { busy: boolean; busyTitle: string | null }) {
  const status = useApp((s) => s.status);
  const dataVersion = useApp((s) => s.dataVersion);
  const tab = useData((s) => s.tab);
  const setTab = useData((s) => s.setTab);
  const dataAsOf = status?.dataAsOf ?? null;
  const events = useApiQuery(() => Promise.all([api.listEventCatalog({}), api.getDailyVolume({ days: VOLUME_DAYS })]), [dataVersion, dataAsOf], {
    keep: true,
  });
  const catalog = events.data?.[0] ?? null;
  const volume = events.data?.[1] ?? NO_POINTS;
  const error = events.error;

  if (!status) return null;
  const tabs: TabItem<DataTab>[] = [
    { id: 'events', label: 'Events', badge: catalog ? formatNumber(catalog.length) : undefined },
    { id: 'users', label: 'Users', badge: formatNumber(status.users) },
    { id: 'accounts', label: 'Accounts' },
    { id: 'imports', label: 'Imports' },
  ];
  const busyHint = busyTitle ? `Wait for “${busyTitle}” to finish` : undefined;

  return (
    <div className="screen">
      <ScreenHeader
        title="Data"
        subtitle={
          <>
            {formatNumber(status.users)} users · {formatNumber(status.events)} events
            {status.dataAsOf !== null ? ` · data as of ${formatDateTime(status.dataAsOf)}` : ''}
          </>
        }
        actions={
          <>
            <button
              type="button"
              className="ghost"
              onClick={() => {
                setTab('imports');
                focusLater('[data-sync-source]');
              }}
            >
              Connect a source
            </button>
            <button type="button" className="primary" onClick={pickImportFile} disabled={busy} title={busyHint ?? 'Import a file of events (or drop one here)'}>
              Import events
            </button>
          </>
        }
      />
      <DataActivity />
      <ImportReportPanel />
      <Tabs items={tabs} value={tab} onChange={setTab} label="Data views" idBase="data" />
      <TabPanel idBase="data" tab={tab}>
        {tab === 'events' ? (
          <>
            <ErrorNote error={error} banner />
            <VolumeChart points={volume} asOf={dataAsOf} />
            <EventCatalog catalog={catalog} />
          </>
        ) : null}
        {tab === 'users' ? <UsersPanel /> : null}
        {tab === 'accounts' ? <AccountsPanel /> : null}
        {tab === 'imports' ? (
          <>
            <RecentImports />
            <SyncPanel />
            <WarehouseSyncPanel />
          </>
        ) : null}
      </TabPanel>
    </div>
  );
}
