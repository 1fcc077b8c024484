// Statuses arriving from other instances, stored through the same path as local posts: a new one is
// counted and announced with status.created, an edit keeps earlier versions and emits status.updated.
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { EventBus } from '../events/event-bus.ts';
import { isDuplicateKey } from '../infra/mongo.ts';
import { Conflict, Forbidden } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { checkRemoteAuthor, remoteAttachments, remoteContent, remoteCreatedAt, type RemoteContent, type RemoteStatusInput } from './remote-statuses.ts';
import type { RemoteAttachment, StatusMedia } from './status-media.ts';
import { STATUS_LIMITS } from './status-compose.ts';
import { statusVersion, type StatusRecord } from './status-record.ts';
import type { Viewer } from './status-visibility.ts';
import type { StatusesStore } from './statuses.store.ts';

export interface RemoteStatusIntakeDeps {
  store: StatusesStore;
  accounts: AccountsService;
  events: EventBus;
  /** The statuses service this intake belongs to (lookups by uri, visibility). */
  statuses: {
    findByUri(uri: string): Promise<StatusRecord | null>;
    filterVisible(records: readonly StatusRecord[], viewer: Viewer): Promise<StatusRecord[]>;
  };
  /** Counts a stored status and emits status.created, as for local posts. */
  announceNew(record: StatusRecord): Promise<StatusRecord>;
  /** Stores remote attachments; without it they are dropped. */
  media?: StatusMedia | null;
}

/** Creates or edits remote statuses by uri (StatusesService.receiveRemote). */
export class RemoteStatusIntake {
  private readonly deps: RemoteStatusIntakeDeps;

  constructor(deps: RemoteStatusIntakeDeps) {
    this.deps = deps;
  }

  /** See StatusesService.receiveRemote. */
  async receive(input: RemoteStatusInput): Promise<StatusRecord> {
    const { store, accounts, statuses } = this.deps;
    const author = checkRemoteAuthor(input, await accounts.find(input.authorId));
    const content = remoteContent(input);
    const attachments = this.deps.media ? remoteAttachments(input) : [];
    const mentionIds = await this.mentionIdsOf(input.mentionUris);
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = await store.findByUri(input.uri);
      if (existing) return this.edit(existing, author, content, mentionIds, input.updated, attachments);
      const createdAt = remoteCreatedAt(input.published, new Date());
      // A reply is threaded where its author may see the parent, the same rule as for local replies.
      const parent = input.inReplyToUri ? await statuses.findByUri(input.inReplyToUri) : null;
      const [visibleParent] = parent && !parent.deletedAt ? await statuses.filterVisible([parent], author) : [];
      const id = newId(createdAt);
      const mediaIds = attachments.length > 0 ? await this.deps.media!.storeRemote(author._id, id, attachments) : [];
      const record: StatusRecord = {
        _id: id,
        accountId: author._id,
        uri: input.uri,
        ...content,
        visibility: input.visibility,
        inReplyToId: visibleParent?._id ?? null,
        inReplyToAccountId: visibleParent?.accountId ?? null,
        reblogOfId: null,
        mentionIds,
        ...(mediaIds.length > 0 ? { mediaIds } : {}),
        applicationId: null,
        createdAt,
        editedAt: null,
        deletedAt: null,
        repliesCount: 0,
        reblogsCount: 0,
        favouritesCount: 0,
        rev: 0,
      };
      try {
        await store.insert(record);
      } catch (error) {
        if (mediaIds.length > 0) await this.deps.media!.storeRemote(author._id, id, []);
        // The same Note delivered twice at once: the unique index on uri keeps one; edit that one.
        if (isDuplicateKey(error)) continue;
        throw error;
      }
      return this.deps.announceNew(record);
    }
    throw new Conflict('The status changed while being stored');
  }

  // Known accounts among the actor ids a remote status mentions, in order, at most the local cap.
  private async mentionIdsOf(uris: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const uri of [...new Set(uris)].slice(0, STATUS_LIMITS.mentions)) {
      const account = await this.deps.accounts.findByUri(uri);
      if (account && !account.suspended && !ids.includes(account._id)) ids.push(account._id);
    }
    return ids;
  }

  // A remote Update of a known status: same rules as a local edit (earlier versions kept, mentions only
  // added, visibility and thread unchanged). Another author's uri is refused; a tombstone stays one.
  private async edit(current: StatusRecord, author: AccountRecord, content: RemoteContent, mentionIds: string[], updated: Date | null, attachments: RemoteAttachment[]): Promise<StatusRecord> {
    const { store, events, media } = this.deps;
    if (current.accountId !== author._id) throw new Forbidden('The status belongs to another author');
    if (current.deletedAt || current.reblogOfId) return current;
    const merged = [...new Set([...mentionIds, ...current.mentionIds])];
    // Unchanged attachments keep their ids; changed ones are stored anew.
    const mediaIds = media ? await media.storeRemote(author._id, current._id, attachments) : (current.mediaIds ?? []);
    const same = content.contentHtml === current.contentHtml && content.spoilerText === current.spoilerText && content.sensitive === current.sensitive
      && content.language === current.language && content.tags.join(' ') === current.tags.join(' ') && merged.length === current.mentionIds.length
      && mediaIds.join(' ') === (current.mediaIds ?? []).join(' ');
    if (same) return current;
    const now = new Date();
    const editedAt = updated && updated <= now && updated > current.createdAt ? updated : now;
    if ((await store.listEdits(current._id)).length === 0) await store.insertEdit(statusVersion(current, current.createdAt));
    const next = await store.update(current._id, { $set: { ...content, mentionIds: merged, mediaIds, editedAt } }, { deletedAt: null, accountId: author._id });
    if (!next) return current;
    await store.insertEdit(statusVersion(next, editedAt));
    await events.emit('status.updated', { statusId: next._id });
    return next;
  }
}
