// Achievements on profiles (issue 6, item 5): what counts as a first post, a cross-department follow, a
// favourited reply and relayed news. Domain events feed these rules off the request path
// (achievements.handlers.ts); an award is stored once (achievements.store.ts), so running a handler twice
// is harmless. Awards are recorded while the instance has achievements switched off, so switching them back
// on shows the truth; only reading them depends on the switch.
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { FollowsService } from '../follows/follows.service.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import { NotFound } from '../shared/errors.ts';
import type { AchievementKind, AchievementRecord, AchievementsStore } from './achievements.store.ts';

export interface AchievementsDeps {
  store: AchievementsStore;
  accounts: Pick<AccountsService, 'find'>;
  statuses: Pick<StatusesService, 'getMany'>;
  follows: Pick<FollowsService, 'followedAt'>;
  /** The instance's switch (analytics settings): whether profiles show achievements. */
  enabled: () => Promise<boolean>;
}

/** What a profile shows: nothing while the instance has achievements switched off. */
export interface AccountAchievements {
  enabled: boolean;
  achievements: AchievementRecord[];
}

/** People of this instance earn achievements; department actors and remote accounts do not. */
function isLocalPerson(account: AccountRecord | null): account is AccountRecord {
  return account !== null && account.domain === null && account.kind !== 'department' && !account.suspended;
}

/** A Department profile field for comparing: trimmed, case-insensitive. */
const departmentOf = (account: AccountRecord): string => account.department.trim().toLowerCase();

export class AchievementsService {
  private readonly deps: AchievementsDeps;

  constructor(deps: AchievementsDeps) {
    this.deps = deps;
  }

  /**
   * The achievements a profile shows. NotFound for unknown and suspended accounts (as their profile
   * hides them); remote accounts have none here (their own instance knows theirs).
   */
  async forAccount(accountId: string): Promise<AccountAchievements> {
    const account = await this.deps.accounts.find(accountId);
    if (!account || account.suspended) throw new NotFound();
    const enabled = await this.deps.enabled();
    if (!enabled || account.domain !== null) return { enabled, achievements: [] };
    return { enabled, achievements: await this.deps.store.forAccount(account._id) };
  }

  /** A status was created: a local person's own top-level post (not a reply, not a boost) is a first post. */
  async statusCreated(statusId: string): Promise<void> {
    const [status] = await this.deps.statuses.getMany([statusId]);
    if (!status || status.reblogOfId !== null || status.inReplyToId !== null) return;
    if (!isLocalPerson(await this.deps.accounts.find(status.accountId))) return;
    await this.award(status.accountId, 'first_post', status.createdAt);
  }

  /**
   * A follow was established (not a pending request): it crosses departments when the target is on another
   * instance, or is a local person whose Department field is set and differs from the follower's (also set).
   */
  async followEstablished(followerId: string, targetId: string): Promise<void> {
    if (await this.deps.store.has(followerId, 'first_cross_department_follow')) return;
    const [follower, target] = await Promise.all([this.deps.accounts.find(followerId), this.deps.accounts.find(targetId)]);
    if (!isLocalPerson(follower) || !target || target._id === follower._id) return;
    const crosses = target.domain !== null
      || (target.kind !== 'department' && departmentOf(target) !== '' && departmentOf(follower) !== '' && departmentOf(target) !== departmentOf(follower));
    if (!crosses) return;
    // A follow already undone when the handler runs still earned it; now is as close as we get to its time.
    await this.award(follower._id, 'first_cross_department_follow', (await this.deps.follows.followedAt(followerId, targetId)) ?? new Date());
  }

  /**
   * A status was favourited (here or on another instance): a reply's local author earns it when someone
   * else favourites it. The favourite's time is not in the event; the handler runs right after it.
   */
  async favourited(byAccountId: string, statusId: string): Promise<void> {
    const [status] = await this.deps.statuses.getMany([statusId]);
    if (!status || status.reblogOfId !== null || status.inReplyToId === null || status.accountId === byAccountId) return;
    if (!isLocalPerson(await this.deps.accounts.find(status.accountId))) return;
    await this.award(status.accountId, 'first_reply_favourited', new Date());
  }

  /** A status became company news here: its author earns it when local. `at` is when it became news. */
  async newsRelayed(statusId: string, at: Date): Promise<void> {
    const [status] = await this.deps.statuses.getMany([statusId]);
    if (!status) return;
    if (!isLocalPerson(await this.deps.accounts.find(status.accountId))) return;
    await this.award(status.accountId, 'first_relayed_news', at);
  }

  private award(accountId: string, kind: AchievementKind, at: Date): Promise<void> {
    return this.deps.store.award(accountId, kind, at);
  }
}
