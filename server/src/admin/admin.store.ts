import type { Collection, Db, Filter } from 'mongodb';
import type { AccountRecord, Role } from '../accounts/accounts.store.ts';
import { pageFilter, pageSortDirection, type Page } from '../shared/pagination.ts';

export interface AccountListFilter {
  role?: Role;
  suspended?: boolean;
}

/**
 * Read-only queries over the accounts collection that only administration needs (filtered, paged
 * lists; counting active admins). Every write still goes through the accounts service; keeping these
 * reads here spares the accounts domain an admin-only API.
 */
export class AdminAccountsView {
  private readonly accounts: Collection<AccountRecord>;

  constructor(db: Db) {
    this.accounts = db.collection<AccountRecord>('accounts');
  }

  async ensureIndexes(): Promise<void> {
    // The accounts store already indexes role; nothing of our own.
  }

  /** Local accounts for a page, in the page's read order. */
  listLocal(filter: AccountListFilter, page: Page): Promise<AccountRecord[]> {
    const query: Filter<AccountRecord> = { domain: null };
    if (filter.role) query.role = filter.role;
    if (filter.suspended !== undefined) query.suspended = filter.suspended;
    const ids = pageFilter(page);
    if (ids) query._id = ids;
    return this.accounts.find(query).sort({ _id: pageSortDirection(page) }).limit(page.limit).toArray();
  }

  /** How many local admins can act (are not suspended). */
  countActiveAdmins(): Promise<number> {
    return this.accounts.countDocuments({ domain: null, role: 'admin', suspended: false });
  }
}
