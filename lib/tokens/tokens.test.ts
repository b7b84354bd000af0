// A token acts as its creator, bounded by its scopes: the attacks are a
// creator who loses the permission (or leaves) while the token lives on.
import { describe, expect, it } from 'vitest';
import { POST as postEvents } from '@/app/api/v1/events/route';
import { getDb } from '@/lib/db';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { deactivateUser, removeRole } from '@/lib/users/commands';
import { createToken } from './commands';

const post = (token: string, slug: string) =>
  postEvents(
    new Request('http://localhost/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        events: [
          {
            type: 'credential.issued',
            occurredAt: new Date().toISOString(),
            agent: { slug },
            credential: {
              name: 'lease',
              kind: 'API_KEY',
              issuance: 'STATIC',
              storage: 'VAULT_OR_BROKER',
              environment: 'PROD',
            },
          },
        ],
      }),
    }),
  );

describe('API tokens act as their creator', () => {
  it('a creator who loses the permission takes the token’s power with them (403)', async () => {
    const creator = await createPerson(['ADMIN']);
    const other = await createPerson(['ADMIN']);
    const agent = await makeAgent(other, { ownerId: other.id });
    const { token } = await createToken(creator, { name: 'broker', scopes: ['events:write'], expiresInDays: 30 });
    const before = await post(token, agent.slug);
    expect(before.status).toBeLessThan(300);
    // The creator is now only an auditor: the same token may no longer write custody.
    await getDb().user.update({ where: { id: creator.id }, data: { roles: ['AUDITOR'] } });
    const after = await post(token, agent.slug);
    expect(after.status).toBe(403);
    expect(after.headers.get('content-type')).toBe('application/problem+json');
    expect((await after.json()).detail).toMatch(/acts as .*no longer holds permission/);
  });

  it('a deactivated creator’s token stops at once and is revoked with a timeline event', async () => {
    const creator = await createPerson(['ADMIN']);
    const lead = await createPerson(['ADMIN']);
    const agent = await makeAgent(lead, { ownerId: lead.id });
    const { token, id } = await createToken(creator, { name: 'runner', scopes: ['events:write'], expiresInDays: 30 });
    expect((await post(token, agent.slug)).status).toBeLessThan(300);
    const version = (await getDb().user.findUniqueOrThrow({ where: { id: creator.id } })).version;
    await deactivateUser(lead, { userId: creator.id, version, reason: 'Left the company' });
    const refused = await post(token, agent.slug);
    expect(refused.status).toBe(401);
    expect((await getDb().apiToken.findUniqueOrThrow({ where: { id } })).revokedAt).not.toBeNull();
    const revoked = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'token.revoked', details: { path: ['tokenId'], equals: id } },
    });
    expect(revoked.details).toMatchObject({ reason: 'its creator was deactivated' });
  });

  it('nobody removes their own role to dodge a rule, and a removed role is gone from their tokens too', async () => {
    const creator = await createPerson(['ADMIN', 'OWNER']);
    const lead = await createPerson(['ADMIN']);
    const agent = await makeAgent(lead, { ownerId: lead.id });
    const { token } = await createToken(creator, { name: 'ci-runner', scopes: ['events:write'], expiresInDays: 30 });
    const version = (await getDb().user.findUniqueOrThrow({ where: { id: creator.id } })).version;
    await removeRole(lead, { userId: creator.id, role: 'ADMIN', version });
    // Still an OWNER, but not of this agent: the token may not write its custody.
    expect((await post(token, agent.slug)).status).toBe(403);
  });
});
