// The one adapter between federation/ and the server: it implements the ports federation declares
// (federation/src/ports.ts) by calling services, never another domain's store, and translates between
// ActivityPub ids (IRIs) and this instance's records. No JSON-LD reaches the server.
import type { FederationPorts, LocalActor, LocalNote, RemoteInbox } from '@kith/federation';
import type { AccountRecord } from './accounts/accounts.store.ts';
import type { Infra, Services } from './services.ts';
import type { StatusRecord } from './statuses/status-record.ts';
import { statusUri } from './statuses/statuses.serialize.ts';
import { Forbidden, NotFound } from './shared/errors.ts';
import { removeRemoteAccount } from './accounts/remote-account-removal.ts';

/** The actor IRI of an account: ours by username, a remote one's stored id. */
export function actorUri(account: AccountRecord, publicUrl: string): string {
  return account.domain === null ? `${publicUrl}/users/${account.username}` : (account.uri ?? `${publicUrl}/users/${account.username}`);
}

function toLocalActor(a: AccountRecord): LocalActor {
  return {
    accountId: a._id,
    username: a.username,
    displayName: a.displayName,
    noteHtml: a.noteHtml,
    title: a.title,
    department: a.department,
    location: a.location,
    fields: a.fields.map((f) => ({ name: f.name, value: f.value })),
    locked: a.locked,
    bot: a.bot,
    group: a.kind === 'department',
    discoverable: a.discoverable,
    suspended: a.suspended,
    avatarUrl: a.avatarUrl,
    headerUrl: a.headerUrl,
    createdAt: a.createdAt,
  };
}

function inboxOf(a: AccountRecord): RemoteInbox | null {
  if (a.domain === null || !a.uri || !a.inboxUrl || a.suspended) return null;
  return { actorUri: a.uri, inboxUrl: a.inboxUrl, sharedInboxUrl: a.sharedInboxUrl ?? null };
}

