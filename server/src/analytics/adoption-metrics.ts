// The adoption figures of issue 6, computed from the daily rollups (usage_days) and the accounts:
// pure functions, no MongoDB, so the exact definitions of the analytics contract are unit-tested
// case by case and the service only loads the rows and accounts they need.
import {
  ACTION_FEATURES, MIN_SHARED_GROUP, clientName, OTHER_API_CLIENT, OTHER_DEPARTMENTS, USAGE_FEATURES,
  type AdoptionReport, type DepartmentAdoption, type UsageDayRecord, type UsagePeriod,
} from './usage.types.ts';

import type {
  AdoptionDashboard, ClientFigures, DailyFigures, DepartmentFigures, DeviceFigures, FeatureFigures, InactiveAccount, WeeklyFigures,
} from './adoption-figures.types.ts';

export type {
  AdoptionDashboard, ClientFigures, CrossInstanceFigures, DailyFigures, DashboardSummary, DepartmentFigures, DeviceFigures, FeatureFigures,
  InactiveAccount, LeaderFigures, WeeklyFigures,
} from './adoption-figures.types.ts';

/** What the figures read of a local person (AccountsService.localPeople gives these). */
export interface AnalyticsPerson {
  _id: string;
  username: string;
  displayName: string;
  /** The Department profile field ('' when empty). */
  department: string;
  createdAt: Date;
  suspended: boolean;
  leader?: boolean;
}

