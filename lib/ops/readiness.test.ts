import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/ready/route';
import { disconnectDb } from '@/lib/db';
import { pgMigrationTarget } from '@/lib/db/adapters';
import { resetEnvCache } from '@/lib/env';
import { describeWithPostgresServer, testServerUrl } from '@/lib/testing/postgres';
import { applyMigrations } from '@/prisma/schema-engine';
import { createDatabase, dropDatabase } from '@/prisma/temporary-database';
import { markShuttingDown, shippedMigrations } from './readiness';

const saved = { ...process.env };

/** The server as it would start with this environment: the one client reconnects, settings read afresh. */
async function withEnv(changes: Record<string, string | undefined>) {
  await disconnectDb();
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvCache();
}

// Readiness reuses an answer for a second: each ask here is a second later.
beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});

async function ask() {
  vi.setSystemTime(Date.now() + 2_000);
  const response = await GET();
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

afterEach(async () => {
  await withEnv(Object.fromEntries(Object.keys({ ...process.env, ...saved }).map((k) => [k, saved[k]])));
});

describeWithPostgresServer('/api/ready', () => {
  it('answers 503 before migrations, naming them, and 200 once they are applied', async () => {
    const url = await createDatabase(testServerUrl!, 'custodian_ready');
    try {
      await withEnv({ DATABASE_URL: url });
      const before = await ask();
      expect(before.status).toBe(503);
      expect(before.body).toMatchObject({
        ready: false,
        database: 'reachable',
        pendingMigrations: (await shippedMigrations()).length,
        detail: /migration\(s\) not applied/,
      });
      expect(before.body.pendingMigrations).toBeGreaterThan(20);

      const target = pgMigrationTarget(url);
      await applyMigrations(target.factory);
      await target.dispose();
      expect(await ask()).toMatchObject({ status: 200, body: { status: 'ready', pendingMigrations: 0 } });
    } finally {
      await disconnectDb();
      await dropDatabase(url);
    }
  });

  it('answers 503 when the database is unreachable', async () => {
    expect((await ask()).status).toBe(200);
    const unreachable = new URL(process.env.DATABASE_URL!);
    unreachable.port = '1';
    await withEnv({ DATABASE_URL: unreachable.toString() });
    expect(await ask()).toMatchObject({ status: 503, body: { database: 'unreachable' } });
  });

  it('answers 503 within seconds when the database takes the connection and never answers', async () => {
    // A server that accepts and stays silent, as one behind a firewall that drops packets looks to a client.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const hanging = new URL(process.env.DATABASE_URL!);
      hanging.hostname = '127.0.0.1';
      hanging.port = String((silent.address() as AddressInfo).port);
      await withEnv({ DATABASE_URL: hanging.toString() });
      const started = performance.now();
      expect(await ask()).toMatchObject({ status: 503, body: { database: 'unreachable' } });
      // The pool would wait 30 s for a connection.
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('/api/ready on any database', () => {
  it('answers 503 when a required signing key does not load, without naming the configuration', async () => {
    expect((await ask()).body).not.toHaveProperty('signingKey');
    await withEnv({ AUDIT_REQUIRE_SIGNING: 'true', AUDIT_SIGNING_KEY: 'file:/nonexistent/audit-key.pem' });
    const refused = await ask();
    expect(refused).toMatchObject({ status: 503, body: { signingKey: 'missing', database: 'reachable' } });
    expect(JSON.stringify(refused.body)).not.toContain('/nonexistent');
  });

  it('answers 503 from the moment the instance starts draining', async () => {
    expect((await ask()).status).toBe(200);
    markShuttingDown();
    expect(await ask()).toMatchObject({ status: 503, body: { shuttingDown: true, detail: /shutting down/ } });
  });
});
