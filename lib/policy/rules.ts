import { rotationDaysSql } from '@/lib/credentials/rotation-period';
import { reachableContact } from '@/lib/escalation/sql';
import { awaitingWhere, ENDED_AT, ONLY_CREDENTIAL } from '@/lib/exceptions/sql';
import { Prisma } from '@/lib/generated/prisma/client';
import type { ControlPlane } from '@/lib/generated/prisma/enums';
import { purposeCovers } from '@/lib/purposes/coverage';
import type { Settings } from '@/lib/settings';
import {
  AGENT_STATUS,
  CONTROL_PLANE,
  CREDENTIAL_STORAGE,
  ENVIRONMENT,
  EXCEPTION_TYPE,
  RISK_TIER,
  valuesOf,
} from '@/lib/vocabulary';
import { sqlLabel, sqlWord } from '@/lib/vocabulary/sql';
import type { ControlRef } from './frameworks';

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * A policy rule: what it checks, why it matters, how to fix it, the framework
 * controls it evidences, and one SQL query returning the rows that break it
 * (`agentId`, `credentialId` or NULL, `detail`). Rules never load the registry
 * into JavaScript: the database answers each one.
 */
export type Rule = {
  id: string;
  title: string;
  severity: Severity;
  explanation: string;
  fix: string;
  /** The control plane whose owner usually fixes it. */
  plane: ControlPlane | null;
  controls: ControlRef[];
  /** Where to fix it: a path on the agent's page. */
  fixAnchor:
    'owners' | 'escalation' | 'lifecycle' | 'purposes' | 'credentials' | 'exceptions' | 'reviews' | 'delegation';
  query: (settings: Settings, now: Date) => Prisma.Sql;
};

const IN_SERVICE = Prisma.sql`a."status" IN ('ACTIVE', 'SUSPENDED')`;
const NOT_RETIRED = Prisma.sql`a."status" <> 'RETIRED'`;
const UNSAFE_STORAGE = Prisma.sql`('PROMPT_OR_CONTEXT', 'ENV_VAR', 'CONFIG_FILE', 'LOCAL_DISK')`;

/** Each control plane with its label, as SQL VALUES rows. */
function planesWithLabels(): Prisma.Sql {
  return Prisma.join(valuesOf(CONTROL_PLANE).map((plane) => Prisma.sql`(${plane}, ${CONTROL_PLANE[plane].label})`));
}

/** Each exception type with its policy maximum, as SQL VALUES rows: a new type joins by itself. */
function maximaByType(s: Settings): Prisma.Sql {
  return Prisma.join(valuesOf(EXCEPTION_TYPE).map((type) => Prisma.sql`(${type}, ${s.exceptionMaxHours[type]}::int)`));
}