/** Everything the figures of one period are computed from. */
export interface MetricsInput {
  period: UsagePeriod;
  /** The usage_days rows of rowsWindow(period) that count (countedRows), all departments. */
  rows: readonly UsageDayRecord[];
  /** Every local person, suspended or not. */
  people: readonly AnalyticsPerson[];
  /** The people whose onboarding checklist is finished. */
  activated: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------------
// Days

/** The UTC day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

/** The Monday (UTC, ISO week) of a day's week. */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

/**
 * The days whose rows a period's figures read: the MAU of its first day looks 29 days back. Departments
 * with rows in this window (or registered accounts) are listed.
 */
export function rowsWindow(period: UsagePeriod): UsagePeriod {
  return { from: addDays(period.from, -29), to: period.to };
}

function endOfDay(day: string): number {
  return Date.parse(`${day}T23:59:59.999Z`);
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// One group of accounts (everyone, a department, the small departments folded together)

interface Tally {
  events: number;
  accounts: Set<string>;
}

function tally(into: Map<string, Tally>, counts: Record<string, number | undefined> | undefined, account: string, nameOf = (key: string) => key): void {
  for (const [key, n] of Object.entries(counts ?? {})) {
    if (!n || n <= 0) continue;
    const name = nameOf(key);
    let t = into.get(name);
    if (!t) into.set(name, (t = { events: 0, accounts: new Set() }));
    t.events += n;
    t.accounts.add(account);
  }
}

/** A group's figures over a period: the daily series and the period's totals. */
interface GroupFigures {
  daily: DailyFigures[];
  registered: AnalyticsPerson[];
  activated: number;
  /** Accounts with a row in the period. */
  active: Set<string>;
  averageDau: number;
  events: number;
  features: Map<string, Tally>;
  clients: Map<string, Tally>;
  devices: Map<string, Tally>;
  follows: number;
  crossFollows: number;
  replies: number;
  crossReplies: number;
  leaders: number;
  activeLeaders: number;
  leaderPosts: number;
  leaderReplies: number;
}

/**
 * The figures of the group whose rows and people are given (already filtered to the group). Rows cover
 * rowsWindow(period); DAU/WAU/MAU slide over them day by day, so a year costs one pass.
 */
function groupFigures(rows: readonly UsageDayRecord[], people: readonly AnalyticsPerson[], activated: ReadonlySet<string>, period: UsagePeriod): GroupFigures {
  const window = rowsWindow(period);
  const byDay = new Map<string, UsageDayRecord[]>();
  for (const row of rows) {
    if (row.day < window.from || row.day > window.to) continue;
    let list = byDay.get(row.day);
    if (!list) byDay.set(row.day, (list = []));
    list.push(row);
  }
  const counted = people.filter((p) => !p.suspended).map((p) => p.createdAt.getTime()).sort((a, b) => a - b);
  let registeredUpTo = 0;

  const week = new Map<string, number>();
  const month = new Map<string, number>();
  const add = (m: Map<string, number>, list: UsageDayRecord[] | undefined) => list?.forEach((r) => m.set(r.account, (m.get(r.account) ?? 0) + 1));
  const remove = (m: Map<string, number>, list: UsageDayRecord[] | undefined) => list?.forEach((r) => {
    const n = (m.get(r.account) ?? 0) - 1;
    if (n <= 0) m.delete(r.account);
    else m.set(r.account, n);
  });

  const daily: DailyFigures[] = [];
  for (const day of daysBetween(window.from, window.to)) {
    const today = byDay.get(day);
    add(week, today);
    add(month, today);
    remove(week, byDay.get(addDays(day, -7)));
    remove(month, byDay.get(addDays(day, -30)));
    if (day < period.from) continue;
    const end = endOfDay(day);
    while (registeredUpTo < counted.length && (counted[registeredUpTo] as number) <= end) registeredUpTo++;
    daily.push({
      day,
      dau: new Set(today?.map((r) => r.account)).size,
      wau: week.size,
      mau: month.size,
      registered: registeredUpTo,
      events: (today ?? []).reduce((s, r) => s + (r.events ?? 0), 0),
    });
  }

  const endOfPeriod = endOfDay(period.to);
  const registered = people.filter((p) => !p.suspended && p.createdAt.getTime() <= endOfPeriod);
  const leaderIds = new Set(registered.filter((p) => p.leader === true).map((p) => p._id));
  const figures: GroupFigures = {
    daily, registered, activated: registered.filter((p) => activated.has(p._id)).length, active: new Set(),
    averageDau: daily.reduce((s, d) => s + d.dau, 0) / daily.length, events: 0,
    features: new Map(), clients: new Map(), devices: new Map(),
    follows: 0, crossFollows: 0, replies: 0, crossReplies: 0,
    leaders: leaderIds.size, activeLeaders: 0, leaderPosts: 0, leaderReplies: 0,
  };
  const activeLeaders = new Set<string>();
  for (const row of rows) {
    if (row.day < period.from || row.day > period.to) continue;
    figures.active.add(row.account);
    figures.events += row.events ?? 0;
    tally(figures.features, row.features, row.account);
    tally(figures.clients, row.clients, row.account, clientName);
    tally(figures.devices, row.devices, row.account);
    figures.follows += row.follows ?? 0;
    figures.crossFollows += row.crossFollows ?? 0;
    figures.replies += row.replies ?? 0;
    figures.crossReplies += row.crossReplies ?? 0;
    if (leaderIds.has(row.account)) {
      activeLeaders.add(row.account);
      figures.leaderPosts += row.features?.post ?? 0;
      figures.leaderReplies += row.features?.reply ?? 0;
    }
  }
  figures.activeLeaders = activeLeaders.size;
  return figures;
}

function lastOf(figures: GroupFigures): DailyFigures {
  return figures.daily[figures.daily.length - 1] as DailyFigures;
}

/** Every department with registered accounts on the period's last day or rows in its window, by name. */
function departmentNames(input: MetricsInput): string[] {
  const end = endOfDay(input.period.to);
  const window = rowsWindow(input.period);
  const names = new Set<string>();
  for (const p of input.people) if (!p.suspended && p.createdAt.getTime() <= end) names.add(p.department);
  for (const r of input.rows) if (r.day >= window.from && r.day <= window.to) names.add(r.department);
  return [...names].sort(byName);
}

function ofDepartments(input: MetricsInput, keep: (department: string) => boolean): GroupFigures {
  return groupFigures(input.rows.filter((r) => keep(r.department)), input.people.filter((p) => keep(p.department)), input.activated, input.period);
}

// ---------------------------------------------------------------------------------------------
// The dashboard

/**
 * The dashboard's figures (GET /api/v1/kith/analytics) for a period, of one department (its rows and the
 * people whose Department field is it) or of everyone (null). The departments table ignores the filter.
 */
export function dashboard(input: MetricsInput, department: string | null): AdoptionDashboard {
  const { period } = input;
  const g = department === null ? groupFigures(input.rows, input.people, input.activated, period) : ofDepartments(input, (d) => d === department);
  const last = lastOf(g);
  const registered = g.registered.length;

  // One pass over the rows: each row of the period goes to its week.
  const weeks = new Map<string, { active: Set<string>; events: number }>();
  for (const row of input.rows) {
    if (row.day < period.from || row.day > period.to || (department !== null && row.department !== department)) continue;
    const monday = mondayOf(row.day);
    let week = weeks.get(monday);
    if (!week) weeks.set(monday, (week = { active: new Set(), events: 0 }));
    week.active.add(row.account);
    week.events += row.events ?? 0;
  }
  const weekly: WeeklyFigures[] = [];
  for (let monday = mondayOf(period.from); monday <= period.to; monday = addDays(monday, 7)) {
    const sunday = addDays(monday, 6);
    const week = weeks.get(monday);
    weekly.push({
      week: monday, from: monday < period.from ? period.from : monday, to: sunday > period.to ? period.to : sunday,
      active: week?.active.size ?? 0, events: week?.events ?? 0,
    });
  }

  const departments = departmentNames(input).map((name): DepartmentFigures => {
    const d = ofDepartments(input, (x) => x === name);
    const end = lastOf(d);
    return {
      department: name, registered: d.registered.length, active: d.active.size, dau: end.dau, wau: end.wau, mau: end.mau,
      mau_share: ratio(end.mau, d.registered.length), activated: d.activated, activation_share: ratio(d.activated, d.registered.length), events: d.events,
    };
  });

  return {
    period: { from: period.from, to: period.to },
    department,
    summary: {
      registered, dau: last.dau, wau: last.wau, mau: last.mau,
      dau_share: ratio(last.dau, registered), wau_share: ratio(last.wau, registered), mau_share: ratio(last.mau, registered),
      average_dau: g.averageDau, stickiness: ratio(g.averageDau, last.mau),
      activated: g.activated, activation_share: ratio(g.activated, registered), events: g.events,
    },
    daily: g.daily,
    weekly,
    departments,
    features: USAGE_FEATURES.map((feature): FeatureFigures => {
      const t = g.features.get(feature);
      const share = ratio(t?.accounts.size ?? 0, g.active.size);
      return { feature, events: t?.events ?? 0, accounts: t?.accounts.size ?? 0, account_share: share, underused: ACTION_FEATURES.includes(feature) && share < 0.1 };
    }),
    clients: [...g.clients].map(([client, t]): ClientFigures => ({ client, events: t.events, accounts: t.accounts.size }))
      .sort((a, b) => b.events - a.events || byName(a.client, b.client)),
    devices: (['desktop', 'mobile'] as const).map((device): DeviceFigures => ({
      device, events: g.devices.get(device)?.events ?? 0, accounts: g.devices.get(device)?.accounts.size ?? 0,
    })),
    cross_instance: {
      follows: g.follows, cross_follows: g.crossFollows, follow_share: ratio(g.crossFollows, g.follows),
      replies: g.replies, cross_replies: g.crossReplies, reply_share: ratio(g.crossReplies, g.replies),
    },
    leaders: { leaders: g.leaders, active: g.activeLeaders, active_share: ratio(g.activeLeaders, g.leaders), posts: g.leaderPosts, replies: g.leaderReplies },
  };
}

// ---------------------------------------------------------------------------------------------
// What instances share

/** Named clients per shared row at most: with OTHER_API_CLIENT, the 50 a peer accepts. */
export const MAX_SHARED_CLIENTS = 49;
/** Keys a shared map never holds: prototype traps, which a peer's validator refuses outright. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A group's events per client as shared. Client names are free text (anyone may name an OAuth app
 * "Jane Doe's bot"), so a client is named only when at least MIN_SHARED_GROUP of the group's accounts
 * used it in the period, and at most MAX_SHARED_CLIENTS of them (most events first, ties by name);
 * every other event counts under OTHER_API_CLIENT.
 */
function sharedClients(clients: ReadonlyMap<string, Tally>): Record<string, number> {
  let other = 0;
  const named: [string, number][] = [];
  for (const [client, t] of clients) {
    if (client === OTHER_API_CLIENT || UNSAFE_KEYS.has(client) || t.accounts.size < MIN_SHARED_GROUP) other += t.events;
    else named.push([client, t.events]);
  }
  named.sort((a, b) => b[1] - a[1] || byName(a[0], b[0]));
  for (const [, events] of named.splice(MAX_SHARED_CLIENTS)) other += events;
  const shared: Record<string, number> = Object.fromEntries(named);
  if (other > 0) shared[OTHER_API_CLIENT] = other;
  return shared;
}

function adoptionRow(name: string, g: GroupFigures): DepartmentAdoption {
  const last = lastOf(g);
  const registered = g.registered.length;
  // Fewer leaders than a shared group: their activity would be one person's, so neither count leaves.
  const leaders = g.leaders >= MIN_SHARED_GROUP;
  return {
    department: name,
    registered,
    dau: last.dau, wau: last.wau, mau: last.mau,
    mau_share: ratio(last.mau, registered),
    average_dau: g.averageDau,
    stickiness: ratio(g.averageDau, last.mau),
    activated: g.activated,
    activation_share: ratio(g.activated, registered),
    events: g.events,
    features: Object.fromEntries(USAGE_FEATURES.map((f) => [f, g.features.get(f)?.events ?? 0])),
    clients: sharedClients(g.clients),
    devices: { desktop: g.devices.get('desktop')?.events ?? 0, mobile: g.devices.get('mobile')?.events ?? 0 },
    cross_instance_follow_share: ratio(g.crossFollows, g.follows),
    cross_instance_reply_share: ratio(g.crossReplies, g.replies),
    leaders: leaders ? g.leaders : 0,
    active_leaders: leaders ? g.activeLeaders : 0,
  };
}

/**
 * Each department's adoption as it may leave the instance: departments with fewer than MIN_SHARED_GROUP
 * registered accounts are folded into one last row, OTHER_DEPARTMENTS, computed over their union (so a
 * person is never singled out by a tiny group); by name otherwise. The fold must itself be such a group:
 * while it is smaller, the smallest named department (fewest registered, ties by name) joins it. An
 * instance with fewer than MIN_SHARED_GROUP registered people shares no department.
 */
export function departmentAdoption(input: MetricsInput): DepartmentAdoption[] {
  const names = departmentNames(input);
  const end = endOfDay(input.period.to);
  const size = new Map<string, number>();
  for (const p of input.people) if (!p.suspended && p.createdAt.getTime() <= end) size.set(p.department, (size.get(p.department) ?? 0) + 1);
  const sizeOf = (name: string): number => size.get(name) ?? 0;
  if (names.reduce((s, n) => s + sizeOf(n), 0) < MIN_SHARED_GROUP) return [];
  const folded = new Set(names.filter((n) => sizeOf(n) < MIN_SHARED_GROUP));
  const joinable = names.filter((n) => !folded.has(n)).sort((a, b) => sizeOf(a) - sizeOf(b) || byName(a, b));
  let foldSize = [...folded].reduce((s, n) => s + sizeOf(n), 0);
  for (const name of joinable) {
    if (folded.size === 0 || foldSize >= MIN_SHARED_GROUP) break;
    folded.add(name);
    foldSize += sizeOf(name);
  }
  const rows = names.filter((n) => !folded.has(n)).map((n) => adoptionRow(n, ofDepartments(input, (d) => d === n)));
  if (folded.size > 0) rows.push(adoptionRow(OTHER_DEPARTMENTS, ofDepartments(input, (d) => folded.has(d))));
  return rows;
}

/**
 * The AdoptionReport an instance answers a linked instance with: counts and shares only. An instance with
 * fewer than MIN_SHARED_GROUP registered people shares a total of zeros and no department.
 */
export function adoptionReport(instance: string, input: MetricsInput): AdoptionReport {
  const { period } = input;
  const all = groupFigures(input.rows, input.people, input.activated, period);
  const tooFew = all.registered.length < MIN_SHARED_GROUP;
  return {
    instance,
    period: { from: period.from, to: period.to },
    total: adoptionRow(instance, tooFew ? groupFigures([], [], input.activated, period) : all),
    departments: tooFew ? [] : departmentAdoption(input),
  };
}

/**
 * The rows that count: those of people of this instance who are not suspended. A suspended person is
 * neither registered nor active, so no share can pass 100% by counting them on one side only.
 */
export function countedRows(rows: readonly UsageDayRecord[], people: readonly AnalyticsPerson[]): UsageDayRecord[] {
  const counted = new Set(people.filter((p) => !p.suspended).map((p) => p._id));
  return rows.filter((r) => counted.has(r.account));
}

/** DAU, WAU, MAU and registered accounts on one day, from the rows of its last 30 days. */
export function activeCounts(rows: readonly UsageDayRecord[], people: readonly AnalyticsPerson[], day: string): { dau: number; wau: number; mau: number; registered: number } {
  const active = (from: string) => new Set(rows.filter((r) => r.day >= from && r.day <= day).map((r) => r.account)).size;
  const end = endOfDay(day);
  return {
    dau: active(day), wau: active(addDays(day, -6)), mau: active(addDays(day, -29)),
    registered: people.filter((p) => !p.suspended && p.createdAt.getTime() <= end).length,
  };
}

/**
 * Registered people (on the period's last day, of the department if given) without any row in the
 * period, by username; last_active is their latest active day (lastActive, from usage_days).
 */
export function inactiveAccounts(
  people: readonly AnalyticsPerson[], activeInPeriod: ReadonlySet<string>, lastActive: ReadonlyMap<string, string>, period: UsagePeriod, department: string | null,
): InactiveAccount[] {
  const end = endOfDay(period.to);
  return people
    .filter((p) => !p.suspended && p.createdAt.getTime() <= end && (department === null || p.department === department) && !activeInPeriod.has(p._id))
    .sort((a, b) => byName(a.username, b.username))
    .map((p) => ({ id: p._id, username: p.username, display_name: p.displayName, department: p.department, leader: p.leader === true, last_active: lastActive.get(p._id) ?? null }));
}
