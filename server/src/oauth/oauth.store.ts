import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../infra/mongo.ts';

/** A registered client application (POST /api/v1/apps). */
export interface AppRecord {
  _id: string;
  name: string;
  website: string | null;
  redirectUris: string[];
  scopes: string[];
  /** Public identifier clients send as client_id. */
  clientId: string;
  /** SHA-256 (hex) of the client secret; the secret itself is shown once, at creation. */
  clientSecretHash: string;
  createdAt: Date;
}

/** An access token; only its SHA-256 is stored, so a database leak yields no usable token. */
export interface TokenRecord {
  _id: string;
  tokenHash: string;
  appId: string;
  /** null for an app-only (client credentials) token. */
  accountId: string | null;
  scopes: string[];
  createdAt: Date;
  /** null: valid until revoked (Mastodon's behaviour). */
  expiresAt: Date | null;
}

/** A pending authorization code (10 minutes, one use). */
export interface CodeRecord {
  _id: string;
  codeHash: string;
  appId: string;
  accountId: string;
  scopes: string[];
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: Date;
  createdAt: Date;
}

/** The app that owns personal tokens (CLI `token`, the test harness); it has no usable secret. */
export const PERSONAL_APP_ID = '1000000000000000';

/** MongoDB queries for apps, tokens and authorization codes. */
export class OAuthStore {
  readonly apps: Collection<AppRecord>;
  readonly tokens: Collection<TokenRecord>;
  readonly codes: Collection<CodeRecord>;

  constructor(db: Db) {
    this.apps = db.collection<AppRecord>('oauth_apps');
    this.tokens = db.collection<TokenRecord>('oauth_tokens');
    this.codes = db.collection<CodeRecord>('oauth_codes');
  }

  async ensureIndexes(): Promise<void> {
    await this.apps.createIndexes([{ key: { clientId: 1 }, name: 'client_id', unique: true }]);
    await this.tokens.createIndexes([
      { key: { tokenHash: 1 }, name: 'token_hash', unique: true },
      { key: { accountId: 1 }, name: 'account' },
    ]);
    await this.codes.createIndexes([{ key: { codeHash: 1 }, name: 'code_hash', unique: true }]);
  }

  async insertApp(app: AppRecord): Promise<void> {
    await this.apps.insertOne(app);
  }

  findApp(id: string): Promise<AppRecord | null> {
    return this.apps.findOne({ _id: id });
  }

  findAppByClientId(clientId: string): Promise<AppRecord | null> {
    return this.apps.findOne({ clientId });
  }

  /** Creates the personal-token app once; concurrent callers (several processes) all succeed. */
  async ensureApp(app: AppRecord): Promise<void> {
    try {
      const { _id, ...fields } = app;
      await this.apps.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async insertToken(token: TokenRecord): Promise<void> {
    await this.tokens.insertOne(token);
  }

  findTokenByHash(tokenHash: string): Promise<TokenRecord | null> {
    return this.tokens.findOne({ tokenHash });
  }

  /** Deletes a token; returns it if it existed. */
  deleteTokenByHash(tokenHash: string): Promise<TokenRecord | null> {
    return this.tokens.findOneAndDelete({ tokenHash });
  }

  /** Deletes every token of the account except `keepId` (null: all); returns the deleted ones. */
  async deleteTokensForAccountExcept(accountId: string, keepId: string | null): Promise<TokenRecord[]> {
    const filter = keepId === null ? { accountId } : { accountId, _id: { $ne: keepId } };
    const doomed = await this.tokens.find(filter).toArray();
    await this.tokens.deleteMany({ _id: { $in: doomed.map((t) => t._id) } });
    return doomed;
  }

  async insertCode(code: CodeRecord): Promise<void> {
    await this.codes.insertOne(code);
  }

  findCodeByHash(codeHash: string): Promise<CodeRecord | null> {
    return this.codes.findOne({ codeHash });
  }

  /** Consumes a code; true only for the one caller that deleted it (a code is used at most once). */
  async deleteCode(id: string): Promise<boolean> {
    const result = await this.codes.deleteOne({ _id: id });
    return result.deletedCount === 1;
  }

  /** Removes codes past their expiry; the stand-in has no TTL indexes, so this runs as codes are made. */
  async deleteExpiredCodes(now: Date): Promise<void> {
    await this.codes.deleteMany({ expiresAt: { $lt: now } });
  }
}
