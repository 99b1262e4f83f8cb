/**
 * Issue 18: drafts written before surveys, banners, slideouts and translations existed keep working.
 * A modal and an NPS draft stored in the previous version's shape (no survey, banner, slideout,
 * defaultLocale or translations) are put in the cache as that version stored them, then loaded,
 * validated by the editor, saved again and published: the publish body is byte for byte the one the
 * previous version built. The expected bodies below were printed by the previous publish-body.ts
 * (commit f16f09b) for these very drafts; they are literals so any change to the wire shows here.
 */
import { describe, expect, it } from 'vitest';
import { buildPublishBody } from '../../src/main/messages/publish-body';
import { validate } from '../../src/renderer/src/screens/messages/model';
import { messageSchema } from '../../src/shared/messages/model';
import type { Rule } from '../../src/shared/segments/rule';
import { useTempCache } from './helpers';
import { testBackend, withSegment } from './messages-helpers';

const tempCache = useTempCache();

const RULE: Rule = { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }] };

/** The previous version's documents, as JSON text (a modal that also kept NPS content from a kind switch). */
const LEGACY_MODAL =
  '{"id":"upsell-legacy","name":"Upsell: project limit","kind":"modal","modal":{"title":"You hit the project limit","body":"Upgrade to **Growth** for unlimited projects.","imageUrl":"https://taskly.example/growth.png","imageAlt":"The Growth plan","cta":{"label":"Upgrade","url":"https://taskly.example/upgrade","newTab":true},"dismissLabel":"Not now"},"nps":{"question":"Kept from an earlier switch","lowLabel":"No","highLabel":"Yes","followUp":{"promoter":"","passive":"","detractor":""},"thankYou":"Thanks"},"target":{"type":"segment","segmentId":"seg_starter"},"trigger":{"page":"https://app.taskly.example/projects/*","event":{"name":"usage_limit_hit","where":[{"property":"limit","op":"eq","value":"projects"}]},"delaySeconds":2},"frequency":{"everyDays":7,"maxTimes":3},"cooldownHours":24,"schedule":{"start":"2026-07-01T09:00:00Z","end":"2026-08-01T09:00:00Z"},"rollout":50,"priority":3,"environment":"staging","archived":false}';
const LEGACY_NPS =
  '{"id":"nps-legacy","name":"NPS: quarterly","kind":"nps","nps":{"question":"How likely are you to recommend Taskly to a colleague?","lowLabel":"Not at all likely","highLabel":"Extremely likely","followUp":{"promoter":"What do you like most?","passive":"What would make it a 10?","detractor":"What should we fix first?"},"thankYou":"Thank you!"},"target":{"type":"segment","segmentId":"seg_starter"},"trigger":{"page":"*","delaySeconds":5},"frequency":{"once":true},"schedule":{},"rollout":100,"priority":0,"environment":"staging","archived":false}';

/** What the previous version's buildPublishBody printed for them (modal at version 4, NPS at version 1). */
const MODAL_BODY_V4 =
  '{"kind":"modal","content":{"title":"You hit the project limit","body":"Upgrade to **Growth** for unlimited projects.","imageUrl":"https://taskly.example/growth.png","imageAlt":"The Growth plan","cta":{"label":"Upgrade","url":"https://taskly.example/upgrade","newTab":true},"dismissLabel":"Not now"},"rule":{"version":1,"match":"all","conditions":[{"type":"trait","trait":"plan","op":"eq","value":"starter"}]},"trigger":{"page":"https://app.taskly.example/projects/*","event":{"name":"usage_limit_hit","where":[{"property":"limit","op":"eq","value":"projects"}]},"delaySeconds":2},"frequency":{"everyDays":7,"maxTimes":3},"cooldownHours":24,"schedule":{"start":"2026-07-01T09:00:00Z","end":"2026-08-01T09:00:00Z"},"rollout":50,"priority":3,"environment":"staging","version":4}';
const NPS_BODY_V1 =
  '{"kind":"nps","content":{"question":"How likely are you to recommend Taskly to a colleague?","lowLabel":"Not at all likely","highLabel":"Extremely likely","followUp":{"promoter":"What do you like most?","passive":"What would make it a 10?","detractor":"What should we fix first?"},"thankYou":"Thank you!"},"rule":{"version":1,"match":"all","conditions":[{"type":"trait","trait":"plan","op":"eq","value":"starter"}]},"trigger":{"page":"*","delaySeconds":5},"frequency":{"once":true},"schedule":{},"rollout":100,"priority":0,"environment":"staging","version":1}';

describe('drafts saved by the previous version', () => {
  it('parse unchanged: no field is added, none is dropped', () => {
    for (const text of [LEGACY_MODAL, LEGACY_NPS]) {
      const parsed = messageSchema.parse(JSON.parse(text));
      expect(JSON.stringify(parsed)).toBe(text);
      expect(validate(parsed)).toEqual({});
    }
  });

  it('build the very publish body the previous version built', () => {
    expect(JSON.stringify(buildPublishBody(messageSchema.parse(JSON.parse(LEGACY_MODAL)), RULE, 4))).toBe(MODAL_BODY_V4);
    expect(JSON.stringify(buildPublishBody(messageSchema.parse(JSON.parse(LEGACY_NPS)), RULE, 1))).toBe(NPS_BODY_V1);
  });

  it('load from the cache as that version stored them, save again, and queue the same body to publish', async () => {
    const b = testBackend(tempCache());
    await withSegment(b);
    const insert = b.db.prepare(
      `INSERT INTO messages (id, name, kind, archived, document, target_name, created_at, updated_at) VALUES (?, ?, ?, 0, ?, 'Starter plan', 1, 1)`,
    );
    for (const text of [LEGACY_MODAL, LEGACY_NPS]) {
      const doc = JSON.parse(text) as { id: string; name: string; kind: string };
      insert.run(doc.id, doc.name, doc.kind, text);
    }
    await b.handlers.setEnvironment({ environment: 'staging', url: 'http://127.0.0.1:9', token: 'staging-token' });
    const bodies: Record<string, string> = {};
    for (const text of [LEGACY_MODAL, LEGACY_NPS]) {
      const id = (JSON.parse(text) as { id: string }).id;
      const loaded = await b.handlers.getMessage({ id });
      expect(JSON.stringify(loaded.message)).toBe(text);
      expect(validate(loaded.message)).toEqual({});
      const saved = await b.handlers.saveMessage({ message: loaded.message });
      expect(JSON.stringify(saved.message)).toBe(text);
      expect(b.db.prepare<[string], string>('SELECT document FROM messages WHERE id = ?').pluck().get(id)).toBe(text);
      await b.handlers.publishMessage({ id });
      bodies[id] = b.db.prepare<[string], string>(`SELECT body FROM message_outbox WHERE message_id = ? AND op = 'publish'`).pluck().get(id) as string;
    }
    // First publish: version 1 where the literal above says 4.
    expect(bodies['upsell-legacy']).toBe(MODAL_BODY_V4.replace('"version":4}', '"version":1}'));
    expect(bodies['nps-legacy']).toBe(NPS_BODY_V1);
  });
});
