import type { Redis } from 'ioredis';
import type { EventBus } from '../events/event-bus.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord, Visibility } from '../accounts/accounts.store.ts';
import type { Origin } from '../accounts/accounts.serialize.ts';
import { Invalid, NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Page } from '../shared/pagination.ts';
import { composeText, normalizeLanguage, STATUS_LIMITS, type RemoteAccountFinder } from './status-compose.ts';
import { statusVersion, type StatusEditRecord, type StatusRecord } from './status-record.ts';
import type { StatusRelationsStore } from './status-relations.store.ts';
import { visibleFlags, type FollowLookup, type Viewer } from './status-visibility.ts';
import { StatusSerializer, type ApplicationLookup, type StatusEntity } from './statuses.serialize.ts';
import type { StatusQuery, StatusSearchQuery, StatusesStore } from './statuses.store.ts';
import type { RemoteStatusInput } from './remote-statuses.ts';
import { RemoteStatusIntake } from './remote-status-intake.ts';
import { IdempotencyKeys } from './idempotency-keys.ts';
import { MAX_ATTACHMENTS, type StatusMedia } from './status-media.ts';
import type { MediaAttachmentEntity } from '../media/media.serialize.ts';

/** What a client sends to post a status. */
export interface NewStatus {
  text: string;
  spoilerText?: string;
  sensitive?: boolean;
  /** Defaults to the author's default visibility. */
  visibility?: Visibility;
  language?: string | null;
  inReplyToId?: string | null;
  /** The author's uploads to attach (at most 4); with them the text may be blank. */
  mediaIds?: string[];
}

/** What an edit may change (visibility and the thread cannot change, as in Mastodon). */
export interface StatusChange {
  text: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  /** The attachments after the edit, in order; undefined keeps them. */
  mediaIds?: string[];
}

export interface StatusesDeps {
  store: StatusesStore;
  relations: StatusRelationsStore;
  accounts: AccountsService;
  follows: FollowLookup;
  events: EventBus;
  /** Key-prefixed connection (idempotency keys). */
  redis: Redis;
  origin: Origin;
  applications?: ApplicationLookup | null;
  /** Accounts of other instances, for @user@domain mentions; without it only local accounts are mentioned. */
  remote?: RemoteAccountFinder | null;
  /** Attachments (the media domain); without it media_ids are refused. */
  media?: StatusMedia | null;
}

/** The distinct media ids of a request, checked against the limit; Invalid past it or without a media domain. */
function attachmentIds(ids: readonly string[] | undefined, media: StatusMedia | null): string[] {
  const unique = [...new Set(ids ?? [])];
  if (unique.length === 0) return unique;
  if (!media) throw new Invalid('Validation failed: media is not supported');
  if (unique.length > MAX_ATTACHMENTS) throw new Invalid(`Validation failed: At most ${MAX_ATTACHMENTS} files can be attached to a post`);
  return unique;
}

// A reply counts on its parent only where everyone who can see the parent's count may see the reply
// (Mastodon counts public and unlisted replies; Kith adds local ones).
const countsAsReply = (r: StatusRecord) => r.inReplyToId !== null && (r.visibility === 'public' || r.visibility === 'unlisted' || r.visibility === 'local');
// Direct messages do not count toward a profile's statuses, as in Mastodon.
const countsOnProfile = (r: StatusRecord) => r.visibility !== 'direct';

/** Statuses: posting, reading with the visibility rules, editing, deleting, threads and serialization. */
export class StatusesService {
  private readonly store: StatusesStore;
  private readonly relations: StatusRelationsStore;
  private readonly accounts: AccountsService;
  private readonly follows: FollowLookup;
  private readonly events: EventBus;
  private readonly idempotency: IdempotencyKeys;
  private readonly origin: Origin;
  private readonly serializer: StatusSerializer;
  private readonly remote: RemoteStatusIntake;
  private readonly remoteAccounts: RemoteAccountFinder | null;
  private readonly media: StatusMedia | null;

  constructor(deps: StatusesDeps) {
    this.store = deps.store;
    this.relations = deps.relations;
    this.accounts = deps.accounts;
    this.follows = deps.follows;
    this.events = deps.events;
    this.idempotency = new IdempotencyKeys(deps.redis, deps.store);
    this.origin = deps.origin;
    this.remoteAccounts = deps.remote ?? null;
    this.media = deps.media ?? null;
    this.serializer = new StatusSerializer(deps.origin, deps.store, deps.relations, deps.accounts, deps.applications ?? null, this.media);
    this.remote = new RemoteStatusIntake({ store: deps.store, accounts: deps.accounts, events: deps.events, statuses: this, announceNew: (record) => this.announceNew(record), media: this.media });
  }

