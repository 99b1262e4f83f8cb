/**
 * Issue 17: the kit's wrapping table cells (`td.wrap`, ui/kit.css) wrap between words. A narrow column
 * keeps "internationalization" whole instead of splitting it mid-word, while a long URL still wraps
 * inside its column rather than widening the table. Checked on the workshop list of the demo (a real
 * DataTable) and on a kit table placed in a narrow card of the same page, so it is judged with the
 * app's own stylesheet. Needs `npx electron-vite build` first.
 */
import { expect, openDemo, test } from './fixtures';

test.use({ viewport: { width: 1024, height: 700 } });

const SENTENCE = 'Internationalization coordinators reviewed the undocumented characteristics carefully';
const URL_TEXT = 'https://example.com/exports/2026/12/07/warehouse-rows-0123456789abcdef0123456789abcdef/part-00001.ndjson.gz';

test('wrapping table cells keep ordinary words whole and still wrap a long URL', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+3');
  const rows = page.locator('.list-card .data-table tbody tr');
  await expect(rows.first()).toBeVisible();
  const wrapStyles = await page.locator('.list-card .data-table td.wrap').evaluateAll((cells) => cells.map((c) => getComputedStyle(c).overflowWrap));
  expect(wrapStyles.length).toBeGreaterThan(0);
  expect(new Set(wrapStyles)).toEqual(new Set(['break-word']));

  // A kit table squeezed into a 360 px card: three wrapping columns and one that never wraps.
  await page.locator('.list-card').evaluate(
    (card, texts) => {
      const box = document.createElement('div');
      box.className = 'table-scroll';
      box.id = 'narrow-probe';
      box.style.width = '360px';
      box.style.overflowX = 'auto';
      const table = document.createElement('table');
      table.className = 'data-table';
      const row = table.insertRow();
      for (const [cls, text] of [['wrap', texts.sentence], ['wrap', texts.sentence], ['wrap', texts.url], ['', 'Duplicate Archive Delete']] as const) {
        const cell = row.insertCell();
        if (cls) cell.className = cls;
        cell.textContent = text;
      }
      box.append(table);
      card.append(box);
    },
    { sentence: SENTENCE, url: URL_TEXT },
  );

  const probe = page.locator('#narrow-probe');
  const measured = await probe.evaluate((box) => {
    const split: string[] = [];
    for (const cell of Array.from(box.querySelectorAll('td.wrap'))) {
      const node = cell.firstChild;
      if (!node) continue;
      const text = node.textContent ?? '';
      if (text.startsWith('https://')) continue;
      for (const m of text.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (tops.size > 1) split.push(m[0]);
      }
    }
    const urlCell = box.querySelectorAll('td.wrap')[2] as HTMLElement;
    const urlRange = document.createRange();
    urlRange.selectNodeContents(urlCell);
    const urlLines = new Set(Array.from(urlRange.getClientRects()).map((r) => Math.round(r.top))).size;
    return { split, urlLines, urlWidth: urlCell.getBoundingClientRect().width, ch: parseFloat(getComputedStyle(urlCell).fontSize) };
  });
  expect(measured.split, 'words split across lines in a wrapping cell').toEqual([]);
  expect(measured.urlLines, 'the long URL wraps inside its column').toBeGreaterThan(1);
  // The column stays within its cap (60ch; a ch is under a font size), not the URL's full length.
  expect(measured.urlWidth).toBeLessThan(60 * measured.ch + 40);
});
