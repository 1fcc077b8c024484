import { escapeHtml } from '../shared/html.ts';
import type { AccountRecord, Visibility } from './accounts.store.ts';

/** Where this instance lives; serializers need it to write absolute URLs and acct handles. */
export interface Origin {
  publicUrl: string;
  domain: string;
}

/** Mastodon's Account entity, plus Kith's intranet profile under `kith`. */
export interface AccountEntity {
  id: string;
  username: string;
  acct: string;
  url: string;
  uri: string;
  display_name: string;
  note: string;
  avatar: string;
  avatar_static: string;
  header: string;
  header_static: string;
  locked: boolean;
  fields: { name: string; value: string; verified_at: string | null }[];
  emojis: never[];
  bot: boolean;
  group: boolean;
  discoverable: boolean;
  noindex: boolean;
  indexable: boolean;
  hide_collections: boolean;
  suspended?: boolean;
  created_at: string;
  last_status_at: string | null;
  statuses_count: number;
  followers_count: number;
  following_count: number;
  roles: { id: string; name: string; color: string }[];
  kith: { role: string; title: string; department: string; location: string };
}

export interface CredentialAccountEntity extends AccountEntity {
  source: {
    /** Mastodon's enum (public, unlisted, private, direct); Kith's "local" reads as unlisted here. */
    privacy: MastodonVisibility;
    /** The real default, "local" (department-only) included. */
    kith_privacy: Visibility;
    sensitive: boolean;
    language: string | null;
    note: string;
    fields: { name: string; value: string; verified_at: null }[];
    follow_requests_count: number;
  };
  role: { id: string; name: string; permissions: string; color: string; highlighted: boolean };
}

const ROLE_IDS = { member: '0', connector: '1', admin: '3' } as const;

export type MastodonVisibility = Exclude<Visibility, 'local'>;

/**
 * A visibility as Mastodon apps parse it (an enum without "local"): department-only reads as unlisted,
 * the nearest Mastodon value (kept out of public timelines elsewhere, seen by those who look).
 */
export function toMastodonVisibility(visibility: Visibility): MastodonVisibility {
  return visibility === 'local' ? 'unlisted' : visibility;
}

/** The public profile URL of an account: ours, or the one a remote actor gave (else its id). */
export function accountUrl(account: AccountRecord, origin: Origin): string {
  if (account.domain === null) return `${origin.publicUrl}/@${account.username}`;
  // Never a guessed scheme: peers may run on http. A record without either is shown through this instance.
  return account.url ?? account.uri ?? `${origin.publicUrl}/@${account.username}@${account.domain}`;
}

/** Domain → Mastodon Account entity. */
export function toAccountEntity(account: AccountRecord, origin: Origin): AccountEntity {
  const avatar = account.avatarUrl ?? `${origin.publicUrl}/static/avatar.png`;
  const header = account.headerUrl ?? `${origin.publicUrl}/static/header.png`;
  const url = accountUrl(account, origin);
  return {
    id: account._id,
    username: account.username,
    acct: account.domain === null ? account.username : `${account.username}@${account.domain}`,
    url,
    uri: account.domain === null ? `${origin.publicUrl}/users/${account.username}` : (account.uri ?? url),
    display_name: account.displayName,
    note: account.noteHtml,
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    locked: account.locked,
    fields: account.fields.map((f) => ({ name: escapeHtml(f.name), value: escapeHtml(f.value), verified_at: null })),
    emojis: [],
    bot: account.bot,
    group: account.kind === 'department',
    discoverable: account.discoverable,
    noindex: true,
    indexable: false,
    hide_collections: false,
    ...(account.suspended ? { suspended: true } : {}),
    created_at: startOfDay(account.createdAt).toISOString(),
    last_status_at: account.lastStatusAt ? account.lastStatusAt.toISOString().slice(0, 10) : null,
    statuses_count: account.statusesCount,
    followers_count: account.followersCount,
    following_count: account.followingCount,
    roles: account.role === 'member' ? [] : [{ id: ROLE_IDS[account.role], name: account.role, color: '' }],
    kith: { role: account.role, title: account.title, department: account.department, location: account.location },
  };
}

/** Domain → Mastodon CredentialAccount entity (verify_credentials, update_credentials). */
export function toCredentialAccountEntity(account: AccountRecord, origin: Origin, followRequestsCount: number): CredentialAccountEntity {
  return {
    ...toAccountEntity(account, origin),
    source: {
      privacy: toMastodonVisibility(account.defaultVisibility),
      kith_privacy: account.defaultVisibility,
      sensitive: account.defaultSensitive,
      language: account.defaultLanguage,
      note: account.note,
      fields: account.fields.map((f) => ({ name: f.name, value: f.value, verified_at: null })),
      follow_requests_count: followRequestsCount,
    },
    role: {
      id: ROLE_IDS[account.role],
      name: account.role,
      // Mastodon's permission bits: admin gets "administrator" (1); others none.
      permissions: account.role === 'admin' ? '1' : '0',
      color: '',
      highlighted: account.role !== 'member',
    },
  };
}

// Mastodon rounds created_at to the day for privacy.
function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}
