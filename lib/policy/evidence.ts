import 'server-only';
import type { AuditAction } from '@/lib/audit/actions';
import type { ActionGroup } from '@/lib/audit/groups';
import { vouched } from '@/lib/audit/integrity';
import { getDb } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import type { EvidenceId } from './frameworks';

// The processes Custodian runs whose record evidences a control, counted from the custody timeline over a window
// of seq (so a report as of a past date counts what the chain held then, never today's rows).

/** What one process did in the report's window, with the share that shows the control working. */
export type EvidenceCount = {
  id: EvidenceId;
  title: string;
  what: string;
  count: number;
  /** More than COUNT_CAP: `count` is the cap. */
  capped: boolean;
  qualified: { label: string; count: number } | null;
  /** Where an auditor reads the events themselves. */
  href: string;
};

/** The events counted for a process: its actions, narrowed, and the share that shows the control working. */
type FromTimeline = {
  title: string;
  what: string;
  group: ActionGroup;
  actions: AuditAction[];
  where?: Prisma.Sql;
  qualified?: { label: string; where: Prisma.Sql };
};

const COUNT_CAP = 100_000;
const DECIDED_BY_ANOTHER = (table: string, idField: string) =>
  Prisma.sql`EXISTS (SELECT 1 FROM ${Prisma.raw(`"${table}"`)} x WHERE x."id" = e."details"->>${idField}
    AND x."requestedById" <> e."actorId")`;

const FROM_TIMELINE: Record<Exclude<EvidenceId, 'verifications'>, FromTimeline> = {
  inventory: {
    title: 'Agents registered or discovered',
    what: 'Each agent enters the registry with an accountable owner, or is proposed from the logs awaiting one.',
    group: 'agent',
    actions: ['agent.created', 'agent.discovered'],
  },
  ownership: {
    title: 'Ownership, control-plane and escalation assignments',
    what: 'Who answers for each agent, each of its control planes and its pages, recorded as it changes.',
    group: 'ownership',
    actions: ['owner.assigned', 'control.assigned', 'escalation.changed'],
  },
  reviews: {
    title: 'Lifecycle reviews completed',
    what: 'Each agent’s access confirmed, reduced or revoked by its reviewer.',
    group: 'review',
    actions: ['review.completed'],
    qualified: {
      label: 'on time',
      where: Prisma.sql`EXISTS (SELECT 1 FROM "Review" r WHERE r."id" = e."details"->>'reviewId'
        AND e."occurredAt" <= r."dueAt")`,
    },
  },
  exceptions: {
    title: 'Exceptions decided',
    what: 'Exceptions to policy approved or rejected by a PAM approver; nobody decides their own.',
    group: 'exception',
    actions: ['exception.approved', 'exception.rejected'],
    qualified: { label: 'by someone other than the requester', where: DECIDED_BY_ANOTHER('Exception', 'exceptionId') },
  },
  'break-glass': {
    title: 'Break-glass requests',
    what: 'Emergency access asked for, paged to approvers and the escalation contact, decided by a second person.',
    group: 'exception',
    actions: ['exception.requested'],
    where: Prisma.sql`e."details"->>'type' = 'BREAK_GLASS'`,
  },
  changes: {
    title: 'Change requests decided',
    what: 'Changes to protected settings and records applied or rejected by a second person.',
    group: 'change',
    actions: ['change.applied', 'change.rejected'],
    qualified: {
      label: 'by someone other than the requester',
      where: DECIDED_BY_ANOTHER('ChangeRequest', 'changeRequestId'),
    },
  },
  delegations: {
    title: 'Delegation grants approved or revoked',
    what: 'Authority one agent lends another, for named tasks and environments, approved by who answers for it.',
    group: 'delegation',
    actions: ['delegation.approved', 'delegation.revoked'],
    qualified: {
      label: 'approvals by someone other than the requester',
      where: Prisma.sql`e."action" = 'delegation.approved' AND ${DECIDED_BY_ANOTHER('DelegationGrant', 'grantId')}`,
    },
  },
  decisions: {
    title: 'Issuance decisions',
    what: 'Brokers asked the gate before issuing: workload identity, owners, purpose, review and TTL checked live.',
    group: 'credential',
    actions: ['issuance.decided'],
    qualified: { label: 'denied', where: Prisma.sql`e."details"->>'decision' = 'deny'` },
  },
  uses: {
    title: 'Credential uses reported',
    what: 'Brokers and runtimes report each use with the workload that presented the credential; misuse is marked.',
    group: 'credential',
    actions: ['credential.used'],
  },
  rotations: {
    title: 'Credential rotations',
    what: 'Rotations recorded against each credential’s period.',
    group: 'credential',
    actions: ['credential.rotated'],
  },
  revocations: {
    title: 'Credential revocations',
    what: 'Credentials revoked, each with its reason, on the agent’s timeline.',
    group: 'credential',
    actions: ['credential.revoked'],
  },
  decommissioning: {
    title: 'Agents suspended or retired',
    what: 'Agents taken out of service; retiring one revokes what it holds and ends its exceptions and grants.',
    group: 'agent',
    actions: ['agent.status_changed'],
    where: Prisma.sql`e."details"->>'to' IN ('SUSPENDED', 'RETIRED')`,
    qualified: { label: 'retired', where: Prisma.sql`e."details"->>'to' = 'RETIRED'` },
  },
  deprovisioning: {
    title: 'People deactivated',
    what: 'People who left, from the identity provider or a lead: their agents show as orphaned, their tokens end.',
    group: 'access',
    actions: ['user.deactivated', 'user.deleted'],
  },
  findings: {
    title: 'Findings opened and closed',
    what: 'The policy rules run over the registry; each finding opened and closed is on the timeline.',
    group: 'finding',
    actions: ['finding.opened', 'finding.closed'],
    qualified: { label: 'closed', where: Prisma.sql`e."action" = 'finding.closed'` },
  },
};

