import { describe, expect, it } from 'vitest';
import { issueCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { frameworkReport } from './reports';

describe('framework reports', () => {
  it('count each failing agent once per control, however many of its credentials fail', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id, name: 'Report agent', environments: ['DEV'] });
    for (const name of ['leaky-a', 'leaky-b', 'leaky-c']) {
      await issueCredential(admin, {
        agentId: agent.id,
        name,
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'ENV_VAR',
        environment: 'DEV',
      });
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
});
