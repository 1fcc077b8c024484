// The instance's adoption analytics settings: how long raw usage events are kept, and whether profiles
// show achievements. Admins change them at runtime; until then the configuration's defaults hold.
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { Forbidden, Invalid } from '../shared/errors.ts';
import type { AnalyticsSettingsStore } from './analytics-settings.store.ts';

export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 3650;
// Every profile read asks whether achievements are on: a few seconds in process memory spares MongoDB.
const CACHE_MS = 5000;

export interface AnalyticsSettings {
  retentionDays: number;
  achievementsEnabled: boolean;
}

export interface AnalyticsSettingsPatch {
  retentionDays?: number;
  achievementsEnabled?: boolean;
}

function requireAdmin(actor: AccountRecord | null): void {
  // null is the operator at the CLI, who has the server's own credentials.
  if (actor !== null && (actor.role !== 'admin' || actor.domain !== null || actor.suspended)) throw new Forbidden();
}

export class AnalyticsSettingsService {
  private readonly store: AnalyticsSettingsStore;
  private readonly defaults: AnalyticsSettings;
  private cached: { settings: AnalyticsSettings; until: number } | null = null;

  constructor(store: AnalyticsSettingsStore, defaults: { retentionDays: number }) {
    this.store = store;
    this.defaults = { retentionDays: defaults.retentionDays, achievementsEnabled: true };
  }

  /** The settings in force (stored choices over the defaults); read fresh from MongoDB. */
  async settings(): Promise<AnalyticsSettings> {
    const stored = await this.store.find();
    const settings = {
      retentionDays: stored?.retentionDays ?? this.defaults.retentionDays,
      achievementsEnabled: stored?.achievementsEnabled ?? this.defaults.achievementsEnabled,
    };
    this.cached = { settings, until: Date.now() + CACHE_MS };
    return settings;
  }

  /** The settings, for the admin screen (admins; null is the CLI). */
  async forAdmin(actor: AccountRecord | null): Promise<AnalyticsSettings> {
    requireAdmin(actor);
    return this.settings();
  }

  /** Changes some settings (admins; null is the CLI); they hold until changed again, across restarts. */
  async update(actor: AccountRecord | null, patch: AnalyticsSettingsPatch): Promise<AnalyticsSettings> {
    requireAdmin(actor);
    const { retentionDays, achievementsEnabled } = patch;
    if (retentionDays === undefined && achievementsEnabled === undefined) throw new Invalid('Validation failed: Nothing to change');
    if (retentionDays !== undefined && (!Number.isInteger(retentionDays) || retentionDays < MIN_RETENTION_DAYS || retentionDays > MAX_RETENTION_DAYS)) {
      throw new Invalid(`Validation failed: Retention must be a whole number of days, ${MIN_RETENTION_DAYS}-${MAX_RETENTION_DAYS}`);
    }
    if (achievementsEnabled !== undefined && typeof achievementsEnabled !== 'boolean') throw new Invalid('Validation failed: Achievements enabled must be true or false');
    const changes: AnalyticsSettingsPatch = {};
    if (retentionDays !== undefined) changes.retentionDays = retentionDays;
    if (achievementsEnabled !== undefined) changes.achievementsEnabled = achievementsEnabled;
    await this.store.save(changes, actor?._id ?? null);
    this.cached = null;
    return this.settings();
  }

  /** Whether profiles show achievements; cached for a few seconds (other processes see a change within them). */
  async achievementsEnabled(): Promise<boolean> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.settings.achievementsEnabled;
    return (await this.settings()).achievementsEnabled;
  }

  /** How many days raw usage events are kept. */
  async retentionDays(): Promise<number> {
    return (await this.settings()).retentionDays;
  }
}
