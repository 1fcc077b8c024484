import type { Collection, Db } from 'mongodb';

/** A web app sign-in: the browser holds the secret in an HttpOnly cookie; only its hash is kept here. */
export interface SessionRecord {
  _id: string;
  secretHash: string;
  accountId: string;
  /** What the session may do: every scope of a web client, like an OAuth access token's scopes. */
  scopes: string[];
  /** Sent back by the web app in X-CSRF-Token on every unsafe request; useless without the cookie. */
  csrfToken: string;
  /** The browser, for the sessions list in settings. */
  userAgent: string;
  ip: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

/** MongoDB collection `web_sessions`. */
export class SessionsStore {
  private readonly sessions: Collection<SessionRecord>;

  constructor(db: Db) {
    this.sessions = db.collection<SessionRecord>('web_sessions');
  }

  async ensureIndexes(): Promise<void> {
    await this.sessions.createIndex({ secretHash: 1 }, { unique: true });
    await this.sessions.createIndex({ accountId: 1, createdAt: -1 });
  }

  async insert(session: SessionRecord): Promise<void> {
    await this.sessions.insertOne(session);
  }

  findBySecretHash(secretHash: string): Promise<SessionRecord | null> {
    return this.sessions.findOne({ secretHash });
  }

  /** The account's sessions that have not expired, newest first. */
  listForAccount(accountId: string, now: Date): Promise<SessionRecord[]> {
    return this.sessions.find({ accountId, expiresAt: { $gt: now } }).sort({ createdAt: -1 }).limit(200).toArray();
  }

  /** Deletes one of the account's sessions; returns it, or null when the account has no such session. */
  deleteForAccount(accountId: string, id: string): Promise<SessionRecord | null> {
    return this.sessions.findOneAndDelete({ _id: id, accountId });
  }

  /** Deletes every session of the account except `keepId` (null: all); returns the deleted ones. */
  async deleteAllForAccountExcept(accountId: string, keepId: string | null): Promise<SessionRecord[]> {
    const filter = keepId === null ? { accountId } : { accountId, _id: { $ne: keepId } };
    const doomed = await this.sessions.find(filter).toArray();
    await this.sessions.deleteMany({ _id: { $in: doomed.map((s) => s._id) } });
    return doomed;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.sessions.updateOne({ _id: id }, { $set: { lastUsedAt: at } });
  }
}
