import { describe, expect, it } from 'vitest';
import { issueCredential, revokeCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { parseSearchParams } from '@/lib/http/search-params';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { FindingsQuerySchema, listFindings } from './findings';
import { SEVERITIES } from './rules';
import { findingTrend, recomputeFindingsNow, syncFindings } from './trend';

const parseFindingsQuery = (params: Record<string, string>) => parseSearchParams(FindingsQuerySchema, params);

describe('the findings trend', () => {
  it('counts findings opened and closed per day from the sync, never by recomputing history', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id, environments: ['DEV', 'PROD'] });
    const first = await syncFindings();
    const { id } = await issueCredential(admin, {
      agentId: agent.id,
      name: 'leaky',
      kind: 'API_KEY',
      issuance: 'STATIC',
      storage: 'ENV_VAR',
      environment: 'DEV',
    });
    const second = await syncFindings();
    expect(second.opened).toBeGreaterThanOrEqual(1); // stored in an environment variable, among others
    expect(second.open).toBe(first.open + second.opened - second.closed);
    expect(await getDb().findingState.count({ where: { ruleId: 'credential-unsafe-storage', credentialId: id } })).toBe(
      1,
    );

    await revokeCredential(admin, { credentialId: id, reason: 'Moved to the vault' });
    const third = await syncFindings();
    expect(third.closed).toBeGreaterThanOrEqual(1);
    expect(await getDb().findingState.count({ where: { credentialId: id } })).toBe(0);
    // Running it again changes nothing.
    expect(await syncFindings()).toMatchObject({ opened: 0, closed: 0, open: third.open });

    const days = await findingTrend(admin, 90);
    expect(days).toHaveLength(90);
    const today = days.at(-1)!;
    expect(today.day).toBe(new Date().toISOString().slice(0, 10));
    expect(today.opened).toBe(first.opened + second.opened + third.opened);
    expect(today.closed).toBe(second.closed + third.closed);
    expect(today.open).toBe(third.open);
    // By severity, counted independently from the findings state the sync left.
    const bySeverity = await getDb().findingState.groupBy({ by: ['severityRank'], _count: { _all: true } });
    const counted = (rank: number) => bySeverity.find((g) => g.severityRank === rank)?._count._all ?? 0;
    expect([today.CRITICAL, today.HIGH, today.MEDIUM, today.LOW]).toEqual([0, 1, 2, 3].map(counted));
  });
});

describe('the findings page reads the last sync; an agent page computes live', () => {
  it(
    'lists synced findings most severe first with the sync’s count ' + 'and time, and recompute brings in a new one',
    async () => {
      const admin = await createPerson(['ADMIN']);
      const agent = await makeAgent(admin, {
        ownerId: admin.id,
        name: 'Synced findings agent',
        environments: ['DEV', 'PROD'],
      });
      const synced = new Date();
      await syncFindings(getDb(), synced);
      const before = await listFindings(admin, parseFindingsQuery({}));
      expect(before.asOf?.toISOString()).toBe(synced.toISOString());
      expect(before.total).toBe(await getDb().findingState.count());
      const ranks = before.findings.map((f) => SEVERITIES.indexOf(f.rule.severity));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

      // A new finding shows on the agent's page at once, on the registry's page after a sync.
      const { id } = await issueCredential(admin, {
        agentId: agent.id,
        name: 'leaky-2',
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'ENV_VAR',
        environment: 'DEV',
      });
      const unsafe = parseFindingsQuery({ rule: 'credential-unsafe-storage' });
      const live = await listFindings(admin, { ...unsafe, agent: agent.slug });
      expect(live.findings.map((f) => f.credential?.id)).toEqual([id]);
      expect((await listFindings(admin, unsafe)).findings.some((f) => f.credential?.id === id)).toBe(false);
      expect(await recomputeFindingsNow(admin, new Date(synced.getTime() + 30_000))).toBe(
        'Findings were recomputed less than a minute ago.',
      );
      expect(await recomputeFindingsNow(admin, new Date(synced.getTime() + 61_000))).toMatch(
        /^Recomputed in [\d.]+ s: [\d,]+ open, [1-9][\d,]* new, 0 closed since the last run\.$/,
      );
      const after = await listFindings(admin, unsafe);
      const row = after.findings.find((f) => f.credential?.id === id);
      expect(row).toMatchObject({
        agent: { slug: agent.slug, name: 'Synced findings agent' },
        detail: live.findings[0]!.detail,
      });
      expect(after.total).toBe(before.findings.filter((f) => f.rule.id === 'credential-unsafe-storage').length + 1);
      // "Mine" counts from the rows, not the per-rule totals.
      const mine = await listFindings(admin, { ...unsafe, owner: 'me' });
      expect(mine.total).toBe(mine.findings.length);
      expect(mine.findings.every((f) => f.agent.owner === admin.name)).toBe(true);
    },
  );
});
