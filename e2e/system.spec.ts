import { expect, test } from '@playwright/test';
import pg from 'pg';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

test('a security lead sees the background jobs run from their queues; other roles may not look', async ({
  browser,
}) => {
  const page = await pageAs(browser, DEMO.ADMIN);
  await page.goto('/');
  await page.getByRole('link', { name: 'System' }).click();
  await expect(page.getByRole('heading', { name: 'System' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Background jobs' });
  for (const title of [
    'Notification delivery',
    'Reminders and warnings that come due',
    'Exceptions and delegations that end',
    'Break-glass requests that lapse undecided',
    'Signed audit checkpoint',
    'Scheduled lifecycle reviews',
    'Findings sync',
    'Audit partitions ahead of the chain',
    'Audit-chain verification (incremental)',
    'Registry against its record',
  ]) {
    await expect(table.getByRole('row').filter({ hasText: title })).toBeVisible();
  }
  // The server works its queues as the application role (which owns nothing): the expiry sweep has run.
  const expiry = table.getByRole('row').filter({ hasText: 'Exceptions and delegations that end' });
  await expect(async () => {
    await page.reload();
    await expect(expiry.getByText('Not yet')).toHaveCount(0, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(table.getByRole('row').filter({ hasText: 'Findings sync' })).toContainText('cron */15 * * * * (UTC)');
  // And the registry against its record: a role given in the database, around Custodian, is named by the next check
  // (the scheduled one, or a lead's "Check now").
  await expect(page.getByRole('heading', { name: 'Registry against its record' })).toBeVisible();
  const checkNow = page.getByRole('button', { name: 'Check now' });
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const give = `UPDATE "User" SET "roles" = array_append("roles", 'PAM_APPROVER') WHERE "name" = $1`;
  // A delegation put in force by hand: one agent may act for another in production, which nobody asked for.
  const [delegate, principal] = (
    await db.query<{ id: string; slug: string }>(`SELECT "id", "slug" FROM "Agent" ORDER BY "slug" LIMIT 2`)
  ).rows;
  const grant = `INSERT INTO "DelegationGrant" ("id", "delegateId", "principalId", "tasks", "environments",
      "justification", "days", "status", "requestedById", "approvedById", "approvedAt", "expiresAt", "updatedAt")
    SELECT 'e2e-grant-by-hand', $1, $2, ARRAY['deploy'], ARRAY['PROD']::"Environment"[], 'by hand', 30, 'APPROVED',
      asker."id", approver."id", now(), now() + interval '30 days', now()
    FROM "User" asker, "User" approver WHERE asker."name" = $3 AND approver."name" = $4`;
  try {
    await db.query(give, [DEMO.AUDITOR]);
    await db.query(grant, [delegate!.id, principal!.id, DEMO.OWNER, DEMO.ADMIN]);
    await checkNow.click();
    await expect(page.getByText(/rows? differs? from the record/)).toBeVisible();
    const drift = page.getByRole('table', { name: 'Rows changed outside Custodian' });
    await expect(drift.getByRole('row').filter({ hasText: DEMO.AUDITOR })).toContainText(
      'holds PAM_APPROVER, which no event grants',
    );
    const byHand = drift.getByRole('row').filter({ hasText: `${delegate!.slug} acting for ${principal!.slug}` });
    await expect(byHand).toContainText('Delegation');
    await expect(byHand).toContainText('no event records it');
    await expect(page.getByRole('alert').filter({ hasText: 'changed outside Custodian' })).toBeVisible();
  } finally {
    await db.query(`DELETE FROM "DelegationGrant" WHERE "id" = 'e2e-grant-by-hand'`);
    await db.query(`UPDATE "User" SET "roles" = array_remove("roles", 'PAM_APPROVER') WHERE "name" = $1`, [
      DEMO.AUDITOR,
    ]);
    await db.end();
  }
  await expectNoA11yViolations(page);
  // Put back, the next check no longer names it.
  await checkNow.click();
  await expect(page.getByRole('row').filter({ hasText: DEMO.AUDITOR })).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: ' acting for ' })).toHaveCount(0);
  // Its results deleted in the database: the chain still records the check, and the page says its result is gone.
  const owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  await owner.query(`DELETE FROM "RegistryCheck"`).finally(() => owner.end());
  await page.reload();
  const gone = page.getByRole('alert').filter({ hasText: 'whose result is gone' });
  await expect(gone).toContainText('results were deleted in the database');
  await expect(page.getByText('Not checked yet')).toHaveCount(0);
  await checkNow.click();
  await expect(gone).toHaveCount(0);

  for (const role of [DEMO.AUDITOR, DEMO.OWNER, DEMO.PAM_APPROVER]) {
    const other = await pageAs(browser, role);
    expect((await other.goto('/system'))?.status(), role).toBe(403);
    await other.context().close();
  }
});
