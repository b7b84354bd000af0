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
import { parseCarried, type LedgerItem } from './verify-redactions';

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
function alteration(e: RawEvent, owners: OwnersMemo): { why: string | null; details: Json; redacted: Redacted } {
  const details = parse(e.details);
  const fail = (why: string) => ({ why, details, redacted: [] });
  if (e.format !== '1' && e.format !== '2') return fail(`its chain format ${e.format} is not one Custodian writes`);
  if (!holdsItself(e, owners)) return fail('its hash does not match its contents');
  if (e.format === '2') {
    if (!exactNumbers(e.details)) return fail('a number in its details is not one JavaScript holds exactly');
    const check = checkFields(details, parse(e.digests), parse(e.salts));
    if (!check.ok) return fail(check.reason);
    return { why: null, details, redacted: check.redacted };
  }
  return { why: null, details, redacted: [] };
}

/** The fields an event shows as redacted, as the redaction ledger names them. */
type Redacted = LedgerItem['redacted'];

/** A field's redaction as its record (`audit.redacted`) names it. */
const redactionKey = (seq: unknown, pointer: unknown, redactionId: unknown) => `${seq} ${pointer} ${redactionId}`;

type Archive = { fromSeq: bigint; toSeq: bigint; headIn: string; headOut: string };

/** The hash an event after `prev` must link to at `seq`: across archived ranges by their manifests (null: none fit). */
function linkTo(prev: { seq: bigint; hash: string }, seq: bigint, archives: Archive[]): string | null {
  let hash = prev.hash;
  // Ranges archived one after another are crossed one manifest at a time.
  for (let at = prev.seq + 1n; at < seq;) {
    const range = archives.find((a) => a.fromSeq === at);
    if (!range || range.headIn !== hash || range.toSeq >= seq) return null;
    hash = range.headOut;
    at = range.toSeq + 1n;
  }
  return hash;
}

/** Breaks listed at most, besides the last. */
const MAX_BREAKS = 20;

/**
 * Walks `from`..`to` (the anchor: a signed head, or unsigned the next event), every event holding its hash and
 * following the one before it (across archived ranges by their manifests' hashes in and out). Returns where the anchor
 * does not vouch for what comes before, in order: at each break, the event there or the one replaced before it (the
 * first MAX_BREAKS, and always the last); none when the walk holds.
 */
