import 'server-only';
import { parseInput } from '@/lib/errors';
import type { AgentPlan } from '@/lib/registry/plan';
import { MAX_FILE_BYTES, readRegistryYaml, RegistryRequestBody, type Entry } from '@/lib/registry/spec';
import { authenticateReachingAll, type TokenActor } from '@/lib/tokens/bearer';
import { readJsonBody } from './api';
import { problem } from './problem';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/**
 * A registry request: the token (registry:write, reaching every agent: a file may name any agent), then the file as
 * YAML (Content-Type application/yaml) or JSON `{ file, expect? }`.
 */
export async function readRegistryRequest(
  request: Request,
): Promise<{ token: TokenActor; entries: Entry[]; expect?: Record<string, string> } | Response> {
  const token = await authenticateReachingAll(
    request,
    'registry:write',
    'A registry file may name any agent: apply it with a token that reaches every agent.',
  );
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (YAML_TYPES.includes(type)) {
    if (Number(request.headers.get('content-length') ?? 0) > MAX_FILE_BYTES) {
      return problem(413, 'The file is over 4 MiB: split it.');
    }
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > MAX_FILE_BYTES) return problem(413, 'The file is over 4 MiB: split it.');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return problem(400, 'The file is not valid UTF-8.');
    }
    return { token, entries: readRegistryYaml(text) };
  }
  const read = await readJsonBody(request);
  if (read instanceof Response) return read;
  const { file, expect } = parseInput(RegistryRequestBody, read.body);
  return { token, entries: readRegistryYaml(file), expect };
}

/** Counts of a plan's actions, for a reader's first glance. */
export function summaryOf(plans: AgentPlan[]): Record<AgentPlan['action'], number> {
  const summary = { create: 0, update: 0, unchanged: 0, 'needs-approval': 0, refused: 0 };
  for (const p of plans) summary[p.action]++;
  return summary;
}
