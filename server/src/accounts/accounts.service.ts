import { isDuplicateKey } from '../infra/mongo.ts';
import { Conflict, Invalid, NotFound } from '../shared/errors.ts';
import { findUrlLinks, plainTextToHtml } from '../shared/html.ts';
import { newId } from '../shared/ids.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Page } from '../shared/pagination.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Origin } from './accounts.serialize.ts';
import { remoteAccountChanges } from './remote-accounts.ts';
import {
  accountSearchPrefixes,
  ROLES,
  type AccountCounter,
  type AccountRecord,
  type AccountsStore,
  type LocalAccountFilter,
  type LocalPerson,
  type ProfileField,
  type RemoteAccountInput,
  type Role,
  type Visibility,
} from './accounts.store.ts';

export const USERNAME_PATTERN = /^[a-z0-9_]{1,30}$/i;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const PROFILE_LIMITS = {
  displayName: 30,
  note: 500,
  title: 100,
  department: 100,
  location: 100,
  fields: 4,
  fieldName: 255,
  fieldValue: 255,
  passwordMin: 8,
  passwordMax: 128,
} as const;

export interface NewAccount {
  username: string;
  email?: string | null;
  password: string;
  role?: Role;
  displayName?: string;
  locked?: boolean;
}

export interface ProfileUpdate {
  displayName?: string;
  note?: string;
  title?: string;
  department?: string;
  location?: string;
  fields?: ProfileField[];
  locked?: boolean;
  bot?: boolean;
  discoverable?: boolean;
  defaultVisibility?: Visibility;
  defaultSensitive?: boolean;
  defaultLanguage?: string | null;
  /** URLs of images this instance stored (MediaService.storeProfileImage). */
  avatarUrl?: string;
  headerUrl?: string;
}

function checkLength(label: string, value: string, max: number): void {
  if (value.length > max) throw new Invalid(`Validation failed: ${label} is too long (maximum is ${max} characters)`);
}

let dummy: Promise<string> | null = null;
const dummyHash = () => (dummy ??= hashPassword('not a password of anyone'));

/** Accounts of this instance: creation, profiles, roles, suspension, credentials. */
export class AccountsService {
  private readonly store: AccountsStore;
  private readonly events: EventBus;
  private readonly origin: Origin | null;
  /** Usernames no one may register (the department actor's, docs/connectors-design.md §1). */
  private readonly reserved = new Set<string>();

  /** `origin` tells local actor ids from remote ones (findByUri) and refuses remote records for our own host. */
  constructor(store: AccountsStore, events: EventBus, origin: Origin | null = null) {
    this.store = store;
    this.events = events;
    this.origin = origin;
  }

  /** Creates a local account; throws Invalid for a bad field and Conflict for a taken username or email. */
  async create(input: NewAccount): Promise<AccountRecord> {
    const username = input.username.trim();
    if (!USERNAME_PATTERN.test(username)) {
      throw new Invalid('Validation failed: Username must be 1-30 letters, digits or underscores');
    }
    if (this.reserved.has(username.toLowerCase())) throw new Conflict('Validation failed: Username is reserved');
    const email = input.email?.trim() || null;
    if (email !== null && !EMAIL_PATTERN.test(email)) throw new Invalid('Validation failed: Email is invalid');
    this.checkPassword(input.password);
    const role = input.role ?? 'member';
    if (!ROLES.includes(role)) throw new Invalid(`Validation failed: Role must be one of ${ROLES.join(', ')}`);
    const displayName = (input.displayName ?? '').trim();
    checkLength('Display name', displayName, PROFILE_LIMITS.displayName);

    if (await this.store.findLocalByUsername(username)) throw new Conflict('Validation failed: Username is already taken');
    if (email && (await this.store.findLocalByEmail(email))) throw new Conflict('Validation failed: Email is already taken');

    const now = new Date();
    const account: AccountRecord = {
      _id: newId(now),
      username,
      usernameLower: username.toLowerCase(),
      domain: null,
      email,
      emailLower: email?.toLowerCase() ?? null,
      passwordHash: await hashPassword(input.password),
      role,
      displayName,
      note: '',
      noteHtml: '',
      title: '',
      department: '',
      location: '',
      fields: [],
      locked: input.locked ?? false,
      bot: false,
      discoverable: true,
      suspended: false,
      suspendedAt: null,
      avatarUrl: null,
      headerUrl: null,
      statusesCount: 0,
      followersCount: 0,
      followingCount: 0,
      lastStatusAt: null,
      defaultVisibility: 'public',
      defaultSensitive: false,
      defaultLanguage: null,
      searchPrefixes: accountSearchPrefixes({ username, displayName, title: '', department: '', location: '' }),
      createdAt: now,
      updatedAt: now,
      url: null,
      inboxUrl: null,
      sharedInboxUrl: null,
      followersUrl: null,
      fetchedAt: null,
    };
    try {
      await this.store.insert(account);
    } catch (error) {
      // Two sign-ups racing for one name: the unique index decides.
      if (isDuplicateKey(error)) throw new Conflict('Validation failed: Username or email is already taken');
      throw error;
    }
    return account;
  }

