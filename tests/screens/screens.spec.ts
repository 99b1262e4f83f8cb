/**
 * The whole face in a minute: every area and its key sub-views (tests/e2e/walkthrough.ts) on a copy of
 * a demo database, in both themes at 1360×860 and 1024×700, one PNG each, into SCREENS_DIR (default
 * ./screens). The folder is printed at the end.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDemo, test } from '../e2e/fixtures';
import { walkEveryArea } from '../e2e/walkthrough';

/** The same default as global-setup.ts, which prints the folder once the run ends. */
const OUT = resolve(process.env.SCREENS_DIR ?? 'screens');
const SIZES = [
  { width: 1360, height: 860 },
  { width: 1024, height: 700 },
];

for (const size of SIZES) {
  for (const theme of ['light', 'dark'] as const) {
    test(`screens at ${size.width}×${size.height}, ${theme}`, async ({ page, demo: server }) => {
      mkdirSync(OUT, { recursive: true });
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: theme });
      await openDemo(page, server);
      await walkEveryArea(page, async (stop) => {
        await page.screenshot({ path: join(OUT, `${stop}-${theme}-${size.width}.png`) });
      });
    });
  }
}
