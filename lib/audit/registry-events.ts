import 'server-only';
import type { Db, Tx } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { archivedRanges } from './archive';
import { exactNumbers, hashEventText, OwnersMemo, type Json } from './canonical';
import { checkFields } from './fields';
import {
  checkedDetails,
  REGISTRY_ACTIONS,
  REPLAYS,
  type Drift,
  type RegistryCheckedDetails,
  type RegistryEvent,
} from './registry-actions';
import { signatureHolds, trustedPublicKeys } from './signing';
import { literal, streamEvents, type RawEvent } from './stream';
import { parseCarried } from './verify-redactions';

// The events the registry check replays, and only those it may credit. The chain's verification proves every event,
// but a scheduled run walks the newest and samples the rest, so an event edited in the database (a record's issuance
// rewritten beside the row it describes) could be replayed for weeks before a walk reached it. Each credited event is
// checked here as the walk would check it, from it to the next head Custodian signed.

/**
 * The last seq a head signature vouches for (one that holds for a trusted key, over the event there as stored), or
 * null with no key configured (an unsigned deployment credits every event, as verification checks hashes alone).
 * Events after it were written around Custodian's signing: the application's role can append a chained event, not
 * sign it, so such an event is not credited.
 */
export async function lastSignedSeq(db: Db | Tx): Promise<bigint | null> {
  if (trustedPublicKeys().length === 0) return null;
  return (await firstHoldingHead(db, Prisma.sql`TRUE`, 'DESC')) ?? 0n;
}

/** The first signed head (in `order` of seq, among those `where` admits over `s`) whose signature holds, or null. */
async function firstHoldingHead(tx: Db | Tx, where: Prisma.Sql, order: 'ASC' | 'DESC'): Promise<bigint | null> {
  const keys = trustedPublicKeys();
  const heads = await tx.$queryRaw<{ seq: bigint; hash: string; keyId: string; signedAt: Date; signature: string }[]>`
    SELECT s."seq", s."hash", s."keyId", s."signedAt", s."signature" FROM "AuditSignature" s
    JOIN "AuditEvent" e ON e."seq" = s."seq" AND e."hash" = s."hash"
    WHERE ${where} ORDER BY s."seq" ${Prisma.raw(order)} LIMIT 20`;
  for (const h of heads) {
    const key = keys.find((k) => k.keyId === h.keyId);
    const statement = { kind: 'head', seq: h.seq, hash: h.hash, signedAt: h.signedAt } as const;
    if (key && signatureHolds(key.key, statement, h.signature)) return h.seq;
  }
  return null;
}

const parse = (text: string | null): Json => (text === null ? null : (JSON.parse(text) as Json));
const holdsItself = (e: RawEvent, owners: OwnersMemo) =>
  (e.format === '1' || e.format === '2') &&
  hashEventText(e.prevHash, e, owners, e.format === '2' ? parse(e.digests) : undefined) === e.hash;

/** Why a stored event's contents cannot be credited as they stand (null: they hold), with its details as read. */
function alteration(e: RawEvent, owners: OwnersMemo): { why: string | null; details: Json } {
  const details = parse(e.details);
  const fail = (why: string) => ({ why, details });
  if (e.format !== '1' && e.format !== '2') return fail(`its chain format ${e.format} is not one Custodian writes`);
  if (!holdsItself(e, owners)) return fail('its hash does not match its contents');
  if (e.format === '2') {
    if (!exactNumbers(e.details)) return fail('a number in its details is not one JavaScript holds exactly');
    const check = checkFields(details, parse(e.digests), parse(e.salts));
    if (!check.ok) return fail(check.reason);
  }
  return { why: null, details };
}

/**
 * Walks `from`..`to` (the anchor: a signed head, or unsigned the next event), every event holding its hash and
 * following the one before it (across an archived range by its manifest's hashes in and out). Returns the last seq the
 * anchor does not vouch for: the event at a break, or the one replaced before it; null when the walk holds.
 */
async function lastUnanchored(
  tx: Tx,
  from: bigint,
  to: bigint,
  archives: { fromSeq: bigint; toSeq: bigint; headIn: string; headOut: string }[],
  owners: OwnersMemo,
): Promise<bigint | null> {
  let broken: bigint | null = null;
  let prev: { seq: bigint; hash: string } | null = null;
  const where = `e."seq" >= ${literal(from)}::bigint AND e."seq" <= ${literal(to)}::bigint`;
  for await (const page of streamEvents(tx, where, { keyset: true })) {
    for (const e of page) {
      const seq = BigInt(e.seq);
      if (prev) {
        const gap = seq === prev.seq + 1n ? null : archives.find((a) => a.fromSeq === prev!.seq + 1n);
        const follows =
          gap === null
            ? e.prevHash === prev.hash
            : gap !== undefined && gap.toSeq === seq - 1n && gap.headIn === prev.hash && gap.headOut === e.prevHash;
        if (!follows) broken = prev.seq;
      }
      if (!holdsItself(e, owners)) broken = seq;
      prev = { seq, hash: e.hash };
    }
  }
  // The anchor itself missing is a break at it.
  return prev?.seq === to ? broken : to;
}

