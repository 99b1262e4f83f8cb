/**
 * The message's own language in the publish body (issue 18): sent whenever the author gave one, with or
 * without translations, so the SDK renders a message written in Arabic alone right to left; a message
 * without a language of its own keeps the body it always had.
 */
import { describe, expect, it } from 'vitest';
import { buildPublishBody, contentOf } from '../../src/main/messages/publish-body';
import { publishSchema } from '../../src/delivery/schemas';
import { localize } from '../../src/sdk/kinds';
import type { Rule } from '../../src/shared/segments/rule';
import { modalDraft } from './messages-helpers';

const RULE: Rule = { version: 1, match: 'all', conditions: [] };
const ARABIC = { title: 'لقد بلغت حد المشاريع', body: 'رقِّ إلى **النمو**.', cta: { label: 'ترقية', url: 'https://taskly.example/upgrade' } };

describe('the locale of the publish body', () => {
  it('is the message’s own language even without translations, and the SDK then shows it right to left', () => {
    const draft = modalDraft({ defaultLocale: 'ar', modal: { ...modalDraft().modal!, ...ARABIC } });
    const content = contentOf(draft);
    expect(content.locale).toBe('ar');
    expect(content).not.toHaveProperty('translations');
    const body = buildPublishBody(draft, RULE, 1);
    expect(publishSchema.safeParse(body).success).toBe(true);
    // Whatever the visitor's browser asks for, the one language there is, right to left.
    for (const wanted of ['en-US', 'ar', 'fr']) {
      expect(localize({ id: 'm', kind: 'modal', content }, wanted)).toMatchObject({ locale: 'ar', rtl: true });
    }
  });

  it('goes with the translations, the default "en" when none was named', () => {
    const content = contentOf(modalDraft({ translations: { fr: { title: 'Bonjour' } } }));
    expect(content).toMatchObject({ locale: 'en', translations: { fr: { title: 'Bonjour' } } });
    expect(localize({ id: 'm', kind: 'modal', content }, 'fr')).toMatchObject({ locale: 'fr', rtl: false });
  });

  it('is left out of a message with neither (its body stays what it was: the SDK core draws it)', () => {
    const content = contentOf(modalDraft());
    expect(content).not.toHaveProperty('locale');
    expect(content).not.toHaveProperty('translations');
    expect(contentOf(modalDraft({ translations: {} }))).not.toHaveProperty('locale');
  });
});
