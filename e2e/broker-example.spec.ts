import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';

/** Runs a file of examples/ as a broker author would, against the running app. */
function run(command: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** The Node client of examples/, asking for a workload's credential for a task, with any further flags. */
const client = (env: Record<string, string>, workload: string, credential: string, ...flags: string[]) =>
  run(
    'node',
    ['examples/broker-client.mjs', '--workload', workload, '--credential', credential, '--task', 'jira', ...flags],
    env,
  );

test('the examples/ broker client asks the gate, issues under the allow and reports the use', async ({
  page,
  baseURL,
}) => {
  await signInAs(page, 'ADMIN');
  await page.goto('/tokens');
  await page.getByLabel('Name', { exact: true }).fill('example-broker');
  await page.getByRole('checkbox', { name: /decisions:check/ }).check();
  await expect(page.getByRole('checkbox', { name: /events:write/ })).toBeChecked();
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByTestId('new-token').inputValue();
  expect(token.length).toBeGreaterThan(20);
  const env = { CUSTODIAN_URL: baseURL!, CUSTODIAN_TOKEN: token };

  const gpuScheduler = ['spiffe://example.com/agents/gpu-scheduler', 'gpu-scheduler-oauth-token-prod-1'] as const;
  const allowed = client(env, ...gpuScheduler, '--environment', 'PROD', '--ttl', '600');
  expect(allowed.out).toMatch(/^ALLOW dec_[0-9a-f]+: issue for at most (599|600) s/m);
  expect(allowed.out).toMatch(/^USE recorded as event #\d+/m);
  expect(allowed.status).toBe(0);

  // An agent with nobody to page and no approved purpose: denied, every reason printed, exit 2.
  const denied = client(env, 'spiffe://example.com/agents/pricing-optimizer', 'pricing-optimizer-certificate-prod');
  expect(denied.status).toBe(2);
  expect(denied.out).toMatch(/^DENY dec_/m);
  expect(denied.out).toMatch(/escalation-reachable: .* Fix: /);
  expect(denied.out).toMatch(/purpose-covers: /);

  // Custodian unreachable: the client fails closed unless told otherwise.
  const gone = { ...env, CUSTODIAN_URL: 'http://127.0.0.1:9' };
  expect(client(gone, 'w', 'c').status).toBe(3);
  expect(client(gone, 'w', 'c', '--fail-open').status).toBe(4);

  // The curl line: exit 0 on allow, 2 on deny (a deny is an answer), so a CI step stops there.
  const curl = run('sh', ['examples/decide.sh'], env);
  expect(curl.status).toBe(0);
  expect(JSON.parse(curl.out)).toMatchObject({ decision: 'allow', agent: { slug: 'gpu-scheduler' } });
  const refused = run('sh', ['examples/decide.sh'], {
    ...env,
    WORKLOAD: 'spiffe://example.com/agents/pricing-optimizer',
    CREDENTIAL: 'pricing-optimizer-certificate-prod',
  });
  expect(refused.status).toBe(2);
  expect(JSON.parse(refused.out)).toMatchObject({ decision: 'deny' });

  // The credential turns up on another workload: the use is recorded, marked a suspected replay, and the gate then
  // refuses the agent until the credential is revoked.
  const replayed = client(env, ...gpuScheduler, '--presented-by', 'spiffe://example.com/agents/intruder');
  expect(replayed.status, replayed.out).toBe(0);
  const after = run('sh', ['examples/decide.sh'], env);
  expect(after.status).toBe(2);
  expect(JSON.parse(after.out).reasons).toEqual([expect.objectContaining({ rule: 'no-critical-finding' })]);

  // The decisions and the uses are on the agent's timeline, the replay marked.
  await page.goto('/timeline?agent=gpu-scheduler');
  await expect(page.getByText(/Issuance gate allowed API token example-broker to issue/).first()).toBeVisible();
  await expect(page.getByText(/reported GPU scheduler used gpu-scheduler-oauth-token-prod-1/).first()).toBeVisible();
  await expect(page.getByText(/presented by another workload \(replay suspected\)/).first()).toBeVisible();
});
