import { expect, test } from '@playwright/test';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

test(
  'break-glass on a critical agent: requested by its owner, two approvers, in force with a countdown, revoked ' +
    'early, all on the timeline',
  async ({ browser }) => {
    const justification = `Prod outage ${Date.now().toString(36)}: manual rollback`;

    // The owner requests it and sees who can approve.
    const olivia = await pageAs(browser, DEMO.OWNER);
    await olivia.goto('/agents/deploy-bot');
    await olivia.getByText('Request an exception').click();
    await expect(olivia.getByText(/Who can approve: .*Dana Kim/)).toBeVisible();
    await olivia.getByLabel('Type').selectOption('BREAK_GLASS');
    await olivia.getByLabel('Window (hours from now)').fill('6');
    await olivia.getByLabel('Justification').fill(justification);
    // A break-glass names what it covers (or why nothing).
    await olivia.getByRole('button', { name: 'Request exception' }).click();
    await expect(olivia.getByText(/A break-glass names the credentials it covers/).first()).toBeVisible();
    const covered = olivia.getByRole('group', { name: 'Credentials it covers' }).getByRole('checkbox').first();
    const credential = (await covered.locator('xpath=..').innerText()).trim();
    await covered.check();
    await olivia.getByRole('button', { name: 'Request exception' }).click();
    await expect(olivia.locator('[id$="-hours-error"]')).toHaveText('At most 4 hours for this type.');
    await expect(covered).toBeChecked(); // the choice kept after a refusal
    await expect(olivia.getByLabel('Justification')).toHaveValue(justification); // input kept after a refusal
    await olivia.getByLabel('Window (hours from now)').fill('2');
    await olivia.getByRole('button', { name: 'Request exception' }).click();
    await expect(olivia.getByText('Requested. Break-glass on a critical agent needs two PAM approvers.')).toBeVisible();

    // Her own request: the page says why she cannot decide it.
    await olivia.reload();
    await olivia
      .getByRole('link', { name: /Break-glass — requested by Olivia Brooks/ })
      .first()
      .click(); // newest first
    await expect(olivia.getByText(justification)).toBeVisible();
    const exceptionUrl = olivia.url();
    await expect(olivia.getByText(/You requested this exception, so you cannot approve it/)).toBeVisible();
    await expect(olivia.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await expectNoA11yViolations(olivia);

    // First approver: it stays pending.
    const dana = await pageAs(browser, DEMO.PAM_APPROVER);
    await dana.goto(exceptionUrl);
    await dana.getByLabel('Reason for your decision').fill('Incident confirmed with on-call');
    const decideRequest = dana.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action']));
    await dana.getByRole('button', { name: 'Approve' }).click();
    const captured = await decideRequest;
    await expect(dana.getByText('You have decided this request; it waits for another approver.')).toBeVisible();
    await expect(dana.getByRole('heading', { level: 1 })).toContainText('Pending');
    await expect(dana.getByText('1 of 2 approvals')).toBeVisible();

    // The requester replaying that decision is refused by the server, and nothing changes.
    const replay = await olivia.request.post(exceptionUrl, {
      headers: {
        'next-action': captured.headers()['next-action']!,
        'content-type': captured.headers()['content-type']!,
        origin: new URL(exceptionUrl).origin,
      },
      data: captured.postDataBuffer()!,
    });
    expect(await replay.text()).toContain('permission to approve or reject exceptions');
    await olivia.reload();
    await expect(olivia.getByText('1 of 2 approvals')).toBeVisible();

    // Second, distinct approver: in force, with a countdown.
    const omar = await pageAs(browser, 'Omar Haddad');
    await omar.goto(exceptionUrl);
    await omar.getByLabel('Reason for your decision').fill('Second approval: rollback plan reviewed');
    await omar.getByRole('button', { name: 'Approve' }).click();
    await expect(omar.getByRole('heading', { level: 1 })).toContainText('In force');
    await expect(omar.getByTestId('expires-in')).toHaveText(/expires in 1 h 5\d min/);

    // Revoked early, with a reason.
    await omar.getByLabel('Reason for revoking early').fill('Rollback done; access no longer needed');
    await omar.getByRole('button', { name: 'Revoke now' }).click();
    await expect(omar.getByRole('heading', { level: 1 })).toContainText('Revoked');
    await expect(omar.getByTestId('awaiting-rotation')).toContainText(`rotation of ${credential} missing`);
    // Ended: no live countdown, and the way to its post-incident review.
    await expect(omar.getByTestId('expires-in')).toHaveCount(0);
    await expect(omar.getByText(/Revoked .*, before its window ended\./)).toBeVisible();
    await omar.getByRole('link', { name: /Its post-incident review is open/ }).click();
    await expect(omar).toHaveURL(/\/reviews\//);
    await expect(omar.getByText('Post-incident').first()).toBeVisible();
    // The review says which credential still awaits rotation, until the owner records it.
    await expect(omar.getByTestId('awaiting-rotation')).toContainText(`rotation of ${credential} missing`);
    const reviewUrl = omar.url();

    // Every step on the agent's timeline, in order; a post-incident review is open.
    await olivia.goto('/agents/deploy-bot');
    const timeline = olivia.locator('#timeline').locator('xpath=ancestor::*[contains(@class,"rounded-lg")][1]');
    const actions = (
      await timeline
        .locator('li[data-action]')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-action')!))
    )
      .filter((a) => /^(exception|review)\./.test(a))
      .reverse();
    const ours = actions.slice(actions.lastIndexOf('exception.requested'));
    expect(ours.slice(0, 4)).toEqual([
      'exception.requested',
      'exception.approved',
      'exception.approved',
      'exception.revoked',
    ]);
    await expect(olivia.getByText('Post-incident').first()).toBeVisible();

    // The owner records the rotation: the review no longer says it is missing.
    await olivia.getByRole('button', { name: `Record rotation of ${credential}` }).click();
    await expect(olivia.getByText('Rotation recorded.')).toBeVisible();
    await omar.goto(reviewUrl);
    await expect(omar.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(omar.getByTestId('awaiting-rotation')).toHaveCount(0);

    // It stays in the history, with both decisions and the revocation.
    await olivia.goto('/exceptions?tab=history&type=BREAK_GLASS&status=REVOKED');
    const row = olivia.getByRole('row', { name: /Break-glass.*Deploy bot/ }).first();
    await expect(row).toBeVisible();
    // Approvers, decisions and reasons read inline in the history.
    await expect(row).toContainText('Approved by Dana Kim: “Incident confirmed with on-call”');
    await expect(row).toContainText('Approved by Omar Haddad: “Second approval: rollback plan reviewed”');
    await expect(row).toContainText('Revoked by Omar Haddad: “Rollback done; access no longer needed”');
  },
);
