import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { Forbidden, Invalid } from '@/lib/errors';
import { makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { withoutAuditRecord } from '@/lib/testing/fingerprint-sql';
import { createPerson } from '@/lib/testing/people';
import { issueCredential, recordCredentialUse, revokeCredential, rotateCredential } from './commands';

const base = {
  name: 'ci-token',
  kind: 'API_KEY',
  issuance: 'STATIC',
  storage: 'CI_SECRET',
  secretRef: 'ci:DEPLOY_TOKEN',
  environment: 'PROD',
};

describe('credential custody', () => {
  it(
    'issue, use, rotate and revoke are separate events; a revoked credential cannot be rotated or re-issued ' +
      'under its name',
    async () => {
      const owner = await createPerson(['OWNER']);
      const agent = await makeAgent(owner);
      const { id } = await issueCredential(owner, {
        agentId: agent.id,
        ...base,
        privileged: 'on',
        maxTtlSeconds: '3600',
      });
      expect(await getDb().credential.findUniqueOrThrow({ where: { id } })).toMatchObject({
        privileged: true,
        boundToWorkloadIdentity: false,
        maxTtlSeconds: 3600,
      });
      await recordCredentialUse(owner, { credentialId: id, context: 'nightly deploy' });
      await rotateCredential(owner, { credentialId: id, reason: 'Scheduled' });
      await revokeCredential(owner, { credentialId: id, reason: 'Leaked in a log' });
      await expect(rotateCredential(owner, { credentialId: id })).rejects.toThrow(/revoked: it cannot be rotated/);
      await expect(issueCredential(owner, { agentId: agent.id, ...base })).rejects.toMatchObject({
        fieldErrors: { name: [expect.stringMatching(/choose a new one/)] },
      });
      // A use reported after revocation is recorded as evidence, marked.
      await expect(recordCredentialUse(owner, { credentialId: id })).resolves.toEqual({ afterRevocation: true });
      const events = await getDb().auditEvent.findMany({ where: { credentialId: id }, orderBy: { seq: 'asc' } });
      expect(events.map((e) => e.action)).toEqual([
        'credential.issued',
        'credential.used',
        'credential.rotated',
        'credential.revoked',
        'credential.used',
      ]);
      expect(events[3]?.details).toEqual({ name: 'ci-token', reason: 'Leaked in a log' });
      expect(events[4]?.details).toMatchObject({ afterRevocation: true });
      expect(await getDb().credential.findUniqueOrThrow({ where: { id } })).toMatchObject({
        revokedById: owner.id,
        revokeReason: 'Leaked in a log',
      });
    },
  );

  it(
    'refuses a secret value in any field, says Custodian stores metadata only, and never echoes, stores or logs ' +
      'it',
    async () => {
      const owner = await createPerson(['OWNER']);
      const agent = await makeAgent(owner);
      const secret = `ghp_${'aB3dE'.repeat(7)}x`;
      const before = await databaseFingerprint();
      for (const field of ['secretRef', 'scope', 'name']) {
        const error = await issueCredential(owner, { agentId: agent.id, ...base, [field]: secret }).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Invalid);
        const fieldErrors = (error as Invalid).fieldErrors[field] ?? [];
        expect(fieldErrors.join(' ')).toMatch(/stores metadata only/);
        expect(
          JSON.stringify({ message: (error as Error).message, fieldErrors: (error as Invalid).fieldErrors }),
        ).not.toContain(secret);
      }
      // Nothing governed changed; each refusal is one alarm on the timeline, naming the field and rule, not the value.
      // The alarm is appended to the timeline (and moves the chain head); nothing else changes.
      const governed = withoutAuditRecord(await databaseFingerprint());
      const governedBefore = withoutAuditRecord(before);
      expect(governed).toEqual(governedBefore);
      const alarms = await getDb().auditEvent.findMany({
        where: { action: 'input.secret_refused', actorId: owner.id },
        orderBy: { seq: 'asc' },
      });
      expect(alarms.map((a) => (a.details as { fields: { field: string }[] }).fields[0]!.field)).toEqual([
        'secretRef',
        'scope',
        'name',
      ]);
      expect(alarms.every((a) => a.agentId === agent.id)).toBe(true);
      expect(JSON.stringify(alarms.map((a) => a.details))).not.toContain(secret);
    },
  );

  it('only the agent’s owner or a security lead records custody', async () => {
    const owner = await createPerson(['OWNER']);
    const stranger = await createPerson(['OWNER']);
    const auditor = await createPerson(['AUDITOR']);
    const agent = await makeAgent(owner);
    await expect(issueCredential(stranger, { agentId: agent.id, ...base })).rejects.toThrow(Forbidden);
    await expect(issueCredential(auditor, { agentId: agent.id, ...base })).rejects.toThrow(/permission/);
  });
});
