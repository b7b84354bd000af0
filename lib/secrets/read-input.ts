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

/** Every string the client sent, with its path (`events.3.context`), however deep. */
export function stringsOf(input: unknown, path: string[] = [], out: { path: string; value: string }[] = []) {
  if (out.length >= MAX_STRINGS) return out;
  if (typeof input === 'string') out.push({ path: path.join('.'), value: input });
  else if (Array.isArray(input)) input.forEach((v, i) => stringsOf(v, [...path, String(i)], out));
  else if (input && typeof input === 'object') {
    for (const [k, v] of Object.entries(input)) stringsOf(v, [...path, k], out);
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
  const fields = found.map((f) => ({ field: strings[f.index]!.path, ruleId: f.ruleId }));
  const agentId = await agentOf(input);
  await getDb().$transaction((tx) =>
    appendAuditEvent(tx, { action: 'input.secret_refused', actor, agentId, details: { fields } }),
  );
  return { fields };
}

/** The agent a request is about, when it names one that exists: the alarm shows as that agent's finding. */
async function agentOf(input: unknown): Promise<string | null> {
  const record = (input ?? {}) as Record<string, unknown>;
  const id = typeof record.agentId === 'string' ? record.agentId : null;
  if (!id || id.length > 128) return null;
  const agent = await getDb().agent.findUnique({ where: { id }, select: { id: true } });
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
