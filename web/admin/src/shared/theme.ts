import { Anchor, type CSSVariablesResolver, createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // Darker shades than Mantine's defaults: text and buttons keep a 4.5:1 contrast (WCAG AA).
  primaryShade: 8,
  defaultRadius: 'md',
  focusRing: 'always',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    // Links inside sentences are told apart by more than their colour.
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
  },
});

const COLORS = ['blue', 'orange', 'red', 'green', 'teal', 'gray', 'yellow'] as const;

/** A colour `share` of the way to black (#rrggbb). */
function darker(hex: string, share: number): string {
  const channel = (i: number) =>
    Math.round(Number.parseInt(hex.slice(i, i + 2), 16) * (1 - share))
      .toString(16)
      .padStart(2, '0');
  return `#${channel(1)}${channel(3)}${channel(5)}`;
}

/**
 * Contrast of at least 4.5:1 (WCAG AA; checked by axe in test/admin.browser.test.ts): secondary
 * ("dimmed") text, and light-variant text (badges, the active navigation link) darker than
 * Mantine's palette goes, on its shade-1 background (shade 2 on hover): 5.6:1 or more.
 */
export const cssVariables: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(
      COLORS.flatMap((c) => [
        [`--mantine-color-${c}-light-color`, darker(t.colors[c]![9]!, 0.35)],
        [`--mantine-color-${c}-light`, `var(--mantine-color-${c}-1)`],
        [`--mantine-color-${c}-light-hover`, `var(--mantine-color-${c}-2)`],
      ]),
    ),
  },
  dark: {},
});