/** Implements FederationPorts on the services of one instance. */
export function createFederationPorts(services: Services, infra: Pick<Infra, 'config'>): FederationPorts {
  const { accounts, follows, statuses, statusInteractions, remoteTombstones, federationState, peers, events, media, departments, links, network, relay } = services;
  const origin = { publicUrl: infra.config.publicUrl, domain: infra.config.domain };
  const uriOf = (a: AccountRecord) => actorUri(a, origin.publicUrl);
  const remoteActor = async (id: string): Promise<AccountRecord> => {
    const account = await accounts.find(id);
    if (!account || account.domain === null) throw new NotFound();
    return account;
  };

  // Pages of follower or following IRIs: the cursor is the last follow id of the previous page.
  const page = async (pageOf: 'followersPage' | 'followingPage', accountId: string, cursor: string | null, limit: number) => {
    const { accounts: found, pageIds } = await follows[pageOf](accountId, { maxId: cursor, sinceId: null, minId: null, limit });
    return { uris: found.map(uriOf), next: pageIds.length === limit ? pageIds[pageIds.length - 1]! : null };
  };

  const toLocalNote = async (record: StatusRecord): Promise<LocalNote | null> => {
    const author = await accounts.find(record.accountId);
    if (!author || author.domain !== null) return null;
    const related = await statuses.getIncludingDeleted([record.inReplyToId, record.reblogOfId].filter((id): id is string => id !== null));
    const iriOf = async (id: string | null): Promise<string | null> => {
      const target = id ? related.get(id) : undefined;
      if (!target) return null;
      const targetAuthor = await accounts.find(target.accountId);
      return targetAuthor ? statusUri(target, targetAuthor, origin) : null;
    };
    const mentioned = await accounts.getMany(record.mentionIds);
    const attachments = record.mediaIds?.length ? await media.federated(record.mediaIds) : [];
    return {
      statusId: record._id,
      authorUsername: author.username,
      contentHtml: record.contentHtml,
      spoilerText: record.spoilerText,
      sensitive: record.sensitive,
      visibility: record.visibility,
      language: record.language,
      inReplyToUri: await iriOf(record.inReplyToId),
      tags: record.tags,
      mentions: mentioned.map((a) => ({ uri: uriOf(a), acct: `${a.username}@${a.domain ?? origin.domain}` })),
      createdAt: record.createdAt,
      editedAt: record.editedAt,
      deletedAt: record.deletedAt,
      reblogOfUri: await iriOf(record.reblogOfId),
      ...(attachments.length > 0 ? { attachments } : {}),
    };
  };

  return {
    actors: {
      async findLocal(username) {
        const [account] = await accounts.findLocalByUsernames([username]);
        return account && account.usernameLower === username.toLowerCase() ? toLocalActor(account) : null;
      },
      async idByUri(uri) {
        const account = await accounts.findByUri(uri);
        return account ? { accountId: account._id, local: account.domain === null } : null;
      },
      upsertRemote: (actor) => accounts.upsertRemote(actor),
      async knownRemote(uri) {
        const a = await accounts.findByUri(uri);
        if (!a || a.domain === null || !a.uri || !a.inboxUrl) return null;
        return {
          accountId: a._id, uri: a.uri, inboxUrl: a.inboxUrl, sharedInboxUrl: a.sharedInboxUrl ?? null,
          followersUrl: a.followersUrl ?? null, fetchedAt: a.fetchedAt ?? null, suspended: a.suspended, group: a.kind === 'department',
        };
      },
      removeRemote: (accountId) => removeRemoteAccount({ accounts, follows, statuses, statusInteractions }, accountId),
      async remoteFollowerInboxes(accountId) {
        const followers = await accounts.getMany(await follows.followerIds(accountId));
        return followers.map(inboxOf).filter((i): i is RemoteInbox => i !== null);
      },
      async inboxesOf(accountIds) {
        return (await accounts.getMany(accountIds)).map(inboxOf).filter((i): i is RemoteInbox => i !== null);
      },
      async localUsername(accountId) {
        const account = await accounts.find(accountId);
        return account && account.domain === null ? account.username : null;
      },
    },
    keys: {
      keyPairs: (ownerId) => federationState.keyPairs(ownerId),
    },
    follows: {
      // A Follow of the department actor may be a link request (docs/connectors-design.md §2).
      receiveFollow: async (followerId, targetId, activityUri) =>
        (await departments.isOwnDepartment(targetId)) ? links.receiveFollow(followerId, targetId, activityUri) : follows.receiveFollow(followerId, targetId, activityUri),
      async remoteAnswer(followerId, targetId, answer) {
        await follows.remoteAnswer(followerId, targetId, answer);
        // An answer about one of the department actor's follows moves its link.
        await links.remoteAnswer(followerId, targetId, answer);
      },
      followersPage: (accountId, cursor, limit) => page('followersPage', accountId, cursor, limit),
      followingPage: (accountId, cursor, limit) => page('followingPage', accountId, cursor, limit),
      async counts(accountId) {
        const account = await accounts.get(accountId);
        return { followers: account.followersCount, following: account.followingCount };
      },
    },
    statuses: {
      async getLocal(statusId) {
        const record = (await statuses.getIncludingDeleted([statusId])).get(statusId);
        return record && record.uri === null ? toLocalNote(record) : null;
      },
      async receiveNote(note) {
        // A uri its author deleted stays deleted, whichever came first; the check after storing catches a
        // Delete handled while this Create was being stored (that Delete may have found nothing to delete).
        if (await remoteTombstones.has(note.uri, note.authorId)) throw new Forbidden('The status was deleted by its author');
        const stored = await statuses.receiveRemote(note);
        if (await remoteTombstones.has(note.uri, note.authorId)) {
          await statuses.receiveDelete(note.uri, note.authorId);
          throw new Forbidden('The status was deleted by its author');
        }
        return stored._id;
      },
      async receiveDelete(uri, actorId) {
        // Remembered first, so a Create stored meanwhile is caught by receiveNote's second check.
        await remoteTombstones.record(uri, actorId);
        const known = await statuses.findByUri(uri);
        return known ? statuses.receiveDelete(uri, actorId) : true;
      },
      async idByUri(uri) {
        const record = await statuses.findByUri(uri);
        return record ? { statusId: record._id, authorId: record.accountId } : null;
      },
      async uriOf(statusId) {
        const record = (await statuses.getIncludingDeleted([statusId])).get(statusId);
        const author = record ? await accounts.find(record.accountId) : null;
        return record && author ? { uri: statusUri(record, author, origin), authorId: author._id } : null;
      },
    },
    interactions: {
      async receiveLike(actorId, statusId) {
        await statusInteractions.favourite(await remoteActor(actorId), statusId);
      },
      async undoLike(actorId, statusId) {
        await statusInteractions.unfavourite(await remoteActor(actorId), statusId);
      },
      async receiveAnnounce(actorId, statusId, activityUri, published, visibility) {
        // reblog() as StatusInteractionsService.receiveAnnounce does, with the Announce's own visibility.
        await statusInteractions.reblog(await remoteActor(actorId), statusId, visibility, { uri: activityUri, published });
      },
      async undoAnnounce(actorId, activityUri) {
        await statusInteractions.undoAnnounce(await remoteActor(actorId), activityUri);
      },
    },
    inboundLog: {
      claim: (activityId, type) => federationState.claim(activityId, type),
      done: (activityId) => federationState.done(activityId),
    },
    deadLetters: {
      record: (letter) => federationState.recordDeadLetter(letter),
    },
    events: {
      on(event, name, handler) {
        events.on(event, name, handler as never);
      },
    },
    departments: {
      username: () => departments.username,
      isLinked: (actorUri) => links.isLinked(actorUri),
      linkedActors: () => network.linkedActors(),
      networkHosts: () => network.networkHosts(),
    },
    relay: {
      receive: (arrival) => relay.receive(arrival),
      isCompanyNews: (uri) => relay.isCompanyNews(uri),
      noticeFor: (statusId, change) => relay.noticeFor(statusId, change),
    },
    // Aggregates only (issue 6, item 3): federation serves it to network members after checking the signer.
    adoption: { report: (period) => services.analytics.report(period) },
    peers: {
      async list() {
        return (await peers.entries()).map((p) => ({ host: p.host, scheme: p.scheme, state: p.state, cidr: null }));
      },
      onChange: (listener) => peers.onChange(listener),
    },
  };
}
