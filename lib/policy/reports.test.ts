import { describe, expect, it } from 'vitest';
import { issueCredential } from '@/lib/credentials/commands';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { frameworkReport } from './reports';

describe('framework reports', () => {
  it('count each failing agent once per control, however many of its credentials fail', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id, name: 'Report agent' });
    for (const name of ['leaky-a', 'leaky-b', 'leaky-c']) {
      await issueCredential(admin, { agentId: agent.id, name, kind: 'API_KEY', issuance: 'STATIC', storage: 'ENV_VAR', environment: 'DEV' });
    }
    const report = (await frameworkReport(admin, 'owasp-nhi-2025'))!;
    const leakage = report.controls.find((c) => c.item.id === 'NHI2:2025')!;
    expect(leakage.rules.map((r) => r.id)).toContain('credential-unsafe-storage');
    expect(leakage.failing.filter((a) => a.slug === agent.slug)).toHaveLength(1);
    expect(leakage.failingAgents).toBe(leakage.failing.length);
    for (const c of report.controls) {
      if (c.failingAgents === null) continue;
      expect(c.failingAgents + c.passingAgents!).toBe(report.agentsInScope);
      expect(c.passingAgents).toBeGreaterThanOrEqual(0);
    }
  });
});
