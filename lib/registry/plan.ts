import 'server-only';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { PlaneOwners, RegisterData } from '@/lib/agents/commands';
import { looseningFields, type GuardedField } from '@/lib/agents/loosening';
import { EDITABLE_FIELDS, RegisterAgentSchema, UpdateAgentSchema } from '@/lib/agents/schema';
import { can, type Actor } from '@/lib/authz';
import type { Db, Tx } from '@/lib/db';
import { Invalid, parseInput } from '@/lib/errors';
import { CONTACT_FIELDS, SetEscalationSchema } from '@/lib/escalation/schema';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { ControlPlane } from '@/lib/generated/prisma/enums';
import { AddPurposeSchema, ChangePurposeSchema } from '@/lib/purposes/schema';
import { getSettings } from '@/lib/settings';
import { CONTROL_PLANE, wordOf } from '@/lib/vocabulary';
import { AgentSpec, codeOf, VOCABULARIES, type Entry } from './spec';

// The plan of a registry file or import: for each agent, what applying it would change, decided by the same rules
// the commands apply (who may change what, what loosens a control and needs a second person), read from one
// snapshot of the registry. Apply re-plans each agent under its lock and makes exactly these changes through the
// domain commands, which check everything again.

export type Action = 'create' | 'update' | 'unchanged' | 'needs-approval' | 'refused';
export type Change = { field: string; from: unknown; to: unknown; approval?: true };

export type AgentPlan = {
  line: number;
  slug: string;
  action: Action;
  changes: Change[];
  /** Refused: why. Otherwise what waits for a second person (opened now, or already pending). */
  reasons: string[];
  /** The agent's version and changes: apply refuses an agent whose digest moved since the plan it was given. */
  digest: string;
};

type EditData = z.output<typeof UpdateAgentSchema>;
type EscalationData = Omit<z.output<typeof SetEscalationSchema>, 'agentId' | 'version'>;
type PurposeData = Omit<z.output<typeof AddPurposeSchema>, 'agentId'>;

/** What apply writes for one agent, each through its command. */
export type Writes = {
  agentId: string | null;
  register?: RegisterData;
  controls: PlaneOwners;
  edit?: Omit<EditData, 'version'>;
  /** The actor holds the agent before or after the file: what loosens waits for a second person. */
  notIndependent?: boolean;
  ownerId?: string;
  escalation?: EscalationData;
  addPurposes: PurposeData[];
  changePurposes: (Omit<z.output<typeof ChangePurposeSchema>, 'version'> & { version: number })[];
};

export type Planned = { plan: AgentPlan; writes: Writes | null };

const PLANES: Record<'iam' | 'pam' | 'platform', ControlPlane> = { iam: 'IAM', pam: 'PAM', platform: 'PLATFORM' };
const APPLIED_REASON = 'Applied from the registry file or an import.';

const AGENT_SELECT = {
  id: true,
  slug: true,
  version: true,
  status: true,
  ownerId: true,
  name: true,
  description: true,
  kind: true,
  workloadIdentity: true,
  environments: true,
  riskTier: true,
  reviewCadenceDays: true,
  owner: { select: { email: true } },
  controlAssignments: { select: { plane: true, userId: true, user: { select: { email: true } } } },
  escalation: { select: { name: true, userId: true, email: true, phone: true, pagerUrl: true, coverage: true } },
  purposes: {
    where: { status: { not: 'EXPIRED' } },
    select: { id: true, version: true, task: true, scope: true, environments: true },
  },
  changeRequests: { where: { status: 'PENDING', kind: 'AGENT_LOOSENING' }, select: { id: true, to: true } },
} as const satisfies Prisma.AgentSelect;

type Person = { id: string; email: string | null; name: string | null; active: boolean };

