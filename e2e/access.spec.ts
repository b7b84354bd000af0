import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

// A page a role may not see answers HTTP 403 and a missing record 404, sent
// before anything streams (the checks run above every loading boundary).
test('a role’s forbidden pages answer 403, missing records 404', async ({ page, browser }) => {
  await signInAs(page, 'OWNER');
  for (const path of ['/timeline', '/tokens', '/people', '/timeline?agent=deploy-bot']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByText('You do not have access to this page')).toBeVisible();
  }
  await expectNoA11yViolations(page);
  for (const path of [
    '/agents/no-such-agent',
    '/exceptions/no-such-exception',
    '/reviews/no-such-review',
    '/reviews/campaigns/no-such-campaign',
    '/findings/frameworks/no-such-framework',
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: /^No such / })).toBeVisible();
  }
  // A page the role may see is a 200.
  expect((await page.goto('/agents/deploy-bot'))?.status()).toBe(200);

  const auditor = await (await browser.newContext()).newPage();
  await signInAs(auditor, 'AUDITOR');
  expect((await auditor.goto('/tokens'))?.status()).toBe(403);
  expect((await auditor.goto('/agents/new'))?.status()).toBe(403);
  expect((await auditor.goto('/people'))?.status()).toBe(200);
});
