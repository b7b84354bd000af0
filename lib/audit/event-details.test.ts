// An event's details are read when its dialog opens. Readers of the whole timeline may open any event; anyone else
// only an event a page listed for them, proven by the reference the list handed them (held here against someone
// who reuses another reader's reference, forges one, or moves it to another event).
import { describe, expect, it } from 'vitest';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { createPerson } from '@/lib/testing/people';
import { eventRef, readEventDetails } from './event-details';

async function noteEvent(note: string) {
  await getDb().$transaction((tx) =>
    appendAuditEvent(tx, { action: 'system.note', actor: SYSTEM_ACTOR, details: { note } }),
  );
  const event = await getDb().auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
  return { seq: event.seq.toString(), hash: event.hash, prevHash: event.prevHash };
}

describe('event details', () => {
  it('an auditor opens any event; the fields are the stored ones', async () => {
    const auditor = await createPerson(['AUDITOR']);
    const event = await noteEvent('details for the dialog');
    const details = await readEventDetails(auditor, { seq: event.seq });
    expect(details).toMatchObject({
      seq: event.seq,
      action: 'system.note',
      actorType: 'SYSTEM',
      details: { note: 'details for the dialog' },
      hash: event.hash,
      prevHash: event.prevHash,
    });
    expect(details.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('an owner opens only the events a page listed for them, by the reference it handed them', async () => {
    const owner = await createPerson(['OWNER']);
    const other = await createPerson(['OWNER']);
    const event = await noteEvent('listed for the owner');
    const later = await noteEvent('never listed');
    expect((await readEventDetails(owner, { seq: event.seq, ref: eventRef(owner.id, event.seq) })).seq).toBe(event.seq);

    const refused = /do not have permission to read this event here/;
    // No reference, another reader's, one moved to another event, a forged one.
    await expect(readEventDetails(owner, { seq: event.seq })).rejects.toThrow(refused);
    await expect(readEventDetails(owner, { seq: event.seq, ref: eventRef(other.id, event.seq) })).rejects.toThrow(
      refused,
    );
    await expect(readEventDetails(owner, { seq: later.seq, ref: eventRef(owner.id, event.seq) })).rejects.toThrow(
      refused,
    );
    const forged = eventRef(owner.id, event.seq).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    await expect(readEventDetails(owner, { seq: event.seq, ref: forged })).rejects.toThrow(refused);
    await expect(readEventDetails(owner, { seq: event.seq, ref: 'x'.repeat(100) })).rejects.toThrow(refused);
  });

  it('is refused to a person without a role, and answers a bad or unknown number clearly', async () => {
    const nobody = await createPerson([]);
    const auditor = await createPerson(['AUDITOR']);
    const event = await noteEvent('not for nobody');
    await expect(readEventDetails(nobody, { seq: event.seq, ref: eventRef(nobody.id, event.seq) })).rejects.toThrow();
    await expect(readEventDetails(null, { seq: event.seq })).rejects.toThrow();
    for (const seq of ['0', '-1', '1.5', 'abc', '99999999999999999999', '']) {
      await expect(readEventDetails(auditor, { seq })).rejects.toThrow('Give the event’s number.');
    }
    await expect(readEventDetails(auditor, { seq: '9000000000000' })).rejects.toThrow(
      /There is no event 9000000000000/,
    );
  });
});
