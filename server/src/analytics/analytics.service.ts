import type { Redis } from 'ioredis';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { isConnector, type DepartmentsService } from '../departments/departments.service.ts';
import type { OnboardingService } from '../onboarding/onboarding.service.ts';
import { Forbidden } from '../shared/errors.ts';
import {
  activeCounts, addDays, adoptionReport, countedRows, dashboard, inactiveAccounts, rowsWindow,
  type AdoptionDashboard, type AnalyticsPerson, type InactiveAccount, type MetricsInput,
} from './adoption-metrics.ts';
import { dashboardCsv, type CsvTable } from './analytics-csv.ts';
import type { UsageDaysStore } from './usage-days.store.ts';
import type { AdoptionReport, UsagePeriod } from './usage.types.ts';

export interface AnalyticsServiceDeps {
  accounts: AccountsService;
  onboarding: OnboardingService;
  departments: DepartmentsService;
  days: UsageDaysStore;
  /** Key-prefixed connection: the shared report is kept there for REPORT_CACHE_SECONDS. */
  redis: Redis;
}

/** How long a served report is kept, per period: members' signed GETs must not recompute it each time. */
const REPORT_CACHE_SECONDS = 300;

function isAdmin(account: AccountRecord | null): boolean {
  return isConnector(account) && account?.role === 'admin';
}

/**
 * Adoption analytics (issue 6, item 2): the dashboard's figures for connectors and admins, the inactive
 * accounts by name for admins only, the CSV export, the aggregate report linked instances are given,
 * and the active-user gauges of /metrics. Figures are computed by adoption-metrics.ts from the daily
 * rollups; this service loads the rows and accounts they need and says who may see them.
 */
export class AnalyticsService {
  private readonly accounts: AccountsService;
  private readonly onboarding: OnboardingService;
  private readonly departments: DepartmentsService;
  private readonly days: UsageDaysStore;
  private readonly redis: Redis;

  constructor(deps: AnalyticsServiceDeps) {
    this.accounts = deps.accounts;
    this.onboarding = deps.onboarding;
    this.departments = deps.departments;
    this.days = deps.days;
    this.redis = deps.redis;
  }

  /** The dashboard (GET /api/v1/kith/analytics) of a period, of one department or all; connectors and admins only. */
  async dashboard(viewer: AccountRecord | null, period: UsagePeriod, department: string | null): Promise<AdoptionDashboard> {
    if (!isConnector(viewer)) throw new Forbidden('Only connectors and admins may see adoption analytics');
    return dashboard(await this.input(period), department);
  }

  /** Registered accounts with no activity in the period, by name; admins only (connectors see counts, not people). */
  async inactive(viewer: AccountRecord | null, period: UsagePeriod, department: string | null): Promise<InactiveAccount[]> {
    if (!isAdmin(viewer)) throw new Forbidden('Only admins may see who is inactive');
    const [people, rows] = await Promise.all([this.accounts.localPeople(), this.days.between(period.from, period.to)]);
    const active = new Set(rows.map((r) => r.account));
    const candidates = people.filter((p) => !active.has(p._id));
    const lastActive = await this.days.lastActiveDays(candidates.map((p) => p._id));
    return inactiveAccounts(people, active, lastActive, period, department);
  }

  /** One table of the dashboard as CSV; connectors and admins only. */
  async csv(viewer: AccountRecord | null, period: UsagePeriod, department: string | null, table: CsvTable): Promise<string> {
    return dashboardCsv(await this.dashboard(viewer, period, department), table);
  }

  /**
   * What this instance shares with a linked instance: counts and shares per department, small departments
   * folded together, no account. No viewer: federation authorizes the signed request before asking.
   * Kept in Redis for REPORT_CACHE_SECONDS per period (the company view's own entry reads it too), so a
   * member's signed GETs cost one computation per period and 5 minutes, however many arrive.
   */
  async report(period: UsagePeriod): Promise<AdoptionReport> {
    const key = `analytics:report:${period.from}:${period.to}`;
    const cached = await this.redis.get(key);
    if (cached !== null) return JSON.parse(cached) as AdoptionReport;
    const [input, actor] = await Promise.all([this.input(period), this.departments.departmentAccount()]);
    const report = adoptionReport(actor.displayName, input);
    await this.redis.set(key, JSON.stringify(report), 'EX', REPORT_CACHE_SECONDS);
    return report;
  }

  /** DAU, WAU, MAU and registered people on a day (today by default), for Prometheus: reads 30 days of rows. */
  async activeCounts(day: string = new Date().toISOString().slice(0, 10)): Promise<{ dau: number; wau: number; mau: number; registered: number }> {
    const [rows, people] = await Promise.all([this.days.between(addDays(day, -29), day), this.accounts.localPeople()]);
    return activeCounts(countedRows(rows, people), people, day);
  }

  private async input(period: UsagePeriod): Promise<MetricsInput> {
    const window = rowsWindow(period);
    const [rows, people] = await Promise.all([this.days.between(window.from, window.to), this.accounts.localPeople()]);
    const end = Date.parse(`${period.to}T23:59:59.999Z`);
    // Activation only matters for those registered at the period's end.
    const registered = people.filter((p: AnalyticsPerson) => !p.suspended && p.createdAt.getTime() <= end).map((p) => p._id);
    const activated = await this.onboarding.finishedAmong(registered);
    return { period, rows: countedRows(rows, people), people, activated };
  }
}
