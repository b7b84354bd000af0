import 'server-only';
import { getCurrentUser } from '@/lib/auth';
import { requirePermission, type Actor } from '@/lib/authz';
import { IMPORT_BODY_LIMIT, importEntriesOf } from '@/lib/registry/import-body';
import type { Entry } from '@/lib/registry/spec';
import { readJsonBody } from './api';

/** A console import request: who may register agents (checked before the body is read), and the rows it names. */
export async function readImportRequest(
  request: Request,
): Promise<{ actor: Actor; entries: (Entry & { digest?: string })[] } | Response> {
  const actor = await getCurrentUser();
  requirePermission(actor, 'agent.write');
  const read = await readJsonBody(request, IMPORT_BODY_LIMIT);
  if (read instanceof Response) return read;
  return { actor, entries: importEntriesOf(read.body) };
}
