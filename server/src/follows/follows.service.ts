import type { Redis } from 'ioredis';
import type { EventBus } from '../events/event-bus.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { Forbidden, NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Page } from '../shared/pagination.ts';
import { FollowersCache, type Followers } from './followers-cache.ts';
import type { FollowRecord, FollowsStore } from './follows.store.ts';

export type { Followers } from './followers-cache.ts';

export interface Relationship {
  id: string;
  following: boolean;
  showingReblogs: boolean;
  notifying: boolean;
  followedBy: boolean;
  requested: boolean;
  requestedBy: boolean;
}

export interface FollowOptions {
  reblogs?: boolean;
  notify?: boolean;
}

/** The accounts someone follows, and those of them whose boosts they hide. */
export interface FollowedAccounts {
  ids: string[];
  hidingReblogs: string[];
}

/** Follows between accounts, follow requests for locked accounts, and relationships. */
export class FollowsService {
  private readonly store: FollowsStore;
  private readonly accounts: AccountsService;
  private readonly followers: FollowersCache;
  private readonly events: EventBus;

  constructor(store: FollowsStore, accounts: AccountsService, redis: Redis, events: EventBus) {
    this.store = store;
    this.accounts = accounts;
    // Fan-out and visibility checks read followers on every post: they come from a guarded Redis copy.
    this.followers = new FollowersCache(redis, (targetId) => this.store.followersOf(targetId));
    this.events = events;
  }

  /**
   * Follows `targetId`, or asks to when the target is locked. Following again updates the options.
   * Returns the relationship afterwards.
   */
  async follow(followerId: string, targetId: string, options: FollowOptions = {}, activityUri: string | null = null): Promise<Relationship> {
    if (followerId === targetId) throw new Forbidden('You cannot follow yourself');
    const target = await this.visibleTarget(targetId);
    const existing = await this.store.findFollow(followerId, targetId);
    if (existing) {
      const set: Partial<Pick<FollowRecord, 'showReblogs' | 'notify'>> = {};
      if (options.reblogs !== undefined) set.showReblogs = options.reblogs;
      if (options.notify !== undefined) set.notify = options.notify;
      if (Object.keys(set).length) {
        await this.store.updateFollowOptions(followerId, targetId, set);
        await this.followers.invalidate(targetId);
      }
      return this.relationship(followerId, targetId);
    }
    const record: FollowRecord = {
      _id: newId(),
      followerId,
      targetId,
      showReblogs: options.reblogs ?? true,
      notify: options.notify ?? false,
      createdAt: new Date(),
      activityUri,
    };
    // A remote account is followed once its instance accepts; until then the follow waits as a request.
    if (target.locked || target.domain !== null) {
      if (await this.store.insertRequest(record)) {
        await this.events.emit('follow.created', { followerId, targetId, pending: true });
      }
    } else if (await this.store.insertFollow(record)) {
      await this.counted(followerId, targetId, +1);
      await this.events.emit('follow.created', { followerId, targetId, pending: false });
    }
    return this.relationship(followerId, targetId);
  }

  /** Stops following, or withdraws a pending request. */
  async unfollow(followerId: string, targetId: string): Promise<Relationship> {
    await this.accounts.get(targetId);
    if (await this.store.deleteFollow(followerId, targetId)) {
      await this.counted(followerId, targetId, -1);
      await this.events.emit('follow.removed', { followerId, targetId, reason: 'unfollowed' });
    }
    await this.store.deleteRequest(followerId, targetId);
    return this.relationship(followerId, targetId);
  }

