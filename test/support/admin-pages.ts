/**
 * Browser checks shared by the console's browser tests (test/admin*.browser.test.ts): each page
 * axe-clean (serious and critical), not blank, without sideways scrolling at 390 px, with
 * screenshots at 1280 and 390 px (in BACKFILL_SCREENSHOTS, default .screenshots/admin); and the
 * real sign-in form.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './browser.ts';

export const SCREENSHOTS = process.env.BACKFILL_SCREENSHOTS ?? join(process.cwd(), '.screenshots/admin');
const SIZES = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
] as const;

/** axe's serious and critical violations on the page as it is now, in words. */
export async function seriousViolations(page: Page): Promise<string[]> {
  return (await axeViolations(page))
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))} ${v.nodes[0]?.failureSummary}`,
    );
}

/** Every page: axe-clean (serious/critical), not blank, no sideways scroll at 390 px; screenshots. */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.waitForSelector('[data-page-title]');
  await page.waitForFunction(() => !document.querySelector('[role="status"] .mantine-Loader-root'));
  expect(await seriousViolations(page)).toEqual([]);
  const viewport = page.viewportSize()!;
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.width}.png`), fullPage: true });
    const shape = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      // The outermost elements sticking out on the right (scrolling boxes may hold wider content).
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'))
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
      return {
        text: document.body.innerText.trim().length,
        overflow: document.documentElement.scrollWidth - width,
        wide,
      };
    });
    expect(shape.text, `${name} is blank at ${size.width} px`).toBeGreaterThan(40);
    if (size.width <= 390) {
      expect(
        shape.overflow,
        `${name} scrolls sideways at ${size.width} px: ${shape.wide.join(', ')}`,
      ).toBeLessThanOrEqual(0);
    }
  }
  await page.setViewportSize(viewport);
}

/** Signs in through the console's form, as a person does. */
export async function signInWithForm(
  page: Page,
  origin: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${origin}/admin/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/admin\/?$/);
}
