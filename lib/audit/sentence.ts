import type { Role } from '@/lib/generated/prisma/enums';
import {
  ACTOR_TYPE,
  AGENT_STATUS,
  CHANGE_REQUEST_KIND,
  CONTROL_PLANE,
  CREDENTIAL_KIND,
  EXCEPTION_TYPE,
  labelOf,
  REVIEW_OUTCOME,
  REVIEW_TRIGGER,
  RISK_TIER,
  ROLE,
  wordOf,
} from '@/lib/vocabulary';
import { isTombstone } from './tombstone';

/** What a sentence needs besides the event: names looked up once per page. */
export type SentenceContext = {
  actor: { type: string; name: string | null; roles: Role[] };
  agent: string | null;
  credential: string | null;
  /** The exception the event is about, when it names one. */
  exception: { type: string; hours: number } | null;
  person: (id: string | undefined) => string | null;
};

const ROLE_ORDER: Role[] = ['PAM_APPROVER', 'ADMIN', 'AUDITOR', 'OWNER'];
const named = (p: unknown) => (p as { name?: string } | null)?.name ?? 'nobody';

function who(actor: SentenceContext['actor']): string {
  if (actor.type === 'SYSTEM') return actor.name ?? labelOf(ACTOR_TYPE, 'SYSTEM');
  if (actor.type === 'API_TOKEN') return `${labelOf(ACTOR_TYPE, 'API_TOKEN')} ${actor.name ?? ''}`.trim();
  const role = ROLE_ORDER.find((r) => actor.roles.includes(r));
  return `${role ? `${labelOf(ROLE, role)} ` : ''}${actor.name ?? 'Someone'}`;
}

const slugOf = (a: unknown) => (a as { slug?: string } | null)?.slug ?? 'an agent';
const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : '');
const day = (v: unknown) =>
  String(v ?? '')
    .slice(0, 16)
    .replace('T', ' ') + ' UTC';
const found = (d: Record<string, unknown>) =>
  d.discovered ? ` (from ${d.discovered === 'vault-audit' ? 'a Vault audit log' : 'an AWS credential report'})` : '';
const reason = (d: Record<string, unknown>) => (d.reason ? `: “${String(d.reason)}”` : '');

/**
 * One event as a sentence an auditor reads ("PAM approver Dana Kim approved
 * break-glass for Deploy bot, 4 h: “Incident confirmed”"). The raw JSON stays
 * one click away; this is for reading, never for evidence.
 */
