// The registry check across an upgrade: a result signed by a release that appended no check to the chain, or a check
// on the chain by a release that replayed fewer actions, is compared as that release counted.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rotateCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { revokeDelegation } from '@/lib/delegation/commands';
import { addPurpose } from '@/lib/purposes/commands';
import { issueVaultedProdKey, makeActiveAgent } from '@/lib/testing/agents';
import { delegationParties, requestGrant } from '@/lib/testing/delegation';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { grantRole, removeRole } from '@/lib/users/commands';
import { appendAuditEvents, SYSTEM_ACTOR } from './append';
import { registryCheckRun } from './drift';
import { REPLAY_SETS, REPLAYS, type RegistryCheckedDetails } from './registry-actions';
import { runRegistryCheck, statement } from './registry-check';
import { loadSigningKey, signStatement } from './signing';

/**
 * What a release that counted the actions of REPLAY_SETS[n] recorded of a replay. The release before this one is
 * written out (this release's actions without rotations and reviews), so the set it is read by is tested.
 */
function countedAs(n: number, replayed: { seq: bigint; action: string }[], through: bigint) {
  const counted = (action: string) =>
    n === 3 ? action !== 'credential.rotated' && !action.startsWith('review.') : REPLAY_SETS[n]!.has(action);
  const seqs = replayed.filter((e) => counted(e.action)).map((e) => e.seq);
  return {
    throughSeq: through,
    eventCount: seqs.length,
    eventsSha256: createHash('sha256').update(seqs.join('\n')).digest('hex'),
  };
}

/**
 * The check on the chain of an earlier release: by default the one before grants (its replay without grants' events,
 * and no number saying so); with 3, the one before rotations and reviews.
 */
async function appendEarlierCheck(checkId: string, replays: 2 | 3 = 2) {
  const { replayed, through } = await registryCheckRun(getDb());
  const replay = countedAs(replays, replayed, through);
  const details = {
    checkId,
    driftCount: 0,
    unrecorded: 0,
    ...replay,
    throughSeq: String(through),
    // The release before grants recorded no number.
    ...(replays === 2 ? {} : { replays }),
  };
  await getDb().$transaction((tx) =>
    appendAuditEvents(tx, [
      { action: 'registry.checked', actor: SYSTEM_ACTOR, details: details as RegistryCheckedDetails },
    ]),
  );
}

