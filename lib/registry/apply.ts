import 'server-only';
import { editAgentIn, registerAgentIn, registerAgentsIn, uniqueFieldError } from '@/lib/agents/commands';
import { lockAgentRows } from '@/lib/agents/locks';
import { actorInTransaction } from '@/lib/auth/actor-now';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { Conflict, DomainError, Invalid } from '@/lib/errors';
import { setEscalationContactIn } from '@/lib/escalation/commands';
import type { ControlPlane } from '@/lib/generated/prisma/enums';
import { assignControlOwnerIn, assignOwnerIn } from '@/lib/ownership/commands';
import { addPurposeIn, changePurposeIn } from '@/lib/purposes/commands';
import { scanByLine } from '@/lib/secrets/scan-lines';
import { planEntries, type AgentPlan, type Planned } from './plan';
import type { Entry } from './spec';

type Options = { viaToken?: boolean };

/** The plan of a file (POST /registry/plan, the import's dry run): changes nothing. */
export async function planRegistry(actor: Actor | null, entries: Entry[], options: Options = {}): Promise<AgentPlan[]> {
  requirePermission(actor, 'agent.write');
  await scanByLine(actor, entries);
  return (await planEntries(getDb(), actor, entries, options)).map((p) => p.plan);
}

export type AppliedPlan = AgentPlan & { applied: boolean; changeRequestIds: string[] };

/**
 * Applies a registry file, each agent in its own transaction: a refused agent is untouched and the others apply.
 * With `expect` (slug → digest, from the plan the caller reviewed), an agent whose plan moved since is refused.
 */
export async function applyRegistry(
  actor: Actor | null,
  entries: Entry[],
  options: Options & { expect?: Record<string, string> } = {},
): Promise<AppliedPlan[]> {
  requirePermission(actor, 'agent.write');
  await scanByLine(actor, entries);
  const planned = await planEntries(getDb(), actor, entries, options);
  const expect = new Map(Object.entries(options.expect ?? {}));
  const results: AppliedPlan[] = [];
  for (const [i, first] of planned.entries()) {
    const expected = expect.get(first.plan.slug);
    if (first.plan.action === 'refused' || (first.plan.action === 'unchanged' && expected === undefined)) {
      results.push({ ...first.plan, applied: false, changeRequestIds: [] });
      continue;
    }
    try {
      results.push(
        await getDb().$transaction(async (tx) => {
          const [again] = await lockAndPlan(tx, actor, [entries[i]!], options);
          if (expected !== undefined && again!.plan.digest !== expected) {
            throw new Conflict('It changed since the plan you reviewed: plan again.');
          }
          if (!again!.writes) return { ...again!.plan, applied: false, changeRequestIds: [] };
          return { ...again!.plan, applied: true, changeRequestIds: await writeAgent(tx, actor, again!, options) };
        }),
      );
    } catch (error) {
      results.push({
        ...first.plan,
        action: 'refused',
        reasons: [refusal(error)],
        applied: false,
        changeRequestIds: [],
      });
    }
  }
  return results;
}

export const IMPORT_BATCH = 500;

export type ImportProgress = { done: number; total: number };
export type ImportSummary = Record<'created' | 'updated' | 'needsApproval' | 'unchanged', number> & {
  changeRequestIds: string[];
};

/**
 * The console's bulk import: every row is planned first and one refused row applies nothing; then the rows apply in
 * transactions of at most 500 (each re-planned under its locks, so a row that changed since the check stops the
 * import there, with the earlier batches applied and said so).
 */
