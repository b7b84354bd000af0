import { expect, test } from '@playwright/test';
import { DEMO, pageAs } from './fixtures/auth';

test('a secret pasted into a purpose’s task is refused, the rest of the form kept, the lead sees the alarm', async ({
  browser,
}) => {
  // Built at run time: no real-looking token sits in the repository.
  const secret = `ghp_${'aB3dE'.repeat(7)}x`;
  const olivia = await pageAs(browser, DEMO.OWNER);
  await olivia.goto('/agents/support-triage');
  await olivia.getByText('Add a purpose').click();
  // The add form comes after each existing purpose's change form.
  const form = olivia.locator('form').filter({ has: olivia.getByRole('button', { name: 'Add purpose' }) });
  await form.getByLabel('Task', { exact: true }).fill(`Answer tickets using ${secret}`);
  await form.getByLabel('Tools and systems').fill('zendesk, slack');
  await form.getByRole('button', { name: 'Add purpose' }).click();
  await expect(olivia.getByText(/looks like a secret value, so it was not saved.*rotate it now/).first()).toBeVisible();
  // The other values are kept; the secret is not sent back to the page.
  const again = olivia.locator('form').filter({ has: olivia.getByRole('button', { name: 'Add purpose' }) });
  await expect(again.getByLabel('Tools and systems')).toHaveValue('zendesk, slack');
  await expect(again.getByLabel('Task', { exact: true })).toHaveValue('');
  expect(await olivia.content()).not.toContain(secret);

  // The security lead sees it as a finding of the agent.
  const sam = await pageAs(browser, DEMO.ADMIN);
  await sam.goto('/agents/support-triage');
  await expect(sam.getByText('Secret pasted into Custodian').first()).toBeVisible();
  await expect(sam.getByText(/A secret was pasted into task/).first()).toBeVisible();
});
