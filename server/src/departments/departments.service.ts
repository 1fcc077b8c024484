// The department actor of this instance (docs/connectors-design.md §1): one local account of kind
// `department`, named after INSTANCE_NAME, served as an ActivityPub Group; and who may act for it.
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { Forbidden } from '../shared/errors.ts';

/** The department actor's username for an instance name: lower case, `[a-z0-9_]`, at most 30 characters. */
export function departmentSlug(instanceName: string): string {
  return instanceName.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
}

/** Whether an account may act for the department: a local, active admin or connector (admins count as connectors). */
export function isConnector(account: AccountRecord | null): boolean {
  return account !== null && account.domain === null && !account.suspended && account.kind !== 'department' && (account.role === 'connector' || account.role === 'admin');
}

/** Throws Forbidden unless `account` is a connector. */
export function requireConnector(account: AccountRecord | null): asserts account is AccountRecord {
  if (!isConnector(account)) throw new Forbidden('Only connectors (and admins) may do this');
}

/** Whether an account is a department actor (ours or another instance's Group). */
export function isDepartment(account: AccountRecord | null): boolean {
  return account?.kind === 'department';
}

export class DepartmentsService {
  /** The department actor's username, e.g. `sales`. */
  readonly username: string;
  /** Its display name: INSTANCE_NAME as written. */
  readonly displayName: string;
  private readonly accounts: AccountsService;
  private account: AccountRecord | null = null;

  constructor(accounts: AccountsService, instanceName: string) {
    this.accounts = accounts;
    this.username = departmentSlug(instanceName);
    this.displayName = instanceName;
    // Nobody registers the department's name, whether before or after it exists.
    accounts.reserveUsername(this.username);
  }

  /** Creates the department actor when missing (at start). */
  async ensureAccount(): Promise<AccountRecord> {
    this.account = await this.accounts.ensureDepartment(this.username, this.displayName);
    return this.account;
  }

  /** The department actor's account. */
  async departmentAccount(): Promise<AccountRecord> {
    return this.account ?? this.ensureAccount();
  }

  /** Whether the account id is our department actor's. */
  async isOwnDepartment(accountId: string): Promise<boolean> {
    return (await this.departmentAccount())._id === accountId;
  }

  /** Every local connector and admin (for the network map's "who holds it"). */
  async connectors(): Promise<AccountRecord[]> {
    return (await this.accounts.listLocal()).filter(isConnector);
  }
}
