// A database upgraded from chain format 1: the events written before the switch verify as they always did, the
// ones after are format 2, and a format-1 event slipped in after the switch is named.
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { Invalid } from '@/lib/errors';
import { requestRedaction } from '@/lib/redactions/commands';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { appendAuditEvents, SYSTEM_ACTOR } from '.';
import { hashEvent } from './canonical';
import { verifyAuditChain } from './verify';

/** Format-1 events as the previous release wrote them, appended at the head by the owner. */
async function appendFormat1(notes: string[]) {
  const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  let { seq, hash: prev } = head;
  const statements: string[] = [];
  for (const note of notes) {
    seq += 1n;
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
      details: { note },
      owners: null,
      format: 1,
      digests: null,
    };
    const hash = hashEvent(prev, row);
    statements.push(`INSERT INTO "AuditEvent" ("seq", "occurredAt", "recordedAt", "actorType", "action", "details",
      "prevHash", "hash", "format") VALUES (${seq}, '${at.toISOString()}', '${at.toISOString()}', 'SYSTEM',
      'system.note', '${JSON.stringify(row.details)}', '${prev}', '${hash}', 1)`);
    prev = hash;
  }
  statements.push(`UPDATE "AuditChainHead" SET "seq" = ${seq}, "hash" = '${prev}' WHERE "id" = 1`);
  await asOwner(...statements);
}

const appendNotes = (notes: string[]) =>
  getDb().$transaction((tx) =>
    appendAuditEvents(
      tx,
      notes.map((note) => ({ action: 'system.note' as const, actor: SYSTEM_ACTOR, details: { note } })),
    ),
  );

describe('the switch from chain format 1 to 2', () => {
  it('verifies across the switch; format-1 events cannot be redacted; a format-1 event after it is named', async () => {
    await appendFormat1(['old 1', 'old 2', 'old 3']);
    await appendNotes(['new 4', 'new 5']);
    const formats = await getDb().auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { format: true } });
    expect(formats.map((e) => e.format)).toEqual([1, 1, 1, 2, 2]);
    expect(await verifyAuditChain(getDb())).toMatchObject({ ok: true, verifiedThroughSeq: 5n });

    await expect(
      requestRedaction(await createPerson(['ADMIN']), { seq: '2', pointers: ['/note'], reason: 'Old leak' }),
    ).rejects.toThrow(Invalid);
    await expect(
      requestRedaction(await createPerson(['ADMIN']), { seq: '2', pointers: ['/note'], reason: 'Old leak' }),
    ).rejects.toThrow(/predates chain format 2/);

    await appendFormat1(['written the old way after the switch']);
    const result = await verifyAuditChain(getDb());
    expect(result).toMatchObject({ ok: false, brokenSeq: 6n });
    expect(result.ok ? '' : result.reason).toMatch(/event 6 is in chain format 1 after format 2 began at event 4/);
  });
});
