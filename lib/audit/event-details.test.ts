// An event's details are read when its dialog opens. Readers of the whole timeline may open any event; anyone else
// only an event a page listed for them, proven by the reference the list handed them (held here against someone
// who reuses another reader's reference, forges one, or moves it to another event).
import { describe, expect, it, vi } from 'vitest';
import { eventDetailsAction } from '@/app/(console)/timeline/actions';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { createPerson } from '@/lib/testing/people';
import { deactivateUser, removeRole } from '@/lib/users/commands';
import { eventRef, readEventDetails } from './event-details';

const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('@/lib/auth/session-id', () => ({ getSessionUserId: async () => session.userId }));
vi.mock('next/cache', () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

/** The dialog's request, as the signed-in person sends it. */
async function openAs(userId: string, seq: string, ref?: string) {
  session.userId = userId;
  const form = new FormData();
  form.set('seq', seq);
  if (ref !== undefined) form.set('ref', ref);
  return eventDetailsAction(INITIAL_ACTION_STATE, form);
}

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

  it('a reference handed out before a role was removed or the person deactivated opens nothing after', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const leaver = await createPerson(['OWNER']);
    const auditor = await createPerson(['AUDITOR', 'OWNER']);
    const event = await noteEvent('listed before the change');
    const ref = (id: string) => eventRef(id, event.seq);
    for (const id of [owner.id, leaver.id]) expect((await openAs(id, event.seq, ref(id))).result?.seq).toBe(event.seq);
    expect((await openAs(auditor.id, event.seq)).ok).toBe(true);

    const version = async (id: string) => (await getDb().user.findUniqueOrThrow({ where: { id } })).version;
    await removeRole(lead, { userId: owner.id, role: 'OWNER', version: await version(owner.id) });
    await deactivateUser(lead, { userId: leaver.id, version: await version(leaver.id), reason: 'Left the company' });
    await removeRole(lead, { userId: auditor.id, role: 'AUDITOR', version: await version(auditor.id) });
    // The person and their roles are read when they ask, not when the page handed out the reference.
    for (const id of [owner.id, leaver.id]) expect((await openAs(id, event.seq, ref(id))).ok).toBe(false);
    // The former auditor, an owner now, opens what a page listed for them, and nothing else.
    const answer = await openAs(auditor.id, event.seq);
    expect(answer.ok).toBe(false);
    expect(answer.message).toMatch(/do not have permission to read this event here/);
    expect((await openAs(auditor.id, event.seq, ref(auditor.id))).ok).toBe(true);
  });
});