export function describeEvent(action: string, details: unknown, ctx: SentenceContext): string {
  const d = (shownRedacted(details) ?? {}) as Record<string, unknown>;
  const by = who(ctx.actor);
  const agent = ctx.agent ?? 'an agent';
  const credential = ctx.credential ?? (d.name ? String(d.name) : 'a credential');
  const exception = ctx.exception
    ? `${wordOf(EXCEPTION_TYPE, ctx.exception.type)}${ctx.exception.hours ? `, ${ctx.exception.hours} h` : ''}`
    : 'an exception';
  switch (action) {
    case 'agent.created':
      return `${by} registered ${agent} (${wordOf(RISK_TIER, String(d.riskTier))} risk)`;
    case 'agent.discovered':
      return (
        `${by} proposed ${agent}, found in ` +
        `${d.source === 'vault-audit' ? 'a Vault audit log' : 'an AWS IAM credential report'}` +
        `${Array.isArray(d.seenOn) && d.seenOn.length ? ` (seen on ${(d.seenOn as string[]).join(', ')})` : ''}`
      );
    case 'agent.updated':
      return `${by} edited ${agent}: ${Object.keys((d.changes as object) ?? {}).join(', ') || 'no fields'}`;
    case 'agent.status_changed':
      return (
        `${by} moved ${agent} from ${wordOf(AGENT_STATUS, String(d.from))} to ` +
        `${wordOf(AGENT_STATUS, String(d.to))}${reason(d)}`
      );
    case 'owner.assigned':
      return `${by} made ${named(d.to)} the accountable owner of ${agent} (was ${named(d.from)})`;
    case 'control.assigned':
      return (
        `${by} made ${named(d.to)} the ${wordOf(CONTROL_PLANE, String(d.plane))} owner of ${agent} (was ` +
        `${named(d.from)})${d.separationOfDutiesWarning ? ' — one person now holds all three planes' : ''}`
      );
    case 'purpose.added':
      return `${by} proposed a purpose for ${agent}: “${String(d.task ?? '')}”`;
    case 'purpose.changed':
      return (
        `${by} changed a purpose of ${agent} (${Object.keys((d.changes as object) ?? {}).join(', ')}); it needs ` +
        `approval again`
      );
    case 'purpose.approved':
      return `${by} approved a purpose of ${agent}`;
    case 'purpose.expired':
      return `${by} expired a purpose of ${agent}${reason(d)}`;
    case 'credential.issued':
      return `${by} recorded ${credential} issued to ${agent}${found(d)}`;
    case 'credential.used':
      return (
        `${by} reported ${agent} used ` +
        `${credential}${d.context ? ` (${String(d.context)})` : ''}${found(d)}` +
        `${d.afterRevocation ? ' — after it was revoked' : ''}` +
        `${Array.isArray(d.misuse) && d.misuse.length ? ` — ${(d.misuse as string[]).map(misuseWord).join(', ')}` : ''}`
      );
    case 'issuance.decided': {
      const reasons = Array.isArray(d.reasons) ? (d.reasons as { rule?: string }[]) : [];
      const to = ctx.agent ?? `workload ${String(d.workloadIdentity ?? '')}`;
      const asked = (d.credential ?? {}) as { name?: string; id?: string; kind?: string; scope?: string };
      const what =
        ctx.credential ??
        asked.name ??
        (asked.kind ? `a new ${wordOf(CREDENTIAL_KIND, asked.kind)} for ${String(asked.scope)}` : credential);
      const chain = Array.isArray(d.onBehalfOf) && d.onBehalfOf.length ? ` on behalf of ${list(d.onBehalfOf)}` : '';
      const task = `${String(d.task ?? '')}${chain}`;
      return d.decision === 'allow'
        ? `Issuance gate allowed ${by} to issue ${what} to ${to} for ${task}`
        : `Issuance gate refused ${by}’s request for ${what} for ${to} (${task}): ` +
            reasons.map((r) => String(r.rule)).join(', ');
    }
    case 'credential.rotated':
      return `${by} recorded ${credential} of ${agent} rotated${found(d)}${reason(d)}`;
    case 'credential.updated':
      return `${by} changed the custody record of ${credential} (${Object.keys((d.changes as object) ?? {}).join(
        ', ',
      )})`;
    case 'credential.revoked':
      return `${by} revoked ${credential} of ${agent}${reason(d)}`;
    case 'exception.requested':
      return `${by} requested ${exception} for ${agent}`;
    case 'exception.approved':
      return `${by} approved ${exception} for ${agent}${reason(d)}`;
    case 'exception.rejected':
      return `${by} rejected ${exception} for ${agent}${reason(d)}`;
    case 'exception.withdrawn':
      return `${by} withdrew ${exception} for ${agent}${reason(d)}`;
    case 'exception.revoked':
      return `${by} revoked ${exception} for ${agent} early${reason(d)}`;
    case 'exception.lapsed':
      return `${exception} for ${agent} lapsed: nobody decided it in time`.replace(/^./, (c) => c.toUpperCase());
    case 'exception.expired':
      return `${exception} for ${agent} expired`.replace(/^./, (c) => c.toUpperCase());
    case 'delegation.requested':
      return (
        `${by} asked that ${slugOf(d.delegate)} may act for ${agent} (${list(d.tasks)} in ${list(d.environments)}, ` +
        `${String(d.days)} days)`
      );
    case 'delegation.approved':
      return `${by} allowed ${slugOf(d.delegate)} to act for ${agent} until ${day(d.expiresAt)}${reason(d)}`;
    case 'delegation.revoked':
      return d.wasPending
        ? `${by} refused the request that ${slugOf(d.delegate)} may act for ${agent}${reason(d)}`
        : `${by} revoked ${slugOf(d.delegate)}’s delegation to act for ${agent}${reason(d)}`;
    case 'delegation.expired':
      return d.undecided
        ? `The request that ${slugOf(d.delegate)} may act for ${agent} lapsed: nobody decided it in time`
        : `${slugOf(d.delegate)}’s delegation to act for ${agent} expired`;
    case 'review.opened':
      return (
        `A review of ${agent} opened ` +
        `(${(d.triggers as string[] | undefined)?.map((t) => wordOf(REVIEW_TRIGGER, t)).join(', ') ?? ''})`
      );
    case 'review.trigger_added':
      return `The open review of ${agent} also covers: ${wordOf(REVIEW_TRIGGER, String(d.trigger))}`;
    case 'review.reviewer_assigned':
      return `${by} made ${named(d.to)} the reviewer of ${agent} (was ${named(d.from)})`;
    case 'review.completed':
      return `${by} completed the review of ${agent}: ${wordOf(REVIEW_OUTCOME, String(d.outcome))}`;
    case 'campaign.started':
      return `${by} started the campaign “${String(d.name ?? '')}”`;
    case 'campaign.closed':
      return `${by} closed the campaign “${String(d.name ?? '')}”`;
    case 'user.signed_in':
      return `${by} signed in (${String(d.provider ?? '')})`;
    case 'user.sign_in_refused':
      return `A sign-in was refused (${String(d.reason ?? '')})`;
    case 'role.granted':
      return `${by} granted ${labelOf(ROLE, String(d.role))} to ${ctx.person(d.userId as string) ?? 'someone'}`;
    case 'role.removed':
      return `${by} removed ${labelOf(ROLE, String(d.role))} from ${ctx.person(d.userId as string) ?? 'someone'}`;
    case 'user.deactivated':
      return `${by} deactivated ${ctx.person(d.userId as string) ?? 'someone'}${reason(d)}`;
    case 'user.reactivated':
      return `${by} reactivated ${ctx.person(d.userId as string) ?? 'someone'}`;
    case 'user.provisioned':
      return `${by} provisioned ${ctx.person(d.userId as string) ?? 'someone'} from the identity provider (SCIM)`;
    case 'user.updated': {
      const fields = Object.keys((d.changes as object) ?? {}).join(', ');
      const person = ctx.person(d.userId as string) ?? 'someone';
      return `${by} updated ${person} from the identity provider (SCIM): ${fields}`;
    }
    case 'user.deleted':
      return (
        `${by} deleted ${ctx.person(d.userId as string) ?? 'someone'} in the identity provider (SCIM): kept ` +
        'deactivated, hidden from SCIM'
      );
    case 'group.changed': {
      const name = `the group “${String(d.displayName ?? '')}”`;
      const counts = `${((d.added as string[]) ?? []).length} joined, ${((d.removed as string[]) ?? []).length} left`;
      if (d.change === 'created') return `${by} created ${name} from the identity provider (SCIM): ${counts}`;
      if (d.change === 'deleted') return `${by} deleted ${name} from the identity provider (SCIM): ${counts}`;
      return `${by} changed ${name} from the identity provider (SCIM): ${counts}`;
    }
    case 'token.created':
      return `${by} created the API token “${String(d.name ?? '')}” (${((d.scopes as string[]) ?? []).join(', ')})`;
    case 'token.revoked':
      return `${by} revoked an API token`;
    case 'input.secret_refused':
      return `${by} sent what looks like a secret in ${((d.fields as { field: string }[]) ?? [])
        .map((f) => f.field)
        .join(', ')}: refused, not stored (treat it as leaked and rotate it)`;
    case 'notification.endpoint_changed':
      return d.from
        ? d.to
          ? `${by} changed the notification endpoint ${String(d.name)}`
          : `${by} removed the notification endpoint ${String(d.name)}`
        : `${by} added the notification endpoint ${String(d.name)}`;
    case 'notification.preferences_changed':
      return `${by} changed which notifications reach them by e-mail`;
    case 'notification.resent':
      return `${by} sent a ${String(d.kind)} notification again (${String(d.channel).toLowerCase()})`;
    case 'settings.changed':
      return `${by} changed the policy setting ${String(d.key ?? '')}`;
    case 'change.requested':
      return `${by} asked a second person to approve ${wordOf(CHANGE_REQUEST_KIND, String(d.kind))}${reason(d)}`;
    case 'change.applied':
      return `${by} approved and applied ${wordOf(CHANGE_REQUEST_KIND, String(d.kind))}${reason(d)}`;
    case 'change.rejected':
      return `${by} rejected ${wordOf(CHANGE_REQUEST_KIND, String(d.kind))}${reason(d)}`;
    case 'change.withdrawn':
      return `${by} withdrew a request for ${wordOf(CHANGE_REQUEST_KIND, String(d.kind))}`;
    case 'audit.exported':
      return `${by} exported ${String(d.count ?? '')} events as ${String(d.format ?? '').toUpperCase()}`;
    case 'audit.checkpoint_signed':
      return `${by} signed a checkpoint of the chain at seq ${String(d.seq ?? '')}`;
    case 'escalation.changed': {
      const to = d.to as { name?: string } | null;
      return to
        ? `${by} set the escalation contact of ${agent} to ${String(to.name)}`
        : `${by} removed the escalation contact of ${agent}`;
    }
    case 'finding.opened':
      return `${by} found ${agent} failing “${String(d.title)}” (${String(d.severity).toLowerCase()})${
        d.detail ? `: ${String(d.detail)}` : ''
      }`;
    case 'finding.closed':
      return `${by} found ${agent} no longer failing “${String(d.title)}”`;
    case 'audit.archived':
      return `${by} archived events #${String(d.fromSeq ?? '')} to #${String(d.toSeq ?? '')} to a signed file`;
    case 'audit.restored':
      return `${by} restored events #${String(d.fromSeq ?? '')} to #${String(d.toSeq ?? '')} from their signed file`;
    case 'audit.adopted':
      return `${by} signed unsigned events #${String(d.fromSeq ?? '')} to #${String(d.throughSeq ?? '')} (adopted)`;
    case 'audit.baselined': {
      const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
      return (
        `${by} recorded the registry as it stands (baseline): ${count(d.roles)} people's roles, ` +
        `${count(d.tokens)} API tokens, ${count(d.settings)} settings, ${count(d.exceptions)} exceptions in force, ` +
        `${count(d.credentials)} credentials, ${count(d.agents)} agents, ${count(d.purposes)} purposes`
      );
    }
    case 'registry.checked': {
      const n = d.driftCount;
      const found =
        typeof n !== 'number'
          ? ''
          : n === 0
            ? ': every row matches'
            : `: ${n.toLocaleString('en')} ${n === 1 ? 'row differs' : 'rows differ'}`;
      return `${by} checked the registry against its record${found}`;
    }
    case 'audit.redacted':
      return `${by} redacted field ${String(d.pointer ?? '')} of event #${String(d.seq ?? '')} (an approved request)`;
    default:
      return `${by}: ${action}`;
  }
}

const MISUSE_WORDS: Record<string, string> = {
  'replay-suspected': 'presented by another workload (replay suspected)',
  'after-decision-ttl': 'after the allowing decision’s TTL ended',
  'no-allowing-decision': 'with no allowing decision (gated credential)',
};
const misuseWord = (mark: string) => MISUSE_WORDS[mark] ?? mark;

/** The details with each redacted value read as "[redacted]", so a sentence never prints a tombstone's JSON. */
function shownRedacted(value: unknown): unknown {
  if (isTombstone(value)) return '[redacted]';
  if (Array.isArray(value)) return value.map(shownRedacted);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shownRedacted(v)]));
  }
  return value;
}