  /**
   * A Follow from another instance: `followerId` (remote) follows `targetId` (local) through the same
   * rules and events as a local follow; 'pending' when the target is locked and must approve it.
   * `activityUri` is kept with the follow, for the Accept that answers it. Following again is a no-op.
   */
  async receiveFollow(followerId: string, targetId: string, activityUri: string, options: { request?: boolean } = {}): Promise<'accepted' | 'pending'> {
    const [follower, target] = await Promise.all([this.accounts.find(followerId), this.accounts.find(targetId)]);
    if (!follower || follower.domain === null || follower.suspended) throw new Forbidden('Not a remote follower');
    if (!target || target.domain !== null) throw new NotFound();
    if (options.request) {
      // A department's link request waits for a connector whatever the target's lock (docs/connectors-design.md §2).
      const record: FollowRecord = { _id: newId(), followerId, targetId, showReblogs: true, notify: false, createdAt: new Date(), activityUri };
      if (!(await this.store.findFollow(followerId, targetId)) && (await this.store.insertRequest(record))) {
        await this.events.emit('follow.created', { followerId, targetId, pending: true });
      }
      return (await this.store.findFollow(followerId, targetId)) ? 'accepted' : 'pending';
    }
    const relationship = await this.follow(followerId, targetId, {}, activityUri);
    return relationship.following ? 'accepted' : 'pending';
  }

  /**
   * Another instance's answer about a follow: the remote target accepted or rejected a local account's
   * follow (or request), or the remote follower undid its own. Unknown follows are left alone.
   */
  async remoteAnswer(followerId: string, targetId: string, answer: 'accept' | 'reject' | 'undo'): Promise<void> {
    if (answer === 'accept') {
      if (await this.store.findRequest(followerId, targetId)) await this.authorize(targetId, followerId);
      return;
    }
    if (answer === 'undo') {
      await this.unfollow(followerId, targetId).catch((error: unknown) => {
        if (!(error instanceof NotFound)) throw error;
      });
      return;
    }
    if (await this.store.deleteFollow(followerId, targetId)) {
      await this.counted(followerId, targetId, -1);
      await this.events.emit('follow.removed', { followerId, targetId, reason: 'rejected' });
    }
    if (await this.store.deleteRequest(followerId, targetId)) await this.events.emit('follow.removed', { followerId, targetId, reason: 'rejected' });
  }

  /** The id of the Follow activity behind a follow or request from another instance, or null. */
  async followActivityUri(followerId: string, targetId: string): Promise<string | null> {
    const found = (await this.store.findFollow(followerId, targetId)) ?? (await this.store.findRequest(followerId, targetId));
    return found?.activityUri ?? null;
  }

  /** When `followerId` began following `targetId`, or null when it does not (any more). */
  async followedAt(followerId: string, targetId: string): Promise<Date | null> {
    return (await this.store.findFollow(followerId, targetId))?.createdAt ?? null;
  }

  /** Approves a pending request to follow `targetId` (the locked account) from `requesterId`. */
  async authorize(targetId: string, requesterId: string): Promise<Relationship> {
    const request = await this.store.findRequest(requesterId, targetId);
    if (!request) throw new NotFound();
    if (await this.store.insertFollow({ ...request, _id: newId(), createdAt: new Date() })) {
      await this.counted(requesterId, targetId, +1);
      await this.events.emit('follow.accepted', { followerId: requesterId, targetId });
    }
    await this.store.deleteRequest(requesterId, targetId);
    return this.relationship(targetId, requesterId);
  }

  /** Declines a pending request to follow `targetId` from `requesterId`. */
  async reject(targetId: string, requesterId: string): Promise<Relationship> {
    if (!(await this.store.deleteRequest(requesterId, targetId))) throw new NotFound();
    await this.events.emit('follow.removed', { followerId: requesterId, targetId, reason: 'rejected' });
    return this.relationship(targetId, requesterId);
  }

  /** Whether `followerId` follows `targetId` (served from the Redis followers set). */
  isFollowing(followerId: string, targetId: string): Promise<boolean> {
    return this.followers.isFollower(targetId, followerId);
  }

  /** Everyone who follows `targetId` (served from the Redis followers set). */
  async followerIds(targetId: string): Promise<string[]> {
    return (await this.followers.get(targetId)).ids;
  }

