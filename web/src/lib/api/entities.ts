// Response shapes of the API (Mastodon's entities and Kith's own), as the screens use them. The server's
// OpenAPI document types requests only; add fields here when a screen needs them.

export interface Account {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  note: string;
  url: string;
  avatar: string;
  avatar_static: string;
  header: string;
  locked: boolean;
  bot: boolean;
  followers_count: number;
  following_count: number;
  statuses_count: number;
  created_at: string;
  /** Profile fields; names and values are HTML-escaped text (decode with textOfHtml, never render as HTML). */
  fields?: { name: string; value: string; verified_at: string | null }[];
  /** A department actor (Kith) or another group. */
  group?: boolean;
  last_status_at?: string | null;
  /** Kith's intranet profile. */
  kith?: { role: string; title: string; department: string; location: string };
}

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

export interface MediaAttachment {
  id: string;
  type: 'image' | 'video' | 'gifv' | 'audio' | 'unknown';
  url: string;
  preview_url: string | null;
  description: string | null;
  /** Kith's addition for files: the name to show and the size in bytes. */
  kith?: { file_name: string; content_type: string; bytes: number };
}

export interface Status {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  account: Account;
  /** HTML sanitized by the server: the only server string the app renders as HTML. */
  content: string;
  visibility: Visibility;
  sensitive: boolean;
  spoiler_text: string;
  media_attachments: MediaAttachment[];
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  favourited?: boolean;
  reblogged?: boolean;
  bookmarked?: boolean;
  reblog: Status | null;
  in_reply_to_id: string | null;
  in_reply_to_account_id?: string | null;
  /** Department-only (Kith's "local" visibility) reads as unlisted with local_only to Mastodon apps. */
  local_only?: boolean;
  kith?: { visibility: Visibility | 'local' };
  tags?: { name: string; url: string }[];
  mentions?: { id: string; username: string; url: string; acct: string }[];
  /** Company news only: how the post reached this instance (GET /api/v1/timelines/kith/company). */
  kith_relay?: { note: string; path: { department: string; host: string; actor: string }[]; approved_by: string | null; relayed_at: string };
}

/** GET /api/v1/statuses/:id/context. */
export interface Context {
  ancestors: Status[];
  descendants: Status[];
}

export interface Relationship {
  id: string;
  following: boolean;
  followed_by: boolean;
  requested: boolean;
  blocking: boolean;
  muting: boolean;
}

export interface Tag {
  name: string;
  url: string;
  history: { day: string; uses: string; accounts: string }[];
  following: boolean;
}

export interface SearchResults {
  accounts: Account[];
  statuses: Status[];
  hashtags: Tag[];
}

export interface Marker {
  last_read_id: string;
  version: number;
  updated_at: string;
}

export interface Session {
  id: string;
  csrf_token: string;
  account: CredentialAccount;
}

export interface SessionInfo {
  id: string;
  current: boolean;
  user_agent: string;
  ip: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
}

export type OnboardingStepId = 'profile' | 'follow_colleagues' | 'follow_department' | 'first_post';

export interface Onboarding {
  steps: { id: OnboardingStepId; done: boolean; available: boolean; note: string | null }[];
  finished: boolean;
}

export interface Instance {
  domain: string;
  title: string;
  registrations: { enabled: boolean; approval_required: boolean; message: string | null };
}

export interface Notification {
  id: string;
  type: string;
  created_at: string;
  account: Account;
  status?: Status | null;
}

// ---- Compose, settings and admin screens ----

export type KithVisibility = Visibility | 'local';

/** An upload as POST /api/v2/media answers it (Kith adds the file's name, type and size). */
export interface UploadedMedia extends MediaAttachment {
  kith?: { file_name: string; content_type: string; bytes: number };
}

export interface Tag {
  name: string;
  url: string;
}

export interface SearchResults {
  accounts: Account[];
  statuses: Status[];
  hashtags: Tag[];
}

/** The parts of GET /api/v2/instance the app uses. */
export interface InstanceV2 {
  domain: string;
  title: string;
  configuration: {
    vapid: { public_key: string };
    statuses: { max_characters: number; max_media_attachments: number };
    media_attachments: { description_limit: number; supported_mime_types?: string[] };
    accounts: { max_profile_fields: number; max_display_name_length: number; max_note_length: number };
  };
  registrations: { enabled: boolean; approval_required: boolean; message: string | null };
}

