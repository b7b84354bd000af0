import {
  ActorType,
  AgentKind,
  AgentStatus,
  CampaignStatus,
  ChangeRequestKind,
  ChangeRequestStatus,
  ControlPlane,
  CredentialKind,
  CredentialStorage,
  DecisionOutcome,
  DelegationStatus,
  Environment,
  ExceptionStatus,
  ExceptionType,
  Issuance,
  NotificationChannel,
  NotificationStatus,
  PurposeStatus,
  ReviewOutcome,
  ReviewTrigger,
  RiskTier,
  Role,
} from '@/lib/generated/prisma/enums';

// The one vocabulary: how every enum value reads to people. Forms, filters,
// badges, tables, CSV, charts and timeline sentences all read these records;
// a record over an enum makes a new value a compile error until it has words.
// Icons and colours live beside it in components/vocabulary.tsx.

export type Term = { label: string; description: string };
export type Vocabulary<V extends string> = Readonly<Record<V, Term>>;

const t = (label: string, description: string): Term => ({ label, description });

export const ROLE: Vocabulary<Role> = {
  ADMIN: t('Security lead', 'Registers agents, assigns owners, sets policy'),
  PAM_APPROVER: t('PAM approver', 'Decides exceptions requested by others'),
  AUDITOR: t('Auditor', 'Reads and exports everything, changes nothing'),
  OWNER: t('Agent owner', 'Registers and looks after the agents they own'),
};

export const AGENT_KIND: Vocabulary<AgentKind> = {
  CODING_AGENT: t('Coding agent', 'Writes or changes code'),
  CI_AGENT: t('CI agent', 'Runs in a build or deployment pipeline'),
  SUPPORT_AGENT: t('Support agent', 'Answers customers or staff'),
  DATA_PIPELINE: t('Data pipeline', 'Moves or transforms data'),
  RESEARCH_AGENT: t('Research agent', 'Gathers and summarises information'),
  OPS_AGENT: t('Ops agent', 'Operates infrastructure'),
  OTHER: t('Other', 'Any other kind of agent'),
};

export const ENVIRONMENT: Vocabulary<Environment> = {
  DEV: t('Development', 'Developer and test systems'),
  STAGING: t('Staging', 'Pre-production systems'),
  PROD: t('Production', 'Systems customers depend on'),
};

export const RISK_TIER: Vocabulary<RiskTier> = {
  LOW: t('Low', 'Little harm if misused'),
  MEDIUM: t('Medium', 'Limited harm if misused'),
  HIGH: t('High', 'Serious harm if misused'),
  CRITICAL: t('Critical', 'Severe harm if misused'),
};

export const AGENT_STATUS: Vocabulary<AgentStatus> = {
  PROPOSED: t('Proposed', 'Registered, not yet approved to run'),
  ACTIVE: t('Active', 'In service'),
  SUSPENDED: t('Suspended', 'Stopped until someone lifts the suspension'),
  RETIRED: t('Retired', 'Out of service for good'),
};

export const CONTROL_PLANE: Vocabulary<ControlPlane> = {
  IAM: t('IAM', 'Identity lifecycle: workload identity, issuance, rotation and revocation policy'),
  PAM: t('PAM', 'Privileged secret handling: approvals, session boundaries, break-glass'),
  PLATFORM: t('Platform security', 'Runtime enforcement: how the agent retrieves and uses credentials'),
};

export const PURPOSE_STATUS: Vocabulary<PurposeStatus> = {
  PENDING: t('Pending approval', 'Waiting for a security lead'),
  APPROVED: t('Approved', 'The agent may do this'),
  EXPIRED: t('Expired', 'No longer approved'),
};

export const CREDENTIAL_KIND: Vocabulary<CredentialKind> = {
  API_KEY: t('API key', 'A key sent with each request'),
  OAUTH_TOKEN: t('OAuth token', 'An access or refresh token'),
  CLOUD_ROLE: t('Cloud role', 'A role the agent assumes in a cloud account'),
  DATABASE_PASSWORD: t('Database password', 'A password for a database account'),
  SSH_KEY: t('SSH key', 'A key pair for SSH'),
  CERTIFICATE: t('Certificate', 'An X.509 certificate and its key'),
  OTHER: t('Other', 'Any other credential'),
};

