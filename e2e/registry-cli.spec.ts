import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';

/** `npm run registry -- …` as a platform team runs it: the thin client against the running server. */
function registry(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync('node', ['scripts/registry.mjs', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

test('the registry as code: the example plans cleanly; a file plans, applies, and applies again as no change', async ({
  page,
  baseURL,
}) => {
  await signInAs(page, 'ADMIN');
  await page.goto('/tokens');
  await page.getByLabel('Name', { exact: true }).fill('registry-as-code');
  await page.getByRole('checkbox', { name: /registry:write/ }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByTestId('new-token').inputValue();
  const env = { CUSTODIAN_URL: baseURL!, CUSTODIAN_TOKEN: token };

  // The documented example, against the demo data: nothing refused (plan only: it changes nothing).
  const example = registry(env, 'plan', 'examples/custodian.yaml');
  expect(example.out).toMatch(/0 refused\.$/m);
  expect(example.status).toBe(0);

  const slug = `cli-${Date.now().toString(36)}`;
  const file = join(mkdtempSync(join(tmpdir(), 'registry-')), 'custodian.yaml');
  writeFileSync(
    file,
    `version: 1
agents:
  - slug: ${slug}
    name: Release notes writer
    kind: RESEARCH_AGENT
    environments: [DEV]
    riskTier: LOW
    owner: olivia.brooks@example.com
  - slug: ${slug}-bad
    name: Nobody's
    kind: OTHER
    environments: [DEV]
    riskTier: LOW
    owner: nobody@example.com
`,
  );
  const plan = registry(env, 'plan', file);
  expect(plan.out).toMatch(new RegExp(`^\\+ ${slug} \\(line 3\\): create$`, 'm'));
  expect(plan.out).toMatch(/refused: owner: no one active in Custodian is nobody@example.com\./);
  expect(plan.status).toBe(1);

  const applied = registry(env, 'apply', file);
  expect(applied.out).toMatch(/1 to create, 0 to update, 0 needing approval, 0 unchanged, 1 refused\./);
  await page.goto(`/agents/${slug}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Release notes writer');

  const again = registry(env, 'apply', file);
  expect(again.out).toMatch(new RegExp(`^= ${slug} \\(line 3\\): unchanged$`, 'm'));

  const bad = registry({ ...env, CUSTODIAN_TOKEN: 'cus_not-a-token' }, 'plan', file);
  expect(bad.status).toBe(2);
  expect(bad.out).toMatch(/^401: /);
});
