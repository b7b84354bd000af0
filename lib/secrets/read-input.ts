import 'server-only';
import type { z } from 'zod';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { Invalid, parseInput } from '@/lib/errors';
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
export async function refuseSecrets(input: unknown, actor: AuditActor): Promise<SecretRefusal | null> {
  const strings = stringsOf(input);
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
  const agentId = await agentOf(input, fields[0]!.field).catch(() => null);
  await getDb().$transaction((tx) =>
    appendAuditEvent(tx, { action: 'input.secret_refused', actor, agentId, details: { fields } }),
  );
  return { fields };
}

/**
 * The agent a request is about, when it names one that exists (its `agentId`, or the agent of the ingest event the
 * secret was in): the alarm shows as that agent's finding.
 */
async function agentOf(input: unknown, field: string): Promise<string | null> {
  const record = (input ?? {}) as Record<string, unknown>;
  const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
  if (typeof record.agentId === 'string' && ID.test(record.agentId)) {
    return (await getDb().agent.findUnique({ where: { id: record.agentId }, select: { id: true } }))?.id ?? null;
  }
  const index = /^events\.(\d+)\./.exec(field)?.[1];
  const named =
    index !== undefined ? (record.events as { agent?: Record<string, unknown> }[])?.[Number(index)]?.agent : null;
  const slug = typeof named?.slug === 'string' && ID.test(named.slug) ? named.slug : null;
  const identity = typeof named?.workloadIdentity === 'string' ? named.workloadIdentity.slice(0, 300) : null;
  if (!slug && !identity) return null;
  const agent = await getDb().agent.findFirst({
    where: slug ? { slug } : { workloadIdentity: identity },
    select: { id: true },
  });
  return agent?.id ?? null;
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
): Promise<z.infer<S>> {
  const refusal = await refuseSecrets(input, { type: actor.type ?? 'USER', id: actor.id });
  if (refusal) {
    throw new Invalid(
      `${refusal.fields.length === 1 ? 'A field holds' : 'Fields hold'} what looks like a secret: nothing was saved.`,
      Object.fromEntries(refusal.fields.map((f) => [f.field, [SECRET_REFUSAL]])),
    );
  }
  return parseInput(schema, input);
}
