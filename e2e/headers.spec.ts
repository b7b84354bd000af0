import { expect, test } from '@playwright/test';

test('pages carry the security headers; the production CSP forbids eval and framing', async ({ request }) => {
  for (const path of ['/', '/signin', '/api/health']) {
    const response = await request.get(path);
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("default-src 'self'");
    expect(csp, path).toContain("object-src 'none'");
    expect(csp, path).not.toContain('unsafe-eval');
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    expect(headers['x-frame-options'], path).toBe('DENY');
    expect(headers['x-powered-by'], path).toBeUndefined();
    // Served over plain http here: no HSTS.
    expect(headers['strict-transport-security'], path).toBeUndefined();
  }
});

test('HSTS is sent when the request arrived over https (as reported by the proxy in front)', async ({ request }) => {
  const response = await request.get('/', { headers: { 'x-forwarded-proto': 'https' } });
  expect(response.headers()['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
});

test('session cookies are httpOnly and SameSite', async ({ page, context }) => {
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in as Alex Chen' }).click();
  await expect(page.getByTestId('current-user')).toHaveText('Alex Chen');
  const session = (await context.cookies()).find((c) => c.name.endsWith('next-auth.session-token'));
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
});

test('every response carries its own request id, whatever id the client sent', async ({ request }) => {
  const fresh = await request.get('/api/health');
  expect(fresh.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const again = await request.get('/api/health');
  expect(again.headers()['x-request-id']).not.toBe(fresh.headers()['x-request-id']);
  // A client naming another request's id does not get it: it is logged beside ours, never as ours.
  const claimed = await request.get('/api/ready', { headers: { 'x-request-id': fresh.headers()['x-request-id']! } });
  expect(claimed.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(claimed.headers()['x-request-id']).not.toBe(fresh.headers()['x-request-id']);
});
