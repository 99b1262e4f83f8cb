/**
 * Issue 17: the message list at 1024 px. The Target column wraps between words, never inside one
 * ("seg-ment"), and the Results column and the row menu stay inside the card. Needs
 * `npx electron-vite build` first.
 */
import { expect, openDemo, test } from './fixtures';

test.use({ viewport: { width: 1024, height: 700 } });

test('at 1024 px the message list keeps Results inside its card and breaks no word in Target', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+4');
  const card = page.getByRole('region', { name: 'Messages' });
  const rows = card.getByTestId('message-row');
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThan(1);
  // The headlines are read after the list: wait until none is still loading.
  await expect(card.locator('td', { hasText: /^…$/ })).toHaveCount(0);

  await page.screenshot({ path: 'test-results/screens/message-list-1024.png' });
  const box = await card.boundingBox();
  if (!box) throw new Error('the messages card has no box');
  const headers = await card.locator('thead th').allInnerTexts();
  const resultsAt = headers.findIndex((h) => h.trim() === 'Results');
  const targetAt = headers.findIndex((h) => h.trim() === 'Target');
  expect(resultsAt).toBeGreaterThan(-1);
  expect(targetAt).toBeGreaterThan(-1);

  for (let i = 0; i < count; i += 1) {
    const row = rows.nth(i);
    for (const cell of [row.locator('td, th').nth(resultsAt), row.locator('td.row-actions')]) {
      const cellBox = await cell.boundingBox();
      if (!cellBox) throw new Error(`row ${i + 1}: a cell has no box`);
      expect(cellBox.x, `row ${i + 1} starts inside the card`).toBeGreaterThanOrEqual(box.x - 0.5);
      expect(cellBox.x + cellBox.width, `row ${i + 1} ends inside the card`).toBeLessThanOrEqual(box.x + box.width + 0.5);
    }

    const target = row.locator('td, th').nth(targetAt);
    const style = await target.evaluate((el) => {
      const s = getComputedStyle(el);
      return { overflowWrap: s.overflowWrap, wordBreak: s.wordBreak };
    });
    expect(style.overflowWrap, `row ${i + 1}: Target may break inside a word`).not.toBe('anywhere');
    expect(style.wordBreak).not.toBe('break-all');
    // Every word of the cell lies on one line: its rectangles share one top.
    const broken = await target.evaluate((el) => {
      const words: string[] = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const m of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
          if (tops.size > 1) words.push(m[0]);
        }
      }
      return words;
    });
    expect(broken, `row ${i + 1}: words broken across lines in Target`).toEqual([]);
  }
  // Nothing to scroll sideways: the table fits its card.
  const scroller = card.locator('.table-scroll');
  if ((await scroller.count()) > 0) {
    const overflow = await scroller.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
  }
});
