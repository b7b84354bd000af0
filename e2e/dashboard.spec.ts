import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './fixtures/auth';
import { expectNoSeriousA11yViolations } from './fixtures/axe';

/** The number a dashboard figure or bar-list entry shows. */
async function figure(page: Page, id: string): Promise<number> {
  const link = page.getByTestId(`figure-${id}`);
  const text = (await link.locator('.text-2xl').count()) ? await link.locator('.text-2xl').innerText() : await link.locator('xpath=following-sibling::span').innerText();
  return Number(text.replace(/,/g, ''));
}

async function follow(page: Page, id: string) {
  await page.goto('/');
  const value = await figure(page, id);
  await page.getByTestId(`figure-${id}`).click();
  return value;
}

test('every dashboard number equals the count of the list it links to', async ({ page }) => {
  await signInAs(page, 'ADMIN');
  await expect(page.getByRole('heading', { name: 'Findings over the last 90 days' })).toBeVisible();
  await expect(page.locator('.recharts-surface').first()).toBeVisible(); // the trend chart rendered
  await expectNoSeriousA11yViolations(page);

  const findings = await follow(page, 'open-findings');
  await expect(page.getByTestId('findings-total')).toHaveText(new RegExp(`^${findings.toLocaleString('en')} open finding`));

  const high = await follow(page, 'findings-HIGH');
  await expect(page).toHaveURL(/severity=HIGH/);
  await expect(page.getByTestId('findings-total')).toHaveText(new RegExp(`^${high.toLocaleString('en')} open finding`));

  const overdue = await follow(page, 'reviews-overdue');
  await expect(page.getByRole('link', { name: /^Overdue/ })).toHaveText(`Overdue (${overdue.toLocaleString('en')})`);

  const pending = await follow(page, 'exceptions-pending');
  await expect(page.getByTestId('pending-count')).toHaveText(String(pending));

  const ending = await follow(page, 'expiring-24h');
  await expect(page).toHaveURL(/within=24/);
  await expect(page.getByTestId('in-force-count')).toHaveText(String(ending));

  const week = await follow(page, 'expiring-7d');
  await expect(page.getByTestId('in-force-count')).toHaveText(String(week));

  const active = await follow(page, 'status-ACTIVE');
  await expect(page).toHaveURL(/status=ACTIVE/);
  await expect(page.getByText(`${active.toLocaleString('en-US')} agents match these filters.`)).toBeVisible();

  const critical = await follow(page, 'tier-CRITICAL');
  await expect(page.getByText(`${critical.toLocaleString('en-US')} ${critical === 1 ? 'agent' : 'agents'} match these filters.`)).toBeVisible();

  const staticCredentials = await follow(page, 'issuance-STATIC');
  await expect(page.getByText(`${staticCredentials.toLocaleString('en-US')} custody records`)).toBeVisible();
});

test('a framework report maps controls to rules with pass and fail counts, and exports CSV', async ({ page }) => {
  await signInAs(page, 'AUDITOR');
  await page.goto('/findings');
  await page.getByRole('link', { name: 'OWASP NHI Top 10' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('OWASP Top 10 Non-Human Identities Risks – 2025');
  const row = page.getByRole('row', { name: /NHI2:2025/ });
  await expect(row).toContainText('Secret Leakage');
  await expect(row.getByRole('link', { name: 'Credential stored where it leaks' })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
  expect(csv).toHaveLength(11);
  expect(csv[2]).toMatch(/^OWASP Top 10 Non-Human Identities Risks – 2025,NHI2:2025,Secret Leakage,credential-unsafe-storage,/);
});
