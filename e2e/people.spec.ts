import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';

// Marcus Webb (seeded owner) is the subject: the security lead changes his
// roles and deactivates him; his own session loses access at once.
test('a security lead grants a role, deactivates a person who then loses access, and reactivates them', async ({
  browser,
}) => {
  const marcusContext = await browser.newContext();
  const marcus = await marcusContext.newPage();
  await marcus.goto('/signin');
  await marcus.getByRole('button', { name: 'Sign in as Marcus Webb' }).click();
  await expect(marcus.getByTestId('current-user')).toHaveText('Marcus Webb');

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInAs(admin, 'ADMIN');
  await admin.goto('/people');
  const row = admin.getByRole('row', { name: /Marcus Webb/ });
  await row.getByText('Manage Marcus Webb').click();
  await row.getByLabel('Grant a role').selectOption('AUDITOR');
  await row.getByRole('button', { name: 'Grant' }).click();
  await expect(row.getByText('Auditor granted.')).toBeVisible();
  await expect(row.getByText('Auditor', { exact: true })).toBeVisible();

  // Marcus sees the timeline now: roles are read on every request.
  await marcus.reload();
  await expect(marcus.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Timeline/ })).toBeVisible();

  // Deactivation asks for a reason and says what will change.
  const manage = admin.getByRole('row', { name: /Marcus Webb/ });
  await expect(manage.getByText(/agent\(s\) they own/)).toBeVisible();
  await manage.getByRole('button', { name: 'Deactivate Marcus Webb' }).click();
  await expect(manage.getByLabel('Reason for deactivating')).toBeFocused();
  await manage.getByLabel('Reason for deactivating').fill('Moved to another company');
  await manage.getByRole('button', { name: 'Deactivate Marcus Webb' }).click();
  await expect(manage.getByText(/Deactivated\. Their agents/)).toBeVisible();
  await expect(manage.getByText('Deactivated', { exact: true })).toBeVisible();

  await marcus.goto('/agents');
  await expect(marcus).toHaveURL(/\/signin/);

  // His agents now show as orphaned.
  await admin.goto('/agents?orphaned=1');
  await expect(admin.getByRole('cell', { name: /Marcus Webb \(inactive\)/ }).first()).toBeVisible();

  await admin.goto('/people');
  const again = admin.getByRole('row', { name: /Marcus Webb/ });
  await again.getByText('Manage Marcus Webb').click();
  await again.getByRole('button', { name: 'Reactivate Marcus Webb' }).click();
  await expect(again.getByText('Reactivated.')).toBeVisible();
  await again.getByRole('button', { name: 'Remove Auditor from Marcus Webb' }).click();
  await expect(again.getByText('Auditor removed.')).toBeVisible();
  await marcusContext.close();
  await adminContext.close();
});

test('hiding the button is not the check: an auditor replaying the grant action is refused', async ({ browser }) => {
  // Capture the real server action request a security lead's form sends…
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInAs(admin, 'ADMIN');
  await admin.goto('/people');
  const row = admin.getByRole('row', { name: /Olivia Brooks/ });
  await row.getByText('Manage Olivia Brooks').click();
  await row.getByLabel('Grant a role').selectOption('ADMIN');
  const captured = admin.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action']));
  // The admin's own request is stopped before it reaches the server.
  await admin.route('**/people', async (route) =>
    route.request().method() === 'POST' ? route.abort() : route.continue(),
  );
  await row
    .getByRole('button', { name: 'Grant' })
    .click()
    .catch(() => {});
  const request = await captured;
  const actionId = request.headers()['next-action']!;
  const body = request.postDataBuffer()!;
  const contentType = request.headers()['content-type']!;
  await adminContext.close();

  // …and send it as an auditor, who has no such button.
  const auditorContext = await browser.newContext();
  const auditor = await auditorContext.newPage();
  await signInAs(auditor, 'AUDITOR');
  await auditor.goto('/people');
  await expect(auditor.getByText(/^Manage /)).toHaveCount(0);
  const response = await auditor.request.post('/people', {
    headers: { 'next-action': actionId, 'content-type': contentType, origin: new URL(auditor.url()).origin },
    data: body,
  });
  const text = await response.text();
  expect(text).toContain('permission to grant and remove roles');
  await auditor.reload();
  await expect(auditor.getByRole('row', { name: /Olivia Brooks/ }).getByText('Security lead')).toHaveCount(0);
  await auditorContext.close();
});
