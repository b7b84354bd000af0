import { expect, test, type Page } from '@playwright/test';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

/** The dry-run panel asked for a new zendesk key in PROD on behalf of invoice-reconciler. */
async function askOnBehalf(page: Page) {
  const gate = page.getByRole('form', { name: 'Would it be allowed?' });
  await gate.getByLabel('Credential').selectOption('');
  await gate.getByLabel('Kind (a new one)').selectOption('API_KEY');
  await gate.getByLabel('Scope (a new one)').fill('zendesk:read');
  await gate.getByLabel('Task or tool').fill('zendesk');
  await gate.getByLabel('Environment').selectOption('PROD');
  await gate.getByLabel('Time-to-live (seconds)').fill('300');
  await gate.getByLabel('On behalf of (optional)').fill('invoice-reconciler');
  await gate.getByRole('button', { name: 'Would it be allowed?' }).click();
  return page.getByTestId('issuance-answer');
}

test('an owner lends an agent to another’s owner: approved, the chain is allowed; revoked, denied at its hop', async ({
  browser,
}) => {
  // Two people, four reloads and an axe scan: under CI's load this journey runs past the default minute.
  test.setTimeout(120_000);
  // Support triage is Olivia Brooks's; invoice reconciler is Priya Natarajan's.
  const olivia = await pageAs(browser, DEMO.OWNER);
  await olivia.goto('/agents/support-triage#delegation');
  const section = olivia.locator('[aria-labelledby="delegation"]');
  await expect(section.getByText('It acts for no other agent.')).toBeVisible();
  await section.getByText('Let this agent act for another').click();
  const form = olivia.getByRole('form', { name: 'Let this agent act for another' });
  // Bad input first: no task named is answered on its field, and nothing is requested.
  await form.getByLabel('Acts for (agent slug)').fill('invoice-reconciler');
  await form.getByLabel('Why it acts for that agent').fill('Refund tickets need the invoice lookup');
  await form.getByRole('button', { name: 'Request delegation' }).click();
  await expect(form.getByLabel('Tasks or tools')).toHaveAccessibleDescription(
    /Name at least one task or tool it may act for\./,
  );
  await form.getByLabel('Tasks or tools').fill('zendesk');
  await form.getByLabel('Production').check();
  await form.getByLabel('Days, from approval').fill('7');
  await form.getByRole('button', { name: 'Request delegation' }).click();
  await expect(form.getByText(/Requested\. The other agent’s owner approves it/)).toBeVisible();
  await olivia.reload();
  const waiting = olivia.locator('[aria-labelledby="delegation"]').getByTestId('delegation-invoice-reconciler');
  await expect(waiting).toContainText('Pending');
  // Olivia asked: she may withdraw it, not approve it.
  await expect(waiting.getByRole('button', { name: 'Approve delegation' })).toHaveCount(0);
  await expect(waiting.getByRole('button', { name: 'Refuse request' })).toBeVisible();

  // Before approval the chain is refused at its first hop.
  const before = await askOnBehalf(olivia);
  await expect(before).toContainText('Denied');
  await expect(before.locator('[data-rule="delegation-granted"][data-hop="1"]')).toContainText('Hop 1');

  const priya = await pageAs(browser, 'Priya Natarajan');
  await priya.goto('/agents/invoice-reconciler#delegation');
  const asked = priya.locator('[aria-labelledby="delegation"]').getByTestId('delegation-support-triage');
  await expect(asked).toContainText('Pending');
  await expect(asked).toContainText('Refund tickets need the invoice lookup');
  await asked.getByLabel('Reason for approving').fill('Agreed with support');
  await asked.getByRole('button', { name: 'Approve delegation' }).click();
  await expect(asked.getByText(/Approved: in force until/)).toBeVisible();
  await priya.reload();
  await expect(priya.locator('[aria-labelledby="delegation"]').getByTestId('delegation-support-triage')).toContainText(
    'In force',
  );
  // The graph shows the neighbourhood: support triage acts for invoice reconciler.
  const graph = priya.getByTestId('delegation-graph');
  await expect(graph.getByRole('link', { name: 'support-triage' })).toBeVisible();
  await expect(graph.getByRole('link', { name: 'invoice-reconciler' })).toBeVisible();
  await expectNoA11yViolations(priya);

  // The dry run now allows the chained ask, naming the hop and the grant it relies on.
  await olivia.reload();
  const allowed = await askOnBehalf(olivia);
  await expect(allowed).toContainText('Allowed');
  await expect(allowed).toContainText('Hop 1: acts for invoice-reconciler under its delegation until');
  await expect(allowed).toContainText('Reaching at most: zendesk:read.');

  // Priya revokes it: the same ask is denied, and the answer names the hop that fails.
  const granted = priya.locator('[aria-labelledby="delegation"]').getByTestId('delegation-support-triage');
  await granted.getByLabel('Reason for revoking').fill('Invoices moved to the new system');
  await granted.getByRole('button', { name: 'Revoke delegation' }).click();
  await expect(granted.getByText(/Revoked: no decision relies on it from now/)).toBeVisible();
  await olivia.reload();
  const denied = await askOnBehalf(olivia);
  await expect(denied).toContainText('Denied: 1 rule fails');
  const hop = denied.locator('[data-rule="delegation-granted"][data-hop="1"]');
  await expect(hop).toContainText('Hop 1');
  await expect(hop).toContainText('No delegation in force lets support-triage act for invoice-reconciler');
  await expect(hop).toContainText('revoked');

  // The principal's timeline, filtered to delegation, tells the story in order (newest first).
  await priya.goto('/timeline?agent=invoice-reconciler&group=delegation');
  const events = priya.getByRole('list', { name: 'Custody events, newest first' }).getByRole('listitem');
  await expect(events).toHaveCount(3);
  expect(await events.evaluateAll((items) => items.map((li) => li.getAttribute('data-action')))).toEqual([
    'delegation.revoked',
    'delegation.approved',
    'delegation.requested',
  ]);
  await expect(events.nth(0)).toContainText('revoked support-triage’s delegation to act for');
  await expect(events.nth(1)).toContainText('allowed support-triage to act for');
  await expect(events.nth(2)).toContainText('asked that support-triage may act for');
});
