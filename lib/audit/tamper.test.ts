// Tampering with the record as the database's owner, triggers disabled: every class is detected, at the right seq.
// The chain: seq 1–10 one event a transaction, checkpoint 1 at 10; 11–15 one transaction; 16–20 one each,
// checkpoint 2 at 20; 21–25 one each. Each case tampers, verifies, then restores the chain from a copy.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { resetEnvCache } from '@/lib/env';
import { asKeylessServer } from '@/lib/testing/keyless';
import { asOwner } from '@/lib/testing/owner';
import { runOfflineVerifier } from '@/lib/testing/pack-verifier';
import { appendAuditEvents, SYSTEM_ACTOR } from '.';
import { adoptUnsignedChain } from './adopt';
import { hashEvent } from './canonical';
import { FORMAT_V2, sealDetails } from './fields';
import { runVerification, signCheckpoint } from './integrity';
import { trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';
import { parseWitness } from './witness';

const TABLES = ['AuditEvent', 'AuditSignature', 'AuditCheckpoint', 'AuditChainHead'] as const;
const witnessFile = path.join(mkdtempSync(path.join(tmpdir(), 'witness-')), 'witness.jsonl');
const s = (n: number) => BigInt(n);

/** Runs statements as the owner with the append-only triggers off, as a database-level attacker would. */
async function tamper(...statements: string[]) {
  await asOwner(
    ...TABLES.map((t) => `ALTER TABLE "${t}" DISABLE TRIGGER USER`),
    ...statements,
    ...TABLES.map((t) => `ALTER TABLE "${t}" ENABLE TRIGGER USER`),
  );
}

const append = (notes: string[]) =>
  getDb().$transaction((tx) =>
    appendAuditEvents(
      tx,
      notes.map((note) => ({ action: 'system.note' as const, actor: SYSTEM_ACTOR, details: { note } })),
    ),
  );

/** Rewrites events from `from` on (changing the first), recomputing every later hash and the head. */
async function rewriteFrom(from: bigint): Promise<string[]> {
  const events = await getDb().auditEvent.findMany({ where: { seq: { gte: from } }, orderBy: { seq: 'asc' } });
  let prev = events[0]!.prevHash;
  const statements = events.map((e, i) => {
    const details = i === 0 ? { note: 'forged' } : e.details;
    // The attacker seals the forged values with fresh salts, as an append would.
    const sealed = i === 0 ? sealDetails({ note: 'forged' }) : { digests: e.digests, salts: e.salts };
    const row = { ...e, details, ...sealed, prevHash: prev };
    const hash = hashEvent(prev, row);
    prev = hash;
    return `UPDATE "AuditEvent" SET "details" = '${JSON.stringify(row.details)}', "prevHash" = '${row.prevHash}',
      "digests" = '${JSON.stringify(row.digests)}', "salts" = '${JSON.stringify(row.salts)}',
      "hash" = '${hash}' WHERE "seq" = ${e.seq}`;
  });
  return [...statements, `UPDATE "AuditChainHead" SET "hash" = '${prev}' WHERE "id" = 1`];
}

/** The hash an event would have if appended after the head with these contents. */
async function forgedAfterHead(details: { note: string }): Promise<string[]> {
  const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  const seq = head.seq + 1n;
  const at = new Date();
  const row = {
    seq,
    occurredAt: at,
    recordedAt: at,
    actorType: 'SYSTEM',
    actorId: null,
    agentId: null,
    credentialId: null,
    action: 'system.note',
    details,
    owners: null,
    format: FORMAT_V2,
    ...sealDetails(details),
  };
  const hash = hashEvent(head.hash, row);
  return [
    `INSERT INTO "AuditEvent" ("seq", "occurredAt", "recordedAt", "actorType", "action", "details", "prevHash", "hash",
       "format", "digests", "salts")
     VALUES (${seq}, '${at.toISOString()}', '${at.toISOString()}', 'SYSTEM', 'system.note',
       '${JSON.stringify(details)}', '${head.hash}', '${hash}', 2, '${JSON.stringify(row.digests)}',
       '${JSON.stringify(row.salts)}')`,
    `UPDATE "AuditChainHead" SET "seq" = ${seq}, "hash" = '${hash}' WHERE "id" = 1`,
  ];
}

/** A backup restored: everything after `seq` gone, signatures and checkpoints with it, the head rewound. */
const rollBackTo = (seq: bigint) => [
  `DELETE FROM "AuditEvent" WHERE "seq" > ${seq}`,
  `DELETE FROM "AuditSignature" WHERE "seq" > ${seq}`,
  `DELETE FROM "AuditCheckpoint" WHERE "seq" > ${seq}`,
  `UPDATE "AuditChainHead" SET "seq" = ${seq}, "hash" = (SELECT "hash" FROM "AuditEvent" WHERE "seq" = ${seq})
    WHERE "id" = 1`,
];

type Case = { name: string; attack: () => Promise<string[]>; seq: number; reason: RegExp; witnessOnly?: true };

const CASES: Case[] = [
  {
    name: 'edit an event',
    attack: async () => [`UPDATE "AuditEvent" SET "details" = '{"note":"forged"}' WHERE "seq" = ${s(5)}`],
    seq: 5,
    reason: /event \d+ was altered/,
  },
  {
    name: 'edit an event and recompute its hash',
    attack: async () => (await rewriteFrom(s(5))).slice(0, 1),
    seq: 5,
    // Its own signature fails first; unsigned, the next event's link names it.
    reason: /events 5 to 5 were changed after they were signed/,
  },
  {
    name: 'rewrite a suffix after the last checkpoint',
    attack: () => rewriteFrom(s(22)),
    seq: 22,
    reason: /changed after they were signed/,
  },
  {
    name: 'rewrite a suffix after the last checkpoint, deleting its signatures',
    attack: async () => [...(await rewriteFrom(s(22))), `DELETE FROM "AuditSignature" WHERE "seq" >= ${s(22)}`],
    seq: 22,
    reason: /carry no valid signature/,
  },
  {
    name: 'rewrite a suffix before the last checkpoint',
    attack: () => rewriteFrom(s(17)),
    seq: 17,
    reason: /changed after they were signed/,
  },
  {
    name: 'rewrite a suffix before the last checkpoint, deleting signatures and checkpoints',
    attack: async () => [
      ...(await rewriteFrom(s(17))),
      `DELETE FROM "AuditSignature" WHERE "seq" >= ${s(17)}`,
      `DELETE FROM "AuditCheckpoint" WHERE "seq" >= ${s(17)}`,
    ],
    seq: 17,
    reason: /carry no valid signature/,
  },
  {
    name: 'rewrite inside a batch (one signature covers 11–15: the batch is named)',
    attack: () => rewriteFrom(s(13)),
    seq: 11,
    reason: /events \d+ to \d+ were changed after they were signed/,
  },
  {
    name: 'delete an event in the middle',
    attack: async () => [`DELETE FROM "AuditEvent" WHERE "seq" = ${s(7)}`],
    seq: 7,
    reason: /event \d+ is missing/,
  },
  {
    name: 'delete the tail, head left',
    attack: async () => [`DELETE FROM "AuditEvent" WHERE "seq" >= ${s(24)}`],
    seq: 24,
    reason: /are missing/,
  },
  {
    name: 'delete the tail past a checkpoint and rewind the head',
    attack: async () => {
      const e = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: s(17) } });
      return [
        `DELETE FROM "AuditEvent" WHERE "seq" >= ${s(18)}`,
        `DELETE FROM "AuditSignature" WHERE "seq" >= ${s(18)}`,
        `UPDATE "AuditChainHead" SET "seq" = ${s(17)}, "hash" = '${e.hash}' WHERE "id" = 1`,
      ];
    },
    seq: 18,
    reason: /beyond the chain head/,
  },
  {
    name: 'truncate past a checkpoint into a batch, head rewound',
    attack: async () => {
      const e = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: s(13) } });
      return [
        `DELETE FROM "AuditEvent" WHERE "seq" >= ${s(14)}`,
        `DELETE FROM "AuditSignature" WHERE "seq" >= ${s(14)}`,
        `UPDATE "AuditChainHead" SET "seq" = ${s(13)}, "hash" = '${e.hash}' WHERE "id" = 1`,
      ];
    },
    seq: 14,
    reason: /checkpoint 2 pins seq \d+, beyond the chain head/,
  },
  {
    name: 'swap two events',
    attack: async () => [
      `UPDATE "AuditEvent" SET "seq" = 9000001 WHERE "seq" = ${s(5)}`,
      `UPDATE "AuditEvent" SET "seq" = ${s(5)} WHERE "seq" = ${s(6)}`,
      `UPDATE "AuditEvent" SET "seq" = ${s(6)} WHERE "seq" = 9000001`,
    ],
    seq: 5,
    reason: /was altered/,
  },
  {
    name: 'insert a forged event in place of a real one',
    attack: async () => (await rewriteFrom(s(8))).slice(0, 1),
    seq: 8,
    reason: /events 8 to 8 were changed after they were signed/,
  },
  {
    name: 'append beyond the head',
    attack: async () => (await forgedAfterHead({ note: 'beyond' })).slice(0, 1),
    seq: 26,
    reason: /lies beyond the chain head/,
  },
  {
    name: 'replay an old event at the tail, head moved',
    attack: async () => {
      const old = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: s(3) } });
      return forgedAfterHead(old.details as { note: string });
    },
    seq: 26,
    reason: /carry no valid signature/,
  },
  {
    name: 'change the owners snapshot',
    attack: async () => [`UPDATE "AuditEvent" SET "owners" = '{"ownerId":"someone-else"}' WHERE "seq" = ${s(9)}`],
    seq: 9,
    reason: /was altered/,
  },
  {
    name: 'change a timestamp by a millisecond',
    attack: async () => [
      `UPDATE "AuditEvent" SET "occurredAt" = "occurredAt" + interval '1 millisecond' WHERE "seq" = ${s(12)}`,
    ],
    seq: 12,
    reason: /was altered/,
  },
  {
    name: 'alter a checkpoint',
    attack: async () => [`UPDATE "AuditCheckpoint" SET "hash" = '${'a'.repeat(64)}' WHERE "number" = 1`],
    seq: 10,
    reason: /checkpoint 1 .* signature that does not hold/,
  },
  {
    name: 'forge a checkpoint',
    attack: async () => {
      const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
      const real = await getDb().auditCheckpoint.findFirstOrThrow({ where: { number: 1 } });
      return [
        `INSERT INTO "AuditCheckpoint" ("id", "number", "format", "seq", "hash", "signedAt", "keyId", "signature")
         VALUES ('forged', 3, 2, ${head.seq}, '${head.hash}', now(), '${real.keyId}', '${real.signature}')`,
      ];
    },
    seq: 25,
    reason: /checkpoint 3 .* signature that does not hold/,
  },
  {
    name: 'delete a checkpoint (no witness: the gap in the numbers)',
    attack: async () => [`DELETE FROM "AuditCheckpoint" WHERE "number" = 1`],
    seq: 1,
    reason: /checkpoint 1 is missing/,
  },
  {
    name: 'delete a checkpoint (the witness names it)',
    attack: async () => [`DELETE FROM "AuditCheckpoint" WHERE "number" = 1`],
    seq: 10,
    reason: /checkpoint 1 \(seq \d+\) is in the witness but missing here/,
    witnessOnly: true,
  },
  {
    name: 'delete a checkpoint and fill its number with one signed by an unknown key',
    attack: async () => {
      const real = await getDb().auditCheckpoint.findFirstOrThrow({ where: { number: 1 } });
      return [
        `DELETE FROM "AuditCheckpoint" WHERE "number" = 1`,
        `INSERT INTO "AuditCheckpoint" ("id", "number", "format", "seq", "hash", "signedAt", "keyId", "signature")
         VALUES ('filler', 1, 2, ${real.seq}, '${'d'.repeat(64)}', now(), '0000000000000000', 'AAAA')`,
      ];
    },
    seq: 10,
    reason: /checkpoint 1 is signed by key 0000000000000000, which is not trusted/,
  },
  {
    name: 'forge a head signature',
    attack: async () => [`UPDATE "AuditSignature" SET "signature" = 'AAAA' WHERE "seq" = ${s(25)}`],
    seq: 25,
    reason: /changed after they were signed/,
  },
  {
    name: 'change the head',
    attack: async () => [`UPDATE "AuditChainHead" SET "hash" = '${'b'.repeat(64)}' WHERE "id" = 1`],
    seq: 25,
    reason: /the chain head .* does not match the last event/,
  },
  {
    name: 'rewind the head over events left in place',
    attack: async () => {
      const e = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: s(21) } });
      return [`UPDATE "AuditChainHead" SET "seq" = ${s(21)}, "hash" = '${e.hash}' WHERE "id" = 1`];
    },
    seq: 22,
    reason: /lies beyond the chain head/,
  },
  // Chain format 2: the hash covers salted field digests; the values and salts beside them are checked against them.
  {
    name: 'format 2: change a salt',
    attack: async () => [
      `UPDATE "AuditEvent" SET "salts" = '{"/note":"AAAAAAAAAAAAAAAAAAAAAA"}' WHERE "seq" = ${s(8)}`,
    ],
    seq: 8,
    reason: /event 8 was altered: field \/note was altered/,
  },
  {
    name: 'format 2: swap digests and salts with another event',
    attack: async () => [
      `UPDATE "AuditEvent" e SET "digests" = o."digests", "salts" = o."salts", "details" = o."details"
         FROM "AuditEvent" o WHERE e."seq" = ${s(8)} AND o."seq" = ${s(9)}`,
    ],
    seq: 8,
    reason: /event 8 was altered \(its hash does not match its contents\)/,
  },
  {
    name: 'format 2: hide a value under a tombstone nobody approved',
    attack: async () => [
      `UPDATE "AuditEvent" SET "details" = '{"note":{"$redacted":"red_forged"}}', "salts" = '{}' WHERE "seq" = ${s(8)}`,
    ],
    seq: 8,
    reason: /shown as redacted \(red_forged\), but no audit.redacted event records/,
  },
  {
    name: 'format 2: add a field beside the digests',
    attack: async () => [`UPDATE "AuditEvent" SET "details" = "details" || '{"extra":"x"}' WHERE "seq" = ${s(8)}`],
    seq: 8,
    reason: /field \/extra was added/,
  },
  {
    name: 'format 2: downgrade an event to format 1 with its hash recomputed',
    attack: async () => {
      const e = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: s(23) } });
      const hash = hashEvent(e.prevHash, { ...e, format: 1 });
      return [`UPDATE "AuditEvent" SET "format" = 1, "hash" = '${hash}' WHERE "seq" = ${e.seq}`];
    },
    seq: 23,
    reason: /events 23 to 23 were changed after they were signed|chain format 1 after format 2 began/,
  },
];

