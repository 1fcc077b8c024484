import type { Collection, Db } from 'mongodb';

/** The timelines Mastodon keeps read markers for. */
export const MARKER_TIMELINES = ['home', 'notifications'] as const;
export type MarkerTimeline = (typeof MARKER_TIMELINES)[number];

/** Where an account stopped reading a timeline (collection "markers"), shared by all its apps. */
export interface MarkerRecord {
  /** "<accountId>:<timeline>": one marker per account and timeline. */
  _id: string;
  accountId: string;
  timeline: MarkerTimeline;
  lastReadId: string;
  /** Bumped by every save (Mastodon's optimistic-locking counter, shown to clients). */
  version: number;
  updatedAt: Date;
}

const markerId = (accountId: string, timeline: MarkerTimeline) => `${accountId}:${timeline}`;

/** MongoDB queries for read markers. */
export class MarkersStore {
  readonly collection: Collection<MarkerRecord>;

  constructor(db: Db) {
    this.collection = db.collection<MarkerRecord>('markers');
  }

  async ensureIndexes(): Promise<void> {
    // Lookups are by _id only.
  }

  /** The account's markers for these timelines (those it ever saved). */
  find(accountId: string, timelines: readonly MarkerTimeline[]): Promise<MarkerRecord[]> {
    return this.collection.find({ _id: { $in: timelines.map((t) => markerId(accountId, t)) } }).toArray();
  }

  /** Saves a marker, creating it on first use; returns it afterwards. */
  async save(accountId: string, timeline: MarkerTimeline, lastReadId: string): Promise<MarkerRecord> {
    const saved = await this.collection.findOneAndUpdate(
      { _id: markerId(accountId, timeline) },
      { $set: { accountId, timeline, lastReadId, updatedAt: new Date() }, $inc: { version: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    return saved!;
  }
}
