import { expect, test } from '@playwright/test';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

test('a security lead sees the background jobs run from their queues; other roles may not look', async ({
  browser,
}) => {
  const page = await pageAs(browser, DEMO.ADMIN);
  await page.goto('/');
  await page.getByRole('link', { name: 'System' }).click();
  await expect(page.getByRole('heading', { name: 'System' })).toBeVisible();
  const table = page.getByRole('table');
  for (const title of [
    'Notification delivery',
    'Reminders and warnings that come due',
    'Exceptions and delegations that end',
    'Break-glass requests that lapse undecided',
    'Signed audit checkpoint',
    'Scheduled lifecycle reviews',
    'Findings sync',
    'Audit partitions ahead of the chain',
    'Audit-chain verification (incremental)',
  ]) {
    await expect(table.getByRole('row').filter({ hasText: title })).toBeVisible();
  }
  // The server works its queues as the application role (which owns nothing): the expiry sweep has run.
  const expiry = table.getByRole('row').filter({ hasText: 'Exceptions and delegations that end' });
  await expect(async () => {
    await page.reload();
    await expect(expiry.getByText('Not yet')).toHaveCount(0, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(table.getByRole('row').filter({ hasText: 'Findings sync' })).toContainText('cron */15 * * * * (UTC)');
  await expectNoA11yViolations(page);

  for (const role of [DEMO.AUDITOR, DEMO.OWNER, DEMO.PAM_APPROVER]) {
    const other = await pageAs(browser, role);
    expect((await other.goto('/system'))?.status(), role).toBe(403);
    await other.context().close();
  }
});
