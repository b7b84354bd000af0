// The issuance gate's rules: each a small function of the facts read at decision time, returning why it fails
// (with the fix) or null. `decideIssuance` runs them all, so a deny lists every cause at once.
import type { OwnersSnapshot } from '@/lib/audit/owners';
import { scopeEntries } from '@/lib/credentials/loosening';
import { needsEscalation } from '@/lib/escalation/rules';
import type {
  ControlPlane,
  CredentialKind,
  Environment,
  ExceptionType,
  Issuance,
  RiskTier,
} from '@/lib/generated/prisma/enums';
import { CONTROL_PLANE, labelOf, valuesOf } from '@/lib/vocabulary';
import type { ChainFacts } from './chain';
import type { DecisionAsk, DecisionReason, IssuanceRuleId } from './schema';

export type AgentFacts = {
  id: string;
  slug: string;
  workloadIdentity: string | null;
  ownerId: string | null;
  status: string;
  riskTier: RiskTier;
  /** null: no owner; false: the owner left. */
  ownerActive: boolean | null;
  /** The control planes held by an active person. */
  planesHeld: ControlPlane[];
  escalationReachable: boolean;
  /** The open review's due date, and when the next is due. */
  openReviewDueAt: Date | null;
  nextReviewDue: Date | null;
};

export type CredentialFacts = {
  id: string;
  name: string;
  kind: CredentialKind;
  issuance: Issuance;
  environment: Environment;
  scope: string;
  maxTtlSeconds: number | null;
  privileged: boolean;
  revoked: boolean;
};

export type PurposeFacts = { id: string; task: string; scope: string[]; environments: Environment[] };
export type ExceptionFacts = { id: string; type: ExceptionType; expiresAt: Date };

/** Everything the rules read, as it is at `now`. */
export type DecisionFacts = {
  now: Date;
  input: DecisionAsk;
  /** The identity presented (null when the console asks about an agent directly). */
  workloadIdentity: string | null;
  agent: AgentFacts | null;
  /** The record asked for (null when a new one is asked for by kind and scope, or none matched). */
  credential: CredentialFacts | null;
  /** Approved purposes of the agent, in effect now. */
  purposes: PurposeFacts[];
  /** An exception in force, on this agent, naming this credential. */
  exception: ExceptionFacts | null;
  criticalFindings: { ruleId: string; detail: string }[];
  /** Who answered for the agent when the facts were read: the decision's event records them. */
  owners: OwnersSnapshot | null;
  tierMaxTtlSeconds: number;
  /** The credential policy's maximum for the credential's class, when its record states none. */
  classMaxTtlSeconds: { standard: number; privileged: number };
  /** The agents it acts for, when the ask names any (`onBehalfOf`). */
  chain: ChainFacts | null;
};

export type IssuanceRule = {
  id: IssuanceRuleId;
  title: string;
  /** Where the fix is made: a section of the agent's page. */
  anchor:
    | 'edit'
    | 'lifecycle'
    | 'owners'
    | 'escalation'
    | 'credentials'
    | 'purposes'
    | 'reviews'
    | 'findings'
    | 'exceptions'
    | 'delegation';
  check: (f: DecisionFacts) => Omit<DecisionReason, 'rule'> | null;
};

/** Whether a purpose names the task or tool: its task, or a scope entry (`github` covers `github:write`). */
export function purposeNamesTask(purpose: PurposeFacts, task: string): boolean {
  const asked = task.trim().toLowerCase();
  const system = asked.split(':')[0]!;
  if (purpose.task.trim().toLowerCase() === asked) return true;
  return purpose.scope.some((entry) => {
    const named = entry.trim().toLowerCase();
    return named === asked || named === system;
  });
}

/**
 * What the credential asked for reaches: the record's scope, or the scope asked for a new one; null when the record
 * was not found (the credential rule says so). An empty scope reaches anything.
 */
export function askedScope(f: Pick<DecisionFacts, 'credential' | 'input'>): string[] | null {
  const asked = f.input.credential;
  if ('kind' in asked) return scopeEntries(asked.scope);
  return f.credential ? scopeEntries(f.credential.scope) : null;
}

