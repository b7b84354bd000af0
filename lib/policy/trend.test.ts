import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { issueCredential, revokeCredential } from '@/lib/credentials/commands';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { findingTrend, syncFindings } from './trend';

describe('the findings trend', () => {
  it('counts findings opened and closed per day from the sync, never by recomputing history', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id });
    const first = await syncFindings();
    const { id } = await issueCredential(admin, { agentId: agent.id, name: 'leaky', kind: 'API_KEY', issuance: 'STATIC', storage: 'ENV_VAR', environment: 'DEV' });
    const second = await syncFindings();
    expect(second.opened).toBeGreaterThanOrEqual(1); // stored in an environment variable, among others
    expect(second.open).toBe(first.open + second.opened - second.closed);
    expect(await getDb().findingState.count({ where: { ruleId: 'credential-unsafe-storage', credentialId: id } })).toBe(1);

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
    expect(today.CRITICAL + today.HIGH + today.MEDIUM + today.LOW).toBe(third.open);
  });
});
