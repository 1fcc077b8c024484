// Generated usage for the adoption analytics tests (issue 6): a seeded population of accounts in
// departments, and weeks of usage events, written into a real instance; and the figures the API must
// return, computed INDEPENDENTLY from the raw events (never from usage_days, never with
// server/src/analytics/adoption-metrics.ts), straight from the definitions of the analytics contract.
//
// API (kept small and stable; H3's two-instance test and H4's Prometheus test import it):
//   planUsage(options)                       → UsagePlan: accounts (with ids) + events, pure and seeded
//   seedUsage(instance, plan)                → writes the accounts, leaders, onboarding and events
//   factsOf(record, activated?)              → an ExpectedAccount for an account the test made itself
//   expectedDashboard(accounts, events, period, department|null)  → GET /api/v1/kith/analytics body
//   expectedInactive(accounts, events, period, department|null)   → GET …/analytics/inactive body
//   expectedReport(instance, accounts, events, period)            → AdoptionReport
//   expectedActiveCounts(accounts, events, day)                   → { dau, wau, mau, registered }
//   addDays(day, n), today()                 → YYYY-MM-DD helpers
// `accounts` given to the expected* functions must be EVERY local person account of the instance
// (the plan's, plus the admin/connector/member the test created: use factsOf for those).
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import type { TestInstance } from '../harness.ts';
import { accountSearchPrefixes, type AccountRecord } from '../../src/accounts/accounts.store.ts';
import { newId } from '../../src/shared/ids.ts';
import { ONBOARDING_STEPS } from '../../src/onboarding/onboarding.service.ts';
import {
  ACTION_FEATURES, MIN_SHARED_GROUP, OTHER_API_CLIENT, OTHER_DEPARTMENTS, PWA_CLIENT, USAGE_FEATURES, WEB_CLIENT, usageDay,
  type AdoptionReport, type DepartmentAdoption, type UsageDevice, type UsageEvent, type UsageFeature, type UsagePeriod,
} from '../../src/analytics/usage.types.ts';
import type { AdoptionDashboard, InactiveAccount } from '../../src/analytics/adoption-metrics.ts';

// ---------------------------------------------------------------------------------------------
// Days

/** The UTC day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Today, UTC, YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

function endOfDay(day: string): number {
  return Date.parse(`${day}T23:59:59.999Z`);
}

function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

// ---------------------------------------------------------------------------------------------
// The plan

/** A department of the generated population: its name, how many accounts, how active (0..1). */
export interface GeneratedDepartment {
  name: string;
  accounts: number;
  activity: number;
}

/** 200 accounts in 5 departments of very different activity. */
export const DEFAULT_DEPARTMENTS: readonly GeneratedDepartment[] = [
  { name: 'Engineering', accounts: 60, activity: 0.7 },
  { name: 'Finance', accounts: 30, activity: 0.25 },
  { name: 'Legal', accounts: 20, activity: 0.12 },
  { name: 'Sales', accounts: 50, activity: 0.55 },
  { name: 'Support', accounts: 40, activity: 0.4 },
];

export interface UsagePlanOptions {
  /** PRNG seed (default 6). Same seed, same plan (but for the ids). */
  seed?: number;
  /** Simulated days, ending on lastDay (default 60). */
  days?: number;
  /** Last simulated day (default: yesterday, UTC, so accounts a test creates now are not registered in it). */
  lastDay?: string;
  departments?: readonly GeneratedDepartment[];
  /** Username prefix, e.g. to tell two instances' accounts apart (default 'gen'). */
  prefix?: string;
}

/** An account as the expected figures need it. */
export interface ExpectedAccount {
  id: string;
  username: string;
  displayName: string;
  /** The Department profile field. */
  department: string;
  createdAt: Date;
  suspended: boolean;
  leader: boolean;
  /** Onboarding checklist finished. */
  activated: boolean;
}

export interface PlannedAccount extends ExpectedAccount {
  /** Some onboarding steps marked, not all (not activated): checks activation is not "any step". */
  partlyOnboarded: boolean;
}

export interface UsagePlan {
  firstDay: string;
  lastDay: string;
  accounts: PlannedAccount[];
  /** Ordered by `at`. */
  events: UsageEvent[];
}

