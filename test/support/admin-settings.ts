/**
 * Checks every console page of a browser test makes (test/admin.settings.browser.test.ts): no
 * serious or critical axe violation, not blank, no sideways scrolling at 390 px, and screenshots
 * at 1280 and 390 px (kept out of git).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './browser.ts';

export const SCREENSHOT_DIR = process.env.BACKFILL_SCREENSHOTS ?? join(process.cwd(), '.screenshots/admin');
const WIDTHS = [1280, 390] as const;

/** What sticks out on the right of the viewport, outside boxes that scroll on purpose. */
function measure(): { text: number; overflow: number; wide: string[] } {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'))
    .slice(0, 3)
    .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
  return {
    text: document.body.innerText.trim().length,
    overflow: document.documentElement.scrollWidth - width,
    wide,
  };
}

export async function checkConsolePage(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.waitForSelector('[data-page-title]');
  await page.waitForFunction(() => !document.querySelector('[role="status"] .mantine-Loader-root'));
  const serious = (await axeViolations(page)).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(
    serious.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`),
    `axe on ${name}`,
  ).toEqual([]);
  const before = page.viewportSize()!;
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width > 400 ? 900 : 844 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
    const shape = await page.evaluate(measure);
    expect(shape.text, `${name} is blank at ${width} px`).toBeGreaterThan(40);
    if (width <= 390)
      expect(
        shape.overflow,
        `${name} scrolls sideways at ${width} px: ${shape.wide.join(', ')}`,
      ).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize(before);
}
