/**
 * Every area of the demo workspace and its key sub-views pass axe (no serious or critical violation),
 * in the light and the dark theme, at the narrowest supported width (1024 px), where layouts change most.
 */
import { expectNoSeriousA11yViolations } from './a11y';
import { openDemo, test } from './fixtures';
import { walkEveryArea } from './walkthrough';

for (const theme of ['light', 'dark'] as const) {
  test(`every area passes the accessibility check in the ${theme} theme at 1024 px`, async ({ page, demo: server }) => {
    test.setTimeout(240_000);
    await page.setViewportSize({ width: 1024, height: 700 });
    // The app follows the system's theme until one is chosen.
    await page.emulateMedia({ colorScheme: theme });
    await openDemo(page, server);
    await walkEveryArea(page, (stop) => expectNoSeriousA11yViolations(page, `${stop} (${theme})`));
  });
}