/** Whether a purpose names a scope entry: `github` covers `github:write`, `github:read` only itself. */
export const purposeNamesEntry = (purpose: PurposeFacts, entry: string) =>
  purpose.scope.some((x) => [entry, entry.split(':')[0]].includes(x.trim().toLowerCase()));

/**
 * The approved purposes that cover the ask: in its environment, naming its task or tool, and naming every entry of
 * the credential's scope (the task is the caller's word; the scope is what the credential reaches).
 */
export function coveringPurposes(f: Pick<DecisionFacts, 'purposes' | 'input' | 'credential'>): PurposeFacts[] {
  const scope = askedScope(f);
  return f.purposes.filter(
    (p) =>
      p.environments.includes(f.input.environment) &&
      purposeNamesTask(p, f.input.task) &&
      (scope === null || (scope.length > 0 && scope.every((entry) => purposeNamesEntry(p, entry)))),
  );
}

/**
 * The longest TTL the policy allows for this ask: the lowest of the tier's maximum, the credential policy's for its
 * class (a new one is privileged only if asked as such) and its record's own. A record only ever lowers it: stating
 * a TTL where it had none is not a way past the class's maximum without a second person.
 */
export function ttlLimit(f: DecisionFacts): number {
  const asked = f.input.credential;
  const privileged = f.credential ? f.credential.privileged : 'kind' in asked && asked.privileged === true;
  const classMax = privileged ? f.classMaxTtlSeconds.privileged : f.classMaxTtlSeconds.standard;
  return Math.min(f.tierMaxTtlSeconds, classMax, f.credential?.maxTtlSeconds ?? Infinity);
}

/** A static credential for a HIGH or CRITICAL agent: refused unless an exception in force names it. */
export const staticForHighRisk = (f: DecisionFacts): boolean =>
  Boolean(f.agent && f.credential?.issuance === 'STATIC' && needsEscalation(f.agent.riskTier));

const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** Rules about the agent are skipped when no agent was found: the identity rule already says why. */
function onAgent(check: (f: DecisionFacts, agent: AgentFacts) => Omit<DecisionReason, 'rule'> | null) {
  return (f: DecisionFacts) => (f.agent ? check(f, f.agent) : null);
}

