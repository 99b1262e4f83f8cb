/**
 * The backend: implements every method of the contract against one open cache.
 * The Electron IPC binding, the browser-mode bridge (both through the database worker) and the CLI
 * all serve this one object.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Events, Handlers } from '../shared/contract';
import { ApiError } from '../shared/errors';
import type { CacheStatus, DataAsOfSource, JobInfo } from '../shared/types';
import type { Db } from './db/connection';
import { createEventsRepo } from './db/events-repo';
import { createKvRepo } from './db/kv';
import { listUsers, userTimeline } from './db/users-repo';
import { DAY_MS } from './db/rollup';
import { generateDemo, hasDemo } from './demo/generate';
import { importFile, type ImportOptions } from './ingest/import-file';
import { getReport, listReports } from './ingest/reports';
import { syncFromSource } from './ingest/sync';
import { requireRule, SegmentService } from './segments/service';
import { JobRunner } from './jobs';
import { memorySecrets, type SecretStore } from './messages/secrets';
import { createMessageHandlers, MessageService } from './messages/service';
import type { ExportFormat } from './workshops/export';
import { slugOf } from './workshops/export/text';
import { WorkshopService } from './workshops/service';
import { computeUsage, thresholdSize } from './workshops/usage';

export interface ApiDeps {
  db: Db;
  path: string;
  clock?: () => number;
  /** The import's parser thread script (out/main/parse-worker.js); without it imports parse inline. */
  parserScript?: URL;
  /** Pushes an event to whoever listens (the window, the browser, nobody in the CLI). */
  emit?: <K extends keyof Events>(name: K, payload: Events[K]) => void;
  /** Delivery tokens per environment (default: in memory, seeded from GUIDEPOST_STAGING_TOKEN / GUIDEPOST_PRODUCTION_TOKEN). */
  secrets?: SecretStore;
  /** The outbox sender: its HTTP client, jitter and backoff, and whether its timer loop runs (default true). */
  outbox?: { autoStart?: boolean; fetch?: typeof fetch; random?: () => number; baseDelayMs?: number; maxDelayMs?: number };
}

export interface Backend {
  handlers: Handlers;
  jobs: JobRunner;
  /** Messages and their outbox (the CLI publishes through it directly). */
  messages: MessageService;
  /** A workshop's export written into any folder: for the CLI's --out, never reachable from a window. */
  exportWorkshopTo(id: string, format: ExportFormat, outDir: string): Promise<string[]>;
  /** Stops background work (the outbox sender); the caller closes the database afterwards. */
  close(): void;
}

function sizeOf(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // A missing WAL file simply adds nothing.
    }
  }
  return total;
}

