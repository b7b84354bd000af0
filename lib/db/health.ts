import 'server-only';
import { getDb } from './client';

export async function checkDatabase(): Promise<{ ok: boolean; migrated: boolean }> {
  try {
    const head = await getDb().auditChainHead.findUnique({ where: { id: 1 }, select: { seq: true } });
    return { ok: true, migrated: head !== null };
  } catch {
    return { ok: false, migrated: false };
  }
}