export const ISSUANCE: Vocabulary<Issuance> = {
  STATIC: t('Static', 'Issued once and kept'),
  DYNAMIC: t('Just-in-time', 'Issued per task and expiring on its own'),
};

export const CREDENTIAL_STORAGE: Vocabulary<CredentialStorage> = {
  VAULT_OR_BROKER: t('Vault or broker', 'Fetched from a secrets manager at run time'),
  CI_SECRET: t('CI secret', 'Held by the CI system and injected into jobs'),
  ENV_VAR: t('Environment variable', 'Set in the process environment'),
  CONFIG_FILE: t('Config file', 'Written in a configuration file'),
  LOCAL_DISK: t('Local disk', 'Kept in a file on the host'),
  PROMPT_OR_CONTEXT: t('Prompt or context', 'Placed in the model’s prompt or context'),
};

export const EXCEPTION_TYPE: Vocabulary<ExceptionType> = {
  BREAK_GLASS: t('Break-glass', 'Emergency privileged access outside the normal path'),
  PERSISTENT_TOKEN: t('Persistent token', 'A long-lived token instead of a short-lived one'),
  CACHED_SECRET: t('Cached secret', 'A secret kept beyond its task'),
  BROAD_SCOPE: t('Broad scope', 'More access than the task needs'),
  OTHER: t('Other', 'Any other deviation from policy'),
};

export const EXCEPTION_STATUS: Vocabulary<ExceptionStatus> = {
  PENDING: t('Pending', 'Waiting for approval'),
  APPROVED: t('In force', 'Approved and within its window'),
  REJECTED: t('Rejected', 'Refused by an approver'),
  WITHDRAWN: t('Withdrawn', 'Withdrawn by the requester'),
  LAPSED: t('Lapsed', 'Nobody decided it in time'),
  EXPIRED: t('Expired', 'Its window ended'),
  REVOKED: t('Revoked', 'Ended early'),
};

export const NOTIFICATION_STATUS: Vocabulary<NotificationStatus> = {
  PENDING: t('Pending', 'Waiting for its first or next attempt'),
  SENT: t('Sent', 'Accepted by the mail server or the endpoint'),
  DEAD: t('Failed: dead-lettered', 'Every retry failed: a security lead may send it again'),
  SKIPPED: t('Not sent', 'Not owed: muted, no address, no SMTP server, or the endpoint off'),
};

export const NOTIFICATION_CHANNEL: Vocabulary<NotificationChannel> = {
  EMAIL: t('E-mail', 'Through the configured SMTP server'),
  WEBHOOK: t('Signed webhook', 'JSON, signed with Custodian-Signature'),
  SLACK: t('Slack', 'A Slack-compatible incoming webhook'),
};

export const DELEGATION_STATUS: Vocabulary<DelegationStatus> = {
  PENDING: t('Pending', 'Waiting for approval: the principal’s owner, or a lead when one person answers for both'),
  APPROVED: t('In force', 'Approved and before its expiry'),
  REVOKED: t('Revoked', 'Ended early, or refused before approval'),
  EXPIRED: t('Expired', 'Its time ran out'),
};

export const DECISION_OUTCOME: Vocabulary<DecisionOutcome> = {
  APPROVE: t('Approved', 'The approver agreed'),
  REJECT: t('Rejected', 'The approver refused'),
};

