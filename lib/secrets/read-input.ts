import 'server-only';
import type { z } from 'zod';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { holdsAgent } from '@/lib/change-requests/commands';
import { getDb } from '@/lib/db';
import { Invalid, parseInput } from '@/lib/errors';
import type { Role } from '@/lib/generated/prisma/client';
import { reaches, reachOf } from '@/lib/tokens/reach';
import { findSecrets } from './scan';

export const SECRET_REFUSAL =
  'This looks like a secret value, so it was not saved. Treat it as leaked: rotate it now. Custodian stores ' +
  'metadata only: record where a credential lives (e.g. vault:kv/prod/deploy-bot/api-key), never its value.';

const MAX_STRINGS = 20_000;
const MAX_DEPTH = 64;

/** A request too large or deep to scan is refused, not partly scanned. */
class Unscannable extends Invalid {
  constructor() {
    super(`The request holds more than ${MAX_STRINGS.toLocaleString('en')} values or is nested too deeply.`);
  }
}

/**
 * Every string the client sent, keys included, with its path (`events.3.context`), however deep; a path segment that
 * is itself a flagged key is shown as `(field name)` so no report repeats it.
 */
export function stringsOf(input: unknown): { path: string[]; value: string }[] {
  const out: { path: string[]; value: string }[] = [];
  const stack: { value: unknown; path: string[] }[] = [{ value: input, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (out.length > MAX_STRINGS || path.length > MAX_DEPTH) throw new Unscannable();
    if (typeof value === 'string') out.push({ path, value });
    else if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, path: [...path, String(i)] }));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        out.push({ path: [...path, k], value: k });
        stack.push({ value: v, path: [...path, k] });
      }
    }
  }
  return out;
}

export type SecretRefusal = { fields: { field: string; ruleId: string }[] };

/**
 * Scans every string of a request in one call. A secret is an alarm: the
 * request is refused naming the fields (never echoing a value), and one
 * `input.secret_refused` event records who sent it, where, and which rule
 * matched — no value — in its own transaction, since the request changes
 * nothing else.
 */
export async function refuseSecrets(
  input: unknown,
  actor: AuditActor,
  headers: Record<string, string | undefined> = {},
): Promise<SecretRefusal | null> {
  // Header values a request stores (an Idempotency-Key) are scanned in the same call, named by the header.
  const sent = Object.entries(headers).flatMap(([name, value]) =>
    value === undefined ? [] : [{ path: [name], value }],
  );
  const strings = [...stringsOf(input), ...sent];
  const found = await findSecrets(strings.map((s) => s.value));
  if (found.length === 0) return null;
  // A flagged key must not reappear in a path: its segment is replaced.
  const flaggedKeys = new Set(
    found.map((f) => strings[f.index]!).flatMap((s) => (s.path.at(-1) === s.value ? [s.path.join('\u0000')] : [])),
  );
  const safePath = (path: string[]) =>
    path
      .map((segment, i) => (flaggedKeys.has(path.slice(0, i + 1).join('\u0000')) ? '(field name)' : segment))
      .join('.');
  const fields = [
    ...new Map(
      found.map((f) => [
        safePath(strings[f.index]!.path),
        { field: safePath(strings[f.index]!.path), ruleId: f.ruleId },
      ]),
    ).values(),
  ];
  const named = await agentOf(input, fields[0]!.field).catch(() => null);
  const agentId = named && (await mayActOn(actor, named)) ? named.id : null;
  await getDb().$transaction((tx) =>
    appendAuditEvent(tx, { action: 'input.secret_refused', actor, agentId, details: { fields } }),
  );
  return { fields };
}

/**
 * The agent a request is about, when it names one that exists (its `agentId`, or the agent of the ingest event the
 * secret was in): the alarm shows as that agent's finding.
 */
type NamedAgent = { id: string; workloadIdentity: string | null };
const NAMED = { id: true, workloadIdentity: true } as const;

async function agentOf(input: unknown, field: string): Promise<NamedAgent | null> {
  const record = (input ?? {}) as Record<string, unknown>;
  const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
  if (typeof record.agentId === 'string' && ID.test(record.agentId)) {
    return getDb().agent.findUnique({ where: { id: record.agentId }, select: NAMED });
  }
  const index = /^events\.(\d+)\./.exec(field)?.[1];
  const named =
    index !== undefined ? (record.events as { agent?: Record<string, unknown> }[])?.[Number(index)]?.agent : null;
  const slug = typeof named?.slug === 'string' && ID.test(named.slug) ? named.slug : null;
  const identity = typeof named?.workloadIdentity === 'string' ? named.workloadIdentity.slice(0, 300) : null;
  if (!slug && !identity) return null;
  return getDb().agent.findFirst({ where: slug ? { slug } : { workloadIdentity: identity }, select: NAMED });
}

/**
 * Whether the sender could have written about the agent (its owner or a control owner, a security lead or PAM
 * approver, or a token that reaches it): only then is the alarm that agent's finding, so nobody can raise findings
 * on agents that are not theirs. The alarm stands on the timeline either way, naming who sent it.
 */
async function mayActOn(actor: AuditActor, agent: NamedAgent): Promise<boolean> {
  if (!actor.id) return false;
  if (actor.type === 'API_TOKEN') {
    const token = await getDb().apiToken.findUnique({
      where: { id: actor.id },
      select: { agentScope: true, agentIds: true, workloadPrefix: true },
    });
    return token !== null && reaches(reachOf(token), agent);
  }
  const person = await getDb().user.findUnique({ where: { id: actor.id }, select: { roles: true } });
  if (!person) return false;
  const deciders: Role[] = ['ADMIN', 'PAM_APPROVER'];
  return person.roles.some((r) => deciders.includes(r)) || holdsAgent(getDb(), actor.id, agent.id);
}

/**
 * The one way a command reads its input: the secret scan first (over
 * everything sent, so a refused value is never echoed back by a form), then
 * the schema.
 */
export async function readInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  actor: { id: string; type?: AuditActor['type'] },
  headers: Record<string, string | undefined> = {},
): Promise<z.infer<S>> {
  await assertNoSecrets(input, actor, headers);
  return parseInput(schema, input);
}

/** Throws Invalid (after the alarm) when anything in `input` looks like a secret: for input stored unparsed. */
export async function assertNoSecrets(
  input: unknown,
  actor: { id: string; type?: AuditActor['type'] },
  headers: Record<string, string | undefined> = {},
) {
  const refusal = await refuseSecrets(input, { type: actor.type ?? 'USER', id: actor.id }, headers);
  if (refusal) {
    throw new Invalid(
      `${refusal.fields.length === 1 ? 'A field holds' : 'Fields hold'} what looks like a secret: nothing was saved.`,
      Object.fromEntries(refusal.fields.map((f) => [f.field, [SECRET_REFUSAL]])),
    );
  }
}
