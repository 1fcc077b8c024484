import type { Collection, Db } from 'mongodb';

/** Steps a person marked done (or skipped) by hand; the rest is read from the account itself. */
export interface OnboardingRecord {
  /** The account id. */
  _id: string;
  completed: string[];
  updatedAt: Date;
}

/** MongoDB collection `onboarding`, one document per account that has marked a step. */
export class OnboardingStore {
  private readonly records: Collection<OnboardingRecord>;

  constructor(db: Db) {
    this.records = db.collection<OnboardingRecord>('onboarding');
  }

  async ensureIndexes(): Promise<void> {
    // _id is the account id: nothing else to index.
  }

  find(accountId: string): Promise<OnboardingRecord | null> {
    return this.records.findOne({ _id: accountId });
  }

  /** The records of these accounts (accounts that never marked a step have none). */
  async findMany(accountIds: readonly string[]): Promise<OnboardingRecord[]> {
    if (accountIds.length === 0) return [];
    return this.records.find({ _id: { $in: [...accountIds] } }).toArray();
  }

  async markCompleted(accountId: string, steps: string[]): Promise<void> {
    await this.records.updateOne(
      { _id: accountId },
      { $addToSet: { completed: { $each: steps } }, $set: { updatedAt: new Date() } },
      { upsert: true },
    );
  }
}