  /**
   * Posts a status. With an idempotency key, the same key from the same account within an hour
   * returns the status the first request created (idempotency-keys.ts). Throws Invalid (422) for broken rules, NotFound when the replied-to status is not visible, and
   * Conflict when the request holding the same key neither finishes nor gives up within 10 s.
   */
  async create(author: AccountRecord, input: NewStatus, options: { idempotencyKey?: string | null; applicationId?: string | null } = {}): Promise<StatusRecord> {
    const applicationId = options.applicationId ?? null;
    if (!options.idempotencyKey) {
      const record = await this.newRecord(author, newId(), input, applicationId);
      await this.insertWithMedia(record);
      return this.announceNew(record);
    }
    const { record, created } = await this.idempotency.run(author._id, options.idempotencyKey, async (id) => {
      const built = await this.newRecord(author, id, input, applicationId);
      await this.insertWithMedia(built);
      return built;
    });
    return created ? this.announceNew(record) : record;
  }

  /**
   * Stores a status that arrived from another instance, or applies its edit when its uri is known,
   * through the same events as local posts (fan-out, notifications, streaming). A tombstoned uri stays
   * deleted. Forbidden when the author is not a remote account on the status's host or the uri is
   * another author's; Invalid for content that breaks the caps. Returns the record.
   */
  async receiveRemote(input: RemoteStatusInput): Promise<StatusRecord> {
    return this.remote.receive(input);
  }

  /**
   * Deletes the status with this uri when `actorId` is its author (true, also when it was already
   * deleted); false and no change when the actor is someone else or the uri is unknown.
   */
  async receiveDelete(uri: string, actorId: string): Promise<boolean> {
    const record = await this.store.findByUri(uri);
    if (!record || record.accountId !== actorId) return false;
    if (!record.deletedAt) await this.tombstone(record);
    return true;
  }

  /**
   * The status an ActivityPub id names, tombstones included: one of ours by its
   * /users/<username>/statuses/<id> IRI, another instance's by its stored uri; null when unknown.
   */
  async findByUri(uri: string): Promise<StatusRecord | null> {
    const prefix = `${this.origin.publicUrl}/users/`;
    if (!uri.startsWith(prefix)) return this.store.findByUri(uri);
    const match = /^([a-z0-9_]{1,30})\/statuses\/(\d{1,32})$/i.exec(uri.slice(prefix.length));
    if (!match) return null;
    const record = await this.store.get(match[2]!);
    if (!record || record.uri !== null) return null;
    const author = await this.accounts.find(record.accountId);
    return author && author.domain === null && author.usernameLower === match[1]!.toLowerCase() ? record : null;
  }

  /** The status if the viewer may see it; NotFound otherwise (never Forbidden: existence must not leak). */
  async get(id: string, viewer: Viewer): Promise<StatusRecord> {
    const [record] = await this.getVisible([id], viewer);
    if (!record) throw new NotFound();
    return record;
  }

  /** Live statuses by id in the order asked, raw (no visibility check), skipping unknown and deleted ones. */
  async getMany(ids: readonly string[]): Promise<StatusRecord[]> {
    const found = await this.store.getMany(ids);
    return ids.map((id) => found.get(id)).filter((r): r is StatusRecord => r !== undefined && r.deletedAt === null);
  }

  /** Records by id, tombstones included (for consumers of status.deleted that need the old record). */
  async getIncludingDeleted(ids: readonly string[]): Promise<Map<string, StatusRecord>> {
    return this.store.getMany(ids);
  }

  /** The statuses with these ids that the viewer may see, in the order asked. */
  async getVisible(ids: readonly string[], viewer: Viewer): Promise<StatusRecord[]> {
    return this.filterVisible(await this.getMany(ids), viewer);
  }

  /** The records the viewer may see, in order (boosts need their original visible too). */
  async filterVisible(records: readonly StatusRecord[], viewer: Viewer): Promise<StatusRecord[]> {
    if (records.length === 0) return [];
    const originalIds = records.map((r) => r.reblogOfId).filter((id): id is string => id !== null);
    const originals = originalIds.length > 0 ? await this.store.getMany(originalIds) : new Map<string, StatusRecord>();
    const flags = await visibleFlags(records, viewer, originals, this.follows);
    return records.filter((_, i) => flags[i]);
  }

