/**
 * The backend: one open cache, its shared infrastructure (the job runner, the writer lock, the domain
 * services), and every domain's handlers combined into the contract's. Each domain answers its part of
 * the contract in src/main/<domain>/handlers.ts; this module only builds what they share and merges
 * them, refusing a method two domains both define. The Electron IPC binding, the browser-mode bridge
 * (both through the database worker) and the CLI all serve the one object it returns.
 */
import type { Events, Handlers } from '../shared/contract';
import { combineMethods } from '../shared/contract/combine';
import type { JobInfo } from '../shared/types';
import { createDataHandlers } from './data/handlers';
import { createCacheStatus } from './data/status';
import type { Db } from './db/connection';
import { hasDemo } from './demo/generate';
import { createDemoHandlers } from './demo/handlers';
import { createIngestHandlers } from './ingest/handlers';
import { createJobHandlers } from './jobs/handlers';
import { JobRunner } from './jobs/runner';
import { writerLock } from './jobs/writers';
import { createMessageHandlers } from './messages/handlers';
import { liftInWords, messageLift } from './messages/lift';
import { memorySecrets, type SecretStore } from './messages/secrets';
import { MessageService } from './messages/service';
import { exportsFolderFor } from './paths';
import { createSegmentHandlers } from './segments/handlers';
import { SegmentService } from './segments/service';
import type { ExportFormat } from './workshops/export';
import { createWorkshopHandlers, writeWorkshopExport, type WorkshopDeps } from './workshops/handlers';
import { WorkshopService } from './workshops/service';

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
  /** PostgreSQL warehouse passwords the app's vault decrypted (host:port/database → password); memory only. */
  warehousePasswords?: Record<string, string>;
  /** The outbox sender: its HTTP client, jitter and backoff, and whether its timer loop runs (default true). */
  outbox?: { autoStart?: boolean; fetch?: typeof fetch; random?: () => number; baseDelayMs?: number; maxDelayMs?: number };
}

export interface Backend {
  handlers: Handlers;
  jobs: JobRunner;
  /** The outbox sender, for tests that drive deliveries by hand (everything else goes through the handlers). */
  messages: Pick<MessageService, 'sender'>;
  /**
   * A workshop's export written into any folder: for the CLI's --out. It stays outside the contract
   * because a window that could name the folder could write files anywhere on disk.
   */
  exportWorkshopTo(id: string, format: ExportFormat, outDir: string): Promise<string[]>;
  /** Stops background work (the outbox sender); the caller closes the database afterwards. */
  close(): void;
}

export function createBackend(deps: ApiDeps): Backend {
  const { db, path } = deps;
  const clock = deps.clock ?? Date.now;
  const emit = deps.emit ?? (() => undefined);
  const cache = createCacheStatus(db, path, () => hasDemo(db));

  const jobs = new JobRunner({
    clock,
    onUpdate: (job: JobInfo) => {
      emit('job', job);
      if (job.state !== 'running') emit('cacheChanged', cache.status());
    },
  });
  const writers = writerLock(jobs);

  const segments = new SegmentService(db, clock);
  const workshops = new WorkshopService(db, clock, segments);
  /** The default asOf of every time-relative figure: the cache's "data as of", else now. */
  const defaultAsOf = (asOf?: number): number => asOf ?? cache.dataAsOf() ?? clock();
  /** After a writing job, the segment engine's derived data catches up before a figure needs it. */
  const afterWrite = (): void => segments.warmSoon();

  const messageDeps = {
    db,
    clock,
    segments,
    workshops,
    secrets: deps.secrets ?? memorySecrets(),
    emit: (item: Events['outbox']) => emit('outbox', item),
    asOf: () => defaultAsOf(),
    busy: writers.busy,
    ...(deps.outbox?.fetch ? { fetch: deps.outbox.fetch } : {}),
    ...(deps.outbox?.random ? { random: deps.outbox.random } : {}),
    ...(deps.outbox?.baseDelayMs !== undefined ? { baseDelayMs: deps.outbox.baseDelayMs } : {}),
    ...(deps.outbox?.maxDelayMs !== undefined ? { maxDelayMs: deps.outbox.maxDelayMs } : {}),
  };
  const messages = new MessageService(messageDeps);
  if (deps.outbox?.autoStart !== false) messages.sender.start();
  const workshopDeps: WorkshopDeps = { db, workshops, segments, exportsRoot: exportsFolderFor(path), defaultAsOf, messages: {
      summary: (id, asOf) => messages.summary(id, asOf),
      // The lift as of the workshop export's asOf (the cache's data), in words; null without a goal.
      liftOf: (id, asOf) => {
        const draft = messages.get(id).message;
        return liftInWords(messageLift({ db, segments, workshops, asOf }, draft, { estimate: { draft, others: messages.list(false) } }));
      },
    },
  };

  const handlers: Handlers = combineMethods(
    createDataHandlers({ db, cache, writers, changed: (status) => emit('cacheChanged', status) }),
    createDemoHandlers({ db, clock, jobs, writers, afterWrite }),
    createIngestHandlers({
      db,
      clock,
      jobs,
      writers,
      afterWrite,
      ...(deps.parserScript ? { parserScript: deps.parserScript } : {}),
      ...(deps.warehousePasswords ? { warehousePasswords: deps.warehousePasswords } : {}),
    }),
    createSegmentHandlers({ segments, personasUsing: (id) => workshops.personasUsing(id), defaultAsOf }),
    createWorkshopHandlers(workshopDeps),
    createMessageHandlers(messages, { ...messageDeps, jobs }),
    createJobHandlers(jobs),
  );
  return {
    handlers,
    jobs,
    messages,
    exportWorkshopTo: (id, format, outDir) => writeWorkshopExport(workshopDeps, id, format, outDir),
    close: () => messages.sender.stop(),
  };
}
