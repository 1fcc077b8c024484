import type { Collection, Db, Filter, Sort } from 'mongodb';
import type { Redis } from 'ioredis';
import { AccountCache } from './account-cache.ts';
import { prefixTerms } from '../shared/search-terms.ts';
import { pageFilter, pageSortDirection, type Page } from '../shared/pagination.ts';

export type Role = 'admin' | 'connector' | 'member';
export const ROLES: readonly Role[] = ['admin', 'connector', 'member'];

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct' | 'local';

/** A person, or a department actor (docs/connectors-design.md §1: an ActivityPub Group). */
export type AccountKind = 'person' | 'department';

export interface ProfileField {
  name: string;
  value: string;
}

export interface AccountRecord {
  _id: string;
  username: string;
  usernameLower: string;
  /** null for accounts of this instance; the remote host for others (federation). */
  domain: string | null;
  email: string | null;
  emailLower: string | null;
  passwordHash: string | null;
  role: Role;
  /** Absent on people's local accounts (older records too): only department actors carry it, and remote accounts. */
  kind?: AccountKind;
  displayName: string;
  /** The bio as typed (plain text); noteHtml is what clients render. */
  note: string;
  noteHtml: string;
  title: string;
  department: string;
  location: string;
  fields: ProfileField[];
  locked: boolean;
  bot: boolean;
  discoverable: boolean;
  suspended: boolean;
  suspendedAt: Date | null;
  avatarUrl: string | null;
  headerUrl: string | null;
  statusesCount: number;
  followersCount: number;
  followingCount: number;
  lastStatusAt: Date | null;
  defaultVisibility: Visibility;
  defaultSensitive: boolean;
  defaultLanguage: string | null;
  /** Prefixes of username, display name, title, department and location (search). */
  searchPrefixes: string[];
  createdAt: Date;
  updatedAt: Date;
  /**
   * The ActivityPub id of a remote account. Absent (not null) on local accounts, so that the sparse
   * unique index "uri" skips them.
   */
  uri?: string;
  /** Remote accounts: the profile page, the inboxes and the followers collection; null (or absent on older records) for local ones. */
  url?: string | null;
  inboxUrl?: string | null;
  sharedInboxUrl?: string | null;
  followersUrl?: string | null;
  /** When a remote account's actor document was last read. */
  fetchedAt?: Date | null;
  /** An admin marked this local person as a leader (adoption analytics: leadership participation). */
  leader?: boolean;
}

/** Remote actor data as federation maps it, to be stored as an account (AccountsService.upsertRemote). */
export interface RemoteAccountInput {
  uri: string;
  url: string | null;
  /** The actor's host[:port]; becomes the account's domain. */
  host: string;
  /** preferredUsername. */
  username: string;
  displayName: string;
  /** Already sanitized by federation. */
  noteHtml: string;
  title: string;
  department: string;
  location: string;
  fields: ProfileField[];
  locked: boolean;
  bot: boolean;
  /** The actor is a Group: another instance's department actor. */
  group?: boolean;
  avatarUrl: string | null;
  headerUrl: string | null;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  followersUrl: string | null;
}

export type AccountCounter = 'statusesCount' | 'followersCount' | 'followingCount';

/** What adoption analytics reads of a local person (AccountsStore.localPeople). */
export type LocalPerson = Pick<AccountRecord, '_id' | 'username' | 'displayName' | 'department' | 'createdAt' | 'suspended' | 'leader'>;

/** Which local accounts an administrator's list shows. */
export interface LocalAccountFilter {
  role?: Role;
  suspended?: boolean;
}

/** The search prefixes an account is found by. */
export function accountSearchPrefixes(a: Pick<AccountRecord, 'username' | 'displayName' | 'title' | 'department' | 'location'>): string[] {
  return prefixTerms(a.username, a.displayName, a.title, a.department, a.location);
}

