/**
 * Issue 17, item 8: the publish dialog is a human diff (the editor's labels, the rule as its sentence with
 * the JSON behind a toggle); a missing delivery URL blocks publishing up front with a way to Environments;
 * an unreachable server still queues in the outbox, and says why in words, never "fetch failed".
 */
import { createServer } from 'node:net';
import { expect, openDemo, test } from './fixtures';

const NPS = 'NPS: engaged users';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('publishing shows a human diff, asks for a delivery URL first, and queues for a server that is down', async ({ page, demo: server }) => {
  await openDemo(page, server);
  await page.keyboard.press('Control+4');
  await page.getByTestId('message-row').getByRole('button', { name: NPS, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: NPS })).toBeVisible();

  // Two changes: a follow-up text and the audience (another segment).
  await page.getByLabel('Follow-up for promoters').fill('What do you love most?');
  await page.getByLabel('Segment', { exact: true }).selectOption({ label: 'Starter admins at the project limit' });
  await page.getByRole('button', { name: 'Publish…' }).click();
  const dialog = page.getByRole('dialog', { name: `Publish “${NPS}”` });
  const diff = dialog.getByTestId('publish-diff');
  await expect(diff.getByRole('rowheader', { name: 'Follow-up for promoters' })).toBeVisible();
  await expect(diff).toContainText('What do you love most?');
  await expect(diff).not.toContainText('content.followUp');
  const who = diff.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Who sees it' }) });
  await expect(who).toContainText(/Users who/);
  // The JSON is behind a toggle.
  await expect(who.locator('pre').last()).toBeHidden();
  await who.getByText('Show JSON').last().click();
  await expect(who.locator('pre').last()).toBeVisible();
  await expect(who.locator('pre').last()).toContainText('"conditions"');

  // No delivery URL: said before anything is queued, with the way to Environments.
  const noUrl = dialog.getByTestId('publish-no-url');
  await expect(noUrl).toContainText('Production has no delivery URL yet.');
  await expect(dialog.getByRole('button', { name: /^Publish version/ })).toBeDisabled();
  await page.setViewportSize({ width: 1360, height: 860 });
  await page.screenshot({ path: 'test-results/screens/69-publish-dialog.png' });
  await noUrl.getByRole('button', { name: 'Open Environments' }).click();
  const production = page.getByTestId('environment-production');
  await expect(production).toBeVisible();

  // A server that is down: the version still goes into the outbox, and the reason is in words.
  const port = await closedPort();
  await production.getByLabel('Delivery URL').fill(`http://127.0.0.1:${port}`);
  await production.getByLabel('Admin token').fill('e2e-publish-dialog-admin-token-0123456789');
  await production.getByRole('button', { name: 'Save production' }).click();
  await expect(production.getByTestId('token-state')).toContainText('Token held');
  await page.getByRole('tab', { name: 'Messages', exact: true }).click();
  await page.getByTestId('message-row').getByRole('button', { name: NPS, exact: true }).click();
  await page.getByRole('button', { name: 'Publish…' }).click();
  await expect(dialog.getByTestId('publish-target')).toContainText(`http://127.0.0.1:${port}`);
  await expect(dialog.getByTestId('publish-no-url')).toHaveCount(0);
  await dialog.getByRole('button', { name: /^Publish version/ }).click();
  await expect(dialog).toBeHidden();
  const strip = page.getByTestId('outbox-strip');
  await expect(strip).toContainText('connection refused');
  await expect(strip).not.toContainText('fetch failed');
  await expect(strip.getByTestId('outbox-state')).toHaveAttribute('data-state', 'queued');
  await page.screenshot({ path: 'test-results/screens/69b-publish-queued.png' });
});
