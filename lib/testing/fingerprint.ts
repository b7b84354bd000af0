import { getDb } from '@/lib/db';

const TABLES = [
  'User',
  'Account',
  'Agent',
  'ControlAssignment',
  'Purpose',
  'Credential',
  'Exception',
  'ExceptionDecision',
  'Review',
  'ReviewCampaign',
  'AuditEvent',
  'AuditCheckpoint',
  'ApiToken',
  'Setting',
] as const;

/** A digest of every row of every governed table: equal before and after means nothing changed. */
export async function databaseFingerprint(): Promise<Record<string, string>> {
  const parts = TABLES.map(
    (t) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${t}" x) AS "${t}"`,
  );
  const [row] = await getDb().$queryRawUnsafe<Record<string, string>[]>(`SELECT ${parts.join(', ')}`);
  return row ?? {};
}
