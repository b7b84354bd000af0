import { expect, test } from '@playwright/test';
import { signInAs } from './fixtures/auth';
import { expectNoA11yViolations } from './fixtures/axe';

test.use({ viewport: { width: 390, height: 844 } });

const SECTIONS = [
  'Dashboard',
  'Agents',
  'Ownership',
  'Exceptions',
  'Reviews',
  'Timeline',
  'Findings',
  'People',
  'API tokens',
  'Settings',
];

test('at 390 px the navigation is a menu: every section reachable, counts shown, search usable', async ({ page }) => {
  await signInAs(page, 'ADMIN');
  // The sidebar is gone; a menu button takes its place.
  await expect(page.getByRole('navigation', { name: 'Main', exact: true })).toBeHidden();
  const search = page.getByRole('searchbox', { name: /Search agents/ });
  await expect(search).toBeVisible();
  // The placeholder fits its box: nothing is cut.
  const fits = await search.evaluate((input: HTMLInputElement) => {
    const style = getComputedStyle(input);
    const context = document.createElement('canvas').getContext('2d')!;
    context.font = `${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return context.measureText(input.placeholder).width <= room;
  });
  expect(fits).toBe(true);

  for (const label of SECTIONS) {
    await page.getByRole('button', { name: 'Open menu' }).click();
    const menu = page.getByRole('navigation', { name: 'Main menu' });
    await expect(menu).toBeVisible();
    // counts, as in the sidebar
    if (label === 'Findings') await expect(menu.getByRole('link', { name: /^Findings/ })).toContainText(/\d/);
    await menu.getByRole('link', { name: new RegExp(`^${label}`) }).click();
    await expect(menu).toBeHidden();
    await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
  }
  await expectNoA11yViolations(page);

  // Escape closes the drawer; the person and sign-out live in it.
  await page.getByRole('button', { name: 'Open menu' }).click();
  await expect(page.getByRole('dialog', { name: 'Menu' }).getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('navigation', { name: 'Main menu' })).toBeHidden();
});
