import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import type { AgentStatus, RiskTier } from '@/lib/generated/prisma/enums';
import { assignControlOwner } from '@/lib/ownership/commands';
import { listOwnershipMatrix } from '@/lib/ownership/queries';
import { makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { listAgents, type AgentPage } from './list';
import { AGENT_SORTS, parseAgentListQuery } from './schema';

type Admin = Awaited<ReturnType<typeof createPerson>>;
let admin: Admin;

const STATUSES: AgentStatus[] = ['PROPOSED', 'ACTIVE', 'SUSPENDED', 'RETIRED'];
const TIERS: RiskTier[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const DAY = 86_400_000;

beforeAll(async () => {
  admin = await createPerson(['ADMIN']);
  // 70 agents whose keys collide (names repeat, a third have no review date),
  // so every sort leans on the id tiebreak and on NULL handling.
  const base = Date.UTC(2026, 0, 1);
  await getDb().agent.createMany({
    data: Array.from({ length: 70 }, (_, i) => ({
      id: `list_${String(i).padStart(3, '0')}`,
      slug: `list-agent-${String((i * 37) % 70).padStart(3, '0')}`,
      name: `Agent ${String.fromCharCode(97 + (i % 7))}`,
      kind: 'CI_AGENT' as const,
      environments: i % 2 ? ['PROD' as const] : ['DEV' as const],
      riskTier: TIERS[i % 4]!,
      status: STATUSES[i % 3]!,
      nextReviewDue: i % 3 === 0 ? null : new Date(base + (i % 11) * DAY),
      createdAt: new Date(base - (i % 5) * DAY),
    })),
  });
});

/** Every page forward from the first, then every page back from the last. */
async function walk(params: Record<string, string>): Promise<{ forward: string[][]; backward: string[][] }> {
  const forward: string[][] = [];
  let page: AgentPage = await listAgents(admin, parseAgentListQuery({ size: '25', ...params }));
  forward.push(page.rows.map((r) => r.id));
  expect(page.prev).toBeNull();
  while (page.next) {
    page = await listAgents(admin, parseAgentListQuery({ size: '25', ...params, after: page.next }));
    forward.push(page.rows.map((r) => r.id));
  }
  const backward: string[][] = [forward[forward.length - 1]!];
  while (page.prev) {
    page = await listAgents(admin, parseAgentListQuery({ size: '25', ...params, before: page.prev }));
    backward.unshift(page.rows.map((r) => r.id));
  }
  return { forward, backward };
}

/** The order PostgreSQL gives with a plain ORDER BY: the reference the keyset must reproduce. */
async function reference(sort: string, dir: 'asc' | 'desc'): Promise<string[]> {
  const keys: Record<string, string[]> = {
    name: ['name'],
    slug: ['slug'],
    status: ['status', 'name'],
    riskTier: ['riskTier', 'name'],
    nextReviewDue: ['nextReviewDue'],
    createdAt: ['createdAt'],
  };
  const d = dir === 'asc' ? 'ASC NULLS LAST' : 'DESC NULLS FIRST';
  const order = [...keys[sort]!, 'id'].map((k) => `"${k}" ${d}`).join(', ');
  const rows = await getDb().$queryRawUnsafe<{ id: string }[]>(
    `SELECT "id" FROM "Agent" WHERE "id" LIKE 'list\\_%' ORDER BY ${order}`,
  );
  return rows.map((r) => r.id);
}

describe('the agents list pages by keyset', () => {
  for (const sort of AGENT_SORTS) {
    for (const dir of ['asc', 'desc'] as const) {
      it(`sort ${sort} ${dir}: pages forward and back give exactly the ORDER BY, each row once`, async () => {
        const { forward, backward } = await walk({ sort, dir, q: 'list-agent-' });
        expect(forward.map((p) => p.length)).toEqual([25, 25, 20]);
        expect(forward.flat()).toEqual(await reference(sort, dir));
        expect(backward).toEqual(forward);
      });
    }
  }

  it('filters in SQL, counts up to the cap, and starts over on a cursor from another sort', async () => {
    const prod = await listAgents(admin, parseAgentListQuery({ environment: 'PROD', q: 'list-agent-', size: '100' }));
    expect(prod.rows).toHaveLength(35);
    expect(prod.rows.every((r) => r.environments.includes('PROD'))).toBe(true);
    expect(prod).toMatchObject({ total: 35, capped: false, next: null, prev: null });
    const suspendedCritical = await listAgents(
      admin,
      parseAgentListQuery({ status: 'SUSPENDED', riskTier: 'CRITICAL', q: 'list-agent-' }),
    );
    expect(suspendedCritical.rows.map((r) => r.id).sort()).toEqual([
      'list_011',
      'list_023',
      'list_035',
      'list_047',
      'list_059',
    ]);
    // Search escapes LIKE's wildcards: "%" matches a literal percent sign only.
    expect((await listAgents(admin, parseAgentListQuery({ q: '%' }))).rows).toEqual([]);

    const byName = await listAgents(admin, parseAgentListQuery({ size: '25', q: 'list-agent-' }));
    const stale = await listAgents(
      admin,
      parseAgentListQuery({ size: '25', q: 'list-agent-', sort: 'createdAt', after: byName.next! }),
    );
    expect(stale.prev).toBeNull(); // not a createdAt cursor: the first page
    expect(await listAgents(admin, parseAgentListQuery({ after: 'not-a-cursor', q: 'list-agent-' }))).toMatchObject({
      prev: null,
    });
  });

  it('keeps planesAssigned in step with control assignments, so "plane unassigned" is an indexed filter', async () => {
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(admin, { ownerId: owner.id, name: 'Plane test agent' });
    const unassigned = async () =>
      (await listAgents(admin, parseAgentListQuery({ planeUnassigned: '1', q: 'Plane test' }))).rows.map(
        (r) => r.planesAssigned,
      );
    expect(await unassigned()).toEqual([0]);
    const version = async () => (await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).version;
    await assignControlOwner(admin, { agentId: agent.id, version: await version(), plane: 'IAM', userId: owner.id });
    await assignControlOwner(admin, { agentId: agent.id, version: await version(), plane: 'PAM', userId: owner.id });
    expect(await unassigned()).toEqual([2]);
    await assignControlOwner(admin, {
      agentId: agent.id,
      version: await version(),
      plane: 'PLATFORM',
      userId: owner.id,
    });
    expect(await unassigned()).toEqual([]);
    // Reassigning a plane to someone else keeps the count.
    await assignControlOwner(admin, { agentId: agent.id, version: await version(), plane: 'PAM', userId: admin.id });
    expect((await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).planesAssigned).toBe(3);
  });

  it(
    'keeps "orphaned" and the open review\'s due date in step with owners, people and reviews, so both filters ' +
      'are indexed',
    async () => {
      const owner = await createPerson(['OWNER'], { name: 'Flag owner' });
      const holder = await createPerson(['OWNER'], { name: 'Flag holder' });
      const agent = await makeActiveAgent(admin, { ownerId: owner.id, name: 'Flag agent' }, { PAM: holder.id });
      const orphaned = async () =>
        (await listAgents(admin, parseAgentListQuery({ orphaned: '1', q: 'Flag agent' }))).rows.map((r) => r.id);
      const row = () => getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
      expect(await orphaned()).toEqual([]);
      // The owner leaves; then comes back.
      await getDb().user.update({ where: { id: owner.id }, data: { active: false } });
      expect(await orphaned()).toEqual([agent.id]);
      await getDb().user.update({ where: { id: owner.id }, data: { active: true } });
      expect(await orphaned()).toEqual([]);
      // A control owner leaves; giving the plane to someone active mends it.
      await getDb().user.update({ where: { id: holder.id }, data: { active: false } });
      expect(await orphaned()).toEqual([agent.id]);
      await assignControlOwner(admin, {
        agentId: agent.id,
        version: (await row()).version,
        plane: 'PAM',
        userId: admin.id,
      });
      expect(await orphaned()).toEqual([]);

      // Review overdue: an open review past due, until it is completed.
      const overdue = async () =>
        (await listAgents(admin, parseAgentListQuery({ reviewOverdue: '1', q: 'Flag agent' }))).rows.map((r) => r.id);
      expect(await overdue()).toEqual([]);
      const review = await getDb().review.create({
        data: { agentId: agent.id, openForAgent: agent.id, triggers: ['SCHEDULED'], dueAt: new Date(Date.now() - DAY) },
      });
      expect((await row()).openReviewDueAt?.toISOString()).toBe(review.dueAt.toISOString());
      expect(await overdue()).toEqual([agent.id]);
      await getDb().review.update({ where: { id: review.id }, data: { completedAt: new Date(), openForAgent: null } });
      expect((await row()).openReviewDueAt).toBeNull();
      expect(await overdue()).toEqual([]);
    },
  );

  it('the ownership matrix pages the agents in service by name, with each plane holder, and filters gaps', async () => {
    const leaver = await createPerson(['OWNER'], { name: 'Matrix leaver' });
    const whole = await makeActiveAgent(admin, { ownerId: admin.id, name: 'Matrix whole' });
    const gap = await makeActiveAgent(admin, { ownerId: admin.id, name: 'Matrix gap' }, { PAM: leaver.id });
    // A retired agent with the same gap: the matrix covers agents in service only.
    const retired = await makeActiveAgent(admin, { ownerId: admin.id, name: 'Matrix retired' }, { PAM: leaver.id });
    await getDb().agent.update({ where: { id: retired.id }, data: { status: 'RETIRED' } });
    await getDb().user.update({ where: { id: leaver.id }, data: { active: false } });
    const all = await listOwnershipMatrix(admin, { person: leaver.id, gaps: false, size: 100 });
    expect(all.rows.map((r) => r.id)).toEqual([gap.id]);
    expect(all.rows[0]!.planes.PAM).toMatchObject({ id: leaver.id, active: false });
    const gaps = await listOwnershipMatrix(admin, { gaps: true, size: 100 });
    expect(gaps.rows.map((r) => r.id)).toContain(gap.id);
    expect(gaps.rows.map((r) => r.id)).not.toContain(whole.id);
    expect(gaps.rows.map((r) => r.id)).not.toContain(retired.id);
    expect(all.rows.map((r) => r.id)).not.toContain(retired.id);
  });

  it('shows and filters "ready for issuance": every agent-level gate rule, a CRITICAL finding included', async () => {
    const owner = await createPerson(['OWNER']);
    const tag = Math.random().toString(36).slice(2, 7);
    const ready = await makeActiveAgent(admin, {
      ownerId: owner.id,
      name: `Gate ready ${tag}`,
      workloadIdentity: `spiffe://example.com/ready/${tag}`,
    });
    const anonymous = await makeActiveAgent(admin, { ownerId: owner.id, name: `Gate no identity ${tag}` });
    const flagged = await makeActiveAgent(admin, {
      ownerId: owner.id,
      name: `Gate flagged ${tag}`,
      workloadIdentity: `spiffe://example.com/flagged/${tag}`,
    });
    await getDb().findingState.create({
      data: {
        key: `use-after-revocation/${flagged.id}/x`,
        ruleId: 'use-after-revocation',
        severityRank: 0,
        agentId: flagged.id,
        openedAt: new Date(),
      },
    });
    const names = async (extra: Record<string, string>) =>
      (await listAgents(admin, parseAgentListQuery({ q: `gate`, ...extra }))).rows
        .filter((r) => r.name.endsWith(tag))
        .map((r) => [r.name, r.ready]);
    expect(await names({})).toEqual([
      [flagged.name, false],
      [anonymous.name, false],
      [ready.name, true],
    ]);
    expect(await names({ ready: 'yes' })).toEqual([[ready.name, true]]);
    expect(await names({ ready: 'no' })).toEqual([
      [flagged.name, false],
      [anonymous.name, false],
    ]);
  });
});
