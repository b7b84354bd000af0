import { expect, test, type Page } from '@playwright/test';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

const timelineActions = async (page: Page) =>
  page
    .locator('#timeline')
    .locator('xpath=ancestor::*[contains(@class,"rounded-lg")][1]')
    .locator('li[data-action]')
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-action')!));

test(
  'an owner’s purpose change opens a review; the reviewer reduces scope by revoking one credential; the next ' +
    'review date and timeline show it',
  async ({ browser }) => {
    const stamp = Date.now().toString(36);
    const credential = `e2e-review-key-${stamp}`;

    // The owner records a credential, then changes the tools of a purpose.
    const olivia = await pageAs(browser, DEMO.OWNER);
    await olivia.goto('/agents/refund-assistant');
    await olivia.getByText('Record an issued credential').click();
    const custody = olivia.getByRole('form', { name: 'Record an issued credential' });
    await custody.getByLabel('Credential name').fill(credential);
    await custody.getByLabel('Kind', { exact: true }).selectOption('API_KEY');
    await custody.getByLabel('Issuance').selectOption('STATIC');
    await custody.getByLabel('Stored in').selectOption('VAULT_OR_BROKER');
    await custody.getByLabel('Environment', { exact: true }).selectOption('PROD');
    await custody.getByRole('button', { name: 'Record issued credential' }).click();
    await expect(olivia.getByText('Issued: custody recorded.')).toBeVisible();

    await olivia.getByText('Change this purpose').first().click();
    const tools = olivia.getByLabel('Tools and systems').first();
    await tools.fill(`${await tools.inputValue()}, payments-api-${stamp}`);
    await olivia.getByRole('button', { name: 'Save purpose' }).first().click();
    await expect(olivia.getByText('Saved. The purpose needs approval again.')).toBeVisible();

    // A review is open, with the tool change among its triggers, for someone other than the owner (a HIGH agent).
    await olivia.reload();
    const reviews = olivia.locator('#reviews').locator('xpath=ancestor::*[contains(@class,"rounded-lg")][1]');
    const open = reviews.getByRole('listitem').filter({ has: olivia.getByRole('link', { name: 'Open review' }) });
    await expect(open.getByText('Tools changed')).toBeVisible();
    await expect(open).toContainText('reviewer Ivan Petrov');
    await open.getByRole('link', { name: 'Open review' }).click();
    await olivia.waitForURL(/\/reviews\/[^/]+$/);
    const reviewUrl = olivia.url();
    await expect(olivia.getByText('Only the assigned reviewer, Ivan Petrov, can complete this review.')).toBeVisible();
    await expect(olivia.getByRole('button', { name: 'Complete review' })).toHaveCount(0);

    // The reviewer sees what changed, chooses the reduction and completes it.
    const ivan = await pageAs(browser, 'Ivan Petrov');
    await ivan.goto(reviewUrl);
    await expect(
      ivan
        .locator('#changes')
        .locator('xpath=ancestor::*[contains(@class,"rounded-lg")][1]')
        .getByText('purpose.changed')
        .first(),
    ).toBeVisible();
    await expectNoA11yViolations(ivan);
    const notes = 'The refund flow no longer calls the payments API directly: its key goes.';
    await ivan.getByRole('radio', { name: /Reduce scope/ }).check();
    await ivan.getByLabel('Notes').fill(notes);
    await ivan.getByRole('button', { name: 'Complete review' }).click();
    // Reducing nothing is refused, and the form keeps what was typed.
    await expect(
      ivan.getByText(/Choose at least one purpose to expire, credential to revoke or exception to revoke/).first(),
    ).toBeVisible();
    await expect(ivan.getByLabel('Notes')).toHaveValue(notes);
    await ivan
      .getByRole('group', { name: 'Revoke credentials' })
      .getByRole('checkbox', { name: new RegExp(credential) })
      .check();
    await ivan.getByRole('button', { name: 'Complete review' }).click();
    await expect(ivan.getByTestId('review-decision')).toContainText('Scope reduced');
    await expect(ivan.getByText(`Credential revoked: ${credential}`)).toBeVisible();

    // The agent: revoked credential, next review a cadence (90 days for HIGH) away, and the timeline says so.
    await olivia.goto('/agents/refund-assistant');
    const due = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    await expect(olivia.getByTestId('next-review-due')).toHaveText(due);
    await expect(olivia.getByRole('row', { name: new RegExp(credential) })).toContainText(/revoked/i);
    const actions = await timelineActions(olivia);
    expect(actions.slice(0, 2)).toEqual(['review.completed', 'credential.revoked']);
  },
);

