import { describe, expect, it } from 'vitest';
import { issueCredential, rotateCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden } from '@/lib/errors';
import { makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { listEligibleApprovers } from './approvers';
import { decideException, expireDueExceptions, requestException, revokeException, withdrawException } from './commands';
import { awaitingRotation } from './rotation';

async function setup(tier: 'CRITICAL' | 'HIGH' = 'CRITICAL') {
  const admin = await createPerson(['ADMIN']);
  const owner = await createPerson(['OWNER']);
  const pam1 = await createPerson(['PAM_APPROVER']);
  const pam2 = await createPerson(['PAM_APPROVER']);
  const agent = await makeAgent(admin, { ownerId: owner.id, riskTier: tier });
  const { id: credentialId } = await issueCredential(owner, {
    agentId: agent.id,
    name: 'deploy-key',
    kind: 'API_KEY',
    issuance: 'STATIC',
    storage: 'VAULT_OR_BROKER',
    secretRef: 'vault:kv/prod/x/deploy-key',
    environment: 'PROD',
  });
  return { admin, owner, pam1, pam2, agent, credentialId };
}

const status = async (id: string) => (await getDb().exception.findUniqueOrThrow({ where: { id } })).status;
const decide = (actor: Awaited<ReturnType<typeof createPerson>>, exceptionId: string, outcome: 'APPROVE' | 'REJECT') =>
  decideException(actor, { exceptionId, outcome, reason: `${outcome.toLowerCase()} for test` });

describe('exceptions', () => {
  it('windows are bounded by policy per type; break-glass on a CRITICAL agent needs two approvers', async () => {
    const { owner, agent, credentialId } = await setup();
    const before = await databaseFingerprint();
    await expect(
      requestException(owner, {
        agentId: agent.id,
        type: 'BREAK_GLASS',
        noCredentialReason: 'Console access only',
        justification: 'Prod outage',
        durationHours: 5,
      }),
    ).rejects.toMatchObject({
      fieldErrors: { durationHours: ['At most 4 hours for this type.'] },
    });
    await expect(
      requestException(owner, {
        agentId: agent.id,
        type: 'PERSISTENT_TOKEN',
        justification: 'Vendor limit',
        durationHours: 14 * 24 + 1,
      }),
    ).rejects.toThrow(/at most 336 hours/);
    expect(await databaseFingerprint()).toEqual(before);
    const bg = await requestException(owner, {
      agentId: agent.id,
      credentialIds: [credentialId],
      type: 'BREAK_GLASS',
      justification: 'Prod outage',
      durationHours: 4,
    });
    expect(bg.requiredApprovals).toBe(2);
    const other = await requestException(owner, {
      agentId: agent.id,
      type: 'CACHED_SECRET',
      justification: 'Offline batch',
      durationHours: 168,
    });
    expect(other.requiredApprovals).toBe(1);
  });

  it(
    'only the owner (or a security lead) requests; the requester never decides; two approvers needed; the same ' +
      'approver counts once',
    async () => {
      const { owner, pam1, pam2, agent, credentialId } = await setup();
      const stranger = await createPerson(['OWNER']);
      await expect(
        requestException(stranger, { agentId: agent.id, type: 'OTHER', justification: 'Not mine', durationHours: 1 }),
      ).rejects.toThrow(Forbidden);
      const pamRequester = await createPerson(['PAM_APPROVER', 'ADMIN']);
      const own = await requestException(pamRequester, {
        agentId: agent.id,
        type: 'OTHER',
        justification: 'Self',
        durationHours: 1,
      });
      await expect(decide(pamRequester, own.id, 'APPROVE')).rejects.toThrow(/someone else must decide/);
      await expect(decide(owner, own.id, 'APPROVE')).rejects.toThrow(Forbidden); // owners hold no exception.decide

      const { id } = await requestException(owner, {
        agentId: agent.id,
        credentialIds: [credentialId],
        type: 'BREAK_GLASS',
        justification: 'Prod outage',
        durationHours: 2,
      });
      await expect(decide(pam1, id, 'APPROVE')).resolves.toEqual({ status: 'PENDING', approvals: 1 });
      await expect(decide(pam1, id, 'APPROVE')).rejects.toThrow(/already decided/);
      await expect(decide(pam2, id, 'APPROVE')).resolves.toEqual({ status: 'APPROVED', approvals: 2 });
      const decisions = await getDb().exceptionDecision.count({ where: { exceptionId: id } });
      expect(decisions).toBe(2);
      const events = await getDb().auditEvent.findMany({
        where: { details: { path: ['exceptionId'], equals: id } },
        orderBy: { seq: 'asc' },
      });
      expect(events.map((e) => e.action)).toEqual(['exception.requested', 'exception.approved', 'exception.approved']);
    },
  );

  it('nobody approves a request that was rejected or withdrawn; only the requester withdraws', async () => {
    const { owner, pam1, pam2, agent } = await setup('HIGH');
    const a = await requestException(owner, {
      agentId: agent.id,
      type: 'BROAD_SCOPE',
      justification: 'Migration',
      durationHours: 24,
    });
    await decide(pam1, a.id, 'REJECT');
    await expect(decide(pam2, a.id, 'APPROVE')).rejects.toThrow(/already rejected/);
    const b = await requestException(owner, {
      agentId: agent.id,
      type: 'BROAD_SCOPE',
      justification: 'Migration',
      durationHours: 24,
    });
    await expect(withdrawException(pam1, { exceptionId: b.id, reason: 'Not yours' })).rejects.toThrow(Forbidden);
    await withdrawException(owner, { exceptionId: b.id, reason: 'No longer needed' });
    await expect(decide(pam1, b.id, 'APPROVE')).rejects.toThrow(/already withdrawn/);
  });

  it(
    'an approved exception expires at its end, once; reads past expiry never count it as active; break-glass ' +
      'then needs rotation and opens a post-incident review',
    async () => {
      const { owner, pam1, pam2, agent, credentialId } = await setup();
      const { id } = await requestException(owner, {
        agentId: agent.id,
        credentialIds: [credentialId],
        type: 'BREAK_GLASS',
        justification: 'Outage',
        durationHours: 1,
      });
      await decide(pam1, id, 'APPROVE');
      await decide(pam2, id, 'APPROVE');
      const later = new Date(Date.now() + 2 * 3_600_000);
      expect(await expireDueExceptions(new Date())).toBe(0);
      expect(await expireDueExceptions(later)).toBeGreaterThanOrEqual(1);
      expect(await expireDueExceptions(later)).toBe(0);
      expect(await status(id)).toBe('EXPIRED');
      expect(
        await getDb().auditEvent.count({
          where: { action: 'exception.expired', details: { path: ['exceptionId'], equals: id } },
        }),
      ).toBe(1);
      const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
      expect(review.triggers).toContain('POST_INCIDENT');
      expect(await awaitingRotation(getDb(), { agentId: agent.id })).toMatchObject([
        { exceptionId: id, credentialName: 'deploy-key' },
      ]);
      await getDb().exception.update({ where: { id }, data: { endedAt: new Date(Date.now() - 1000) } });
      await rotateCredential(owner, { credentialId, reason: 'After break-glass' });
      expect(await awaitingRotation(getDb(), { agentId: agent.id })).toEqual([]);
    },
  );

  it('a PAM approver revokes early with a reason; a revoked or expired one cannot be revoked again', async () => {
    const { owner, pam1, agent } = await setup('HIGH');
    const { id } = await requestException(owner, {
      agentId: agent.id,
      type: 'PERSISTENT_TOKEN',
      justification: 'Vendor',
      durationHours: 48,
    });
    await decide(pam1, id, 'APPROVE');
    await expect(revokeException(owner, { exceptionId: id, reason: 'x y z' })).rejects.toThrow(Forbidden);
    await expect(revokeException(pam1, { exceptionId: id, reason: 'Vendor fixed it' })).resolves.toBe('Revoked.');
    await expect(revokeException(pam1, { exceptionId: id, reason: 'Again' })).rejects.toThrow(/revoked/);
    expect(await getDb().exception.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'REVOKED',
      revokeReason: 'Vendor fixed it',
      revokedById: pam1.id,
    });
  });

  it('lists who can approve: PAM approvers but the requester, the PAM control owner first', async () => {
    const { admin, owner, pam1, agent } = await setup();
    const pamOwner = await createPerson(['PAM_APPROVER'], { name: 'ZZ last by name' });
    await getDb().controlAssignment.create({
      data: { agentId: agent.id, plane: 'PAM', userId: pamOwner.id, assignedById: admin.id },
    });
    const approvers = await listEligibleApprovers(pam1, agent.id);
    expect(approvers[0]).toMatchObject({ id: pamOwner.id, isPamOwner: true });
    expect(approvers.some((a) => a.id === pam1.id)).toBe(false);
    expect((await listEligibleApprovers(owner, agent.id)).some((a) => a.id === pam1.id)).toBe(true);
  });
});

