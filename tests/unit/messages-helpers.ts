/** Helpers for the messages tests: a cache with a segment and a backend whose outbox runs only when asked. */
import { createBackend, type ApiDeps, type Backend } from '../../src/main/api';
import type { Db } from '../../src/main/db/connection';
import { memorySecrets } from '../../src/main/messages/secrets';
import type { MessageDraft, MessageRecord, OutboxItem } from '../../src/shared/messages/model';
import type { Rule } from '../../src/shared/segments/rule';
import type { Persona } from '../../src/shared/workshop/model';

export const STAGING_TOKEN = 'staging-token';

export interface TestBackend extends Backend {
  db: Db;
  events: OutboxItem[];
  clock: { now: number };
}

export function testBackend(cache: { db: Db; path: string }, extra: Partial<ApiDeps> = {}, start = Date.UTC(2026, 5, 1, 9)): TestBackend {
  const clock = { now: start };
  const events: OutboxItem[] = [];
  const backend = createBackend({
    db: cache.db,
    path: cache.path,
    clock: () => clock.now,
    emit: (name, payload) => {
      if (name === 'outbox') events.push(payload as OutboxItem);
    },
    secrets: memorySecrets({ env: {} }),
    ...extra,
    outbox: { autoStart: false, random: () => 1, baseDelayMs: 1000, ...extra.outbox },
  });
  return { ...backend, db: cache.db, events, clock };
}

export function modalDraft(overrides: Partial<MessageDraft> = {}): MessageDraft {
  return {
    id: 'upsell-1',
    name: 'Upsell: project limit',
    kind: 'modal',
    modal: {
      title: 'You hit the project limit',
      body: 'Upgrade to **Growth** for unlimited projects.',
      cta: { label: 'Upgrade', url: 'https://taskly.example/upgrade' },
      dismissLabel: 'Not now',
    },
    target: { type: 'segment', segmentId: 'seg_starter' },
    trigger: { event: { name: 'usage_limit_hit' } },
    frequency: { once: true },
    schedule: {},
    rollout: 100,
    priority: 0,
    environment: 'staging',
    archived: false,
    ...overrides,
  };
}

export async function withSegment(backend: Backend, id = 'seg_starter', name = 'Starter plan'): Promise<void> {
  await backend.handlers.saveSegment({
    id,
    name,
    rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }] },
  });
}

/** A persona that is just its (hand-edited) rule, for tests that target or label by persona. */
export function rulePersona(id: string, name: string, rule: Rule): Persona {
  return {
    id,
    name,
    description: '',
    actions: ['report_run'],
    jobs: [],
    frequency: 'week',
    threshold: 1,
    windowDays: 30,
    include: [],
    exclude: [],
    rule,
    ruleEdited: true,
    segmentId: null,
  };
}

/** The backtest tests' NPS survey on login, for everyone (segment seg_all), once, with a 12-hour cooldown, at the lowest priority. */
export const LOGIN_NPS: MessageDraft = {
  ...modalDraft({ id: 'live-nps', name: 'NPS', target: { type: 'segment', segmentId: 'seg_all' }, trigger: { event: { name: 'login' } } }),
  kind: 'nps',
  modal: undefined,
  nps: { question: 'How likely?', lowLabel: 'No', highLabel: 'Yes', followUp: { promoter: '', passive: '', detractor: '' }, thankYou: 'Thanks' },
  frequency: { once: true },
  cooldownHours: 12,
  priority: 0,
  environment: 'production',
};

/** A draft as MessageService.list reports it once published (version 1) with this body. */
export function liveRecord(draft: MessageDraft, body: Record<string, unknown>): MessageRecord {
  return { message: draft, status: 'live', publishedVersion: 1, publishedBody: body, targetName: null, targetWarning: null, outbox: [], createdAt: 0, updatedAt: 0 };
}
