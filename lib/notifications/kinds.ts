// What Custodian tells people, and whom. The outbox (outbox.ts) and the timers (due.ts) write notifications of these
// kinds; the preferences page, the endpoint form and the README list them from here.

export type NotificationKindDef = {
  title: string;
  /** Who receives it, as the preferences page and the README say. */
  to: string;
  /** A page at 3 a.m.: the e-mail cannot be muted (it reaches the inbox either way). */
  required?: true;
};

export const NOTIFICATION_KINDS = {
  'breakglass.requested': {
    title: 'Break-glass requested',
    to: 'The agent’s PAM control owner, every PAM approver other than the requester, and its escalation contact',
    required: true,
  },
  'breakglass.pending': {
    title: 'Break-glass still undecided after 15 minutes',
    to: 'The same people, once',
    required: true,
  },
  'exception.requested': {
    title: 'Exception requested',
    to: 'The agent’s PAM control owner and the PAM approvers other than the requester',
  },
  'exception.decided': { title: 'Exception approved or rejected', to: 'The requester, at each decision' },
  'exception.ending': {
    title: 'Exception ends in 24 hours, or in 1 hour',
    to: 'The requester and the agent’s owner (for windows longer than the warning)',
  },
  'exception.ended': {
    title: 'Exception ended: expired, lapsed undecided or revoked',
    to: 'The requester and the agent’s owner',
  },
  'review.assigned': { title: 'Review assigned to you', to: 'The reviewer' },
  'review.due': { title: 'Review due within 7 days', to: 'The reviewer' },
  'review.overdue': { title: 'Review overdue', to: 'The reviewer' },
  'campaign.deadline': {
    title: 'Campaign deadline within 3 days',
    to: 'Each reviewer with open items in the campaign',
  },
  'finding.critical': {
    title: 'Critical finding opened',
    to: 'The agent’s owner and the owner of the control plane that fixes it',
  },
  'person.deactivated': {
    title: 'A person who owns or controls agents was deactivated',
    to: 'Every security lead',
  },
} as const satisfies Record<string, NotificationKindDef>;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;

export const NOTIFICATION_KIND_IDS = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

export const isNotificationKind = (kind: string): kind is NotificationKind => kind in NOTIFICATION_KINDS;

export const isRequired = (kind: NotificationKind): boolean => 'required' in NOTIFICATION_KINDS[kind];

/** A kind's title, or the kind itself when it is none Custodian knows (a row written by an older version). */
export const kindTitle = (kind: string): string => (isNotificationKind(kind) ? NOTIFICATION_KINDS[kind].title : kind);
