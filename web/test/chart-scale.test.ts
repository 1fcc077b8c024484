// The charts' axis ticks (web/src/lib/components/charts/scale.ts): round steps from 0, the last tick at or
// above the largest value (so no bar or line runs past the axis), whole numbers for counts of people.
import { describe, expect, it } from 'vitest';
import { countTicks, niceTicks } from '../src/lib/components/charts/scale.ts';

describe('niceTicks', () => {
  it.each([
    [1, [0, 0.25, 0.5, 0.75, 1]],
    [1.143, [0, 0.5, 1, 1.5]],
    [37, [0, 10, 20, 30, 40]],
    [40, [0, 10, 20, 30, 40]],
    [1234, [0, 500, 1000, 1500]],
    [0.12, [0, 0.05, 0.1, 0.15]],
  ])('%s → %j', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
  });

  it('shows 0 to 1 when there is nothing (0, negative, NaN)', () => {
    for (const max of [0, -3, Number.NaN]) expect(niceTicks(max)).toEqual([0, 1]);
  });

  it('always ends at or above the largest value, on round steps', () => {
    for (let max = 0.01; max < 100_000; max *= 1.37) {
      const ticks = niceTicks(max);
      expect(ticks.at(-1)!, String(max)).toBeGreaterThanOrEqual(max);
      expect(ticks.length, String(max)).toBeLessThanOrEqual(7);
    }
  });
});

describe('countTicks', () => {
  it('counts people in whole numbers, ending at or above the largest count', () => {
    expect(countTicks(0)).toEqual([0, 1]);
    expect(countTicks(1)).toEqual([0, 1]);
    expect(countTicks(3)).toEqual([0, 1, 2, 3]);
    expect(countTicks(10)).toEqual([0, 5, 10]);
    for (let max = 1; max < 5000; max += 7) {
      const ticks = countTicks(max);
      expect(ticks.every(Number.isInteger), String(max)).toBe(true);
      expect(ticks.at(-1)!, String(max)).toBeGreaterThanOrEqual(max);
    }
  });
});
