// What verification knows of redactions as it walks the chain: every tombstone must have its `audit.redacted`
// event, every `audit.redacted` its tombstone (a value put back is as much a change as one removed), and every
// redaction an approved request on the chain before it: asked by one person, applied by another, who records it.
import type { Json } from './canonical';

type Problem = { seq: bigint; reason: string };
type Details = { changeRequestId?: unknown; kind?: unknown; seq?: unknown; pointer?: unknown; redactionId?: unknown };

export class RedactionLedger {
  private readonly tombstones = new Map<string, { seq: bigint; pointer: string; id: string }>();
  private readonly recorded = new Map<string, { at: bigint; seq: string; pointer: string; id: string }>();
  private readonly requests = new Map<string, { requestedBy: string | null; appliedBy: string | null }>();
  private readonly found: Problem[] = [];

  /** Tombstones no `audit.redacted` seen so far records. */
  unrecorded(): string[] {
    return [...this.tombstones].filter(([key, t]) => this.recorded.get(key)?.id !== t.id).map(([, t]) => t.id);
  }

  /** One format-2 event, in seq order, with the fields it shows as redacted. */
  see(
    seq: bigint,
    action: string,
    actorId: string | null,
    details: Json,
    redacted: { pointer: string; redactionId: string }[],
  ): void {
    for (const r of redacted)
      this.tombstones.set(`${seq} ${r.pointer}`, { seq, pointer: r.pointer, id: r.redactionId });
    const d = (details ?? {}) as Details;
    if ((action === 'change.requested' || action === 'change.applied') && d.kind === 'AUDIT_REDACTION') {
      const id = String(d.changeRequestId);
      const request = this.requests.get(id) ?? { requestedBy: null, appliedBy: null };
      if (action === 'change.requested') request.requestedBy ??= actorId;
      else if (request.requestedBy !== null) request.appliedBy ??= actorId;
      this.requests.set(id, request);
    }
    if (action === 'audit.redacted') {
      const id = String(d.redactionId);
      this.recorded.set(`${String(d.seq)} ${String(d.pointer)}`, {
        at: seq,
        seq: String(d.seq),
        pointer: String(d.pointer),
        id,
      });
      const request = this.requests.get(String(d.changeRequestId));
      if (!request?.appliedBy || request.appliedBy === request.requestedBy || request.appliedBy !== actorId) {
        this.found.push({
          seq,
          reason:
            `the redaction recorded at event ${seq} (${id}) has no request on the timeline before it that one ` +
            'person asked for and another approved',
        });
      }
    }
  }

  /**
   * What does not hold, each at its seq. `recordedLater`: the redactions recorded beyond the head the walk read (a
   * redaction committed while it ran shows its tombstone before its record is in reach), left to the next run.
   */
  problems(recordedLater: ReadonlySet<string> = new Set()): Problem[] {
    const problems = [...this.found];
    for (const [key, t] of this.tombstones) {
      if (this.recorded.get(key)?.id !== t.id && !recordedLater.has(t.id)) {
        problems.push({
          seq: t.seq,
          reason:
            `field ${t.pointer} of event ${t.seq} is shown as redacted (${t.id}), but no audit.redacted event ` +
            'records that redaction: its value was removed outside Custodian',
        });
      }
    }
    for (const [key, r] of this.recorded) {
      if (this.tombstones.get(key)?.id !== r.id) {
        problems.push({
          seq: BigInt(/^\d+$/.test(r.seq) ? r.seq : r.at),
          reason:
            `field ${r.pointer} of event ${r.seq} was redacted (${r.id}, recorded at event ${r.at}) but no longer ` +
            'shows that redaction: its value was put back outside Custodian',
        });
      }
    }
    return problems;
  }
}