describe('tampering with the record as the database owner', () => {
  beforeAll(async () => {
    vi.stubEnv('AUDIT_WITNESS_FILE', witnessFile);
    resetEnvCache();
    // A fresh database: the seqs and checkpoint numbers below are this chain's own.
    expect(await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({ seq: 0n });
    expect(await getDb().auditCheckpoint.count()).toBe(0);
    for (let i = 1; i <= 10; i++) await append([`one ${i}`]);
    await signCheckpoint();
    await append(['batch 1', 'batch 2', 'batch 3', 'batch 4', 'batch 5']);
    for (let i = 16; i <= 20; i++) await append([`one ${i}`]);
    await signCheckpoint();
    for (let i = 21; i <= 25; i++) await append([`one ${i}`]);
    await asOwner(...TABLES.map((t) => `CREATE TABLE "copy_${t}" AS TABLE "${t}"`));
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    resetEnvCache();
  });

  async function restore() {
    await tamper(
      ...TABLES.map((t) => `DELETE FROM "${t}"`),
      ...TABLES.map((t) => `INSERT INTO "${t}" SELECT * FROM "copy_${t}"`),
    );
  }

  const verify = (witness: boolean) =>
    verifyAuditChain(getDb(), {
      keys: trustedPublicKeys(),
      witness: witness ? parseWitness(readFileSync(witnessFile, 'utf8')) : [],
    });

  it('the untouched chain verifies: signed, both checkpoints in the witness', async () => {
    const result = await verify(true);
    expect(result).toMatchObject({ ok: true, signed: true, verifiedThroughSeq: s(25) });
    expect(result.ok && result.signaturesVerified).toBeGreaterThanOrEqual(21);
    expect(parseWitness(readFileSync(witnessFile, 'utf8')).length).toBeGreaterThanOrEqual(2);
  });

  it.each(CASES)('$name: detected at the right seq', async ({ attack, seq, reason, witnessOnly }) => {
    await tamper(...(await attack()));
    try {
      const result = await verify(witnessOnly ?? false);
      expect(result).toMatchObject({ ok: false, brokenSeq: s(seq) });
      expect(result.ok ? '' : result.reason).toMatch(reason);
      // The server's own run, with its witness, names the same seq or an earlier one the witness pins.
      const recorded = await runVerification(getDb(), null);
      expect(recorded.ok).toBe(false);
    } finally {
      await restore();
    }
    expect((await verify(true)).ok).toBe(true);
  });

  it('roll the whole database back to an earlier signed state: only the witness catches it', async () => {
    // A backup taken at seq 17 (signed, consistent), restored after checkpoint 2 reached the witness.
    await tamper(...rollBackTo(s(17)));
    try {
      expect(await verify(false)).toMatchObject({ ok: true, signed: true });
      const result = await verify(true);
      expect(result).toMatchObject({ ok: false, brokenSeq: s(18) });
      expect(result.ok ? '' : result.reason).toMatch(/the witness holds checkpoint \d+ .* rolled back/);
    } finally {
      await restore();
    }
  });

  it('a rollback is named by the signed verification that saw the events, without a witness too', async () => {
    vi.stubEnv('AUDIT_WITNESS_FILE', undefined);
    resetEnvCache();
    try {
      expect(await runVerification(getDb(), null)).toMatchObject({ ok: true, throughSeq: s(25) });
      await tamper(...rollBackTo(s(17)));
      expect(await verify(false)).toMatchObject({ ok: true });
      const run = await runVerification(getDb(), null);
      expect(run).toMatchObject({ ok: false, brokenSeq: s(18), throughSeq: s(17) });
      expect(run.reason).toMatch(/found events through seq 25, beyond the chain head \(seq 17\).*rolled back/);
    } finally {
      await restore();
      vi.stubEnv('AUDIT_WITNESS_FILE', witnessFile);
      resetEnvCache();
    }
  });

  it('wipe every signature and checkpoint, rewrite, let Custodian append and checkpoint: not signed', async () => {
    // With nothing signed left, the chain looks like one never signed: it is not trusted on first use.
    await tamper(...(await rewriteFrom(s(5))), `DELETE FROM "AuditSignature"`, `DELETE FROM "AuditCheckpoint"`);
    try {
      await append(['after the wipe']);
      expect(await signCheckpoint()).toBeNull();
      expect(await getDb().auditSignature.count()).toBe(0);
      const result = await verify(false);
      expect(result).toMatchObject({ ok: false, brokenSeq: s(1), unsigned: true });
      expect(result.ok ? '' : result.reason).toMatch(/events 1 to 26 carry no valid signature/);
      // The witness still names the rewrite where checkpoint 1 pinned it.
      expect(await verify(true)).toMatchObject({ ok: false });
    } finally {
      await restore();
    }
  });

  it('the owner adopts a tail written while no key was configured; one signed once, or altered, is not', async () => {
    expect(await adoptUnsignedChain(getDb())).toEqual({ adopted: false, headSeq: s(25) });
    // A server with no key (production, none configured) appends three events, unsigned.
    await asKeylessServer(() => append(['keyless 26', 'keyless 27', 'keyless 28']));
    try {
      expect(await verify(false)).toMatchObject({ ok: false, brokenSeq: s(26), unsigned: true });
      expect(await adoptUnsignedChain(getDb())).toEqual({ adopted: true, fromSeq: s(26), throughSeq: s(28) });
      const adopted = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: s(29) } });
      expect(adopted).toMatchObject({ action: 'audit.adopted', details: { fromSeq: '26', throughSeq: '28' } });
      expect(await verify(true)).toMatchObject({ ok: true, signed: true, verifiedThroughSeq: s(29) });
    } finally {
      await restore();
    }
    // Signatures deleted from a tail a signed verification saw signed: tampering, not a tail to adopt.
    expect(await runVerification(getDb(), null)).toMatchObject({ ok: true, throughSeq: s(25) });
    await tamper(`DELETE FROM "AuditSignature" WHERE "seq" > ${s(20)}`);
    try {
      expect(await verify(false)).toMatchObject({ ok: false, brokenSeq: s(21), unsigned: true });
      await expect(adoptUnsignedChain(getDb())).rejects.toThrow(/signed once and its signatures are gone/);
    } finally {
      await restore();
    }
    // An edited event is not adopted, signed or not.
    await tamper(
      `UPDATE "AuditEvent" SET "details" = '{"note":"forged"}' WHERE "seq" = ${s(22)}`,
      `DELETE FROM "AuditSignature" WHERE "seq" >= ${s(21)}`,
    );
    try {
      await expect(adoptUnsignedChain(getDb())).rejects.toThrow(/does not verify \(seq 22: .*cannot be adopted/);
    } finally {
      await restore();
    }
  });

  it('without a key (unsigned), the hashes alone still locate a recomputed event by the link after it', async () => {
    await tamper(...(await rewriteFrom(s(5))).slice(0, 1));
    try {
      const result = await verifyAuditChain(getDb());
      expect(result).toMatchObject({ ok: false, brokenSeq: s(5) });
      expect(result.ok ? '' : result.reason).toMatch(/event 5 was changed and its hash recomputed/);
    } finally {
      await restore();
    }
  });

  it('the command line checks no witness without a key, rather than claim it did', () => {
    const cli = runOfflineVerifier(['--witness', witnessFile]);
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('--witness needs --public-key');
    expect(cli.stdout).not.toContain('Witness:');
  });

  it('a witness line edited to match a rewrite fails its signature', async () => {
    const lines = readFileSync(witnessFile, 'utf8').trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { hash: string };
    const forged = [...lines.slice(0, -1), JSON.stringify({ ...last, hash: 'c'.repeat(64) })].join('\n');
    const result = await verifyAuditChain(getDb(), { keys: trustedPublicKeys(), witness: parseWitness(forged) });
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? '' : result.reason).toMatch(
      /the witness's checkpoint \d+ carries a signature that does not hold/,
    );
    writeFileSync(witnessFile, `${lines.join('\n')}\n`);
  });
});
