import { expect, test } from '@playwright/test';
import { signInAs, type DemoRole } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

const ALL = [
  'Dashboard',
  'Agents',
  'Ownership',
  'Exceptions',
  'Reviews',
  'Timeline',
  'Findings',
  'Changes',
  'People',
  'Notifications',
  'Settings',
];

// What each role's navigation offers (the pages themselves check on the server).
const NAV: Record<DemoRole, string[]> = {
  ADMIN: [...ALL.slice(0, -1), 'API tokens', 'Settings', 'System'],
  AUDITOR: ALL,
  PAM_APPROVER: ALL.filter((l) => !['Changes', 'People'].includes(l)),
  OWNER: ALL.filter((l) => !['Timeline', 'Changes', 'People'].includes(l)),
};

for (const role of Object.keys(NAV) as DemoRole[]) {
  test(`${role}: the console shell shows their navigation, and every page passes axe`, async ({ page }) => {
    // A dozen pages, each rendered and scanned by axe: near a minute on two cores with the server beside it.
    test.setTimeout(150_000);
    await signInAs(page, role);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link')).toHaveText(NAV[role].map((label) => new RegExp(`^${label}`)));
    for (const label of NAV[role]) {
      await nav.getByRole('link', { name: new RegExp(`^${label}`) }).click();
      await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
      await expect(nav.getByRole('link', { name: new RegExp(`^${label}`) })).toHaveAttribute('aria-current', 'page');
      await expectNoA11yViolations(page);
    }
  });
}

test('an OWNER opening the timeline by URL is refused on the server with HTTP 403', async ({ page }) => {
  await signInAs(page, 'OWNER');
  const response = await page.goto('/timeline');
  expect(response?.status()).toBe(403);
  await expect(page.getByText('You do not have access to this page')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Custody events, newest first' })).toHaveCount(0);
});

test('the dashboard counts lead to the lists behind them, and search finds agents', async ({ page }) => {
  await signInAs(page, 'ADMIN');
  const orphaned = page.getByRole('link', { name: /Orphaned agents/ });
  const count = Number((await orphaned.locator('.text-2xl').textContent()) ?? 'NaN');
  await orphaned.click();
  await expect(page).toHaveURL(/orphaned=1/);
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(count + 1);

  await page.goto('/');
  const vault = page.getByRole('link', { name: 'Vault or broker' });
  const inVault = Number(await vault.locator('xpath=following-sibling::span').textContent());
  await vault.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Credentials' })).toBeVisible();
  await expect(page.getByTestId('list-count')).toHaveAttribute('data-count', String(inVault));
  await expectNoA11yViolations(page);

  await page.getByRole('searchbox', { name: /Search agents/ }).fill('deploy');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/q=deploy/);
  await expect(page.getByRole('cell', { name: /Deploy bot/ })).toBeVisible();
});

test('the theme toggle switches to dark and the choice survives a reload', async ({ page }) => {
  await signInAs(page, 'AUDITOR');
  const html = page.locator('html');
  const wasDark = (await html.getAttribute('class'))?.includes('dark') ?? false;
  await page.getByRole('button', { name: 'Switch light or dark theme' }).click();
  await expect(html).toHaveClass(wasDark ? /^(?!.*dark)/ : /dark/);
  await page.reload();
  await expect(html).toHaveClass(wasDark ? /^(?!.*dark)/ : /dark/);
  await expectNoA11yViolations(page);
});

test('signing out ends the session', async ({ page }) => {
  await signInAs(page, 'PAM_APPROVER');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto('/exceptions');
  await expect(page).toHaveURL(/\/signin/);
});
