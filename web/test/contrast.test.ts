// WCAG 2.2 AA contrast of the app's colour pairs, in both themes, read from web/src/app.css: 4.5:1 for text,
// 3:1 for borders of controls and the focus ring (non-text contrast).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const css = fs.readFileSync(path.join(import.meta.dirname, '..', 'src', 'app.css'), 'utf8');

/** The custom properties of the first `:root { … }` after `from` in the stylesheet. */
function themeVariables(from: number): Record<string, string> {
  const start = css.indexOf(':root', from);
  const body = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]));
}

function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const light = themeVariables(0);
const dark = themeVariables(css.indexOf('prefers-color-scheme: dark'));

const TEXT_PAIRS: [string, string][] = [
  ['text', 'bg'], ['text', 'surface'], ['muted', 'bg'], ['muted', 'surface'], ['accent', 'bg'], ['accent', 'surface'],
  ['accent-text', 'accent'], ['danger', 'bg'], ['danger', 'surface'],
];
const NON_TEXT_PAIRS: [string, string][] = [['border', 'bg'], ['border', 'surface'], ['focus', 'bg'], ['focus', 'surface']];

describe.each([['light', light], ['dark', dark]] as const)('the %s theme', (_name, theme) => {
  it('defines every colour the pairs use', () => {
    for (const [a, b] of [...TEXT_PAIRS, ...NON_TEXT_PAIRS]) {
      expect(theme[a], a).toMatch(/^#/);
      expect(theme[b], b).toMatch(/^#/);
    }
  });

  it.each(TEXT_PAIRS)('text %s on %s is at least 4.5:1', (a, b) => {
    expect(contrast(theme[a]!, theme[b]!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT_PAIRS)('%s on %s is at least 3:1', (a, b) => {
    expect(contrast(theme[a]!, theme[b]!)).toBeGreaterThanOrEqual(3);
  });
});