/** Plans every entry against one snapshot of the registry (`db` is a transaction when apply re-plans). */
export async function planEntries(
  db: Db | Tx,
  actor: Actor,
  entries: Entry[],
  options: { viaToken?: boolean } = {},
): Promise<Planned[]> {
  const shaped = entries.map((e) => ({ entry: e, parsed: AgentSpec.safeParse(e.spec) }));
  const specs = shaped.flatMap((s) => (s.parsed.success ? [s.parsed.data] : []));
  const slugs = [...new Set(specs.map((s) => s.slug.trim().toLowerCase()))];
  const identities = specs.flatMap((s) => (typeof s.workloadIdentity === 'string' ? [s.workloadIdentity.trim()] : []));
  const emails = [...new Set(specs.flatMap(peopleOf).map((e) => e.trim().toLowerCase()))];
  // One after another: `db` may be a transaction, which runs one statement at a time.
  const settings = await getSettings(db);
  const agents = await db.agent.findMany({ where: { slug: { in: slugs } }, select: AGENT_SELECT });
  const holders = await db.agent.findMany({
    where: { workloadIdentity: { in: identities } },
    select: { slug: true, workloadIdentity: true },
  });
  const people = await db.user.findMany({
    where: { email: { in: emails, mode: 'insensitive' } },
    select: { id: true, email: true, name: true, active: true },
  });
  const bySlug = new Map(agents.map((a) => [a.slug, a]));
  const holderOf = new Map(holders.map((h) => [h.workloadIdentity, h.slug]));
  const byEmail = new Map<string, Person[]>();
  for (const p of people) byEmail.set(p.email!.toLowerCase(), [...(byEmail.get(p.email!.toLowerCase()) ?? []), p]);
  const seen = new Map<string, number>();
  const seenIdentity = new Map<string, number>();
  return shaped.map(({ entry, parsed }) => {
    const slug = parsed.success ? parsed.data.slug.trim().toLowerCase() : slugOf(entry.spec);
    const refused = (reasons: string[]): Planned => ({
      plan: { line: entry.line, slug, action: 'refused', changes: [], reasons, digest: '' },
      writes: null,
    });
    if (!parsed.success) return refused(parsed.error.issues.map((i) => sentence(i.path, i.message)));
    const earlier = seen.get(slug);
    if (earlier !== undefined) return refused([`The slug ${slug} is already on line ${earlier}.`]);
    seen.set(slug, entry.line);
    const identity = parsed.data.workloadIdentity;
    if (typeof identity === 'string' && identity.trim()) {
      const first = seenIdentity.get(identity.trim());
      if (first !== undefined)
        return refused([`workloadIdentity: line ${first} already gives this workload identity.`]);
      seenIdentity.set(identity.trim(), entry.line);
    }
    const context = { actor, settings, byEmail, holderOf, viaToken: Boolean(options.viaToken) };
    try {
      return planOne(entry.line, parsed.data, bySlug.get(slug) ?? null, context);
    } catch (error) {
      if (error instanceof Invalid) return refused(reasonsOf(error));
      throw error;
    }
  });
}

type Context = {
  actor: Actor;
  settings: Awaited<ReturnType<typeof getSettings>>;
  byEmail: Map<string, Person[]>;
  holderOf: Map<string | null, string>;
  viaToken: boolean;
};

