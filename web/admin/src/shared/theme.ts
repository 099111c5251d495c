import { createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // Darker shades than Mantine's defaults: text and buttons keep a 4.5:1 contrast (WCAG AA).
  primaryShade: 8,
  defaultRadius: 'md',
  focusRing: 'always',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});
