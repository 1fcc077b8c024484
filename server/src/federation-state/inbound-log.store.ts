import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../infra/mongo.ts';

/** One inbound activity (collection "federation_inbound"); the _id is the activity id, so each is processed once. */
export interface InboundRecord {
  _id: string;
  type: string;
  state: 'processing' | 'done';
  claimedAt: Date;
  doneAt: Date | null;
}

/** MongoDB queries for the inbound activity log. */
export class InboundLogStore {
  readonly collection: Collection<InboundRecord>;

  constructor(db: Db) {
    this.collection = db.collection<InboundRecord>('federation_inbound');
  }

  async ensureIndexes(): Promise<void> {
    // The unique _id is the idempotency key; nothing else is queried.
  }

  /** Inserts the activity as processing; false when its id is already there (the unique _id decides). */
  async insertProcessing(id: string, type: string): Promise<boolean> {
    try {
      await this.collection.insertOne({ _id: id, type, state: 'processing', claimedAt: new Date(), doneAt: null });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  find(id: string): Promise<InboundRecord | null> {
    return this.collection.findOne({ _id: id });
  }

  async markDone(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { state: 'done', doneAt: new Date() } });
  }
}