  /**
   * Everyone who follows `targetId`, with those who hide its boosts and those notified of its new
   * statuses (served from the Redis followers set, so fan-out costs one round trip).
   */
  followersWithOptions(targetId: string): Promise<Followers> {
    return this.followers.get(targetId);
  }

  /** Everyone `followerId` follows. */
  followingIds(followerId: string): Promise<string[]> {
    return this.store.followingIds(followerId);
  }

  /** Everyone `followerId` follows, and whose boosts it hides (read from MongoDB, for feed rebuilds and merges). */
  async followedAccounts(followerId: string): Promise<FollowedAccounts> {
    const rows = await this.store.followingOf(followerId);
    return { ids: rows.map((r) => r.targetId), hidingReblogs: rows.filter((r) => !r.showReblogs).map((r) => r.targetId) };
  }

  /** How many requests wait for this account's approval. */
  pendingRequestCount(accountId: string): Promise<number> {
    return this.store.countRequests(accountId);
  }

  /** The viewer's relationships with each account, in the order asked. */
  async relationships(viewerId: string, ids: string[]): Promise<Relationship[]> {
    const { following, followedBy, requested, requestedBy } = await this.store.between(viewerId, ids);
    const followingById = new Map(following.map((f) => [f.targetId, f]));
    const followedBySet = new Set(followedBy.map((f) => f.followerId));
    const requestedSet = new Set(requested.map((f) => f.targetId));
    const requestedBySet = new Set(requestedBy.map((f) => f.followerId));
    return ids.map((id) => {
      const follow = followingById.get(id);
      return {
        id,
        following: follow !== undefined,
        showingReblogs: follow?.showReblogs ?? false,
        notifying: follow?.notify ?? false,
        followedBy: followedBySet.has(id),
        requested: requestedSet.has(id),
        requestedBy: requestedBySet.has(id),
      };
    });
  }

  /** The viewer's relationship with one account. */
  async relationship(viewerId: string, otherId: string): Promise<Relationship> {
    return (await this.relationships(viewerId, [otherId]))[0]!;
  }

  /** One page of an account's followers: the accounts, and the follow ids to page by. */
  followersPage(accountId: string, page: Page): Promise<{ accounts: AccountRecord[]; pageIds: string[] }> {
    return this.accountsPage('follows', { targetId: accountId }, 'followerId', page);
  }

  /** One page of the accounts an account follows. */
  followingPage(accountId: string, page: Page): Promise<{ accounts: AccountRecord[]; pageIds: string[] }> {
    return this.accountsPage('follows', { followerId: accountId }, 'targetId', page);
  }

  /** One page of the accounts asking to follow `accountId`. */
  requestsPage(accountId: string, page: Page): Promise<{ accounts: AccountRecord[]; pageIds: string[] }> {
    return this.accountsPage('requests', { targetId: accountId }, 'followerId', page);
  }

  private async accountsPage(
    collection: 'follows' | 'requests',
    side: { targetId: string } | { followerId: string },
    pick: 'followerId' | 'targetId',
    page: Page,
  ): Promise<{ accounts: AccountRecord[]; pageIds: string[] }> {
    const rows = await this.store.page(collection, side, page);
    const accounts = await this.accounts.getMany(rows.map((r) => r[pick]));
    const byId = new Map(accounts.map((a) => [a._id, a]));
    const kept = rows.filter((r) => byId.has(r[pick]) && !byId.get(r[pick])!.suspended);
    return { accounts: kept.map((r) => byId.get(r[pick])!), pageIds: kept.map((r) => r._id) };
  }

  private async visibleTarget(targetId: string): Promise<AccountRecord> {
    const target = await this.accounts.find(targetId);
    if (!target || target.suspended) throw new NotFound();
    return target;
  }

  private async counted(followerId: string, targetId: string, by: 1 | -1): Promise<void> {
    await Promise.all([
      this.accounts.count(followerId, 'followingCount', by),
      this.accounts.count(targetId, 'followersCount', by),
      this.followers.invalidate(targetId),
    ]);
  }
}
