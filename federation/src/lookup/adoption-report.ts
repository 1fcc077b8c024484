// A department's aggregate adoption report (issue 6, item 3; docs/connectors-design.md §8): what one
// instance shares with the members of its company network, read with a signed GET as the instance actor
// (`<department actor>/adoption?from=YYYY-MM-DD&to=YYYY-MM-DD`) through the guarded loader.
// `sharedAdoptionReport` rebuilds a report from the fields declared here and nothing else: the fetching
// side runs every peer's answer through it (anything malformed is refused, anything undeclared is
// dropped), and the serving side runs its own report through it before it leaves.
import type { Federation } from '@fedify/fedify';
import { INSTANCE_ACTOR, type KithCtx } from '../context.ts';

/** A closed period of whole UTC days. */
export interface SharedPeriod {
  from: string;
  to: string;
}

/** One department's figures as shared: counts, shares and names of departments, features and clients. */
export interface SharedDepartmentAdoption {
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
  devices: { desktop: number; mobile: number };
  cross_instance_follow_share: number;
  cross_instance_reply_share: number;
  leaders: number;
  active_leaders: number;
}

/** The report (a structural copy of the server's AdoptionReport, server/src/analytics/usage.types.ts). */
export interface SharedAdoptionReport {
  instance: string;
  period: SharedPeriod;
  total: SharedDepartmentAdoption;
  departments: SharedDepartmentAdoption[];
}

/** The keys a served report's JSON may hold, at any depth, besides feature and client names. */
export const SHARED_REPORT_KEYS: readonly string[] = [
  'id', 'instance', 'period', 'from', 'to', 'total', 'departments', 'department', 'registered', 'dau', 'wau', 'mau', 'mau_share',
  'average_dau', 'stickiness', 'activated', 'activation_share', 'events', 'features', 'clients', 'devices', 'desktop', 'mobile',
  'cross_instance_follow_share', 'cross_instance_reply_share', 'leaders', 'active_leaders',
];

export const MAX_NAME_LENGTH = 100;
export const MAX_DEPARTMENTS = 200;
export const MAX_CLIENTS = 50;
const MAX_FEATURES = 50;
/** Longest period a report covers (as the dashboard, analytics-period.ts). */
export const MAX_PERIOD_DAYS = 366;

const COUNTS = ['registered', 'dau', 'wau', 'mau', 'activated', 'events', 'leaders', 'active_leaders'] as const;
/** Shares of a subset (activated ⊆ registered, cross-instance ⊆ all): within [0, 1]. */
const SHARES = ['activation_share', 'cross_instance_follow_share', 'cross_instance_reply_share'] as const;
/**
 * Ratios that may pass 1: stickiness (a busy period ending quietly), and mau_share, whose active
 * accounts include ones suspended since and ones that moved department, which registered(to) leaves out.
 */
const RATIOS = ['mau_share', 'average_dau', 'stickiness'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A peer's report was malformed: the reason, short, without the peer's content. */
export class InvalidAdoptionReport extends Error {
  override name = 'InvalidAdoptionReport';
}

function fail(reason: string): never {
  throw new InvalidAdoptionReport(reason);
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${where} is not an object`);
  return value as Record<string, unknown>;
}

function name(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH) fail(`${where} is not a string of at most ${MAX_NAME_LENGTH} characters`);
  return value;
}

function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${where} is not a non-negative integer`);
  return value;
}