function planOne(line: number, spec: AgentSpec, agent: ExistingAgent | null, ctx: Context): Planned {
  const problems: string[] = [];
  const fields = fieldsOf(spec);
  const personOf = (field: string, ref: unknown): Person | null => {
    if (ref === undefined || ref === null || ref === '') return null;
    const found = typeof ref === 'string' ? (ctx.byEmail.get(ref.trim().toLowerCase()) ?? []) : [];
    if (found.length === 1 && found[0]!.active) return found[0]!;
    problems.push(
      found.length > 1
        ? `${field}: two people have the e-mail ${String(ref)}.`
        : `${field}: no one active in Custodian is ${String(ref)}.`,
    );
    return null;
  };
  const owner = personOf('owner', spec.owner);
  const planeOwners = Object.entries(spec.controls ?? {}).flatMap(([key, ref]) => {
    const person = personOf(`controls.${key}`, ref);
    return person ? [[PLANES[key as keyof typeof PLANES], person] as const] : [];
  });
  const contactPerson = spec.escalation ? personOf('escalation.person', spec.escalation.person) : null;
  const identity = typeof fields.workloadIdentity === 'string' ? fields.workloadIdentity.trim() : null;
  const holder = identity ? ctx.holderOf.get(identity) : undefined;
  if (holder && holder !== spec.slug.trim().toLowerCase()) {
    problems.push(`workloadIdentity: the agent ${holder} already has this workload identity.`);
  }
  const mayAssign = can(ctx.actor, 'ownership.assign');
  const changes: Change[] = [];
  const reasons: string[] = [];
  const writes: Writes = { agentId: agent?.id ?? null, controls: {}, addPurposes: [], changePurposes: [] };

  if (!agent) {
    if (!can(ctx.actor, 'agent.write')) problems.push('You may not register agents.');
    if (owner && owner.id !== ctx.actor.id && !mayAssign) {
      problems.push('owner: you register agents you own; a security lead names someone else.');
    }
    if (planeOwners.length > 0 && !mayAssign) problems.push('controls: a security lead assigns control owners.');
    writes.register = tryParse(problems, RegisterAgentSchema, { ...fields, ...(owner ? { ownerId: owner.id } : {}) });
    for (const [plane, person] of planeOwners) writes.controls[plane] = person.id;
    changes.push({ field: 'agent', from: null, to: spec.slug });
    if (owner || !mayAssign) changes.push({ field: 'owner', from: null, to: (owner ?? ctx.actor).email });
    for (const [plane, person] of planeOwners)
      changes.push({ field: `controls.${plane}`, from: null, to: person.email });
  } else {
    if (!can(ctx.actor, 'agent.write') || (!mayAssign && agent.ownerId !== ctx.actor.id)) {
      return refusedPlan(line, spec.slug, ['You may change only the agents you own: this one is not yours.']);
    }
    // Who holds the agent first: the edit below is decided on the holders the file leaves.
    if (owner && owner.id !== agent.ownerId) {
      if (!mayAssign) problems.push('owner: a security lead assigns the accountable owner.');
      writes.ownerId = owner.id;
      changes.push({ field: 'owner', from: agent.owner?.email ?? null, to: owner.email });
    }
    for (const [plane, person] of planeOwners) {
      const current = agent.controlAssignments.find((c) => c.plane === plane) ?? null;
      if (current?.userId === person.id) continue;
      if (!mayAssign) problems.push(`controls: a security lead assigns who owns ${wordOf(CONTROL_PLANE, plane)}.`);
      writes.controls[plane] = person.id;
      changes.push({ field: `controls.${plane}`, from: current?.user.email ?? null, to: person.email });
    }

    const asIs = Object.fromEntries(EDITABLE_FIELDS.map((k) => [k, agent[k] ?? ''])) as Record<string, unknown>;
    const edit = tryParse(problems, UpdateAgentSchema, {
      ...asIs,
      ...fields,
      id: agent.id,
      version: agent.version,
      reason: APPLIED_REASON,
    });
    if (edit) {
      const next = {
        ...edit,
        workloadIdentity: edit.workloadIdentity ?? null,
        reviewCadenceDays: edit.reviewCadenceDays ?? null,
      };
      const changed = EDITABLE_FIELDS.filter((k) => JSON.stringify(agent[k]) !== JSON.stringify(next[k]));
      const loosening = looseningFields(agent, next, ctx.settings);
      // Independent before the file and after it: who holds the agent changes first, so a lead cannot make themself
      // its owner and loosen it in one file, nor hand it away and loosen it.
      const holds = (holders: string[]) => holders.includes(ctx.actor.id);
      const before = [agent.ownerId ?? '', ...agent.controlAssignments.map((c) => c.userId)];
      const after = [
        writes.ownerId ?? agent.ownerId ?? '',
        ...agent.controlAssignments.map((c) => writes.controls[c.plane] ?? c.userId),
        ...Object.values(writes.controls),
      ];
      const independent = !ctx.viaToken && can(ctx.actor, 'change.decide') && !holds(before) && !holds(after);
      const direct = loosening.length === 0 || independent;
      writes.notIndependent = !independent;
      const pending = agent.changeRequests[0];
      const waiting: GuardedField[] = [];
      const edits: Change[] = [];
      for (const field of changed) {
        const guarded = (loosening as string[]).includes(field) && !direct;
        if (
          guarded &&
          pending &&
          JSON.stringify((pending.to as Record<string, unknown>)[field]) === JSON.stringify(next[field])
        ) {
          waiting.push(field as GuardedField);
          reasons.push(`${field} already waits for a second person (change request ${pending.id}).`);
          continue;
        }
        if (guarded && pending) {
          problems.push(
            `${field}: another change waits for a second person (change request ${pending.id}): decide it first.`,
          );
          continue;
        }
        edits.push({ field, from: agent[field], to: next[field], ...(guarded ? { approval: true as const } : {}) });
        if (guarded) reasons.push(`${field} loosens a control: a security lead independent of the agent decides.`);
      }
      // What already waits is sent as it is, so the command does not ask for it again.
      const kept = Object.fromEntries(waiting.map((k) => [k, agent[k] ?? undefined]));
      if (edits.length > 0) writes.edit = { ...edit, ...kept };
      changes.push(...edits);
    }
  }

  if (spec.escalation) {
    const contact = tryParse(problems, SetEscalationSchema, {
      agentId: agent?.id ?? 'new',
      version: agent?.version ?? 1,
      ...spec.escalation,
      person: undefined,
      userId: contactPerson?.id,
    });
    if (contact) {
      const { agentId: _a, version: _v, ...next } = contact;
      const before = agent?.escalation ?? null;
      if (!before || CONTACT_FIELDS.some((k) => (before[k] ?? null) !== (next[k] ?? null))) {
        writes.escalation = next;
        changes.push({ field: 'escalation', from: before?.name ?? null, to: next.name });
      }
    }
  }
  const tasks = new Map<string, number>();
  for (const [i, purpose] of (spec.purposes ?? []).entries()) {
    const data = tryParse(problems, AddPurposeSchema, {
      agentId: agent?.id ?? 'new',
      task: purpose.task,
      scope: purpose.scope,
      environments: listOf(purpose.environments).map((e) => codeOf(VOCABULARIES.environment, e)),
    });
    if (!data) continue;
    const { agentId: _a, ...wanted } = data;
    if (tasks.has(wanted.task)) {
      problems.push(`purposes.${i}: purposes.${tasks.get(wanted.task)} has the same task: one purpose a task.`);
      continue;
    }
    tasks.set(wanted.task, i);
    if (agent?.status === 'RETIRED') {
      problems.push(`purposes.${i}: a retired agent takes no new purposes.`);
      continue;
    }
    const current = agent?.purposes.find((p) => p.task === wanted.task);
    if (!current) {
      writes.addPurposes.push(wanted);
      changes.push({ field: `purposes.${i}`, from: null, to: wanted.task, approval: true });
      reasons.push(`The purpose “${wanted.task}” waits for a security lead’s approval.`);
    } else if (!sameSet(current.scope, wanted.scope) || !sameSet(current.environments, wanted.environments)) {
      writes.changePurposes.push({ purposeId: current.id, version: current.version, ...wanted });
      changes.push({ field: `purposes.${i}`, from: current.task, to: wanted.task, approval: true });
      reasons.push(`The purpose “${wanted.task}” changes and waits for a security lead’s approval again.`);
    }
  }
  if (problems.length > 0) return refusedPlan(line, spec.slug, problems);
  const action: Action = !agent
    ? 'create'
    : changes.length === 0
      ? 'unchanged'
      : changes.some((c) => c.approval)
        ? 'needs-approval'
        : 'update';
  const slug = spec.slug.trim().toLowerCase();
  return {
    plan: { line, slug, action, changes, reasons, digest: digestOf(agent?.version ?? 0, changes) },
    writes: action === 'unchanged' ? null : writes,
  };
}

