// The period a dashboard request asks for: `from` and `to` as real UTC days, defaulting to the last
// 30 days, at most 366 days long (a year's figures, not an open-ended scan).
import { Invalid } from '../shared/errors.ts';
import type { UsagePeriod } from './usage.types.ts';
import { addDays } from './adoption-metrics.ts';

export const MAX_PERIOD_DAYS = 366;
export const DEFAULT_PERIOD_DAYS = 30;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar day written YYYY-MM-DD (2025-02-30 is not). */
export function isDay(value: string): boolean {
  const match = DAY.exec(value);
  if (!match) return false;
  const at = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value;
}

/** The number of days from `from` to `to`, both included. */
export function periodLength(period: UsagePeriod): number {
  return Math.round((Date.parse(`${period.to}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`)) / 86_400_000) + 1;
}

/**
 * The period of a query: to defaults to today (UTC), from to 29 days before to. Invalid (422) when a date
 * is not a real YYYY-MM-DD day, when from is after to, or when the period is longer than 366 days.
 */
export function parsePeriod(query: { from?: string; to?: string }, today: string = new Date().toISOString().slice(0, 10)): UsagePeriod {
  if (query.to !== undefined && !isDay(query.to)) throw new Invalid('Validation failed: to must be a day, YYYY-MM-DD');
  if (query.from !== undefined && !isDay(query.from)) throw new Invalid('Validation failed: from must be a day, YYYY-MM-DD');
  const to = query.to ?? today;
  const from = query.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
  if (from > to) throw new Invalid('Validation failed: from must not be after to');
  if (periodLength({ from, to }) > MAX_PERIOD_DAYS) throw new Invalid(`Validation failed: the period must not be longer than ${MAX_PERIOD_DAYS} days`);
  return { from, to };
}

export const MAX_DEPARTMENT_LENGTH = 100;

/** The department filter of a query: null when absent ('' is the people with no department); Invalid when too long. */
export function parseDepartment(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (value.length > MAX_DEPARTMENT_LENGTH) throw new Invalid(`Validation failed: department must be at most ${MAX_DEPARTMENT_LENGTH} characters`);
  return value;
}
