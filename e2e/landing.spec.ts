import { expect, test } from '@playwright/test';
import { expectNoA11yViolations } from './fixtures/axe';

test('a signed-out visitor sees what Custodian is, and sign-in', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('accountable');
  await expectNoA11yViolations(page);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in as Sam Rivera' })).toBeVisible();
  await expectNoA11yViolations(page);
});

test('console pages send a signed-out visitor to sign in', async ({ page }) => {
  await page.goto('/agents');
  await expect(page).toHaveURL(/\/signin/);
});

test('liveness answers; readiness reports a reachable, migrated database', async ({ request }) => {
  const live = await request.get('/api/health');
  expect(live.status()).toBe(200);
  expect(await live.json()).toEqual({ status: 'ok' });
  const ready = await request.get('/api/ready');
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({
    status: 'ready',
    database: 'reachable',
    pendingMigrations: 0,
    shuttingDown: false,
  });
});