function ratio(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${where} is not a finite non-negative number`);
  return value;
}

function share(value: unknown, where: string): number {
  const n = ratio(value, where);
  if (n > 1) fail(`${where} is above 1`);
  return n;
}

/** Whether `day` is a real calendar day written YYYY-MM-DD. */
export function isDay(day: unknown): day is string {
  return typeof day === 'string' && DAY.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
}

/** A period of real days, from ≤ to, at most MAX_PERIOD_DAYS long; null otherwise. */
export function sharedPeriod(from: unknown, to: unknown): SharedPeriod | null {
  if (!isDay(from) || !isDay(to) || from > to) return null;
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  return days <= MAX_PERIOD_DAYS ? { from, to } : null;
}

/**
 * Names → counts, at most `max` entries, names ≤ MAX_NAME_LENGTH characters. The names are the peer's
 * free text: a failure says where and why, never which name or value (the reason reaches the view and logs).
 */
function counts(value: unknown, where: string, max: number): Record<string, number> {
  const source = object(value, where);
  const keys = Object.keys(source);
  if (keys.length > max || keys.some((key) => FORBIDDEN_KEYS.has(key) || key.length > MAX_NAME_LENGTH)) fail(`${where}: too many or invalid names`);
  const result: Record<string, number> = {};
  for (const key of keys) {
    const n = source[key];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) fail(`${where}: a count is not a non-negative integer`);
    result[key] = n;
  }
  return result;
}

function department(value: unknown, where: string): SharedDepartmentAdoption {
  const source = object(value, where);
  const devices = object(source.devices, `${where}.devices`);
  const row = {
    department: name(source.department, `${where}.department`),
    features: counts(source.features, `${where}.features`, MAX_FEATURES),
    clients: counts(source.clients, `${where}.clients`, MAX_CLIENTS),
    devices: { desktop: count(devices.desktop, `${where}.devices.desktop`), mobile: count(devices.mobile, `${where}.devices.mobile`) },
  } as SharedDepartmentAdoption;
  for (const key of COUNTS) row[key] = count(source[key], `${where}.${key}`);
  for (const key of SHARES) row[key] = share(source[key], `${where}.${key}`);
  for (const key of RATIOS) row[key] = ratio(source[key], `${where}.${key}`);
  // Key order as declared, so what is served reads the same whatever the source's order.
  return {
    department: row.department, registered: row.registered, dau: row.dau, wau: row.wau, mau: row.mau, mau_share: row.mau_share,
    average_dau: row.average_dau, stickiness: row.stickiness, activated: row.activated, activation_share: row.activation_share,
    events: row.events, features: row.features, clients: row.clients, devices: row.devices,
    cross_instance_follow_share: row.cross_instance_follow_share, cross_instance_reply_share: row.cross_instance_reply_share,
    leaders: row.leaders, active_leaders: row.active_leaders,
  };
}

/**
 * The report rebuilt from its declared fields only; throws InvalidAdoptionReport when a field is missing
 * or out of bounds (numbers finite and non-negative, counts integers, subset shares in [0, 1], names ≤ 100
 * characters, ≤ 200 departments, ≤ 50 clients), or when it is not for `period` (when given).
 */
export function sharedAdoptionReport(value: unknown, period?: SharedPeriod): SharedAdoptionReport {
  const source = object(value, 'report');
  const asked = object(source.period, 'period');
  const got = sharedPeriod(asked.from, asked.to);
  if (!got) fail('period is not a valid period');
  if (period && (got.from !== period.from || got.to !== period.to)) fail('period is not the one asked for');
  if (!Array.isArray(source.departments)) fail('departments is not an array');
  if (source.departments.length > MAX_DEPARTMENTS) fail(`more than ${MAX_DEPARTMENTS} departments`);
  return {
    instance: name(source.instance, 'instance'),
    period: got,
    total: department(source.total, 'total'),
    departments: source.departments.map((row, i) => department(row, `departments[${i}]`)),
  };
}

/** The URL of a department actor's report for a period. */
export function adoptionReportUrl(actorUri: string, period: SharedPeriod): string {
  return `${actorUri.replace(/\/$/, '')}/adoption?from=${period.from}&to=${period.to}`;
}

/**
 * Reads another department's report with a signed GET as the instance actor (allowed hosts only, type,
 * size and id checked by the loader) and validates it. Throws on a refusal, a failure or a malformed report.
 */
export async function fetchAdoptionReport(federation: Federation<KithCtx>, origin: string, actorUri: string, period: SharedPeriod): Promise<SharedAdoptionReport> {
  const ctx = federation.createContext(new URL(origin), { signer: null });
  const loader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const { document } = await loader(adoptionReportUrl(actorUri, period));
  return sharedAdoptionReport(document, period);
}
