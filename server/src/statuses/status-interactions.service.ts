import type { EventBus } from '../events/event-bus.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord, Visibility } from '../accounts/accounts.store.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Page } from '../shared/pagination.ts';
import { STATUS_LIMITS } from './status-compose.ts';
import { remoteCreatedAt } from './remote-statuses.ts';
import type { StatusRecord } from './status-record.ts';
import type { RelationKind, StatusRelationRecord, StatusRelationsStore } from './status-relations.store.ts';
import type { StatusesService } from './statuses.service.ts';
import type { StatusesStore } from './statuses.store.ts';

export interface StatusInteractionsDeps {
  statuses: StatusesService;
  store: StatusesStore;
  relations: StatusRelationsStore;
  accounts: AccountsService;
  events: EventBus;
}

/** Visibilities a boost may be given; it never widens what was boosted (see reblog). */
export type BoostVisibility = Extract<Visibility, 'public' | 'unlisted' | 'private' | 'local'>;

// How long a boost marker may stand without its boost before it counts as left over from a failed
// attempt: far longer than storing a boost takes, short enough for a retry to wait out.
const PENDING_BOOST_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A boost that arrived from another instance: its Announce's id and publication time. */
export interface RemoteBoost {
  uri: string;
  published: Date;
}

/** A page of statuses, and the ids of the relations that paged them (for Link headers). */
export interface RelationPage<T> {
  items: T[];
  pageIds: string[];
}

/** What accounts do to statuses: favourite, boost, bookmark and pin, and the lists of those. */
export class StatusInteractionsService {
  private readonly statuses: StatusesService;
  private readonly store: StatusesStore;
  private readonly relations: StatusRelationsStore;
  private readonly accounts: AccountsService;
  private readonly events: EventBus;

  constructor(deps: StatusInteractionsDeps) {
    this.statuses = deps.statuses;
    this.store = deps.store;
    this.relations = deps.relations;
    this.accounts = deps.accounts;
    this.events = deps.events;
  }

  /** Favourites a visible status (a boost's original); doing it twice changes nothing. Returns the status. */
  async favourite(account: AccountRecord, id: string): Promise<StatusRecord> {
    const status = await this.visibleOriginal(account, id);
    const { created } = await this.relations.add('favourites', account._id, status._id);
    if (!created) return status;
    const updated = await this.store.incrementCounter(status._id, 'favouritesCount', 1);
    await this.events.emit('favourite.created', { accountId: account._id, statusId: status._id });
    return updated ?? status;
  }

  /** Takes a favourite back; a status no longer visible can still be unfavourited. Returns the status. */
  async unfavourite(account: AccountRecord, id: string): Promise<StatusRecord> {
    return this.undo('favourites', 'favouritesCount', account, id);
  }

  /** Bookmarks a visible status (a boost's original). Returns the status. */
  async bookmark(account: AccountRecord, id: string): Promise<StatusRecord> {
    const status = await this.visibleOriginal(account, id);
    await this.relations.add('bookmarks', account._id, status._id);
    return status;
  }

  /** Removes a bookmark. Returns the status. */
  async unbookmark(account: AccountRecord, id: string): Promise<StatusRecord> {
    return this.undo('bookmarks', null, account, id);
  }

