import type { Collection, Db } from 'mongodb';
import type { JsonWebKey } from 'node:crypto';
import { isDuplicateKey } from '../infra/mongo.ts';

/** A key pair as JSON Web Keys. */
export interface JwkKeyPair {
  publicKey: JsonWebKey;
  privateKey: JsonWebKey;
}

/** The signing keys of an actor (collection "actor_keys"): _id is the owner (an account id or "~instance"). */
export interface ActorKeysRecord {
  _id: string;
  rsa: JwkKeyPair;
  ed25519: JwkKeyPair;
  createdAt: Date;
}

/** MongoDB queries for actor keys. */
export class ActorKeysStore {
  readonly collection: Collection<ActorKeysRecord>;

  constructor(db: Db) {
    this.collection = db.collection<ActorKeysRecord>('actor_keys');
  }

  async ensureIndexes(): Promise<void> {
    // Looked up by _id only.
  }

  find(ownerId: string): Promise<ActorKeysRecord | null> {
    return this.collection.findOne({ _id: ownerId });
  }

  /** Stores keys unless the owner has some already; returns the keys that are stored (the first insert wins). */
  async insertFirst(record: ActorKeysRecord): Promise<ActorKeysRecord> {
    try {
      await this.collection.insertOne(record);
      return record;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const stored = await this.find(record._id);
      if (!stored) throw error;
      return stored;
    }
  }
}