describeWithPostgresServer('exception decisions under concurrency', () => {
  it('two distinct approvers at the same moment both count (20 rounds)', async () => {
    const { owner, pam1, pam2, agent } = await setup();
    for (let round = 0; round < 20; round++) {
      const { id } = await requestException(owner, {
        agentId: agent.id,
        type: 'BREAK_GLASS',
        noCredentialReason: 'Console access only',
        justification: `Round ${round}`,
        durationHours: 1,
      });
      const results = await Promise.allSettled([decide(pam1, id, 'APPROVE'), decide(pam2, id, 'APPROVE')]);
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      expect(await status(id)).toBe('APPROVED');
      expect(await getDb().exceptionDecision.count({ where: { exceptionId: id, outcome: 'APPROVE' } })).toBe(2);
    }
  });

  it('the same approver twice at the same moment counts once (20 rounds)', async () => {
    const { owner, pam1, agent } = await setup();
    for (let round = 0; round < 20; round++) {
      const { id } = await requestException(owner, {
        agentId: agent.id,
        type: 'BREAK_GLASS',
        noCredentialReason: 'Console access only',
        justification: `Round ${round}`,
        durationHours: 1,
      });
      const results = await Promise.allSettled([decide(pam1, id, 'APPROVE'), decide(pam1, id, 'APPROVE')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);
      expect(await status(id)).toBe('PENDING');
    }
  });

  it('approve and reject at the same moment: exactly one wins, the other gets a clear error (20 rounds)', async () => {
    const { owner, pam1, pam2, agent } = await setup('HIGH');
    const outcomes = new Set<string>();
    for (let round = 0; round < 20; round++) {
      const { id } = await requestException(owner, {
        agentId: agent.id,
        type: 'OTHER',
        justification: `Round ${round}`,
        durationHours: 1,
      });
      const results = await Promise.allSettled([decide(pam1, id, 'APPROVE'), decide(pam2, id, 'REJECT')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(loser?.reason).toBeInstanceOf(Conflict);
      expect(loser?.reason.message).toMatch(/already (in force|rejected)/);
      const final = await status(id);
      outcomes.add(final);
      expect(await getDb().exceptionDecision.count({ where: { exceptionId: id } })).toBe(1);
    }
    expect([...outcomes].every((o) => o === 'APPROVED' || o === 'REJECTED')).toBe(true);
  });

  it('two sweepers at once expire each exception exactly once', async () => {
    const { owner, pam1, agent } = await setup('HIGH');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { id } = await requestException(owner, {
        agentId: agent.id,
        type: 'OTHER',
        justification: `Sweep ${i}`,
        durationHours: 1,
      });
      await decide(pam1, id, 'APPROVE');
      ids.push(id);
    }
    const later = new Date(Date.now() + 2 * 3_600_000);
    const [a, b] = await Promise.all([expireDueExceptions(later), expireDueExceptions(later)]);
    expect(a + b).toBeGreaterThanOrEqual(30);
    for (const id of ids) {
      expect(await status(id)).toBe('EXPIRED');
      expect(
        await getDb().auditEvent.count({
          where: { action: 'exception.expired', details: { path: ['exceptionId'], equals: id } },
        }),
      ).toBe(1);
    }
  });
});