const tripped = async () =>
  ((await runRegistryCheck()).rows as { id: string }[]).filter((d) => d.id.startsWith('through:'));

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
    const replay = countedAs(1, replayed, through);
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
    expect(await tripped()).toEqual([]);
    // From here on the chain holds this release's check, which counts every action.
    expect(await tripped()).toEqual([]);
  });

  it('a grant’s end relabelled before this release first counted it is found by a walk from the start', async () => {
    const parties = await delegationParties();
    const { principalOwner } = parties;
    const { grantId } = await requestGrant(parties, {
      environments: ['PROD'],
      days: 30,
      justification: 'Revoked early',
    });
    await revokeDelegation(principalOwner, { grantId, reason: 'Not needed after all' });
    await appendEarlierCheck('before-grants-walk');
    // Before this release's first run: the revocation relabelled, and the grant in force again. Replayed without it,
    // the grant agrees with its events, and the earlier check counted no grant's event for the tripwire to miss.
    const relabel = (from: string, to: string) => [
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = '${to}'
       WHERE "action" = '${from}' AND "details" ->> 'grantId' = '${grantId}'`,
      `UPDATE "DelegationGrant" SET "status" = '${from === 'delegation.revoked' ? 'APPROVED' : 'REVOKED'}'
       WHERE "id" = '${grantId}'`,
    ];
    await asOwner(...relabel('delegation.revoked', 'system.note'));
    const walked = async () =>
      ((await runRegistryCheck()).rows as { id: string; problem: string }[]).filter((d) => d.id.startsWith('after:'));
    const alarm = [{ id: expect.stringMatching(/^after:0:/), problem: expect.stringMatching(/walked from its start/) }];
    expect(await walked()).toMatchObject(alarm);
    // Not for one run only: the check that found it records the replay it compared with, not its own.
    expect(await walked()).toMatchObject(alarm);
    await asOwner(...relabel('system.note', 'delegation.revoked'));
    expect(await walked()).toEqual([]);
    expect(await walked()).toEqual([]);
  });

  it('a check by the release before grants raises no alarm; an event it counted gone since does', async () => {
    const parties = await delegationParties();
    const { lead } = parties;
    const { principal } = await requestGrant(parties, { justification: 'Counted from this release on' });
    await addPurpose(lead, { agentId: principal.id, task: 'counted before', scope: 'github', environments: ['DEV'] });
    const lastReplays = async () =>
      (
        await getDb().$queryRaw<{ replays: number | null }[]>`
          SELECT ("details" ->> 'replays')::int AS "replays" FROM "AuditEvent" WHERE "action" = 'registry.checked'
          ORDER BY "seq" DESC LIMIT 1`
      )[0]!.replays;
    await appendEarlierCheck('before-grants');
    expect(await tripped()).toEqual([]);
    expect(await lastReplays()).toBe(REPLAYS);
    expect(await tripped()).toEqual([]);

    // An event that release counted, relabelled after its check: named, and on every run after, compared as that
    // release counted (the check that trips records so).
    await appendEarlierCheck('before-grants-again');
    const added = await getDb().$queryRaw<{ seq: bigint }[]>`
      SELECT "seq" FROM "AuditEvent" WHERE "action" = 'purpose.added'`;
    const relabel = (to: string) => [
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = '${to}' WHERE "seq" IN (${added.map((a) => a.seq).join(', ')})`,
    ];
    await asOwner(...relabel('system.note'));
    expect(await tripped()).toHaveLength(1);
    expect(await lastReplays()).toBe(2);
    expect(await tripped()).toHaveLength(1);
    // Put back: found again, and no alarm (the tests after this one start from a chain that holds).
    await asOwner(...relabel('purpose.added'));
    expect(await tripped()).toEqual([]);
    expect(await lastReplays()).toBe(REPLAYS);
  });

  it('the release before rotations were counted raises no alarm; one relabelled before it is named', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id });
    const { id: credentialId } = await issueVaultedProdKey(lead, agent.id, 'rotated-key', {
      secretRef: 'vault:kv/prod/rotated-key',
    });
    await rotateCredential(lead, { credentialId, reason: 'Counted from this release on' });
    await appendEarlierCheck('before-rotations', 3);
    expect(await tripped()).toEqual([]);
    // The rotation relabelled, with no check of this release yet: the walk from the start names it.
    const relabel = (from: string, to: string) => [
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = '${to}' WHERE "action" = '${from}' AND "credentialId" = '${credentialId}'`,
    ];
    await appendEarlierCheck('before-rotations-again', 3);
    await asOwner(...relabel('credential.rotated', 'system.note'));
    const walked = async () =>
      ((await runRegistryCheck()).rows as { id: string }[]).filter((d) => d.id.startsWith('after:0:'));
    expect(await walked()).toHaveLength(1);
    await asOwner(...relabel('system.note', 'credential.rotated'));
    expect(await walked()).toEqual([]);
    expect(await tripped()).toEqual([]);
  });

  it('an event appended while a check ran, after what it read, is walked by the next run', async () => {
    const lead = await createPerson(['ADMIN']);
    const person = await createPerson([], { name: 'Mid-check Person' });
    const version = async () => (await getDb().user.findUniqueOrThrow({ where: { id: person.id } })).version;
    await grantRole(lead, { userId: person.id, role: 'AUDITOR', version: await version() });
    const { replayed, through } = await registryCheckRun(getDb());
    // The removal commits while the check runs: after what it read (through), before its own event.
    await removeRole(lead, { userId: person.id, role: 'AUDITOR', version: await version() });
    const read = countedAs(REPLAYS, replayed, through);
    await getDb().$transaction((tx) =>
      appendAuditEvents(tx, [
        {
          action: 'registry.checked',
          actor: SYSTEM_ACTOR,
          details: {
            checkId: 'mid-check',
            driftCount: 0,
            unrecorded: 0,
            ...read,
            throughSeq: String(through),
            replays: REPLAYS,
          },
        },
      ]),
    );
    // The removal relabelled and the role given back: the replay agrees with the row; only a walk sees the break.
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = 'system.note'
       WHERE "action" = 'role.removed' AND "details" ->> 'userId' = '${person.id}'`,
      `UPDATE "User" SET "roles" = ARRAY['AUDITOR']::"Role"[] WHERE "id" = '${person.id}'`,
    );
    const walked = async () =>
      ((await runRegistryCheck()).rows as { id: string }[]).filter((d) => d.id.startsWith('after:'));
    expect(await walked()).toMatchObject([{ id: expect.stringMatching(new RegExp(`^after:${through}:`)) }]);
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = 'role.removed'
       WHERE "action" = 'system.note' AND "details" ->> 'userId' = '${person.id}'`,
      `UPDATE "User" SET "roles" = ARRAY[]::"Role"[] WHERE "id" = '${person.id}'`,
    );
    expect(await walked()).toEqual([]);
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
