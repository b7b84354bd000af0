import { expect, test, type Page } from '@playwright/test';
import { IDP_PEOPLE, startOidcProvider } from './fixtures/oidc-provider';

let stop: (() => Promise<void>) | undefined;
test.beforeAll(async ({ baseURL }) => {
  stop = await startOidcProvider(baseURL ?? 'http://127.0.0.1:3100');
});
test.afterAll(async () => stop?.());

async function signInWithSso(page: Page, login: string) {
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
  // The identity provider's own login and consent pages.
  await page.getByPlaceholder('Enter any login').fill(login);
  await page.getByPlaceholder('and password').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('single sign-on through a real OIDC provider: the groups claim maps to PAM approver', async ({ page }) => {
  await signInWithSso(page, 'nina.pam');
  await expect(page.getByTestId('current-user')).toHaveText(IDP_PEOPLE['nina.pam']!.name);
  await expect(page.getByText('PAM approver', { exact: true })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: /^Exceptions/ })).toBeVisible();
  await expect(nav.getByRole('link', { name: /^Timeline/ })).toBeVisible();
  await expect(nav.getByRole('link', { name: /^People/ })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: /^Settings/ })).toBeVisible();
  // Not offered, and refused on the server when asked for directly.
  await page.goto('/people');
  await expect(page.getByText('You do not have access to this page')).toBeVisible();
  await page.goto('/exceptions');
  await expect(page.getByRole('heading', { level: 1, name: 'Exceptions' })).toBeVisible();
});

test('single sign-on: an auditor by group sees the people list but cannot manage it', async ({ page }) => {
  await signInWithSso(page, 'ravi.audit');
  await expect(page.getByTestId('current-user')).toHaveText(IDP_PEOPLE['ravi.audit']!.name);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^People/ })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'People' })).toBeVisible();
  await expect(page.getByRole('cell', { name: /Ravi Menon/ })).toBeVisible();
  await expect(page.getByText(/^Manage /)).toHaveCount(0);
});

test('single sign-on with no mapped group: signed in, but nothing but "no access"', async ({ page }) => {
  await signInWithSso(page, 'zoe.nogroup');
  await expect(page.getByRole('heading', { name: 'No access yet' })).toBeVisible();
  const response = await page.goto('/agents');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'No access yet' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});