/** Kith's view of the instance (GET /api/v1/kith/instance). */
export interface KithInstance {
  name: string;
  domain: string;
  registration_mode: string;
}

export interface ProfileField {
  name: string;
  value: string;
}

/** The signed-in account with its editable source (verify_credentials, update_credentials, the session). */
export interface CredentialAccount extends Account {
  fields?: (ProfileField & { verified_at: string | null })[];
  source?: { note: string; fields: ProfileField[]; privacy: Visibility; kith_privacy?: KithVisibility };
  role?: { name: string; permissions: string };
  kith?: { role: string; title: string; department: string; location: string };
}

export interface AdminAccount {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  role: 'admin' | 'connector' | 'member';
  suspended: boolean;
  suspended_at: string | null;
  created_at: string;
  /** Marked as a leader by an admin (adoption analytics). */
  leader: boolean;
  account: Account;
}

export interface Invite {
  code: string;
  role: string;
  uses: number;
  max_uses: number | null;
  expires_at: string | null;
  created_at: string;
  created_by: string | null;
  valid: boolean;
}

export type RegistrationMode = 'open' | 'invite' | 'closed';

/** GET/PUT /api/v1/kith/admin/registration: the mode in force and REGISTRATION_MODE, the default it overrides. */
export interface RegistrationSetting {
  mode: RegistrationMode;
  configured_mode: RegistrationMode;
}

export interface Peer {
  host: string;
  scheme: 'http' | 'https';
  state: 'allow' | 'block';
  note: string;
  created_at: string;
  created_by: string | null;
  source: 'admin' | 'link';
}

export interface DeadLetter {
  id: string;
  activity_id: string;
  inbox: string;
  host: string;
  reason: string;
  job_id: string;
  created_at: string;
  retried_at: string | null;
}

export type PushAlertName = 'mention' | 'status' | 'reblog' | 'follow' | 'follow_request' | 'favourite' | 'poll' | 'update';

export interface PushSubscriptionInfo {
  id: string;
  endpoint: string;
  alerts: Record<PushAlertName, boolean>;
  policy: string;
  server_key: string;
}

// ---- Connectors: proposals, links, the network map, the audit log (docs/connectors-design.md) ----

/** A department on a relay's path. */
export interface PathStep {
  department: string;
  host: string;
  actor: string;
}

/** A proposal for the company, or news that arrived and waits for review (`kind: 'incoming'`). */
export interface Proposal {
  id: string;
  kind: 'proposal' | 'incoming';
  state: 'pending' | 'approved' | 'declined';
  status_id: string;
  status_uri: string;
  /** Null when the viewer may no longer see the status (deleted, or not visible to them). */
  status: Status | null;
  comment: string;
  /** `@username`, or null for incoming news. */
  proposed_by: string | null;
  path: PathStep[];
  /** The note that came with incoming news (HTML-escaped text: show through textOfHtml). */
  incoming_note: string;
  /** Incoming news: why it waits for review (the link's policy); empty otherwise. */
  waiting_because: string;
  /** The connector's note on approval, or the reason of a decline (plain text; empty when none). */
  note: string;
  reason: string;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

export type LinkState = 'awaiting_peering' | 'requested' | 'requested_by_them' | 'active' | 'declined' | 'unlinked';

export interface LinkPolicy {
  approval: 'queue' | 'auto';
  hashtags: string[];
  daily_cap: number | null;
}

/** A link between this department and another (GET /api/v1/kith/links). */
export interface DepartmentLink {
  id: string;
  state: LinkState;
  direction: 'incoming' | 'outgoing';
  department: { actor: string; host: string; name: string; account_id: string | null };
  requested_by: string | null;
  accepted_by: string | null;
  ended_by: string | null;
  reason: string;
  created_at: string;
  since: string | null;
  policy: LinkPolicy;
}

/** GET /api/v1/kith/network: the company's departments and their links, with delivery health. */
export interface NetworkMap {
  instances: { host: string; department: string; actor: string; connectors: string[]; self: boolean }[];
  links: { a: string; b: string; state: string; since: string | null; held_by: string[] }[];
  health: { host: string; peer: boolean; dead_letters_24h: number }[];
}

/** One step of the connectors' audit log. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  actor_handle: string;
  action: string;
  subject: string;
  detail: string;
}
