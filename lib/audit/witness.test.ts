// The witness at AUDIT_WITNESS_URL: each checkpoint POSTed to it, and what it holds read back by every verification,
// so a database rolled back to an older signed state (its latest checkpoint gone) is caught without a local file.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { resetEnvCache } from '@/lib/env';
import { asOwner } from '@/lib/testing/owner';
import { appendNotes } from '@/lib/testing/partitions';
import { createPerson } from '@/lib/testing/people';
import { runVerification, signCheckpoint, verifyChainNow } from './integrity';

const TOKEN = 'witness-test-token';
/** A witness service: keeps what it is POSTed (with the right token), answers a GET with all of it. */
const held: string[] = [];
const seen: { method: string; authorization?: string }[] = [];
let answering = true;
const server: Server = createServer((req, res) => {
  seen.push({ method: req.method!, authorization: req.headers.authorization });
  if (req.headers.authorization !== `Bearer ${TOKEN}` || !answering) {
    res.writeHead(answering ? 401 : 503).end();
    return;
  }
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      held.push(body.trim());
      res.writeHead(201).end();
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(held.map((l) => `${l}\n`).join(''));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AUDIT_WITNESS_URL', `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`);
  vi.stubEnv('AUDIT_WITNESS_TOKEN', 'env:CUSTODIAN_TEST_WITNESS_TOKEN');
  vi.stubEnv('CUSTODIAN_TEST_WITNESS_TOKEN', TOKEN);
  resetEnvCache();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  resetEnvCache();
  await new Promise((resolve) => server.close(resolve));
});

describe('the witness at a URL', () => {
  it('receives each checkpoint, and a rollback that deletes the latest one is named from what it holds', async () => {
    await appendNotes(3);
    const first = await signCheckpoint();
    await appendNotes(3);
    const second = await signCheckpoint();
    expect(held.map((l) => JSON.parse(l).number)).toEqual([String(first!.number), String(second!.number)]);
    expect(seen.filter((s) => s.method === 'POST').every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // Each checkpoint pinned twice: as stored, and as the witness holds it (read back).
    expect(await runVerification(getDb(), null)).toMatchObject({ ok: true, checkpointsVerified: 4 });
    expect(seen.at(-1)).toMatchObject({ method: 'GET' });

    // The database put back to before the second checkpoint: nothing in it is out of place any more.
    await asOwner(
      'ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER USER',
      `DELETE FROM "AuditCheckpoint" WHERE "number" = ${second!.number}`,
      'ALTER TABLE "AuditCheckpoint" ENABLE TRIGGER USER',
    );
    const run = await runVerification(getDb(), null);
    expect(run).toMatchObject({ ok: false, brokenSeq: second!.seq });
    expect(run.reason).toMatch(new RegExp(`checkpoint ${second!.number} \\(seq \\d+\\) is in the witness but missing`));
  });

  it('a witness that does not answer leaves the run unverified, never passing, with nothing named broken', async () => {
    answering = false;
    try {
      const run = await runVerification(getDb(), null);
      expect(run).toMatchObject({ ok: false, brokenSeq: null, headHash: null });
      expect(run.reason).toMatch(
        /^not checked against the witness: the witness at 127\.0\.0\.1:\d+ could not be read \(HTTP 503\)$/,
      );
      const auditor = await createPerson(['AUDITOR']);
      expect(await verifyChainNow(auditor)).toMatch(/^Not verified: not checked against the witness/);
    } finally {
      answering = true;
    }
  });
});
