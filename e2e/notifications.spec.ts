import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { DEMO, pageAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

// The SMTP server the e2e server sends through (scripts/e2e-server.mjs points SMTP_PORT here): a real one, in this
// process, keeping every message it accepts.
const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 3102);
type Mail = { to: string[]; subject: string; text: string };
const inbox: Mail[] = [];
let smtp: SMTPServer;

test.beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          inbox.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(SMTP_PORT, '127.0.0.1', resolve));
  expect((smtp.server.address() as AddressInfo).port).toBe(SMTP_PORT);
});
test.afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

test('a break-glass request pages the PAM approvers: delivery log, SMTP inbox, and a link to the decision', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  // Priya owns fraud screening (critical); Omar holds its PAM plane and approves; Dana approves.
  const priya = await pageAs(browser, 'Priya Natarajan');
  await priya.goto('/agents/fraud-screening');
  await priya.getByText('Request an exception').click();
  await priya.getByLabel('Type').selectOption('BREAK_GLASS');
  await priya.getByLabel('Window (hours from now)').fill('1');
  await priya.getByLabel('Justification').fill('Scoring outage: manual model rollback');
  await priya.getByRole('group', { name: 'Credentials it covers' }).getByRole('checkbox').first().check();
  await priya.getByRole('button', { name: 'Request exception' }).click();
  await expect(priya.getByText(/^Requested\./)).toBeVisible();
  await priya.reload();
  await priya
    .getByRole('link', { name: /Break-glass — requested by Priya Natarajan/ })
    .first()
    .click();
  await expect(priya).toHaveURL(/\/exceptions\/[^/]+$/);
  const exceptionPath = new URL(priya.url()).pathname;

  // The e-mails arrive in the SMTP inbox within seconds, each with the link to the decision page.
  const mailTo = (address: string) =>
    inbox.find((m) => m.to.includes(address) && m.text.includes(exceptionPath) && /^Break-glass/.test(m.subject));
  await expect.poll(() => Boolean(mailTo('dana.kim@example.com')), { timeout: 60_000 }).toBe(true);
  await expect.poll(() => Boolean(mailTo('omar.haddad@example.com')), { timeout: 30_000 }).toBe(true);
  // Never the requester.
  expect(mailTo('priya.natarajan@example.com')).toBeUndefined();
  const mail = mailTo('dana.kim@example.com')!;
  expect(mail.subject).toBe('Break-glass requested on Fraud screening: decide now');

  // The security lead's delivery log shows both, sent, with their attempts.
  const sam = await pageAs(browser, DEMO.ADMIN);
  await sam.goto('/notifications?kind=breakglass.requested&status=SENT');
  const rows = sam
    .getByRole('table', { name: 'Notifications, newest first' })
    .getByRole('row')
    .filter({ hasText: 'Break-glass requested on Fraud screening' });
  await expect(rows.filter({ hasText: 'Dana Kim' }).first()).toContainText('Sent');
  await expect(rows.filter({ hasText: 'Omar Haddad' }).first()).toContainText('1 attempt');
  await expectNoA11yViolations(sam);

  // Dana follows the e-mail's link: the decision page, where she can approve.
  const link = /https?:\/\/\S+\/exceptions\/\S+/.exec(mail.text)![0];
  const dana = await pageAs(browser, DEMO.PAM_APPROVER);
  await dana.goto(link);
  await expect(dana.getByRole('heading', { level: 1 })).toContainText('Pending');
  await expect(dana.getByRole('button', { name: 'Approve' })).toBeVisible();
  await expect(dana.getByText('Scoring outage: manual model rollback')).toBeVisible();

  // Her own notifications list it too; she may not see anyone else's, nor manage the endpoints.
  await dana.goto('/notifications');
  await expect(
    dana.getByRole('link', { name: 'Break-glass requested on Fraud screening: decide now' }).first(),
  ).toBeVisible();
  await expect(dana.getByRole('table').getByText('Omar Haddad')).toHaveCount(0);
  expect((await dana.goto('/notifications/endpoints'))?.status()).toBe(403);
});

test('a person chooses which notifications reach them by e-mail; a break-glass page cannot be turned off', async ({
  browser,
}) => {
  const omar = await pageAs(browser, 'Omar Haddad');
  await omar.goto('/notifications/preferences');
  const form = omar.getByRole('form', { name: 'E-mail preferences' });
  await expect(form.getByRole('checkbox', { name: /^Break-glass requested/ })).toBeDisabled();
  await expect(form.getByRole('checkbox', { name: /^Break-glass requested/ })).toBeChecked();
  await form.getByRole('checkbox', { name: /^Review overdue/ }).uncheck();
  await form.getByRole('button', { name: 'Save preferences' }).click();
  await expect(form.getByText('Saved: 1 kind(s) reach only your inbox here.')).toBeVisible();
  await omar.reload();
  await expect(form.getByRole('checkbox', { name: /^Review overdue/ })).not.toBeChecked();
  await expectNoA11yViolations(omar);
});

test('a security lead’s webhook to a private address is refused before anything connects to it', async ({
  browser,
}) => {
  const sam = await pageAs(browser, DEMO.ADMIN);
  await sam.goto('/notifications');
  await sam.getByRole('link', { name: 'Webhooks and Slack' }).click();
  await expect(sam.getByRole('heading', { level: 1, name: 'Webhooks and Slack' })).toBeVisible();
  const form = sam.getByRole('form', { name: 'Add an endpoint' });
  await form.getByLabel('Name').fill('Metadata grab');
  await form.getByLabel('URL').fill('http://169.254.169.254/latest/meta-data');
  await form.getByLabel('Signing secret reference').fill('env:NOTIFY_SOC_SECRET');
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(form.getByLabel('URL')).toHaveAccessibleDescription(/Webhooks go over https:\/\/ only\./);
  await form.getByLabel('URL').fill('https://10.20.30.40/hook');
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(form.getByLabel('URL')).toHaveAccessibleDescription(/10\.20\.30\.40 is a loopback, private or reserved/);
  // A pasted secret instead of a reference is refused on its field.
  await form.getByLabel('Signing secret reference').fill('whsec_live_abcdef0123456789');
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(form.getByLabel('Signing secret reference')).toHaveAccessibleDescription(
    /Give a reference to the secret|looks like a secret value/,
  );
  await sam.reload();
  await expect(sam.getByText('No endpoint yet')).toBeVisible();
  await expectNoA11yViolations(sam);
});
