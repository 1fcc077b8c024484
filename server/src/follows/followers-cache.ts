import type { Redis } from 'ioredis';
import { GuardedCache } from '../shared/guarded-cache.ts';

// The followers of an account are read on every post (fan-out, notifications) and on every visibility
// check of a followers-only status, so they are served from one Redis set per followed account. The set
// holds each follower's id, "r:<id>" for a follower who hides the account's boosts, "n:<id>" for one
// notified of its posts, and LOADED, meaning "loaded" (an empty set cannot exist in Redis, and accounts
// without followers are common). Keeping the options in the same set lets one generation guard them and
// one script write them all at once. Every follow change invalidates the set; a fill that read MongoDB
// before such a change is refused (GuardedCache), so an unfollower never comes back from a racing fill.
const TTL_SECONDS = 3600;
const LOADED = '-';
const HIDES_REBLOGS = 'r:';
const NOTIFIED = 'n:';
// A fill refused because a follow changed meanwhile reads MongoDB again, this many times in all; after
// that the last list read is answered without being cached.
const FILL_ATTEMPTS = 2;

/** The Redis key of an account's followers set. */
export const followersKey = (targetId: string) => `followers:${targetId}`;

/** One follower of an account, with the options of that follow. */
export interface FollowerEntry {
  followerId: string;
  showReblogs: boolean;
  notify: boolean;
}

/** An account's followers, and those of them with non-default follow options. */
export interface Followers {
  ids: string[];
  /** Followers who asked not to see the account's boosts in their home feed. */
  hidingReblogs: string[];
  /** Followers who asked to be notified of each of the account's new statuses. */
  notified: string[];
}

/** A generation-guarded Redis copy of each account's followers, filled from MongoDB by `load`. */
export class FollowersCache {
  private readonly redis: Redis;
  private readonly guard: GuardedCache;
  private readonly load: (targetId: string) => Promise<FollowerEntry[]>;

  constructor(redis: Redis, load: (targetId: string) => Promise<FollowerEntry[]>) {
    this.redis = redis;
    this.guard = new GuardedCache(redis);
    this.load = load;
  }

  /** Whether `followerId` follows `targetId`: one round trip when the set is cached. */
  async isFollower(targetId: string, followerId: string): Promise<boolean> {
    const [loaded, member] = await this.redis.smismember(followersKey(targetId), LOADED, followerId);
    if (loaded === 1) return member === 1;
    return (await this.fill(targetId)).ids.includes(followerId);
  }

  /** The followers of `targetId` and their options. */
  async get(targetId: string): Promise<Followers> {
    const members = await this.redis.smembers(followersKey(targetId));
    if (members.includes(LOADED)) return fromMembers(members);
    return this.fill(targetId);
  }

  /** Drops the cached followers of `targetId`; call after every change to a follow of it, before emitting events. */
  async invalidate(targetId: string): Promise<void> {
    await this.guard.invalidate(followersKey(targetId));
  }

  private async fill(targetId: string): Promise<Followers> {
    const key = followersKey(targetId);
    let entries: FollowerEntry[] = [];
    for (let attempt = 0; attempt < FILL_ATTEMPTS; attempt++) {
      const [generation] = await this.guard.generations([key]);
      entries = await this.load(targetId);
      if (await this.guard.replaceSet(key, generation!, toMembers(entries), TTL_SECONDS)) break;
    }
    return fromEntries(entries);
  }
}

function toMembers(entries: readonly FollowerEntry[]): string[] {
  const members = [LOADED];
  for (const e of entries) {
    members.push(e.followerId);
    if (!e.showReblogs) members.push(HIDES_REBLOGS + e.followerId);
    if (e.notify) members.push(NOTIFIED + e.followerId);
  }
  return members;
}

function fromMembers(members: readonly string[]): Followers {
  const followers: Followers = { ids: [], hidingReblogs: [], notified: [] };
  for (const member of members) {
    if (member === LOADED) continue;
    if (member.startsWith(HIDES_REBLOGS)) followers.hidingReblogs.push(member.slice(HIDES_REBLOGS.length));
    else if (member.startsWith(NOTIFIED)) followers.notified.push(member.slice(NOTIFIED.length));
    else followers.ids.push(member);
  }
  return followers;
}

function fromEntries(entries: readonly FollowerEntry[]): Followers {
  return {
    ids: entries.map((e) => e.followerId),
    hidingReblogs: entries.filter((e) => !e.showReblogs).map((e) => e.followerId),
    notified: entries.filter((e) => e.notify).map((e) => e.followerId),
  };
}
