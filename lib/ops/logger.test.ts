import { describe, expect, it } from 'vitest';
import { captureLog } from '@/lib/testing/log-capture';
import { upstreamIdOf } from './logger';

describe('logs', () => {
  it('are JSON lines with level, time, message and the request id', () => {
    const { logger, lines } = captureLog();
    logger.child({ requestId: 'req-12345678' }).info({ path: '/agents' }, 'request');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request', requestId: 'req-12345678', path: '/agents' }),
    ]);
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('never write a token, password, secret, cookie or authorization, wherever it sits', () => {
    const { logger, lines } = captureLog();
    const value = 'cst_live_0123456789abcdef0123456789abcdef';
    logger.error(
      {
        token: value,
        headers: { authorization: `Bearer ${value}`, cookie: `next-auth.session-token=${value}` },
        smtp: { auth: { password: value } },
        endpoint: { secret: value, url: 'https://hooks.example/x' },
      },
      'delivery failed',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain(value);
    expect(text).toContain('https://hooks.example/x');
    expect(lines[0]).toMatchObject({ token: '[redacted]', headers: { authorization: '[redacted]' } });
  });

  it('an error is written with its type, message and stack', () => {
    const { logger, lines } = captureLog();
    logger.error({ err: new TypeError('boom') }, 'route handler failed');
    expect(lines[0]).toMatchObject({ level: 'error', err: { type: 'TypeError', message: 'boom' } });
    expect((lines[0]!.err as { stack: string }).stack).toContain('logger.test.ts');
  });

  it('an error is written without what its library hung on it (a pool error carries the whole client)', () => {
    const { logger, lines } = captureLog();
    const error = Object.assign(new Error('Connection terminated unexpectedly'), {
      code: 'ECONNRESET',
      client: { processID: 4242, secretKey: 987654321, connectionParameters: { password: 'pw-5f4e3d2c1b' } },
      request: { headers: { cookie: 'next-auth.session-token=abc' } },
    });
    logger.warn({ err: error }, 'database pool: a connection was lost');
    logger.error({ err: 'plain text with token=tok-0a1b2c3d' }, 'not an Error');
    const text = JSON.stringify(lines);
    for (const leaked of ['987654321', 'pw-5f4e3d2c1b', 'processID', 'session-token', 'tok-0a1b2c3d']) {
      expect(text).not.toContain(leaked);
    }
    expect(lines[0]!.err).toEqual({
      type: 'Error',
      message: 'Connection terminated unexpectedly',
      stack: expect.stringContaining('logger.test.ts'),
      code: 'ECONNRESET',
    });
    expect(lines[1]!.err).toEqual({ type: 'string', message: 'plain text with token=[redacted]' });
  });

  it("a load balancer's request id is kept beside ours when it is one; anything else is dropped", () => {
    expect(upstreamIdOf('lb-9f2c1d7e-0001')).toBe('lb-9f2c1d7e-0001');
    for (const sent of [null, '', 'short', 'x'.repeat(129), 'id with spaces', 'id\nforged: line']) {
      expect(upstreamIdOf(sent), String(sent)).toBeNull();
    }
  });

  it('blots credentials out of messages and errors: URLs with a password, bearer values, query secrets', () => {
    const { logger, lines } = captureLog();
    const value = 'hunter2-9f8e7d6c5b4a';
    const error = new Error(`connect ECONNREFUSED https://witness:${value}@witness.example/append?token=${value}`);
    logger.error({ err: error }, `delivery to https://u:${value}@hooks.example failed with Bearer ${value}`);
    logger.warn({ deep: { a: { b: { Authorization: value, access_token: value, pass: value } } } }, 'nested');
    const text = JSON.stringify(lines);
    expect(text).not.toContain(value);
    expect(text).toContain('witness.example/append');
    expect(text).toContain('hooks.example failed');
  });
});