/**
 * Every registry event in seq order up to the last signed head, each checked as verification would (`altered` lists
 * those that fail, which are not replayed): its fields against their digests, its hash against its contents, and the
 * events from it to the next signed head (each append signs its own) holding and linked, so rewriting it means
 * rewriting up to a signature nobody outside Custodian can make. Those on the timeline are read in the caller's
 * snapshot; those an archived range's manifest carries (one whose signature holds for a trusted key) are vouched for
 * by it, so archiving old events changes nothing here. A credential's issue counts only where it made the record (a
 * lease reported again changes nothing). An event relabelled or deleted is not among them: the next check's tripwire
 * names those the last check replayed (`lastCheck`, the last `registry.checked` credited), and every event from that
 * check to the signed head is walked (from the start, with no check of this release), so a later check cannot be
 * hidden to make an older one the last.
 */
export async function registryEvents(tx: Tx): Promise<{
  events: RegistryEvent[];
  altered: Drift[];
  through: bigint;
  lastCheck: RegistryCheckedDetails | null;
  brokenFrom: bigint | null;
}> {
  const signed = await lastSignedSeq(tx);
  const [head] = await tx.$queryRaw<{ seq: bigint; hash: string }[]>`
    SELECT "seq", "hash" FROM "AuditChainHead" WHERE "id" = 1`;
  const through = signed ?? head?.seq ?? 0n;
  const actions = [...REGISTRY_ACTIONS].map(literal).join(', ');
  const where =
    `e."action" IN (${actions}) AND e."seq" <= ${literal(through)}::bigint ` +
    `AND (e."action" <> 'credential.issued' OR (e."details" -> 'record') IS NOT NULL)`;
  const archives = await archivedRanges(tx);
  const owners = new OwnersMemo();
  const altered: Drift[] = [];
  const alter = (e: RawEvent, why: string) =>
    altered.push({
      kind: 'event',
      id: e.seq,
      subject: `Event ${e.seq} (${e.action})`,
      problem: `it was altered: ${why}. It is not replayed; npm run audit:verify names the break`,
      unrecorded: false,
    });
  const candidates: { e: RawEvent; details: Json }[] = [];
  for await (const page of streamEvents(tx, where, { keyset: true })) {
    for (const e of page) {
      const { why, details } = alteration(e, owners);
      if (why) alter(e, why);
      else candidates.push({ e, details });
    }
  }
  // Each walk runs from a candidate to its anchor, and vouches for the candidates it passes beyond its last break.
  const bySeq = new Map<bigint, RegistryEvent>();
  let walked: { to: bigint; anchor: bigint; broken: bigint | null } | null = null;
  for (const { e, details } of candidates) {
    const seq = BigInt(e.seq);
    if (!walked || seq > walked.to) {
      // Unsigned, nothing outside the chain vouches for an event: the next one's link is all there is.
      const anchor =
        signed === null
          ? seq < through
            ? seq + 1n
            : seq
          : ((await firstHoldingHead(tx, Prisma.sql`s."seq" >= ${seq} AND s."seq" <= ${through}`, 'ASC')) ?? through);
      const broken =
        signed === null && anchor === seq && e.hash !== head?.hash
          ? seq
          : await lastUnanchored(tx, seq, anchor, archives, owners);
      walked = { to: signed === null ? seq : anchor, anchor, broken };
    }
    if (walked.broken !== null && seq <= walked.broken) {
      alter(
        e,
        `the events from it to the signed head at ${walked.anchor} do not hold (it, or one after it, was replaced)`,
      );
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
  const last = events.findLast((e) => e.action === 'registry.checked' && checkedDetails(e.details));
  const lastCheck = last ? checkedDetails(last.details) : null;
  // Walked from the last check that counted what this release counts. With none (a first run, an upgrade, or every
  // check hidden), from the chain's start: an event this release newly counts, relabelled before any check counted
  // it, is found nowhere else. A check that found a break records where it walked from, so the alarm holds on every
  // run after until the events are back, not for one run that nobody reads.
  const from = lastCheck?.brokenFrom
    ? BigInt(lastCheck.brokenFrom)
    : last && (lastCheck!.replays ?? 2) === REPLAYS
      ? last.seq
      : 0n;
  const broken = through > 0n && (await lastUnanchored(tx, from, through, archives, owners)) !== null;
  if (broken) {
    altered.push({
      kind: 'event',
      id: `after:${from}`,
      subject: from > 0n ? `Events ${from} to ${through}` : `Events 1 to ${through}`,
      problem:
        (from > 0n
          ? `the events from the last registry check on the chain (${from}) to the signed head do not hold`
          : 'the events up to the signed head do not hold (walked in full: no check of this release is on the ' +
            'chain yet)') +
        ': one was relabelled, deleted or replaced (a later check hidden, perhaps); npm run audit:verify names the ' +
        'break',
      unrecorded: false,
    });
  }
  return { events, altered, through, lastCheck, brokenFrom: broken ? from : null };
}
