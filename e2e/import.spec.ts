import { expect, test } from '@playwright/test';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

test('a security lead imports a CSV with one bad row: it blocks the apply until excluded, then the rest apply', async ({
  browser,
}) => {
  const page = await pageAs(browser, DEMO.ADMIN);
  await page.goto('/agents');
  await page.getByRole('link', { name: 'Import' }).click();
  await expect(page.getByRole('heading', { name: 'Import agents' })).toBeVisible();
  await expect(page.getByText('Choose a file to see what it would change.')).toBeVisible();
  await expectNoA11yViolations(page);

  const run = Date.now().toString(36);
  const csv =
    'slug,name,kind,environments,risk_tier,owner,iam_owner\n' +
    `imported-${run}-a,Imported ledger bot,Data pipeline,Staging,Medium,priya.natarajan@example.com,` +
    'ivan.petrov@example.com\n' +
    `imported-${run}-b,Imported triage bot,Robot,Development,Low,olivia.brooks@example.com,\n` +
    `imported-${run}-c,Imported docs bot,Research agent,Development,Low,olivia.brooks@example.com,\n`;
  await page.getByLabel('File to import').setInputFiles({
    name: 'agents.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });

  // The dry run: two rows to create, one error naming its line and field; nothing can apply while it remains.
  const table = page.getByRole('table');
  await expect(table.getByRole('row')).toHaveCount(4);
  const bad = table.getByRole('row').filter({ hasText: `imported-${run}-b` });
  await expect(bad.getByText('Error')).toBeVisible();
  await expect(bad.getByText('kind: Choose what kind of agent this is.')).toBeVisible();
  await expect(
    table
      .getByRole('row')
      .filter({ hasText: `imported-${run}-a` })
      .getByText('Create'),
  ).toBeVisible();
  const apply = page.getByRole('button', { name: /^Apply/ });
  await expect(apply).toBeDisabled();
  await expect(page.getByText(/nothing applies while one remains/)).toBeVisible();
  await expectNoA11yViolations(page);

  await page.getByLabel('Include line 3').uncheck();
  await expect(apply).toHaveText('Apply 2 rows');
  await apply.click();
  await expect(page.getByText(/Imported: 2 created, 0 updated/)).toBeVisible();

  // Found in the list, with the owner and the control owner the file named.
  await page.getByRole('link', { name: 'See the agents' }).click();
  const search = page.getByLabel('Search name, slug, workload identity or owner');
  await search.fill(`imported-${run}`);
  await search.press('Enter');
  await expect(page.getByRole('link', { name: 'Imported ledger bot' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Imported docs bot' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Imported triage bot' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Imported ledger bot' }).click();
  await expect(page.getByText('Priya Natarajan').first()).toBeVisible();
  await expect(page.getByText('Ivan Petrov').first()).toBeVisible();
});

test('a fixed row is checked again before it applies', async ({ browser }) => {
  const page = await pageAs(browser, DEMO.ADMIN);
  await page.goto('/agents/import');
  const slug = `fixed-${Date.now().toString(36)}`;
  await page.getByLabel('File to import').setInputFiles({
    name: 'agents.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`slug,name,kind,environments,risk_tier\n${slug},Fixed bot,CI agent,Dev,Severe\n`),
  });
  await expect(page.getByText('riskTier: Choose a risk tier.')).toBeVisible();
  await page.getByRole('button', { name: 'Fix line 2' }).click();
  await page.getByLabel('Line 2 riskTier').fill('Low');
  await page.getByRole('button', { name: 'Save line 2' }).click();
  await expect(page.getByText('Edited: check again')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Apply/ })).toBeDisabled();
  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(page.getByRole('row').filter({ hasText: slug }).getByText('Create')).toBeVisible();
  await page.getByRole('button', { name: 'Apply 1 row' }).click();
  await expect(page.getByText(/Imported: 1 created/)).toBeVisible();
});
