import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';
import { pickPerson } from './fixtures/people';

test(
  'a security lead registers an agent, gives it a purpose and owners, activates it, finds and shares it, and ' +
    'hands over a leaver',
  async ({ page, browser }) => {
    // Registration to handover, with three axe scans and a second browser: about a minute on two cores.
    test.setTimeout(120_000);
    const slug = `e2e-agent-${Date.now().toString(36)}`;
    await signInAs(page, 'ADMIN');

    // Register: bad input first, answered field by field.
    await page.goto('/agents');
    await page.getByRole('link', { name: 'Register agent' }).click();
    await expectNoA11yViolations(page);
    await page.getByLabel('Slug', { exact: true }).fill('Not A Slug');
    await page.getByRole('button', { name: 'Register agent' }).click();
    await expect(page.locator('#slug-error')).toHaveText(
      'Use lower-case letters, digits and single hyphens, e.g. deploy-bot.',
    );
    await expect(page.locator('#name-error')).toHaveText('Give the agent a name.');
    await expect(page.locator('#environments-error')).toHaveText('Choose at least one environment.');
    await expect(page.getByLabel('Slug', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Slug', { exact: true })).toHaveValue('Not A Slug'); // input kept after a refusal

    await page.getByLabel('Slug', { exact: true }).fill(slug);
    await page.getByLabel('Name', { exact: true }).fill('E2E release agent');
    await page.getByLabel('Description', { exact: true }).fill('Ships releases in the end-to-end test.');
    await page.getByLabel('Kind', { exact: true }).selectOption('CI_AGENT');
    await page.getByLabel('Risk tier', { exact: true }).selectOption('CRITICAL');
    await page.getByRole('checkbox', { name: 'Production' }).check();
    await page.getByLabel(/Workload identity/).fill(`spiffe://example.com/agents/${slug}`);
    await page.getByRole('button', { name: 'Register agent' }).click();
    await expect(page).toHaveURL(new RegExp(`/agents/${slug}$`));
    await expect(page.getByRole('heading', { level: 1 })).toContainText('E2E release agent');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Proposed');

    // Activation is not offered yet: the lifecycle control names every rule it breaks, before anyone tries.
    await expect(page.getByTestId('blocked-ACTIVE')).toContainText(
      /needs an accountable owner.*Control planes without an owner: IAM, PAM, platform security.*approved purpose/,
    );
    await expect(page.getByLabel('Change status to').locator('option')).toHaveText(['Retired']);

    // Purpose: add, approve.
    await page.getByText('Add a purpose').click();
    await page.getByLabel('Task', { exact: true }).fill('Deploy approved releases');
    await page.getByLabel('Tools and systems').fill('github, argo-cd');
    await page
      .getByRole('group', { name: 'Environments' })
      .last()
      .getByRole('checkbox', { name: 'Production' })
      .check();
    await page.getByRole('button', { name: 'Add purpose' }).click();
    await expect(page.getByRole('cell', { name: 'Deploy approved releases' })).toBeVisible();
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(
      page.getByRole('row', { name: /Deploy approved releases/ }).getByText('Approved', { exact: true }),
    ).toBeVisible();

    // Owner and the three planes.
    const assign = async (label: string, person: string) => {
      await pickPerson(page, label, person);
      await page.getByRole('button', { name: `Assign ${label}` }).click();
      await expect(page.getByText(new RegExp(`${person} (is now the accountable owner|now owns)`))).toBeVisible();
    };
    await assign('accountable owner', 'Olivia Brooks');
    await assign('IAM owner', 'Ivan Petrov');
    await assign('PAM owner', 'Tom Okafor');
    await assign('Platform security owner', 'Grace Liu');

    // A CRITICAL agent goes into service only with someone to page.
    await expect(page.getByTestId('blocked-ACTIVE')).toContainText(/needs an escalation contact/);
    await page.getByText('Set an escalation contact').click();
    const escalation = page.getByRole('form', { name: 'Escalation contact' });
    await escalation.getByLabel('Who is paged').fill('Release on-call');
    await escalation.getByRole('button', { name: 'Save escalation contact' }).click();
    await expect(escalation.getByText(/Give at least one way to reach them/)).toBeVisible();
    await escalation.getByLabel('Pager URL').fill('https://pager.example.com/services/releases');
    await escalation.getByLabel('Hours of coverage').fill('24/7');
    await escalation.getByRole('button', { name: 'Save escalation contact' }).click();
    await expect(page.getByText('Escalation contact saved: Release on-call.')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('escalation-contact')).toContainText('https://pager.example.com/services/releases');

    await page.getByLabel('Change status to').selectOption('ACTIVE');
    await page.getByLabel('Reason', { exact: true }).fill('All owners assigned');
    await page.getByRole('button', { name: 'Change status' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Active');
    await expect(page.getByText('agent.status_changed').first()).toBeVisible();
    await expectNoA11yViolations(page);

    // Find it by filters; the URL is the view.
    await page.goto('/agents');
    await page.getByRole('combobox', { name: 'Risk tier', exact: true }).selectOption('CRITICAL');
    await expect(page).toHaveURL(/riskTier=CRITICAL/);
    await page.getByRole('combobox', { name: 'Environment', exact: true }).selectOption('PROD');
    await page.getByRole('combobox', { name: 'Kind', exact: true }).selectOption('CI_AGENT');
    await page.getByLabel('Search name, slug, workload identity or owner').fill('e2e release');
    await page.getByLabel('Search name, slug, workload identity or owner').press('Enter');
    await expect(page).toHaveURL(/q=e2e\+release/);
    await page.getByRole('button', { name: /^Agent/ }).click(); // sort by name, descending
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByRole('link', { name: 'E2E release agent' }).first()).toBeVisible();
    const shared = page.url();
    const rowsHere = await page.getByRole('row').count();
    await expectNoA11yViolations(page);

    const otherContext = await browser.newContext();
    const other = await otherContext.newPage();
    await signInAs(other, 'AUDITOR');
    await other.goto(shared);
    await expect(other.getByRole('combobox', { name: 'Risk tier', exact: true })).toHaveValue('CRITICAL');
    await expect(other.getByRole('combobox', { name: 'Environment', exact: true })).toHaveValue('PROD');
    await expect(other.getByLabel('Search name, slug, workload identity or owner')).toHaveValue('e2e release');
    await expect(other.getByRole('row')).toHaveCount(rowsHere);
    await expect(other.getByRole('link', { name: 'E2E release agent' }).first()).toBeVisible();
    await otherContext.close();

    // CSV export of the filtered view.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = await (await download).path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p!, 'utf8')));
    expect(csv.split('\r\n')[0]).toContain('slug,name,status,risk_tier');
    expect(csv).toContain(slug);

    // A leaver: everything Tom Okafor holds moves to Omar Haddad in one operation.
    await page.goto('/ownership');
    await pickPerson(page, 'Person whose agents move', 'Tom Okafor');
    await expect(page.getByRole('group', { name: /What will move/ })).toBeVisible();
    const moving = await page
      .getByRole('group', { name: /What will move/ })
      .getByRole('checkbox')
      .count();
    expect(moving).toBeGreaterThanOrEqual(1); // at least the agent registered above
    await pickPerson(page, 'Successor', 'Omar Haddad');
    await page.getByLabel('Reason', { exact: true }).fill('Tom left: handover to Omar');
    // Nothing moves until the person has seen exactly what will and confirmed.
    await page.getByRole('button', { name: 'Review the move' }).click();
    const confirm = page.getByRole('region', { name: 'Confirm reassignment' });
    await expect(confirm).toContainText(
      `${moving} ${moving === 1 ? 'agent moves' : 'agents move'} from Tom Okafor to Omar Haddad`,
    );
    await expect(confirm.getByRole('listitem')).toHaveCount(moving);
    await confirm.getByRole('button', { name: 'Confirm reassignment' }).click();
    await expect(page.getByText(/Moved: \d+ accountable ownership\(s\) and \d+ control plane\(s\)/)).toBeVisible();
    await page.goto(`/agents/${slug}`);
    await expect(page.getByRole('row', { name: /^PAM/ })).toContainText('Omar Haddad');
  },
);

test('a list’s status icons are drawn from the sprite: each one it places is a symbol the browser draws', async ({
  page,
}) => {
  await signInAs(page, 'ADMIN');
  await page.goto('/agents');
  const uses = page.locator('table svg use');
  await expect(uses.first()).toBeAttached();
  const hrefs = [...new Set(await uses.evaluateAll((all) => all.map((u) => u.getAttribute('href') ?? '')))];
  // One versioned address, kept by the browser for a year (a redrawn sprite gets a new one).
  const addresses = [...new Set(hrefs.map((href) => href.split('#')[0]!))];
  expect(addresses).toEqual([expect.stringMatching(/^\/icons\.svg\?v=[0-9a-f]{12}$/)]);
  const response = await page.request.get(addresses[0]!);
  expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  const sprite = await response.text();
  for (const href of hrefs) {
    expect(href).toMatch(/#[a-z0-9-]+$/);
    expect(sprite).toContain(`<symbol id="${href.split('#')[1]}"`);
  }
  // Drawn, not an empty box: the browser resolved the reference to the symbol's shapes.
  await expect.poll(() => uses.first().evaluate((u) => (u as SVGUseElement).getBBox().width)).toBeGreaterThan(0);
});