/** mulberry32: a small seeded PRNG, [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Weights of the features an active account uses; approval and relay are rare (underused).
const FEATURE_WEIGHTS: [UsageFeature, number][] = [
  ['read', 40], ['post', 12], ['reply', 10], ['favourite', 12], ['boost', 4], ['follow', 6], ['search', 5],
  ['proposal', 2], ['approval', 0.05], ['relay', 0.08], ['onboarding', 1], ['other', 2],
];
// Each account's main client, and the device it runs on. 'Elk.zone' checks that a dot in a client name survives the rollup's field names.
const CLIENTS: { client: string; weight: number; mobile: number }[] = [
  { client: WEB_CLIENT, weight: 50, mobile: 0.08 },
  { client: 'Tusky', weight: 20, mobile: 1 },
  { client: PWA_CLIENT, weight: 15, mobile: 0.7 },
  { client: 'Elk.zone', weight: 8, mobile: 0.2 },
  { client: 'Other API clients', weight: 7, mobile: 0 },
];

function pick<T>(random: () => number, items: readonly T[], weight: (t: T) => number): T {
  const total = items.reduce((s, t) => s + weight(t), 0);
  let r = random() * total;
  for (const item of items) {
    r -= weight(item);
    if (r < 0) return item;
  }
  return items[items.length - 1] as T;
}

/**
 * A seeded population and its usage: half the accounts exist before the first day, the rest are created
 * over the days (so registered(d) grows); ~8% leaders, ~55% activated, ~15% partly onboarded, 3 suspended
 * (their events count nowhere: a suspended person is neither registered nor active). Each active day an account makes 1–6
 * events, less on weekends; follows and replies cross instances ~30% of the time.
 */
export function planUsage(options: UsagePlanOptions = {}): UsagePlan {
  const random = prng(options.seed ?? 6);
  const days = options.days ?? 60;
  const lastDay = options.lastDay ?? addDays(today(), -1);
  const firstDay = addDays(lastDay, -(days - 1));
  const prefix = options.prefix ?? 'gen';
  const departments = options.departments ?? DEFAULT_DEPARTMENTS;
  const firstMs = Date.parse(`${firstDay}T00:00:00Z`);
  const spanMs = endOfDay(lastDay) + 1 - firstMs;

  const accounts: PlannedAccount[] = [];
  const events: UsageEvent[] = [];
  let n = 0;
  for (const department of departments) {
    for (let i = 0; i < department.accounts; i++, n++) {
      const createdAt = random() < 0.5
        ? new Date(firstMs - Math.floor(random() * 20 * 86_400_000) - 1)
        : new Date(firstMs + Math.floor(random() * spanMs));
      const onboarding = random();
      const account: PlannedAccount = {
        id: newId(createdAt),
        username: `${prefix}${n}`,
        displayName: `${department.name} person ${i}`,
        department: department.name,
        createdAt,
        suspended: n % 67 === 5,
        leader: random() < 0.08,
        activated: onboarding < 0.55,
        partlyOnboarded: onboarding >= 0.55 && onboarding < 0.7,
      };
      accounts.push(account);

      const zeal = 0.3 + random(); // this person's own activity
      const main = pick(random, CLIENTS, (c) => c.weight);
      const startDay = account.createdAt.getTime() < firstMs ? firstDay : usageDay(account.createdAt);
      for (const day of daysOf(startDay, lastDay)) {
        const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
        const weekend = weekday === 0 || weekday === 6 ? 0.25 : 1;
        if (random() >= Math.min(0.95, department.activity * zeal * weekend)) continue;
        const dayStart = Math.max(Date.parse(`${day}T00:00:00Z`), account.createdAt.getTime() + 1);
        const count = 1 + Math.floor(random() * 6);
        for (let e = 0; e < count; e++) {
          // Leaders post and relay more.
          const feature = pick(random, FEATURE_WEIGHTS, ([f, w]) => (account.leader && (f === 'post' || f === 'relay') ? 3 * w : w))[0];
          const client = random() < 0.9 ? main : pick(random, CLIENTS, (c) => c.weight);
          const event: UsageEvent = {
            accountId: account.id,
            department: account.department,
            feature,
            client: client.client,
            device: random() < client.mobile ? 'mobile' : 'desktop',
            at: new Date(dayStart + Math.floor(random() * (endOfDay(day) - dayStart))),
          };
          if (feature === 'follow' || feature === 'reply') event.crossInstance = random() < 0.3;
          events.push(event);
        }
      }
    }
  }
  events.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { firstDay, lastDay, accounts, events };
}

// ---------------------------------------------------------------------------------------------
// Seeding a real instance