export const REVIEW_TRIGGER: Vocabulary<ReviewTrigger> = {
  SCHEDULED: t('Scheduled', 'The review cadence came round'),
  PURPOSE_CHANGED: t('Purpose changed', 'A purpose was added or changed'),
  TOOLSET_CHANGED: t('Tools changed', 'A purpose’s tools or systems changed'),
  ENVIRONMENT_CHANGED: t('Environments changed', 'The agent’s environments changed'),
  OWNER_CHANGED: t('Owner changed', 'The accountable owner changed'),
  OWNER_DEPARTED: t('Owner departed', 'The accountable owner was deactivated'),
  POST_INCIDENT: t('Post-incident', 'A break-glass exception ended'),
  CAMPAIGN: t('Campaign', 'A certification campaign covers the agent'),
  RISK_TIER_CHANGED: t('Risk tier changed', 'The agent’s risk tier was lowered'),
  CADENCE_CHANGED: t('Cadence changed', 'The agent’s review cadence was lengthened'),
  WORKLOAD_IDENTITY_CHANGED: t('Workload identity changed', 'The agent’s workload identity changed or was removed'),
  CREDENTIAL_LOOSENED: t(
    'Credential loosened',
    'A credential was unbound, given a longer TTL, privilege or weaker storage',
  ),
  DELEGATION_CHANGED: t('Delegation changed', 'Another agent was asked, allowed or no longer allowed to act for it'),
};

export const CHANGE_REQUEST_KIND: Vocabulary<ChangeRequestKind> = {
  AGENT_LOOSENING: t('Agent loosening', 'A lower tier, longer cadence, other workload identity or production'),
  CREDENTIAL_LOOSENING: t('Credential loosening', 'Unbound, a longer TTL, privileged, or weaker storage'),
  ROLE_GRANT: t('Privileged role', 'Security lead or PAM approver for someone'),
  SETTINGS_LOOSENING: t('Looser policy', 'Longer maxima, cadences or windows'),
  AUDIT_REDACTION: t('Redaction', 'A leaked value removed from the custody timeline; an auditor decides'),
};

export const CHANGE_REQUEST_STATUS: Vocabulary<ChangeRequestStatus> = {
  PENDING: t('Pending', 'Waiting for a second person'),
  APPLIED: t('Applied', 'Approved by a second person and in effect'),
  REJECTED: t('Rejected', 'Refused by a second person'),
  WITHDRAWN: t('Withdrawn', 'Withdrawn by the requester'),
};

export const REVIEW_OUTCOME: Vocabulary<ReviewOutcome> = {
  CERTIFIED: t('Certified', 'Keeps running as it is'),
  SCOPE_REDUCED: t('Scope reduced', 'Keeps running with less access'),
  SUSPENDED: t('Suspended', 'Stopped until a later review'),
  RETIRED: t('Retired', 'Taken out of service'),
};

export const CAMPAIGN_STATUS: Vocabulary<CampaignStatus> = {
  OPEN: t('Open', 'Reviews are being completed'),
  CLOSED: t('Closed', 'Finished, with its summary kept'),
};

export const ACTOR_TYPE: Vocabulary<ActorType> = {
  USER: t('Person', 'Someone signed in to the console'),
  API_TOKEN: t('API token', 'A machine acting through the API'),
  SYSTEM: t('Custodian', 'Custodian itself, e.g. an expiry'),
};

export const SEVERITY = {
  CRITICAL: t('Critical', 'Fix now'),
  HIGH: t('High', 'Fix this week'),
  MEDIUM: t('Medium', 'Plan a fix'),
  LOW: t('Low', 'Worth knowing'),
} as const satisfies Vocabulary<'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW'>;

/** The values of a vocabulary, in its order. */
export function valuesOf<V extends string>(vocabulary: Vocabulary<V>): [V, ...V[]] {
  return Object.keys(vocabulary) as [V, ...V[]];
}

/** A value's label; an unknown value (an old event's data) reads as itself. */
export function labelOf<V extends string>(vocabulary: Vocabulary<V>, value: V | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return (vocabulary as Record<string, Term>)[value]?.label ?? String(value);
}

/** A value's label inside a sentence: lower case, except proper names (CI, API, OAuth, IAM, PAM, SSH…). */
export function wordOf<V extends string>(vocabulary: Vocabulary<V>, value: V | string | null | undefined): string {
  const label = labelOf(vocabulary, value);
  return label.replace(/\b([A-Z][a-z]+)\b/g, (word) => word.toLowerCase());
}

/** `{ value, label }` options for a select or filter. */
export function optionsOf<V extends string>(vocabulary: Vocabulary<V>): { value: V; label: string }[] {
  return valuesOf(vocabulary).map((value) => ({ value, label: vocabulary[value].label }));
}
