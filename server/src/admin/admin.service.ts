import type { AccountsService } from '../accounts/accounts.service.ts';
import { ROLES, type AccountRecord, type LocalAccountFilter, type Role } from '../accounts/accounts.store.ts';
import { Forbidden, Invalid, NotFound } from '../shared/errors.ts';
import { newestFirst, type Page } from '../shared/pagination.ts';

const LAST_ADMIN = 'This is the last admin account: appoint another admin first';

function requireAdmin(actor: AccountRecord | null): void {
  // null is the operator at the CLI, who has the server's own credentials.
  if (actor !== null && actor.role !== 'admin') throw new Forbidden();
}

/**
 * Administration of local accounts: lists, roles, suspension. The acting admin is passed in; null
 * means the CLI. Over the API, the last active admin can neither be demoted nor suspended.
 */
export class AdminService {
  private readonly accounts: AccountsService;

  constructor(accounts: AccountsService) {
    this.accounts = accounts;
  }

  /** Local accounts, newest first, optionally by role or suspension. */
  async listAccounts(actor: AccountRecord | null, filter: LocalAccountFilter, page: Page): Promise<AccountRecord[]> {
    requireAdmin(actor);
    return newestFirst(page, await this.accounts.listLocalPage(filter, page));
  }

  /** The local account with this id; NotFound for unknown or remote accounts. */
  async getAccount(actor: AccountRecord | null, id: string): Promise<AccountRecord> {
    requireAdmin(actor);
    return this.localAccount(id);
  }

  /** Gives a local account a role; Forbidden when it would leave the instance without an active admin. */
  async setRole(actor: AccountRecord | null, id: string, role: Role): Promise<AccountRecord> {
    requireAdmin(actor);
    if (!ROLES.includes(role)) throw new Invalid(`Validation failed: Role must be one of ${ROLES.join(', ')}`);
    const target = await this.localAccount(id);
    if (target.role === role) return target;
    const losesAdmin = target.role === 'admin' && !target.suspended;
    if (losesAdmin && actor !== null) await this.keepAnAdmin();
    const updated = await this.accounts.setRole(id, role);
    if (losesAdmin && actor !== null) await this.undoIfNoAdminLeft(() => this.accounts.setRole(id, 'admin'));
    return updated;
  }

  /** Suspends a local account: its tokens stop working on their next request and it cannot sign in. */
  async suspend(actor: AccountRecord | null, id: string): Promise<AccountRecord> {
    requireAdmin(actor);
    const target = await this.localAccount(id);
    if (target.suspended) return target;
    const losesAdmin = target.role === 'admin';
    if (losesAdmin && actor !== null) await this.keepAnAdmin();
    const updated = await this.accounts.setSuspended(id, true);
    if (losesAdmin && actor !== null) await this.undoIfNoAdminLeft(() => this.accounts.setSuspended(id, false));
    return updated;
  }

  /** Lifts a suspension. */
  async unsuspend(actor: AccountRecord | null, id: string): Promise<AccountRecord> {
    requireAdmin(actor);
    const target = await this.localAccount(id);
    if (!target.suspended) return target;
    return this.accounts.setSuspended(id, false);
  }

  /** Marks a local person as a leader, or not (adoption analytics); NotFound for remote and department accounts. */
  async setLeader(actor: AccountRecord | null, id: string, leader: boolean): Promise<AccountRecord> {
    requireAdmin(actor);
    const target = await this.localAccount(id);
    if (target.kind === 'department') throw new NotFound();
    if ((target.leader === true) === leader) return target;
    return this.accounts.setLeader(id, leader);
  }

  private async localAccount(id: string): Promise<AccountRecord> {
    const account = await this.accounts.find(id);
    if (!account || account.domain !== null) throw new NotFound();
    return account;
  }

  private async keepAnAdmin(): Promise<void> {
    if ((await this.accounts.countActiveAdmins()) <= 1) throw new Forbidden(LAST_ADMIN);
  }

  // Two admins demoting each other at the same moment could both pass keepAnAdmin(); whoever then
  // finds no active admin left undoes their change.
  private async undoIfNoAdminLeft(undo: () => Promise<unknown>): Promise<void> {
    if ((await this.accounts.countActiveAdmins()) === 0) {
      await undo();
      throw new Forbidden(LAST_ADMIN);
    }
  }
}
