import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { getAuthSecret } from '@/lib/auth/secret';
import { can, requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { Forbidden, NotFound, parseInput } from '@/lib/errors';
import { eventSelect, type StoredEvent } from './queries';

// An event's raw fields, owners and hashes are a click away from its sentence: lists send the sentence and a
// reference, and the details dialog asks for the rest when it opens (a page of events was mostly these). Whoever
// reads the whole timeline (audit.read) may ask for any event; anyone else only for an event a page showed them,
// which the reference proves: an HMAC of the reader and the event, under the session secret.

/** What the details dialog shows: the stored event (as the lists read it), its times and seq as text. */
export type EventDetailsData = Omit<StoredEvent, 'seq' | 'occurredAt' | 'recordedAt'> & {
  seq: string;
  occurredAt: string;
  recordedAt: string;
};

/** The reference a list hands `reader` with event `seq`, so that reader may open it. */
export function eventRef(readerId: string, seq: string): string {
  return createHmac('sha256', getAuthSecret()).update(`event-details\n${readerId}\n${seq}`).digest('base64url');
}

const DetailsQuery = z.object({
  seq: z.string().regex(/^[1-9][0-9]{0,18}$/, 'Give the event’s number.'),
  ref: z.string().max(100).optional(),
});

/** The details of one event, if this reader may see them (read when asked: a role removed since the page counts). */
export async function readEventDetails(actor: Actor | null, input: unknown): Promise<EventDetailsData> {
  requirePermission(actor, 'agent.read');
  const { seq, ref } = parseInput(DetailsQuery, input);
  if (!can(actor, 'audit.read')) {
    const expected = Buffer.from(eventRef(actor.id, seq));
    const given = Buffer.from(ref ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new Forbidden(
        'You do not have permission to read this event here: open it from a page that lists it, or ask for the ' +
          'audit role.',
      );
    }
  }
  const event = await getDb().auditEvent.findUnique({ where: { seq: BigInt(seq) }, select: eventSelect });
  if (!event) throw new NotFound(`There is no event ${seq} on the timeline (it may be archived).`);
  return {
    ...event,
    seq: event.seq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
  };
}
