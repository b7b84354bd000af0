import 'server-only';
import type { Db } from '@/lib/db';
import { exactNumbers, GENESIS_HASH, hashEventText, OwnersMemo, type Json } from './canonical';
import { checkFields } from './fields';
import { archiveSignatureHolds, checkpointStatement, signatureHolds, type PublicKeys } from './signing';
import { literal, streamEvents } from './stream';
import {
  ARCHIVE_ACTIONS,
  concernsRedaction,
  parseCarried,
  replayRedactions,
  type LedgerItem,
} from './verify-redactions';
import type { WitnessedCheckpoint } from './witness';

export type ChainVerification =
  | {
      ok: true;
      verifiedThroughSeq: bigint;
      headHash: string;
      /** The events read and checked (those in archived ranges are vouched for by their manifests). */
      eventCount: number;
      /** The ranges missing from the database that a signed archive manifest covers exactly. */
      archived: { fromSeq: bigint; toSeq: bigint }[];
      /** The first seq walked: 1, or the one after `from` (an incremental run, a sample). */
      walkedFromSeq: bigint;
      checkpointsVerified: number;
      signaturesVerified: number;
      /** Whether a key was given and the head is signed by it: without one, only the hashes were checked. */
      signed: boolean;
    }
  | {
      ok: false;
      brokenSeq: bigint;
      reason: string;
      verifiedThroughSeq: bigint;
      checkpointsVerified: number;
      signaturesVerified: number;
      /** The only problem: the events from `brokenSeq` to the head verify by their hashes but carry no signature. */
      unsigned?: true;
    };

/**
 * `keys`: the public keys whose signatures are checked (signatures by other keys are left unchecked; with none, only
 * the hashes are). `witness`: the checkpoints the witness outside the database holds.
 */
export type VerifyOptions = {
  keys?: PublicKeys;
  witness?: WitnessedCheckpoint[];
  /** Walk only after this point, taken as verified (an earlier run's): an incremental run, or a sample's start. */
  from?: { seq: bigint; hash: string };
  /** Walk only up to this seq (a sample of older events); its link to the next event is checked. */
  through?: bigint;
};

type Problem = { seq: bigint; reason: string; unsigned?: true };
type Pin = { seq: bigint; hash: string; what: string };

const first = (problems: Problem[]) =>
  problems.reduce<Problem | null>((a, p) => (a === null || p.seq < a.seq ? p : a), null);

