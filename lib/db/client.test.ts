import { describe, expect, it } from 'vitest';
import { getDb } from '.';

// Array parameters must reach PostgreSQL intact on both drivers (PGlite needs
// help: see withArrayLiterals).
describe('array parameters', () => {
  it('filter enum arrays and text arrays holding quotes, commas and backslashes', async () => {
    const db = getDb();
    await db.user.create({
      data: { id: 'u_arrays', name: 'Arrays', email: 'arrays@example.test', roles: ['AUDITOR', 'OWNER'] },
    });
    const agent = await db.agent.create({
      data: { slug: 'arrays', name: 'Arrays', kind: 'OTHER', riskTier: 'LOW', environments: ['DEV', 'PROD'] },
    });
    const awkward = ['a,"b"', 'c\\d', '{e}', 'plain'];
    await db.purpose.create({ data: { agentId: agent.id, task: 'arrays', scope: awkward } });

    expect(await db.user.count({ where: { roles: { has: 'AUDITOR' } } })).toBe(1);
    expect(await db.user.count({ where: { roles: { hasSome: ['ADMIN', 'OWNER'] } } })).toBe(1);
    expect(await db.user.count({ where: { roles: { hasEvery: ['AUDITOR', 'ADMIN'] } } })).toBe(0);
    expect(await db.agent.count({ where: { environments: { has: 'PROD' } } })).toBe(1);
    for (const value of awkward) expect(await db.purpose.count({ where: { scope: { has: value } } })).toBe(1);
    expect((await db.purpose.findFirstOrThrow({ where: { agentId: agent.id } })).scope).toEqual(awkward);
  });
});