  /** Whether the viewer may see the status. */
  async canView(record: StatusRecord, viewer: Viewer): Promise<boolean> {
    return (await this.filterVisible([record], viewer)).length === 1;
  }

  /**
   * Edits the author's own status; every earlier version stays in status_edits. Mentions added by the
   * edit are added; earlier mentions are kept, so an edit never takes a status away from someone.
   */
  async edit(author: AccountRecord, id: string, change: StatusChange): Promise<StatusRecord> {
    const current = await this.store.get(id);
    if (!current || current.deletedAt || current.accountId !== author._id) throw new NotFound();
    if (current.reblogOfId) throw new Invalid('Validation failed: A boost cannot be edited');
    const currentMedia = current.mediaIds ?? [];
    const mediaIds = change.mediaIds === undefined ? currentMedia : attachmentIds(change.mediaIds, this.media);
    const composed = await composeText(change.text, change.spoilerText ?? '', this.accounts, this.origin, this.remoteAccounts, mediaIds.length > 0);
    const sensitive = (change.sensitive ?? current.sensitive) || composed.spoilerText !== '';
    const language = change.language === undefined ? current.language : (normalizeLanguage(change.language) ?? current.language);
    const sameMedia = mediaIds.join(' ') === currentMedia.join(' ');
    if (composed.text === current.text && composed.spoilerText === current.spoilerText && sensitive === current.sensitive && language === current.language && sameMedia) {
      return current;
    }
    if (!sameMedia) await this.media!.attach(author._id, id, mediaIds);
    const now = new Date();
    const versions = await this.store.listEdits(id);
    // Mastodon stores the original as the first version when a status is first edited.
    if (versions.length === 0) await this.store.insertEdit(statusVersion(current, current.createdAt));
    const mentionIds = [...new Set([...composed.mentionIds, ...current.mentionIds])];
    const updated = await this.store.update(
      id,
      { $set: { text: composed.text, contentHtml: composed.contentHtml, spoilerText: composed.spoilerText, sensitive, language, mentionIds, tags: composed.tags, searchTerms: composed.searchTerms, mediaIds, editedAt: now } },
      { deletedAt: null, accountId: author._id },
    );
    if (!updated) {
      if (!sameMedia) await this.media!.detach(id, mediaIds.filter((m) => !currentMedia.includes(m)));
      throw new NotFound();
    }
    // Attachments the edit dropped go back to the uploader (and are swept a day later if unused).
    if (!sameMedia) await this.media!.detach(id, currentMedia.filter((m) => !mediaIds.includes(m)));
    await this.store.insertEdit(statusVersion(updated, now));
    await this.events.emit('status.updated', { statusId: id });
    return updated;
  }

  /**
   * Deletes the author's own status (or boost), keeping a tombstone. Returns the deleted record, text
   * included, so clients can "delete & redraft". Another account's status answers NotFound, as in Mastodon.
   */
  async delete(author: AccountRecord, id: string): Promise<StatusRecord> {
    const record = await this.store.get(id);
    if (!record || record.deletedAt || record.accountId !== author._id) throw new NotFound();
    const deleted = await this.tombstone(record);
    if (!deleted) throw new NotFound();
    return deleted;
  }

  /**
   * Marks a status deleted and undoes what it counted (profile, parent's replies, original's boosts,
   * the author's pin and boost marker), then emits status.deleted. Null if it was already deleted.
   */
  async tombstone(record: StatusRecord): Promise<StatusRecord | null> {
    const deleted = await this.store.update(record._id, { $set: { deletedAt: new Date() } }, { deletedAt: null });
    if (!deleted) return null;
    const undo: Promise<unknown>[] = [this.relations.removeForStatus('pins', deleted._id)];
    if (countsOnProfile(deleted)) undo.push(this.accounts.count(deleted.accountId, 'statusesCount', -1));
    if (countsAsReply(deleted)) undo.push(this.store.incrementCounter(deleted.inReplyToId!, 'repliesCount', -1));
    if (deleted.reblogOfId) {
      undo.push(this.store.incrementCounter(deleted.reblogOfId, 'reblogsCount', -1));
      undo.push(this.relations.remove('reblogs', deleted.accountId, deleted.reblogOfId));
    }
    await Promise.all(undo);
    await this.events.emit('status.deleted', { statusId: deleted._id });
    return deleted;
  }

