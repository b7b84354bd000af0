// The rotation period a credential is held to, against the owner it governs: stating the policy's period today, or a
// longer one at issue, must not outlast a lead tightening the policy later; only a period a lead approved does.
import { describe, expect, it } from 'vitest';
import { decideChangeRequest } from '@/lib/change-requests/commands';
import { getDb } from '@/lib/db';
import { ingestEvents } from '@/lib/ingest/commands';
import { evaluateRule } from '@/lib/policy/evaluate';
import { ruleById } from '@/lib/policy/rules';
import { changeSetting } from '@/lib/settings/commands';
import { issueVaultedProdKey, makeActiveAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { authenticate } from '@/lib/tokens/bearer';
import { createToken } from '@/lib/tokens/commands';
import { updateCredential } from './commands';

const DAY = 86_400_000;

describe('the rotation period a credential is held to', () => {
  it('a period stated by the owner never outlasts the policy; one a lead approved does', async () => {
    const lead = await createPerson(['ADMIN']);
    const independent = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'MEDIUM' });
    const issue = (by: typeof owner, name: string, rotationPeriodDays: string) =>
      issueVaultedProdKey(by, agent.id, name, { secretRef: `vault:kv/prod/${name}`, rotationPeriodDays });
    const edit = async (id: string, fields: Record<string, string>) => {
      const row = await getDb().credential.findUniqueOrThrow({ where: { id } });
      return updateCredential(owner, {
        credentialId: id,
        version: row.version,
        storage: row.storage,
        secretRef: row.secretRef,
        scope: row.scope,
        rotationPeriodDays: row.rotationPeriodDays?.toString() ?? '',
        reason: 'Edited in the test',
        ...fields,
      });
    };
    /** The lead independent of the agent approves the credential's pending request. */
    const approveRequest = async (credentialId: string, reason: string) => {
      const request = await getDb().changeRequest.findFirstOrThrow({ where: { credentialId, status: 'PENDING' } });
      await decideChangeRequest(independent, {
        changeRequestId: request.id,
        version: request.version,
        outcome: 'APPROVE',
        reason,
      });
    };
    // Ten years at issue is the loosening an edit would send to a lead: refused, with the way to ask.
    await expect(issue(owner, 'decade', '3650')).rejects.toMatchObject({
      fieldErrors: { rotationPeriodDays: [expect.stringMatching(/^At most the policy's 90 days when you issue it/)] },
    });
    expect(await getDb().credential.count({ where: { agentId: agent.id, name: 'decade' } })).toBe(0);
    // The policy's own 90 days, stated by the owner; 180 stated by a lead independent of the agent (approved).
    const pinned = (await issue(owner, 'pinned', '90')).id;
    const approved = (await issue(independent, 'approved', '180')).id;
    // And 200 asked for by the owner from the edit form, approved by the independent lead.
    const asked = (await issue(owner, 'asked', '')).id;
    expect(await edit(asked, { rotationPeriodDays: '200', reason: 'The vendor rotates twice a year' })).toMatch(
      /Pending approval: a longer rotation period/,
    );
    await approveRequest(asked, 'Vendor limit, checked');
    expect(await getDb().credential.findUniqueOrThrow({ where: { id: asked } })).toMatchObject({
      rotationPeriodDays: 200,
      rotationApprovedDays: 200,
    });
    // Each last rotated 60 days ago; then a lead tightens the policy to 30 days.
    await getDb().credential.updateMany({
      where: { id: { in: [pinned, approved, asked] } },
      data: { lastRotatedAt: new Date(Date.now() - 60 * DAY) },
    });
    const overdue = async () =>
      (await evaluateRule(getDb(), ruleById('rotation-overdue')!))
        .filter((f) => f.agentId === agent.id)
        .map((f) => f.credentialId)
        .sort();
    expect(await overdue()).toEqual([]);
    await changeSetting(lead, { key: 'credentialRotationDays', version: '0', value: '30' });
    expect(await overdue()).toEqual([pinned]);

    // An edit is judged against the period the key is held to (30), not the one it states (90): leaving the 90 as it
    // is asks for nothing, a day more asks a lead for 30 → 91 days, and says so.
    expect(await edit(pinned, { secretRef: 'vault:kv/prod/pinned-v2' })).toBe('Saved.');
    expect(await edit(pinned, { rotationPeriodDays: '91' })).toMatch(/Pending approval: a longer rotation period/);
    expect(
      await getDb().changeRequest.findFirstOrThrow({ where: { credentialId: pinned, status: 'PENDING' } }),
    ).toMatchObject({ from: { rotationPeriodDays: 30 }, to: { rotationPeriodDays: 91 } });
    // A tightening within the approved period keeps it approved, at the shorter one.
    expect(await edit(approved, { rotationPeriodDays: '120' })).toBe('Saved.');
    expect(await getDb().credential.findUniqueOrThrow({ where: { id: approved } })).toMatchObject({
      rotationPeriodDays: 120,
      rotationApprovedDays: 120,
    });
    expect(await overdue()).toEqual([pinned]);
    // Any other change ends the approval: cleared, it cannot come back when the policy moves.
    const cleared = (await issue(independent, 'cleared', '150')).id;
    expect(await edit(cleared, { rotationPeriodDays: '' })).toBe('Saved.');
    expect(await getDb().credential.findUniqueOrThrow({ where: { id: cleared } })).toMatchObject({
      rotationPeriodDays: null,
      rotationApprovedDays: null,
    });
    // Approving a period within the policy's approves nothing: it would pin it against the next tightening.
    const within = (await issue(owner, 'within', '20')).id;
    expect(await edit(within, { rotationPeriodDays: '30' })).toMatch(/Pending approval/);
    await approveRequest(within, 'Back to the policy');
    expect(await getDb().credential.findUniqueOrThrow({ where: { id: within } })).toMatchObject({
      rotationPeriodDays: 30,
      rotationApprovedDays: null,
    });
  });
  it('a period reported through ingest is held to the policy too: the token path loosens nothing', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'MEDIUM' });
    const { token } = await createToken(lead, { name: 'broker', scopes: ['events:write'], expiresInDays: 1 });
    const broker = await authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${token}` } }),
      'events:write',
    );
    const events = [
      {
        type: 'credential.issued',
        agent: { slug: agent.slug },
        credential: {
          name: 'reported-decade',
          kind: 'API_KEY',
          issuance: 'STATIC',
          storage: 'VAULT_OR_BROKER',
          environment: 'PROD',
          rotationPeriodDays: 3650,
        },
        occurredAt: new Date().toISOString(),
      },
    ];
    expect((await ingestEvents(broker, { events }, { partial: false })).status).toBe(201);
    const key = await getDb().credential.findFirstOrThrow({ where: { agentId: agent.id, name: 'reported-decade' } });
    expect(key).toMatchObject({ rotationPeriodDays: 3650, rotationApprovedDays: null });
    // Last rotated 100 days ago: within the ten years it states, past the policy it is held to.
    await getDb().credential.update({
      where: { id: key.id },
      data: { lastRotatedAt: new Date(Date.now() - 100 * DAY) },
    });
    const overdue = (await evaluateRule(getDb(), ruleById('rotation-overdue')!)).filter((f) => f.agentId === agent.id);
    expect(overdue.map((f) => f.credentialId)).toEqual([key.id]);
  });
});
