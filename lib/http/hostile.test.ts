// Input no field can mean is refused at the edge: 400 (415 for a body not
// declared as JSON), problem JSON, nothing changed.
import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';
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
  it('the edge refuses a NUL, a control character, a lone surrogate or bad percent-encoding in a path', async () => {
    for (const url of [
      'http://localhost/agents/%00',
      'http://localhost/agents?q=a%01b',
      'http://localhost/agents/%ED%A0%80',
      'http://localhost/agents?q=%E0%A4%A',
      'http://localhost/api/v1/agents/x%1Fy',
    ]) {
      const response = await proxy(new NextRequest(url));
      expect(response.status, url).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await proxy(new NextRequest('http://localhost/agents?q=Zo%C3%AB%20%F0%9F%9A%80'))).status).not.toBe(400);
    // Header bytes arrive one character per byte: valid UTF-8 passes, a lone continuation byte does not.
    const header = async (value: string) =>
      (await proxy(new NextRequest('http://localhost/agents', { headers: { 'x-note': value } }))).status;
    expect(await header('caf\u00c3\u00a9')).not.toBe(400);
    expect(await header('caf\u00e9')).toBe(400);
  });

  it('an action from another site is 403, one without a form 415, a malformed one 400; this site passes', async () => {
    const formOf = (root: string | null, extra: [string, string][] = []) => {
      const body = new FormData();
      if (root !== null) body.append('0', root);
      for (const [k, v] of extra) body.append(k, v);
      return body;
    };
    const action = async (headers: Record<string, string>, body: BodyInit = formOf('[{"ok":false},"$K1"]')) =>
      (
        await proxy(
          new NextRequest('http://localhost/agents', {
            method: 'POST',
            headers: { 'next-action': 'abc', ...headers },
            body,
          }),
        )
      ).status;
    const here = { host: 'localhost', origin: 'http://localhost' };
    expect(await action({ host: 'localhost', origin: 'https://evil.example' })).toBe(403);
    // No Origin at all: not a browser, so no one's session is forged (Next.js lets it through too).
    expect(await action({ host: 'localhost' })).toBeLessThan(400);
    expect(await action({ ...here, 'content-type': 'text/plain' }, 'x')).toBe(415);
    expect(await action({ ...here, 'content-type': 'application/x-www-form-urlencoded' }, 'a=b')).toBe(415);
    expect(await action(here)).toBeLessThan(400);
    expect(
      await action(
        here,
        formOf('["$K1"]', [
          ['1_name', '$1'],
          ['1_$ACTION_REF_1', ''],
        ]),
      ),
    ).toBeLessThan(400);
    // React's decoder would throw on each of these and Next.js answer 500.
    for (const [root, extra] of [
      [null, []],
      ['ghp_not-json', []],
      ['{"not":"a list"}', []],
      ['["$1"]', []],
      ['[{"a":["$@2"]}]', []],
      ['["$K1"]', [['0', '[]']]],
    ] as [string | null, [string, string][]][]) {
      expect(await action(here, formOf(root, extra)), String(root)).toBe(400);
    }
    const form = { 'content-type': 'multipart/form-data; boundary=x' };
    expect(await action({ ...here, ...form }, '--x\r\nnot a part')).toBe(400);
    // A form posted without JavaScript: React's hidden fields name the action and its bound arguments.
    const page = async (fields: [string, string][]) => {
      const body = new FormData();
      for (const [k, v] of fields) body.append(k, v);
      return (await proxy(new NextRequest('http://localhost/agents/new', { method: 'POST', headers: here, body })))
        .status;
    };
    const descriptor = '{"id":"60ca6ce4","bound":"$@1"}';
    expect(
      await page([
        ['$ACTION_REF_1', ''],
        ['$ACTION_1:0', descriptor],
        ['$ACTION_1:1', '[{"ok":false}]'],
      ]),
    ).toBeLessThan(400);
    expect(await page([['name', 'plain form, no action']])).toBeLessThan(400);
    for (const fields of [
      [
        ['$ACTION_REF_1', ''],
        ['$ACTION_1:0', descriptor],
        ['$ACTION_1:1', '1e400x'],
      ],
      [
        ['$ACTION_REF_1', ''],
        ['$ACTION_1:0', descriptor],
      ],
      [
        ['$ACTION_REF_1', ''],
        ['$ACTION_1:0', 'not json'],
        ['$ACTION_1:1', '[]'],
      ],
      [
        ['$ACTION_REF_1', ''],
        ['$ACTION_1:0', '{"id":"x","bound":"$1"}'],
        ['$ACTION_1:1', '[]'],
      ],
      [
        ['$ACTION_REF_1', ''],
        ['$ACTION_1:0', descriptor],
        ['$ACTION_1:0', descriptor],
        ['$ACTION_1:1', '[]'],
      ],
    ] as [string, string][][]) {
      expect(await page(fields), JSON.stringify(fields)).toBe(400);
    }
    const proxied = { host: 'app:3000', 'x-forwarded-host': 'custodian.example.com, lb.internal' };
    expect(await action({ ...proxied, origin: 'https://custodian.example.com' })).toBeLessThan(400);
    // Next.js compares the Origin with the forwarded host when one is sent, never also with Host.
    expect(await action({ ...proxied, origin: 'http://app:3000' })).toBe(403);
    // Origins allowed by pattern match as Next.js matches them: `*` is one label.
    vi.stubEnv('SERVER_ACTIONS_ALLOWED_ORIGINS', '*.example.com');
    try {
      expect(await action({ host: 'localhost', origin: 'https://a.example.com' })).toBeLessThan(400);
      expect(await action({ host: 'localhost', origin: 'https://a.b.example.com' })).toBe(403);
      expect(await action({ host: 'localhost', origin: 'https://example.com' })).toBe(403);
    } finally {
      vi.unstubAllEnvs();
    }
    // A form posted to a page without the action header is an action to Next.js too: the same Origin rule.
    const plain = async (origin: string) =>
      (
        await proxy(
          new NextRequest('http://localhost/agents/new', {
            method: 'POST',
            headers: { host: 'localhost', origin },
            body: formOf(null, [['name', 'x']]),
          }),
        )
      ).status;
    expect(await plain('https://evil.example')).toBe(403);
    expect(await plain('null')).toBe(403);
    expect(await plain('http://localhost')).toBeLessThan(400);
    // Past Next.js's 1 MB body limit: 413, not its 500.
    expect(await action({ ...here, 'content-length': String(2 * 1024 * 1024) })).toBe(413);
    expect(await action(here, formOf(JSON.stringify(Array.from({ length: 1001 }, () => null))))).toBe(400);
  });

  it('an /api request with a method no HTTP API serves is 405 problem JSON at the edge', async () => {
    const response = await proxy(new NextRequest('http://localhost/api/v1/agents', { method: 'PROPFIND' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
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
