/**
 * Issue 18 in the companion's editor: a three-question survey with a branch authored by keyboard
 * (questions removed, added, typed, reordered and branched with buttons and selects, never dragged), an
 * Arabic translation whose missing-text count falls as it is filled, the preview in Arabic drawn right
 * to left, the publish dialog's words for it, and everything kept after saving and reopening. The
 * editor with a survey open passes the axe check.
 */
import type { Locator, Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './a11y';
import { expect, openDemo, test } from './fixtures';

const NAME = 'Reports feedback';
const AR_Q1 = 'ما مدى رضاك عن التقارير؟';
const AR_Q2 = 'ما الذي خيب أملك؟';

/** Focuses a control and presses keys on it, as a keyboard user would. */
async function press(control: Locator, ...keys: string[]): Promise<void> {
  await control.focus();
  for (const key of keys) await control.page().keyboard.press(key);
}

/** Replaces a text control's text by typing. */
async function typeInto(control: Locator, text: string): Promise<void> {
  await control.focus();
  await control.page().keyboard.press('ControlOrMeta+A');
  await control.page().keyboard.type(text);
}

/** Picks an option of a closed select with the arrow keys until its value is `value`. */
async function choose(select: Locator, value: string): Promise<void> {
  await select.focus();
  const options = await select.locator('option').evaluateAll((els) => els.map((o) => (o as HTMLOptionElement).value));
  const from = options.indexOf(await select.inputValue());
  const to = options.indexOf(value);
  expect(to, `option ${value} in ${options.join(', ')}`).toBeGreaterThanOrEqual(0);
  for (let i = from; i !== to; i += to > from ? 1 : -1) await select.page().keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
  await expect(select).toHaveValue(value);
}

const question = (page: Page, id: string): Locator => page.locator(`[data-question="${id}"]`);

test('a three-question survey with a branch, by keyboard, in Arabic too, kept after reopening', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+4');
  await press(page.getByRole('button', { name: 'New survey, banner or slideout' }), 'Enter');
  await expect(page.getByRole('menu')).toBeFocused();
  await expect(page.getByRole('menuitem', { name: 'New survey' })).toHaveClass(/active/);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 3, name: 'Survey' })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Survey', exact: true })).toBeChecked();
  await typeInto(page.getByLabel('Name (only you see it)'), NAME);
  await page.getByLabel('Segment', { exact: true }).selectOption({ label: 'Starter admins at the project limit' });

  // Down to one question, then build the survey again: a choice question and an open one.
  await press(page.getByRole('button', { name: 'Remove question 3' }), 'Enter');
  await press(page.getByRole('button', { name: 'Remove question 2' }), 'Enter');
  await expect(page.locator('[data-question]')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Remove question 1' })).toBeDisabled();
  await choose(page.getByLabel('New question of type'), 'single_choice');
  await press(page.getByRole('button', { name: '+ Add question' }), 'Enter');
  await expect(page.getByLabel('Question 2 text')).toBeFocused();
  await page.keyboard.type('What disappointed you most?');
  await typeInto(page.getByLabel('Choice 1', { exact: true }), 'They are slow');
  await typeInto(page.getByLabel('Choice 2', { exact: true }), 'They miss data I need');
  await press(question(page, 'q2').getByRole('button', { name: '+ Add choice' }), 'Enter');
  await expect(page.getByTestId('issue-summary')).toContainText('survey › question 2 › choice 3 › label: give the choice');
  await typeInto(page.getByLabel('Choice 3', { exact: true }), 'They are hard to read');
  await press(question(page, 'q2').getByRole('checkbox', { name: 'Offer “other” with a free text' }), 'Space');
  await expect(page.getByLabel('Label for “other”')).toHaveValue('Other');
  await choose(page.getByLabel('New question of type'), 'open_text');
  await press(page.getByRole('button', { name: '+ Add question' }), 'Enter');
  await expect(page.getByLabel('Question 3 text')).toBeFocused();
  await page.keyboard.type('Anything else you would like to tell us?');
  await press(question(page, 'q3').getByRole('checkbox', { name: 'Optional: people may skip it' }), 'Space');

  // The branch: scores of 1-2 go to the choice question, the rest skip to the open one.
  const q1 = question(page, 'q1');
  await press(q1.getByRole('button', { name: '+ Branch on the answer' }), 'Enter');
  const branch = q1.getByRole('listitem', { name: 'Branch 1 of question 1' });
  await expect(branch.getByLabel(/If the score is at least/)).toHaveValue('1');
  await expect(branch.getByLabel('and at most (empty: any)')).toHaveValue('2');
  await expect(branch.getByLabel('go to')).toHaveValue('q2');
  await choose(q1.getByLabel('Otherwise go to'), 'q3');

  // A score outside the scale is named by its field.
  await typeInto(branch.getByLabel('and at most (empty: any)'), '9');
  await expect(branch).toContainText('question “q1” scores 1 to 5, so 9 is out of range');
  await typeInto(branch.getByLabel('and at most (empty: any)'), '2');
  await expect(branch.getByTestId('field-error')).toHaveCount(0);

  // Reordering by buttons keeps the focus on the moved question; a jump that leads back is named by its field.
  await press(question(page, 'q2').getByRole('button', { name: 'Move question 2 up' }), 'Enter');
  await expect(question(page, 'q2').getByRole('button', { name: 'Move question 1 down' })).toBeFocused();
  await expect(page.locator('[data-question]').first()).toHaveAttribute('data-question', 'q2');
  await expect(question(page, 'q1')).toContainText('question “q1” jumps back to “q2”: jumps only go forward, so a survey always ends');
  await expect(page.getByTestId('save-state')).toHaveText('Not saved: fix the fields marked below');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-question]').first()).toHaveAttribute('data-question', 'q1');
  await expect(page.getByTestId('issue-summary')).toHaveCount(0);

  // Arabic: the count of texts to translate falls as they are filled.
  await typeInto(page.getByLabel('Add a translation (language tag)'), 'arabic!');
  await page.keyboard.press('Enter');
  await expect(page.getByText('“arabic!” is not a language tag: write one such as fr, ar or pt-BR')).toBeVisible();
  await typeInto(page.getByLabel('Add a translation (language tag)'), 'ar');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab', { name: /Arabic \(ar\)/ })).toBeVisible();
  const missing = page.getByTestId('translation-missing');
  await expect(missing).toHaveText(/^12 of 12 texts not translated into Arabic \(ar\)/);
  await expect(page.getByRole('tab', { name: /Arabic \(ar\)/ })).toContainText('12 missing');
  const arQ1 = page.getByLabel('Question 1 › question — missing');
  await expect(arQ1).toHaveAttribute('dir', 'rtl');
  await typeInto(arQ1, AR_Q1);
  await expect(missing).toHaveText(/^11 of 12 texts/);
  await expect(page.getByLabel('Question 1 › question', { exact: true })).toHaveValue(AR_Q1);
  await typeInto(page.getByLabel('Question 2 › question — missing'), AR_Q2);
  await expect(missing).toHaveText(/^10 of 12 texts/);
  await expect(page.getByRole('tab', { name: /Arabic \(ar\)/ })).toContainText('10 missing');

  // The preview in Arabic: right to left, the translated question, untranslated ones in English.
  const preview = page.getByRole('complementary', { name: 'Preview and audience' });
  await choose(preview.getByTestId('preview-language'), 'ar');
  // The SDK's own renderer draws it, its first question in Arabic, right to left.
  const drawn = page.frameLocator('iframe[title="Message preview"]');
  await expect(drawn.getByText(AR_Q1)).toBeVisible();
  await expect(drawn.locator('[dir="rtl"]').first()).toBeAttached();
  const outline = preview.getByTestId('preview-outline');
  await expect(outline).toHaveAttribute('dir', 'rtl');
  await expect(outline).toHaveAttribute('lang', 'ar');
  await expect(outline).toContainText(AR_Q1);
  await expect(outline).toContainText('Open text — Anything else you would like to tell us? (optional)');
  await expect(outline).toContainText('a score of 1 to 2 → question 2');
  await expect(outline).toContainText('otherwise → question 3');
  await choose(preview.getByTestId('preview-language'), 'en');
  await expect(outline).toHaveAttribute('dir', 'ltr');
  await expect(outline).toContainText('How satisfied are you with reports?');

  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
  await page.setViewportSize({ width: 1360, height: 900 });
  await expectNoSeriousA11yViolations(page, 'message editor with a survey');
  await page.screenshot({ path: 'test-results/screens/18-survey-editor.png' });
  await page.locator('section[aria-labelledby="msg-content"]').screenshot({ path: 'test-results/screens/18b-survey-questions.png' });
  await page.locator('section[aria-labelledby="msg-languages"]').screenshot({ path: 'test-results/screens/18c-survey-languages.png' });

  // The publish dialog speaks of questions and the Arabic texts in words.
  await page.getByRole('button', { name: 'Publish…' }).click();
  const diff = page.getByRole('dialog', { name: `Publish “${NAME}”` }).getByTestId('publish-diff');
  await expect(diff.getByRole('rowheader', { name: 'Questions' })).toBeVisible();
  await expect(diff).toContainText('CSAT (1-5) — How satisfied are you with reports? [a score of 1 to 2 → question 2; otherwise → question 3]');
  await expect(diff.getByRole('rowheader', { name: 'Arabic (ar) translation › Question 1 › question' })).toBeVisible();
  await expect(diff).not.toContainText('content.translations');
  await page.keyboard.press('Escape');

  // Saved and reopened: questions, branch, translation and count are all there.
  await page.getByRole('button', { name: '← Messages' }).click();
  await page.getByTestId('message-row').getByRole('button', { name: NAME, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
  await expect(page.locator('[data-question]')).toHaveCount(3);
  await expect(page.getByLabel('Question 1 type')).toHaveValue('csat');
  await expect(page.getByLabel('Question 2 type')).toHaveValue('single_choice');
  await expect(page.getByLabel('Question 3 type')).toHaveValue('open_text');
  await expect(page.getByLabel('Choice 3', { exact: true })).toHaveValue('They are hard to read');
  await expect(question(page, 'q3').getByRole('checkbox', { name: 'Optional: people may skip it' })).toBeChecked();
  await expect(question(page, 'q1').getByRole('listitem', { name: 'Branch 1 of question 1' }).getByLabel('go to')).toHaveValue('q2');
  await expect(question(page, 'q1').getByLabel('Otherwise go to')).toHaveValue('q3');
  await expect(page.getByTestId('translation-missing')).toHaveText(/^10 of 12 texts/);
  await expect(page.getByLabel('Question 2 › question', { exact: true })).toHaveValue(AR_Q2);
});

