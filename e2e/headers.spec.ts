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
