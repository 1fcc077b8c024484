import type { Config, RegistrationMode } from '../config.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { toMastodonVisibility, type MastodonVisibility } from '../accounts/accounts.serialize.ts';

/** Figures about this instance that cost a query; cached briefly (clients ask at every start). */
export interface InstanceStats {
  userCount: number;
  statusCount: number;
  domainCount: number;
}

/** What the instance endpoints show: configuration, figures and whom to contact. */
export interface InstanceInfo {
  config: Config;
  /** The registration mode in force (an admin's choice, else REGISTRATION_MODE); read at every call, never cached here. */
  registrationMode: RegistrationMode;
  stats: InstanceStats;
  /** The first admin (oldest admin account), Mastodon's contact account. */
  contact: AccountRecord | null;
  /** The instance's VAPID public key (base64url) that Web Push clients subscribe with; empty without one. */
  vapidPublicKey: string;
}

/** Mastodon's /api/v1/preferences, from an account's posting defaults. */
export interface Preferences {
  /** Mastodon's enum: Kith's department-only "local" reads as unlisted. */
  'posting:default:visibility': MastodonVisibility;
  /** The real default, "local" included. */
  'kith:posting:default:visibility': AccountRecord['defaultVisibility'];
  'posting:default:sensitive': boolean;
  'posting:default:language': string | null;
  'reading:expand:media': 'default' | 'show_all' | 'hide_all';
  'reading:expand:spoilers': boolean;
  'reading:autoplay:gifs': boolean;
}

// Long enough that a burst of clients starting costs one set of counting queries, short enough
// that the figures stay current; the MongoDB stand-in counts by scanning.
const CACHE_MS = 60_000;

/** This instance's public description, figures and per-account reading/posting preferences. */
export class InstanceService {
  private readonly config: Config;
  private readonly accounts: AccountsService;
  private readonly vapidPublicKey: () => Promise<string>;
  private readonly registrationMode: () => Promise<RegistrationMode>;
  private cached: { at: number; info: Promise<Omit<InstanceInfo, 'config' | 'registrationMode'>> } | null = null;

  constructor(
    config: Config,
    accounts: AccountsService,
    vapidPublicKey: () => Promise<string> = async () => '',
    registrationMode: () => Promise<RegistrationMode> = async () => config.registrationMode,
  ) {
    this.config = config;
    this.accounts = accounts;
    this.vapidPublicKey = vapidPublicKey;
    this.registrationMode = registrationMode;
  }

  /** The instance's configuration, figures and contact account (figures cached for a minute). */
  async info(now = Date.now()): Promise<InstanceInfo> {
    if (!this.cached || now - this.cached.at > CACHE_MS) {
      const info = this.load();
      this.cached = { at: now, info };
      // A failed load must not be served from the cache for a minute.
      info.catch(() => {
        if (this.cached?.info === info) this.cached = null;
      });
    }
    const [figures, registrationMode] = await Promise.all([this.cached.info, this.registrationMode()]);
    return { config: this.config, registrationMode, ...figures };
  }

  /** Forgets the cached figures (after an admin change, and in tests). */
  invalidate(): void {
    this.cached = null;
  }

  /** An account's preferences as Mastodon reports them; reading preferences are the defaults until Kith stores them. */
  preferences(account: AccountRecord): Preferences {
    return {
      'posting:default:visibility': toMastodonVisibility(account.defaultVisibility),
      'kith:posting:default:visibility': account.defaultVisibility,
      'posting:default:sensitive': account.defaultSensitive,
      'posting:default:language': account.defaultLanguage,
      'reading:expand:media': 'default',
      'reading:expand:spoilers': false,
      'reading:autoplay:gifs': false,
    };
  }

  private async load(): Promise<Omit<InstanceInfo, 'config' | 'registrationMode'>> {
    const [userCount, statusCount, contact, vapidPublicKey] = await Promise.all([
      this.accounts.countLocal(),
      // Mastodon's status_count: the sum of local accounts' status counters.
      this.accounts.localStatusTotal(),
      this.accounts.firstAdmin(),
      this.vapidPublicKey(),
    ]);
    // Peers arrive with federation; until then this instance knows no other domain.
    return { stats: { userCount, statusCount, domainCount: 0 }, contact, vapidPublicKey };
  }
}
