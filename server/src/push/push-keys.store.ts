// The instance's push keys, made on first start and kept in MongoDB (never in the environment), so every
// process of the instance signs with the same VAPID key and clients' subscriptions stay valid across restarts.
import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import webPush from 'web-push';
import { isDuplicateKey } from '../infra/mongo.ts';

/** The one document of collection "push_keys". */
export interface PushKeysRecord {
  _id: 'keys';
  /** VAPID (RFC 8292) P-256 key pair, base64url; the public key is the subscriptions' server_key. */
  vapidPublicKey: string;
  vapidPrivateKey: string;
  /** AES-256 key (base64url) that seals the access tokens kept with subscriptions (token-seal.ts). */
  tokenSealKey: string;
  createdAt: Date;
}

/** Loads the instance's push keys, creating them the first time; every process agrees on one set. */
export class PushKeysStore {
  private readonly collection: Collection<PushKeysRecord>;
  private loaded: Promise<PushKeysRecord> | null = null;

  constructor(db: Db) {
    this.collection = db.collection<PushKeysRecord>('push_keys');
  }

  /** Runs at start with the other stores' index creation: the keys exist before the first request. */
  async ensureIndexes(): Promise<void> {
    await this.keys();
  }

  /** The keys, cached once read. */
  keys(): Promise<PushKeysRecord> {
    this.loaded ??= this.loadOrCreate().catch((error: unknown) => {
      this.loaded = null;
      throw error;
    });
    return this.loaded;
  }

  /** The VAPID public key clients subscribe with (Mastodon's vapid_key / server_key). */
  async vapidPublicKey(): Promise<string> {
    return (await this.keys()).vapidPublicKey;
  }

  private async loadOrCreate(): Promise<PushKeysRecord> {
    const found = await this.collection.findOne({ _id: 'keys' });
    if (found) return found;
    const vapid = webPush.generateVAPIDKeys();
    const record: PushKeysRecord = {
      _id: 'keys',
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      tokenSealKey: randomBytes(32).toString('base64url'),
      createdAt: new Date(),
    };
    try {
      await this.collection.insertOne(record);
      return record;
    } catch (error) {
      // Another process of the instance made them first: theirs win.
      if (!isDuplicateKey(error)) throw error;
      const winner = await this.collection.findOne({ _id: 'keys' });
      if (!winner) throw error;
      return winner;
    }
  }
}
