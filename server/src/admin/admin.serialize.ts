import { toAccountEntity, type AccountEntity, type Origin } from '../accounts/accounts.serialize.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';

/** Kith's admin view of an account (/api/v1/kith/admin/accounts): what an admin needs to manage it. */
export interface AdminAccountEntity {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  role: string;
  suspended: boolean;
  suspended_at: string | null;
  created_at: string;
  /** Marked as a leader by an admin (adoption analytics). */
  leader: boolean;
  /** The public Account entity, as clients show it. */
  account: AccountEntity;
}

/** Domain → Kith AdminAccount entity. */
export function toAdminAccountEntity(account: AccountRecord, origin: Origin): AdminAccountEntity {
  return {
    id: account._id,
    username: account.username,
    display_name: account.displayName,
    email: account.email,
    role: account.role,
    suspended: account.suspended,
    suspended_at: account.suspendedAt?.toISOString() ?? null,
    created_at: account.createdAt.toISOString(),
    leader: account.leader === true,
    account: toAccountEntity(account, origin),
  };
}
