// The dashboard's figures are the same for everyone and reused between writes: a write shows at once, a change
// outside the domain functions (which appends no event) once the reuse window and its grace have passed (a minute).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as postEvents } from '@/app/api/v1/events/route';
import { appendAuditEvents, SYSTEM_ACTOR } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { makeAgent } from '@/lib/testing/agents';
import { postDecisionAs, readyGate } from '@/lib/testing/issuance';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { createToken } from '@/lib/tokens/commands';
import { getPostureSummary } from './queries';

describe('dashboard figures', () => {
  afterEach(() => vi.useRealTimers());

  it('are reused until a write moves the timeline head, then recomputed', async () => {
    const admin = await createPerson(['ADMIN']);
    const before = await getPostureSummary(admin);
    await makeAgent(admin);
    const after = await getPostureSummary(admin);
    expect(after.agentsByStatus.PROPOSED).toBe(before.agentsByStatus.PROPOSED + 1);
    expect(after.inService).toBe(before.inService + 1);
  });

  it('are reused while the gate only records decisions, and recomputed after any other append', async () => {
    const gate = await readyGate();
    const figures = await getPostureSummary(gate.admin);
    // A busy gate records decisions hundreds of times a second: the head moves, the registry does not.
    for (let i = 0; i < 2; i++) expect((await postDecisionAs(gate.token, gate.ask)).status).toBe(200);
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(head.registrySeq).toBeLessThan(head.seq);
    expect(await getPostureSummary(gate.admin)).toBe(figures);
    // An append its caller does not mark as records only moves the mark, even of a record-only action (a discovery
    // that created a credential records only its use); and the mark is refused for any other action.
    const use = { action: 'system.note', actor: SYSTEM_ACTOR, details: { note: 'not a record-only action' } } as const;
    await getDb().$transaction((tx) => appendAuditEvents(tx, [use], undefined, { recordsOnly: true }));
    const moved = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(moved.registrySeq).toBe(moved.seq);
    expect(await getPostureSummary(gate.admin)).not.toBe(figures);
  });

  it('a token holder cannot hide a new credential from the dashboard behind uses in one ingest batch', async () => {
    const gate = await readyGate();
    const { token } = await createToken(gate.admin, { name: 'ingest', scopes: ['events:write'], expiresInDays: 1 });
    const report = async (events: unknown[]) => {
      const response = await postEvents(
        new Request('http://localhost/api/v1/events', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ events }),
        }),
      );
      expect(response.status).toBe(201);
      return getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    };
    const at = () => new Date().toISOString();
    const use = { type: 'credential.used', agent: { slug: gate.slug }, credential: { id: gate.credentialId } };
    // Uses alone record: the mark stays, and the figures are reused.
    const figures = await getPostureSummary(gate.admin);
    const recorded = await report([{ ...use, occurredAt: at() }]);
    expect(recorded.registrySeq).toBeLessThan(recorded.seq);
    expect(await getPostureSummary(gate.admin)).toBe(figures);
    // A credential issued in the same batch as a use changes what the dashboard counts: the mark moves.
    const issued = {
      type: 'credential.issued',
      agent: { slug: gate.slug },
      credential: {
        name: 'hidden',
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'VAULT_OR_BROKER',
        environment: 'PROD',
      },
      occurredAt: at(),
    };
    const moved = await report([{ ...use, occurredAt: at() }, issued]);
    expect(moved.registrySeq).toBe(moved.seq);
    const after = await getPostureSummary(gate.admin);
    expect(after.credentialsByIssuance.STATIC).toBe(figures.credentialsByIssuance.STATIC + 1);
  });

  it('a change that appends no event shows once the reuse window has passed', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin);
    const before = await getPostureSummary(admin);
    // Past the domain functions, as a database operator might: no event, so the head stays.
    await asOwner(`UPDATE "Agent" SET "riskTier" = 'LOW' WHERE "id" = '${agent.id}'`);
    expect((await getPostureSummary(admin)).agentsByTier).toEqual(before.agentsByTier);
    vi.useFakeTimers({ now: Date.now() + 31_000, toFake: ['Date'] });
    // The first reader past the window gets the figures as they were while they are recomputed beside it.
    expect((await getPostureSummary(admin)).agentsByTier).toEqual(before.agentsByTier);
    await vi.waitFor(
      async () => expect((await getPostureSummary(admin)).agentsByTier.LOW).toBe(before.agentsByTier.LOW + 1),
      { timeout: 5_000 },
    );
    const later = await getPostureSummary(admin);
    expect(later.agentsByTier.LOW).toBe(before.agentsByTier.LOW + 1);
    expect(later.agentsByTier.HIGH).toBe(before.agentsByTier.HIGH - 1);
  });
});
