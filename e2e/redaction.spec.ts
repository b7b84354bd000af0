import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { runOfflineVerifier } from '../lib/testing/pack-verifier';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

const PUBLIC_KEY = path.resolve('.data/e2e-keys/audit-public-key.pem');

/** Saves the owner's agent description and waits for it to show. */
async function describeAgent(page: Page, description: string) {
  await page.goto('/agents/refund-assistant');
  await page.getByText('Edit name, description, kind, tier, environments').click();
  await page.getByLabel('Description', { exact: true }).fill(description);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(description).first()).toBeVisible();
}

test(
  'a password pasted into an agent’s description leaves the timeline: a security lead asks, an auditor approves, ' +
    'the chain still verifies and the evidence pack verifies offline, showing the redaction',
  async ({ browser }) => {
    test.setTimeout(120_000);
    // Not a shape the input guard knows, so it got in: a person's password in prose.
    const leak = `Tr0ub4dor-${Date.now().toString(36)}`;
    const olivia = await pageAs(browser, DEMO.OWNER);
    await describeAgent(olivia, `Proposes refunds. Temporary login for the billing console: refunds-svc / ${leak}`);
    // She takes it out again; the timeline still holds it, twice (the edit's "to", then its "from").
    await describeAgent(olivia, 'Proposes refunds within policy for human approval.');

    // The security lead finds both events and asks for each field to be redacted.
    const sam = await pageAs(browser, DEMO.ADMIN);
    await sam.goto('/timeline?agent=refund-assistant&group=agent');
    const events = sam.getByRole('list', { name: 'Custody events, newest first' }).getByRole('listitem');
    // The newest two edits are this run's (a retry on the same database makes its own).
    const leaking = events.filter({ hasText: 'edited Refund assistant' });
    await expect(leaking.nth(1)).toBeVisible();
    const seqs: string[] = [];
    for (const i of [0, 1]) {
      await leaking
        .nth(i)
        .getByRole('button', { name: /Details of event/ })
        .click();
      const drawer = sam.getByRole('dialog');
      await expect(drawer.getByTestId('event-json')).toContainText(leak);
      const href = await drawer.getByRole('link', { name: 'Each field, and its redactions' }).getAttribute('href');
      seqs.push(new URL(href!, 'http://x').searchParams.get('seq')!);
      await drawer.getByRole('button', { name: 'Close' }).click();
    }
    for (const [seq, pointer] of [
      [seqs[0]!, '/changes/description/from'],
      [seqs[1]!, '/changes/description/to'],
    ] as const) {
      await sam.goto(`/timeline/redact?seq=${seq}`);
      await expect(sam.getByRole('row', { name: new RegExp(pointer) })).toContainText(leak);
      const form = sam.getByRole('form', { name: 'Ask for a redaction' });
      // Only free text is offered: the event's ids and kinds are not.
      await expect(form.getByRole('checkbox')).toHaveCount(2);
      await form.getByRole('button', { name: 'Ask an auditor to redact' }).click();
      await expect(form.getByText('Choose at least one field to redact.').first()).toBeVisible();
      await form.getByRole('checkbox', { name: pointer }).check();
      await form.getByLabel('Why').fill('A shared password in the description');
      await form.getByRole('button', { name: 'Ask an auditor to redact' }).click();
      await expect(form.getByText(/Redaction requested for one field of event #\d+: an auditor decides/)).toBeVisible();
      await sam.reload();
      await expect(sam.getByRole('row', { name: new RegExp(pointer) })).toContainText('Redaction waits for an auditor');
    }
    await expectNoA11yViolations(sam);

    // The lead cannot approve it: the Changes page offers them no decision on a redaction.
    const rowOf = (page: Page, seq: string) => page.getByRole('row', { name: new RegExp(`event #${seq}(?!\\d)`) });
    await sam.goto('/changes');
    for (const seq of seqs) {
      await expect(rowOf(sam, seq)).toContainText('Redaction');
      await expect(rowOf(sam, seq).getByRole('button', { name: 'Approve and apply' })).toHaveCount(0);
    }

    // An auditor decides each.
    const alex = await pageAs(browser, DEMO.AUDITOR);
    await alex.goto('/changes');
    for (const seq of seqs) {
      const row = rowOf(alex, seq);
      await expect(row).toContainText(/redact \/changes\/description\/(from|to) of event #\d+/);
      await row.getByLabel('Reason for your decision').fill('Confirmed: a live password');
      await row.getByRole('button', { name: 'Approve and apply' }).click();
      await expect(rowOf(alex, seq)).toHaveCount(0);
    }

    // The value is gone from the event's page and the timeline; each field reads as redacted.
    for (const seq of seqs) {
      await alex.goto(`/timeline/redact?seq=${seq}`);
      await expect(alex.getByText(/Redacted · red_/)).toBeVisible();
      await expect(alex.locator('body')).not.toContainText(leak);
    }
    await alex.goto('/timeline?agent=refund-assistant');
    await expect(alex.getByText(/redacted field \/changes\/description\/(from|to) of event/).first()).toBeVisible();
    await expect(alex.locator('body')).not.toContainText(leak);

    // The chain still verifies, signed.
    await alex.getByRole('button', { name: 'Verify now' }).click();
    await expect(alex.getByText(/^Verified: .* events up to seq \d+/)).toBeVisible();

    // The evidence pack carries no trace of the value, lists both redactions and verifies offline.
    const [download] = await Promise.all([
      alex.waitForEvent('download'),
      alex.getByRole('link', { name: 'Evidence pack' }).click(),
    ]);
    const zip = readFileSync((await download.path())!);
    const files = unzipSync(new Uint8Array(zip));
    const text = Object.values(files)
      .map((f) => strFromU8(f))
      .join('\n');
    expect(text).not.toContain(leak);
    expect(strFromU8(files['summary.md']!)).toContain('## Redacted fields');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pack-')), 'pack.zip');
    writeFileSync(file, zip);
    const cli = runOfflineVerifier(['--pack', file, '--public-key', PUBLIC_KEY]);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/Evidence pack verified/);
    expect(cli.stdout).toMatch(/Redacted: 2 field\(s\)/);
    for (const seq of seqs) expect(cli.stdout).toContain(`event ${seq}, field /changes/description/`);
  },
);
