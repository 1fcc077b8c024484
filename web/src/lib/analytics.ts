// Adoption analytics in the web app (issue 6): the dashboard's response types (the server's schemas describe
// requests only), fetch helpers, the period presets and the URL query that keeps a view shareable, and how
// figures read (shares as percentages, counts in the reader's locale).
import { api } from './api/client.ts';

/** A closed period of whole UTC days, `YYYY-MM-DD`. */
export interface AnalyticsPeriod {
  from: string;
  to: string;
}

export interface AdoptionSummary {
  registered: number;
  dau: number;
  wau: number;
  mau: number;
  dau_share: number;
  wau_share: number;
  mau_share: number;
  average_dau: number;
  stickiness: number;
  activated: number;
  activation_share: number;
  events: number;
}

export interface DailyAdoption {
  day: string;
  dau: number;
  wau: number;
  mau: number;
  registered: number;
  events: number;
}

export interface WeeklyAdoption {
  /** The week's Monday. */
  week: string;
  /** The week clipped to the period. */
  from: string;
  to: string;
  active: number;
  events: number;
}

export interface DepartmentRow {
  /** '' for accounts with no department. */
  department: string;
  registered: number;
  active: number;
  dau: number;
  wau: number;
  mau: number;
  mau_share: number;
  activated: number;
  activation_share: number;
  events: number;
}

export interface FeatureRow {
  feature: string;
  events: number;
  accounts: number;
  account_share: number;
  underused: boolean;
}

export interface ClientRow {
  client: string;
  events: number;
  accounts: number;
}

export interface DeviceRow {
  device: 'desktop' | 'mobile';
  events: number;
  accounts: number;
}

/** GET /api/v1/kith/analytics */
export interface AdoptionDashboard {
  period: AnalyticsPeriod;
  department: string | null;
  summary: AdoptionSummary;
  daily: DailyAdoption[];
  weekly: WeeklyAdoption[];
  departments: DepartmentRow[];
  features: FeatureRow[];
  clients: ClientRow[];
  devices: DeviceRow[];
  cross_instance: { follows: number; cross_follows: number; follow_share: number; replies: number; cross_replies: number; reply_share: number };
  leaders: { leaders: number; active: number; active_share: number; posts: number; replies: number };
}

/** GET /api/v1/kith/analytics/inactive (admins only) */
export interface InactiveAccount {
  id: string;
  username: string;
  display_name: string;
  department: string;
  leader: boolean;
  last_active: string | null;
}

/** One department's shared figures (the server's DepartmentAdoption): counts and shares, never a person. */
export interface DepartmentAdoption {
  department: string;
  registered: number;
  dau: number;
  wau: number;
  mau: number;
  mau_share: number;
  average_dau: number;
  stickiness: number;
  activated: number;
  activation_share: number;
  events: number;
  features: Record<string, number>;
  clients: Record<string, number>;
  devices: Record<'desktop' | 'mobile', number>;
  cross_instance_follow_share: number;
  cross_instance_reply_share: number;
  leaders: number;
  active_leaders: number;
}

export interface AdoptionReport {
  instance: string;
  period: AnalyticsPeriod;
  total: DepartmentAdoption;
  departments: DepartmentAdoption[];
}

/** GET /api/v1/kith/analytics/company */
export interface CompanyAdoption {
  period: AnalyticsPeriod;
  instances: { host: string; instance: string; self: boolean; ok: boolean; error: string | null; report: AdoptionReport | null }[];
}

/** GET/PUT /api/v1/kith/admin/analytics/settings */
export interface AnalyticsSettings {
  retention_days: number;
  achievements_enabled: boolean;
}

export const RETENTION_MIN = 7;
export const RETENTION_MAX = 3650;

/** GET /api/v1/kith/accounts/:id/achievements */
export interface Achievements {
  enabled: boolean;
  achievements: { kind: string; title: string; description: string; earned_at: string }[];
}

export const CSV_TABLES = [
  { table: 'daily', label: 'Daily figures' },
  { table: 'departments', label: 'Departments' },
  { table: 'features', label: 'Features' },
  { table: 'clients', label: 'Clients' },
] as const;
export type CsvTable = (typeof CSV_TABLES)[number]['table'];

/** What the dashboard shows: a period and, optionally, one department ('' = people with no department). */
export interface AnalyticsFilter {
  from: string;
  to: string;
  department: string | null;
}

/** Today as a UTC day (the server counts days in UTC). */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** `day` moved by `days` (negative: back), in UTC. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whether `day` is a real `YYYY-MM-DD` date. */
export function isDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
}

export const PRESETS = [7, 30, 90] as const;
export const DEFAULT_PRESET = 30;

/** The last `days` days up to today. */
export function presetPeriod(days: number, now = new Date()): AnalyticsPeriod {
  const to = today(now);
  return { from: addDays(to, -(days - 1)), to };
}

