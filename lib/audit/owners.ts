import 'server-only';
import type { Tx } from '@/lib/db';

type PersonRef = { id: string; name: string | null; active: boolean } | null;

/** Who was accountable for an agent when an event happened. */
export type OwnersSnapshot = {
  accountable: PersonRef;
  IAM: PersonRef;
  PAM: PersonRef;
  PLATFORM: PersonRef;
};

/** The current owners of each agent, read inside the event's transaction. */
export async function snapshotOwners(tx: Tx, agentIds: string[]): Promise<Map<string, OwnersSnapshot>> {
  const unique = [...new Set(agentIds)];
  if (unique.length === 0) return new Map();
  const person = { select: { id: true, name: true, active: true } } as const;
  const agents = await tx.agent.findMany({
    where: { id: { in: unique } },
    select: { id: true, owner: person, controlAssignments: { select: { plane: true, user: person } } },
  });
  return new Map(
    agents.map((agent) => {
      const plane = (p: 'IAM' | 'PAM' | 'PLATFORM') =>
        agent.controlAssignments.find((a) => a.plane === p)?.user ?? null;
      return [
        agent.id,
        { accountable: agent.owner, IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') },
      ];
    }),
  );
}
