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

test('the health endpoint reports a migrated database', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok', database: { ok: true, migrated: true } });
});
