import type { Client } from 'pg';
import { hashEvent, toJson } from '@/lib/audit/canonical';
import { FORMAT_V2, sealDetails } from '@/lib/audit/fields';
import { seededRandom } from '../seed/random';
import { copyRows } from './copy';
import type { ScaleAgent } from './registry';

const CHUNK = 250_000;
const COLUMNS = [
  'seq',
  'occurredAt',
  'recordedAt',
  'actorType',
  'actorId',
  'agentId',
  'credentialId',
  'action',
  'details',
  'owners',
  'prevHash',
  'hash',
  'format',
  'digests',
  'salts',
];

/**
 * Appends `count` custody events to the chain, hashed exactly as the
 * application hashes them (chain format 2), each chunk in its own transaction that also moves
 * the chain head, so an interrupted run leaves a chain that verifies.
 */
export async function appendScaleEvents(
  client: Client,
  agents: ScaleAgent[],
  count: number,
  onProgress: (done: number) => void,
  now = new Date(),
): Promise<void> {
  if (count <= 0 || agents.length === 0) return;
  const head = (
    await client.query<{ seq: string; hash: string }>(
      `SELECT "seq"::text AS "seq", "hash" FROM "AuditChainHead" WHERE "id" = 1`,
    )
  ).rows[0]!;
  const last = (await client.query<{ at: Date | null }>(`SELECT max("occurredAt") AS "at" FROM "AuditEvent"`)).rows[0]!
    .at;
  const start = Math.max(last?.getTime() ?? 0, now.getTime() - 365 * 86_400_000);
  const step = Math.max(1, Math.floor((now.getTime() - start) / count));
  let seq = BigInt(head.seq);
  let prevHash = head.hash;
  const rand = seededRandom(Number(seq % 100_000n) + 11);
  const snapshots = new Map<string, unknown>();
  const ownersOf = (a: ScaleAgent) => {
    let snapshot = snapshots.get(a.id);
    if (!snapshot) {
      snapshot = toJson({
        accountable: a.owner,
        IAM: a.planes.IAM ?? null,
        PAM: a.planes.PAM ?? null,
        PLATFORM: a.planes.PLATFORM ?? null,
      });
      snapshots.set(a.id, snapshot);
    }
    return snapshot;
  };
  let done = 0;
  while (done < count) {
    const size = Math.min(CHUNK, count - done);
    await client.query('BEGIN');
    await copyRows(
      client,
      'AuditEvent',
      COLUMNS,
      (function* () {
        for (let i = 0; i < size; i++) {
          const agent = agents[Math.floor(agents.length * Math.pow(rand.next(), 1.5))]!;
          const credential = agent.credentials[rand.int(0, agent.credentials.length - 1)]!;
          const roll = rand.next();
          const action = roll < 0.9 ? 'credential.used' : roll < 0.95 ? 'credential.rotated' : 'credential.issued';
          const at = new Date(start + (done + i) * step);
          seq += 1n;
          const details = toJson(
            action === 'credential.used' ? { name: credential.name, context: `run ${seq}` } : { name: credential.name },
          );
          const sealed = sealDetails(details);
          const row = {
            seq,
            occurredAt: at,
            recordedAt: at,
            actorType: 'API_TOKEN',
            actorId: 'scale-broker',
            agentId: agent.id,
            credentialId: credential.id,
            action,
            details,
            owners: ownersOf(agent),
            format: FORMAT_V2,
            digests: sealed.digests,
          };
          const hash = hashEvent(prevHash, row);
          const out = [
            row.seq.toString(),
            at,
            at,
            row.actorType,
            row.actorId,
            row.agentId,
            row.credentialId,
            action,
            JSON.stringify(row.details),
            JSON.stringify(row.owners),
            prevHash,
            hash,
            FORMAT_V2,
            JSON.stringify(sealed.digests),
            JSON.stringify(sealed.salts),
          ];
          prevHash = hash;
          if (i % 10_000 === 0) onProgress(done + i);
          yield out;
        }
      })(),
    );
    await client.query(`UPDATE "AuditChainHead" SET "seq" = $1, "hash" = $2 WHERE "id" = 1`, [
      seq.toString(),
      prevHash,
    ]);
    await client.query('COMMIT');
    done += size;
    onProgress(done);
  }
}