async function unanchored(
  tx: Tx,
  from: bigint,
  to: bigint,
  archives: Archive[],
  owners: OwnersMemo,
): Promise<bigint[]> {
  const breaks: bigint[] = [];
  const brokenAt = (seq: bigint) => {
    if (breaks.at(-1) === seq) return;
    // Past the cap the last one listed gives way to the newer: the last break is what the anchor's vouching ends at.
    if (breaks.length > MAX_BREAKS) breaks.pop();
    breaks.push(seq);
  };
  let prev: { seq: bigint; hash: string } | null = null;
  const where = `e."seq" >= ${literal(from)}::bigint AND e."seq" <= ${literal(to)}::bigint`;
  for await (const page of streamEvents(tx, where, { keyset: true })) {
    for (const e of page) {
      const seq = BigInt(e.seq);
      if (prev && linkTo(prev, seq, archives) !== e.prevHash) brokenAt(prev.seq);
      if (!holdsItself(e, owners)) brokenAt(seq);
      prev = { seq, hash: e.hash };
    }
  }
  // The anchor itself missing is a break at it.
  if (prev?.seq !== to) brokenAt(to);
  return breaks;
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
 * check's replay to the signed head is walked (from the start, with no check of this release), so a later check
 * cannot be hidden to make an older one the last.
 */
export async function registryEvents(
  tx: Tx,
  options: { walk: boolean },
): Promise<{
  events: RegistryEvent[];
  altered: Drift[];
  through: bigint;
  lastCheck: RegistryCheckedDetails | null;
  walkBroken: boolean;
  /** The end of the last archived range whose manifest does not carry rotations (0 with none): see custody-drift. */
  rotationsUncarriedThrough: bigint;
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
  const alter = (e: { seq: string; action: string }, why: string) =>
    altered.push({
      kind: 'event',
      id: e.seq,
      subject: `Event ${e.seq} (${e.action})`,
      problem: `it was altered: ${why}. It is not replayed; npm run audit:verify names the break`,
      unrecorded: false,
    });
  const candidates: { e: RawEvent; details: Json }[] = [];
  // The fields each credited event shows as redacted: believed only where a credited redaction record names them.
  const tombstones = new Map<bigint, { action: string; redacted: Redacted }>();
  for await (const page of streamEvents(tx, where, { keyset: true })) {
    for (const e of page) {
      const { why, details, redacted } = alteration(e, owners);
      if (why) alter(e, why);
      else candidates.push({ e, details });
      if (!why && redacted.length) tombstones.set(BigInt(e.seq), { action: e.action, redacted });
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
          : ((await unanchored(tx, seq, anchor, archives, owners)).at(-1) ?? null);
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
      occurredAt: new Date(e.occurredAt),
      recordedAt: new Date(e.recordedAt),
      details: (details as Record<string, unknown> | null) ?? {},
    });
  }
  // The release that began carrying rotations began carrying each registry event's occurrence beside when it was
  // recorded (an item carried only for a redaction has neither).
  let rotationsUncarriedThrough = 0n;
  for (const archive of archives) {
    const carried = parseCarried(archive.carried);
    const older = carried.some((i) => i.recordedAt !== undefined && i.occurredAt === undefined);
    if (older && archive.toSeq > rotationsUncarriedThrough) rotationsUncarriedThrough = archive.toSeq;
    for (const item of carried) {
      if (!REGISTRY_ACTIONS.has(item.action) || bySeq.has(item.seq) || item.seq > through) continue;
      bySeq.set(item.seq, {
        seq: item.seq,
        action: item.action,
        actorId: item.actorId,
        agentId: item.agentId ?? null,
        credentialId: item.credentialId ?? null,
        occurredAt: item.occurredAt ? new Date(item.occurredAt) : null,
        recordedAt: item.recordedAt ? new Date(item.recordedAt) : null,
        details: (item.details ?? {}) as Record<string, unknown>,
      });
      if (item.redacted.length) tombstones.set(item.seq, { action: item.action, redacted: item.redacted });
    }
  }
  // A tombstone written by hand, with its salt removed, holds its digest like a real one: only the redaction's record
  // (made by the two-person command) tells them apart.
  const made = new Set(
    [...bySeq.values()]
      .filter((e) => e.action === 'audit.redacted')
      .map((e) => redactionKey(e.details.seq, e.details.pointer, e.details.redactionId)),
  );
  for (const [seq, { action, redacted }] of tombstones) {
    const forged = redacted.find((r) => !made.has(redactionKey(seq, r.pointer, r.redactionId)));
    if (!forged || !bySeq.delete(seq)) continue;
    alter({ seq: String(seq), action }, `field ${forged.pointer} is redacted, and no redaction made it`);
  }
  const events = [...bySeq.values()].sort((x, y) => (x.seq < y.seq ? -1 : 1));
  const last = events.findLast((e) => e.action === 'registry.checked' && checkedDetails(e.details));
  const lastCheck = last ? checkedDetails(last.details) : null;
  // Walked from where the last check's replay ended (its own event, and those appended while it ran, after it) when it
  // counted what this release counts. With none (a first run, an upgrade, or every check hidden), from the chain's
  // start: an event this release newly counts, relabelled before any check counted it, is found nowhere else. Each
  // break is its own row, so one more made while an alarm stands is named too.
  const from = lastCheck?.replays === REPLAYS ? BigInt(lastCheck.throughSeq) : 0n;
  const breaks = options.walk && through > 0n ? await unanchored(tx, from, through, archives, owners) : [];
  const whence =
    from > 0n
      ? `walked from seq ${from}, where the last registry check ended,`
      : 'walked from its start, as no check of this release is on it yet,';
  // An event already listed as altered is not listed again.
  const listed = new Set(altered.map((d) => d.id));
  for (const seq of breaks.filter((s) => !listed.has(String(s)))) {
    altered.push({
      kind: 'event',
      id: `after:${from}:${seq}`,
      subject: `Event ${seq}`,
      problem:
        `the chain does not hold here (${whence} to the signed head): an event was relabelled, deleted or ` +
        'replaced (a later check hidden, perhaps); npm run audit:verify names the break',
      unrecorded: false,
    });
  }
  return { events, altered, through, lastCheck, walkBroken: breaks.length > 0, rotationsUncarriedThrough };
}
