import type { NotificationKind } from './kinds';

/** What a notification says: a subject, a few plain sentences, and the page where the person acts. */
export type Message = { subject: string; text: string; path: string };

type Payload = Record<string, unknown>;

const str = (p: Payload, key: string) => (p[key] === null || p[key] === undefined ? '' : String(p[key]));
const when = (iso: string) => (iso ? new Date(iso).toUTCString() : 'soon');
const agentOf = (p: Payload) => `${str(p, 'agentName')} (${str(p, 'agentSlug')}, ${str(p, 'riskTier')} risk)`;
const exceptionPath = (p: Payload) => `/exceptions/${encodeURIComponent(str(p, 'exceptionId'))}`;
const typeWord = (p: Payload) => (str(p, 'exceptionType') === 'BREAK_GLASS' ? 'break-glass' : 'exception');

const MESSAGES: Record<NotificationKind, (p: Payload) => Message> = {
  'breakglass.requested': (p) => ({
    subject: `Break-glass requested on ${str(p, 'agentName')}: decide now`,
    text:
      `${str(p, 'by')} asked for break-glass access on ${agentOf(p)}` +
      `${p.windowMinutes ? ` for ${str(p, 'windowMinutes')} minutes` : ''}. ` +
      `It lapses undecided at ${when(str(p, 'lapsesAt'))}. Approve or reject it on its page.`,
    path: exceptionPath(p),
  }),
  'breakglass.pending': (p) => ({
    subject: `Still undecided: break-glass on ${str(p, 'agentName')}`,
    text:
      `The break-glass request ${str(p, 'by')} made on ${agentOf(p)} has waited 15 minutes for a decision. ` +
      `It lapses at ${when(str(p, 'lapsesAt'))}.`,
    path: exceptionPath(p),
  }),
  'exception.requested': (p) => ({
    subject: `Exception requested on ${str(p, 'agentName')}`,
    text: `${str(p, 'by')} asked for an exception on ${agentOf(p)}. Approve or reject it on its page.`,
    path: exceptionPath(p),
  }),
  'exception.decided': (p) => ({
    subject: `Your ${typeWord(p)} on ${str(p, 'agentName')} was ${str(p, 'outcome')}`,
    text: `${str(p, 'by')} ${str(p, 'outcome')} your ${typeWord(p)} on ${agentOf(p)}: “${str(p, 'reason')}”.`,
    path: exceptionPath(p),
  }),
  'exception.ending': (p) => ({
    subject: `The ${typeWord(p)} on ${str(p, 'agentName')} ends in ${str(p, 'within')}`,
    text:
      `The ${typeWord(p)} on ${agentOf(p)} ends at ${when(str(p, 'endsAt'))}. ` +
      'Whatever relies on it stops being allowed then: plan for it, or ask for a new one.',
    path: exceptionPath(p),
  }),
  'exception.ended': (p) => ({
    subject: `The ${typeWord(p)} on ${str(p, 'agentName')} has ${str(p, 'how').split(' ')[0]}`,
    text:
      `The ${typeWord(p)} on ${agentOf(p)} ${str(p, 'how') === 'revoked' ? 'was' : 'has'} ${str(p, 'how')}.` +
      (str(p, 'exceptionType') === 'BREAK_GLASS' ? ' Rotate or revoke the credentials it covered.' : ''),
    path: exceptionPath(p),
  }),
  'review.assigned': (p) => ({
    subject: `Review ${str(p, 'agentName')} by ${str(p, 'dueAt').slice(0, 10)}`,
    text: `You are the reviewer of ${agentOf(p)}. It is due ${when(str(p, 'dueAt'))}.`,
    path: `/reviews/${encodeURIComponent(str(p, 'reviewId'))}`,
  }),
  'review.due': (p) => ({
    subject: `Review of ${str(p, 'agentName')} due within 7 days`,
    text: `Your review of ${agentOf(p)} is due ${when(str(p, 'dueAt'))}.`,
    path: `/reviews/${encodeURIComponent(str(p, 'reviewId'))}`,
  }),
  'review.overdue': (p) => ({
    subject: `Overdue: review of ${str(p, 'agentName')}`,
    text: `Your review of ${agentOf(p)} was due ${when(str(p, 'dueAt'))}. The issuance gate denies it credentials now.`,
    path: `/reviews/${encodeURIComponent(str(p, 'reviewId'))}`,
  }),
  'campaign.deadline': (p) => ({
    subject: `${str(p, 'campaignName')}: ${str(p, 'open')} review(s) of yours still open`,
    text:
      `The certification campaign “${str(p, 'campaignName')}” closes ${when(str(p, 'deadline'))}; ` +
      `${str(p, 'open')} of your reviews in it are still open.`,
    path: `/reviews/campaigns/${encodeURIComponent(str(p, 'campaignId'))}`,
  }),
  'finding.critical': (p) => ({
    subject: `Critical finding on ${str(p, 'agentName')}: ${str(p, 'title')}`,
    text: `${agentOf(p)} fails “${str(p, 'title')}”${p.detail ? `: ${str(p, 'detail')}` : ''}.`,
    path: `/agents/${encodeURIComponent(str(p, 'agentSlug'))}`,
  }),
  'person.deactivated': (p) => ({
    subject: `${str(p, 'personName')} was deactivated: agents need new owners`,
    text:
      `${str(p, 'by')} deactivated ${str(p, 'personName')}, who owns ${str(p, 'owns')} agent(s) and holds a control ` +
      `plane on ${str(p, 'controls')}. Their agents show as orphaned until someone else is assigned.`,
    path: '/ownership?orphaned=true',
  }),
};

export function messageOf(kind: NotificationKind, payload: Payload): Message {
  return MESSAGES[kind](payload);
}
