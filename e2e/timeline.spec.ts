import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

test(
  'an auditor filters the timeline to one agent and one action group, opens an event, verifies the chain, and ' +
    'exports CSV and NDJSON whose head hash matches the badge',
  async ({ page }) => {
    await signInAs(page, 'AUDITOR');
    await page.goto('/timeline');
    const filters = page.getByRole('form', { name: 'Filter the timeline' });
    await filters.getByLabel('Agent (slug)').fill('deploy-bot');
    await filters.getByLabel('Action').selectOption('credential');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/agent=deploy-bot/);
    await expect(page).toHaveURL(/group=credential/);

    const events = page.getByRole('list', { name: 'Custody events, newest first' }).getByRole('listitem');
    await expect(events.first()).toBeVisible();
    const actions = await events.evaluateAll((items) => items.map((li) => li.getAttribute('data-action')));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a?.startsWith('credential.'))).toBe(true);
    await expect(events.first()).toContainText(/Deploy bot/);
    await expectNoA11yViolations(page);

    // The details drawer: the raw event, its hash and the previous hash.
    await events
      .first()
      .getByRole('button', { name: /Details of event/ })
      .click();
    const drawer = page.getByRole('dialog');
    await expect(drawer.getByTestId('event-hash')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(drawer.getByTestId('event-prev-hash')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(drawer.getByTestId('event-json')).toContainText('"action": "credential.');
    await drawer.getByRole('button', { name: 'Close' }).click();
    await expect(drawer).toBeHidden();

    // Verify, then export: the export's trailer names the head the badge shows.
    const verifyAndReadHead = async () => {
      await page.getByRole('button', { name: 'Verify now' }).click();
      await expect(page.getByText(/^Verified: .* events up to seq \d+/)).toBeVisible();
      // The badge says what was walked: "Verify now" walks every event.
      await expect(page.getByTestId('verification-scope')).toContainText('Full: every event from seq 1');
      return (await page.getByTestId('verified-head-hash').innerText()).trim();
    };
    const download = async (name: string) => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name, exact: true }).click(),
      ]);
      return readFileSync((await file.path())!, 'utf8');
    };

    const headForCsv = await verifyAndReadHead();
    const csv = (await download('CSV')).trim().split('\r\n');
    expect(csv[0]).toMatch(/^seq,occurred_at/);
    expect(csv.slice(1, -1).every((line) => /^\d+,[^,]+,[^,]+,credential\./.test(line))).toBe(true);
    expect(csv.at(-1)).toContain(`chain_head_hash=${headForCsv}`);

    // The CSV export is itself on the timeline, so the head moved: verify again.
    await page.reload();
    const headForNdjson = await verifyAndReadHead();
    expect(headForNdjson).not.toBe(headForCsv);
    const ndjson = (await download('NDJSON'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(ndjson.slice(0, -1).every((e) => e.action.startsWith('credential.') && e.agentSlug === 'deploy-bot')).toBe(
      true,
    );
    expect(ndjson.at(-1).trailer).toMatchObject({
      chainHeadHash: headForNdjson,
      filter: { agent: 'deploy-bot', group: 'credential' },
    });
    expect(ndjson.at(-1).trailer.events).toBe(ndjson.length - 1);
  },
);

test('an agent owner, who cannot read the whole timeline, opens an event’s details from the agent page', async ({
  page,
}) => {
  await signInAs(page, 'OWNER');
  await page.goto('/agents/deploy-bot');
  const events = page.getByRole('list', { name: /^Custody events of/ }).getByRole('listitem');
  await events
    .first()
    .getByRole('button', { name: /Details of event/ })
    .click();
  // Read when the dialog opens, with the reference the page handed this reader.
  const drawer = page.getByRole('dialog');
  await expect(drawer.getByTestId('event-hash')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(drawer.getByTestId('event-json')).toContainText('"seq"');
  await expect(drawer.getByRole('alert')).toHaveCount(0);
});
