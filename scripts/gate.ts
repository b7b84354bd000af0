// `npm run gate`: the issuance gate's own server (POST /api/v1/decisions, GET /api/health) on GATE_HOST:GATE_PORT
// (127.0.0.1:3100), for brokers on the hot path; route /api/v1/decisions to it and everything else to the console.
// Several may run. Needs DATABASE_URL: the embedded database is one process's. SIGTERM stops taking requests,
// answers those in flight (their decisions recorded), and exits.
import { runScript } from '@/lib/db/run-script';
import { getEnv } from '@/lib/env';
import { startGateServer } from '@/lib/http/gate-server';

async function main(): Promise<number> {
  const env = getEnv();
  if (!env.DATABASE_URL) {
    console.error('npm run gate needs DATABASE_URL (a PostgreSQL server): the embedded database is one process’s.');
    return 2;
  }
  const gate = await startGateServer({ port: env.GATE_PORT, host: env.GATE_HOST });
  console.log(
    `Custodian issuance gate on ${gate.url}: POST /api/v1/decisions. Ctrl-C stops it after the answers owed.`,
  );
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await gate.close();
  return 0;
}

runScript(main);
