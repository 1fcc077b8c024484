// Domain → Mastodon Status entity. serializeMany loads what a page of statuses needs in batches
// (boosted originals, accounts, the viewer's favourites/boosts/bookmarks/pins, applications), so a
// timeline page costs a fixed number of round trips whatever its length.
//
// Visibility "local" (department-only) is Kith's own. Mastodon apps know public, unlisted, private
// and direct, so a local status goes out as visibility "unlisted" (it stays out of public timelines
// and apps render it), with `local_only: true` (the Glitch/Hometown convention for local-only posts)
// and `kith.visibility: "local"` for clients that know Kith. The API accepts "local" on create.
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { accountUrl, toAccountEntity, type AccountEntity, type Origin } from '../accounts/accounts.serialize.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { StatusEditRecord, StatusRecord } from './status-record.ts';
import type { StatusRelationsStore } from './status-relations.store.ts';
import type { StatusesStore } from './statuses.store.ts';
import type { Viewer } from './status-visibility.ts';
import type { StatusMedia } from './status-media.ts';
import type { MediaAttachmentEntity } from '../media/media.serialize.ts';

/** The application a status was posted from, as Mastodon shows it. */
export interface ApplicationInfo {
  name: string;
  website: string | null;
}

/** Resolves application ids to their names (implemented by the oauth domain). */
export type ApplicationLookup = (ids: string[]) => Promise<Map<string, ApplicationInfo>>;

export interface StatusEntity {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  account: AccountEntity;
  content: string;
  /** Only in the answer to a delete (for "delete & redraft"): the text as typed. */
  text?: string;
  visibility: 'public' | 'unlisted' | 'private' | 'direct';
  local_only: boolean;
  sensitive: boolean;
  spoiler_text: string;
  media_attachments: MediaAttachmentEntity[];
  application: ApplicationInfo | null;
  mentions: { id: string; username: string; url: string; acct: string }[];
  tags: { name: string; url: string }[];
  emojis: never[];
  reblogs_count: number;
  favourites_count: number;
  replies_count: number;
  quotes_count: number;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog: StatusEntity | null;
  poll: null;
  card: null;
  quote: null;
  quote_approval: { automatic: string[]; manual: string[]; current_user: 'denied' };
  language: string | null;
  edited_at: string | null;
  favourited?: boolean;
  reblogged?: boolean;
  muted?: boolean;
  bookmarked?: boolean;
  pinned?: boolean;
  filtered?: never[];
  kith: { visibility: StatusRecord['visibility'] };
}

/** Mastodon's StatusEdit entity (one version in /history). */
export interface StatusEditEntity {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: AccountEntity;
  poll: null;
  media_attachments: MediaAttachmentEntity[];
  emojis: never[];
}

/** What toStatusEntity needs besides the record, loaded in batches by StatusSerializer. */
export interface SerializeContext {
  origin: Origin;
  accounts: ReadonlyMap<string, AccountRecord>;
  originals: ReadonlyMap<string, StatusRecord>;
  applications: ReadonlyMap<string, ApplicationInfo>;
  /** Attachment entities by media id. */
  media?: ReadonlyMap<string, MediaAttachmentEntity>;
  viewerId: string | null;
  relations: { favourited: Set<string>; reblogged: Set<string>; bookmarked: Set<string>; pinned: Set<string> } | null;
  /** Include the plain text (the answer to a delete). */
  withSource?: boolean;
}

/** The ActivityPub id of a status: its own for remote ones, derived from the id for local ones. */
export function statusUri(record: StatusRecord, author: AccountRecord, origin: Origin): string {
  if (record.uri) return record.uri;
  const base = `${origin.publicUrl}/users/${author.username}/statuses/${record._id}`;
  return record.reblogOfId ? `${base}/activity` : base;
}

/** The page a status is shown on. */
export function statusUrl(record: StatusRecord, author: AccountRecord, origin: Origin): string {
  return author.domain === null ? `${origin.publicUrl}/@${author.username}/${record._id}` : (record.url ?? record.uri ?? accountUrl(author, origin));
}

/** Whether a status can be pinned to its author's profile. */
export function isPinnable(record: StatusRecord): boolean {
  return record.reblogOfId === null && record.visibility !== 'direct';
}

const PUBLIC_VISIBILITY = { public: 'public', unlisted: 'unlisted', private: 'private', direct: 'direct', local: 'unlisted' } as const;