export const ISSUANCE_RULES: IssuanceRule[] = [
  {
    id: 'identity-resolves',
    anchor: 'edit',
    title: 'The workload identity is a registered agent',
    check: ({ agent, workloadIdentity }) =>
      agent?.workloadIdentity
        ? null
        : agent
          ? {
              sentence: `${agent.slug} has no workload identity: a broker cannot tell it is this agent asking.`,
              fix: 'Register the agent’s workload identity (SPIFFE ID, OIDC subject or service account).',
            }
          : {
              sentence: `No agent is registered with the workload identity ${workloadIdentity}.`,
              fix: 'Register the agent with this workload identity, or present the identity it is registered with.',
            },
  },
  {
    id: 'agent-active',
    anchor: 'lifecycle',
    title: 'The agent is active',
    check: onAgent((_, a) =>
      a.status === 'ACTIVE'
        ? null
        : {
            sentence: `${a.slug} is ${a.status.toLowerCase()}: only an active agent is issued credentials.`,
            fix: 'Activate the agent (its lifecycle section says what it still needs).',
          },
    ),
  },
  {
    id: 'owner-active',
    anchor: 'owners',
    title: 'An active accountable owner',
    check: onAgent((_, a) =>
      a.ownerActive
        ? null
        : {
            sentence:
              a.ownerActive === null
                ? `${a.slug} has no accountable owner.`
                : `${a.slug}’s accountable owner has left.`,
            fix: 'Assign an active accountable owner.',
          },
    ),
  },
  {
    id: 'planes-owned',
    anchor: 'owners',
    title: 'IAM, PAM and platform security each have an active owner',
    check: onAgent((_, a) => {
      const missing = valuesOf(CONTROL_PLANE).filter((p) => !a.planesHeld.includes(p));
      return missing.length === 0
        ? null
        : {
            sentence: `No active owner for ${missing.map((p) => labelOf(CONTROL_PLANE, p)).join(', ')}.`,
            fix: 'Assign an active owner to each control plane.',
          };
    }),
  },
  {
    id: 'escalation-reachable',
    anchor: 'escalation',
    title: 'HIGH and CRITICAL agents have someone to page',
    check: onAgent((_, a) =>
      !needsEscalation(a.riskTier) || a.escalationReachable
        ? null
        : {
            sentence: `${a.slug} is ${a.riskTier} risk and has nobody to page.`,
            fix: 'Name an escalation contact who can be reached (e-mail, phone, pager, or an active person).',
          },
    ),
  },
  {
    id: 'credential-held',
    anchor: 'credentials',
    title: 'The credential asked for is the agent’s, unrevoked, in this environment',
    check: onAgent((f, a) => {
      const asked = f.input.credential;
      if ('kind' in asked) return null;
      const c = f.credential;
      if (!c) {
        return {
          sentence: `${a.slug} holds no credential ${'id' in asked ? asked.id : asked.name}.`,
          fix: 'Record the credential on the agent first, or ask for a new one by kind and scope.',
        };
      }
      if (c.revoked) return { sentence: `${c.name} is revoked.`, fix: 'Ask for a current credential.' };
      if (c.environment !== f.input.environment) {
        return {
          sentence: `${c.name} is a ${c.environment} credential; ${f.input.environment} was asked for.`,
          fix: `Ask for a ${f.input.environment} credential.`,
        };
      }
      return null;
    }),
  },
  {
    id: 'purpose-covers',
    anchor: 'purposes',
    title: 'An approved purpose covers the task and the environment',
    check: onAgent((f, a) => {
      if (coveringPurposes(f).length > 0) return null;
      if (f.purposes.length === 0) {
        return { sentence: `${a.slug} has no approved purpose in effect.`, fix: 'Approve a purpose for the agent.' };
      }
      const scope = askedScope(f);
      const reach = scope === null ? '' : scope.length ? ` reaching ${scope.join(', ')}` : ' with no stated scope';
      return {
        sentence:
          `No approved purpose of ${a.slug} covers “${f.input.task}” in ${f.input.environment} with a ` +
          `credential${reach}.`,
        fix:
          scope?.length === 0
            ? 'State the credential’s scope: a credential that reaches anything is covered by no purpose.'
            : `Approve a purpose naming ${f.input.task} and the credential’s scope in ${f.input.environment}, or ` +
              'ask within one.',
      };
    }),
  },
  {
    id: 'review-current',
    anchor: 'reviews',
    title: 'The lifecycle review is not overdue',
    check: onAgent((f, a) => {
      const due = [a.openReviewDueAt, a.nextReviewDue].filter((d): d is Date => d !== null && d <= f.now);
      return due.length === 0
        ? null
        : {
            sentence: `${a.slug}’s review was due ${when(due[0]!)}.`,
            fix: 'Complete the agent’s open review.',
          };
    }),
  },
  {
    id: 'no-critical-finding',
    anchor: 'findings',
    title: 'No open CRITICAL finding on the agent',
    check: onAgent((f) =>
      f.criticalFindings.length === 0
        ? null
        : {
            sentence: `Open CRITICAL finding: ${f.criticalFindings.map((x) => x.detail).join('; ')}.`,
            fix: 'Resolve the CRITICAL findings on the agent’s page.',
          },
    ),
  },
  {
    id: 'ttl-within-policy',
    anchor: 'credentials',
    title: 'The TTL is within the tier’s and the credential’s maximum',
    check: onAgent((f, a) => {
      const limit = ttlLimit(f);
      return f.input.ttlSeconds <= limit
        ? null
        : {
            sentence:
              `${f.input.ttlSeconds} s asked for; at most ${limit} s is allowed for a ${a.riskTier} agent` +
              `${f.credential ? ` and ${f.credential.name}` : ''}.`,
            fix: `Ask for ${limit} seconds or less.`,
          };
    }),
  },
  {
    id: 'no-static-for-high-risk',
    anchor: 'exceptions',
    title: 'No static credential for a HIGH or CRITICAL agent without a break-glass or persistent-token exception',
    check: onAgent((f, a) =>
      !staticForHighRisk(f) || f.exception
        ? null
        : {
            sentence: `${f.credential!.name} is static, and ${a.slug} is ${a.riskTier} risk.`,
            fix:
              'Issue a dynamic credential just in time, or get a break-glass or persistent-token exception naming ' +
              'this credential.',
          },
    ),
  },
];