  /** Makes a username impossible to register (create refuses it with 409). */
  reserveUsername(username: string): void {
    this.reserved.add(username.toLowerCase());
  }

  /**
   * The department actor's account (docs/connectors-design.md §1), created when missing: no email, no
   * password (it can never sign in), kind `department`. Conflict when a person already holds the name.
   */
  async ensureDepartment(username: string, displayName: string): Promise<AccountRecord> {
    const existing = await this.store.findLocalByUsername(username);
    if (existing) {
      if (existing.kind !== 'department') throw new Conflict(`The department username "${username}" belongs to a person's account; rename that account`);
      return existing;
    }
    const now = new Date();
    const name = displayName.slice(0, PROFILE_LIMITS.displayName);
    const account: AccountRecord = {
      _id: newId(now), username, usernameLower: username.toLowerCase(), domain: null, email: null, emailLower: null,
      passwordHash: null, role: 'member', kind: 'department', displayName: name, note: '', noteHtml: '', title: '',
      department: name, location: '', fields: [], locked: false, bot: false, discoverable: true, suspended: false,
      suspendedAt: null, avatarUrl: null, headerUrl: null, statusesCount: 0, followersCount: 0, followingCount: 0,
      lastStatusAt: null, defaultVisibility: 'public', defaultSensitive: false, defaultLanguage: null,
      searchPrefixes: accountSearchPrefixes({ username, displayName: name, title: '', department: name, location: '' }),
      createdAt: now, updatedAt: now, url: null, inboxUrl: null, sharedInboxUrl: null, followersUrl: null, fetchedAt: null,
    };
    try {
      await this.store.insert(account);
    } catch (error) {
      // Two processes starting at once: the other one created it.
      if (!isDuplicateKey(error)) throw error;
      return this.ensureDepartment(username, displayName);
    }
    return account;
  }

