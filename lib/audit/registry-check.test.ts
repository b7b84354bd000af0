// The registry check across an upgrade: a result signed by a release that appended no check to the chain, and
// counted fewer actions in what it replayed, is compared as that release counted.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { addPurpose } from '@/lib/purposes/commands';
import { makeActiveAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { registryCheckRun } from './drift';
import { EARLIER_REPLAY_ACTIONS } from './registry-actions';
import { runRegistryCheck, statement } from './registry-check';
import { loadSigningKey, signStatement } from './signing';

describe('the registry check across an upgrade', () => {
  it('a result an earlier release signed, which counted fewer actions, raises no alarm after the upgrade', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id });
    await addPurpose(lead, {
      agentId: agent.id,
      task: 'counted from this release on',
      scope: 'github',
      environments: ['DEV'],
    });
    // What an earlier release's run would have signed: its replay without purposes' events or checks, and no
    // check on the chain naming it.
    const { replayed, through } = await registryCheckRun(getDb());
    const seqs = replayed.filter((e) => EARLIER_REPLAY_ACTIONS.has(e.action)).map((e) => e.seq);
    const replay = {
      throughSeq: through,
      eventCount: seqs.length,
      eventsSha256: createHash('sha256').update(seqs.join('\n')).digest('hex'),
    };
    await asOwner(
      `INSERT INTO "RegistryCheck" ("id", "driftCount", "unrecorded", "rows", "durationMs", "throughSeq", "eventCount",
         "eventsSha256")
       VALUES ('earlier-release', 0, 0, '[]', 1, ${through}, ${replay.eventCount}, '${replay.eventsSha256}')`,
    );
    const row = await getDb().registryCheck.findUniqueOrThrow({ where: { id: 'earlier-release' } });
    const key = loadSigningKey();
    if (key) {
      const signature = signStatement(key, statement({ ...row, rows: [] }));
      await asOwner(
        `UPDATE "RegistryCheck" SET "keyId" = '${key.keyId}', "signature" = '${signature}' WHERE "id" = '${row.id}'`,
      );
    }
    const tripped = async () =>
      ((await runRegistryCheck()).rows as { id: string }[]).filter((d) => d.id.startsWith('through:'));
    expect(await tripped()).toEqual([]);
    // From here on the chain holds this release's check, which counts every action.
    expect(await tripped()).toEqual([]);
  });

  it('every check on the chain relabelled, the signed result read as an earlier release’s, still trips', async () => {
    const lead = await createPerson(['ADMIN']);
    await addPurpose(lead, {
      agentId: (await makeActiveAgent(lead, { ownerId: lead.id })).id,
      task: 'counted by this release',
      scope: 'github',
      environments: ['DEV'],
    });
    await runRegistryCheck();
    await runRegistryCheck();
    // Whoever holds the database relabels every check (none is left to walk from) and a purpose's addition.
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = 'system.note' WHERE "action" = 'registry.checked'`,
      `UPDATE "AuditEvent" SET "action" = 'system.note' WHERE "action" = 'purpose.added'`,
    );
    const rows = (await runRegistryCheck()).rows as { id: string }[];
    expect(rows.filter((d) => d.id.startsWith('through:'))).toHaveLength(1);
  });
});
