import type { Redis } from 'ioredis';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { REGISTRATION_MODES, type RegistrationMode } from '../config.ts';
import { Forbidden, Invalid } from '../shared/errors.ts';
import { GuardedCache } from '../shared/guarded-cache.ts';
import type { RegistrationModeStore } from './registration-mode.store.ts';

// Every sign-up and every instance entity asks for the mode, so it is read from Redis. Every process of the
// instance reads the same key, so an admin's change reaches all of them at once; a fill that raced the
// change is discarded (GuardedCache). The cached value is the stored override, '' for none.
const KEY = 'registration_mode';
const TTL_SECONDS = 3600;

/** The registration mode in force: an admin's override (MongoDB) or else REGISTRATION_MODE. */
export class RegistrationModeService {
  private readonly store: RegistrationModeStore;
  private readonly redis: Redis;
  private readonly guard: GuardedCache;
  private readonly configured: RegistrationMode;

  constructor(store: RegistrationModeStore, redis: Redis, configured: RegistrationMode) {
    this.store = store;
    this.redis = redis;
    this.guard = new GuardedCache(redis);
    this.configured = configured;
  }

  /** REGISTRATION_MODE, the mode when no admin has chosen one. */
  get configuredMode(): RegistrationMode {
    return this.configured;
  }

  /** The mode sign-up, invites and the instance entities follow now. */
  async effective(): Promise<RegistrationMode> {
    const cached = await this.redis.get(KEY);
    if (cached !== null) return this.orConfigured(cached);
    const [generation] = await this.guard.generations([KEY]);
    const stored = (await this.store.find())?.mode ?? '';
    await this.guard.setMany([{ key: KEY, generation: generation!, value: stored }], TTL_SECONDS);
    return this.orConfigured(stored);
  }

  /** The mode in force, as the admin screen shows it (admins; `actor` null is the CLI). */
  async forAdmin(actor: AccountRecord | null): Promise<RegistrationMode> {
    requireAdmin(actor);
    return this.effective();
  }

  /** Sets the mode (admins; `actor` null is the CLI); it holds until changed again, across restarts. */
  async set(actor: AccountRecord | null, mode: string): Promise<RegistrationMode> {
    requireAdmin(actor);
    if (!isRegistrationMode(mode)) throw new Invalid(`Validation failed: Mode must be one of ${REGISTRATION_MODES.join(', ')}`);
    await this.store.save(mode, actor?._id ?? null);
    await this.guard.invalidate(KEY);
    return mode;
  }

  private orConfigured(stored: string): RegistrationMode {
    // A stored mode this release no longer knows falls back to the configuration rather than failing sign-up.
    return isRegistrationMode(stored) ? stored : this.configured;
  }
}

function requireAdmin(actor: AccountRecord | null): void {
  // null is the operator at the CLI, who has the server's own credentials.
  if (actor !== null && actor.role !== 'admin') throw new Forbidden();
}

function isRegistrationMode(value: string): value is RegistrationMode {
  return (REGISTRATION_MODES as readonly string[]).includes(value);
}