/**
 * Writes the plan into a running instance: the accounts straight into MongoDB (hashing 200 passwords
 * would take longer than the rest of the test; these accounts never sign in), leaders through
 * AccountsService.setLeader, onboarding through OnboardingService.complete, and the events through the
 * instance's usage recorder (services.usage), flushed at the end.
 */
export async function seedUsage(instance: TestInstance, plan: UsagePlan): Promise<void> {
  const client = await MongoClient.connect(inject('mongoUrl'));
  try {
    const records = plan.accounts.map((a) => accountRecord(a));
    await client.db(instance.config.mongodbDatabase).collection<AccountRecord>('accounts').insertMany(records);
  } finally {
    await client.close();
  }
  const { services } = instance;
  for (const account of plan.accounts) {
    if (account.leader) await services.accounts.setLeader(account.id, true);
    if (account.activated) await services.onboarding.complete(account.id, [...ONBOARDING_STEPS]);
    else if (account.partlyOnboarded) await services.onboarding.complete(account.id, ['profile', 'first_post']);
  }
  for (const event of plan.events) services.usage.record(event);
  await services.usage.flush();
}

function accountRecord(a: PlannedAccount): AccountRecord {
  const username = a.username;
  return {
    _id: a.id,
    username,
    usernameLower: username.toLowerCase(),
    domain: null,
    email: `${username}@example.test`,
    emailLower: `${username}@example.test`,
    passwordHash: null,
    role: 'member',
    displayName: a.displayName,
    note: '',
    noteHtml: '',
    title: '',
    department: a.department,
    location: '',
    fields: [],
    locked: false,
    bot: false,
    discoverable: true,
    suspended: a.suspended,
    suspendedAt: a.suspended ? a.createdAt : null,
    avatarUrl: null,
    headerUrl: null,
    statusesCount: 0,
    followersCount: 0,
    followingCount: 0,
    lastStatusAt: null,
    defaultVisibility: 'public',
    defaultSensitive: false,
    defaultLanguage: null,
    searchPrefixes: accountSearchPrefixes({ username, displayName: a.displayName, title: '', department: a.department, location: '' }),
    createdAt: a.createdAt,
    updatedAt: a.createdAt,
    url: null,
    inboxUrl: null,
    sharedInboxUrl: null,
    followersUrl: null,
    fetchedAt: null,
  };
}

/** The facts about an account the test created itself (createUser): not a leader unless marked. */
export function factsOf(record: AccountRecord, activated = false): ExpectedAccount {
  return {
    id: record._id, username: record.username, displayName: record.displayName, department: record.department,
    createdAt: record.createdAt, suspended: record.suspended, leader: record.leader === true, activated,
  };
}

// ---------------------------------------------------------------------------------------------
// Expected figures, from the raw events

/** What one account did on one day: the rollup, rebuilt from the events. */
interface Activity {
  account: string;
  day: string;
  /** The department of the account's last event that day. */
  department: string;
  lastAt: number;
  events: number;
  features: Map<string, number>;
  clients: Map<string, number>;
  devices: Map<UsageDevice, number>;
  follows: number;
  crossFollows: number;
  replies: number;
  crossReplies: number;
}