/**
 * Checks everything the record can be checked against and names the first seq that does not hold, and what is
 * wrong: every event's hash and link, the head each transaction signed, the numbered checkpoints (none missing,
 * forged or beyond the head), rows beyond the head, and — given the witness — that the chain still extends every
 * checkpoint the witness holds. A range missing from the database passes only where an archive manifest signed by a
 * trusted key covers exactly it and continues the chain (its hash in is the hash before, its hash out the next link).
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<ChainVerification> {
  const keys = options.keys ?? [];
  const keyOf = (keyId: string) => keys.find((k) => k.keyId === keyId)?.key;
  const problems: Problem[] = [];
  const pins: Pin[] = [];
  let checkpointsVerified = 0;
  let signaturesVerified = 0;

  // Checkpoints before the head, the head before the walk: what is appended or signed meanwhile comes after what is
  // read, and is left to the next run (never mistaken for tampering).
  const checkpoints = await db.auditCheckpoint.findMany({ orderBy: { number: 'asc' } });
  const archives = await db.auditArchive.findMany({ orderBy: [{ fromSeq: 'asc' }, { archivedAt: 'desc' }] });
  const head = await db.auditChainHead.findUnique({ where: { id: 1 } });
  if (!head) return failed({ seq: 1n, reason: 'the chain head is missing' }, 0n, 0, 0);
  const ranges = await archiveRecords(db, head.seq, archives, keys);
  let previous = { number: 0n, seq: 0n };
  // Each witness line's signature checked once: only those that hold vouch for a number or pin a hash.
  const witness = (options.witness ?? []).flatMap((w) => {
    const key = keyOf(w.keyId);
    return key ? [{ ...w, holds: signatureHolds(key, checkpointStatement(w), w.signature) }] : [];
  });
  const witnessed = new Set(witness.filter((w) => w.holds).map((w) => w.number));
  const lastFormat2 = checkpoints.reduce((n, c) => (c.format === 2 && c.number > n ? c.number : n), 0n);
  for (const c of checkpoints) {
    // A gap the witness covers is reported by the witness check, at the seq it pinned.
    if (c.number !== previous.number + 1n && !witnessed.has(previous.number + 1n)) {
      problems.push({
        seq: previous.seq + 1n,
        reason:
          `checkpoint ${previous.number + 1n} is missing ` +
          `(the numbers jump from ${previous.number} to ${c.number})`,
      });
    }
    const key = keyOf(c.keyId);
    if (keys.length > 0 && !key) {
      // A checkpoint nobody here can check cannot fill a number: it is reported, not skipped.
      problems.push({ seq: c.seq, reason: `checkpoint ${c.number} is signed by key ${c.keyId}, which is not trusted` });
    } else if (c.format === 1 && c.number > lastFormat2 && lastFormat2 > 0n) {
      problems.push({ seq: c.seq, reason: `checkpoint ${c.number} has the old format after numbered ones began` });
    } else if (key && !signatureHolds(key, checkpointStatement(c), c.signature)) {
      problems.push({
        seq: c.seq,
        reason: `checkpoint ${c.number} (seq ${c.seq}) carries a signature that does not hold`,
      });
    } else if (c.seq > head.seq) {
      problems.push({
        seq: head.seq + 1n,
        reason:
          `checkpoint ${c.number} pins seq ${c.seq}, beyond the chain head (seq ${head.seq}): ` + 'events were cut off',
      });
    } else if (key) {
      pins.push({ seq: c.seq, hash: c.hash, what: `checkpoint ${c.number}` });
    }
    previous = c;
  }

  const storedByNumber = new Map(checkpoints.map((c) => [c.number, c]));
  for (const w of witness) {
    if (!w.holds) {
      problems.push({
        seq: w.seq,
        reason: `the witness's checkpoint ${w.number} carries a signature that does not hold`,
      });
      continue;
    }
    const stored = storedByNumber.get(w.number);
    if (w.seq > head.seq) {
      problems.push({
        seq: head.seq + 1n,
        reason:
          `the witness holds checkpoint ${w.number} at seq ${w.seq}, beyond the chain head (seq ${head.seq}): ` +
          'the database was rolled back or cut off',
      });
    } else {
      if (!stored || stored.seq !== w.seq || stored.hash !== w.hash || stored.signature !== w.signature) {
        problems.push({
          seq: w.seq,
          reason: `checkpoint ${w.number} (seq ${w.seq}) is in the witness but ${stored ? 'differs' : 'missing'} here`,
        });
      }
      pins.push({ seq: w.seq, hash: w.hash, what: `the witnessed checkpoint ${w.number}` });
    }
  }

  // The range walked: all of it, or after an earlier run's point and up to a sample's end.
  const start = options.from ?? { seq: 0n, hash: GENESIS_HASH };
  const end = options.through !== undefined && options.through < head.seq ? options.through : head.seq;
  // Seqs as numbers in the loop (exact to 2^53); results carry bigints.
  pins.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  while (pins[0] && pins[0].seq <= start.seq) pins.shift();
  while (pins.length > 0 && pins[pins.length - 1]!.seq > end) pins.pop();
  let expected = Number(start.seq) + 1;
  let prevHash = start.hash;
  let lastSigned = start.seq;
  let format2From: bigint | null = null;
  const ledgerItems: LedgerItem[] = [];
  const found: { problem: Problem | null } = { problem: null };
  const broken = (seq: bigint, reason: string) => {
    found.problem = { seq, reason };
  };
  const archived: { fromSeq: bigint; toSeq: bigint }[] = [];
  let archivedEvents = 0;
  // Steps over the archived ranges that begin where the walk is and end before `next` (the next seq present): each
  // needs a manifest that holds and continues the chain. Returns why a manifest at the gap could not be used.
  const skipArchived = (next: bigint): string => {
    for (;;) {
      const from = BigInt(expected);
      const candidates = archives.filter((a) => a.fromSeq === from);
      if (candidates.length === 0) return '';
      if (ranges.restored.has(from)) {
        return `: events ${from} to ${candidates[0]!.toSeq} were restored from their archive, and are gone again`;
      }
      const fits = candidates.find(
        (a) =>
          a.toSeq < next &&
          a.headIn === prevHash &&
          ranges.holding.has(a) &&
          ranges.recordedAt.get(a.id) === a.eventSeq &&
          pins.every((p) => p.seq !== a.toSeq || p.hash === a.headOut),
      );
      if (!fits) {
        const a = candidates[0]!;
        const of = `the archive manifest for events ${a.fromSeq} to ${a.toSeq}`;
        return keys.length === 0
          ? `: ${of} cannot be checked without the audit public key`
          : !ranges.holding.has(a)
            ? `: ${of} carries a signature that does not hold`
            : ranges.recordedAt.get(a.id) !== a.eventSeq
              ? `: ${of} has no audit.archived record on the timeline (event ${a.eventSeq})`
              : a.toSeq >= next
                ? `: ${of} covers more, but event ${next} is present`
                : `: ${of} does not continue the chain from event ${a.fromSeq - 1n}`;
      }
      while (pins[0] && pins[0].seq <= fits.toSeq) pins.shift();
      archived.push({ fromSeq: fits.fromSeq, toSeq: fits.toSeq });
      archivedEvents += fits.count;
      expected = Number(fits.toSeq) + 1;
      prevHash = fits.headOut;
      lastSigned = fits.toSeq;
    }
  };
  const where = `e."seq" > ${literal(start.seq)} AND e."seq" <= ${literal(end)}`;
  // The head signatures in the range, read apart from the events: a lookup per streamed event cost the database a
  // third of its work. A signature is written with the events it signs, so every one up to `end` is here.
  const signatures = new Map(
    (
      await db.auditSignature.findMany({
        where: { seq: { gt: start.seq, lte: end } },
        select: { seq: true, hash: true, signedAt: true, keyId: true, signature: true },
      })
    ).map((s) => [Number(s.seq), s]),
  );
  // Small pages: a page's events (and the read buffers their text shares) then die young, in the scavenger; pages of
  // 5,000 outlived it and were promoted, and collecting them was a fifth of a walk's time.
  const owners = new OwnersMemo();
  walk: for await (const page of streamEvents(db, where, { batch: 200 })) {
    for (const event of page) {
      const why = Number(event.seq) === expected ? '' : skipArchived(BigInt(event.seq));
      const seq = BigInt(expected);
      if (Number(event.seq) !== expected) {
        broken(seq, `event ${seq} is missing${why}`);
        break walk;
      }
      // Format 2's digests are read once, for its hash and for its fields.
      const digests = event.format === '2' ? parse(event.digests) : undefined;
      const selfConsistent = hashEventText(event.prevHash, event, owners, digests) === event.hash;
      if (!selfConsistent) {
        broken(seq, `event ${seq} was altered (its hash does not match its contents)`);
        break walk;
      }
      if (event.prevHash !== prevHash) {
        // This event is intact under the link it recorded: the one before it was replaced, its hash recomputed.
        broken(seq - 1n, `event ${seq - 1n} was changed and its hash recomputed (event ${seq} no longer follows it)`);
        break walk;
      }
      if (event.format === '2') {
        format2From ??= seq;
        // The field digests seal what JSON.parse reads: a number it rounds would pass under another stored text.
        if (!exactNumbers(event.details)) {
          broken(seq, `event ${seq} was altered: a number in its details is not one JavaScript holds exactly`);
          break walk;
        }
        const details = JSON.parse(event.details) as Json;
        const check = checkFields(details, digests ?? null, parse(event.salts));
        if (!check.ok) {
          broken(seq, `event ${seq} was altered: ${check.reason}`);
          break walk;
        }
        if (concernsRedaction(event.action, check.redacted)) {
          ledgerItems.push({ seq, action: event.action, actorId: event.actorId, details, redacted: check.redacted });
        }
      } else if (event.format !== '1') {
        broken(seq, `event ${seq} claims chain format ${event.format}, which does not exist`);
        break walk;
      } else if (format2From !== null) {
        broken(seq, `event ${seq} is in chain format ${event.format} after format 2 began at event ${format2From}`);
        break walk;
      }
      const s = signatures.get(expected);
      if (s) {
        const key = keyOf(s.keyId);
        if (key) {
          const statement = { kind: 'head', seq, hash: s.hash, signedAt: s.signedAt } as const;
          if (s.hash !== event.hash || !signatureHolds(key, statement, s.signature)) {
            broken(
              lastSigned + 1n,
              `events ${lastSigned + 1n} to ${seq} were changed after they were signed (the signature at ${seq} ` +
                'does not hold)',
            );
            break walk;
          }
          lastSigned = seq;
          signaturesVerified += 1;
        }
      }
      // A signed checkpoint pins the hash at its seq: recomputing hashes after a change cannot reach it again.
      while (pins[0] && pins[0].seq === seq) {
        const pin = pins.shift()!;
        if (pin.hash !== event.hash) {
          // The change lies after the last seq a signature or checkpoint still vouches for.
          broken(
            lastSigned + 1n,
            `events ${lastSigned + 1n} to ${seq} were changed: the chain no longer reaches ${pin.what} (seq ${seq})`,
          );
          break walk;
        }
        lastSigned = lastSigned > seq ? lastSigned : seq;
        checkpointsVerified += 1;
      }
      prevHash = event.hash;
      expected += 1;
    }
  }
  const tailWhy = !found.problem && BigInt(expected - 1) < end ? skipArchived(end + 1n) : '';
  const lastSeq = BigInt(expected - 1);
  if (found.problem) problems.push(found.problem);
  else {
    if (pins[0])
      problems.push({ seq: lastSeq + 1n, reason: `events up to ${pins[0].what} (seq ${pins[0].seq}) are missing` });
    if (end > lastSeq)
      problems.push({ seq: lastSeq + 1n, reason: `events ${lastSeq + 1n} to ${end} are missing${tailWhy}` });
    else if (end < head.seq) {
      const linkOut = await nextLink(db, end);
      if (linkOut !== null && linkOut !== prevHash) {
        problems.push({
          seq: end,
          reason: `event ${end} was changed and its hash recomputed (event ${end + 1n} no longer follows it)`,
        });
      }
    } else if (head.hash !== prevHash) {
      problems.push({ seq: head.seq, reason: `the chain head (seq ${head.seq}) does not match the last event` });
    }
    const redactions = await replayRedactions(
      db,
      ledgerItems,
      { after: start.seq, through: end, head: head.seq },
      ranges.carried,
    );
    problems.push(...redactions.problems(await recordedBeyond(db, head.seq, redactions.unrecorded())));
    // The weakest evidence, so only when nothing else explains it: a head rewound into the middle of a transaction is
    // reported where the events were cut off, not where signing stopped.
    if (problems.length === 0 && keys.length > 0 && end === head.seq && head.seq > 0n && lastSigned < head.seq) {
      problems.push({
        seq: lastSigned + 1n,
        reason:
          `events ${lastSigned + 1n} to ${head.seq} carry no valid signature: they were written or changed outside ` +
          'Custodian (or signed by a key this verifier was not given)',
        unsigned: true,
      });
    }
  }
  // Against the head as it is now, in the same statement: an append during the walk moved both.
  const [beyond] = await db.$queryRaw<{ seq: bigint | null; head: bigint }[]>`
    SELECT min(e."seq") AS "seq", (SELECT h."seq" FROM "AuditChainHead" h WHERE h."id" = 1) AS "head"
    FROM "AuditEvent" e WHERE e."seq" > (SELECT h."seq" FROM "AuditChainHead" h WHERE h."id" = 1)`;
  if (beyond?.seq != null) {
    problems.push({
      seq: beyond.seq,
      reason: `event ${beyond.seq} lies beyond the chain head (seq ${beyond.head}): it was not appended by Custodian`,
    });
  }

  const problem = first(problems);
  if (problem) {
    const through = problem.seq - 1n < lastSeq ? problem.seq - 1n : lastSeq;
    const result = failed(problem, through, checkpointsVerified, signaturesVerified);
    return problems.length === 1 && problem.unsigned ? { ...result, unsigned: true } : result;
  }
  return {
    ok: true,
    verifiedThroughSeq: lastSeq,
    headHash: prevHash,
    eventCount: expected - 1 - Number(start.seq) - archivedEvents,
    archived,
    walkedFromSeq: start.seq + 1n,
    checkpointsVerified,
    signaturesVerified,
    signed: keys.length > 0 && lastSigned === end && end > 0n,
  };
}

type Archive = Awaited<ReturnType<Db['auditArchive']['findMany']>>[number];

/**
 * What the archive manifests vouch for, read before the walk: those whose signature holds for a trusted key; each
 * one's `audit.archived` event (on the timeline, or carried by another holding manifest); the ranges restored since
 * (a manifest then no longer excuses the range); and the events they carry for the redaction ledger.
 */
