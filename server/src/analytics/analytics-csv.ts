// The dashboard's tables as CSV (GET /api/v1/kith/analytics/export.csv), formula-safe (shared/csv.ts).
import { csvDocument } from '../shared/csv.ts';
import type { AdoptionDashboard } from './adoption-metrics.ts';

export const CSV_TABLES = ['daily', 'departments', 'features', 'clients'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  return csvDocument([columns, ...rows.map((row) => columns.map((c) => row[c] as string | number | boolean))]);
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
