import 'server-only';
import type { AuditActor } from '@/lib/audit';
import type { Actor } from '@/lib/authz';
import { isIndependentLead } from '@/lib/change-requests/commands';
import type { Tx } from '@/lib/db';
import type { CredentialKind, CredentialStorage, Environment } from '@/lib/generated/prisma/enums';
import { dueAfter } from '@/lib/reviews/cadence';
import { openOrJoinReviews } from '@/lib/reviews/triggers';
import { getSettings, type Settings } from '@/lib/settings';
import { LATELY_DAYS } from '@/lib/users/standing';
import {
  credentialLooseningFields,
  looseFromTheStart,
  type CredentialGuardedField,
  type CredentialSettings,
} from './loosening';

/** A credential as recorded: what makes it loose, alone or beside the agent's others. */
export type Issued = Partial<CredentialSettings> & {
  id: string;
  agentId: string;
  kind: CredentialKind;
  environment: Environment;
  storage: CredentialStorage;
  privileged: boolean;
};

const settingsOf = (c: Issued): CredentialSettings => ({
  storage: c.storage,
  secretRef: c.secretRef ?? null,
  scope: c.scope ?? '',
  maxTtlSeconds: c.maxTtlSeconds ?? null,
  rotationPeriodDays: c.rotationPeriodDays ?? null,
  boundToWorkloadIdentity: c.boundToWorkloadIdentity ?? false,
  privileged: c.privileged,
  gated: c.gated ?? false,
});

/**
 * What a replacement is compared on. Scope is left out (two keys of one kind often reach different systems), and
 * privilege (a privileged key is loose from the start; an ordinary one beside it is not a loosening of it).
 */
const REPLACED: CredentialGuardedField[] = [
  'boundToWorkloadIdentity',
  'gated',
  'maxTtlSeconds',
  'rotationPeriodDays',
  'storage',
];

/**
 * The credentials looser than one of the same kind and environment the agent holds, or held in the last 30 days:
 * revoking a bound, gated key and issuing an unbound, ungated one in its place is the edit the rules send to a second
 * person, made in two steps.
 */
async function replacingLooser(tx: Tx, issued: Issued[], settings: Settings): Promise<Issued[]> {
  const policy = { rotationDays: settings.credentialRotationDays, maxTtlSeconds: settings.credentialMaxTtlSeconds };
  // Each other, too (keys recorded together, or while the agent was proposed). A revocation counts from when it was
  // recorded (the row's last change), not the time a report gave it: a backdated one is still lately.
  const siblings = await tx.credential.findMany({
    where: {
      agentId: { in: [...new Set(issued.map((c) => c.agentId))] },
      environment: { in: [...new Set(issued.map((c) => c.environment))] },
      OR: [{ revokedAt: null }, { updatedAt: { gt: new Date(Date.now() - LATELY_DAYS * 86_400_000) } }],
    },
    select: {
      id: true,
      agentId: true,
      kind: true,
      environment: true,
      storage: true,
      secretRef: true,
      scope: true,
      maxTtlSeconds: true,
      rotationPeriodDays: true,
      boundToWorkloadIdentity: true,
      privileged: true,
      gated: true,
    },
  });
  // A kind is what the issuer says: OTHER is compared with every kind.
  const sameKind = (a: CredentialKind, b: CredentialKind) => a === b || a === 'OTHER' || b === 'OTHER';
  return issued.filter((c) =>
    siblings.some(
      (s) =>
        s.id !== c.id &&
        s.agentId === c.agentId &&
        sameKind(s.kind, c.kind) &&
        s.environment === c.environment &&
        // Within one class: a standard key's longer TTL beside a privileged one is its class's, not a loosening.
        credentialLooseningFields(s, { ...settingsOf(c), privileged: s.privileged }, policy).some((f) =>
          REPLACED.includes(f),
        ),
    ),
  );
}

/**
 * After credentials are recorded as issued, in the console, by a broker's token, by a discovery import or by putting
 * a proposed agent in service: each agent in service given one loose from the start (looseFromTheStart), or looser
 * than one it holds or held lately (replacingLooser), has its review opened or joined, unless the person who vouches
 * for the record (the issuer, the importer in the console) is a security lead independent of the agent. A token
 * vouches for nobody (`null`): the workload it governs may hold it, as for an agent edit. One rule for every path,
 * so no path records a loose credential without a second person looking. The caller has locked the agents.
 * Returns the agents whose review was opened or joined.
 */
export async function reviewLooseIssues(
  tx: Tx,
  vouchedBy: Actor | null,
  recordedAs: AuditActor,
  issued: Issued[],
  options: { loosenedBy?: string[] } = {},
): Promise<Set<string>> {
  if (issued.length === 0) return new Set();
  const settings = await getSettings(tx);
  const looser = [...issued.filter(looseFromTheStart), ...(await replacingLooser(tx, issued, settings))];
  const loose = [...new Set(looser.map((c) => c.agentId))];
  if (loose.length === 0) return new Set();
  // A proposed agent is not in service: approving it is its review.
  const inService = await tx.agent.findMany({
    where: { id: { in: loose }, status: { not: 'PROPOSED' } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const reviewed: string[] = [];
  for (const { id } of inService) if (!vouchedBy || !(await isIndependentLead(tx, vouchedBy, id))) reviewed.push(id);
  if (reviewed.length === 0) return new Set();
  const { reviewTiming } = settings;
  const dueAt = dueAfter(new Date(), reviewTiming.triggeredDueDays, reviewTiming.timeZone);
  await openOrJoinReviews(
    tx,
    recordedAs,
    reviewed.map((agentId) => ({ agentId, dueAt })),
    'CREDENTIAL_LOOSENED',
    options,
  );
  return new Set(reviewed);
}