  /**
   * Creates or updates a remote account by its ActivityPub id; returns the account id. The domain is
   * the actor's host and the username its preferredUsername. Invalid when the actor claims this
   * instance's host or its id is not on its host; Conflict when the id belongs to a local account or
   * another remote actor already holds username@host. Remote records never emit account.updated
   * (that event announces local profile changes to other instances).
   */
  async upsertRemote(input: RemoteAccountInput): Promise<string> {
    const changes = remoteAccountChanges(input, this.origin?.domain ?? null);
    const now = new Date();
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = await this.store.findByUri(input.uri);
      if (existing) {
        if (existing.domain === null) throw new Conflict('Validation failed: This actor id belongs to a local account');
        try {
          await this.store.update(existing._id, { ...changes, fetchedAt: now });
        } catch (error) {
          if (isDuplicateKey(error)) throw new Conflict('Validation failed: Another actor holds this username on that host');
          throw error;
        }
        return existing._id;
      }
      const account: AccountRecord = {
        _id: newId(now),
        email: null,
        emailLower: null,
        passwordHash: null,
        role: 'member',
        discoverable: true,
        suspended: false,
        suspendedAt: null,
        statusesCount: 0,
        followersCount: 0,
        followingCount: 0,
        lastStatusAt: null,
        defaultVisibility: 'public',
        defaultSensitive: false,
        defaultLanguage: null,
        note: '',
        createdAt: now,
        updatedAt: now,
        fetchedAt: now,
        ...changes,
      };
      try {
        await this.store.insert(account);
        return account._id;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Either the same actor was stored meanwhile (go round and update it), or username@host is taken.
        if (!(await this.store.findByUri(input.uri))) throw new Conflict('Validation failed: Another actor holds this username on that host');
      }
    }
    throw new Conflict('Validation failed: The account changed while being stored');
  }

  /**
   * The account an ActivityPub actor id names: a local account by its /users/<username> id, a remote
   * one by its stored uri; null when unknown. No network access.
   */
  async findByUri(uri: string): Promise<AccountRecord | null> {
    const localPrefix = this.origin ? `${this.origin.publicUrl}/users/` : null;
    if (localPrefix && uri.startsWith(localPrefix)) {
      const username = uri.slice(localPrefix.length);
      return USERNAME_PATTERN.test(username) ? this.store.findLocalByUsername(username) : null;
    }
    const found = await this.store.findByUri(uri);
    return found && found.domain !== null ? found : null;
  }

  /** The account with this id; NotFound when there is none. */
  async get(id: string): Promise<AccountRecord> {
    const account = await this.store.findById(id);
    if (!account) throw new NotFound();
    return account;
  }

  /** The account with this id, or null. */
  find(id: string): Promise<AccountRecord | null> {
    return this.store.findById(id);
  }

  /** Accounts by id, in the order asked, skipping unknown ids. */
  async getMany(ids: readonly string[]): Promise<AccountRecord[]> {
    const found = new Map((await this.store.findByIds(ids)).map((a) => [a._id, a]));
    return ids.map((id) => found.get(id)).filter((a): a is AccountRecord => a !== undefined);
  }

  /** Local accounts by username (case-insensitive), e.g. for @mentions. */
  findLocalByUsernames(usernames: readonly string[]): Promise<AccountRecord[]> {
    return this.store.findLocalByUsernames(usernames);
  }

  /** The known remote account username@domain (case-insensitive), or null; no network access. */
  findRemote(username: string, domain: string): Promise<AccountRecord | null> {
    return this.store.findByUsername(username, domain.toLowerCase());
  }

  /** Resolves "user" or "user@this-domain" to a local account; NotFound otherwise. */
  async lookup(acct: string, localDomain: string): Promise<AccountRecord> {
    const [username, domain] = acct.replace(/^@/, '').split('@');
    if (!username || (domain !== undefined && domain.toLowerCase() !== localDomain.toLowerCase())) throw new NotFound();
    const account = await this.store.findLocalByUsername(username);
    if (!account) throw new NotFound();
    return account;
  }

  /** The local account with this username or email and password, or null (same answer for every failure). */
  async authenticate(usernameOrEmail: string, password: string): Promise<AccountRecord | null> {
    const account = usernameOrEmail.includes('@')
      ? await this.store.findLocalByEmail(usernameOrEmail)
      : await this.store.findLocalByUsername(usernameOrEmail);
    if (!account?.passwordHash) {
      // Same work as a wrong password, so the answer's timing does not tell which accounts exist.
      await verifyPassword(password, await dummyHash());
      return null;
    }
    return (await verifyPassword(password, account.passwordHash)) ? account : null;
  }

  /** Sets a new password after checking the current one (a wrong one is Invalid, 422: the caller stays signed in). */
  async changePassword(id: string, currentPassword: string, newPassword: string): Promise<void> {
    const account = await this.get(id);
    const withHash = account.domain === null ? await this.store.findLocalByUsername(account.username) : null;
    if (!withHash?.passwordHash || !(await verifyPassword(currentPassword, withHash.passwordHash))) {
      throw new Invalid('Validation failed: Current password is not correct');
    }
    this.checkPassword(newPassword);
    await this.store.update(id, { passwordHash: await hashPassword(newPassword) });
  }

  /** Applies a profile change, validating every field before anything is written. */
  async updateProfile(id: string, update: ProfileUpdate): Promise<AccountRecord> {
    const current = await this.get(id);
    const set: Partial<AccountRecord> = {};
    for (const key of ['displayName', 'title', 'department', 'location'] as const) {
      const value = update[key];
      if (value === undefined) continue;
      checkLength(key === 'displayName' ? 'Display name' : key[0]!.toUpperCase() + key.slice(1), value.trim(), PROFILE_LIMITS[key]);
      set[key] = value.trim();
    }
    if (update.note !== undefined) {
      checkLength('Note', update.note, PROFILE_LIMITS.note);
      set.note = update.note;
      set.noteHtml = plainTextToHtml(update.note, findUrlLinks(update.note));
    }
    if (update.fields !== undefined) {
      const fields = update.fields
        .map((f) => ({ name: f.name.trim(), value: f.value.trim() }))
        .filter((f) => f.name !== '' || f.value !== '');
      if (fields.length > PROFILE_LIMITS.fields) {
        throw new Invalid(`Validation failed: Fields may hold at most ${PROFILE_LIMITS.fields} entries`);
      }
      for (const f of fields) {
        checkLength('Field name', f.name, PROFILE_LIMITS.fieldName);
        checkLength('Field value', f.value, PROFILE_LIMITS.fieldValue);
      }
      set.fields = fields;
    }
    for (const key of ['locked', 'bot', 'discoverable', 'defaultSensitive'] as const) {
      if (update[key] !== undefined) set[key] = update[key];
    }
    if (update.defaultVisibility === 'direct') {
      // As Mastodon: a direct message needs recipients, so it cannot be what every post defaults to.
      throw new Invalid('Validation failed: Default visibility cannot be direct');
    }
    if (update.defaultVisibility !== undefined) set.defaultVisibility = update.defaultVisibility;
    if (update.defaultLanguage !== undefined) set.defaultLanguage = update.defaultLanguage;
    if (update.avatarUrl !== undefined) set.avatarUrl = update.avatarUrl;
    if (update.headerUrl !== undefined) set.headerUrl = update.headerUrl;
    const merged = { ...current, ...set };
    set.searchPrefixes = accountSearchPrefixes(merged);
    const updated = await this.store.update(id, set);
    if (!updated) throw new NotFound();
    await this.events.emit('account.updated', { accountId: id });
    return updated;
  }

  /** Gives an account a role (admin, connector, member). */
  async setRole(id: string, role: Role): Promise<AccountRecord> {
    if (!ROLES.includes(role)) throw new Invalid(`Validation failed: Role must be one of ${ROLES.join(', ')}`);
    const updated = await this.store.update(id, { role });
    if (!updated) throw new NotFound();
    return updated;
  }

  /** Suspends or reinstates an account; a suspended account cannot sign in or use its tokens. */
  async setSuspended(id: string, suspended: boolean): Promise<AccountRecord> {
    const updated = await this.store.update(id, { suspended, suspendedAt: suspended ? new Date() : null });
    if (!updated) throw new NotFound();
    return updated;
  }

  /** Every local person (not department actors), with the few fields adoption analytics reads. */
  localPeople(): Promise<LocalPerson[]> {
    return this.store.localPeople();
  }

  /** Marks a local account as a leader, or not (adoption analytics); AdminService checks who and which account. */
  async setLeader(id: string, leader: boolean): Promise<AccountRecord> {
    const updated = await this.store.update(id, { leader });
    if (!updated) throw new NotFound();
    return updated;
  }

  /** Adds to one of an account's counters (statuses, followers, following). */
  async count(id: string, counter: AccountCounter, by: number, extra: Partial<AccountRecord> = {}): Promise<void> {
    await this.store.increment(id, counter, by, extra);
  }

  /** Local accounts, newest first. */
  listLocal(limit = 1000): Promise<AccountRecord[]> {
    return this.store.list({ domain: null, kind: { $ne: 'department' } }, limit);
  }

  /** Accounts matching every word of the query as a prefix of a name, title, department or location. */
  search(prefixes: string[], options: { localOnly: boolean; limit: number; offset: number }): Promise<AccountRecord[]> {
    if (prefixes.length === 0) return Promise.resolve([]);
    return this.store.search(prefixes, options);
  }

  /** One page of the people directory (AccountsStore.directoryPage): local accounts first. */
  directoryPage(options: { order: 'active' | 'new'; localOnly: boolean; offset: number; limit: number }): Promise<AccountRecord[]> {
    return this.store.directoryPage(options);
  }

  /** How many local accounts exist (and are not suspended). */
  countLocal(): Promise<number> {
    // People only: the department actor is not a user.
    return this.store.count({ domain: null, suspended: false, kind: { $ne: 'department' } });
  }

  /** One page of local accounts, optionally by role or suspension, in the page's read order (administration). */
  listLocalPage(filter: LocalAccountFilter, page: Page): Promise<AccountRecord[]> {
    return this.store.listLocalPage(filter, page);
  }

  /** How many local admins can act (are not suspended). */
  countActiveAdmins(): Promise<number> {
    return this.store.count({ domain: null, role: 'admin', suspended: false });
  }

  /** The oldest local admin that is not suspended: the instance's founder and contact. */
  firstAdmin(): Promise<AccountRecord | null> {
    return this.store.oldestActiveAdmin();
  }

  /** The sum of local accounts' status counters (Mastodon's instance status_count). */
  localStatusTotal(): Promise<number> {
    return this.store.sumLocalStatuses();
  }

  private checkPassword(password: string): void {
    if (password.length < PROFILE_LIMITS.passwordMin) {
      throw new Invalid(`Validation failed: Password is too short (minimum is ${PROFILE_LIMITS.passwordMin} characters)`);
    }
    if (password.length > PROFILE_LIMITS.passwordMax) {
      throw new Invalid(`Validation failed: Password is too long (maximum is ${PROFILE_LIMITS.passwordMax} characters)`);
    }
  }
}
