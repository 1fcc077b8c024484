import type { Collection, Db } from 'mongodb';
import type { Page } from '../shared/pagination.ts';
import { newestFirst, pageFilter, pageSortDirection } from '../shared/pagination.ts';

export interface FollowRecord {
  _id: string;
  followerId: string;
  targetId: string;
  /** Whether the follower sees the target's boosts in their home feed. */
  showReblogs: boolean;
  /** Whether the follower is notified of each of the target's posts. */
  notify: boolean;
  createdAt: Date;
  /** For a follow from another instance: the id of its Follow activity (an Accept names it later). */
  activityUri?: string | null;
}

/** A follow waiting for a locked account's approval; same shape, its own collection. */
export type FollowRequestRecord = FollowRecord;

/** MongoDB queries for follows and follow requests. */
export class FollowsStore {
  readonly follows: Collection<FollowRecord>;
  readonly requests: Collection<FollowRequestRecord>;

  constructor(db: Db) {
    this.follows = db.collection<FollowRecord>('follows');
    this.requests = db.collection<FollowRequestRecord>('follow_requests');
  }

  async ensureIndexes(): Promise<void> {
    for (const collection of [this.follows, this.requests]) {
      await collection.createIndexes([
        { key: { followerId: 1, targetId: 1 }, name: 'follower_target', unique: true },
        { key: { targetId: 1, _id: -1 }, name: 'target_id' },
      ]);
    }
  }

  findFollow(followerId: string, targetId: string): Promise<FollowRecord | null> {
    return this.follows.findOne({ followerId, targetId });
  }

  findRequest(followerId: string, targetId: string): Promise<FollowRequestRecord | null> {
    return this.requests.findOne({ followerId, targetId });
  }

  /** Inserts a follow; false when it already existed (the unique index decides). */
  async insertFollow(record: FollowRecord): Promise<boolean> {
    const result = await this.follows.updateOne(
      { followerId: record.followerId, targetId: record.targetId },
      { $setOnInsert: record },
      { upsert: true },
    );
    return result.upsertedCount === 1;
  }

  async insertRequest(record: FollowRequestRecord): Promise<boolean> {
    const result = await this.requests.updateOne(
      { followerId: record.followerId, targetId: record.targetId },
      { $setOnInsert: record },
      { upsert: true },
    );
    return result.upsertedCount === 1;
  }

  async updateFollowOptions(followerId: string, targetId: string, set: Partial<Pick<FollowRecord, 'showReblogs' | 'notify'>>): Promise<void> {
    await this.follows.updateOne({ followerId, targetId }, { $set: set });
  }

  /** Deletes a follow; false when there was none. */
  async deleteFollow(followerId: string, targetId: string): Promise<boolean> {
    return (await this.follows.deleteOne({ followerId, targetId })).deletedCount === 1;
  }

  async deleteRequest(followerId: string, targetId: string): Promise<boolean> {
    return (await this.requests.deleteOne({ followerId, targetId })).deletedCount === 1;
  }

  /** The followers of an account with the options of each follow (what the followers cache holds). */
  async followersOf(targetId: string): Promise<Pick<FollowRecord, 'followerId' | 'showReblogs' | 'notify'>[]> {
    const rows = await this.follows.find({ targetId }, { projection: { followerId: 1, showReblogs: 1, notify: 1 } }).toArray();
    return rows.map((r) => ({ followerId: r.followerId, showReblogs: r.showReblogs !== false, notify: r.notify === true }));
  }

  async followingIds(followerId: string): Promise<string[]> {
    return (await this.followingOf(followerId)).map((r) => r.targetId);
  }

  /** The accounts `followerId` follows, with whether it sees their boosts. */
  async followingOf(followerId: string): Promise<Pick<FollowRecord, 'targetId' | 'showReblogs'>[]> {
    const rows = await this.follows.find({ followerId }, { projection: { targetId: 1, showReblogs: 1 } }).toArray();
    return rows.map((r) => ({ targetId: r.targetId, showReblogs: r.showReblogs !== false }));
  }

  /** Follows of `viewerId` to any of `targetIds`, and of any of them to the viewer (relationships). */
  async between(viewerId: string, otherIds: string[]): Promise<{ following: FollowRecord[]; followedBy: FollowRecord[]; requested: FollowRequestRecord[]; requestedBy: FollowRequestRecord[] }> {
    const [following, followedBy, requested, requestedBy] = await Promise.all([
      this.follows.find({ followerId: viewerId, targetId: { $in: otherIds } }).toArray(),
      this.follows.find({ targetId: viewerId, followerId: { $in: otherIds } }).toArray(),
      this.requests.find({ followerId: viewerId, targetId: { $in: otherIds } }).toArray(),
      this.requests.find({ targetId: viewerId, followerId: { $in: otherIds } }).toArray(),
    ]);
    return { following, followedBy, requested, requestedBy };
  }

  /** One page of follows to or from an account, newest follow first. */
  async page(collection: 'follows' | 'requests', side: { targetId: string } | { followerId: string }, page: Page): Promise<FollowRecord[]> {
    const range = pageFilter(page);
    const rows = await this[collection]
      .find({ ...side, ...(range ? { _id: range } : {}) })
      .sort({ _id: pageSortDirection(page) })
      .limit(page.limit)
      .toArray();
    return newestFirst(page, rows);
  }

  countRequests(targetId: string): Promise<number> {
    return this.requests.countDocuments({ targetId });
  }
}