const VERIFICATIONS = {
  title: 'Chain verifications',
  what: 'The whole custody timeline re-hashed and its signed checkpoints checked, on schedule and on demand.',
};

export type EvidenceWindow = { from: Date; to: Date; afterSeq: bigint; throughSeq: bigint };

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Each process's record in the window: events with seq in (afterSeq, throughSeq], at most COUNT_CAP counted. */
export async function countEvidence(ids: EvidenceId[], window: EvidenceWindow): Promise<EvidenceCount[]> {
  const db = getDb();
  const range = `from=${day(window.from)}&to=${day(window.to)}`;
  return Promise.all(
    ids.map(async (id): Promise<EvidenceCount> => {
      if (id === 'verifications') {
        const rows = await db.auditVerification.findMany({
          where: { verifiedAt: { gt: window.from, lte: window.to } },
          orderBy: { verifiedAt: 'desc' },
          take: COUNT_CAP + 1,
        });
        const passed = rows.filter((v) => v.ok && vouched(v)).length;
        return {
          id,
          ...VERIFICATIONS,
          count: Math.min(rows.length, COUNT_CAP),
          capped: rows.length > COUNT_CAP,
          qualified: { label: 'passed, signed by Custodian', count: passed },
          href: '/timeline',
        };
      }
      const d = FROM_TIMELINE[id];
      const [row] = await db.$queryRaw<{ n: bigint; k: bigint }[]>`
        SELECT count(*) AS n, count(*) FILTER (WHERE ok) AS k FROM (
          SELECT ${d.qualified?.where ?? Prisma.sql`FALSE`} AS ok FROM "AuditEvent" e
          WHERE e."action" IN (${Prisma.join(d.actions)}) AND e."seq" > ${window.afterSeq}
            AND e."seq" <= ${window.throughSeq} AND ${d.where ?? Prisma.sql`TRUE`}
          LIMIT ${COUNT_CAP + 1}) counted`;
      const n = Number(row?.n ?? 0);
      return {
        id,
        title: d.title,
        what: d.what,
        count: Math.min(n, COUNT_CAP),
        capped: n > COUNT_CAP,
        qualified: d.qualified ? { label: d.qualified.label, count: Number(row?.k ?? 0) } : null,
        href: `/timeline?group=${d.group}&${range}`,
      };
    }),
  );
}