export async function importEntries(
  actor: Actor | null,
  entries: (Entry & { digest?: string })[],
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportSummary> {
  requirePermission(actor, 'agent.write');
  await scanByLine(actor, entries);
  const planned = await planEntries(getDb(), actor, entries);
  // The rows apply as they were checked: one whose plan moved since (someone changed its agent) stops it all.
  const moved = planned.find((p, i) => entries[i]!.digest !== undefined && p.plan.digest !== entries[i]!.digest);
  if (moved) {
    throw new Conflict(
      `Line ${moved.plan.line} (${moved.plan.slug}) changed since you checked the file: check it again. ` +
        'Nothing was applied.',
    );
  }
  const refused = planned.filter((p) => p.plan.action === 'refused');
  if (refused.length > 0) {
    const first = refused[0]!.plan;
    throw new Invalid(
      `${refused.length === 1 ? 'One row is' : `${refused.length} rows are`} refused (line ${first.line}: ` +
        `${first.reasons[0]}): fix or exclude ${refused.length === 1 ? 'it' : 'them'}. Nothing was applied.`,
    );
  }
  const summary: ImportSummary = { created: 0, updated: 0, needsApproval: 0, unchanged: 0, changeRequestIds: [] };
  const work = planned.flatMap((p, i) => (p.writes ? [{ ...entries[i]!, digest: p.plan.digest }] : []));
  summary.unchanged = planned.length - work.length;
  onProgress({ done: 0, total: work.length });
  for (let i = 0; i < work.length; i += IMPORT_BATCH) {
    const batch = work.slice(i, i + IMPORT_BATCH);
    const counts = await getDb()
      .$transaction(
        async (tx) => {
          // Each batch as its importer is now: deactivated or demoted meanwhile, the import stops here.
          const actorNow = await actorInTransaction(tx, actor, 'agent.write');
          const again = await lockAndPlan(tx, actorNow, batch);
          const moved = again.find((p, k) => p.plan.digest !== batch[k]!.digest);
          if (moved) {
            throw new Conflict(
              `Line ${moved.plan.line} (${moved.plan.slug}) changed while importing` +
                `${moved.plan.reasons[0] ? ` (${moved.plan.reasons[0]})` : ''}: ` +
                (i === 0 ? 'nothing was applied' : `the first ${i} rows to change were applied`) +
                '; check the file again.',
            );
          }
          const done = { created: 0, updated: 0, needsApproval: 0, changeRequestIds: [] as string[] };
          // The batch's new agents in one go; then each agent's other changes, one command at a time.
          const creates = again.filter((p) => p.writes?.register);
          const created = await registerAgentsIn(
            tx,
            actorNow,
            creates.map((p) => ({ data: p.writes!.register!, controls: p.writes!.controls })),
          );
          creates.forEach((p, k) => (p.writes!.agentId = created[k]!.id));
          for (const p of again) {
            if (!p.writes) continue;
            done.changeRequestIds.push(...(await writeAgent(tx, actorNow, p, {})));
            if (p.plan.action === 'create') done.created++;
            else if (p.plan.action === 'needs-approval') done.needsApproval++;
            else done.updated++;
          }
          return done;
        },
        { timeout: 120_000, maxWait: 30_000 },
      )
      .catch((error: unknown) => {
        // Another import or registration took one of these slugs or identities after this batch was planned.
        if (isUniqueViolation(error)) {
          throw new Conflict(
            'An agent in the file was registered by someone else meanwhile (its slug or workload identity is now ' +
              `taken): ${i === 0 ? 'nothing was applied' : `the first ${i} rows to change were applied`}; check ` +
              'the file again.',
          );
        }
        throw error;
      });
    summary.created += counts.created;
    summary.updated += counts.updated;
    summary.needsApproval += counts.needsApproval;
    summary.changeRequestIds.push(...counts.changeRequestIds);
    onProgress({ done: Math.min(i + IMPORT_BATCH, work.length), total: work.length });
  }
  return summary;
}

/** The entries' agents locked (id order), then planned as they now are. */
async function lockAndPlan(tx: Tx, actor: Actor, entries: Entry[], options: Options = {}): Promise<Planned[]> {
  const slugs = entries.map((e) =>
    String((e.spec as { slug?: unknown })?.slug ?? '')
      .trim()
      .toLowerCase(),
  );
  const ids = await tx.agent.findMany({ where: { slug: { in: slugs } }, select: { id: true } });
  const locked = new Set(
    await lockAgentRows(
      tx,
      ids.map((a) => a.id),
    ),
  );
  const planned = await planEntries(tx, actor, entries, options);
  // An agent registered under one of these slugs in between is not locked: locking it now would follow the chain.
  if (planned.some((p) => p.writes?.agentId && !locked.has(p.writes.agentId))) {
    throw new Conflict('An agent in the file was registered by someone else meanwhile: check the file again.');
  }
  return planned;
}

/** One agent's planned changes, each through its command (which checks it again); the change requests opened. */
async function writeAgent(tx: Tx, actor: Actor, planned: Planned, options: Options): Promise<string[]> {
  const w = planned.writes!;
  const opened: string[] = [];
  let agentId = w.agentId;
  const version = async () =>
    (await tx.agent.findUniqueOrThrow({ where: { id: agentId! }, select: { version: true } })).version;
  if (w.register) {
    // Registered already when the caller did it in a batch.
    agentId ??= (await registerAgentIn(tx, actor, w.register, w.controls)).id;
  } else {
    // Who holds it first, then its fields: the edit is decided on the holders the file leaves (and the plan's own
    // reading of independence, before and after, when it found the actor not independent).
    if (w.ownerId) await assignOwnerIn(tx, actor, { agentId: agentId!, version: await version(), userId: w.ownerId });
    for (const [plane, userId] of Object.entries(w.controls) as [ControlPlane, string][]) {
      await assignControlOwnerIn(tx, actor, { agentId: agentId!, version: await version(), plane, userId });
    }
    if (w.edit) {
      const { changeRequestId } = await editAgentIn(
        tx,
        actor,
        { ...w.edit, version: await version() },
        { notIndependent: options.viaToken || w.notIndependent },
      );
      if (changeRequestId) opened.push(changeRequestId);
    }
  }
  if (w.escalation)
    await setEscalationContactIn(tx, actor, { ...w.escalation, agentId: agentId!, version: await version() });
  for (const purpose of w.addPurposes) await addPurposeIn(tx, actor, { ...purpose, agentId: agentId! });
  for (const change of w.changePurposes) await changePurposeIn(tx, actor, change);
  return opened;
}

/** Why an agent's transaction was refused, in the domain's words (a taken slug or identity by its field). */
function refusal(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  try {
    uniqueFieldError(error);
  } catch (named) {
    if (named instanceof DomainError) return named.message;
  }
  throw error;
}
