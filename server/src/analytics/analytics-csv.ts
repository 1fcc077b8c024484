// The dashboard's tables as CSV (GET /api/v1/kith/analytics/export.csv), safe to open in a spreadsheet:
// a cell that starts with = + - @ (a formula) is prefixed with ' so it stays text.
import type { AdoptionDashboard } from './adoption-metrics.ts';

export const CSV_TABLES = ['daily', 'departments', 'features', 'clients'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

/** One cell: formula-injection safe, quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | number | boolean): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c] as string | number | boolean)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One table of the dashboard as CSV: a header row, then its rows in the dashboard's order. */
export function dashboardCsv(figures: AdoptionDashboard, table: CsvTable): string {
  switch (table) {
    case 'daily':
      return toCsv(['day', 'dau', 'wau', 'mau', 'registered', 'events'], figures.daily);
    case 'departments':
      return toCsv(['department', 'registered', 'active', 'dau', 'wau', 'mau', 'mau_share', 'activated', 'activation_share', 'events'], figures.departments);
    case 'features':
      return toCsv(['feature', 'events', 'accounts', 'account_share', 'underused'], figures.features);
    case 'clients':
      return toCsv(['client', 'events', 'accounts'], figures.clients);
  }
}
