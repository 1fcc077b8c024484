import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../infra/mongo.ts';

/** The alert names of Mastodon's push API (data[alerts][…]); the notification types they stand for. */
export const PUSH_ALERTS = ['mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'poll', 'update', 'admin.sign_up', 'admin.report'] as const;
export type PushAlert = (typeof PUSH_ALERTS)[number];
export type PushAlerts = Record<PushAlert, boolean>;

/** Whose notifications are pushed: everyone's, those of accounts the recipient follows, of its followers, or none. */
export const PUSH_POLICIES = ['all', 'followed', 'follower', 'none'] as const;
export type PushPolicy = (typeof PUSH_POLICIES)[number];

export type CredentialKind = 'token' | 'session';

/** A Web Push subscription as MongoDB stores it (collection "push_subscriptions"). */
export interface PushSubscriptionRecord {
  _id: string;
  /**
   * The access token it belongs to: one subscription per token (Mastodon's rule). A web session counts as
   * its token (its auth context's tokenId, "session:<id>").
   */
  tokenId: string;
  accountId: string;
  /** The push service URL messages are POSTed to. */
  endpoint: string;
  /** The user agent's P-256 public key and auth secret (RFC 8291), base64url as the client sent them. */
  p256dh: string;
  auth: string;
  alerts: PushAlerts;
  policy: PushPolicy;
  /** What the subscriber signed in with: an access token, or the web app's session cookie. */
  credential: CredentialKind;
  /**
   * The access token or cookie secret itself, sealed (token-seal.ts): each message checks it is still
   * valid (revoked ones take their subscription with them), and Mastodon's payload carries the token.
   */
  sealedSecret: string;
  createdAt: Date;
}

/** MongoDB queries for push subscriptions. */
export class PushSubscriptionsStore {
  private readonly collection: Collection<PushSubscriptionRecord>;

  constructor(db: Db) {
    this.collection = db.collection<PushSubscriptionRecord>('push_subscriptions');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { tokenId: 1 }, name: 'token_id', unique: true },
      // A notification fans out to its recipient's subscriptions.
      { key: { accountId: 1 }, name: 'account_id' },
    ]);
  }

  /** Stores the token's subscription in place of the one it had (a new POST replaces it, with a new id). */
  async replaceForToken(record: PushSubscriptionRecord): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.collection.deleteMany({ tokenId: record.tokenId });
      try {
        await this.collection.insertOne(record);
        return;
      } catch (error) {
        // Two POSTs with one token at once: the second deletes the first's and tries again.
        if (!isDuplicateKey(error) || attempt >= 2) throw error;
      }
    }
  }

  findByToken(tokenId: string): Promise<PushSubscriptionRecord | null> {
    return this.collection.findOne({ tokenId });
  }

  find(id: string): Promise<PushSubscriptionRecord | null> {
    return this.collection.findOne({ _id: id });
  }

  /** The subscription of the token with new alerts and policy, or null when the token has none. */
  updateData(tokenId: string, alerts: PushAlerts, policy: PushPolicy): Promise<PushSubscriptionRecord | null> {
    return this.collection.findOneAndUpdate({ tokenId }, { $set: { alerts, policy } }, { returnDocument: 'after' });
  }

  async deleteByToken(tokenId: string): Promise<void> {
    await this.collection.deleteMany({ tokenId });
  }

  async delete(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }

  ofAccount(accountId: string): Promise<PushSubscriptionRecord[]> {
    return this.collection.find({ accountId }).toArray();
  }
}