type ExistingAgent = Prisma.AgentGetPayload<{ select: typeof AGENT_SELECT }>;

/** The agent's own fields as the commands read them: vocabulary words to codes, `null` removes. */
function fieldsOf(spec: AgentSpec): Record<string, unknown> {
  const present = Object.fromEntries(
    Object.entries({
      slug: spec.slug,
      name: spec.name,
      description: spec.description,
      kind: codeOf(VOCABULARIES.kind, spec.kind),
      workloadIdentity: spec.workloadIdentity,
      environments:
        spec.environments === undefined
          ? undefined
          : listOf(spec.environments).map((e) => codeOf(VOCABULARIES.environment, e)),
      riskTier: codeOf(VOCABULARIES.riskTier, spec.riskTier),
      reviewCadenceDays:
        typeof spec.reviewCadenceDays === 'number' ? String(spec.reviewCadenceDays) : spec.reviewCadenceDays,
    }).filter(([, v]) => v !== undefined),
  );
  return Object.fromEntries(Object.entries(present).map(([k, v]) => [k, v === null ? '' : v]));
}

const listOf = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[;,]/).map((s) => s.trim()) : [value];

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

function peopleOf(spec: AgentSpec): string[] {
  const refs = [spec.owner, ...Object.values(spec.controls ?? {}), spec.escalation?.person];
  return refs.filter((r): r is string => typeof r === 'string');
}

function tryParse<S extends z.ZodType>(problems: string[], schema: S, input: unknown): z.output<S> | undefined {
  try {
    return parseInput(schema, input);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    problems.push(...reasonsOf(error));
    return undefined;
  }
}

const FIELD_NAMES: Record<string, string> = { ownerId: 'owner', userId: 'escalation.person', agentId: 'agent' };

function reasonsOf(error: Invalid): string[] {
  const named = Object.entries(error.fieldErrors).flatMap(([field, messages]) =>
    (messages ?? []).map((m) => (field ? `${FIELD_NAMES[field] ?? field}: ${m}` : m)),
  );
  return named.length > 0 ? named : [error.message];
}

const sentence = (path: PropertyKey[], message: string) =>
  path.length > 0 ? `${path.map(String).join('.')}: ${message}` : message;

function slugOf(spec: unknown): string {
  const slug = (spec as { slug?: unknown } | null)?.slug;
  return typeof slug === 'string' ? slug.slice(0, 64) : '';
}

function refusedPlan(line: number, slug: string, reasons: string[]): Planned {
  return {
    plan: { line, slug: slug.trim().toLowerCase(), action: 'refused', changes: [], reasons, digest: '' },
    writes: null,
  };
}

function digestOf(version: number, changes: Change[]): string {
  return createHash('sha256')
    .update(JSON.stringify([version, changes]))
    .digest('base64url')
    .slice(0, 16);
}
