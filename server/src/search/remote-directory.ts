// Accounts and statuses of other instances, for search, account lookup and mentions: known records
// first (no network), then federation's lookup (WebFinger and a signed fetch, allowed hosts only), which
// stores what it finds. The lookup is attached once federation exists (kith.ts), since federation is
// built on the services; until then, and for a non-allowed host, only known records are found.
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';

/** Federation's lookup (KithFederation.lookup), as the server uses it: plain ids only. */
export interface RemoteLookupPort {
  account(handleOrUrl: string): Promise<{ accountId: string } | null>;
  status(url: string): Promise<{ statusId: string; authorId: string } | null>;
  url(url: string): Promise<{ kind: 'account'; accountId: string } | { kind: 'status'; statusId: string; authorId: string } | null>;
}

/** What a remote URL turned out to name. */
export type RemoteFind = { account: AccountRecord } | { statusId: string } | null;

/** Finds (and with `resolve`, fetches) accounts and statuses of other instances. */
export class RemoteDirectory {
  private readonly accounts: AccountsService;
  private readonly localDomain: string;
  private lookup: RemoteLookupPort | null = null;

  constructor(accounts: AccountsService, localDomain: string) {
    this.accounts = accounts;
    this.localDomain = localDomain.toLowerCase();
  }

  /** Connects federation's lookup. */
  attach(lookup: RemoteLookupPort): void {
    this.lookup = lookup;
  }

  /**
   * The remote account `username@domain` names: a known one, or with `resolve` one fetched now.
   * Null for this instance's domain, an unknown account, a suspended one, or a host not allowed.
   */
  async accountByHandle(username: string, domain: string, resolve: boolean): Promise<AccountRecord | null> {
    const host = domain.toLowerCase();
    if (host === this.localDomain) return null;
    const known = await this.accounts.findRemote(username, host);
    if (known) return known.suspended ? null : known;
    if (!resolve || !this.lookup) return null;
    const found = await this.lookup.account(`${username}@${host}`);
    return found ? this.live(found.accountId) : null;
  }

  /**
   * What a URL of another instance names: a known account by its actor id, or with `resolve` the account
   * or status fetched now (the status by id; the caller checks who may see it).
   */
  async byUrl(url: string, resolve: boolean): Promise<RemoteFind> {
    const known = await this.accounts.findByUri(url);
    if (known && known.domain !== null) return known.suspended ? null : { account: known };
    if (!resolve || !this.lookup) return null;
    const found = await this.lookup.url(url);
    if (!found) return null;
    if (found.kind === 'status') return { statusId: found.statusId };
    const account = await this.live(found.accountId);
    return account ? { account } : null;
  }

  private async live(accountId: string): Promise<AccountRecord | null> {
    const account = await this.accounts.find(accountId);
    return account && account.domain !== null && !account.suspended ? account : null;
  }
}
