import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';
import { pickPerson } from './fixtures/people';

test('a security lead asks the issuance gate, sees why it denies, fixes the cause and sees it allow', async ({
  page,
}) => {
  await signInAs(page, 'ADMIN');
  // The seeded log anomaly detector has nobody on PAM: the one thing between it and its credentials.
  await page.goto('/agents/log-anomaly-detector');
  const gate = page.getByRole('form', { name: 'Would it be allowed?' });
  await expect(gate).toBeVisible();

  // Bad input first: a TTL of nothing is answered on its field, and the gate is not asked.
  await gate.getByLabel('Task or tool').fill('postgres');
  await gate.getByLabel('Environment').selectOption('STAGING');
  await gate.getByLabel('Time-to-live (seconds)').fill('0');
  await gate.getByRole('button', { name: 'Would it be allowed?' }).click();
  await expect(gate.getByLabel('Time-to-live (seconds)')).toHaveAccessibleDescription(
    'A time-to-live of at least 1 second.',
  );
  await expect(page.getByTestId('issuance-answer')).toHaveCount(0);

  await gate.getByLabel('Time-to-live (seconds)').fill('300');
  await gate.getByRole('button', { name: 'Would it be allowed?' }).click();
  const answer = page.getByTestId('issuance-answer');
  await expect(answer).toContainText('Denied: 1 rule fails');
  await expect(answer.locator('[data-rule="planes-owned"]')).toContainText(/No active owner for PAM/);
  await expectNoA11yViolations(page);
  // The fix links to where it is made.
  await answer.getByRole('link', { name: /Fix: Assign an active owner to each control plane/ }).click();
  await expect(page).toHaveURL(/#owners$/);

  await pickPerson(page, 'PAM owner', 'Tom Okafor');
  await page.getByRole('button', { name: 'Assign PAM owner' }).click();
  await expect(page.getByText(/Tom Okafor now owns/)).toBeVisible();

  // The form kept what was asked: ask again.
  await expect(gate.getByLabel('Task or tool')).toHaveValue('postgres');
  await gate.getByRole('button', { name: 'Would it be allowed?' }).click();
  await expect(answer).toContainText('Allowed');
  await expect(answer).toContainText('Issue for at most');
  await expect(answer).toContainText('Issue a fresh credential just in time.');

  // The agents list shows it ready for issuance, and its filter finds it.
  await page.goto('/agents?ready=yes&q=log-anomaly');
  await expect(page.getByRole('row', { name: /Log anomaly detector/ })).toContainText('Ready');
  await page.goto('/agents?ready=no&q=log-anomaly');
  await expect(page.getByRole('row', { name: /Log anomaly detector/ })).toHaveCount(0);
});
