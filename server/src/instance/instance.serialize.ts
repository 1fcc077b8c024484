// Instance → Mastodon's V1 Instance and (v2) Instance entities, and Kith's own /api/v1/kith/instance.
import { ACCEPTED_CONTENT_TYPES } from '../media/content-sniffing.ts';
import { toAccountEntity, type AccountEntity } from '../accounts/accounts.serialize.ts';
import { PROFILE_LIMITS } from '../accounts/accounts.service.ts';
import type { InstanceInfo } from './instance.service.ts';

/** Kith's release. */
export const KITH_VERSION = '0.1.0';
/**
 * Clients read the Mastodon version at the start of this string to decide which API features to
 * use (as they do for other compatible servers), so it leads with the Mastodon release whose API
 * Kith follows.
 */
export const VERSION = `4.3.0 (compatible; Kith ${KITH_VERSION})`;

const LIMITS = {
  maxCharacters: 500,
  maxMediaAttachments: 4,
  charactersReservedPerUrl: 23,
  maxFeaturedTags: 10,
  maxPinnedStatuses: 5,
} as const;

/** What uploads may be (server/src/media): the sniffed types and the configured size limits; no video. */
function media(config: InstanceInfo['config']) {
  return {
    supported_mime_types: [...ACCEPTED_CONTENT_TYPES],
    image_size_limit: config.mediaMaxImageMb * 1_048_576,
    image_matrix_limit: 4096 * 4096,
    video_size_limit: 0,
    video_frame_rate_limit: 0,
    video_matrix_limit: 0,
  };
}

const POLLS = { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2_629_746 };

/** The ws(s) origin clients open /api/v1/streaming on: this instance's origin with the scheme swapped. */
export function streamingUrl(publicUrl: string): string {
  return publicUrl.replace(/^http/, 'ws');
}

function description(info: InstanceInfo): string {
  return `Kith, the social intranet of ${info.config.instanceName}.`;
}

function registrationMessage(info: InstanceInfo): string | null {
  switch (info.registrationMode) {
    case 'open':
      return null;
    case 'invite':
      return 'Sign-up needs an invite code from an administrator.';
    case 'closed':
      return 'Accounts are created by an administrator.';
  }
}

function contactAccount(info: InstanceInfo): AccountEntity | null {
  return info.contact ? toAccountEntity(info.contact, { publicUrl: info.config.publicUrl, domain: info.config.domain }) : null;
}

/** Mastodon's V1 Instance entity (GET /api/v1/instance). */
export function toV1InstanceEntity(info: InstanceInfo) {
  const { config, stats, registrationMode } = info;
  return {
    uri: config.domain,
    title: config.instanceName,
    short_description: description(info),
    description: description(info),
    // CONTACT_EMAIL, never an account's login address: this entity is anonymous.
    email: config.contactEmail,
    version: VERSION,
    urls: { streaming_api: streamingUrl(config.publicUrl) },
    stats: { user_count: stats.userCount, status_count: stats.statusCount, domain_count: stats.domainCount },
    thumbnail: `${config.publicUrl}/static/header.png`,
    languages: ['en'],
    registrations: registrationMode === 'open',
    approval_required: false,
    invites_enabled: registrationMode !== 'closed',
    configuration: {
      accounts: { max_featured_tags: LIMITS.maxFeaturedTags },
      statuses: {
        max_characters: LIMITS.maxCharacters,
        max_media_attachments: LIMITS.maxMediaAttachments,
        characters_reserved_per_url: LIMITS.charactersReservedPerUrl,
      },
      media_attachments: media(config),
      polls: POLLS,
    },
    contact_account: contactAccount(info),
    rules: [] as RuleEntity[],
  };
}

/** Mastodon's Instance entity (GET /api/v2/instance). */
export function toV2InstanceEntity(info: InstanceInfo) {
  const { config, stats, registrationMode } = info;
  return {
    domain: config.domain,
    title: config.instanceName,
    version: VERSION,
    // Where the running software's source is offered (AGPL); the instance serves it from its own origin.
    source_url: config.publicUrl,
    description: description(info),
    // Kith does not record sign-ins yet; every local account counts as active.
    usage: { users: { active_month: stats.userCount } },
    thumbnail: { url: `${config.publicUrl}/static/header.png` },
    icon: [] as { src: string; size: string }[],
    languages: ['en'],
    configuration: {
      urls: {
        streaming: streamingUrl(config.publicUrl),
        about: `${config.publicUrl}/about`,
        privacy_policy: null,
        terms_of_service: null,
      },
      vapid: { public_key: info.vapidPublicKey },
      accounts: {
        max_featured_tags: LIMITS.maxFeaturedTags,
        max_pinned_statuses: LIMITS.maxPinnedStatuses,
        max_display_name_length: PROFILE_LIMITS.displayName,
        max_note_length: PROFILE_LIMITS.note,
        max_profile_fields: PROFILE_LIMITS.fields,
        profile_field_name_limit: PROFILE_LIMITS.fieldName,
        profile_field_value_limit: PROFILE_LIMITS.fieldValue,
      },
      statuses: {
        max_characters: LIMITS.maxCharacters,
        max_media_attachments: LIMITS.maxMediaAttachments,
        characters_reserved_per_url: LIMITS.charactersReservedPerUrl,
      },
      media_attachments: { ...media(config), description_limit: 1500 },
      polls: POLLS,
      translation: { enabled: false },
    },
    registrations: {
      enabled: registrationMode === 'open',
      approval_required: false,
      message: registrationMessage(info),
      url: null,
    },
    api_versions: { mastodon: 2 },
    contact: { email: config.contactEmail, account: contactAccount(info) },
    rules: [] as RuleEntity[],
  };
}

/** Mastodon's Rule entity; Kith has no rules to show yet. */
export interface RuleEntity {
  id: string;
  text: string;
  hint: string;
}

/** Kith's own view of the instance (GET /api/v1/kith/instance). */
export function toKithInstanceEntity(info: InstanceInfo) {
  const { config, stats, registrationMode } = info;
  return {
    name: config.instanceName,
    domain: config.domain,
    url: config.publicUrl,
    version: KITH_VERSION,
    mastodon_api_version: VERSION,
    registration_mode: registrationMode,
    streaming_url: streamingUrl(config.publicUrl),
    counts: { accounts: stats.userCount, statuses: stats.statusCount, domains: stats.domainCount },
    contact_account: contactAccount(info),
  };
}
