/**
 * The one API contract between the renderer and the backend, merged from one table per domain
 * (./data, ./demo, ./ingest, ./segments, ./workshops, ./messages, ./jobs).
 *
 * `methods` maps each method name to the zod schema of its single argument and (as a phantom type)
 * its result. `events` lists what the backend pushes. The Electron IPC binding, the preload,
 * the loopback HTTP bridge and the CLI are all derived from these two tables, so adding a feature
 * means adding a row to its domain's table, implementing it in that domain's src/main/<domain>/handlers.ts
 * and calling it from the renderer.
 */
import type { z } from 'zod';
import type { Envelope } from '../errors';
import type { CacheStatus, JobInfo, OpenRequest } from '../types';
import type { OutboxItem } from '../messages/model';
import { combineMethods } from './combine';
import { dataMethods } from './data';
import { demoMethods } from './demo';
import { ingestMethods } from './ingest';
import { jobMethods } from './jobs';
import { messageMethods } from './messages';
import type { HandlersFor, OutputOf } from './method';
import { segmentMethods } from './segments';
import { workshopMethods } from './workshops';

export type { MethodSpec } from './method';

/** Every domain's methods; a name two domains define is refused (by the type checker, and at load). */
export const methods = combineMethods(dataMethods, demoMethods, ingestMethods, segmentMethods, workshopMethods, messageMethods, jobMethods);

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<K extends MethodName> = z.input<Methods[K]['input']>;
export type MethodArg<K extends MethodName> = z.output<Methods[K]['input']>;
export type MethodOutput<K extends MethodName> = OutputOf<Methods[K]>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** What the renderer calls: one async function per method. */
export type Api = { [K in MethodName]: (arg: MethodInput<K>) => Promise<MethodOutput<K>> };

/** What the backend implements: receives the validated argument. */
export type Handlers = HandlersFor<Methods>;

/** Events the backend pushes, by name. */
export interface Events {
  /** A background job started, moved, or ended. */
  job: JobInfo;
  /** The cache's contents or status changed (after a job, or a setting). */
  cacheChanged: CacheStatus;
  /** An outbox item was queued, sent, published, failed or hit a conflict. */
  outbox: OutboxItem;
  /** The desktop app was asked to open something (a guidepost:// link, a .guidepost bundle). */
  open: OpenRequest;
}
export type EventName = keyof Events;
export const eventNames: readonly EventName[] = ['job', 'cacheChanged', 'outbox', 'open'];

export interface PushedEvent<K extends EventName = EventName> {
  name: K;
  payload: Events[K];
}

/** Channel names are derived here and nowhere else. */
export const ipcChannels = {
  method: (name: MethodName) => `guidepost:call:${name}`,
  event: 'guidepost:event',
  /** Not a contract method: the desktop window's "Show in folder" for an exported file (src/main/electron). */
  showInFolder: 'guidepost:show-in-folder',
} as const;

/** The same methods, answering with the transport envelope rather than throwing. */
export type EnvelopeApi = { [K in MethodName]: (arg: MethodInput<K>) => Promise<Envelope<MethodOutput<K>>> };

/** Window API exposed by the preload: the methods plus an event subscription. */
export type WindowApi = EnvelopeApi & {
  onEvent(listener: (event: PushedEvent) => void): () => void;
  /** The path on disk of a file the user picked or dropped (Electron's webUtils), for startImport. */
  pathForFile(file: File): string;
  /** Shows an exported file in the system's file manager; refused for any path outside the exports folder. */
  showInFolder(path: string): Promise<Envelope<null>>;
};