test('a slideout and a banner: the modal’s fields in a corner, a strip with an optional call to action, in Hebrew too', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+4');
  // From the command palette this time.
  await page.keyboard.press('Control+k');
  await page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox').fill('New slideout');
  await expect(page.getByRole('dialog', { name: 'Command palette' }).getByRole('option').first()).toContainText('New slideout');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 3, name: 'Slideout' })).toBeVisible();
  await page.getByLabel('Segment', { exact: true }).selectOption({ label: 'Starter admins at the project limit' });
  const preview = page.getByRole('complementary', { name: 'Preview and audience' });
  const outline = preview.getByTestId('preview-outline');
  await expect(outline).toContainText('A card in the bottom right corner.');
  await press(page.getByRole('radio', { name: 'Bottom right' }), 'ArrowRight');
  await expect(page.getByRole('radio', { name: 'Bottom left' })).toBeChecked();
  await expect(outline).toContainText('A card in the bottom left corner.');

  // The modal's own fields, each with its issues at the slideout's path.
  await typeInto(page.getByLabel('Title', { exact: true }), ' ');
  await page.keyboard.press('Backspace');
  await expect(page.getByTestId('issue-summary')).toContainText('slideout › title: give the title');
  await typeInto(page.getByLabel('Title', { exact: true }), 'Share dashboards with your team');
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');

  // To a banner by the kind's radios: its starter, then at the bottom without a call to action.
  await press(page.getByRole('radio', { name: 'Slideout', exact: true }), 'ArrowLeft');
  await expect(page.getByRole('radio', { name: 'Banner', exact: true })).toBeChecked();
  await expect(page.getByRole('heading', { level: 3, name: 'Banner' })).toBeVisible();
  await expect(outline).toContainText('A banner at the top of the page.');
  await expect(outline).toContainText('Button “Schedule a report”');
  await press(page.getByRole('radio', { name: 'Top of the page' }), 'ArrowRight');
  await press(page.getByRole('checkbox', { name: 'With a call to action' }), 'Space');
  await expect(page.getByLabel('Call to action label')).toHaveCount(0);
  await expect(outline).toContainText('A banner at the bottom of the page.');
  await expect(outline).not.toContainText('Button');

  // Hebrew: one text to translate besides the dismiss label; the preview reads right to left.
  await typeInto(page.getByLabel('Add a translation (language tag)'), 'he');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('translation-missing')).toHaveText(/^2 of 2 texts not translated into Hebrew \(he\)/);
  await typeInto(page.getByLabel('Banner text — missing'), 'חדש: דוחות מתוזמנים');
  await typeInto(page.getByLabel('Dismiss label — missing'), 'סגור');
  await expect(page.getByTestId('translation-missing')).toHaveText('All 2 texts translated.');
  await expect(page.getByRole('tab', { name: /Hebrew \(he\)/ })).not.toContainText('missing');
  await choose(preview.getByTestId('preview-language'), 'he');
  await expect(outline).toHaveAttribute('dir', 'rtl');
  await expect(outline).toContainText('חדש: דוחות מתוזמנים');
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
  await expectNoSeriousA11yViolations(page, 'message editor with a banner in Hebrew');

  // The slideout's content is kept while the banner is edited: back to it, the title is still there.
  await press(page.getByRole('radio', { name: 'Banner', exact: true }), 'ArrowRight');
  await expect(page.getByLabel('Title', { exact: true })).toHaveValue('Share dashboards with your team');
  await expect(page.getByRole('radio', { name: 'Bottom left' })).toBeChecked();
});
