import 'server-only';
import type { Tx } from '@/lib/db';
import { archivedRanges } from './archive';
import { exactNumbers, hashEventText, OwnersMemo, type Json } from './canonical';
import { checkFields } from './fields';
import { REGISTRY_ACTIONS, type Drift, type RegistryEvent } from './registry-actions';
import { signatureHolds, trustedPublicKeys } from './signing';
import { literal, streamEvents, type RawEvent } from './stream';
import { parseCarried } from './verify-redactions';

// The events the registry check replays, and only those it may credit. The chain's verification proves every event,
// but a scheduled run walks the newest and samples the rest, so an event edited in the database (a record's issuance
// rewritten beside the row it describes) could be replayed for weeks before a walk reached it. Each credited event is
// checked here as the walk would check it: its fields against their digests, its hash against its contents, and the
// next event's link to it (or, the last one, the signed head's signature over it).

/**
 * The last seq a head signature vouches for (one that holds for a trusted key, over the event there as stored), or
 * null with no key configured (an unsigned deployment credits every event, as verification checks hashes alone).
 * Events after it were written around Custodian's signing: the application's role can append a chained event, not
 * sign it, so such an event is not credited.
 */
export async function lastSignedSeq(db: Tx): Promise<bigint | null> {
  const keys = trustedPublicKeys();
  if (keys.length === 0) return null;
  const heads = await db.$queryRaw<{ seq: bigint; hash: string; keyId: string; signedAt: Date; signature: string }[]>`
    SELECT s."seq", s."hash", s."keyId", s."signedAt", s."signature" FROM "AuditSignature" s
    JOIN "AuditEvent" e ON e."seq" = s."seq" AND e."hash" = s."hash" ORDER BY s."seq" DESC LIMIT 20`;
  for (const h of heads) {
    const key = keys.find((k) => k.keyId === h.keyId);
    const statement = { kind: 'head', seq: h.seq, hash: h.hash, signedAt: h.signedAt } as const;
    if (key && signatureHolds(key.key, statement, h.signature)) return h.seq;
  }
  return 0n;
}

const parse = (text: string | null): Json => (text === null ? null : (JSON.parse(text) as Json));

/** Why a stored event cannot be credited as it stands (null: it holds), with its details as read. */
function alteration(
  e: RawEvent,
  nextLink: string | undefined,
  anchored: boolean,
  owners: OwnersMemo,
): { why: string | null; details: Json } {
  const details = parse(e.details);
  if (e.format !== '1' && e.format !== '2')
    return { why: `its chain format ${e.format} is not one Custodian writes`, details };
  const digests = e.format === '2' ? parse(e.digests) : undefined;
  const fail = (why: string) => ({ why, details });
  if (hashEventText(e.prevHash, e, owners, digests) !== e.hash) return fail('its hash does not match its contents');
  if (e.format === '2') {
    if (!exactNumbers(e.details)) return fail('a number in its details is not one JavaScript holds exactly');
    const check = checkFields(details, digests ?? null, parse(e.salts));
    if (!check.ok) return fail(check.reason);
  }
  if (!anchored && nextLink !== e.hash) return fail('the event after it does not follow it (it was replaced)');
  return { why: null, details };
}

/**
 * Every registry event in seq order up to the last signed head, each checked as verification would (`altered` lists
 * those that fail, which are not replayed): those on the timeline, in the caller's snapshot, and those an archived
 * range's manifest carries (one whose signature holds for a trusted key), so archiving old events changes nothing
 * here. A credential's issue counts only where it made the record (a lease reported again changes nothing).
 */
export async function registryEvents(tx: Tx): Promise<{ events: RegistryEvent[]; altered: Drift[] }> {
  const signed = await lastSignedSeq(tx);
  const [head] = await tx.$queryRaw<{ seq: bigint; hash: string }[]>`
    SELECT "seq", "hash" FROM "AuditChainHead" WHERE "id" = 1`;
  const through = signed ?? head?.seq ?? 0n;
  const actions = [...REGISTRY_ACTIONS].map(literal).join(', ');
  const where =
    `e."action" IN (${actions}) AND e."seq" <= ${literal(through)}::bigint ` +
    `AND (e."action" <> 'credential.issued' OR (e."details" -> 'record') IS NOT NULL)`;
  const archives = await archivedRanges(tx);
  // An event just before an archived range is followed by the range's signed manifest, which records its hash.
  const headIn = new Map(archives.map((a) => [a.fromSeq - 1n, a.headIn]));
  const bySeq = new Map<bigint, RegistryEvent>();
  const altered: Drift[] = [];
  const owners = new OwnersMemo();
  for await (const page of streamEvents(tx, where, { keyset: true })) {
    const successors = page.map((e) => BigInt(e.seq) + 1n);
    const next = new Map(
      (
        await tx.$queryRaw<{ seq: bigint; prevHash: string }[]>`
          SELECT "seq", "prevHash" FROM "AuditEvent" WHERE "seq" = ANY(${successors}::bigint[])`
      ).map((r) => [r.seq - 1n, r.prevHash]),
    );
    for (const [seq, link] of headIn) if (!next.has(seq)) next.set(seq, link);
    for (const e of page) {
      const seq = BigInt(e.seq);
      // The last one credited is held by the signed head's signature (or, unsigned, is the head).
      const anchored = seq === through && (signed !== null || e.hash === head?.hash);
      const { why, details } = alteration(e, next.get(seq), anchored, owners);
      if (why) {
        altered.push({
          kind: 'event',
          id: e.seq,
          subject: `Event ${e.seq} (${e.action})`,
          problem: `it was altered: ${why}. It is not replayed; npm run audit:verify names the break`,
          unrecorded: false,
        });
        continue;
      }
      bySeq.set(seq, {
        seq,
        action: e.action,
        actorId: e.actorId,
        agentId: e.agentId,
        credentialId: e.credentialId,
        recordedAt: new Date(e.recordedAt),
        details: (details as Record<string, unknown> | null) ?? {},
      });
    }
  }
  for (const archive of archives) {
    for (const item of parseCarried(archive.carried)) {
      if (!REGISTRY_ACTIONS.has(item.action) || bySeq.has(item.seq) || item.seq > through) continue;
      bySeq.set(item.seq, {
        seq: item.seq,
        action: item.action,
        actorId: item.actorId,
        agentId: item.agentId ?? null,
        credentialId: item.credentialId ?? null,
        recordedAt: item.recordedAt ? new Date(item.recordedAt) : null,
        details: (item.details ?? {}) as Record<string, unknown>,
      });
    }
  }
  const events = [...bySeq.values()].sort((x, y) => (x.seq < y.seq ? -1 : 1));
  return { events, altered };
}
