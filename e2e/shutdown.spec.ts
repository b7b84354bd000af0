import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';

// A second instance of the built app on its own port, sharing the database, stopped with SIGTERM mid-request.
const PORT = Number(process.env.E2E_SHUTDOWN_PORT ?? 3103);
const origin = `http://127.0.0.1:${PORT}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.skip(!process.env.DATABASE_URL, 'a second instance needs a PostgreSQL server: the embedded one is one process’s');

test('SIGTERM mid-request: no new connection taken, the request finishes and is recorded, then the exit', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signInAs(page, 'ADMIN');
  await page.goto('/tokens');
  await page.getByLabel('Name', { exact: true }).fill(`shutdown-probe-${Date.now()}`);
  await expect(page.getByRole('checkbox', { name: /events:write/ })).toBeChecked();
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByTestId('new-token').inputValue();

  const server = spawn(
    process.execPath,
    ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', `${PORT}`],
    {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        NEXTAUTH_URL: origin,
        NEXTAUTH_SECRET: randomBytes(32).toString('hex'),
        AUDIT_SIGNING_KEY: `file:${path.resolve('.data/e2e-keys/audit-signing-key.pem')}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  server.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  try {
    await expect
      .poll(async () => (await fetch(`${origin}/api/ready`).catch(() => null))?.status, { timeout: 60_000 })
      .toBe(200);

    // The request is in flight: headers sent and authenticated, the body only begun.
    const body = JSON.stringify({
      events: [
        {
          type: 'credential.used',
          agent: { slug: 'gpu-scheduler' },
          credential: { name: 'gpu-scheduler-oauth-token-prod-1' },
          occurredAt: new Date().toISOString(),
        },
      ],
    });
    const request = http.request({
      host: '127.0.0.1',
      port: PORT,
      method: 'POST',
      path: '/api/v1/events',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 20));
    await sleep(1_500);

    server.kill('SIGTERM');
    await sleep(1_500);
    // It takes nothing new...
    await expect(fetch(`${origin}/api/health`)).rejects.toThrow();
    expect(server.exitCode).toBeNull();
    // ...and finishes what it holds: the event is recorded (the answer comes after the commit, with its seq).
    request.end(body.slice(20));
    const { status, text } = await answered;
    expect(status, text).toBe(201);
    const seq = (JSON.parse(text) as { events: { seq: number | string }[] }).events[0]?.seq;
    expect(Number(seq)).toBeGreaterThan(0);

    // Then it exits, as a process stopped by SIGTERM does (128 + 15), having said it drained.
    expect(await Promise.race([exited, sleep(30_000).then(() => 'still running')])).toBe(143);
    expect(log).toContain('SIGTERM: draining');
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
  }
});
