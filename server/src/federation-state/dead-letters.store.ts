import type { Collection, Db } from 'mongodb';

/** A delivery given up on (collection "federation_dead_letters"); never the payload, which may hold keys. */
export interface DeadLetterRecord {
  _id: string;
  activityId: string | null;
  inbox: string;
  host: string;
  reason: string;
  /** The kept failed queue job, for an admin retry; '' when there is none. */
  jobId: string;
  /** The queue of that job (`fedify-outbox` …); absent on letters recorded before it was kept. */
  queue?: string;
  createdAt: Date;
  /** When an admin retried it (once: a failing retry records a new letter); null until then. */
  retriedAt?: Date | null;
}

/** MongoDB queries for dead letters. */
export class DeadLettersStore {
  readonly collection: Collection<DeadLetterRecord>;

  constructor(db: Db) {
    this.collection = db.collection<DeadLetterRecord>('federation_dead_letters');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([{ key: { host: 1, _id: -1 }, name: 'host_id' }]);
  }

  async insert(record: DeadLetterRecord): Promise<void> {
    await this.collection.insertOne(record);
  }

  find(id: string): Promise<DeadLetterRecord | null> {
    return this.collection.findOne({ _id: id });
  }

  /** The newest dead letters first. */
  list(limit: number): Promise<DeadLetterRecord[]> {
    return this.collection.find({}).sort({ _id: -1 }).limit(limit).toArray();
  }

  /** How many letters were not retried (yet). */
  countUnretried(): Promise<number> {
    return this.collection.countDocuments({ retriedAt: null });
  }

  /** Marks a letter retried unless it was already; false when another retry came first. */
  async claimRetry(id: string, at: Date): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, retriedAt: null }, { $set: { retriedAt: at } });
    return result.modifiedCount === 1;
  }

  /** Undoes a claim whose retry could not be made. */
  async unclaimRetry(id: string, at: Date): Promise<void> {
    await this.collection.updateOne({ _id: id, retriedAt: at }, { $set: { retriedAt: null } });
  }
}
