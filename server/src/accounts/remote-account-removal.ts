// What this instance does when a remote actor deletes itself (Delete whose object is the actor), as
// Mastodon deletes such an account's data: the account is suspended at once (its activities are refused
// and nothing is delivered to it any more), its statuses and boosts are deleted through the usual path
// (so they leave every timeline and their notifications go), its favourites are taken back, and its
// follows end both ways. The record itself stays, suspended, so a late activity cannot recreate it.
// Every step is safe to run again: a retry after a failure part-way finishes the job.
import type { AccountRecord } from './accounts.store.ts';
import type { Page } from '../shared/pagination.ts';
import type { StatusRecord } from '../statuses/status-record.ts';
import type { StatusQuery } from '../statuses/statuses.store.ts';
import { NotFound } from '../shared/errors.ts';

/** The services removal goes through (structural, so this file needs no service wiring of its own). */
export interface RemoteAccountRemovalDeps {
  accounts: {
    find(id: string): Promise<AccountRecord | null>;
    setSuspended(id: string, suspended: boolean): Promise<AccountRecord>;
  };
  follows: {
    followingIds(followerId: string): Promise<string[]>;
    followerIds(targetId: string): Promise<string[]>;
    unfollow(followerId: string, targetId: string): Promise<unknown>;
  };
  statuses: {
    list(query: StatusQuery, page: Page): Promise<StatusRecord[]>;
    tombstone(record: StatusRecord): Promise<StatusRecord | null>;
  };
  statusInteractions: {
    favourites(account: AccountRecord, page: Page): Promise<{ items: StatusRecord[]; pageIds: string[] }>;
    unfavourite(account: AccountRecord, id: string): Promise<unknown>;
  };
}

const BATCH = 100;
const pageBefore = (maxId: string | null): Page => ({ maxId, sinceId: null, minId: null, limit: BATCH });

/** Removes a remote account's presence here (see the file comment). NotFound for a local or unknown account. */
export async function removeRemoteAccount(deps: RemoteAccountRemovalDeps, accountId: string): Promise<void> {
  const found = await deps.accounts.find(accountId);
  if (!found || found.domain === null) throw new NotFound();
  const account = found.suspended ? found : await deps.accounts.setSuspended(accountId, true);

  for (const targetId of await deps.follows.followingIds(accountId)) await deps.follows.unfollow(accountId, targetId);
  for (const followerId of await deps.follows.followerIds(accountId)) await deps.follows.unfollow(followerId, accountId);

  // Statuses and boosts, newest first, in pages; each deletion emits status.deleted as a local one does.
  for (let maxId: string | null = null; ;) {
    const page = await deps.statuses.list({ accountIds: [accountId] }, pageBefore(maxId));
    for (const status of page) await deps.statuses.tombstone(status);
    if (page.length < BATCH) break;
    maxId = page[page.length - 1]!._id;
  }

  for (let maxId: string | null = null; ;) {
    const { items, pageIds } = await deps.statusInteractions.favourites(account, pageBefore(maxId));
    for (const status of items) await deps.statusInteractions.unfavourite(account, status._id);
    if (pageIds.length < BATCH) break;
    maxId = pageIds[pageIds.length - 1]!;
  }
}
