import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { FollowsService } from '../follows/follows.service.ts';
import type { StatusRecord } from '../statuses/status-record.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { Page } from '../shared/pagination.ts';
import { queryPrefixes, wordTerms } from '../shared/search-terms.ts';
import type { HashtagsService, HashtagView } from './hashtags.service.ts';
import type { RemoteDirectory } from './remote-directory.ts';
import { NotFound } from '../shared/errors.ts';

export type SearchType = 'accounts' | 'hashtags' | 'statuses';

export interface SearchQuery {
  q: string;
  /** Only this kind of result; all three when absent. */
  type?: SearchType;
  /** Look up URLs, and handles of other instances, fetching what is not known yet (allowed hosts only). */
  resolve: boolean;
  /** Accounts: only those the viewer follows. */
  following: boolean;
  /** Statuses: only this account's. */
  accountId?: string;
  limit: number;
  offset: number;
  /** Statuses: max_id / min_id bounds. */
  page: Page;
}

export interface SearchResults {
  accounts: AccountRecord[];
  statuses: StatusRecord[];
  hashtags: HashtagView[];
}

export interface AccountSearchOptions {
  limit: number;
  offset: number;
  following: boolean;
  /** Fetch an account of another instance named by handle or URL when it is not known yet. */
  resolve?: boolean;
}

export interface SearchDeps {
  accounts: AccountsService;
  follows: Pick<FollowsService, 'followingIds'>;
  statuses: Pick<StatusesService, 'getVisible' | 'search'>;
  hashtags: HashtagsService;
  /** This instance's domain (handles "user@domain") and origin (URLs). */
  domain: string;
  publicUrl: string;
  /** Accounts and statuses of other instances. */
  remote: RemoteDirectory;
}

const USERNAME = /^[a-z0-9_]{1,30}$/i;
// With `following`, matches are read in batches and filtered; stop after this many batches.
const MAX_FOLLOWING_BATCHES = 10;

/** Search over accounts, hashtags and statuses of this instance, without $text (see StatusesStore.searchIds). */
export class SearchService {
  private readonly deps: SearchDeps;

  constructor(deps: SearchDeps) {
    this.deps = deps;
  }

  /** Mastodon's v2 search for one viewer: accounts by name prefixes, hashtags by prefix, statuses holding every word. */
  async search(viewer: AccountRecord, query: SearchQuery): Promise<SearchResults> {
    const q = query.q.trim();
    const wants = (type: SearchType) => query.type === undefined || query.type === type;
    if (/^https?:\/\//i.test(q)) {
      const found = await this.resolveUrl(viewer, q, query.resolve);
      return { accounts: wants('accounts') ? found.accounts : [], statuses: wants('statuses') ? found.statuses : [], hashtags: [] };
    }
    const [accounts, hashtags, statuses] = await Promise.all([
      wants('accounts') ? this.searchAccounts(viewer, q, query) : [],
      wants('hashtags') ? this.deps.hashtags.search(q, query.limit, query.offset) : [],
      wants('statuses') ? this.searchStatuses(viewer, q, query) : [],
    ]);
    return { accounts, statuses, hashtags };
  }

