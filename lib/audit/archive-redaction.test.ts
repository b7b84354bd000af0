// A redaction across an archived range: its request archived, its record and tombstone still in the database (and
// the other way round). The manifest carries the range's redaction events, so verification checks them as a full walk
// would — and excuses nothing it does not carry.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { decideChangeRequest } from '@/lib/change-requests/commands';
import { getDb } from '@/lib/db';
import { withOwnerDb } from '@/lib/db/owner';
import { requestRedaction } from '@/lib/redactions/commands';
import { appendNotes, useNarrowPartitions } from '@/lib/testing/partitions';
import { createPerson } from '@/lib/testing/people';
import { appendAuditEvent, SYSTEM_ACTOR } from '.';
import { archivePartition, restoreArchive } from './archive';
import { runVerification, signCheckpoint } from './integrity';
import { listPartitions } from './partitions';
import { trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';

const WIDTH = 20n;
const dir = mkdtempSync(path.join(tmpdir(), 'audit-archive-redaction-'));
const verify = () => verifyAuditChain(getDb(), { keys: trustedPublicKeys() });
const head = async () => (await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
/** Notes until the head reaches `seq`. */
const fillTo = async (seq: bigint) => appendNotes(Number(seq - (await head())));

let leaked: bigint;
let requestSeq: bigint;

beforeAll(async () => {
  await useNarrowPartitions(WIDTH);
  const lead = await createPerson(['ADMIN']);
  const auditor = await createPerson(['AUDITOR']);
  await appendNotes(1, 'pasted a password');
  leaked = await head();
  await requestRedaction(lead, { seq: leaked.toString(), pointers: ['/note'], reason: 'A password leaked' });
  requestSeq = await head();
  // The request in the first range, its approval (the record and the tombstone's event) in the second.
  expect(requestSeq).toBeLessThanOrEqual(WIDTH);
  await fillTo(WIDTH + 2n);
  const request = await getDb().changeRequest.findFirstOrThrow({ where: { kind: 'AUDIT_REDACTION' } });
  await decideChangeRequest(auditor, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'Yes' });
  expect(await verify()).toMatchObject({ ok: true });
  await fillTo(2n * WIDTH + 2n);
});

it('one range archived, the redaction verifies, fully and incrementally, from what its manifest carries', async () => {
  const manifest = await withOwnerDb((db) => archivePartition(db, '1', dir));
  expect(manifest.carried).toMatch(/"change.requested"/);
  expect(manifest.carried).toMatch(/"\$redacted"|"redactionId"/);
  expect(await verify()).toMatchObject({ ok: true, archived: [{ fromSeq: 1n, toSeq: WIDTH }] });
  await signCheckpoint();
  expect(await runVerification(getDb(), null)).toMatchObject({ ok: true, mode: 'full' });
  await appendNotes(2);
  // The sample would begin in the archived range: it begins after it.
  expect(await runVerification(getDb(), null, 'incremental')).toMatchObject({
    ok: true,
    mode: 'incremental',
    sampleFromSeq: WIDTH + 1n,
  });
});

it('restored, the range verifies from its own events; archived again, from its new manifest', async () => {
  await withOwnerDb((db) => restoreArchive(db, path.join(dir, 'AuditEvent_0000000000000000001.ndjson')));
  expect(await verify()).toMatchObject({ ok: true, archived: [] });
  await withOwnerDb((db) => archivePartition(db, '1', dir));
  expect(await verify()).toMatchObject({ ok: true, archived: [{ fromSeq: 1n, toSeq: WIDTH }] });
});

it('an audit.redacted naming a request nobody made is not excused by the archived range before it', async () => {
  const [first] = await listPartitions(getDb());
  expect(first!.fromSeq).toBe(WIDTH + 1n);
  const { seq } = await getDb().$transaction((tx) =>
    appendAuditEvent(tx, {
      action: 'audit.redacted',
      actor: SYSTEM_ACTOR,
      details: { redactionId: 'red_madeup', seq: String(leaked), pointer: '/other', changeRequestId: 'cr_madeup' },
    }),
  );
  // Named both at the record (no request) and at the event it names (which carries no such tombstone).
  const result = await verify();
  expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/red_madeup/) });
  expect(result.ok ? null : [leaked, seq]).toContain(result.ok ? null : result.brokenSeq);
});
