import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DEMO, pageAs, signInAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';
import { pickPerson } from './fixtures/people';

test('a lead uploads a Vault audit log, sees two proposed agents, imports, and assigns an owner to one', async ({
  browser,
}) => {
  const page = await pageAs(browser, DEMO.ADMIN);
  await page.goto('/agents');
  await page.getByRole('link', { name: 'Discover' }).click();
  await expect(page.getByRole('heading', { name: 'Discover agents' })).toBeVisible();
  await expect(page.getByText(/Choose what the file is, then the file/)).toBeVisible();
  await expectNoA11yViolations(page);

  // This run's own identities and request ids: the e2e database outlives a run.
  const run = Date.now().toString(16).slice(-8).padStart(8, '0');
  const log = readFileSync('lib/discovery/fixtures/vault-audit.log', 'utf8')
    .replaceAll('b7e1c5a0-1111', `${run}-1111`)
    .replaceAll('deploy-runner', `deploy-runner-${run}`)
    .replaceAll('reports-etl', `reports-etl-${run}`)
    .split('\n')
    .filter((line) => !line.includes('jwt-invoice-bot'))
    .join('\n');
  await page.getByLabel('What the file is').selectOption('vault-audit');
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'audit.log',
    mimeType: 'application/json',
    buffer: Buffer.from(log),
  });

  // The dry run: two workloads to propose, a person reported, what was skipped.
  const table = page.getByRole('table');
  await expect(page.getByText(/14 entries read: 2 to propose, 0 known agents to record custody on/)).toBeVisible();
  const runner = table.getByRole('row').filter({ hasText: `system:serviceaccount:ci:deploy-runner-${run}` });
  await expect(runner.getByText('Propose agent')).toBeVisible();
  await expect(runner.getByText('On database/, secret/')).toBeVisible();
  await expect(runner.getByText('3 events to record')).toBeVisible();
  const etl = table.getByRole('row').filter({ hasText: `vault-approle://reports-etl-${run}` });
  await expect(etl.getByText('Propose agent')).toBeVisible();
  await expect(
    table.getByRole('row').filter({ hasText: 'vault-user:alice' }).getByText('Person: not proposed'),
  ).toBeVisible();
  await expect(page.getByText(/Skipped: .*1 failed requests/)).toBeVisible();
  await expectNoA11yViolations(page);

  const importButton = page.getByRole('button', { name: /^Import/ });
  await expect(importButton).toHaveText('Import 2 identities');
  await importButton.click();
  await expect(page.getByText('Imported: 2 agents proposed, 5 events and 4 custody records recorded.')).toBeVisible();
  // Proposed agents already holding credentials, static secrets never rotated: the lead is told, with the way there.
  await expect(page.getByText(/findings are open on these agents/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'see the findings' })).toHaveAttribute('href', '/findings');

  // The proposed agent: no owner, what was seen in its description; the lead assigns one.
  await page.getByRole('link', { name: `ci-deploy-runner-${run}` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`ci-deploy-runner-${run}`);
  // The description as the page shows it (the edit form's field holds the same text).
  await expect(page.getByRole('paragraph').filter({ hasText: /Found in a Vault audit log: 3 requests/ })).toBeVisible();
  await pickPerson(page, 'accountable owner', 'Olivia Brooks');
  await page.getByRole('button', { name: 'Assign accountable owner' }).click();
  await expect(page.getByText(/Olivia Brooks is now the accountable owner/)).toBeVisible();

  // The other waits among the proposed agents.
  await page.goto('/agents?status=PROPOSED');
  await expect(page.getByRole('link', { name: `reports-etl-${run}` })).toBeVisible();

  // The same log again: nothing left to import.
  await page.goto('/agents/discover');
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'audit.log',
    mimeType: 'application/json',
    buffer: Buffer.from(log),
  });
  await expect(
    page.getByText(/14 entries read: 0 to propose, 0 known agents to record custody on, 2 already recorded/),
  ).toBeVisible();
});

test('a file that is not a Vault audit log is refused naming the line, and an owner cannot open discovery', async ({
  browser,
}) => {
  const page = await pageAs(browser, DEMO.ADMIN);
  await page.goto('/agents/discover');
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'audit.log',
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({
        time: '2026-11-30T09:00:00Z',
        type: 'request',
        request: { id: 'x', operation: 'read', path: 'a/b' },
      }) + '\nnot json\n',
    ),
  });
  await expect(page.getByRole('alert').filter({ hasText: 'not a Vault audit log' })).toContainText(
    'one line is not an audit entry (line 2: not a JSON object)',
  );
  await expect(page.getByRole('table')).toHaveCount(0);

  const owner = await pageAs(browser, DEMO.OWNER);
  await owner.goto('/agents');
  await expect(owner.getByRole('link', { name: 'Discover' })).toHaveCount(0);
  const response = await owner.goto('/agents/discover');
  expect(response?.status()).toBe(403);
});

test('npm run discover: an AWS credential report as a dry run, imported, then nothing left to import', async ({
  page,
  baseURL,
}) => {
  await signInAs(page, 'ADMIN');
  await page.goto('/tokens');
  await page.getByLabel('Name', { exact: true }).fill('discovery-cli');
  await page.getByRole('checkbox', { name: /discovery:import/ }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByTestId('new-token').inputValue();
  const account = String(Date.now()).slice(-12).padStart(12, '1');
  const file = join(mkdtempSync(join(tmpdir(), 'discover-')), 'report.csv');
  writeFileSync(
    file,
    readFileSync('lib/discovery/fixtures/aws-credential-report.csv', 'utf8').replaceAll('111122223333', account),
  );
  const discover = (...args: string[]) => {
    const result = spawnSync('node', ['scripts/discover.mjs', 'aws-credential-report', file, ...args], {
      env: { ...process.env, CUSTODIAN_URL: baseURL!, CUSTODIAN_TOKEN: token },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  };

  const dry = discover();
  expect(dry.status).toBe(0);
  expect(dry.out).toMatch(
    new RegExp(`^\\+ arn:aws:iam::${account}:user/ci-deployer \\(line 3\\): propose → new agent`, 'm'),
  );
  expect(dry.out).toMatch(new RegExp(`^p arn:aws:iam::${account}:user/dana.kim \\(line 4\\): person$`, 'm'));
  expect(dry.out).toMatch(/note: aws-access-key-1 was last rotated \d+ days ago, past the 90-day rotation policy/);
  expect(dry.out).toMatch(/4 entries: 2 to propose, 0 to record on, 0 already recorded, 2 people, 0 refused\./);

  const applied = discover('--apply');
  expect(applied.status).toBe(0);
  expect(applied.out).toMatch(/Imported: 2 agents proposed, 3 custody records and 5 events recorded\./);
  await page.goto(`/agents?status=PROPOSED&q=${account}`);
  await expect(page.getByRole('link', { name: 'etl-loader' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'ci-deployer' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'dana.kim' })).toHaveCount(0);

  expect(discover('--apply').out).toMatch(/Imported: 0 agents proposed, 0 custody records and 0 events recorded\./);
  const bad = spawnSync('node', ['scripts/discover.mjs', 'aws-credential-report', file], {
    env: { ...process.env, CUSTODIAN_URL: baseURL!, CUSTODIAN_TOKEN: 'cus_not-a-token' },
    encoding: 'utf8',
  });
  expect(bad.status).toBe(2);
});
