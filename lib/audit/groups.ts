import { z } from 'zod';

/** The timeline's action groups, as the filter offers them. Each names the actions it covers. */
export const ACTION_GROUPS = {
  ownership: ['owner.assigned', 'control.assigned', 'escalation.changed'],
  credential: [
    'credential.issued',
    'credential.updated',
    'credential.used',
    'credential.rotated',
    'credential.revoked',
    'issuance.decided',
  ],
  exception: [
    'exception.requested',
    'exception.approved',
    'exception.rejected',
    'exception.withdrawn',
    'exception.revoked',
    'exception.expired',
    'exception.lapsed',
  ],
  delegation: ['delegation.requested', 'delegation.approved', 'delegation.revoked', 'delegation.expired'],
  review: [
    'review.opened',
    'review.trigger_added',
    'review.reviewer_assigned',
    'review.completed',
    'campaign.started',
    'campaign.closed',
  ],
  agent: [
    'agent.created',
    'agent.discovered',
    'agent.updated',
    'agent.status_changed',
    'purpose.added',
    'purpose.changed',
    'purpose.approved',
    'purpose.expired',
  ],
  access: [
    'user.signed_in',
    'user.sign_in_refused',
    'role.granted',
    'role.removed',
    'user.deactivated',
    'user.reactivated',
    'user.provisioned',
    'user.updated',
    'user.deleted',
    'group.changed',
    'token.created',
    'token.revoked',
    'input.secret_refused',
    'notification.preferences_changed',
  ],
  audit: [
    'settings.changed',
    'notification.endpoint_changed',
    'notification.resent',
    'audit.exported',
    'audit.checkpoint_signed',
    'audit.redacted',
    'audit.archived',
    'audit.restored',
    'audit.adopted',
    'audit.baselined',
    'registry.checked',
    'system.note',
  ],
  change: ['change.requested', 'change.applied', 'change.rejected', 'change.withdrawn'],
  finding: ['finding.opened', 'finding.closed'],
} as const;

export type ActionGroup = keyof typeof ACTION_GROUPS;
export const ACTION_GROUP_NAMES = Object.keys(ACTION_GROUPS) as [ActionGroup, ...ActionGroup[]];
export const ActionGroupSchema = z.enum(ACTION_GROUP_NAMES);

export const GROUP_LABELS: Record<ActionGroup, string> = {
  ownership: 'Ownership',
  credential: 'Credentials',
  exception: 'Exceptions',
  delegation: 'Delegation',
  review: 'Reviews',
  agent: 'Agent and purposes',
  access: 'People and access',
  audit: 'Policy and audit',
  change: 'Changes needing a second person',
  finding: 'Findings',
};

export function groupOf(action: string): ActionGroup | null {
  return ACTION_GROUP_NAMES.find((g) => (ACTION_GROUPS[g] as readonly string[]).includes(action)) ?? null;
}