export const RULES: Rule[] = [
  {
    id: 'owner-missing',
    title: 'No active accountable owner',
    severity: 'HIGH',
    explanation:
      'Nobody is accountable for the agent: its owner is unset or has left. Unowned agents are how access ' +
      'outlives its purpose.',
    fix: 'Assign an active accountable owner.',
    plane: null,
    controls: [
      'owasp-nhi-2025/NHI1:2025',
      'nist-ai-rmf/GOVERN 2.1',
      'nist-csf-2/GV.RR-02',
      'nist-ai-rmf/GOVERN 3.2',
      'nist-ai-rmf/MANAGE 2.4',
      'csa-maestro/L6',
    ],
    fixAnchor: 'owners',
    query: () => Prisma.sql`
      SELECT a."id" AS "agentId", NULL::text AS "credentialId", CASE WHEN o."id" IS NULL THEN 'No owner' ELSE 'Owner '
        || coalesce(o."name", o."id") || ' is inactive' END AS "detail"
      FROM "Agent" a LEFT JOIN "User" o ON o."id" = a."ownerId"
      WHERE ${NOT_RETIRED} AND (o."id" IS NULL OR NOT o."active")`,
  },
  {
    id: 'plane-unassigned',
    title: 'Control plane without an active owner',
    severity: 'MEDIUM',
    explanation: 'IAM, PAM and platform security each need an owner who answers for that part of the agent’s access.',
    fix: 'Assign an active owner to each control plane.',
    plane: null,
    controls: ['nist-ai-rmf/GOVERN 2.1', 'nist-csf-2/GV.RR-02', 'nist-ai-rmf/GOVERN 3.2', 'csa-maestro/L6'],
    fixAnchor: 'owners',
    query: () => Prisma.sql`
      SELECT a."id" AS "agentId", NULL::text AS "credentialId", 'No active owner for ' || string_agg(p.label, ', '
        ORDER BY p.plane) AS "detail"
      FROM "Agent" a CROSS JOIN (VALUES ${planesWithLabels()}) AS p(plane, label)
      LEFT JOIN "ControlAssignment" ca ON ca."agentId" = a."id" AND ca."plane"::text = p.plane
      LEFT JOIN "User" u ON u."id" = ca."userId"
      WHERE ${IN_SERVICE} AND (ca."id" IS NULL OR NOT u."active")
      GROUP BY a."id"`,
  },
  {
    id: 'one-person-all-planes',
    title: 'One person holds all three control planes',
    severity: 'MEDIUM',
    explanation:
      'When one person owns IAM, PAM and platform security for an agent, nobody checks their decisions: ' +
      'separation of duties is gone.',
    fix: 'Give at least one plane to someone else.',
    plane: null,
    controls: ['nist-csf-2/PR.AA-05', 'owasp-agentic-2026/ASI03', 'nist-ai-rmf/GOVERN 3.2', 'csa-maestro/L6'],
    fixAnchor: 'owners',
    query: () => Prisma.sql`
      SELECT a."id" AS "agentId", NULL::text AS "credentialId", 'All three planes held ' ||
        'by ' || coalesce(min(u."name"), min(u."id")) AS "detail"
      FROM "Agent" a JOIN "ControlAssignment" ca ON ca."agentId" = a."id" JOIN "User" u ON u."id" = ca."userId"
      WHERE ${NOT_RETIRED}
      GROUP BY a."id" HAVING count(*) = 3 AND count(DISTINCT ca."userId") = 1`,
  },
  {
    id: 'escalation-missing',
    title: 'HIGH or CRITICAL agent in service with nobody to page',
    severity: 'HIGH',
    explanation:
      'When a high-risk agent misbehaves at 3 a.m., someone must be paged: without a named person or team and a way ' +
      'to reach them, an incident waits for office hours.',
    fix: 'Name who is paged, how to reach them and when (the Escalation section); a person who left reaches nobody.',
    plane: null,
    controls: [
      'nist-ai-rmf/GOVERN 2.1',
      'nist-csf-2/GV.RR-02',
      'nist-ai-rmf/GOVERN 6.2',
      'nist-ai-rmf/MANAGE 4.3',
      'csa-maestro/L6',
    ],
    fixAnchor: 'escalation',
    query: () => Prisma.sql`
      SELECT a."id" AS "agentId", NULL::text AS "credentialId",
        ${sqlLabel(RISK_TIER, Prisma.sql`a."riskTier"`)} || ' risk, ' ||
        ${sqlWord(AGENT_STATUS, Prisma.sql`a."status"`)} || ', nobody to page' AS "detail"
      FROM "Agent" a
      WHERE ${IN_SERVICE} AND a."riskTier" IN ('HIGH', 'CRITICAL')
        AND NOT ${reachableContact(Prisma.sql`a."id"`)}`,
  },
  {
    id: 'active-without-purpose',
    title: 'Active agent without an approved purpose',
    severity: 'HIGH',
    explanation:
      'An agent in service must be approved to do something specific; without an approved purpose its access ' +
      'has no stated reason.',
    fix: 'Approve a purpose, or suspend the agent.',
    plane: null,
    controls: ['owasp-agentic-2026/ASI10', 'nist-ai-rmf/GOVERN 1.6', 'csa-maestro/L3'],
    fixAnchor: 'purposes',
    query: (_, now) => Prisma.sql`
      SELECT a."id" AS "agentId", NULL::text AS "credentialId", 'Active with no approved purpose in effect' AS "detail"
      FROM "Agent" a
      WHERE a."status" = 'ACTIVE' AND NOT EXISTS (
        SELECT 1 FROM "Purpose" p WHERE p."agentId" = a."id" AND p."status" = 'APPROVED' AND (p."expiresAt" IS NULL OR
          p."expiresAt" > ${now}))`,
  },
  {
    id: 'purpose-expired',
    title: 'Approved purpose past its end date',
    severity: 'LOW',
    explanation: 'A purpose was approved until a date that has passed, yet it still reads as approved.',
    fix: 'Expire the purpose, or approve a renewed one.',
    plane: null,
    controls: ['nist-ai-rmf/GOVERN 1.5', 'csa-maestro/L3'],
    fixAnchor: 'purposes',
    query: (_, now) => Prisma.sql`
      SELECT p."agentId" AS "agentId", NULL::text AS "credentialId", 'Purpose “' || p."task" || '” ended ' ||
        to_char(p."expiresAt", 'YYYY-MM-DD') AS "detail"
      FROM "Purpose" p JOIN "Agent" a ON a."id" = p."agentId"
      WHERE ${NOT_RETIRED} AND p."status" = 'APPROVED' AND p."expiresAt" <= ${now}`,
  },
  {
    id: 'static-credential-in-prod',
    title: 'Static credential in production',
    severity: 'MEDIUM',
    explanation:
      'A long-lived secret in production is valid until someone remembers to rotate it; just-in-time ' +
      'credentials expire by themselves.',
    fix: 'Issue it dynamically through the broker, with a short TTL.',
    plane: 'IAM',
    controls: ['owasp-nhi-2025/NHI7:2025', 'nist-csf-2/PR.AA-01', 'csa-maestro/L4'],
    fixAnchor: 'credentials',
    query: () => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' is static in production' AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${NOT_RETIRED} AND c."revokedAt" IS NULL AND c."issuance" = 'STATIC' AND c."environment" = 'PROD'`,
  },
  {
    id: 'credential-not-bound',
    title: 'Credential not bound to the workload identity',
    severity: 'LOW',
    explanation: 'A credential not bound to the agent’s workload identity works for whoever holds it, from anywhere.',
    fix: 'Bind it to the agent’s workload identity (SPIFFE ID or OIDC subject).',
    plane: 'IAM',
    controls: ['owasp-nhi-2025/NHI4:2025', 'owasp-agentic-2026/ASI03', 'nist-csf-2/PR.AA-02', 'csa-maestro/L4'],
    fixAnchor: 'credentials',
    query: () => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' is not bound to a workload ' ||
        'identity' AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${NOT_RETIRED} AND c."revokedAt" IS NULL AND NOT c."boundToWorkloadIdentity"`,
  },
  {
    id: 'credential-unsafe-storage',
    title: 'Credential stored where it leaks',
    severity: 'HIGH',
    explanation:
      'Secrets in a prompt or context window, an environment variable, a config file or on local disk end up ' +
      'in logs, model providers and backups.',
    fix: 'Move it into the vault or broker and fetch it at run time.',
    plane: 'PLATFORM',
    controls: ['owasp-nhi-2025/NHI2:2025', 'owasp-agentic-2026/ASI06', 'nist-csf-2/PR.DS-01', 'csa-maestro/L2'],
    fixAnchor: 'credentials',
    query: () => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' is stored in ' ||
        ${sqlWord(CREDENTIAL_STORAGE, Prisma.sql`c."storage"`)} AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${NOT_RETIRED} AND c."revokedAt" IS NULL AND c."storage"::text IN ${UNSAFE_STORAGE}`,
  },
  {
    id: 'ttl-above-policy',
    title: 'Time-to-live above policy',
    severity: 'MEDIUM',
    explanation: 'The credential lives longer than policy allows for its privilege level.',
    fix: 'Lower its maximum TTL to the policy limit (Settings).',
    plane: 'IAM',
    controls: ['owasp-nhi-2025/NHI7:2025', 'csa-maestro/L4'],
    fixAnchor: 'credentials',
    query: (s) => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ': TTL ' || c."maxTtlSeconds" ||
        ' s, policy ' ||
        CASE WHEN c."privileged" THEN ${s.credentialMaxTtlSeconds.privileged} ELSE
          ${s.credentialMaxTtlSeconds.standard} END || ' s' AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${NOT_RETIRED} AND c."revokedAt" IS NULL AND c."maxTtlSeconds" >
        CASE WHEN c."privileged" THEN ${s.credentialMaxTtlSeconds.privileged}::int ELSE
          ${s.credentialMaxTtlSeconds.standard}::int END`,
  },
  {
    id: 'rotation-overdue',
    title: 'Rotation overdue',
    severity: 'MEDIUM',
    explanation:
      'A static credential not rotated within its period (or the policy default) has been exposed for longer ' +
      'than anyone agreed to.',
    fix: 'Rotate it and record the rotation.',
    plane: 'IAM',
    controls: ['owasp-nhi-2025/NHI7:2025', 'nist-csf-2/PR.AA-01', 'csa-maestro/L4'],
    fixAnchor: 'credentials',
    query: (s, now) => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId",
        c."name" || CASE WHEN c."lastRotatedAt" IS NULL THEN ' was never rotated' ELSE ' last rotated ' ||
          to_char(c."lastRotatedAt", 'YYYY-MM-DD') END AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${NOT_RETIRED} AND c."revokedAt" IS NULL AND c."issuance" = 'STATIC'
        AND (c."lastRotatedAt" IS NULL
          OR c."lastRotatedAt" + make_interval(days => ${rotationDaysSql(s.credentialRotationDays)}) < ${now})`,
  },
  {
    id: 'privileged-without-pam',
    title: 'Privileged credential without a PAM owner',
    severity: 'HIGH',
    explanation: 'Privileged access needs an accountable PAM owner who approves break-glass and session boundaries.',
    fix: 'Assign an active PAM owner.',
    plane: 'PAM',
    controls: ['owasp-nhi-2025/NHI5:2025', 'nist-csf-2/PR.AA-05', 'csa-maestro/L6'],
    fixAnchor: 'owners',
    query: () => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' is privileged; no active ' ||
        'PAM owner' AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${NOT_RETIRED} AND c."revokedAt" IS NULL AND c."privileged" AND NOT EXISTS (
        SELECT 1 FROM "ControlAssignment" ca JOIN "User" u ON u."id" = ca."userId" WHERE ca."agentId" = a."id" AND
          ca."plane" = 'PAM' AND u."active")`,
  },
  {
    id: 'shared-secret-ref',
    title: 'One secret shared by several agents or environments',
    severity: 'HIGH',
    explanation:
      'The same secret reference used by several agents or environments means one leak opens all of them, and ' +
      'nobody can revoke it for one.',
    fix: 'Issue each agent and environment its own credential.',
    plane: 'IAM',
    controls: ['owasp-nhi-2025/NHI9:2025', 'owasp-nhi-2025/NHI8:2025', 'csa-maestro/Cross-layer'],
    fixAnchor: 'credentials',
    query: () => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' shares ' || c."secretRef" || ' with '
        || (s.agents - 1) || ' other agent(s) / ' || s.environments || ' environment(s)' AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      -- Per credential, by the secretRef index: one agent's findings stay index lookups.
      CROSS JOIN LATERAL (
        SELECT count(DISTINCT o."agentId") AS agents, count(DISTINCT o."environment") AS environments
        FROM "Credential" o WHERE o."secretRef" = c."secretRef" AND o."revokedAt" IS NULL
      ) s
      WHERE ${NOT_RETIRED} AND c."revokedAt" IS NULL AND c."secretRef" IS NOT NULL AND (s.agents > 1 OR s.environments
        > 1)`,
  },
  {
    id: 'review-overdue',
    title: 'Review overdue',
    severity: 'MEDIUM',
    explanation: 'The agent’s lifecycle review is past due: its access has not been confirmed on time.',
    fix: 'Complete the open review.',
    plane: null,
    controls: ['nist-ai-rmf/GOVERN 1.5', 'nist-csf-2/PR.AA-05', 'nist-ai-rmf/MANAGE 4.1', 'csa-maestro/L6'],
    fixAnchor: 'reviews',
    query: (_, now) => Prisma.sql`
      SELECT r."agentId" AS "agentId", NULL::text AS "credentialId", 'Review due ' || to_char(r."dueAt", 'YYYY-MM-DD')
        AS "detail"
      FROM "Review" r JOIN "Agent" a ON a."id" = r."agentId"
      WHERE r."completedAt" IS NULL AND r."dueAt" < ${now} AND ${NOT_RETIRED}`,
  },
  {
    id: 'delegation-orphaned',
    title: 'Delegation in force that nobody answers for',
    severity: 'HIGH',
    explanation:
      'The agent may still act for another agent that is no longer active or whose owner has left, or under a grant ' +
      'approved by someone who has left: authority lent by nobody who answers for it any more.',
    fix: 'Revoke the delegation; if it is still needed, ask for it again, to be approved by who answers now.',
    plane: 'IAM',
    controls: ['owasp-agentic-2026/ASI03', 'owasp-agentic-2026/ASI07', 'owasp-nhi-2025/NHI1:2025', 'csa-maestro/L7'],
    fixAnchor: 'delegation',
    query: (_, now) => Prisma.sql`
      SELECT g."delegateId" AS "agentId", NULL::text AS "credentialId",
        'May act for ' || string_agg(p."slug" || CASE
          WHEN p."status" <> 'ACTIVE' THEN ', which is ' || ${sqlWord(AGENT_STATUS, Prisma.sql`p."status"`)}
          WHEN po."id" IS NULL OR NOT po."active" THEN ', whose owner has left'
          ELSE ', approved by ' || coalesce(u."name", u."id") || ', who has left' END, '; ' ORDER BY p."slug")
          AS "detail"
      FROM "DelegationGrant" g JOIN "Agent" a ON a."id" = g."delegateId" JOIN "Agent" p ON p."id" = g."principalId"
      LEFT JOIN "User" u ON u."id" = g."approvedById" LEFT JOIN "User" po ON po."id" = p."ownerId"
      WHERE g."status" = 'APPROVED' AND g."expiresAt" > ${now} AND ${NOT_RETIRED}
        AND (p."status" <> 'ACTIVE' OR po."id" IS NULL OR NOT po."active" OR NOT u."active")
      GROUP BY g."delegateId"`,
  },
  {
    id: 'exception-past-expiry-active',
    title: 'Exception past expiry still marked active',
    severity: 'CRITICAL',
    explanation:
      'A canary: the expiry sweeper marks exceptions expired within a minute. If this ever shows, expiry is ' +
      'not running.',
    fix: 'Check the server’s background jobs; the exception must be treated as expired.',
    plane: 'PAM',
    controls: ['owasp-nhi-2025/NHI7:2025', 'nist-csf-2/PR.AA-05', 'csa-maestro/L6'],
    fixAnchor: 'exceptions',
    query: (_, now) => Prisma.sql`
      SELECT e."agentId" AS "agentId", ${ONLY_CREDENTIAL} AS "credentialId",
        ${sqlLabel(EXCEPTION_TYPE, Prisma.sql`e."type"`)} || ' expired ' || to_char(e."expiresAt",
          'YYYY-MM-DD HH24:MI') || ' but is still ' ||
        'approved' AS "detail"
      FROM "Exception" e WHERE e."status" = 'APPROVED' AND e."expiresAt" < ${new Date(now.getTime() - 120_000)}`,
  },
  {
    id: 'exception-longer-than-policy',
    title: 'Exception longer than policy',
    severity: 'MEDIUM',
    explanation:
      'The exception’s window is longer than policy now allows for its type (the policy may have tightened since).',
    fix: 'Revoke it and request one within the policy maximum.',
    plane: 'PAM',
    controls: ['owasp-nhi-2025/NHI5:2025', 'csa-maestro/L6'],
    fixAnchor: 'exceptions',
    query: (s, now) => Prisma.sql`
      SELECT e."agentId" AS "agentId", ${ONLY_CREDENTIAL} AS "credentialId",
        ${sqlLabel(EXCEPTION_TYPE, Prisma.sql`e."type"`)} || ': ' || round(extract(epoch FROM e."expiresAt" -
          e."startsAt") / 3600) || ' h window, policy ' || m.hours || ' h' AS "detail"
      FROM "Exception" e
      JOIN (VALUES ${maximaByType(s)}) AS m(type, hours)
        ON m.type = e."type"::text
      WHERE e."status" = 'APPROVED' AND e."expiresAt" > ${now} AND e."expiresAt" - e."startsAt" >
        make_interval(hours => m.hours)`,
  },
  {
    id: 'proposed-with-credentials',
    title: 'Proposed agent holding credentials',
    severity: 'MEDIUM',
    explanation: 'An agent not yet approved for service already holds unrevoked credentials.',
    fix: 'Revoke them until the agent is activated.',
    plane: 'IAM',
    controls: ['owasp-agentic-2026/ASI10', 'nist-ai-rmf/GOVERN 1.6', 'csa-maestro/L7'],
    fixAnchor: 'credentials',
    query: () => Prisma.sql`
      SELECT a."id" AS "agentId", NULL::text AS "credentialId", count(*) || ' unrevoked credential(s) ' ||
        'before approval' AS "detail"
      FROM "Agent" a JOIN "Credential" c ON c."agentId" = a."id"
      WHERE a."status" = 'PROPOSED' AND c."revokedAt" IS NULL GROUP BY a."id"`,
  },
  {
    id: 'scope-drift',
    title: 'Scope drift: credential outside every approved purpose',
    severity: 'HIGH',
    explanation:
      'The credential reaches an environment or a system (its scope) that no approved purpose of the agent ' +
      'covers, or states no scope at all: access has grown past what was approved.',
    fix: 'Revoke or narrow the credential, or get a purpose covering that environment and those systems approved.',
    plane: 'IAM',
    controls: [
      'owasp-agentic-2026/ASI02',
      'owasp-agentic-2026/ASI03',
      'owasp-nhi-2025/NHI5:2025',
      'nist-csf-2/PR.AA-05',
      'csa-maestro/L3',
    ],
    fixAnchor: 'credentials',
    query: (_, now) => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' reaches ' ||
        lower(c."environment"::text) ||
        CASE WHEN btrim(c."scope") <> '' THEN ' (' || c."scope" || ')' ELSE ' with no stated scope' END ||
        ', which no approved purpose covers' AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${IN_SERVICE} AND c."revokedAt" IS NULL
        AND NOT EXISTS (SELECT 1 FROM "Purpose" p WHERE ${purposeCovers(now)})`,
  },
  {
    id: 'break-glass-not-rotated',
    title: 'Break-glass ended, credential not rotated since',
    severity: 'HIGH',
    explanation:
      'Someone held emergency access to this credential; until it is rotated, they (or anyone who saw it) ' +
      'still can use it.',
    fix: 'Rotate the credential and record the rotation.',
    plane: 'PAM',
    controls: ['owasp-nhi-2025/NHI7:2025', 'owasp-nhi-2025/NHI10:2025', 'csa-maestro/L6'],
    fixAnchor: 'credentials',
    query: () => Prisma.sql`
      SELECT DISTINCT ON (c."id") e."agentId" AS "agentId", c."id" AS "credentialId", c."name" ||
        ': break-glass ended ' || to_char(${ENDED_AT}, 'YYYY-MM-DD HH24:MI') || ', not rotated since' AS "detail"
      ${awaitingWhere(Prisma.sql`TRUE`)}
      ORDER BY c."id", ${ENDED_AT} DESC`,
  },
  {
    id: 'use-after-revocation',
    title: 'Credential used after revocation',
    severity: 'CRITICAL',
    explanation:
      'A broker or runtime reported a use of a credential after it was revoked: the revocation did not take ' +
      'effect where it is used.',
    fix: 'Check the broker actually revoked it; rotate anything it could reach.',
    plane: 'PLATFORM',
    controls: [
      'owasp-nhi-2025/NHI1:2025',
      'owasp-agentic-2026/ASI10',
      'nist-ai-rmf/MANAGE 2.4',
      'nist-ai-rmf/GOVERN 4.3',
      'csa-maestro/L5',
    ],
    fixAnchor: 'credentials',
    query: (_, now) => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' used ' ||
        to_char(c."usedAfterRevocationAt", 'YYYY-MM-DD HH24:MI') || ', after its ' ||
        'revocation' AS "detail"
      FROM "Credential" c WHERE c."usedAfterRevocationAt" > ${new Date(now.getTime() - 90 * 86_400_000)}`,
  },
  {
    id: 'credential-replay-suspected',
    title: 'Credential presented by another workload',
    severity: 'CRITICAL',
    explanation:
      'A broker or runtime reported a use of the credential by a workload other than the agent’s own identity: ' +
      'someone else holds it and is replaying it.',
    fix:
      'Revoke the credential (a rotation does not close this), find the workload that presented it, and issue ' +
      'its replacement bound to the agent’s workload identity.',
    plane: 'IAM',
    controls: [
      'owasp-nhi-2025/NHI4:2025',
      'owasp-nhi-2025/NHI9:2025',
      'owasp-agentic-2026/ASI03',
      'nist-csf-2/PR.AA-03',
      'nist-csf-2/DE.CM-03',
      'owasp-agentic-2026/ASI10',
      'nist-csf-2/PR.AA-04',
      'nist-ai-rmf/GOVERN 4.3',
      'csa-maestro/L5',
      'csa-maestro/Cross-layer',
    ],
    fixAnchor: 'credentials',
    query: (_, now) =>
      misuseQuery(
        'replay-suspected',
        now,
        Prisma.sql`' presented by ' ||
      coalesce(m."workloadIdentity", 'an unknown workload')`,
      ),
  },
  {
    id: 'credential-used-after-decision',
    title: 'Credential used after the gate’s allowed TTL',
    severity: 'HIGH',
    explanation:
      'The issuance gate allowed the credential for a time-to-live that had ended when it was used: it outlived ' +
      'what was approved, or was never expired by the broker.',
    fix: 'Revoke the credential, and have the broker issue its replacement with the TTL the decision allowed.',
    plane: 'PAM',
    controls: ['owasp-nhi-2025/NHI7:2025', 'owasp-agentic-2026/ASI03', 'nist-csf-2/DE.CM-03', 'csa-maestro/L5'],
    fixAnchor: 'credentials',
    query: (_, now) => misuseQuery('after-decision-ttl', now, Prisma.sql`' used after its allowed TTL'`),
  },
  {
    id: 'gated-credential-used-ungated',
    title: 'Gated credential used without an allowing decision',
    severity: 'HIGH',
    explanation:
      'The credential is issued only through the issuance gate, yet a use was reported with no allowing decision ' +
      'in its window: it was issued around the gate.',
    fix: 'Revoke the credential, and find the path that issued it without asking the gate.',
    plane: 'PAM',
    controls: ['owasp-agentic-2026/ASI03', 'nist-csf-2/PR.AA-05', 'nist-csf-2/DE.CM-03', 'csa-maestro/L5'],
    fixAnchor: 'credentials',
    query: (_, now) => misuseQuery('no-allowing-decision', now, Prisma.sql`' used with no allowing decision'`),
  },
  {
    id: 'ci-static-credential',
    title: 'CI pipeline holding a static credential',
    severity: 'MEDIUM',
    explanation:
      'A CI agent that keeps a long-lived key in its pipeline settings hands it to every job, fork and log that ' +
      'can read them; CI systems can federate with the cloud through their own OIDC tokens instead.',
    fix: 'Replace the key with workload identity federation (the CI system’s OIDC token) or a broker-issued one.',
    plane: 'PLATFORM',
    controls: ['owasp-nhi-2025/NHI6:2025', 'nist-csf-2/PR.AA-01', 'csa-maestro/L4'],
    fixAnchor: 'credentials',
    query: () => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' is a static credential in a CI ' ||
        'pipeline' AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${NOT_RETIRED} AND a."kind" = 'CI_AGENT' AND c."revokedAt" IS NULL AND c."issuance" = 'STATIC'`,
  },
  {
    id: 'credential-outside-environments',
    title: 'Credential for an environment the agent is not registered in',
    severity: 'HIGH',
    explanation:
      'The agent is registered to run in some environments, yet holds a credential for another: an agent of ' +
      'development or staging reaching production breaks the isolation between them.',
    fix: 'Revoke the credential, or register the agent in that environment (which its review then covers).',
    plane: 'IAM',
    controls: ['owasp-nhi-2025/NHI8:2025', 'nist-csf-2/PR.AA-05', 'csa-maestro/L4'],
    fixAnchor: 'credentials',
    query: () => Prisma.sql`
      SELECT c."agentId" AS "agentId", c."id" AS "credentialId", c."name" || ' reaches ' ||
        ${sqlWord(ENVIRONMENT, Prisma.sql`c."environment"`)} || '; the agent is registered for ' ||
        coalesce(nullif(lower(array_to_string(a."environments", ', ')), ''), 'no environment') AS "detail"
      FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId"
      WHERE ${NOT_RETIRED} AND c."revokedAt" IS NULL AND NOT (c."environment" = ANY (a."environments"))`,
  },
  {
    id: 'delegation-without-grant',
    title: 'Asked to act for another agent without a grant',
    severity: 'HIGH',
    explanation:
      'In the last 30 days the agent asked the issuance gate for a credential on behalf of another agent with no ' +
      'delegation grant in force: agents are calling each other on authority nobody lent.',
    fix: 'Find the caller that passes it work; request a delegation grant if the call is meant, or stop it if not.',
    plane: 'IAM',
    controls: ['owasp-agentic-2026/ASI07', 'owasp-agentic-2026/ASI03', 'csa-maestro/L7'],
    fixAnchor: 'delegation',
    query: (_, now) => Prisma.sql`
      SELECT d."agentId" AS "agentId", NULL::text AS "credentialId", count(*) || ' request(s) to act for another ' ||
        'agent refused for want of a grant, last ' || to_char(max(d."decidedAt"), 'YYYY-MM-DD HH24:MI') AS "detail"
      FROM "IssuanceDecision" d JOIN "Agent" a ON a."id" = d."agentId"
      WHERE NOT d."allowed" AND 'delegation-granted' = ANY (d."refusedBy") AND ${NOT_RETIRED}
        AND d."decidedAt" > ${new Date(now.getTime() - 30 * 86_400_000)}
      GROUP BY d."agentId"`,
  },
  {
    id: 'secret-pasted',
    title: 'Secret pasted into Custodian',
    severity: 'HIGH',
    explanation:
      'Someone (or a broker) sent what looks like a secret value about this agent. Custodian refused it and stored ' +
      'nothing, but the value left its vault: whoever saw the screen, the clipboard or the request may have it.',
    fix: 'Treat the credential as leaked: rotate or revoke it, and record that here.',
    plane: 'PLATFORM',
    controls: ['owasp-nhi-2025/NHI2:2025', 'csa-maestro/L2'],
    fixAnchor: 'credentials',
    query: (_, now) => Prisma.sql`
      SELECT DISTINCT ON (e."agentId") e."agentId" AS "agentId", NULL::text AS "credentialId",
        'A secret was pasted into ' || (e."details"->'fields'->0->>'field') || ' on ' ||
        to_char(e."occurredAt", 'YYYY-MM-DD HH24:MI') || ': treat it as leaked' AS "detail"
      FROM "AuditEvent" e
      WHERE e."action" = 'input.secret_refused' AND e."agentId" IS NOT NULL
        AND e."occurredAt" > ${new Date(now.getTime() - 30 * 86_400_000)}
      ORDER BY e."agentId", e."seq" DESC`,
  },
];

/**
 * A credential's latest use marked `kind` at ingest (CredentialMisuse) in the last 90 days, open until the
 * credential is revoked after it. A rotation does not close it: the owner records rotations alone, and a replayed
 * or ungated credential is replaced under a new name, not renewed.
 */
function misuseQuery(kind: string, now: Date, what: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT ON (m."agentId", m."credentialId") m."agentId" AS "agentId", m."credentialId" AS "credentialId",
      c."name" || ${what} || ' on ' || to_char(m."at", 'YYYY-MM-DD HH24:MI') AS "detail"
    FROM "CredentialMisuse" m JOIN "Credential" c ON c."id" = m."credentialId"
    WHERE m."kind" = ${kind} AND m."at" > ${new Date(now.getTime() - 90 * 86_400_000)}
      AND (c."revokedAt" IS NULL OR c."revokedAt" < m."at")
    ORDER BY m."agentId", m."credentialId", m."at" DESC`;
}

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