/** MongoDB queries for accounts; reads by id go through a Redis cache that every write here drops. */
export class AccountsStore {
  readonly collection: Collection<AccountRecord>;
  private readonly cache: AccountCache;

  constructor(db: Db, redis: Redis) {
    this.collection = db.collection<AccountRecord>('accounts');
    this.cache = new AccountCache(redis);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { usernameLower: 1, domain: 1 }, name: 'username_domain', unique: true },
      // Sparse: accounts without an email (frontline staff signed up by invite) do not collide.
      { key: { emailLower: 1 }, name: 'email', unique: true, sparse: true },
      { key: { searchPrefixes: 1 }, name: 'search_prefixes' },
      { key: { role: 1 }, name: 'role' },
      // Federation finds remote accounts by their ActivityPub id; local accounts have no uri field.
      { key: { uri: 1 }, name: 'uri', unique: true, sparse: true },
    ]);
  }

  async insert(account: AccountRecord): Promise<void> {
    // A missing email is left out of the document so the sparse unique index ignores it.
    const { email, emailLower, ...rest } = account;
    await this.collection.insertOne(email ? account : ({ ...rest, email: null } as AccountRecord));
  }

  async findById(id: string): Promise<AccountRecord | null> {
    return (await this.findByIds([id]))[0] ?? null;
  }

  async findByIds(ids: readonly string[]): Promise<AccountRecord[]> {
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)];
    const { found, generations } = await this.cache.getMany(unique);
    if (generations.size === 0) return [...found.values()];
    const loaded = await this.collection.find({ _id: { $in: [...generations.keys()] } }).toArray();
    await this.cache.putMany(loaded, generations);
    // By id, accounts come without their password hash, cached or not: only sign-in needs it.
    return [...found.values(), ...loaded.map((a) => ({ ...a, passwordHash: null }))];
  }

  findLocalByUsername(username: string): Promise<AccountRecord | null> {
    return this.collection.findOne({ usernameLower: username.toLowerCase(), domain: null });
  }

  findByUsername(username: string, domain: string | null): Promise<AccountRecord | null> {
    return this.collection.findOne({ usernameLower: username.toLowerCase(), domain });
  }

  /** The remote account with this ActivityPub id (local accounts have none), without the cache. */
  findByUri(uri: string): Promise<AccountRecord | null> {
    return this.collection.findOne({ uri });
  }

  findLocalByEmail(email: string): Promise<AccountRecord | null> {
    return this.collection.findOne({ emailLower: email.toLowerCase(), domain: null });
  }

  async findLocalByUsernames(usernames: readonly string[]): Promise<AccountRecord[]> {
    if (usernames.length === 0) return [];
    return this.collection.find({ usernameLower: { $in: usernames.map((u) => u.toLowerCase()) }, domain: null }).toArray();
  }

  async update(id: string, set: Partial<AccountRecord>): Promise<AccountRecord | null> {
    const updated = await this.collection.findOneAndUpdate({ _id: id }, { $set: { ...set, updatedAt: new Date() } }, { returnDocument: 'after' });
    await this.cache.drop(id);
    return updated;
  }

  async increment(id: string, counter: AccountCounter, by: number, extra: Partial<AccountRecord> = {}): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $inc: { [counter]: by }, ...(Object.keys(extra).length ? { $set: extra } : {}) });
    await this.cache.drop(id);
  }

  /** Accounts in id order, newest first, optionally filtered; for admin lists and the CLI. */
  list(filter: Filter<AccountRecord> = {}, limit = 1000): Promise<AccountRecord[]> {
    return this.collection.find(filter).sort({ _id: -1 }).limit(limit).toArray();
  }

  /** Accounts whose search prefixes include every given prefix. */
  search(prefixes: string[], options: { localOnly: boolean; limit: number; offset: number }): Promise<AccountRecord[]> {
    const filter: Filter<AccountRecord> = { searchPrefixes: { $all: prefixes }, suspended: false };
    if (options.localOnly) filter.domain = null;
    return this.collection.find(filter).sort({ followersCount: -1, _id: 1 }).skip(options.offset).limit(options.limit).toArray();
  }

  count(filter: Filter<AccountRecord> = {}): Promise<number> {
    return this.collection.countDocuments(filter);
  }

  /**
   * One page of local accounts, optionally by role or suspension, in the page's read order. Only the
   * ids come from the query; the records come through the cache like every other read by id.
   */
  async listLocalPage(filter: LocalAccountFilter, page: Page): Promise<AccountRecord[]> {
    const query: Filter<AccountRecord> = { domain: null, kind: { $ne: 'department' } };
    if (filter.role) query.role = filter.role;
    if (filter.suspended !== undefined) query.suspended = filter.suspended;
    const bounds = pageFilter(page);
    if (bounds) query._id = bounds;
    const rows = await this.collection.find(query, { projection: { _id: 1 } }).sort({ _id: pageSortDirection(page) }).limit(page.limit).toArray();
    return this.inOrder(rows.map((r) => r._id));
  }

  /**
   * One page of the people directory: discoverable accounts that are not suspended, this instance's first,
   * then the known accounts of other instances, each group most recently active (or newest) first.
   * Offset paging runs across both groups, as Mastodon's directory pages by offset.
   */
  async directoryPage(options: { order: 'active' | 'new'; localOnly: boolean; offset: number; limit: number }): Promise<AccountRecord[]> {
    const base: Filter<AccountRecord> = { discoverable: true, suspended: false };
    const sort: Sort = options.order === 'active' ? { lastStatusAt: -1, _id: -1 } : { _id: -1 };
    const ids = async (filter: Filter<AccountRecord>, skip: number, limit: number) =>
      limit === 0 ? [] : (await this.collection.find(filter, { projection: { _id: 1 } }).sort(sort).skip(skip).limit(limit).toArray()).map((r) => r._id);
    const localFilter: Filter<AccountRecord> = { ...base, domain: null };
    const local = await ids(localFilter, options.offset, options.limit);
    if (options.localOnly || local.length === options.limit) return this.inOrder(local);
    // The local group ended on this page, or before it: the remote group starts where it ended.
    const localTotal = local.length > 0 ? options.offset + local.length : await this.count(localFilter);
    const remote = await ids({ ...base, domain: { $ne: null } }, Math.max(0, options.offset - localTotal), options.limit - local.length);
    return this.inOrder([...local, ...remote]);
  }

  /**
   * Every local person (no department actor), suspended or not, with only the fields adoption analytics
   * reads: one query without the cache, as it reads the whole population.
   */
  localPeople(): Promise<LocalPerson[]> {
    return this.collection
      .find({ domain: null, kind: { $ne: 'department' } }, { projection: { _id: 1, username: 1, displayName: 1, department: 1, createdAt: 1, suspended: 1, leader: 1 } })
      .toArray() as Promise<LocalPerson[]>;
  }

  /** The oldest local admin that is not suspended (the instance's founder), through the cache. */
  async oldestActiveAdmin(): Promise<AccountRecord | null> {
    const row = await this.collection.findOne({ domain: null, role: 'admin', suspended: false }, { projection: { _id: 1 }, sort: { _id: 1 } });
    return row ? this.findById(row._id) : null;
  }

  /** The sum of the status counters of local accounts, counted in MongoDB. */
  async sumLocalStatuses(): Promise<number> {
    const [row] = await this.collection
      .aggregate<{ total: number }>([{ $match: { domain: null } }, { $group: { _id: null, total: { $sum: '$statusesCount' } } }])
      .toArray();
    return row?.total ?? 0;
  }

  private async inOrder(ids: string[]): Promise<AccountRecord[]> {
    const found = new Map((await this.findByIds(ids)).map((a) => [a._id, a]));
    return ids.map((id) => found.get(id)).filter((a): a is AccountRecord => a !== undefined);
  }
}
