import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { runOfflineVerifier } from '../lib/testing/pack-verifier';
import { signInAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

/** The count a list page shows (its one `list-count`, there even when the list is empty). */
async function listCount(page: Page): Promise<number> {
  const count = page.getByTestId('list-count');
  await expect(count).toHaveCount(1);
  return Number(await count.getAttribute('data-count'));
}

test('every dashboard number opens a list whose count equals it (every figure, none skipped)', async ({ page }) => {
  await signInAs(page, 'ADMIN');
  await expect(page.getByRole('heading', { name: 'Findings over the last 90 days' })).toBeVisible();
  // The trend chart rendered (its chunk loads after the page: a cold server on two busy cores takes a while).
  await expect(page.locator('.recharts-surface').first()).toBeVisible({ timeout: 20_000 });
  await expectNoA11yViolations(page);

  const figures = await page.locator('[data-testid^="figure-"]').evaluateAll((links) =>
    links.map((a) => ({
      id: a.getAttribute('data-testid')!,
      href: a.getAttribute('href')!,
      count: Number(a.getAttribute('data-count')),
    })),
  );
  // Nine headline figures, four severities, four statuses, four tiers, six storages and two issuances.
  expect(figures.length).toBe(29);
  expect(new Set(figures.map((f) => f.id)).size).toBe(figures.length);
  const checked: string[] = [];
  for (const figure of figures) {
    expect(Number.isInteger(figure.count), `${figure.id} carries its count`).toBe(true);
    await page.goto(figure.href);
    expect(await listCount(page), `${figure.id} → ${figure.href}`).toBe(figure.count);
    checked.push(figure.id);
  }
  expect(checked).toEqual(figures.map((f) => f.id));

  // Agents in service excludes retired agents; each tier bar too.
  await page.goto('/agents?inService=1&status=RETIRED');
  expect(await listCount(page)).toBe(0);
});

test('a framework report maps controls to rules with pass and fail counts, and exports CSV', async ({ page }) => {
  await signInAs(page, 'AUDITOR');
  await page.goto('/findings');
  await page.getByRole('link', { name: 'OWASP NHI Top 10' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('OWASP Top 10 Non-Human Identities Risks – 2025');
  const row = page.getByRole('row', { name: /NHI2:2025/ });
  await expect(row).toContainText('Secret Leakage');
  await expect(row.getByRole('link', { name: 'Credential stored where it leaks' })).toBeVisible();
  await expectNoA11yViolations(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'CSV' }).click(),
  ]);
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\r\n');
  expect(csv).toHaveLength(11);
  expect(csv[2]).toMatch(
    new RegExp(
      '^OWASP Top 10 Non-Human Identities Risks – 2025,NHI2:2025,Secret Leakage,assessed,' +
        'credential-unsafe-storage secret-pasted,',
    ),
  );

  // As of a date: built from the timeline up to a named chain head; a future date is refused, today's report kept.
  const today = new Date().toISOString().slice(0, 10);
  const asOf = page.getByRole('form', { name: 'Report as of a date' });
  await asOf.getByLabel('As of (end of day, UTC)').fill(today);
  await asOf.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`asOf=${today}`));
  await expect(page.getByTestId('report-scope')).toContainText(
    new RegExp(`As of ${today} \\d{2}:\\d{2}:\\d{2} UTC, from the custody timeline up to event #\\d+`),
  );
  await expect(page.getByRole('row', { name: /NHI2:2025/ })).toContainText('Secret Leakage');
  const [past] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
  expect(past.suggestedFilename()).toBe(`owasp-nhi-2025-report-as-of-${today}.csv`);
  await page.goto('/findings/frameworks/owasp-nhi-2025?asOf=2999-01-01');
  await expect(page.getByText('A report describes the past: choose today or an earlier date.')).toBeVisible();
  await expect(page.getByTestId('report-scope')).toContainText('agents in scope (every agent not retired)');
});

test('an auditor downloads a report as of the end of last quarter and its OSCAL file, and verifies both', async ({
  page,
}) => {
  await signInAs(page, 'AUDITOR');
  await page.goto('/findings');
  await page.getByRole('link', { name: 'CSA MAESTRO' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('CSA MAESTRO');
  // Every layer is accounted for, in one of three states, never absent.
  await expect(page.getByTestId('control-row')).toHaveCount(8);
  const state = (name: RegExp) => page.getByRole('row', { name }).getByTestId('control-state');
  await expect(state(/Foundation Models/)).toHaveText('Outside Custodian');
  await expect(state(/Deployment and Infrastructure/)).toHaveText('Assessed');
  await expect(page.getByRole('row', { name: /Foundation Models/ })).toContainText('What helps:');
  await expectNoA11yViolations(page);

  const now = new Date();
  const quarterEnd = new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 0))
    .toISOString()
    .slice(0, 10);
  const asOf = page.getByRole('form', { name: 'Report as of a date' });
  await asOf.getByLabel('As of (end of day, UTC)').fill(quarterEnd);
  await asOf.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('report-scope')).toContainText(`As of ${quarterEnd} 23:59:59 UTC`);
  await expect(page.getByTestId('coverage-summary')).toContainText(/\d+ controls assessed by policy rules/);

  const download = async (name: string) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
    return { name: file.suggestedFilename(), path: (await file.path())! };
  };
  const oscal = await download('OSCAL assessment results');
  expect(oscal.name).toBe(`csa-maestro-oscal-ar-as-of-${quarterEnd}.json`);
  const doc = JSON.parse(readFileSync(oscal.path, 'utf8')) as {
    'assessment-results': { metadata: { 'last-modified': string; 'oscal-version': string }; results: unknown[] };
  };
  expect(doc['assessment-results'].metadata).toMatchObject({
    'last-modified': `${quarterEnd}T23:59:59.999Z`,
    'oscal-version': '1.0.4',
  });
  const summary = await download('Signed summary');
  expect(summary.name).toBe(`csa-maestro-summary-as-of-${quarterEnd}.json`);
  const cli = runOfflineVerifier([
    '--report',
    summary.path,
    '--oscal',
    oscal.path,
    '--public-key',
    path.resolve('.data/e2e-keys/audit-public-key.pem'),
  ]);
  expect(cli.status, cli.stderr).toBe(0);
  expect(cli.stdout).toContain(`as of ${quarterEnd}T23:59:59.999Z`);
  expect(cli.stdout).toContain('8 controls');
  expect(cli.stdout).toContain('Signature: holds');
  expect(cli.stdout).toContain('SHA-256 matches');
});
