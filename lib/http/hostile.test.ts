// Input no field can mean is refused at the edge: 400 (415 for a body not
// declared as JSON), problem JSON, nothing changed.
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { POST as postEvents } from '@/app/api/v1/events/route';
import { makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { createToken } from '@/lib/tokens/commands';
import { proxy } from '@/proxy';

const post = (token: string, body: BodyInit, contentType = 'application/json') =>
  postEvents(
    new Request('http://localhost/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
      body,
    }),
  );

describe('hostile input', () => {
  it('the edge refuses a NUL, a control character, a lone surrogate or bad percent-encoding in a path or query', () => {
    for (const url of [
      'http://localhost/agents/%00',
      'http://localhost/agents?q=a%01b',
      'http://localhost/agents/%ED%A0%80',
      'http://localhost/agents?q=%E0%A4%A',
      'http://localhost/api/v1/agents/x%1Fy',
    ]) {
      const response = proxy(new NextRequest(url));
      expect(response.status, url).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(proxy(new NextRequest('http://localhost/agents?q=Zo%C3%AB%20%F0%9F%9A%80')).status).not.toBe(400);
  });

  it('a server action from another site is 403, one without a form 415; this site behind a proxy passes', () => {
    const action = (headers: Record<string, string>) =>
      proxy(
        new NextRequest('http://localhost/agents', { method: 'POST', headers: { 'next-action': 'abc', ...headers } }),
      );
    const form = { 'content-type': 'multipart/form-data; boundary=x' };
    expect(action({ ...form, host: 'localhost', origin: 'https://evil.example' }).status).toBe(403);
    expect(action({ ...form, host: 'localhost' }).status).toBe(403);
    expect(action({ host: 'localhost', origin: 'http://localhost', 'content-type': 'text/plain' }).status).toBe(415);
    expect(action({ ...form, host: 'localhost', origin: 'http://localhost' }).status).not.toBeGreaterThanOrEqual(400);
    const proxied = { ...form, host: 'app:3000', 'x-forwarded-host': 'custodian.example.com, lb.internal' };
    expect(action({ ...proxied, origin: 'https://custodian.example.com' }).status).not.toBeGreaterThanOrEqual(400);
  });

  it('an API body must be JSON, UTF-8, and free of control characters in any string', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id });
    const { token } = await createToken(admin, { name: 'probe', scopes: ['events:write'], expiresInDays: 1 });
    const before = await databaseFingerprint();
    const event = (context: string) =>
      JSON.stringify({
        events: [
          {
            type: 'credential.used',
            agent: { slug: agent.slug },
            credential: { name: 'x' },
            occurredAt: new Date().toISOString(),
            context,
          },
        ],
      });
    const cases: [Response, number, RegExp][] = [
      [await post(token, event('ok'), 'text/plain'), 415, /Content-Type: application\/json/],
      [await post(token, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400, /not valid UTF-8/],
      [await post(token, event('nul \u0000 here')), 400, /events\.0\.context holds a control character/],
      [await post(token, event('lone \ud800 surrogate')), 400, /lone UTF-16 surrogate/],
      [await post(token, '{"events": ['), 400, /not valid JSON/],
      [await post(token, `{"events":${'['.repeat(5000)}${']'.repeat(5000)}}`), 400, /nesting deeper than 64 levels/],
    ];
    for (const [response, status, detail] of cases) {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await response.json()).detail).toMatch(detail);
    }
    const { ApiToken: _a, ApiRateBucket: _b, ...after } = await databaseFingerprint();
    const { ApiToken: _c, ApiRateBucket: _d, ...was } = before;
    expect(after).toEqual(was);
  });
});
