import type { Collection, Db } from 'mongodb';

/** Adoption analytics settings an admin changed; absent fields keep their defaults. */
export interface AnalyticsSettingsRecord {
  _id: 'analytics';
  retentionDays?: number;
  achievementsEnabled?: boolean;
  /** Account id of the admin who changed them last; null when changed from the CLI. */
  updatedBy: string | null;
  updatedAt: Date;
}

/** The `analytics` document of MongoDB collection `instance_settings`. */
export class AnalyticsSettingsStore {
  private readonly settings: Collection<AnalyticsSettingsRecord>;

  constructor(db: Db) {
    this.settings = db.collection<AnalyticsSettingsRecord>('instance_settings');
  }

  async ensureIndexes(): Promise<void> {
    // One document, found by _id: nothing to index.
  }

  find(): Promise<AnalyticsSettingsRecord | null> {
    return this.settings.findOne({ _id: 'analytics' });
  }

  async save(patch: { retentionDays?: number; achievementsEnabled?: boolean }, updatedBy: string | null): Promise<void> {
    await this.settings.updateOne({ _id: 'analytics' }, { $set: { ...patch, updatedBy, updatedAt: new Date() } }, { upsert: true });
  }
}
