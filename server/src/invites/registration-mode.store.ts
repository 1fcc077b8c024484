import type { Collection, Db } from 'mongodb';
import type { RegistrationMode } from '../config.ts';

/** An admin's choice of registration mode, overriding REGISTRATION_MODE until changed again. */
export interface RegistrationModeRecord {
  _id: 'registration_mode';
  mode: RegistrationMode;
  /** Account id of the admin who set it; null when set from the CLI. */
  updatedBy: string | null;
  updatedAt: Date;
}

/** MongoDB collection `instance_settings`: instance-wide settings admins change at runtime, one document each. */
export class RegistrationModeStore {
  private readonly settings: Collection<RegistrationModeRecord>;

  constructor(db: Db) {
    this.settings = db.collection<RegistrationModeRecord>('instance_settings');
  }

  async ensureIndexes(): Promise<void> {
    // One document, found by _id: nothing to index.
  }

  find(): Promise<RegistrationModeRecord | null> {
    return this.settings.findOne({ _id: 'registration_mode' });
  }

  async save(mode: RegistrationMode, updatedBy: string | null): Promise<void> {
    await this.settings.updateOne({ _id: 'registration_mode' }, { $set: { mode, updatedBy, updatedAt: new Date() } }, { upsert: true });
  }
}
