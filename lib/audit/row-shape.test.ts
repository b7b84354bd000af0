import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { describeEvents, type ListedEvent } from './queries';

// V8's own check, available once the flag is set: whether two objects share one hidden class (map).
v8.setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

describe('describeEvents builds its rows', () => {
  it('with one map for all of them (fields added after a spread give each row its own in Node 20)', async () => {
    const events: ListedEvent[] = Array.from({ length: 60 }, (_, i) => ({
      seq: BigInt(i + 1),
      occurredAt: new Date(),
      recordedAt: new Date(),
      action: 'agent.created',
      actorType: 'SYSTEM',
      actorId: 'job',
      agentId: null,
      credentialId: null,
      details: { riskTier: 'LOW' },
    }));
    // No names to look up (a system actor, no agent or credential), so no database is asked.
    const rows = await describeEvents(null as never, events);
    // V8 settles a literal's shape over its first calls; past them every row must share the first one's.
    expect(rows.slice(20).every((row) => sameMap(rows[20]!, row))).toBe(true);
    expect(rows[0]).toMatchObject({ seq: '1', sentence: expect.any(String), agent: null, credential: null });
  });
});