/** Which preset a period is (7, 30, 90), or 'custom'. */
export function presetOf(period: AnalyticsPeriod, now = new Date()): number | 'custom' {
  return PRESETS.find((days) => {
    const preset = presetPeriod(days, now);
    return preset.from === period.from && preset.to === period.to;
  }) ?? 'custom';
}

/** The filter a URL's query names (?from&to&department); the last 30 days when it names none or a bad one. */
export function filterFromQuery(search: Pick<URLSearchParams, 'get' | 'has'>, now = new Date()): AnalyticsFilter {
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const period = isDay(from) && isDay(to) ? { from, to } : presetPeriod(DEFAULT_PRESET, now);
  return { ...period, department: search.has('department') ? search.get('department') : null };
}

/** The query string of a filter (no leading `?`). */
export function filterQuery(filter: AnalyticsFilter, extra: Record<string, string> = {}): string {
  const search = new URLSearchParams({ from: filter.from, to: filter.to });
  if (filter.department !== null) search.set('department', filter.department);
  for (const [key, value] of Object.entries(extra)) search.set(key, value);
  return search.toString();
}

/** The CSV download of one table with the filter's period and department (the session cookie authorizes it). */
export function csvHref(filter: AnalyticsFilter, table: CsvTable): string {
  return `/api/v1/kith/analytics/export.csv?${filterQuery(filter, { table })}`;
}

function queryOf(filter: AnalyticsFilter): { from: string; to: string; department?: string } {
  return filter.department === null ? { from: filter.from, to: filter.to } : { from: filter.from, to: filter.to, department: filter.department };
}

/** The dashboard's figures for a filter. */
export function fetchDashboard(filter: AnalyticsFilter): Promise<AdoptionDashboard> {
  return api.get<AdoptionDashboard, '/api/v1/kith/analytics'>('/api/v1/kith/analytics', { query: queryOf(filter) });
}

/** Registered accounts with no activity in the filter's period (admins only). */
export function fetchInactive(filter: AnalyticsFilter): Promise<InactiveAccount[]> {
  return api.get<InactiveAccount[], '/api/v1/kith/analytics/inactive'>('/api/v1/kith/analytics/inactive', { query: queryOf(filter) });
}

/** Every linked instance's shared figures for a period, this instance first. */
export function fetchCompany(period: AnalyticsPeriod): Promise<CompanyAdoption> {
  return api.get<CompanyAdoption, '/api/v1/kith/analytics/company'>('/api/v1/kith/analytics/company', { query: { from: period.from, to: period.to } });
}

export function fetchSettings(): Promise<AnalyticsSettings> {
  return api.get<AnalyticsSettings, '/api/v1/kith/admin/analytics/settings'>('/api/v1/kith/admin/analytics/settings');
}

export function saveSettings(patch: Partial<AnalyticsSettings>): Promise<AnalyticsSettings> {
  return api.put<AnalyticsSettings, '/api/v1/kith/admin/analytics/settings'>('/api/v1/kith/admin/analytics/settings', { body: patch });
}

export function fetchAchievements(accountId: string): Promise<Achievements> {
  return api.get<Achievements, '/api/v1/kith/accounts/{id}/achievements'>('/api/v1/kith/accounts/{id}/achievements', { params: { id: accountId } });
}

const counts = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimals = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const percents = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/** A count as the reader's locale writes it ("1,234"). */
export function formatCount(value: number): string {
  return counts.format(value);
}

/** An average, with at most one decimal ("12.3"). */
export function formatDecimal(value: number): string {
  return decimals.format(value);
}

/** A ratio (0.4567) as a percentage with at most one decimal ("45.7%"). */
export function formatShare(value: number): string {
  return percents.format(Number.isFinite(value) ? value : 0);
}

/** A UTC day as a short date in the reader's language ("Mar 4"); with the year when asked. */
export function formatDay(day: string, withYear = false): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: withYear ? 'numeric' : undefined, timeZone: 'UTC' });
}

/** How a department reads: people with none are grouped under a name that says so. */
export function departmentName(department: string): string {
  return department === '' ? 'No department' : department;
}

/** Each feature in plain words, for people who do not know the API. */
export const FEATURE_NAMES: Record<string, string> = {
  read: 'Reading',
  post: 'Posting',
  reply: 'Replying',
  favourite: 'Favourites',
  boost: 'Boosts',
  follow: 'Following people',
  search: 'Search',
  proposal: 'Proposing for the company',
  approval: 'Reviewing proposals',
  relay: 'Relaying news',
  onboarding: 'Getting started checklist',
  other: 'Other actions',
};

export function featureName(feature: string): string {
  return FEATURE_NAMES[feature] ?? feature;
}
