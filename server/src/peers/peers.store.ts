import type { Collection, Db } from 'mongodb';
import type { PeerScheme } from './peer-host.ts';

export type PeerState = 'allow' | 'block';
export const PEER_STATES: readonly PeerState[] = ['allow', 'block'];

/** One entry of this instance's federation allowlist or blocklist (collection "federation_peers"). */
export interface PeerRecord {
  _id: string;
  /** Normalized host[:port] (peer-host.ts); unique. */
  host: string;
  /** How the peer is reached: http for loopback test peers, https otherwise. */
  scheme: PeerScheme;
  state: PeerState;
  note: string;
  createdAt: Date;
  /** The admin who added it; null for the CLI (or a link). */
  createdBy: string | null;
  /** Who added it: an admin (or the CLI), or a department link (docs/connectors-design.md §2); absent = admin. */
  source?: 'admin' | 'link';
}

/** MongoDB queries for federation peers. */
export class PeersStore {
  readonly collection: Collection<PeerRecord>;

  constructor(db: Db) {
    this.collection = db.collection<PeerRecord>('federation_peers');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([{ key: { host: 1 }, name: 'host', unique: true }]);
  }

  /** Stores the entry for its host, replacing an earlier one (an allow can become a block and back). */
  async put(record: PeerRecord): Promise<PeerRecord> {
    const { _id, createdAt, ...changes } = record;
    const after = await this.collection.findOneAndUpdate(
      { host: record.host },
      { $set: changes, $setOnInsert: { _id, createdAt } },
      { upsert: true, returnDocument: 'after' },
    );
    return after ?? record;
  }

  /** The entry of a normalized host, or null. */
  find(host: string): Promise<PeerRecord | null> {
    return this.collection.findOne({ host });
  }

  /** Deletes the entry of a host; false when there was none. */
  async remove(host: string): Promise<boolean> {
    return (await this.collection.deleteOne({ host })).deletedCount === 1;
  }

  /** Every entry, by host. */
  list(): Promise<PeerRecord[]> {
    return this.collection.find({}).sort({ host: 1 }).toArray();
  }
}