async function archiveRecords(db: Db, headSeq: bigint, archives: Archive[], keys: PublicKeys) {
  const holding = new Set(archives.filter((a) => archiveSignatureHolds(keys, a)));
  const carriedBy = new Map([...holding].map((a) => [a, parseCarried(a.carried)]));
  const records = new Map<bigint, { action: string; details: Json }>();
  for (const items of carriedBy.values())
    for (const c of items) if (ARCHIVE_ACTIONS.has(c.action)) records.set(c.seq, c);
  if (archives.length > 0) {
    const rows = await db.$queryRaw<{ seq: bigint; action: string; details: Json }[]>`
      SELECT e."seq", e."action", e."details" FROM "AuditEvent" e
      WHERE e."action" IN ('audit.archived', 'audit.restored') AND e."seq" <= ${headSeq}`;
    for (const r of rows) records.set(r.seq, r);
  }
  const restored = new Set<bigint>();
  const recordedAt = new Map<string, bigint>();
  for (const [seq, r] of [...records].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const d = (r.details ?? {}) as { fromSeq?: unknown; archiveId?: unknown };
    if (typeof d.fromSeq !== 'string' || !/^\d{1,19}$/.test(d.fromSeq)) continue;
    if (r.action === 'audit.restored') restored.add(BigInt(d.fromSeq));
    else {
      restored.delete(BigInt(d.fromSeq));
      if (typeof d.archiveId === 'string') recordedAt.set(d.archiveId, seq);
    }
  }
  // For the ledger, only the copies of ranges still archived: a range restored is read where it lies.
  const carried = [...carriedBy].filter(([a]) => !restored.has(a.fromSeq)).flatMap(([, items]) => items);
  return { holding, carried, restored, recordedAt };
}

