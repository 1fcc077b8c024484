// Axis arithmetic the charts share: "nice" ticks (1, 2, 2.5 or 5 times a power of ten) from 0 up to at least
// the largest value, and the colour of the n-th series.

/** Ticks from 0 to a round maximum ≥ `max`, about `count` of them; [0, 1] when there is nothing to show. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let k = 0; k <= count * 3; k++) {
    const value = Number((k * step).toPrecision(12));
    ticks.push(value);
    if (value >= max) break;
  }
  return ticks;
}

/** Integer-only ticks (counts of people): never 2.5 people. */
export function countTicks(max: number, count = 4): number[] {
  if (max <= count) return Array.from({ length: Math.max(1, Math.ceil(max)) + 1 }, (_, i) => i);
  // A step of 2.5 (max in (8, 10] × a power of ten) ends on a whole number: keep its whole ticks.
  return niceTicks(max, count).filter(Number.isInteger);
}

/** The CSS colour of series `index` (0-based), cycling through the six chart colours. */
export function seriesColour(index: number): string {
  return `var(--chart-${(index % 6) + 1})`;
}

/** Line dashes per series, so lines differ by more than colour. */
export const DASHES = ['', '7 4', '2 3', '10 3 2 3'];
