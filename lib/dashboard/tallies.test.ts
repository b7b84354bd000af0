// The dashboard's agent and credential figures are tallies the database keeps: held here to a recount of the tables
// after writes of every kind (through the domain, by a trigger's cascade, in bulk as the owner), across folds, and
// while writes and folds race.
import { describe, expect, it } from 'vitest';
import { changeAgentStatus } from '@/lib/agents/commands';
import { getDb } from '@/lib/db';
import { issueEnvVarKey, issueVaultedProdKey, makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { foldTallies, readAgentTally, readCredentialTally } from './tallies';

const db = () => getDb();

/** Rows as a map from key to count, without zeros, so two answers compare whatever their row order. */
const byKey = (rows: Record<string, unknown>[], count: string[]) =>
  Object.fromEntries(
    rows
      .map((r) => {
        const key = Object.entries(r)
          .filter(([k]) => !count.includes(k))
          .map(([k, v]) => `${k}=${String(v)}`)
          .sort()
          .join(',');
        return [key, count.map((k) => Number(r[k])).join('/')] as const;
      })
      .filter(([, v]) => v.split('/').some((n) => n !== '0')),
  );

/** What the dashboard's passes over the tables answered before the tallies. */
async function recount() {
  const agents = await db().$queryRaw<Record<string, unknown>[]>`
    SELECT a."status"::text AS "status", CASE WHEN a."status" <> 'RETIRED' THEN a."riskTier"::text END AS tier,
           count(*) AS n, count(*) FILTER (WHERE NOT a."orphaned" AND a."planesAssigned" = 3) AS complete,
           count(*) FILTER (WHERE a."orphaned") AS orphaned
    FROM "Agent" a GROUP BY 1, 2`;
  const credentials = await db().$queryRaw<Record<string, unknown>[]>`
    SELECT "storage"::text AS "storage", "issuance"::text AS "issuance", count(*) AS n FROM "Credential"
    WHERE "revokedAt" IS NULL GROUP BY GROUPING SETS (("storage"), ("issuance"))`;
  return { agents: byKey(agents, ['n', 'complete', 'orphaned']), credentials: byKey(credentials, ['n']) };
}

async function tallied() {
  return {
    agents: byKey(await readAgentTally(db()), ['n', 'complete', 'orphaned']),
    credentials: byKey(await readCredentialTally(db()), ['n']),
  };
}

const rowsHeld = async () => {
  const [held] = await db().$queryRaw<{ n: bigint }[]>`
    SELECT (SELECT count(*) FROM "AgentTally") + (SELECT count(*) FROM "CredentialTally") AS n`;
  return Number(held!.n);
};

describe('dashboard tallies', () => {
  it('follow every write to agents and credentials, whoever makes it, and equal a recount across a fold', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const pam = await createPerson(['PAM_APPROVER']);
    expect(await tallied()).toEqual(await recount());

    // Through the domain: registered, made active (owner, planes), suspended, credentials issued and one revoked.
    const active = await makeActiveAgent(admin, { ownerId: owner.id, environments: ['PROD', 'DEV'] }, { PAM: pam.id });
    const proposed = await makeAgent(admin, { riskTier: 'LOW' });
    await issueVaultedProdKey(admin, active.id, 'deploy-key');
    const { id: envKey } = await issueEnvVarKey(admin, active.id, 'env-key');
    await changeAgentStatus(admin, { id: proposed.id, version: proposed.version, to: 'RETIRED', reason: 'Not needed' });
    const before = await recount();
    expect(await tallied()).toEqual(before);
    expect(before.agents['status=ACTIVE,tier=HIGH']).toBe('1/1/0');

    // By a trigger's cascade: the PAM owner leaves, so the agent is orphaned and no longer complete.
    await db().user.update({ where: { id: pam.id }, data: { active: false } });
    const orphaned = await recount();
    expect(orphaned.agents['status=ACTIVE,tier=HIGH']).toBe('1/0/1');
    expect(await tallied()).toEqual(orphaned);

    // Revoked: out of the live credentials.
    await db().credential.update({ where: { id: envKey }, data: { revokedAt: new Date() } });
    // In bulk, as the owner, beside the application: many rows in one statement, then deleted again.
    await asOwner(
      `INSERT INTO "Agent" ("id", "slug", "name", "kind", "environments", "riskTier", "status", "updatedAt")
       SELECT 'bulk-' || g, 'bulk-' || g, 'Bulk ' || g, 'CI_AGENT', '{PROD}', 'MEDIUM', 'PROPOSED', now()
       FROM generate_series(1, 50) g`,
      `UPDATE "Agent" SET "riskTier" = 'CRITICAL' WHERE "slug" LIKE 'bulk-%' AND "slug" <= 'bulk-2'`,
    );
    expect(await tallied()).toEqual(await recount());
    await asOwner(`DELETE FROM "Agent" WHERE "slug" LIKE 'bulk-%'`);
    expect(await tallied()).toEqual(await recount());
    expect(await recount()).not.toEqual(before);

    // A fold: the same figures, one row per key.
    const figures = await tallied();
    await foldTallies(db());
    expect(await tallied()).toEqual(figures);
    const [keys] = await db().$queryRaw<{ n: bigint }[]>`
      SELECT (SELECT count(*) FROM (SELECT DISTINCT "status", "riskTier", NOT "orphaned" AND "planesAssigned" = 3,
                "orphaned" FROM "Agent") a)
           + (SELECT count(*) FROM (SELECT DISTINCT "storage", "issuance" FROM "Credential"
                WHERE "revokedAt" IS NULL) c) AS n`;
    expect(await rowsHeld()).toBe(Number(keys!.n));
  });

  it('a tally edited by hand is right again after the next fold', async () => {
    const admin = await createPerson(['ADMIN']);
    await makeAgent(admin);
    await asOwner(`INSERT INTO "AgentTally" ("status", "riskTier", "complete", "orphaned", "n")
      VALUES ('ACTIVE', 'CRITICAL', true, false, 1000)`);
    expect(await tallied()).not.toEqual(await recount());
    await foldTallies(db());
    expect(await tallied()).toEqual(await recount());
  });

  it('writes racing folds are each counted once', async () => {
    const admin = await createPerson(['ADMIN']);
    // A write that commits after a fold's snapshot: its rows are neither deleted nor counted by that fold.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const started = new Promise<void>((resolve) => (inserted = resolve));
    const slow = db().$transaction(
      async (tx) => {
        await tx.$executeRaw`
          INSERT INTO "Agent" ("id", "slug", "name", "kind", "environments", "riskTier", "status", "updatedAt")
          VALUES ('held-agent', 'held-agent', 'Held', 'CI_AGENT', '{PROD}', 'LOW', 'PROPOSED', now())`;
        inserted();
        await held;
      },
      { timeout: 20_000 },
    );
    await started;
    await foldTallies(db());
    release();
    await slow;
    expect(await tallied()).toEqual(await recount());

    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => makeAgent(admin, { riskTier: i % 2 ? 'LOW' : 'CRITICAL' })),
      foldTallies(db()),
      foldTallies(db()),
      foldTallies(db()),
    ]);
    expect(await tallied()).toEqual(await recount());
    await foldTallies(db());
    expect(await tallied()).toEqual(await recount());
  });
});