/**
 * The link the event after `seq` records: null when there is none in the database, or when that event does not match
 * its own hash (then it is the one altered, and the walk that reaches it names it, as a single walk would).
 */
async function nextLink(db: Db, seq: bigint): Promise<string | null> {
  for await (const [event] of streamEvents(db, `e."seq" = ${literal(seq + 1n)}`)) {
    return event && hashEventText(event.prevHash, event) === event.hash ? event.prevHash : null;
  }
  return null;
}

/** Of these redactions, those whose `audit.redacted` lies beyond the head the walk read. */
async function recordedBeyond(db: Db, headSeq: bigint, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT e."details"->>'redactionId' AS "id" FROM "AuditEvent" e
    WHERE e."action" = 'audit.redacted' AND e."seq" > ${headSeq} AND e."details"->>'redactionId' = ANY(${ids})`;
  return new Set(rows.map((r) => r.id));
}

const parse = (text: string | null): Json => (text === null ? null : (JSON.parse(text) as Json));

function failed(problem: Problem, through: bigint, checkpointsVerified: number, signaturesVerified: number) {
  return {
    ok: false as const,
    brokenSeq: problem.seq,
    reason: problem.reason,
    verifiedThroughSeq: through < 0n ? 0n : through,
    checkpointsVerified,
    signaturesVerified,
  };
}
