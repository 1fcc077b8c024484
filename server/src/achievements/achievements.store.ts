import type { Collection, Db } from 'mongodb';

/** The achievements a person can earn (issue 6, item 5). */
export const ACHIEVEMENT_KINDS = ['first_post', 'first_cross_department_follow', 'first_reply_favourited', 'first_relayed_news'] as const;
export type AchievementKind = (typeof ACHIEVEMENT_KINDS)[number];

/** One achievement of one local account (collection `achievements`). */
export interface AchievementRecord {
  /** `<accountId>:<kind>`: with the unique (accountId, kind) index, an award is stored once however often it is made. */
  _id: string;
  accountId: string;
  kind: AchievementKind;
  /** When the action that earned it happened (the earliest, if several were handled). */
  earnedAt: Date;
}

/** MongoDB queries for achievements. */
export class AchievementsStore {
  private readonly collection: Collection<AchievementRecord>;

  constructor(db: Db) {
    this.collection = db.collection<AchievementRecord>('achievements');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([{ key: { accountId: 1, kind: 1 }, name: 'account_kind', unique: true }]);
  }

  /**
   * Records the achievement, or keeps the earlier time when it is there already: handlers run again after a
   * failure, and two qualifying actions may be handled out of order, so the first action's time wins.
   */
  async award(accountId: string, kind: AchievementKind, earnedAt: Date): Promise<void> {
    const _id = `${accountId}:${kind}`;
    try {
      await this.collection.updateOne({ _id }, { $setOnInsert: { accountId, kind }, $min: { earnedAt } }, { upsert: true });
    } catch (error) {
      // Two handlers racing to insert the same award: one wins the key, the other applies its time as an update.
      if ((error as { code?: number }).code !== 11000) throw error;
      await this.collection.updateOne({ _id }, { $min: { earnedAt } });
    }
  }

  /** Whether the account holds the achievement (handlers skip their reads once it is earned). */
  async has(accountId: string, kind: AchievementKind): Promise<boolean> {
    return (await this.collection.countDocuments({ _id: `${accountId}:${kind}` }, { limit: 1 })) > 0;
  }

  /** The account's achievements, earliest first. */
  forAccount(accountId: string): Promise<AchievementRecord[]> {
    return this.collection.find({ accountId }).sort({ earnedAt: 1, _id: 1 }).toArray();
  }
}