/** One record as a Status entity; null when its author (or a boosted original) is unknown or suspended. */
export function toStatusEntity(record: StatusRecord, ctx: SerializeContext): StatusEntity | null {
  const author = ctx.accounts.get(record.accountId);
  if (!author || author.suspended) return null;
  let reblog: StatusEntity | null = null;
  if (record.reblogOfId) {
    const original = ctx.originals.get(record.reblogOfId);
    if (!original || original.deletedAt) return null;
    reblog = toStatusEntity(original, { ...ctx, withSource: false });
    if (!reblog) return null;
  }
  const authorEntity = toAccountEntity(author, ctx.origin);
  const mentions = record.mentionIds
    .map((id) => ctx.accounts.get(id))
    .filter((a): a is AccountRecord => a !== undefined)
    .map((a) => ({ id: a._id, username: a.username, url: accountUrl(a, ctx.origin), acct: a.domain === null ? a.username : `${a.username}@${a.domain}` }));
  const entity: StatusEntity = {
    id: record._id,
    uri: statusUri(record, author, ctx.origin),
    url: statusUrl(record, author, ctx.origin),
    created_at: record.createdAt.toISOString(),
    account: authorEntity,
    content: record.contentHtml,
    ...(ctx.withSource ? { text: record.text } : {}),
    visibility: PUBLIC_VISIBILITY[record.visibility],
    local_only: record.visibility === 'local',
    sensitive: record.sensitive,
    spoiler_text: record.spoilerText,
    media_attachments: (record.mediaIds ?? []).map((id) => ctx.media?.get(id)).filter((m): m is MediaAttachmentEntity => m !== undefined),
    application: record.applicationId ? (ctx.applications.get(record.applicationId) ?? null) : null,
    mentions,
    tags: record.tags.map((name) => ({ name, url: `${ctx.origin.publicUrl}/tags/${encodeURIComponent(name)}` })),
    emojis: [],
    reblogs_count: record.reblogsCount,
    favourites_count: record.favouritesCount,
    replies_count: record.repliesCount,
    quotes_count: 0,
    in_reply_to_id: record.inReplyToId,
    in_reply_to_account_id: record.inReplyToAccountId,
    reblog,
    poll: null,
    card: null,
    quote: null,
    quote_approval: { automatic: [], manual: [], current_user: 'denied' },
    language: record.language,
    edited_at: record.editedAt ? record.editedAt.toISOString() : null,
    kith: { visibility: record.visibility },
  };
  if (ctx.relations) {
    entity.favourited = ctx.relations.favourited.has(record._id);
    entity.reblogged = ctx.relations.reblogged.has(record._id);
    entity.muted = false;
    entity.bookmarked = ctx.relations.bookmarked.has(record._id);
    if (record.accountId === ctx.viewerId && isPinnable(record)) entity.pinned = ctx.relations.pinned.has(record._id);
    entity.filtered = [];
  }
  return entity;
}

/** One version of a status as a StatusEdit entity (with its attachments found in `media`). */
export function toStatusEditEntity(edit: StatusEditRecord, author: AccountRecord, origin: Origin, media: ReadonlyMap<string, MediaAttachmentEntity> = new Map()): StatusEditEntity {
  return {
    content: edit.contentHtml,
    spoiler_text: edit.spoilerText,
    sensitive: edit.sensitive,
    created_at: edit.createdAt.toISOString(),
    account: toAccountEntity(author, origin),
    poll: null,
    media_attachments: (edit.mediaIds ?? []).map((id) => media.get(id)).filter((m): m is MediaAttachmentEntity => m !== undefined),
    emojis: [],
  };
}

/** Turns pages of records into Status entities for one viewer, loading everything in batches. */
export class StatusSerializer {
  private readonly origin: Origin;
  private readonly store: StatusesStore;
  private readonly relations: StatusRelationsStore;
  private readonly accounts: AccountsService;
  private readonly applications: ApplicationLookup | null;
  private readonly media: Pick<StatusMedia, 'entities'> | null;

  constructor(origin: Origin, store: StatusesStore, relations: StatusRelationsStore, accounts: AccountsService, applications: ApplicationLookup | null, media: Pick<StatusMedia, 'entities'> | null = null) {
    this.origin = origin;
    this.store = store;
    this.relations = relations;
    this.accounts = accounts;
    this.applications = applications;
    this.media = media;
  }

  /**
   * Status entities for the records, in order, leaving out any whose author or boosted original is
   * gone. Costs: one cache read for boosted originals, then accounts, the viewer's four relations,
   * applications and attachments in parallel, whatever the number of records.
   */
  async serializeMany(records: readonly StatusRecord[], viewer: Viewer, options: { withSource?: boolean } = {}): Promise<StatusEntity[]> {
    if (records.length === 0) return [];
    const originals = new Map<string, StatusRecord>();
    for (const r of records) originals.set(r._id, r);
    const missing = records.map((r) => r.reblogOfId).filter((id): id is string => id !== null && !originals.has(id));
    if (missing.length > 0) for (const [id, r] of await this.store.getMany(missing)) originals.set(id, r);

    const all = [...originals.values()];
    const accountIds = [...new Set(all.flatMap((r) => [r.accountId, ...r.mentionIds]))];
    const statusIds = all.map((r) => r._id);
    const appIds = [...new Set(all.map((r) => r.applicationId).filter((id): id is string => id !== null))];
    const viewerId = viewer?._id ?? null;
    const mediaIds = all.flatMap((r) => r.mediaIds ?? []);
    const [accounts, applications, favourited, reblogged, bookmarked, pinned, media] = await Promise.all([
      this.accounts.getMany(accountIds),
      appIds.length > 0 && this.applications ? this.applications(appIds) : Promise.resolve(new Map<string, ApplicationInfo>()),
      viewerId ? this.relations.statusIdsAmong('favourites', viewerId, statusIds) : null,
      viewerId ? this.relations.statusIdsAmong('reblogs', viewerId, statusIds) : null,
      viewerId ? this.relations.statusIdsAmong('bookmarks', viewerId, statusIds) : null,
      viewerId ? this.relations.statusIdsAmong('pins', viewerId, all.filter((r) => r.accountId === viewerId).map((r) => r._id)) : null,
      mediaIds.length > 0 && this.media ? this.media.entities(mediaIds) : undefined,
    ]);
    const ctx: SerializeContext = {
      origin: this.origin,
      accounts: new Map(accounts.map((a) => [a._id, a])),
      originals,
      applications,
      media,
      viewerId,
      relations: viewerId ? { favourited: favourited!, reblogged: reblogged!, bookmarked: bookmarked!, pinned: pinned! } : null,
      withSource: options.withSource,
    };
    return records.map((r) => toStatusEntity(r, ctx)).filter((e): e is StatusEntity => e !== null);
  }
}