export function createBackend(deps: ApiDeps): Backend {
  const { db, path } = deps;
  const clock = deps.clock ?? Date.now;
  const emit = deps.emit ?? (() => undefined);
  const kv = createKvRepo(db);
  const events = createEventsRepo(db);
  const schemaVersion = (): number => Number(db.pragma('user_version', { simple: true }));

  const status = (): CacheStatus => {
    const manual = kv.get('data_as_of_manual');
    const recorded = kv.get('data_as_of');
    const dataAsOf = manual !== undefined ? Number(manual) : recorded !== undefined ? Number(recorded) : null;
    const source = manual !== undefined ? 'manual' : ((kv.get('data_as_of_source') as DataAsOfSource | undefined) ?? null);
    return {
      path,
      sizeBytes: sizeOf(path),
      users: events.countUsers(),
      events: events.countEvents(),
      schemaVersion: schemaVersion(),
      dataAsOf,
      dataAsOfSource: dataAsOf === null ? null : source,
      hasDemo: hasDemo(db),
    };
  };

  const jobs = new JobRunner({
    clock,
    onUpdate: (job: JobInfo) => {
      emit('job', job);
      if (job.state !== 'running') emit('cacheChanged', status());
    },
  });

  /**
   * The cache has one connection, and a writing job holds its transaction across awaits: one writer
   * at a time, and settings wait too, so nothing lands inside (or is rolled back with) another's work.
   */
  const assertNoWriter = (action: string): void => {
    const writer = jobs.running(['demo', 'import', 'sync']);
    if (writer) throw new ApiError('conflict', `Cannot ${action} while “${writer.title}” is running; wait for it or cancel it.`);
  };

  const runDemo = (onProgress?: (done: number, total: number) => void, checkpoint?: () => Promise<void>) =>
    generateDemo(db, {
      now: clock(),
      onProgress: (p) => onProgress?.(p.users, p.totalUsers),
      ...(checkpoint ? { yieldBetweenChunks: checkpoint } : {}),
    });

  /**
   * After a writing job, the segment engine's derived data is brought up to date on the next turn of
   * the event loop: once the job has reported, before the user reaches a figure that would pay for it.
   */
  const warmAfterWrite = (): void => {
    setImmediate(() => {
      // Best effort: a one-shot CLI command has closed the cache by now, and a failure only means the
      // next count brings the summary up to date itself.
      if (!db.open) return;
      try {
        segments.warmDerived();
      } catch {
        // The next count refreshes (or reads the events alone); nothing is lost.
      }
    });
  };

  const runImport = (path: string, options: ImportOptions) =>
    importFile(db, path, { clock, ...(deps.parserScript ? { parserScript: deps.parserScript } : {}), ...options });
  const importMessage = (s: { imported: number; duplicates: number; rejected: number; state: string }): string =>
    `${s.state === 'cancelled' ? 'Import cancelled; kept' : 'Imported'} ${s.imported.toLocaleString('en-US')} records` +
    ` (${s.duplicates.toLocaleString('en-US')} duplicates, ${s.rejected.toLocaleString('en-US')} rejected).`;

  // The sync token lives in memory only (or comes from the environment): it is never written to the cache.
  let syncToken: string | null = process.env.GUIDEPOST_SYNC_TOKEN ?? null;
  const syncState = () => {
    const lastSync = kv.get('last_sync_at');
    return {
      source: kv.get('sync_source') ?? null,
      lastSyncAt: lastSync === undefined ? null : Number(lastSync),
      cursor: kv.get('sync_cursor') ?? null,
      hasToken: syncToken !== null,
    };
  };

  const segments = new SegmentService(db, clock);
  /** The default asOf of every time-relative figure: the cache's "data as of", else now. */
  const defaultAsOf = (asOf: number | undefined): number => asOf ?? status().dataAsOf ?? clock();

  const workshops = new WorkshopService(db, clock, segments);
  /** A workshop's step-3 instant: its own asOf, else the cache's. */
  const workshopAsOf = (stored: number | null, asked?: number): number => asked ?? stored ?? defaultAsOf(undefined);
  const messageDeps = {
    db,
    clock,
    segments,
    workshops,
    secrets: deps.secrets ?? memorySecrets(),
    emit: (item: Events['outbox']) => emit('outbox', item),
    asOf: () => defaultAsOf(undefined),
    busy: () => jobs.running(['demo', 'import', 'sync']) !== undefined,
    ...(deps.outbox?.fetch ? { fetch: deps.outbox.fetch } : {}),
    ...(deps.outbox?.random ? { random: deps.outbox.random } : {}),
    ...(deps.outbox?.baseDelayMs !== undefined ? { baseDelayMs: deps.outbox.baseDelayMs } : {}),
    ...(deps.outbox?.maxDelayMs !== undefined ? { maxDelayMs: deps.outbox.maxDelayMs } : {}),
  };
  const messages = new MessageService(messageDeps);
  if (deps.outbox?.autoStart !== false) messages.sender.start();
  /** A folder under exports/ named after the title, by the same slug the exported files are named with. */
  const exportsDir = (title: string): string => join(dirname(path), 'exports', slugOf(title));

  const exportWorkshopTo = async (id: string, format: ExportFormat, outDir: string): Promise<string[]> => {
    const workshop = workshops.get(id);
    // The bundle carries no figures: it needs nothing from the events, so it exports even if they cannot be read.
    const usage = workshop.template === 'personas' && format !== 'bundle' ? computeUsage(db, segments, workshop, workshopAsOf(workshop.asOf)) : null;
    // Loaded on first use: the PDF library costs every other command (and the import's memory) ~17 MB and ~0.1 s.
    const { exportWorkshop } = await import('./workshops/export');
    return exportWorkshop({ workshop, usage, bundle: () => workshops.bundle(id) }, format, outDir);
  };

  const handlers: Handlers = {
    getStatus: () => status(),
    setDataAsOf: ({ asOf }) => {
      assertNoWriter('change “data as of”');
      if (asOf === null) kv.delete('data_as_of_manual');
      else kv.set('data_as_of_manual', String(asOf));
      const next = status();
      emit('cacheChanged', next);
      return next;
    },
    listEventCatalog: () => events.catalog(),
    getDailyVolume: ({ days }) => {
      const asOf = status().dataAsOf ?? events.newestEventTs();
      if (asOf === null) return [];
      const toDay = Math.floor((asOf - 1) / DAY_MS);
      return events.dailyVolume(toDay - (days ?? 90) + 1, toDay);
    },
    listUsers: ({ search, limit, offset }) => listUsers(db, search, limit ?? 50, offset ?? 0),
    getUserTimeline: ({ userId, limit }) => {
      const timeline = userTimeline(db, userId, limit ?? 200);
      if (!timeline) throw new ApiError('not_found', `No user “${userId}” in the cache.`);
      return timeline;
    },
    startDemo: () => {
      assertNoWriter('generate the demo workspace');
      const { jobId } = jobs.start('demo', 'Generating the demo workspace', 'users', async (ctx) => {
        const result = await runDemo(ctx.progress, ctx.checkpoint);
        warmAfterWrite();
        return result.created
          ? `Demo workspace ready: ${result.users.toLocaleString('en-US')} users, ${result.events.toLocaleString('en-US')} events.`
          : 'The demo workspace was already there; nothing changed.';
      });
      return { jobId };
    },
    startImport: ({ path: file, format }) => {
      assertNoWriter('start an import');
      const { jobId } = jobs.start('import', `Importing ${basename(file)}`, 'bytes', async (ctx) => {
        const summary = await runImport(file, {
          ...(format ? { format } : {}),
          onProgress: (p) => ctx.progress(p.bytes, p.totalBytes, p.records),
          checkpoint: ctx.checkpoint,
        });
        warmAfterWrite();
        ctx.setResult({ reportId: summary.reportId });
        if (summary.state === 'cancelled') throw new ApiError('cancelled', importMessage(summary));
        return importMessage(summary);
      });
      return { jobId };
    },
    listImportReports: ({ limit }) => listReports(db, limit ?? 20),
    getImportReport: ({ id }) => {
      const report = getReport(db, id);
      if (!report) throw new ApiError('not_found', `No import report ${id}.`);
      return report;
    },
    startSync: ({ source, token }) => {
      assertNoWriter('start a sync');
      const from = source ?? kv.get('sync_source');
      if (!from) throw new ApiError('invalid_argument', 'Name the source to sync from: the delivery server URL.');
      if (token !== undefined) syncToken = token;
      if (syncToken === null) throw new ApiError('invalid_argument', 'A token for the source is needed.');
      const bearer = syncToken;
      // Remember the source at once, so "Sync now" is offered even when the first attempt finds us offline.
      // Another source starts from its own beginning: a cursor means nothing to a different server.
      if (kv.get('sync_source') !== from) {
        kv.delete('sync_cursor');
        kv.set('sync_source', from);
      }
      const { jobId } = jobs.start('sync', `Syncing from ${new URL(from).host}`, 'pages', async (ctx) => {
        const linkReport = (): void => {
          const [latest] = listReports(db, 1);
          if (latest) ctx.setResult({ reportId: latest.id });
        };
        let summary;
        try {
          summary = await syncFromSource(db, {
            source: from,
            token: bearer,
            clock,
            signal: ctx.signal,
            checkpoint: ctx.checkpoint,
            onPage: (s) => ctx.progress(s.pages, null, s.fetched),
          });
        } catch (err) {
          linkReport();
          warmAfterWrite();
          throw err;
        }
        linkReport();
        warmAfterWrite();
        return (
          `Synced ${summary.fetched.toLocaleString('en-US')} records in ${summary.pages} pages: ` +
          `${summary.imported.toLocaleString('en-US')} new, ${summary.duplicates.toLocaleString('en-US')} duplicates, ${summary.rejected.toLocaleString('en-US')} rejected.`
        );
      });
      return { jobId };
    },
    getSyncState: () => syncState(),
    previewSegment: ({ rule, asOf, sample }) => segments.preview(requireRule(rule), defaultAsOf(asOf), sample ?? 8),
    segmentMembers: ({ rule, segmentId, asOf, limit }) => {
      const at = defaultAsOf(asOf);
      const resolved = segmentId !== undefined ? segments.get(segmentId).rule : requireRule(rule);
      const members = segments.memberIds(resolved, at, limit);
      return { members, count: limit === undefined ? members.length : segments.count(resolved, at), total: segments.total(at), asOf: at };
    },
    segmentTrend: ({ rule, asOf, weeks }) => segments.trend(requireRule(rule), defaultAsOf(asOf), weeks ?? 12),
    compareSegments: ({ segmentIds, goalEvent, asOf, windowDays, weeks }) =>
      segments.compare(
        segmentIds.map((id) => {
          const saved = segments.get(id);
          return { label: saved.name, rule: saved.rule };
        }),
        goalEvent,
        defaultAsOf(asOf),
        windowDays ?? 30,
        weeks ?? 8,
      ),
    listSegments: () => segments.list(),
    getSegment: ({ id }) => segments.get(id),
    saveSegment: (input) => segments.save(input),
    duplicateSegment: ({ id }) => segments.duplicate(id),
    segmentUsage: ({ id }) => ({ segments: segments.usedBy(id), personas: workshops.personasUsing(id) }),
    deleteSegment: ({ id }) => segments.delete(id),
    listWorkshops: ({ includeArchived }) => workshops.list(includeArchived ?? false),
    getWorkshop: ({ id }) => workshops.get(id),
    createWorkshop: (input) => workshops.create(input),
    saveWorkshop: ({ workshop }) => workshops.save(workshop),
    duplicateWorkshop: ({ id }) => workshops.duplicate(id),
    archiveWorkshop: ({ id, archived }) => workshops.setArchived(id, archived),
    deleteWorkshop: ({ id }) => workshops.delete(id),
    workshopUsage: ({ id, asOf }) => {
      const workshop = workshops.get(id);
      return computeUsage(db, segments, workshop, workshopAsOf(workshop.asOf, asOf));
    },
    personaThresholdSize: ({ id, personaId, threshold }) => {
      const workshop = workshops.get(id);
      return thresholdSize(db, segments, workshop, personaId, threshold, workshopAsOf(workshop.asOf));
    },
    savePersonaSegment: ({ id, personaId }) => workshops.savePersonaSegment(id, personaId),
    exportWorkshop: async ({ id, format }) => ({ files: await exportWorkshopTo(id, format, exportsDir(workshops.get(id).title)) }),
    importWorkshopBundle: ({ path: file }) => ({ id: workshops.importBundle(file).id }),
    ...createMessageHandlers(messages, messageDeps),
    cancelJob: ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    listJobs: () => jobs.list(),
  };
  return { handlers, jobs, messages, exportWorkshopTo, close: () => messages.sender.stop() };
}
