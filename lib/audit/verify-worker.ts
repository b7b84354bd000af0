// One range of a parallel verification (./verify-parallel.ts), in a worker thread with its own connection.
import { parentPort, workerData } from 'node:worker_threads';
import { disconnectDb, getDb } from '@/lib/db';
import type { PublicKeys } from './signing';
import { verifyAuditChain } from './verify';
import type { RangeTask } from './verify-parallel';
import type { WitnessedCheckpoint } from './witness';

const { task, keys, witness } = workerData as { task: RangeTask; keys: PublicKeys; witness: WitnessedCheckpoint[] };
const result = await verifyAuditChain(getDb(), { keys, witness, from: task.from, through: task.through });
parentPort!.postMessage(result);
await disconnectDb();
