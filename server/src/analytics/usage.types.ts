// The shapes adoption analytics shares between its parts (issue 6): the usage event an authenticated
// action records, the daily rollup it is aggregated into, and the aggregate report instances share.

/** What a usage event says the person did. `read` is any other authenticated read, `other` any other write. */
export const USAGE_FEATURES = ['read', 'post', 'reply', 'favourite', 'boost', 'follow', 'search', 'proposal', 'approval', 'relay', 'onboarding', 'other'] as const;
export type UsageFeature = (typeof USAGE_FEATURES)[number];

/** The features adoption is judged on (underused features are found among these): all but read and other. */
export const ACTION_FEATURES: readonly UsageFeature[] = USAGE_FEATURES.filter((f) => f !== 'read' && f !== 'other');

export type UsageDevice = 'desktop' | 'mobile';

/** Client label of the web app in a browser tab, and of the web app installed as a PWA. */
export const WEB_CLIENT = 'Web';
export const PWA_CLIENT = 'Installed web app';
/** Client label of a token whose OAuth application has no name (or is gone). */
export const OTHER_API_CLIENT = 'Other API clients';

/** One authenticated action, as recorded. */
export interface UsageEvent {
  accountId: string;
  /** The account's Department profile field when it acted ('' when empty). */
  department: string;
  feature: UsageFeature;
  /** WEB_CLIENT, PWA_CLIENT, the OAuth application's name, or OTHER_API_CLIENT. */
  client: string;
  device: UsageDevice;
  at: Date;
  /** Follows and replies only: whether the followed account or the replied-to status is on another instance. */
  crossInstance?: boolean;
}

/** MongoDB `usage_events`: raw events, deleted after the retention period. */
export interface UsageEventRecord {
  _id?: unknown;
  /** UTC day of `at`, `YYYY-MM-DD`. */
  day: string;
  at: Date;
  account: string;
  department: string;
  feature: UsageFeature;
  client: string;
  device: UsageDevice;
  crossInstance?: boolean;
}

/**
 * MongoDB `usage_days`: the daily rollup, one document per account and UTC day it was active, kept after
 * the raw events are gone. It holds counts only (no content); it stays on its instance.
 * Map keys are the feature names, and client names encoded by usageKey().
 */
export interface UsageDayRecord {
  /** `${day}:${account}` */
  _id: string;
  day: string;
  account: string;
  /** The department of the account's last event that day. */
  department: string;
  events: number;
  features: Partial<Record<UsageFeature, number>>;
  clients: Record<string, number>;
  devices: Partial<Record<UsageDevice, number>>;
  follows: number;
  crossFollows: number;
  replies: number;
  crossReplies: number;
}

/**
 * A client name as a MongoDB field name: `.` and `$` become their full-width forms (U+FF0E, U+FF04), as
 * MongoDB suggests, so clientName() gives the name back ("Elk.zone" stays "Elk.zone" on the dashboard).
 */
export function usageKey(name: string): string {
  return name.replace(/\./g, '\uff0e').replace(/\$/g, '\uff04').slice(0, 80) || OTHER_API_CLIENT;
}

/** The client name a usage_days key stands for (the inverse of usageKey). */
export function clientName(key: string): string {
  return key.replace(/\uff0e/g, '.').replace(/\uff04/g, '$');
}

/** The UTC day of a date, `YYYY-MM-DD`. */
export function usageDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Takes usage events off the request path: buffered in memory, written in batches. */
export interface UsageSink {
  /** Buffers one event; never throws and never waits for MongoDB. */
  record(event: UsageEvent): void;
  /** Writes what is buffered now (tests, shutdown). */
  flush(): Promise<void>;
}

/** A closed period of whole UTC days, `YYYY-MM-DD`, from ≤ to. */
export interface UsagePeriod {
  from: string;
  to: string;
}

/**
 * One department's adoption in a period, as instances share it with the company network: counts and
 * shares only, never an account, a name or a handle. Departments with fewer than MIN_SHARED_GROUP
 * registered accounts are folded into one row named OTHER_DEPARTMENTS.
 */
export interface DepartmentAdoption {
  department: string;
  registered: number;
  /** Active on the period's last day, in its last 7 days, in its last 30 days. */
  dau: number;
  wau: number;
  mau: number;
  mau_share: number;
  /** Mean daily active accounts over the period. */
  average_dau: number;
  /** average_dau / mau (0 when mau is 0). */
  stickiness: number;
  activated: number;
  activation_share: number;
  events: number;
  /** Events per feature in the period (every feature of USAGE_FEATURES, 0 when unused). */
  features: Record<string, number>;
  /** Events per client in the period. */
  clients: Record<string, number>;
  devices: Record<UsageDevice, number>;
  cross_instance_follow_share: number;
  cross_instance_reply_share: number;
  leaders: number;
  active_leaders: number;
}

export const MIN_SHARED_GROUP = 5;
export const OTHER_DEPARTMENTS = 'Other departments';

/** What one instance answers a linked instance's signed request for its adoption (`/users/{department}/adoption`). */
export interface AdoptionReport {
  /** The instance's department actor's display name (its department or subsidiary). */
  instance: string;
  period: UsagePeriod;
  /** All of the instance's departments together. */
  total: DepartmentAdoption;
  departments: DepartmentAdoption[];
}
