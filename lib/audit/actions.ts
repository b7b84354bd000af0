// The custody timeline's vocabulary: every action with its typed details, so
// the timeline can render each event as a sentence. Details never carry a
// secret value. Later domains add their actions here.

import type { CredentialRecord } from '@/lib/credentials/record';
import type { BaselineDetails, RegistryCheckedDetails } from './registry-actions';

type Change<T> = { from: T; to: T };
type PersonRef = { id: string; name: string | null } | null;
type AgentRef = { id: string; slug: string };
type FindingRef = { ruleId: string; title: string; severity: string; plane: string | null };

export type AuditDetailsByAction = {
  /** status to workloadIdentity: recorded from this release on (PROPOSED before; the others unknown). */
  'agent.created': {
    slug: string;
    name: string;
    riskTier: string;
    status?: string;
    kind?: string;
    reviewCadenceDays?: number | null;
    environments?: string[];
    workloadIdentity?: string | null;
    /** From the release that replays it (ISO 8601). */
    nextReviewDue?: string | null;
  };
  /** A proposed agent's first sighting: what a discovery import saw it do (mounts or services, paths, when). */
  'agent.discovered': {
    source: string;
    seenOn: string[];
    paths: string[];
    firstSeen: string;
    lastSeen: string;
    requests: number;
  };
  /**
   * From the release that replays it: `nextReviewDue`, the date the update set (ISO 8601), or `nextReviewKept`, it
   * left the date as it was.
   */
  'agent.updated': {
    changes: Record<string, Change<unknown>>;
    changeRequestId?: string;
    nextReviewDue?: string | null;
    nextReviewKept?: true;
  };
  'agent.status_changed': Change<string> & { reason?: string; reviewId?: string };
  'owner.assigned': Change<PersonRef> & { bulk?: boolean; reason?: string };
  'control.assigned': {
    plane: string;
    separationOfDutiesWarning?: boolean;
    bulk?: boolean;
    reason?: string;
  } & Change<PersonRef>;
  /** expiresAt: recorded from this release on (null: it does not end). */
  'purpose.added': {
    purposeId: string;
    task: string;
    scope?: string[];
    environments?: string[];
    expiresAt?: string | null;
  };
  'purpose.changed': { purposeId: string; changes: Record<string, Change<unknown>> };
  'purpose.approved': { purposeId: string };
  'purpose.expired': { purposeId: string; reason?: string; reviewId?: string };
  /** record: what the credential was recorded with, on the event that made the record (from this release on). */
  'credential.issued': {
    name: string;
    kind?: string;
    reason?: string;
    backfilled?: boolean;
    discovered?: string;
    record?: CredentialRecord;
  };
  'credential.used': {
    name: string;
    context?: string;
    afterRevocation?: boolean;
    backfilled?: boolean;
    /** Read from a discovery import (vault-audit, aws-credential-report), not reported by a broker. */
    discovered?: string;
    /** The workload that presented the credential, and where from. */
    workload?: { identity: string; host?: string; runtime?: string };
    decisionId?: string;
    /** Marks set at ingest (events are never updated): see lib/ingest/misuse.ts. */
    misuse?: ('replay-suspected' | 'after-decision-ttl' | 'no-allowing-decision')[];
  };
  'credential.rotated': { name: string; reason?: string; backfilled?: boolean; discovered?: string };
  'credential.updated': { name: string; changes: Record<string, Change<unknown>>; changeRequestId?: string };
  'credential.revoked': { name: string; reason: string; reviewId?: string; backfilled?: boolean };
  'exception.requested': {
    exceptionId: string;
    type: string;
    credentials?: { id: string; name: string }[];
    noCredentialReason?: string;
    expiresAt?: string;
    windowMinutes?: number;
    requiredApprovals?: number;
    lapsesAt?: string;
  };
  'exception.lapsed': { exceptionId: string };
  'exception.approved': {
    exceptionId: string;
    reason: string;
    approvals?: number;
    required?: number;
    /** Whether this approval put it in force (the last one needed), and then until when. */
    status?: 'APPROVED' | 'PENDING';
    expiresAt?: string;
  };
  'exception.rejected': { exceptionId: string; reason: string };
  'exception.withdrawn': { exceptionId: string; reason?: string };
  'exception.revoked': { exceptionId: string; reason: string; reviewId?: string };
  'exception.expired': { exceptionId: string };
  // Agent-to-agent delegation: each event is on the principal's timeline (the agent whose authority is lent) and
  // names the delegate (the agent that may act for it).
  'delegation.requested': {
    grantId: string;
    delegate: AgentRef;
    tasks: string[];
    environments: string[];
    days: number;
    justification: string;
  };
  'delegation.approved': { grantId: string; delegate: AgentRef; expiresAt: string; reason: string; asLead?: boolean };
  'delegation.revoked': { grantId: string; delegate: AgentRef; reason: string; wasPending?: boolean };
  // An approved grant past its expiry, or (undecided) a request nobody decided within the longest grant.
  'delegation.expired': { grantId: string; delegate: AgentRef; undecided?: boolean };
  /** loosenedBy: who else a loosening it follows was by (who asked for it, who recorded the keys). */
  /** `dueAt`: when it falls due (ISO 8601), from the release that replays it. */
  'review.opened': { reviewId: string; triggers: string[]; campaignId?: string; loosenedBy?: string[]; dueAt?: string };
  /** `triggerDueAt`: when the trigger wants it (ISO 8601; it falls due at the sooner), from the release replaying. */
  'review.trigger_added': {
    reviewId: string;
    trigger: string;
    campaignId?: string;
    loosenedBy?: string[];
    triggerDueAt?: string;
  };
  'review.reviewer_assigned': { reviewId: string } & Change<PersonRef>;
  'review.completed': {
    reviewId: string;
    outcome: string;
    notes?: string;
    triggers?: string[];
    campaignId?: string | null;
    reductions?: {
      purposes: { id: string; task: string }[];
      credentials: { id: string; name: string }[];
      exceptions: { id: string; type: string }[];
    };
    nextReviewDue?: string | null;
    /** From the release that replays it (ISO 8601). */
    completedAt?: string;
  };
  'campaign.started': {
    campaignId: string;
    name: string;
    deadline: string;
    filter: Record<string, unknown>;
    opened: number;
    joined: number;
    inOtherCampaign: number;
  };
  'campaign.closed': { campaignId: string; name: string; summary: Record<string, unknown> };
  'user.signed_in': { provider: string };
  'user.sign_in_refused': { provider: string; reason: string; userId?: string };
  'role.granted': { userId: string; role: string; changeRequestId?: string };
  'role.removed': { userId: string; role: string };
  'user.deactivated': { userId: string; reason?: string };
  'user.reactivated': { userId: string };
  'user.provisioned': { userId: string; userName: string; via: 'scim' };
  'user.updated': { userId: string; changes: Record<string, Change<unknown>>; via: 'scim' };
  'user.deleted': { userId: string; via: 'scim'; groups?: string[] };
  'group.changed': {
    groupId: string;
    displayName: string;
    change: 'created' | 'updated' | 'deleted';
    added: string[];
    removed: string[];
    renamedFrom?: string;
  };
  'token.created': {
    tokenId: string;
    name: string;
    scopes: string[];
    reach?: string;
    expiresInDays?: number;
    expiresAt?: string;
    /** sha256 of the stored hash (lib/audit/drift.ts): never the token. */
    fingerprint?: string;
  };
  'token.revoked': { tokenId: string; reason?: string };
  'input.secret_refused': { fields: { field: string; ruleId: string }[] };
  'settings.changed': { key: string; changeRequestId?: string } & Change<unknown>;
  'change.requested': { changeRequestId: string; kind: string; reason: string } & Change<unknown>;
  'change.applied': { changeRequestId: string; kind: string; reason: string };
  'change.rejected': { changeRequestId: string; kind: string; reason: string };
  'change.withdrawn': { changeRequestId: string; kind: string };
  // Who is paged for the agent: a person or team and how to reach them (null: none).
  'escalation.changed': Change<Record<string, string | null> | null>;
  'audit.exported': { format: string; filter: Record<string, unknown>; count: number };
  'audit.checkpoint_signed': { checkpointId: string; seq: string; keyId: string };
  // A field's value replaced by a tombstone naming the redaction; the chain keeps its salted digest.
  'audit.redacted': { redactionId: string; seq: string; pointer: string; changeRequestId: string };
  // A range of the timeline exported with a signed manifest and dropped from the database (the owner's command), and
  // the same range put back from its file.
  'audit.archived': { archiveId: string; fromSeq: string; toSeq: string; count: number; fileSha256: string };
  // An unsigned tail of the chain (written before a signing key was configured) signed by its owner's command.
  'audit.adopted': { fromSeq: string; throughSeq: string; hash: string; keyId: string };
  // The owner's word that the registry as it stands is theirs (`npm run audit:baseline`): the rows no event explained.
  'audit.baselined': BaselineDetails;
  // The hourly registry check's result (its row's id and counts) and what it replayed: on the chain, the next run's
  // tripwire cannot be reset by deleting the results table.
  'registry.checked': RegistryCheckedDetails;
  'audit.restored': { archiveId: string | null; fromSeq: string; toSeq: string; count: number; fileSha256: string };
  // The issuance gate's answer to a broker, allow or deny, with every failing rule and the constraints of an allow.
  'issuance.decided': {
    decisionId: string;
    decision: 'allow' | 'deny';
    workloadIdentity: string;
    credential: { id: string; name: string } | { id: string } | { name: string } | { kind: string; scope: string };
    task: string;
    environment: string;
    ttlSeconds: number;
    /** The agents it acted for, nearest first (a chained decision). */
    onBehalfOf?: string[];
    reasons: { rule: string; sentence: string; hop?: number }[];
    constraints?: {
      maxTtlSeconds: number;
      validUntil: string;
      justInTime: boolean;
      exception: { id: string; type: string; endsAt: string } | null;
      scope?: string[];
      onBehalfOf?: { agent: string; grantId: string; endsAt: string }[];
    };
  };
  // The findings sync saw a rule start (or stop) failing for an agent or one of its credentials: the findings'
  // history, kept on the chain so it survives a rebuild of the derived findings state.
  // backfilled: open since before the chain kept findings (occurredAt is when the sync first saw it).
  'finding.opened': FindingRef & { detail?: string; backfilled?: boolean };
  'finding.closed': FindingRef;
  // A team's notification endpoint added, changed or turned off (its URL or secret reference, never a secret).
  'notification.endpoint_changed': { endpointId: string; name: string } & Change<Record<string, unknown> | null>;
  // The kinds a person asked not to be e-mailed about.
  'notification.preferences_changed': Change<string[]>;
  // A security lead sent a notification again (after it was dead-lettered, or to send it once more).
  'notification.resent': { notificationId: string; kind: string; channel: string; status: string };
  // Used by tests and demo data to exercise the chain itself.
  'system.note': { note: string };
};

export type AuditAction = keyof AuditDetailsByAction;

/**
 * Actions that may only record (nothing the dashboard counts): an append the caller marks `recordsOnly` leaves the
 * chain head's `registrySeq` where it is when every action is one of these. A caller marks it only when its own
 * transaction changed no registry row (a discovery that creates a credential while it records a use does not).
 */
export const RECORD_ONLY_ACTIONS: ReadonlySet<AuditAction> = new Set<AuditAction>([
  'issuance.decided',
  'credential.used',
  'registry.checked',
]);
