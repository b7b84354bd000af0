import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decideChangeRequest } from '@/lib/change-requests/commands';
import { issueCredential, revokeCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { requestRedaction } from '@/lib/redactions/commands';
import { makeAgent } from '@/lib/testing/agents';
import { runOfflineVerifier } from '@/lib/testing/pack-verifier';
import { createPerson } from '@/lib/testing/people';
import { hashEvent } from './canonical';
import { buildEvidencePack } from './pack';
import { verifyPack, type PackedEvent } from './pack-format';
import { parseTimelineQuery } from './queries';
import { loadSigningKey } from './signing';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Rewrites files in a pack and fixes the manifest digests, as a forger would. */
function forge(zip: Uint8Array, change: (files: Record<string, string>) => void): Uint8Array {
  const files = Object.fromEntries(Object.entries(unzipSync(zip)).map(([k, v]) => [k, strFromU8(v)]));
  change(files);
  const manifest = JSON.parse(files['manifest.json']!);
  for (const name of Object.keys(manifest.files)) manifest.files[name] = sha(strToU8(files[name]!));
  files['manifest.json'] = JSON.stringify(manifest);
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));
}

describe('evidence packs', () => {
  it(
    'carry an agent’s events, the chain segment and a signed ' + 'checkpoint; verify offline; catch any change',
    async () => {
      const auditor = await createPerson(['AUDITOR']);
      const admin = await createPerson(['ADMIN']);
      const agent = await makeAgent(admin, { ownerId: admin.id, slug: 'packed-bot' });
      const { id } = await issueCredential(admin, {
        agentId: agent.id,
        name: 'packed-key',
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'VAULT_OR_BROKER',
        environment: 'PROD',
      });
      await makeAgent(admin, { ownerId: admin.id }); // another agent's events sit between
      await revokeCredential(admin, { credentialId: id, reason: 'Rotated out' });

      const { zip } = await buildEvidencePack(auditor, parseTimelineQuery({ agent: 'packed-bot' }));
      const key = loadSigningKey()!;
      const keys = [{ keyId: key.keyId, key: key.publicKey }];
      const result = verifyPack(zip, keys);
      expect(result).toMatchObject({ ok: true, events: 4 });
      const manifest = JSON.parse(strFromU8(unzipSync(zip)['manifest.json']!));
      expect(manifest).toMatchObject({
        counts: { events: 4 },
        filter: { agent: 'packed-bot' },
        checkpoint: { keyId: key.keyId },
      });
      expect(strFromU8(unzipSync(zip)['summary.md']!)).toContain('credential.revoked: 1');
      expect(await getDb().auditEvent.count({ where: { action: 'audit.exported', actorId: auditor.id } })).toBe(1);

      // A changed event, even with the pack's digests fixed up, no longer matches its hash.
      const edited = forge(zip, (f) => {
        f['segment.ndjson'] = f['segment.ndjson']!.replace('Rotated out', 'Never revoked');
        f['events.ndjson'] = f['events.ndjson']!.replace('Rotated out', 'Never revoked');
      });
      // The signed manifest covers the files' digests: fixing them up breaks its signature.
      expect(verifyPack(edited, keys)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/manifest signature does not hold/),
      });
      expect(verifyPack(edited, [])).toMatchObject({ ok: false, reason: expect.stringMatching(/was altered/) });

      // Thinned: an event taken out of the pack and of its manifest's list, counts and digests fixed up.
      const thinned = forge(zip, (f) => {
        const lines = f['events.ndjson']!.trim().split('\n');
        const removed = JSON.parse(lines[1]!) as PackedEvent;
        f['events.ndjson'] = [lines[0], ...lines.slice(2)].join('\n') + '\n';
        const m = JSON.parse(f['manifest.json']!);
        m.events = m.events.filter((e: { seq: string }) => e.seq !== removed.seq);
        m.counts.events -= 1;
        f['manifest.json'] = JSON.stringify(m);
      });
      expect(verifyPack(thinned, keys)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/manifest signature does not hold/),
      });
      // Taken out of the pack but left in the manifest: named, even with no key.
      const dropped = forge(zip, (f) => {
        const lines = f['events.ndjson']!.trim().split('\n');
        f['events.ndjson'] = [lines[0], ...lines.slice(2)].join('\n') + '\n';
        const m = JSON.parse(f['manifest.json']!);
        m.counts.events -= 1;
        f['manifest.json'] = JSON.stringify(m);
      });
      expect(verifyPack(dropped, [])).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/missing \(removed\)/),
      });

      // Recomputing every hash after the change still cannot reach the signed checkpoint.
      const rehashed = forge(zip, (f) => {
        let prev = JSON.parse(f['manifest.json']!).segment.startPrevHash as string;
        const lines = f['segment.ndjson']!.trim()
          .split('\n')
          .map((l) => JSON.parse(l) as PackedEvent);
        for (const e of lines) {
          if (e.action === 'credential.revoked') e.details = { name: 'packed-key', reason: 'Never revoked' };
          e.prevHash = prev;
          e.hash = hashEvent(prev, {
            ...e,
            seq: BigInt(e.seq),
            occurredAt: new Date(e.occurredAt),
            recordedAt: new Date(e.recordedAt),
          });
          prev = e.hash;
        }
        f['segment.ndjson'] = lines.map((e) => JSON.stringify(e)).join('\n') + '\n';
        f['events.ndjson'] =
          lines
            .filter((e) => e.agentId === agent.id)
            .map((e) => JSON.stringify(e))
            .join('\n') + '\n';
      });
      expect(verifyPack(rehashed, keys)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/manifest signature does not hold/),
      });

      // The command line checks a pack with no database at all.
      const dir = mkdtempSync(path.join(tmpdir(), 'pack-'));
      writeFileSync(path.join(dir, 'pack.zip'), zip);
      writeFileSync(path.join(dir, 'forged.zip'), rehashed);
      writeFileSync(path.join(dir, 'public.pem'), key.publicKey.export({ type: 'spki', format: 'pem' }));
      const cli = (file: string) =>
        runOfflineVerifier(['--pack', path.join(dir, file), '--public-key', path.join(dir, 'public.pem')]);
      const good = cli('pack.zip');
      expect(good.stdout).toMatch(/Evidence pack verified: 4 events/);
      expect(good.stdout).toMatch(/none removed, added or altered/);
      expect(good.stdout).toMatch(/It does not prove/);
      expect(good.status).toBe(0);
      const bad = cli('forged.zip');
      expect(bad.stderr).toMatch(/Evidence pack INVALID/);
      expect(bad.status).toBe(1);
    },
  );

  it('show a redacted field as such and verify offline; a tombstone the manifest does not list fails', async () => {
    const auditor = await createPerson(['AUDITOR']);
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id, slug: 'redacted-bot' });
    const { id } = await issueCredential(admin, {
      agentId: agent.id,
      name: 'leaky-key',
      kind: 'API_KEY',
      issuance: 'STATIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'PROD',
    });
    await revokeCredential(admin, { credentialId: id, reason: 'It was pasted into chat: p4ss-w0rd-leak' });
    const revoked = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'credential.revoked', agentId: agent.id },
    });
    await requestRedaction(await createPerson(['ADMIN']), {
      seq: revoked.seq.toString(),
      pointers: ['/reason'],
      reason: 'A password in the reason',
    });
    const cr = await getDb().changeRequest.findFirstOrThrow({ where: { kind: 'AUDIT_REDACTION', status: 'PENDING' } });
    await decideChangeRequest(auditor, { changeRequestId: cr.id, version: 1, outcome: 'APPROVE', reason: 'Leak' });

    const { zip } = await buildEvidencePack(auditor, parseTimelineQuery({ agent: 'redacted-bot' }));
    const key = loadSigningKey()!;
    const keys = [{ keyId: key.keyId, key: key.publicKey }];
    const redaction = await getDb().auditRedaction.findFirstOrThrow({ where: { seq: revoked.seq } });
    const result = verifyPack(zip, keys);
    expect(result).toMatchObject({
      ok: true,
      redactions: [{ id: redaction.id, seq: revoked.seq.toString(), pointer: '/reason', changeRequestId: cr.id }],
    });
    const files = unzipSync(zip);
    const text = strFromU8(files['events.ndjson']!) + strFromU8(files['segment.ndjson']!);
    expect(text).not.toContain('p4ss-w0rd-leak');
    expect(text).toContain(`{"$redacted":"${redaction.id}"}`);
    expect(strFromU8(files['summary.md']!)).toContain(`field \`/reason\`: ${redaction.id}`);

    // The redaction taken out of the manifest: without a key the tombstone is unlisted; with one, the signature fails.
    const unlisted = forge(zip, (f) => {
      const m = JSON.parse(f['manifest.json']!);
      m.redactions = [];
      f['manifest.json'] = JSON.stringify(m);
    });
    expect(verifyPack(unlisted, [])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/field \/reason of event \d+ is redacted, but the manifest lists no such/),
    });
    expect(verifyPack(unlisted, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });

    const dir = mkdtempSync(path.join(tmpdir(), 'pack-'));
    writeFileSync(path.join(dir, 'pack.zip'), zip);
    writeFileSync(path.join(dir, 'public.pem'), key.publicKey.export({ type: 'spki', format: 'pem' }));
    const cli = runOfflineVerifier([
      '--pack',
      path.join(dir, 'pack.zip'),
      '--public-key',
      path.join(dir, 'public.pem'),
    ]);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/Redacted: 1 field/);
    expect(cli.stdout).toContain(`field /reason: ${redaction.id}`);
  });
});
