// Remote status uris their authors deleted (collection "remote_tombstones"). A Delete can arrive before
// the Create it deletes (queues and retries reorder them); without a record of it, the late Create would
// store a status its author already took back. A tombstone names the deleting actor, so it only stops
// that actor's own Create or Update of the uri: another actor on the same host cannot block it.
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../infra/mongo.ts';
import { newId } from '../shared/ids.ts';

export interface RemoteTombstoneRecord {
  _id: string;
  /** The deleted status's ActivityPub id. */
  uri: string;
  /** The remote account that deleted it. */
  accountId: string;
  deletedAt: Date;
}

/** The uris remote actors deleted, one record per uri and actor (unique index). */
export class RemoteTombstones {
  readonly collection: Collection<RemoteTombstoneRecord>;

  constructor(db: Db) {
    this.collection = db.collection<RemoteTombstoneRecord>('remote_tombstones');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([{ key: { uri: 1, accountId: 1 }, name: 'uri_account', unique: true }]);
  }

  /** Remembers that `accountId` deleted `uri`; doing it twice changes nothing. */
  async record(uri: string, accountId: string): Promise<void> {
    const now = new Date();
    try {
      await this.collection.updateOne({ uri, accountId }, { $setOnInsert: { _id: newId(now), uri, accountId, deletedAt: now } }, { upsert: true });
    } catch (error) {
      // The same Delete handled twice at once: the unique index kept one.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Whether `accountId` deleted `uri`. */
  async has(uri: string, accountId: string): Promise<boolean> {
    return (await this.collection.countDocuments({ uri, accountId }, { limit: 1 })) > 0;
  }
}
