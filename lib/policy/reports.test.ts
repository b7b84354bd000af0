import { describe, expect, it } from 'vitest';
import { changeAgentStatus } from '@/lib/agents/commands';
import { issueCredential, revokeCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { Invalid } from '@/lib/errors';
import { issueEnvVarKey, makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { frameworkReport, parseAsOf } from './reports';
import { syncFindings } from './trend';

describe('framework reports', () => {
  it('count each failing agent once per control, however many of its credentials fail', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id, name: 'Report agent', environments: ['DEV'] });
    for (const name of ['leaky-a', 'leaky-b', 'leaky-c']) {
      await issueEnvVarKey(admin, agent.id, name);
    }
    const report = (await frameworkReport(admin, 'owasp-nhi-2025'))!;
    const leakage = report.controls.find((c) => c.item.id === 'NHI2:2025')!;
    expect(leakage.rules.map((r) => r.id)).toContain('credential-unsafe-storage');
    expect(leakage.failing.filter((a) => a.slug === agent.slug)).toHaveLength(1);
    // Counted independently of the report: agents in service, and those with an unrevoked credential in unsafe storage.
    const [counts] = await getDb().$queryRaw<{ in_service: bigint; leaking: bigint }[]>`
      SELECT count(*) FILTER (WHERE a."status" <> 'RETIRED') AS in_service,
             count(*) FILTER (WHERE a."status" <> 'RETIRED' AND EXISTS (
               SELECT 1 FROM "Credential" c WHERE c."agentId" = a."id" AND c."revokedAt" IS NULL
                 AND c."storage" IN ('ENV_VAR', 'CONFIG_FILE', 'LOCAL_DISK', 'PROMPT_OR_CONTEXT'))) AS leaking
      FROM "Agent" a`;
    expect(report.agentsInScope).toBe(Number(counts!.in_service));
    expect(leakage.failingAgents).toBe(Number(counts!.leaking));
    expect(leakage.passingAgents).toBe(Number(counts!.in_service) - Number(counts!.leaking));
    // A second agent with its credential in the vault passes: the passing count grows, the failing one does not.
    const safe = await makeAgent(admin, { ownerId: admin.id, name: 'Vaulted agent', environments: ['DEV'] });
    await issueCredential(admin, {
      agentId: safe.id,
      name: 'vaulted',
      kind: 'API_KEY',
      issuance: 'DYNAMIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'DEV',
    });
    const after = (await frameworkReport(admin, 'owasp-nhi-2025'))!.controls.find((c) => c.item.id === 'NHI2:2025')!;
    expect(after.failingAgents).toBe(leakage.failingAgents);
    expect(after.passingAgents).toBe(leakage.passingAgents! + 1);
    expect(after.failing.map((a) => a.slug)).not.toContain(safe.slug);
  });

  it('as of a date, from the timeline: open before its close, closed after; the chain head named', async () => {
    const admin = await createPerson(['ADMIN']);
    const before = new Date();
    const agent = await makeAgent(admin, { ownerId: admin.id, name: 'As-of agent', environments: ['DEV'] });
    const { id } = await issueEnvVarKey(admin, agent.id, 'env-key');
    await syncFindings();
    const afterOpening = (await getDb().auditEvent.aggregate({ _max: { seq: true } }))._max.seq!;
    const whileOpen = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await revokeCredential(admin, { credentialId: id, reason: 'Moved to the vault' });
    await syncFindings();
    const afterClose = new Date();
    const leakage = async (asOf: Date) => {
      const report = (await frameworkReport(admin, 'owasp-nhi-2025', { asOf }))!;
      return { report, control: report.controls.find((c) => c.item.id === 'NHI2:2025')! };
    };

    const open = await leakage(whileOpen);
    expect(open.control.failing.map((a) => a.slug)).toContain(agent.slug);
    // The head named is the last event before that moment: the sync's last append.
    const head = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: afterOpening }, select: { hash: true } });
    expect(open.report.asOf?.head).toEqual({ seq: afterOpening, hash: head.hash });
    expect(open.report.asOf?.at).toEqual(whileOpen);

    const closed = await leakage(afterClose);
    expect(closed.control.failing.map((a) => a.slug)).not.toContain(agent.slug);
    // Today's state says the same as the timeline now.
    const today = (await frameworkReport(admin, 'owasp-nhi-2025'))!.controls.find((c) => c.item.id === 'NHI2:2025')!;
    expect(today.failing.map((a) => a.slug)).not.toContain(agent.slug);
    // Before the agent existed: not in scope, not failing.
    const earlier = await leakage(before);
    expect(earlier.control.failing.map((a) => a.slug)).not.toContain(agent.slug);
    expect(earlier.report.agentsInScope).toBeLessThan(open.report.agentsInScope);
    // A rebuilt findings state does not rewrite the past.
    await getDb().findingState.deleteMany({});
    await syncFindings();
    expect((await leakage(whileOpen)).control.failing.map((a) => a.slug)).toContain(agent.slug);
    expect((await leakage(new Date())).control.failing.map((a) => a.slug)).not.toContain(agent.slug);
  });

  it('a rebuild of the findings state opens nothing twice and closes, on the chain, what went meanwhile', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id, name: 'Rebuild agent', environments: ['DEV'] });
    const key = (name: string) => issueEnvVarKey(admin, agent.id, name);
    const [stays, goes] = [await key('rebuild-stays'), await key('rebuild-goes')];
    await syncFindings();
    await getDb().findingState.deleteMany({});
    await revokeCredential(admin, { credentialId: goes.id, reason: 'Moved to the vault' });
    await syncFindings();
    const events = async (credentialId: string) =>
      (
        await getDb().auditEvent.findMany({
          where: { credentialId, action: { in: ['finding.opened', 'finding.closed'] } },
          orderBy: { seq: 'asc' },
          select: { action: true, details: true },
        })
      ).filter((e) => (e.details as { ruleId?: string }).ruleId === 'credential-unsafe-storage');
    expect((await events(stays.id)).map((e) => e.action)).toEqual(['finding.opened']);
    expect((await events(goes.id)).map((e) => e.action)).toEqual(['finding.opened', 'finding.closed']);
    // The state is whole again: the finding that stays is open, with its opening's time, once.
    expect(await getDb().findingState.count({ where: { credentialId: stays.id } })).toBeGreaterThan(0);
    const nhi2 = (await frameworkReport(admin, 'owasp-nhi-2025', { asOf: new Date() }))!.controls.find(
      (c) => c.item.id === 'NHI2:2025',
    )!;
    expect(nhi2.failing.map((a) => a.slug)).toContain(agent.slug);
  });

  it('a finding open since before the chain kept findings gets its opening once, backfilled', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id, name: 'Old finding agent', environments: ['DEV'] });
    await issueEnvVarKey(admin, agent.id, 'old-env-key');
    await syncFindings();
    // As the upgrade leaves it: the finding in the state, its event not on the chain (here: marked so).
    await getDb().findingState.updateMany({ where: { agentId: agent.id }, data: { onChain: false } });
    const openings = () =>
      getDb().auditEvent.findMany({
        where: { agentId: agent.id, action: 'finding.opened', details: { path: ['backfilled'], equals: true } },
      });
    const notified = await getDb().notification.count();
    await syncFindings();
    const backfilled = await openings();
    expect(backfilled.length).toBeGreaterThan(0);
    expect(backfilled.every((e) => e.occurredAt < e.recordedAt)).toBe(true);
    expect(await getDb().notification.count()).toBe(notified);
    await syncFindings();
    expect(await openings()).toHaveLength(backfilled.length);
  });

  it('evidence counts the processes from the timeline, in the window ending at the moment described', async () => {
    const admin = await createPerson(['ADMIN']);
    const decommissioning = async (asOf?: Date) =>
      (await frameworkReport(admin, 'nist-ai-rmf', { asOf }))!.controls.find((c) => c.item.id === 'GOVERN 1.7')!;
    const before = new Date();
    const control = await decommissioning(before);
    expect(control.state).toBe('evidenced');
    const counted = (c: typeof control) => c.evidence.find((e) => e.id === 'decommissioning')!;
    const start = counted(control);
    const agent = await makeAgent(admin, { ownerId: admin.id, name: 'Decommissioned', environments: ['DEV'] });
    const { version } = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
    await changeAgentStatus(admin, { id: agent.id, version, to: 'RETIRED', reason: 'Replaced by the new pipeline' });
    const after = counted(await decommissioning());
    expect(after.count).toBe(start.count + 1);
    expect(after.qualified).toEqual({ label: 'retired', count: start.qualified!.count + 1 });
    expect(after.href).toMatch(/^\/timeline\?group=agent&from=\d{4}-\d{2}-\d{2}&to=/);
    // The past does not change: as of before the retirement, the count is what it was.
    expect(counted(await decommissioning(before)).count).toBe(start.count);
    // A process with no record in the window is shown with zero, still evidenced (the state is what Custodian runs).
    const outside = (await frameworkReport(admin, 'csa-maestro'))!.controls.find((c) => c.item.id === 'L1')!;
    expect(outside).toMatchObject({ state: 'outside', rules: [], evidence: [], failingAgents: null });
    expect(outside.item.outside?.reason).toBeTruthy();
  });

  it('a report date is a past day or an ISO instant with its offset', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    expect(parseAsOf('2026-09-30', now)).toEqual(new Date('2026-09-30T23:59:59.999Z'));
    expect(parseAsOf('2026-09-30T17:00:00+02:00', now)).toEqual(new Date('2026-09-30T15:00:00Z'));
    // Today's end has not come: the report is of now.
    expect(parseAsOf('2026-12-02', now)).toEqual(now);
    expect(parseAsOf('', now)).toBeNull();
    const refused = ['2027-01-01', '2026-12-02T12:00:01Z', 'last quarter', '2026-02-30', '2026-09-30T17:00', '1'];
    // Year 0 and the like: no record before 1970 (PostgreSQL would refuse year 0 outright).
    for (const bad of [...refused, '0001-01-01', '1969-12-31T23:59:59Z']) {
      expect(() => parseAsOf(bad, now), bad).toThrow(Invalid);
    }
  });
});