  /**
   * Accounts whose username, display name, title, department or location has a word starting with
   * each word of the query; an exact username match comes first. "user@this-domain" and "@user" work;
   * "user@other-domain" and an account's URL find that one account when it is known, or with `resolve`
   * when its instance is allowed and has it.
   */
  async searchAccounts(viewer: AccountRecord, query: string, options: AccountSearchOptions): Promise<AccountRecord[]> {
    let text = query.trim().replace(/^@/, '');
    if (/^https?:\/\//i.test(text)) return this.onlyAccount(viewer, (await this.resolveUrl(viewer, text, options.resolve === true)).accounts[0], options);
    const handle = /^([^\s@]+)@([^\s@]+)$/.exec(text);
    if (handle) {
      if (handle[2]!.toLowerCase() !== this.deps.domain.toLowerCase()) {
        if (options.offset > 0) return [];
        return this.onlyAccount(viewer, await this.deps.remote.accountByHandle(handle[1]!, handle[2]!, options.resolve === true), options);
      }
      text = handle[1]!;
    }
    const prefixes = queryPrefixes(text);
    if (prefixes.length === 0) return [];
    const followed = options.following ? new Set(await this.deps.follows.followingIds(viewer._id)) : null;
    const keep = (a: AccountRecord) => !a.suspended && (followed === null || followed.has(a._id));

    const exact = options.offset === 0 && USERNAME.test(text) ? (await this.deps.accounts.findLocalByUsernames([text])).filter(keep) : [];
    const results: AccountRecord[] = [...exact];
    if (followed === null) {
      const found = await this.deps.accounts.search(prefixes, { localOnly: false, limit: options.limit, offset: options.offset });
      results.push(...found);
    } else {
      // The accounts store cannot filter by follow, so read matches in batches and keep followed ones.
      const batch = Math.max(options.limit * 3, 40);
      let skipped = 0;
      for (let i = 0, offset = 0; i < MAX_FOLLOWING_BATCHES && results.length < options.limit + exact.length; i++, offset += batch) {
        const found = await this.deps.accounts.search(prefixes, { localOnly: false, limit: batch, offset });
        for (const account of found.filter(keep)) {
          if (skipped < options.offset) skipped++;
          else results.push(account);
        }
        if (found.length < batch) break;
      }
    }
    const seen = new Set<string>();
    return results.filter((a) => !seen.has(a._id) && seen.add(a._id) && keep(a)).slice(0, options.limit);
  }

  /**
   * The account a handle names for GET /api/v1/accounts/lookup: a local one ("user", "user@this-domain"),
   * or one of another instance, known or fetched now. NotFound otherwise.
   */
  async lookupAccount(acct: string): Promise<AccountRecord> {
    const [username, domain, extra] = acct.trim().replace(/^@/, '').split('@');
    if (!username || extra !== undefined) throw new NotFound();
    if (domain === undefined || domain.toLowerCase() === this.deps.domain.toLowerCase()) return this.deps.accounts.lookup(acct, this.deps.domain);
    const account = await this.deps.remote.accountByHandle(username, domain, true);
    if (!account) throw new NotFound();
    return account;
  }

  // One found account as a result list, when the `following` filter keeps it.
  private async onlyAccount(viewer: AccountRecord, account: AccountRecord | undefined | null, options: AccountSearchOptions): Promise<AccountRecord[]> {
    if (!account || account.suspended) return [];
    if (options.following && !(await this.deps.follows.followingIds(viewer._id)).includes(account._id)) return [];
    return [account];
  }

  /** Live statuses the viewer may see holding every word of the query, newest first. */
  private async searchStatuses(viewer: AccountRecord, query: string, options: SearchQuery): Promise<StatusRecord[]> {
    const words = wordTerms(query);
    if (words.length === 0) return [];
    return this.deps.statuses.search(viewer, { words, accountId: options.accountId, page: { ...options.page, limit: options.limit }, offset: options.offset });
  }

  /**
   * The status or account a URL shows (with `resolve`, as in Mastodon): one of this instance, or one of
   * another instance, known (an account by its actor id, without `resolve` too) or fetched now.
   */
  private async resolveUrl(viewer: AccountRecord, url: string, resolve: boolean): Promise<SearchResults> {
    const empty: SearchResults = { accounts: [], statuses: [], hashtags: [] };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return empty;
    }
    if (parsed.origin !== new URL(this.deps.publicUrl).origin) {
      const found = await this.deps.remote.byUrl(parsed.href, resolve);
      if (!found) return empty;
      if ('account' in found) return { ...empty, accounts: [found.account] };
      return { ...empty, statuses: await this.deps.statuses.getVisible([found.statusId], viewer) };
    }
    if (!resolve) return empty;
    const status = /^\/(?:@[^/]+|users\/[^/]+\/statuses)\/(\d{16})\/?$/.exec(parsed.pathname);
    if (status) return { ...empty, statuses: await this.deps.statuses.getVisible([status[1]!], viewer) };
    const account = /^\/(?:@|users\/)([a-z0-9_]{1,30})\/?$/i.exec(parsed.pathname);
    if (account) return { ...empty, accounts: (await this.deps.accounts.findLocalByUsernames([account[1]!])).filter((a) => !a.suspended) };
    return empty;
  }
}
