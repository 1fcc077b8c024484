import type { InviteCheck } from './invites.service.ts';
import type { InviteRecord } from './invites.store.ts';

/** Kith's Invite entity (/api/v1/kith/invites). */
export interface InviteEntity {
  code: string;
  role: string;
  uses: number;
  max_uses: number | null;
  expires_at: string | null;
  created_at: string;
  /** Account id of the admin who made it; null when made with the CLI. */
  created_by: string | null;
  /** Whether it can be used now. */
  valid: boolean;
}

/** What the anonymous check tells the sign-up page. */
export interface InviteCheckEntity {
  valid: boolean;
  /** Why not: unknown (or revoked), expired, used_up, registrations_closed (no sign-up at all while closed). */
  reason: string | null;
  role: string | null;
  expires_at: string | null;
}

/** Domain → Kith Invite entity. */
export function toInviteEntity(invite: InviteRecord, now = new Date()): InviteEntity {
  return {
    code: invite._id,
    role: invite.role,
    uses: invite.uses,
    max_uses: invite.maxUses,
    expires_at: invite.expiresAt?.toISOString() ?? null,
    created_at: invite.createdAt.toISOString(),
    created_by: invite.createdBy,
    valid: (invite.expiresAt === null || invite.expiresAt > now) && (invite.maxUses === null || invite.uses < invite.maxUses),
  };
}

/** Domain → the check endpoint's answer. */
export function toInviteCheckEntity(check: InviteCheck): InviteCheckEntity {
  return check.valid
    ? { valid: true, reason: null, role: check.invite.role, expires_at: check.invite.expiresAt?.toISOString() ?? null }
    : { valid: false, reason: check.reason, role: null, expires_at: null };
}
