import type { Collection, Db } from 'mongodb';
import type { Role } from '../accounts/accounts.store.ts';

/** The roles an invite may give; never admin (admins are appointed, not invited). */
export type InviteRole = Extract<Role, 'member' | 'connector'>;
export const INVITE_ROLES: readonly InviteRole[] = ['member', 'connector'];

/** An invite code; the code itself is the id (codes are short, random and typed by people). */
export interface InviteRecord {
  _id: string;
  role: InviteRole;
  /** null: unlimited. */
  maxUses: number | null;
  uses: number;
  /** null: never expires. */
  expiresAt: Date | null;
  /** The admin who made it, or null when made with the CLI. */
  createdBy: string | null;
  createdAt: Date;
}

/** MongoDB queries for invites. */
export class InvitesStore {
  readonly collection: Collection<InviteRecord>;

  constructor(db: Db) {
    this.collection = db.collection<InviteRecord>('invites');
  }

  async ensureIndexes(): Promise<void> {
    // Lookups are by _id (the code); the list is small and sorted by creation.
    await this.collection.createIndexes([{ key: { createdAt: -1 }, name: 'created_at' }]);
  }

  async insert(invite: InviteRecord): Promise<void> {
    await this.collection.insertOne(invite);
  }

  findByCode(code: string): Promise<InviteRecord | null> {
    return this.collection.findOne({ _id: code });
  }

  /** Invites, newest first. */
  list(limit: number): Promise<InviteRecord[]> {
    return this.collection.find({}).sort({ createdAt: -1, _id: 1 }).limit(limit).toArray();
  }

  /** Deletes an invite; true when it existed. */
  async delete(code: string): Promise<boolean> {
    const result = await this.collection.deleteOne({ _id: code });
    return result.deletedCount === 1;
  }

  /**
   * Takes one use of a valid invite in a single atomic update: of two sign-ups racing for the last use,
   * exactly one gets the invite back. Returns null when the code is unknown, expired or used up.
   */
  redeem(code: string, now: Date): Promise<InviteRecord | null> {
    return this.collection.findOneAndUpdate(
      {
        _id: code,
        $and: [
          { $or: [{ maxUses: null }, { $expr: { $lt: ['$uses', '$maxUses'] } }] },
          { $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] },
        ],
      },
      { $inc: { uses: 1 } },
      { returnDocument: 'after' },
    );
  }

  /** Gives back a use taken by redeem() when the sign-up it was for failed. */
  async release(code: string): Promise<void> {
    await this.collection.updateOne({ _id: code, uses: { $gt: 0 } }, { $inc: { uses: -1 } });
  }
}
