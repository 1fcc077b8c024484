import { randomBytes } from 'node:crypto';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { isDuplicateKey } from '../infra/mongo.ts';
import { Forbidden, Invalid, NotFound } from '../shared/errors.ts';
import { INVITE_ROLES, type InviteRecord, type InviteRole, type InvitesStore } from './invites.store.ts';

// Codes are typed by people, often on a phone: upper-case letters and digits without look-alikes
// (no 0/O, 1/I/L). 31 symbols, 10 characters: about 49 bits, far beyond guessing at the sign-up rate limit.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;
const LIMITS = { maxUses: 100_000, expiresInDays: 3650, list: 500 } as const;

export interface NewInvite {
  /** null or absent: unlimited. */
  maxUses?: number | null;
  /** null or absent: never expires. */
  expiresInDays?: number | null;
  /** The role accounts signing up with the code get (member by default). */
  role?: string;
}

/** Whether a code can be used now, and if not, why. */
export type InviteCheck = { valid: true; invite: InviteRecord } | { valid: false; reason: 'unknown' | 'expired' | 'used_up' | 'registrations_closed' };

/** Normalizes a typed code: case, spaces and dashes do not matter. */
export function normalizeInviteCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

function newCode(): string {
  const bytes = randomBytes(CODE_LENGTH * 2);
  let code = '';
  // Rejection sampling keeps every symbol equally likely (31 symbols do not divide 256).
  for (const byte of bytes) {
    if (byte < ALPHABET.length * 8) code += ALPHABET[byte % ALPHABET.length];
    if (code.length === CODE_LENGTH) return code;
  }
  return code + newCode().slice(code.length);
}

function requireAdmin(actor: AccountRecord | null): void {
  // null is the operator at the CLI, who has the server's own credentials.
  if (actor !== null && actor.role !== 'admin') throw new Forbidden();
}

function checkInvite(invite: InviteRecord | null, now: Date): InviteCheck {
  if (!invite) return { valid: false, reason: 'unknown' };
  if (invite.expiresAt !== null && invite.expiresAt <= now) return { valid: false, reason: 'expired' };
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return { valid: false, reason: 'used_up' };
  return { valid: true, invite };
}

/** Invite codes: made by admins, redeemed at sign-up, giving the new account its role. */
export class InvitesService {
  private readonly store: InvitesStore;

  constructor(store: InvitesStore) {
    this.store = store;
  }

  /** Creates an invite; `actor` must be an admin (null: the CLI). Throws Invalid for a bad limit or role. */
  async create(actor: AccountRecord | null, input: NewInvite): Promise<InviteRecord> {
    requireAdmin(actor);
    const role = (input.role ?? 'member') as InviteRole;
    if (!INVITE_ROLES.includes(role)) throw new Invalid(`Validation failed: Role must be one of ${INVITE_ROLES.join(', ')}`);
    const maxUses = input.maxUses ?? null;
    if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > LIMITS.maxUses)) {
      throw new Invalid(`Validation failed: Max uses must be a whole number from 1 to ${LIMITS.maxUses}`);
    }
    const days = input.expiresInDays ?? null;
    if (days !== null && (!Number.isFinite(days) || days <= 0 || days > LIMITS.expiresInDays)) {
      throw new Invalid(`Validation failed: Expiry must be more than 0 and at most ${LIMITS.expiresInDays} days`);
    }
    const now = new Date();
    for (;;) {
      const invite: InviteRecord = {
        _id: newCode(),
        role,
        maxUses,
        uses: 0,
        expiresAt: days === null ? null : new Date(now.getTime() + days * 24 * 3600 * 1000),
        createdBy: actor?._id ?? null,
        createdAt: now,
      };
      try {
        await this.store.insert(invite);
        return invite;
      } catch (error) {
        // A code already taken (vanishingly rare): draw another.
        if (!isDuplicateKey(error)) throw error;
      }
    }
  }

  /** Invites, newest first; `actor` must be an admin. */
  list(actor: AccountRecord | null, limit = 100): Promise<InviteRecord[]> {
    requireAdmin(actor);
    return this.store.list(Math.min(Math.max(limit, 1), LIMITS.list));
  }

  /** Deletes an invite so it can no longer be used; NotFound when there is none. */
  async revoke(actor: AccountRecord | null, code: string): Promise<void> {
    requireAdmin(actor);
    if (!(await this.store.delete(normalizeInviteCode(code)))) throw new NotFound();
  }

  /** Whether a code is valid now (for the sign-up page); uses nothing. */
  async check(code: string): Promise<InviteCheck> {
    const normalized = normalizeInviteCode(code);
    if (!/^[A-Z0-9]{1,32}$/.test(normalized)) return { valid: false, reason: 'unknown' };
    return checkInvite(await this.store.findByCode(normalized), new Date());
  }

  /** Takes one use of a code, atomically; throws Forbidden when it is unknown, expired or used up. */
  async redeem(code: string): Promise<InviteRecord> {
    const normalized = normalizeInviteCode(code);
    const invite = /^[A-Z0-9]{1,32}$/.test(normalized) ? await this.store.redeem(normalized, new Date()) : null;
    if (!invite) throw new Forbidden('This invite code is invalid, expired or used up');
    return invite;
  }

  /** Gives back a use taken by redeem() for a sign-up that then failed. */
  release(code: string): Promise<void> {
    return this.store.release(code);
  }
}