test('a certification campaign over three agents shows progress as each is certified', async ({ browser }) => {
  const name = `E2E support certification ${Date.now().toString(36)}`;
  const sam = await pageAs(browser, DEMO.ADMIN);
  // The e2e database outlives a run: close any campaign an interrupted earlier run left open over these agents.
  await sam.goto('/reviews/campaigns');
  for (const link of await sam
    .getByRole('row', { name: /E2E support certification .* Open/ })
    .getByRole('link')
    .all()) {
    await sam.goto((await link.getAttribute('href'))!);
    await sam.getByRole('button', { name: 'Close campaign' }).click();
    await expect(sam.getByTestId('campaign-closed')).toBeVisible();
  }
  await sam.goto('/reviews/campaigns');
  await sam.getByLabel('Name', { exact: true }).fill(name);
  const tiers = sam.getByRole('group', { name: 'Risk tiers' });
  await tiers.getByRole('checkbox', { name: 'Critical' }).uncheck();
  await tiers.getByRole('checkbox', { name: 'High' }).uncheck();
  await tiers.getByRole('checkbox', { name: 'Medium' }).check();
  await tiers.getByRole('checkbox', { name: 'Low' }).check();
  await sam.getByRole('group', { name: /Kinds/ }).getByRole('checkbox', { name: 'Support agent' }).check();
  await sam.getByRole('button', { name: 'Start campaign' }).click();
  await expect(sam.getByRole('heading', { level: 1 })).toContainText(name);
  await expect(sam.getByTestId('campaign-progress')).toContainText('0 of 3 done · 3 open');
  await expectNoA11yViolations(sam);

  // Each review with its reviewer (the owner: these are low and medium risk).
  const rows = sam.getByRole('table', { name: 'Reviews in this campaign' }).locator('tbody tr');
  await expect(rows).toHaveCount(3);
  const work: { url: string; reviewer: string }[] = [];
  for (const row of await rows.all()) {
    const href = await row.getByRole('link').first().getAttribute('href');
    const reviewer = (await row.locator('td').nth(3).innerText()).trim();
    work.push({ url: href!, reviewer });
  }
  expect(work.map((w) => w.reviewer).sort()).toEqual(['Olivia Brooks', 'Olivia Brooks', 'Omar Haddad']);

  const reviewers = new Map<string, Page>();
  for (const [i, { url, reviewer }] of work.entries()) {
    if (!reviewers.has(reviewer)) reviewers.set(reviewer, await pageAs(browser, reviewer));
    const page = reviewers.get(reviewer)!;
    await page.goto(url);
    await page.getByLabel('Notes').fill('Access matches the approved purpose; certified for the campaign.');
    await page.getByRole('button', { name: 'Complete review' }).click();
    await expect(page.getByTestId('review-decision')).toContainText(`Certified by ${reviewer}`);
    await sam.reload();
    await expect(sam.getByTestId('campaign-progress')).toContainText(`${i + 1} of 3 done · ${2 - i} open`);
  }
  const byReviewer = sam.getByRole('table', { name: 'Progress by reviewer' });
  await expect(byReviewer.getByRole('row', { name: /Olivia Brooks/ })).toContainText(/Olivia Brooks\s*2\s*0\s*0/);
  await expect(byReviewer.getByRole('row', { name: /Omar Haddad/ })).toContainText(/Omar Haddad\s*1\s*0\s*0/);

  await sam.getByRole('button', { name: 'Close campaign' }).click();
  await expect(sam.getByTestId('campaign-closed')).toContainText('with 3 of 3 reviews done');
  await expect(sam.getByRole('heading', { level: 1 })).toContainText('Closed');
});