  /** Deletes the boosts of a deleted status (the status.deleted handler; safe to run twice). */
  async removeBoostsOf(statusId: string): Promise<void> {
    const original = await this.store.get(statusId);
    if (!original?.deletedAt) return;
    for (const boost of await this.store.findReblogsOf(statusId)) await this.tombstone(boost);
  }

  /**
   * The thread around a status, each side filtered for the viewer: ancestors oldest first (at most
   * 40), descendants in reply-tree order (at most 200, 20 levels deep).
   */
  async context(id: string, viewer: Viewer): Promise<{ ancestors: StatusRecord[]; descendants: StatusRecord[] }> {
    const status = await this.get(id, viewer);
    const ancestors: StatusRecord[] = [];
    let parentId = status.inReplyToId;
    while (parentId && ancestors.length < STATUS_LIMITS.contextAncestors) {
      const parent = await this.store.get(parentId);
      if (!parent) break;
      ancestors.unshift(parent);
      parentId = parent.inReplyToId;
    }
    const children = new Map<string, StatusRecord[]>();
    let level = [status._id];
    let total = 0;
    for (let depth = 0; depth < STATUS_LIMITS.contextDepth && level.length > 0 && total < STATUS_LIMITS.contextDescendants; depth++) {
      const replies = await this.store.findReplies(level, STATUS_LIMITS.contextDescendants - total);
      total += replies.length;
      for (const reply of replies) {
        const siblings = children.get(reply.inReplyToId!) ?? [];
        siblings.push(reply);
        children.set(reply.inReplyToId!, siblings);
      }
      level = replies.map((r) => r._id);
    }
    const descendants: StatusRecord[] = [];
    const walk = (parent: string) => {
      for (const child of children.get(parent) ?? []) {
        descendants.push(child);
        walk(child._id);
      }
    };
    walk(status._id);
    const [visibleAncestors, visibleDescendants] = await Promise.all([this.filterVisible(ancestors, viewer), this.filterVisible(descendants, viewer)]);
    return { ancestors: visibleAncestors, descendants: visibleDescendants };
  }

  /** Every version of a visible status, oldest first (one entry when it was never edited), and their attachments. */
  async history(id: string, viewer: Viewer): Promise<{ status: StatusRecord; author: AccountRecord; versions: StatusEditRecord[]; media: Map<string, MediaAttachmentEntity> }> {
    const status = await this.get(id, viewer);
    const author = await this.accounts.find(status.accountId);
    if (!author) throw new NotFound();
    const stored = await this.store.listEdits(id);
    const versions = stored.length > 0 ? stored : [statusVersion(status, status.createdAt)];
    const mediaIds = [...new Set(versions.flatMap((v) => v.mediaIds ?? []))];
    const media = mediaIds.length > 0 && this.media ? await this.media.entities(mediaIds) : new Map<string, MediaAttachmentEntity>();
    return { status, author, versions, media };
  }

  /** The statuses an account pinned that the viewer may see, most recently pinned first. */
  async listPinned(accountId: string, viewer: Viewer): Promise<StatusRecord[]> {
    const pins = await this.relations.listByAccount('pins', accountId, STATUS_LIMITS.pins * 2);
    return this.getVisible(pins.map((p) => p.statusId), viewer);
  }

  /**
   * One page of an account's statuses (and boosts) that the viewer may see, newest first. Visibility
   * is part of the query, so pages stay full: others see public, unlisted and local statuses, plus
   * private ones when they follow the account; the account itself sees everything.
   */
  async listByAccount(accountId: string, viewer: Viewer, page: Page, filters: Omit<StatusQuery, 'accountIds' | 'visibilities' | 'localOnly'> = {}): Promise<StatusRecord[]> {
    let visibilities: Visibility[] | undefined;
    if (viewer?._id !== accountId) {
      visibilities = viewer === null ? ['public', 'unlisted'] : viewer.domain === null ? ['public', 'unlisted', 'local'] : ['public', 'unlisted'];
      if (viewer && (await this.follows.isFollowing(viewer._id, accountId))) visibilities.push('private');
    }
    const records = await this.store.list({ ...filters, accountIds: [accountId], visibilities }, page);
    return this.filterVisible(records, viewer);
  }

