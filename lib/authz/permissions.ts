import type { Role } from '@/lib/generated/prisma/enums';

// The one authorisation policy: every permission with what it allows, and
// the roles that hold it. Pages, actions and route handlers ask `can` or
// `requirePermission`; nothing checks a role by name.
export const PERMISSIONS = {
  'agent.read': 'See agents, their owners, purposes, credentials and exceptions',
  'agent.write': 'Register and edit agents (an OWNER only the agents they own)',
  'ownership.assign': 'Assign accountable owners and IAM, PAM and platform control owners',
  'purpose.approve': 'Approve or expire an agent’s purposes',
  'credential.write': 'Record credential custody: issue, rotate, revoke (an OWNER only for agents they own)',
  'exception.request': 'Request an exception (an OWNER only for agents they own)',
  'exception.decide': 'Approve or reject exceptions requested by someone else',
  'exception.revoke': 'Revoke an approved exception before it expires',
  'review.complete': 'Complete the lifecycle reviews assigned to you',
  'review.campaign': 'Start and close certification campaigns',
  'audit.read': 'Browse the custody timeline of every agent',
  'audit.export': 'Export the custody timeline and evidence packs',
  'audit.verify': 'Verify the audit chain',
  'audit.checkpoint': 'Sign a checkpoint of the audit chain now',
  'audit.redact': 'Ask for a leaked value to be redacted from the custody timeline (an auditor decides)',
  'audit.redact.decide': 'Approve or reject a redaction a security lead asked for',
  'findings.read': 'See findings and framework reports',
  'findings.recompute': 'Recompute every finding now',
  'settings.read': 'See policy thresholds',
  'settings.write': 'Change policy thresholds',
  'token.manage': 'Create and revoke API tokens',
  'user.read': 'See people and their roles',
  'user.manage': 'Grant and remove roles, deactivate and reactivate people',
  'change.read': 'See the changes that wait for a second person, and their decisions',
  'change.decide': 'Approve or reject a change someone else asked for (a security lead independent of it)',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  ADMIN: [
    'agent.read',
    'agent.write',
    'ownership.assign',
    'purpose.approve',
    'credential.write',
    'exception.request',
    'exception.revoke',
    'review.complete',
    'review.campaign',
    'audit.read',
    'audit.export',
    'audit.verify',
    'audit.checkpoint',
    'audit.redact',
    'findings.read',
    'findings.recompute',
    'settings.read',
    'settings.write',
    'token.manage',
    'user.read',
    'user.manage',
    'change.read',
    'change.decide',
  ],
  PAM_APPROVER: [
    'agent.read',
    'exception.decide',
    'exception.revoke',
    'review.complete',
    'audit.read',
    'findings.read',
    'settings.read',
  ],
  AUDITOR: [
    'agent.read',
    'audit.read',
    'audit.export',
    'audit.verify',
    'audit.redact.decide',
    'findings.read',
    'settings.read',
    'user.read',
    'change.read',
  ],
  OWNER: [
    'agent.read',
    'agent.write',
    'credential.write',
    'exception.request',
    'review.complete',
    'findings.read',
    'settings.read',
  ],
};

/** Permissions that an OWNER holds only for the agents they own. */
export const OWNER_SCOPED: readonly Permission[] = ['agent.write', 'credential.write', 'exception.request'];
