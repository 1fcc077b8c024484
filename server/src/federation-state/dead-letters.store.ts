import type { Collection, Db } from 'mongodb';

/** A delivery given up on (collection "federation_dead_letters"); never the payload, which may hold keys. */
export interface DeadLetterRecord {
  _id: string;
  activityId: string | null;
  inbox: string;
  host: string;
  reason: string;
  /** The queue job, for an admin retry. */
  jobId: string;
  createdAt: Date;
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

  /** The newest dead letters first. */
  list(limit: number): Promise<DeadLetterRecord[]> {
    return this.collection.find({}).sort({ _id: -1 }).limit(limit).toArray();
  }
}
