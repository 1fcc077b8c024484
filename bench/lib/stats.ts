// Small helpers for benchmark figures: medians of runs and aligned printing.

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Prints one figure: its label, the median, and every run. */
export function report(label: string, runs: number[], unit: string, digits = 1): void {
  const fmt = (n: number) => n.toFixed(digits);
  console.log(`${label.padEnd(46)} median ${fmt(median(runs)).padStart(10)} ${unit.padEnd(6)} runs: ${runs.map(fmt).join(', ')}`);
}

/** Runs `fn` with at most `limit` calls in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index]!, index);
      }
    }),
  );
}
