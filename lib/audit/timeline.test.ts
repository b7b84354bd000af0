import { describe, expect, it } from 'vitest';
import { issueCredential, recordCredentialUse } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { createToken } from '@/lib/tokens/commands';
import { appendAuditEvents, SYSTEM_ACTOR } from '.';
import { hashEvent } from './canonical';
import { exportTimeline } from './export';
import {
  describeEvents,
  listAgentEvents,
  listAgentEventsSince,
  listTimeline,
  parseTimelineQuery,
  queryStoredTimeline,
} from './queries';

const notes = (n: number, prefix: string) =>
  getDb().$transaction((tx) =>
    appendAuditEvents(
      tx,
      Array.from({ length: n }, (_, i) => ({
        action: 'system.note' as const,
        actor: SYSTEM_ACTOR,
        details: { note: `${prefix} ${i}` },
      })),
    ),
  );

async function readAll(stream: ReadableStream<Uint8Array>) {
  return new Response(stream).text();
}

describe('the custody timeline', () => {
  it('keyset pagination is complete and stable while new events arrive', async () => {
    const auditor = await createPerson(['AUDITOR']);
    await notes(130, 'before');
    const head = (await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
    const seen: bigint[] = [];
    let before: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const { rows, next } = await listTimeline(
        auditor,
        parseTimelineQuery({ size: '25', ...(before ? { before } : {}) }),
      );
      seen.push(...rows.map((r) => BigInt(r.seq)));
      await notes(7, `during ${page}`); // new events arrive between pages
      if (!next) break;
      before = next;
    }
    const fromFirstPage = seen.filter((s) => s <= head);
    expect(fromFirstPage).toEqual(Array.from({ length: Number(head) }, (_, i) => head - BigInt(i)));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('pages back with the previous-page cursor to exactly the pages seen going forward', async () => {
    const auditor = await createPerson(['AUDITOR']);
    await notes(60, 'paging');
    const forward: string[][] = [];
    let cursor: Record<string, string> = {};
    for (let page = 0; page < 4; page++) {
      const { rows, next, prev } = await listTimeline(auditor, parseTimelineQuery({ size: '25', ...cursor }));
      forward.push(rows.map((r) => r.seq));
      expect(prev === null).toBe(page === 0);
      if (!next) break;
      cursor = { before: next };
    }
    // From the fourth page, "previous" three times lands on the first three pages, in the same order.
    let back = await listTimeline(auditor, parseTimelineQuery({ size: '25', before: forward[2]!.at(-1)! }));
    expect(back.rows.map((r) => r.seq)).toEqual(forward[3]);
    for (let page = 2; page >= 0; page--) {
      back = await listTimeline(auditor, parseTimelineQuery({ size: '25', newer: back.prev! }));
      expect(back.rows.map((r) => r.seq)).toEqual(forward[page]);
    }
    expect(back.prev).toBeNull();
  });

  it("an agent owner reads their agent's events on its page, never the timeline, whatever its filter", async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(admin, { ownerId: owner.id });
    // The one-statement reads keep their permissions: the timeline is audit.read's, even narrowed to one's own agent.
    for (const params of [{ agent: agent.slug }, { actor: owner.id }, {}]) {
      await expect(listTimeline(owner, parseTimelineQuery(params))).rejects.toThrow(/permission/);
    }
    const events = await listAgentEvents(owner, agent.id);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.agentId === agent.id)).toBe(true);
    const since = await listAgentEventsSince(owner, agent.id, BigInt(events.at(-1)!.seq));
    expect(since.map((e) => e.seq)).toEqual(events.slice(0, -1).map((e) => e.seq));
    const outsider = await createPerson([]);
    await expect(listAgentEvents(outsider, agent.id)).rejects.toThrow(/permission/);
  });

  it('names an API token that acted, on the one-statement page and through the batched lookup', async () => {
    const admin = await createPerson(['ADMIN']);
    const name = `named-token-${Math.random().toString(36).slice(2, 8)}`;
    const { id } = await createToken(admin, { name, scopes: ['registry:read'], expiresInDays: 1 });
    await getDb().$transaction((tx) =>
      appendAuditEvents(tx, [
        { action: 'system.note', actor: { type: 'API_TOKEN', id }, details: { note: 'by a token' } },
      ]),
    );
    const [listed] = (await listTimeline(admin, parseTimelineQuery({}))).rows;
    expect(listed!.sentence).toContain(`API token ${name}`);
    const stored = await getDb().auditEvent.findFirstOrThrow({ where: { actorId: id }, orderBy: { seq: 'desc' } });
    const [described] = await describeEvents(getDb(), [stored]);
    expect(described!.sentence).toContain(`API token ${name}`);
  });

  it('filters by agent, credential, actor, action group and time range, each event read as a sentence', async () => {
    const admin = await createPerson(['ADMIN'], { name: 'Sam Filter' });
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(admin, { ownerId: owner.id, slug: 'timeline-bot', name: 'Timeline bot' });
    const { id: credentialId } = await issueCredential(owner, {
      agentId: agent.id,
      name: 'tl-key',
      kind: 'API_KEY',
      issuance: 'STATIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'PROD',
    });
    await recordCredentialUse(owner, { credentialId, context: 'nightly run' });
    const auditor = await createPerson(['AUDITOR']);
    const q = (params: Record<string, string>) => listTimeline(auditor, parseTimelineQuery(params));

    const byAgent = await q({ agent: 'timeline-bot' });
    expect(byAgent.rows.map((r) => r.action)).toEqual([
      'credential.used',
      'credential.issued',
      'owner.assigned',
      'agent.created',
    ]);
    expect(byAgent.rows[3]!.sentence).toBe('Security lead Sam Filter registered Timeline bot (high risk)');
    expect((await q({ credential: credentialId })).rows.map((r) => r.action)).toEqual([
      'credential.used',
      'credential.issued',
    ]);
    expect((await q({ agent: 'timeline-bot', group: 'credential' })).rows).toHaveLength(2);
    expect((await q({ agent: 'timeline-bot', group: 'ownership' })).rows.map((r) => r.action)).toEqual([
      'owner.assigned',
    ]);
    expect((await q({ actor: admin.id })).rows.map((r) => r.action)).toEqual(['owner.assigned', 'agent.created']);
    const today = new Date().toISOString().slice(0, 10);
    expect((await q({ agent: 'timeline-bot', from: today, to: today })).rows).toHaveLength(4);
    expect((await q({ agent: 'timeline-bot', to: '2020-01-01' })).rows).toHaveLength(0);
    expect((await q({ agent: 'no-such-agent' })).rows).toHaveLength(0);
    // A day that does not exist is no filter (not a day rolled forward, not an error).
    expect(parseTimelineQuery({ from: '2024-02-30', to: '2024-13-01' })).toMatchObject({
      from: undefined,
      to: undefined,
    });
    expect((await q({ agent: 'timeline-bot', from: '2024-02-30' })).rows).toHaveLength(4);
    // The page is read outside Prisma: its rows are typed as Prisma's would be (times as Dates, JSON parsed).
    expect(byAgent.rows[0]!.occurredAt).toBeInstanceOf(Date);
    expect(byAgent.rows[0]!.recordedAt).toBeInstanceOf(Date);
    expect(byAgent.rows[3]!.details).toMatchObject({ riskTier: 'HIGH' });
    expect(byAgent.rows[3]!.actor).toBe('Sam Filter');
    // Every event about the agent records who was accountable then: the API gives it, a console list leaves it (and
    // the hashes) to the details dialog.
    const stored = await queryStoredTimeline(parseTimelineQuery({ agent: 'timeline-bot' }));
    expect(stored.rows[0]!.owners).toMatchObject({ accountable: { id: owner.id } });
    expect(stored.rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(byAgent.rows[0]).not.toHaveProperty('owners');
    expect(byAgent.rows[0]).not.toHaveProperty('hash');
    // Bad URL values fall back to no filter rather than failing.
    expect(parseTimelineQuery({ group: 'nonsense', before: 'abc', size: '7' })).toMatchObject({
      group: undefined,
      before: undefined,
      size: 50,
    });
  });

  it('exports equal the filtered query row for row, end with the chain head, and are audited', async () => {
    const auditor = await createPerson(['AUDITOR']);
    const admin = await createPerson(['ADMIN']);
    await makeAgent(admin, { ownerId: admin.id, slug: 'export-bot' });
    const query = parseTimelineQuery({ agent: 'export-bot' });
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    const agent = await getDb().agent.findUniqueOrThrow({ where: { slug: 'export-bot' } });
    const expected = (await getDb().auditEvent.findMany({ where: { agentId: agent.id }, orderBy: { seq: 'asc' } })).map(
      (e) => e.seq.toString(),
    );

    const csv = (await readAll(await exportTimeline(auditor, query, 'csv'))).trim().split('\r\n');
    expect(csv[0]!.startsWith('seq,occurred_at')).toBe(true);
    expect(csv.slice(1, -1).map((line) => line.split(',')[0])).toEqual(expected);
    expect(csv.at(-1)).toBe(`# chain_head_seq=${head.seq} chain_head_hash=${head.hash} events=${expected.length}`);

    const ndjson = (await readAll(await exportTimeline(auditor, query, 'ndjson')))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ndjson.slice(0, -1).map((e) => e.seq)).toEqual(expected);
    // Each line carries what its hash covers, so it can be rechecked outside Custodian.
    const first = ndjson[0];
    expect(
      hashEvent(first.prevHash, {
        ...first,
        seq: BigInt(first.seq),
        occurredAt: new Date(first.occurredAt),
        recordedAt: new Date(first.recordedAt),
      }),
    ).toBe(first.hash);
    expect(ndjson.at(-1).trailer).toMatchObject({ events: expected.length, filter: { agent: 'export-bot' } });
    const exported = await getDb().auditEvent.findMany({
      where: { action: 'audit.exported', actorId: auditor.id },
      orderBy: { seq: 'asc' },
    });
    expect(exported.map((e) => e.details)).toEqual([
      { format: 'csv', filter: { agent: 'export-bot' }, count: expected.length },
      { format: 'ndjson', filter: { agent: 'export-bot' }, count: expected.length },
    ]);
    await expect(exportTimeline(await createPerson(['OWNER']), query, 'csv')).rejects.toThrow(/permission/);
  });
});
