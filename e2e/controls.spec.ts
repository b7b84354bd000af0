import { expect, test } from '@playwright/test';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

test('an owner lowers a CRITICAL agent to LOW: pending approval until a second, independent lead applies it', async ({
  browser,
}) => {
  // Support triage (seeded, MEDIUM) is Olivia Brooks's. Raising it to CRITICAL tightens: it applies at once.
  const olivia = await pageAs(browser, DEMO.OWNER);
  await olivia.goto('/agents/support-triage');
  await olivia.getByText('Edit name, description, kind, tier, environments').click();
  await olivia.getByLabel('Risk tier', { exact: true }).selectOption('CRITICAL');
  await olivia.getByRole('button', { name: 'Save changes' }).click();
  await expect(olivia.getByRole('heading', { level: 1 })).toContainText('Critical');
  // Lowering it back to LOW loosens: it waits for someone else.
  await olivia.reload();
  await olivia.getByText('Edit name, description, kind, tier, environments').click();
  await olivia.getByLabel('Risk tier', { exact: true }).selectOption('LOW');
  const edit = olivia.locator('form').filter({ has: olivia.getByRole('button', { name: 'Save changes' }) });
  await edit.getByLabel('Why (optional)').fill('It only reads release notes now');
  await olivia.getByRole('button', { name: 'Save changes' }).click();
  await expect(olivia.getByText(/Pending approval: a lower risk tier loosens a control/)).toBeVisible();
  await olivia.reload();
  await expect(olivia.getByRole('heading', { level: 1 })).toContainText('Critical');

  // A security lead decides it from Changes.
  const priya = await pageAs(browser, 'Priya Natarajan');
  await priya.goto('/changes');
  const row = priya.getByRole('row', { name: /Support triage/ }).first();
  await expect(row).toContainText('riskTier: "CRITICAL" → "LOW"');
  await expect(row).toContainText('It only reads release notes now');
  await expectNoA11yViolations(priya);
  await row.getByLabel('Reason for your decision').fill('Confirmed with the platform team');
  await row.getByRole('button', { name: 'Approve and apply' }).click();
  // Applied: it leaves the waiting list and reads as applied, with who decided and why.
  await expect(priya.getByRole('row', { name: /Support triage/ })).toHaveCount(0);
  await priya.goto('/changes?view=decided');
  await expect(priya.getByRole('row', { name: /Support triage/ }).first()).toContainText(
    /Applied.*Priya Natarajan.*Confirmed with the platform team/,
  );
  await olivia.reload();
  await expect(olivia.getByRole('heading', { level: 1 })).toContainText('Low');
  await expect(olivia.getByTestId('next-review-due')).toContainText('open');
});

test('an owner cannot reactivate a suspended agent, in the console or by posting the action directly', async ({
  browser,
}) => {
  const olivia = await pageAs(browser, DEMO.OWNER);
  await olivia.goto('/agents/kb-answerer');
  await olivia.getByLabel('Change status to').selectOption('SUSPENDED');
  await olivia.getByLabel('Reason', { exact: true }).fill('Pause during the audit');
  const suspend = olivia.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action']));
  await olivia.getByRole('button', { name: 'Change status' }).click();
  const captured = await suspend;
  await expect(olivia.getByRole('heading', { level: 1 })).toContainText('Suspended');
  // The console does not offer it, and says why.
  await expect(olivia.getByTestId('blocked-ACTIVE')).toContainText(
    /Only a security lead who neither owns nor controls/,
  );
  // Posting the status action with "ACTIVE" anyway is refused by the server.
  const lifecycle = olivia.getByTestId('blocked-ACTIVE').locator('xpath=ancestor::form');
  const version = await lifecycle.locator('input[name="version"]').inputValue();
  const id = await lifecycle.locator('input[name="id"]').inputValue();
  const body = captured.postData()!;
  const forged = body
    .replace(/(name="(?:_?\d+_)?version"\r\n\r\n)\d+/, `$1${version}`)
    .replace(/(name="(?:_?\d+_)?to"\r\n\r\n)SUSPENDED/, '$1ACTIVE')
    .replace(/(name="(?:_?\d+_)?id"\r\n\r\n)[^\r]+/, `$1${id}`);
  expect(forged).toContain('ACTIVE');
  const replay = await olivia.request.post(olivia.url(), {
    headers: {
      'next-action': captured.headers()['next-action']!,
      'content-type': captured.headers()['content-type']!,
      origin: new URL(olivia.url()).origin,
    },
    data: forged,
  });
  expect(await replay.text()).toContain('Only a security lead who neither owns nor controls');
  await olivia.reload();
  await expect(olivia.getByRole('heading', { level: 1 })).toContainText('Suspended');

  // An independent security lead lifts it.
  const sam = await pageAs(browser, DEMO.ADMIN);
  await sam.goto('/agents/kb-answerer');
  await sam.getByLabel('Change status to').selectOption('ACTIVE');
  await sam.getByLabel('Reason', { exact: true }).fill('Audit finished');
  await sam.getByRole('button', { name: 'Change status' }).click();
  await expect(sam.getByRole('heading', { level: 1 })).toContainText('Active');
});