  /**
   * Status search: live statuses (not boosts) holding every word, newest first, among the public,
   * unlisted and local ones plus the viewer's own and those mentioning the viewer; then the usual
   * visibility check.
   */
  async search(viewer: AccountRecord, search: Omit<StatusSearchQuery, 'viewerId'>): Promise<StatusRecord[]> {
    const ids = await this.store.searchIds({ ...search, viewerId: viewer._id });
    return this.getVisible(ids, viewer);
  }

  /** One page of live statuses matching the query, newest first, with no visibility check (feed rebuilds). */
  list(query: StatusQuery, page: Page): Promise<StatusRecord[]> {
    return this.store.list(query, page);
  }

  /** Status entities for the viewer, in order; costs a fixed number of round trips for any page size. */
  serializeMany(records: readonly StatusRecord[], viewer: Viewer, options: { withSource?: boolean } = {}): Promise<StatusEntity[]> {
    return this.serializer.serializeMany(records, viewer, options);
  }

  /** One status entity for the viewer; NotFound when its author is gone or suspended. */
  async serialize(record: StatusRecord, viewer: Viewer, options: { withSource?: boolean } = {}): Promise<StatusEntity> {
    const [entity] = await this.serializer.serializeMany([record], viewer, options);
    if (!entity) throw new NotFound();
    return entity;
  }

  // A new status with the rules applied (text, reply target); nothing is written yet.
  private async newRecord(author: AccountRecord, id: string, input: NewStatus, applicationId: string | null): Promise<StatusRecord> {
    const mediaIds = attachmentIds(input.mediaIds, this.media);
    const composed = await composeText(input.text, input.spoilerText ?? '', this.accounts, this.origin, this.remoteAccounts, mediaIds.length > 0);
    let parent: StatusRecord | null = null;
    if (input.inReplyToId) {
      const [visible] = await this.getVisible([input.inReplyToId], author);
      if (!visible) throw new NotFound('The post you are trying to reply to does not appear to exist.');
      // Replying to a boost replies to what was boosted.
      parent = visible.reblogOfId ? await this.store.get(visible.reblogOfId) : visible;
      if (!parent) throw new NotFound('The post you are trying to reply to does not appear to exist.');
    }
    const now = new Date();
    const record: StatusRecord = {
      _id: id,
      accountId: author._id,
      uri: null,
      text: composed.text,
      contentHtml: composed.contentHtml,
      spoilerText: composed.spoilerText,
      // As in Mastodon, a content warning always marks a status sensitive.
      sensitive: (input.sensitive ?? author.defaultSensitive ?? false) || composed.spoilerText !== '',
      visibility: input.visibility ?? author.defaultVisibility,
      language: normalizeLanguage(input.language) ?? author.defaultLanguage ?? null,
      inReplyToId: parent?._id ?? null,
      inReplyToAccountId: parent?.accountId ?? null,
      reblogOfId: null,
      mentionIds: composed.mentionIds,
      tags: composed.tags,
      ...(mediaIds.length > 0 ? { mediaIds } : {}),
      applicationId,
      createdAt: now,
      editedAt: null,
      deletedAt: null,
      repliesCount: 0,
      reblogsCount: 0,
      favouritesCount: 0,
      searchTerms: composed.searchTerms,
      rev: 0,
    };
    return record;
  }

  // Stores a new status after taking its attachments (Invalid when one is not the author's to attach);
  // a failed insert gives them back.
  private async insertWithMedia(record: StatusRecord): Promise<void> {
    const mediaIds = record.mediaIds ?? [];
    if (mediaIds.length > 0) await this.media!.attach(record.accountId, record._id, mediaIds);
    try {
      await this.store.insert(record);
    } catch (error) {
      if (mediaIds.length > 0) await this.media!.detach(record._id, mediaIds);
      throw error;
    }
  }

  // What follows storing a new status: its counters, then status.created for the side effects.
  private async announceNew(record: StatusRecord): Promise<StatusRecord> {
    await this.counted(record, record.createdAt);
    await this.events.emit('status.created', { statusId: record._id });
    return record;
  }

  /** Counts a new status (or boost) on its author's profile and its parent. */
  async counted(record: StatusRecord, now: Date): Promise<void> {
    const updates: Promise<unknown>[] = [];
    if (countsOnProfile(record)) updates.push(this.accounts.count(record.accountId, 'statusesCount', 1, { lastStatusAt: now }));
    if (countsAsReply(record)) updates.push(this.store.incrementCounter(record.inReplyToId!, 'repliesCount', 1));
    await Promise.all(updates);
  }
}