function activities(events: readonly UsageEvent[]): Activity[] {
  const byKey = new Map<string, Activity>();
  for (const e of events) {
    const day = usageDay(e.at);
    const key = `${day}:${e.accountId}`;
    let a = byKey.get(key);
    if (!a) {
      a = { account: e.accountId, day, department: e.department, lastAt: -Infinity, events: 0, features: new Map(), clients: new Map(), devices: new Map(), follows: 0, crossFollows: 0, replies: 0, crossReplies: 0 };
      byKey.set(key, a);
    }
    if (e.at.getTime() >= a.lastAt) {
      a.lastAt = e.at.getTime();
      a.department = e.department;
    }
    a.events++;
    a.features.set(e.feature, (a.features.get(e.feature) ?? 0) + 1);
    const client = e.client;
    a.clients.set(client, (a.clients.get(client) ?? 0) + 1);
    a.devices.set(e.device, (a.devices.get(e.device) ?? 0) + 1);
    if (e.feature === 'follow') {
      a.follows++;
      if (e.crossInstance) a.crossFollows++;
    }
    if (e.feature === 'reply') {
      a.replies++;
      if (e.crossInstance) a.crossReplies++;
    }
  }
  return [...byKey.values()];
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Figures of one group of accounts (a department filter, or a set of departments). */
class Group {
  readonly acts: Activity[];
  readonly accounts: ExpectedAccount[];

  constructor(all: Activity[], accounts: readonly ExpectedAccount[], departments: ((d: string) => boolean) | null) {
    // A suspended person is neither registered nor active.
    const counted = new Set(accounts.filter((a) => !a.suspended).map((a) => a.id));
    this.acts = all.filter((a) => counted.has(a.account) && (!departments || departments(a.department)));
    this.accounts = accounts.filter((a) => !departments || departments(a.department));
  }

  registered(day: string): ExpectedAccount[] {
    return this.accounts.filter((a) => !a.suspended && a.createdAt.getTime() <= endOfDay(day));
  }

  activeIn(from: string, to: string): Set<string> {
    return new Set(this.acts.filter((a) => a.day >= from && a.day <= to).map((a) => a.account));
  }

  within(from: string, to: string): Activity[] {
    return this.acts.filter((a) => a.day >= from && a.day <= to);
  }

  dau(d: string): number { return this.activeIn(d, d).size; }
  wau(d: string): number { return this.activeIn(addDays(d, -6), d).size; }
  mau(d: string): number { return this.activeIn(addDays(d, -29), d).size; }

  averageDau(period: UsagePeriod): number {
    const days = daysOf(period.from, period.to);
    return days.reduce((s, d) => s + this.dau(d), 0) / days.length;
  }

  events(from: string, to: string): number {
    return this.within(from, to).reduce((s, a) => s + a.events, 0);
  }

  sumMap<K>(period: UsagePeriod, pickMap: (a: Activity) => Map<K, number>): Map<K, { events: number; accounts: Set<string> }> {
    const out = new Map<K, { events: number; accounts: Set<string> }>();
    for (const a of this.within(period.from, period.to)) {
      for (const [k, v] of pickMap(a)) {
        if (v <= 0) continue;
        const entry = out.get(k) ?? { events: 0, accounts: new Set<string>() };
        entry.events += v;
        entry.accounts.add(a.account);
        out.set(k, entry);
      }
    }
    return out;
  }
}

/** The departments the dashboard lists: with registered accounts on `to`, or activity in [from−29, to]. */
function departmentNames(acts: Activity[], accounts: readonly ExpectedAccount[], period: UsagePeriod): string[] {
  const start = addDays(period.from, -29);
  const names = new Set<string>();
  for (const a of accounts) if (!a.suspended && a.createdAt.getTime() <= endOfDay(period.to)) names.add(a.department);
  for (const a of acts) if (a.day >= start && a.day <= period.to) names.add(a.department);
  return [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** The body of GET /api/v1/kith/analytics?from&to[&department] for these accounts and events. */
export function expectedDashboard(accounts: readonly ExpectedAccount[], events: readonly UsageEvent[], period: UsagePeriod, department: string | null): AdoptionDashboard {
  const all = activities(events);
  const g = new Group(all, accounts, department === null ? null : (d) => d === department);
  const { from, to } = period;
  const registered = g.registered(to);
  const activated = registered.filter((a) => a.activated).length;
  const dau = g.dau(to);
  const wau = g.wau(to);
  const mau = g.mau(to);
  const averageDau = g.averageDau(period);
  const activeInPeriod = g.activeIn(from, to);

  const weekly = [];
  for (let monday = mondayOf(from); monday <= to; monday = addDays(monday, 7)) {
    const wFrom = monday < from ? from : monday;
    const sunday = addDays(monday, 6);
    const wTo = sunday > to ? to : sunday;
    weekly.push({ week: monday, from: wFrom, to: wTo, active: g.activeIn(wFrom, wTo).size, events: g.events(wFrom, wTo) });
  }

  const departments = departmentNames(all, accounts, period).map((name) => {
    const dg = new Group(all, accounts, (d) => d === name);
    const reg = dg.registered(to);
    const act = reg.filter((a) => a.activated).length;
    const dmau = dg.mau(to);
    return {
      department: name, registered: reg.length, active: dg.activeIn(from, to).size, dau: dg.dau(to), wau: dg.wau(to), mau: dmau,
      mau_share: ratio(dmau, reg.length), activated: act, activation_share: ratio(act, reg.length), events: dg.events(from, to),
    };
  });

  const features = g.sumMap(period, (a) => a.features);
  const clients = g.sumMap(period, (a) => a.clients);
  const devices = g.sumMap(period, (a) => a.devices);
  const inPeriod = g.within(from, to);
  const sum = (f: (a: Activity) => number, list = inPeriod) => list.reduce((s, a) => s + f(a), 0);
  const follows = sum((a) => a.follows);
  const crossFollows = sum((a) => a.crossFollows);
  const replies = sum((a) => a.replies);
  const crossReplies = sum((a) => a.crossReplies);

  const leaders = registered.filter((a) => a.leader);
  const leaderIds = new Set(leaders.map((a) => a.id));
  const leaderActs = inPeriod.filter((a) => leaderIds.has(a.account));
  const activeLeaders = new Set(leaderActs.map((a) => a.account)).size;

  return {
    period: { from, to },
    department,
    summary: {
      registered: registered.length, dau, wau, mau,
      dau_share: ratio(dau, registered.length), wau_share: ratio(wau, registered.length), mau_share: ratio(mau, registered.length),
      average_dau: averageDau, stickiness: ratio(averageDau, mau),
      activated, activation_share: ratio(activated, registered.length), events: g.events(from, to),
    },
    daily: daysOf(from, to).map((day) => ({ day, dau: g.dau(day), wau: g.wau(day), mau: g.mau(day), registered: g.registered(day).length, events: g.events(day, day) })),
    weekly,
    departments,
    features: USAGE_FEATURES.map((feature) => {
      const f = features.get(feature);
      const share = ratio(f?.accounts.size ?? 0, activeInPeriod.size);
      return { feature, events: f?.events ?? 0, accounts: f?.accounts.size ?? 0, account_share: share, underused: ACTION_FEATURES.includes(feature) && share < 0.1 };
    }),
    clients: [...clients].map(([client, c]) => ({ client, events: c.events, accounts: c.accounts.size }))
      .sort((x, y) => y.events - x.events || (x.client < y.client ? -1 : x.client > y.client ? 1 : 0)),
    devices: (['desktop', 'mobile'] as const).map((device) => ({ device, events: devices.get(device)?.events ?? 0, accounts: devices.get(device)?.accounts.size ?? 0 })),
    cross_instance: {
      follows, cross_follows: crossFollows, follow_share: ratio(crossFollows, follows),
      replies, cross_replies: crossReplies, reply_share: ratio(crossReplies, replies),
    },
    leaders: {
      leaders: leaders.length, active: activeLeaders, active_share: ratio(activeLeaders, leaders.length),
      posts: sum((a) => a.features.get('post') ?? 0, leaderActs), replies: sum((a) => a.features.get('reply') ?? 0, leaderActs),
    },
  };
}

/**
 * The body of GET /api/v1/kith/analytics/inactive: registered accounts (on `to`, in the department)
 * with no activity at all in the period, by username; last_active = their last active day ever.
 */
export function expectedInactive(accounts: readonly ExpectedAccount[], events: readonly UsageEvent[], period: UsagePeriod, department: string | null): InactiveAccount[] {
  const all = activities(events);
  const active = new Set(all.filter((a) => a.day >= period.from && a.day <= period.to).map((a) => a.account));
  const last = new Map<string, string>();
  for (const a of all) if ((last.get(a.account) ?? '') < a.day) last.set(a.account, a.day);
  return new Group(all, accounts, department === null ? null : (d) => d === department).registered(period.to)
    .filter((a) => !active.has(a.id))
    .sort((x, y) => (x.username < y.username ? -1 : x.username > y.username ? 1 : 0))
    .map((a) => ({ id: a.id, username: a.username, display_name: a.displayName, department: a.department, leader: a.leader, last_active: last.get(a.id) ?? null }));
}

/**
 * The clients of a shared row: a name only when MIN_SHARED_GROUP or more of the group's accounts used it
 * (never OTHER_API_CLIENT itself, never a prototype key), the 49 busiest of those (ties by name); all the
 * remaining events, whatever their client, under OTHER_API_CLIENT (absent when there are none).
 */
function sharedClientsOf(g: Group, period: UsagePeriod): Record<string, number> {
  const used = [...g.sumMap(period, (a) => a.clients)];
  const all = used.reduce((s, [, c]) => s + c.events, 0);
  const eligible = used
    .filter(([client, c]) => c.accounts.size >= MIN_SHARED_GROUP && client !== OTHER_API_CLIENT && !['__proto__', 'constructor', 'prototype'].includes(client))
    .sort(([x, cx], [y, cy]) => cy.events - cx.events || (x < y ? -1 : x > y ? 1 : 0))
    .slice(0, 49);
  const out: Record<string, number> = {};
  for (const [client, c] of eligible) out[client] = c.events;
  const rest = all - eligible.reduce((s, [, c]) => s + c.events, 0);
  if (rest > 0) out[OTHER_API_CLIENT] = rest;
  return out;
}

function adoptionOf(name: string, g: Group, period: UsagePeriod): DepartmentAdoption {
  const { from, to } = period;
  const registered = g.registered(to);
  const activated = registered.filter((a) => a.activated).length;
  const mau = g.mau(to);
  const averageDau = g.averageDau(period);
  const inPeriod = g.within(from, to);
  const sum = (f: (a: Activity) => number, list = inPeriod) => list.reduce((s, a) => s + f(a), 0);
  const totals = <K extends string>(pickMap: (a: Activity) => Map<K, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, v] of g.sumMap(period, pickMap)) out[k] = v.events;
    return out;
  };
  const features = totals((a) => a.features);
  const devices = totals((a) => a.devices);
  const leaders = registered.filter((a) => a.leader);
  const leaderIds = new Set(leaders.map((a) => a.id));
  // Leader counts only for MIN_SHARED_GROUP leaders or more.
  const shareLeaders = leaders.length >= MIN_SHARED_GROUP;
  return {
    department: name,
    registered: registered.length,
    dau: g.dau(to), wau: g.wau(to), mau,
    mau_share: ratio(mau, registered.length),
    average_dau: averageDau,
    stickiness: ratio(averageDau, mau),
    activated,
    activation_share: ratio(activated, registered.length),
    events: sum((a) => a.events),
    features: Object.fromEntries(USAGE_FEATURES.map((f) => [f, features[f] ?? 0])),
    clients: sharedClientsOf(g, period),
    devices: { desktop: devices.desktop ?? 0, mobile: devices.mobile ?? 0 },
    cross_instance_follow_share: ratio(sum((a) => a.crossFollows), sum((a) => a.follows)),
    cross_instance_reply_share: ratio(sum((a) => a.crossReplies), sum((a) => a.replies)),
    leaders: shareLeaders ? leaders.length : 0,
    active_leaders: shareLeaders ? new Set(inPeriod.filter((a) => leaderIds.has(a.account)).map((a) => a.account)).size : 0,
  };
}

/**
 * The AdoptionReport an instance shares: `total` over all departments (named after the instance), then
 * one row per department listed as on the dashboard, sorted by name, those with fewer than
 * MIN_SHARED_GROUP registered accounts folded into one last row OTHER_DEPARTMENTS (computed over their
 * union, not summed), absent when there are none. A fold smaller than MIN_SHARED_GROUP takes in the
 * smallest listed departments (fewest registered, then by name) until it is not. An instance with fewer
 * than MIN_SHARED_GROUP registered people: a total of zeros, no departments.
 */
export function expectedReport(instance: string, accounts: readonly ExpectedAccount[], events: readonly UsageEvent[], period: UsagePeriod): AdoptionReport {
  const all = activities(events);
  const everyone = new Group(all, accounts, null);
  if (everyone.registered(period.to).length < MIN_SHARED_GROUP) {
    return { instance, period: { from: period.from, to: period.to }, total: adoptionOf(instance, new Group([], [], null), period), departments: [] };
  }
  const names = departmentNames(all, accounts, period);
  const sizes = new Map(names.map((name) => [name, new Group(all, accounts, (d) => d === name).registered(period.to).length]));
  const small = new Set(names.filter((name) => sizes.get(name)! < MIN_SHARED_GROUP));
  if (small.size > 0) {
    const bySize = names.filter((n) => !small.has(n)).sort((x, y) => sizes.get(x)! - sizes.get(y)! || (x < y ? -1 : 1));
    while (new Group(all, accounts, (d) => small.has(d)).registered(period.to).length < MIN_SHARED_GROUP && bySize.length > 0) small.add(bySize.shift()!);
  }
  const departments = names.filter((n) => !small.has(n)).map((name) => adoptionOf(name, new Group(all, accounts, (d) => d === name), period));
  if (small.size > 0) departments.push(adoptionOf(OTHER_DEPARTMENTS, new Group(all, accounts, (d) => small.has(d)), period));
  return { instance, period: { from: period.from, to: period.to }, total: adoptionOf(instance, everyone, period), departments };
}

/** What activeCounts(day) must answer: DAU/WAU/MAU on `day` and the registered accounts then. */
export function expectedActiveCounts(accounts: readonly ExpectedAccount[], events: readonly UsageEvent[], day: string): { dau: number; wau: number; mau: number; registered: number } {
  const g = new Group(activities(events), accounts, null);
  return { dau: g.dau(day), wau: g.wau(day), mau: g.mau(day), registered: g.registered(day).length };
}