  /**
   * Boosts a visible status and returns the boost (a status with reblogOfId). Boosting twice returns
   * the first boost. Private statuses only their author may boost, direct ones nobody (403, as in
   * Mastodon). The boost of a private or local status keeps its visibility; others take the one asked
   * for, else the account's default (direct falls back to public).
   */
  async reblog(account: AccountRecord, id: string, visibility?: BoostVisibility, remote: RemoteBoost | null = null): Promise<StatusRecord> {
    const original = await this.visibleOriginal(account, id);
    if (original.visibility === 'direct' || (original.visibility === 'private' && original.accountId !== account._id)) {
      throw new Forbidden('This action is not allowed');
    }
    // The boost marker (unique per account and status) decides which request boosts; the others
    // return its boost, once the request that made the marker has stored it.
    let marker = await this.relations.find('reblogs', account._id, original._id);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (marker) {
        const boost = await this.boostOf(marker);
        if (boost) return boost;
        // A marker whose boost never came (an interrupted attempt) or was deleted: clear it and boost afresh.
        await this.relations.remove('reblogs', account._id, original._id, { reblogId: marker.reblogId });
      }
      const boostId = newId();
      const added = await this.relations.add('reblogs', account._id, original._id, { reblogId: boostId });
      if (added.created) return this.insertBoost(account, original, boostId, visibility, remote);
      marker = added.record;
    }
    throw new Conflict('Another boost of this post is in progress');
  }

  // Stores the boost a fresh marker points at and counts it. If it cannot be stored, the marker goes
  // too, so the next attempt is not left waiting for a boost that will never come.
  private async insertBoost(account: AccountRecord, original: StatusRecord, boostId: string, visibility: BoostVisibility | undefined, remote: RemoteBoost | null): Promise<StatusRecord> {
    const now = remote ? remoteCreatedAt(remote.published, new Date()) : new Date();
    const fallback: BoostVisibility = account.defaultVisibility === 'direct' ? 'public' : account.defaultVisibility;
    const boost: StatusRecord = {
      _id: boostId,
      accountId: account._id,
      uri: remote?.uri ?? null,
      text: '',
      contentHtml: '',
      spoilerText: '',
      sensitive: false,
      visibility: original.visibility === 'private' || original.visibility === 'local' ? original.visibility : (visibility ?? fallback),
      language: null,
      inReplyToId: null,
      inReplyToAccountId: null,
      reblogOfId: original._id,
      mentionIds: [],
      tags: [],
      applicationId: null,
      createdAt: now,
      editedAt: null,
      deletedAt: null,
      repliesCount: 0,
      reblogsCount: 0,
      favouritesCount: 0,
      searchTerms: [],
      rev: 0,
    };
    try {
      await this.store.insert(boost);
    } catch (error) {
      if (!(await this.store.exists(boostId).catch(() => false))) await this.relations.remove('reblogs', account._id, original._id, { reblogId: boostId });
      throw error;
    }
    await Promise.all([this.store.incrementCounter(original._id, 'reblogsCount', 1), this.statuses.counted(boost, now)]);
    await this.events.emit('status.created', { statusId: boost._id });
    return boost;
  }

  // The live boost a marker points at. A racing request may hold a marker whose boost it has not
  // stored yet: wait for it, up to PENDING_BOOST_MS after the marker was made. Null for a stale marker.
  private async boostOf(marker: StatusRelationRecord): Promise<StatusRecord | null> {
    if (!marker.reblogId) return null;
    const deadline = marker.createdAt.getTime() + PENDING_BOOST_MS;
    for (;;) {
      const boost = await this.store.get(marker.reblogId);
      if (boost) return boost.deletedAt ? null : boost;
      if (Date.now() >= deadline) return null;
      await sleep(25);
    }
  }

  /**
   * A boost from another instance: `account` (remote) boosts a visible status under the Announce's id,
   * through the same path and events as a local boost. Returns the boost.
   */
  async receiveAnnounce(account: AccountRecord, id: string, activityUri: string, published: Date): Promise<StatusRecord> {
    if (account.domain === null) throw new Forbidden('Not a remote account');
    return this.reblog(account, id, 'public', { uri: activityUri, published });
  }

  /** Takes back the boost stored under an Announce's id, if `account` made it; false when there is none of theirs. */
  async undoAnnounce(account: AccountRecord, activityUri: string): Promise<boolean> {
    const boost = await this.statuses.findByUri(activityUri);
    if (!boost || !boost.reblogOfId || boost.accountId !== account._id) return false;
    if (!boost.deletedAt) await this.statuses.tombstone(boost);
    return true;
  }

  /** Takes a boost back (deleting the boost status). Returns the original status. */
  async unreblog(account: AccountRecord, id: string): Promise<StatusRecord> {
    const original = await this.originalOf(id);
    const marker = await this.relations.find('reblogs', account._id, original._id);
    if (!marker) return this.statuses.get(original._id, account);
    const boost = marker.reblogId ? await this.store.get(marker.reblogId) : null;
    if (boost && !boost.deletedAt) await this.statuses.tombstone(boost);
    else await this.relations.remove('reblogs', account._id, original._id);
    return (await this.store.get(original._id)) ?? original;
  }

  /**
   * Pins one of the account's own statuses to its profile (not a boost, not a direct message, at
   * most five). Breaking a rule answers 422 with Mastodon's messages. Returns the status.
   */
  async pin(account: AccountRecord, id: string): Promise<StatusRecord> {
    const status = await this.statuses.get(id, account);
    if (status.accountId !== account._id) throw new Invalid("Validation failed: Someone else's post cannot be pinned");
    if (status.reblogOfId) throw new Invalid('Validation failed: A boost cannot be pinned');
    if (status.visibility === 'direct') throw new Invalid('Validation failed: Posts that are only visible to mentioned users cannot be pinned');
    const { created } = await this.relations.add('pins', account._id, status._id);
    // Counting after inserting keeps racing pins from passing the limit together.
    if (created && (await this.relations.countByAccount('pins', account._id)) > STATUS_LIMITS.pins) {
      await this.relations.remove('pins', account._id, status._id);
      throw new Invalid('Validation failed: You have already pinned the maximum number of posts');
    }
    return status;
  }

  /** Unpins a status. Returns it. */
  async unpin(account: AccountRecord, id: string): Promise<StatusRecord> {
    const status = await this.statuses.get(id, account);
    await this.relations.remove('pins', account._id, status._id);
    return status;
  }

  /** One page of the accounts that favourited a visible status, and the favourite ids to page by. */
  favouritedBy(id: string, viewer: AccountRecord | null, page: Page): Promise<RelationPage<AccountRecord>> {
    return this.accountsPage('favourites', id, viewer, page);
  }

  /** One page of the accounts that boosted a visible status. */
  rebloggedBy(id: string, viewer: AccountRecord | null, page: Page): Promise<RelationPage<AccountRecord>> {
    return this.accountsPage('reblogs', id, viewer, page);
  }

  /** One page of the account's favourited statuses it may still see, newest favourite first. */
  favourites(account: AccountRecord, page: Page): Promise<RelationPage<StatusRecord>> {
    return this.statusesPage('favourites', account, page);
  }

  /** One page of the account's bookmarked statuses it may still see, newest bookmark first. */
  bookmarks(account: AccountRecord, page: Page): Promise<RelationPage<StatusRecord>> {
    return this.statusesPage('bookmarks', account, page);
  }

  private async statusesPage(kind: RelationKind, account: AccountRecord, page: Page): Promise<RelationPage<StatusRecord>> {
    const relations = await this.relations.pageByAccount(kind, account._id, page);
    const items = await this.statuses.getVisible(relations.map((r) => r.statusId), account);
    return { items, pageIds: relations.map((r) => r.pageId) };
  }

  private async accountsPage(kind: RelationKind, id: string, viewer: AccountRecord | null, page: Page): Promise<RelationPage<AccountRecord>> {
    const status = await this.statuses.get(id, viewer);
    const relations = await this.relations.pageByStatus(kind, status._id, page);
    const accounts = await this.accounts.getMany(relations.map((r) => r.accountId));
    return { items: accounts.filter((a) => !a.suspended), pageIds: relations.map((r) => r.pageId) };
  }

  // Favourites, bookmarks and boosts apply to what was boosted, never to the boost itself.
  private async visibleOriginal(account: AccountRecord, id: string): Promise<StatusRecord> {
    const status = await this.statuses.get(id, account);
    if (!status.reblogOfId) return status;
    return this.statuses.get(status.reblogOfId, account);
  }

  private async originalOf(id: string): Promise<StatusRecord> {
    const status = await this.store.get(id);
    if (!status || status.deletedAt) throw new NotFound();
    if (!status.reblogOfId) return status;
    const original = await this.store.get(status.reblogOfId);
    if (!original || original.deletedAt) throw new NotFound();
    return original;
  }

  // Takes a relation back. Like Mastodon, one that exists is undone even if the status is no longer
  // visible; otherwise the status must be visible (404 if not), and nothing changes.
  private async undo(kind: 'favourites' | 'bookmarks', counter: 'favouritesCount' | null, account: AccountRecord, id: string): Promise<StatusRecord> {
    const status = await this.originalOf(id);
    const removed = await this.relations.remove(kind, account._id, status._id);
    if (!removed) return this.statuses.get(status._id, account);
    if (!counter) return status;
    const updated = await this.store.incrementCounter(status._id, counter, -1);
    await this.events.emit('favourite.removed', { accountId: account._id, statusId: status._id });
    return updated ?? status;
  }
}
