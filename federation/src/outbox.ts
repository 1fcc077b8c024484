// The only outbound path: domain events → activities → ctx.sendActivity. Each handler reads the current
// state through the ports (events carry ids only), picks the recipients (audience.ts) and sends once,
// preferring shared inboxes so that each remote instance gets one request. Activity ids about a status
// are derived from it, so a retried event job sends the same activity and the receiver's inbound log
// drops the copy; follows and likes carry a time, because they can be undone and made again.
import type { Context, Federation } from '@fedify/fedify';
import { Accept, Announce, Create, Delete, Follow, Like, PUBLIC_COLLECTION, Reject, Tombstone, Undo, Update, type Activity, type Recipient } from '@fedify/fedify/vocab';
import type { KithCtx } from './context.ts';
import type { FederationPorts, LocalNote } from './ports.ts';
import { accountsAudience, statusAudience, toRecipients, type AudienceDeps } from './audience.ts';
import { noteAddressing, postToNote, toInstant, type NoteUris } from './mappers/post-to-note.ts';
import { noteUris } from './mappers/note-uris.ts';

/** What the outbox depends on. */
export interface OutboxDeps {
  ports: FederationPorts;
  /** The instance origin, e.g. `http://127.0.0.1:3101`. */
  publicUrl: string;
  /** The peer policy's verdict on a URL's host. */
  allowsUrl(url: string): Promise<boolean>;
}

/** The event handlers' name on the EventBus; stable, since it names their jobs. */
const HANDLER = 'federation-outbox';

/** The id of the Create (or, for a boost, the Announce) of a local status. */
function activityIdOf(uris: NoteUris, post: LocalNote): URL {
  return new URL(`${uris.note(post.authorUsername, post.statusId).href}/activity`);
}

/** A unique suffix for activities that can be repeated (follow, like). */
function stamp(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Registers the outbox's handlers on the server's EventBus. */
export function registerOutbox(federation: Federation<KithCtx>, deps: OutboxDeps): void {
  const { ports } = deps;
  const audienceDeps: AudienceDeps = { ports, allowsUrl: (url) => deps.allowsUrl(url) };
  const origin = new URL(deps.publicUrl);
  const context = () => federation.createContext(origin, { signer: null });

  async function send(ctx: Context<KithCtx>, username: string, recipients: Recipient[], activity: Activity): Promise<void> {
    if (recipients.length === 0) return;
    await ctx.sendActivity({ identifier: username }, recipients, activity, { preferSharedInbox: true, excludeBaseUris: [origin] });
  }

  /** A local status with its author's account id, or null when it does not federate. */
  async function federatedStatus(statusId: string): Promise<{ post: LocalNote; authorId: string } | null> {
    const post = await ports.statuses.getLocal(statusId);
    if (!post || post.visibility === 'local') return null;
    const author = await ports.actors.findLocal(post.authorUsername);
    return author ? { post, authorId: author.accountId } : null;
  }

  /** The Announce of a local boost, addressed like Mastodon's (to Public or followers, cc the boosted author). */
  async function announceOf(ctx: Context<KithCtx>, uris: NoteUris, post: LocalNote): Promise<Announce> {
    const boosted = await ports.statuses.idByUri(post.reblogOfUri!);
    const boostedAuthor = boosted ? (await ports.actors.inboxesOf([boosted.authorId]))[0]?.actorUri : undefined;
    const followers = uris.followers(post.authorUsername);
    const publicly = post.visibility === 'public';
    return new Announce({
      id: activityIdOf(uris, post),
      actor: uris.actor(post.authorUsername),
      object: new URL(post.reblogOfUri!),
      published: toInstant(post.createdAt),
      tos: publicly ? [PUBLIC_COLLECTION] : [followers],
      ccs: [...(publicly ? [followers] : []), ...(boostedAuthor ? [new URL(boostedAuthor)] : [])],
    });
  }

  ports.events.on('status.created', HANDLER, async ({ statusId }) => {
    const found = await federatedStatus(statusId);
    if (!found || found.post.deletedAt) return;
    const { post, authorId } = found;
    const ctx = context();
    const uris = noteUris(ctx);
    const recipients = await statusAudience(audienceDeps, post, authorId);
    if (post.reblogOfUri) {
      await send(ctx, post.authorUsername, recipients, await announceOf(ctx, uris, post));
      return;
    }
    const note = postToNote(post, uris);
    if (!note) return;
    const create = new Create({
      id: activityIdOf(uris, post),
      actor: uris.actor(post.authorUsername),
      object: note,
      published: toInstant(post.createdAt),
      tos: note.toIds,
      ccs: note.ccIds,
    });
    await send(ctx, post.authorUsername, recipients, create);
  });

  ports.events.on('status.updated', HANDLER, async ({ statusId }) => {
    const found = await federatedStatus(statusId);
    if (!found || found.post.deletedAt || found.post.reblogOfUri) return;
    const { post, authorId } = found;
    const ctx = context();
    const uris = noteUris(ctx);
    const note = postToNote(post, uris);
    if (!note) return;
    const editedAt = post.editedAt ?? post.createdAt;
    const update = new Update({
      id: new URL(`${note.id!.href}#updates/${editedAt.getTime()}`),
      actor: uris.actor(post.authorUsername),
      object: note,
      published: toInstant(editedAt),
      tos: note.toIds,
      ccs: note.ccIds,
    });
    await send(ctx, post.authorUsername, await statusAudience(audienceDeps, post, authorId), update);
  });

  ports.events.on('status.deleted', HANDLER, async ({ statusId }) => {
    const found = await federatedStatus(statusId);
    if (!found) return;
    const { post, authorId } = found;
    const ctx = context();
    const uris = noteUris(ctx);
    const actor = uris.actor(post.authorUsername);
    const recipients = await statusAudience(audienceDeps, post, authorId);
    if (post.reblogOfUri) {
      const announce = await announceOf(ctx, uris, post);
      await send(ctx, post.authorUsername, recipients, new Undo({ id: new URL(`${announce.id!.href}#undo`), actor, object: announce, tos: announce.toIds, ccs: announce.ccIds }));
      return;
    }
    const noteId = uris.note(post.authorUsername, post.statusId);
    const addressing = noteAddressing(post, uris);
    if (!addressing) return;
    const del = new Delete({
      id: new URL(`${noteId.href}#delete`),
      actor,
      object: new Tombstone({ id: noteId }),
      tos: addressing.to,
      ccs: addressing.cc,
    });
    await send(ctx, post.authorUsername, recipients, del);
  });

  ports.events.on('follow.created', HANDLER, async ({ followerId, targetId }) => {
    const username = await ports.actors.localUsername(followerId);
    if (!username) return;
    const recipients = await accountsAudience(audienceDeps, [targetId]);
    const target = recipients[0];
    if (!target?.id) return;
    const ctx = context();
    const actor = ctx.getActorUri(username);
    const follow = new Follow({ id: new URL(`${actor.href}#follows/${encodeURIComponent(targetId)}/${stamp()}`), actor, object: target.id });
    await send(ctx, username, [target], follow);
  });

  ports.events.on('follow.accepted', HANDLER, async ({ followerId, targetId }) => {
    // A remote account's request to follow a local, locked account was approved here.
    const username = await ports.actors.localUsername(targetId);
    if (!username) return;
    const recipients = await accountsAudience(audienceDeps, [followerId]);
    const follower = recipients[0];
    if (!follower?.id) return;
    const ctx = context();
    const actor = ctx.getActorUri(username);
    const accept = new Accept({
      id: new URL(`${actor.href}#accepts/${encodeURIComponent(followerId)}/${stamp()}`),
      actor,
      object: new Follow({ actor: follower.id, object: actor }),
    });
    await send(ctx, username, [follower], accept);
  });

  ports.events.on('follow.removed', HANDLER, async ({ followerId, targetId, reason }) => {
    const ctx = context();
    const followerName = await ports.actors.localUsername(followerId);
    if (followerName && reason !== 'rejected') {
      // A local account unfollowed a remote one (a rejection came from the remote side: nothing to say).
      const recipients = await accountsAudience(audienceDeps, [targetId]);
      const target = recipients[0];
      if (!target?.id) return;
      const actor = ctx.getActorUri(followerName);
      const undo = new Undo({
        id: new URL(`${actor.href}#follows/${encodeURIComponent(targetId)}/undo/${stamp()}`),
        actor,
        object: new Follow({ actor, object: target.id }),
      });
      await send(ctx, followerName, [target], undo);
      return;
    }
    const targetName = await ports.actors.localUsername(targetId);
    if (targetName && reason === 'rejected') {
      // A local account rejected (or removed) a remote follower.
      const recipients = await accountsAudience(audienceDeps, [followerId]);
      const follower = recipients[0];
      if (!follower?.id) return;
      const actor = ctx.getActorUri(targetName);
      const reject = new Reject({
        id: new URL(`${actor.href}#rejects/${encodeURIComponent(followerId)}/${stamp()}`),
        actor,
        object: new Follow({ actor: follower.id, object: actor }),
      });
      await send(ctx, targetName, [follower], reject);
    }
  });

  ports.events.on('account.updated', HANDLER, async ({ accountId }) => {
    // A local profile changed: its remote followers get the new actor document (Update of the Person).
    const username = await ports.actors.localUsername(accountId);
    if (!username) return;
    const recipients = await toRecipientsOfFollowers(accountId);
    if (recipients.length === 0) return;
    // getActor renders through the actor dispatcher, which only a request context offers.
    const ctx = federation.createContext(new Request(origin), { signer: null });
    const actor = await ctx.getActor(username);
    if (!actor?.id) return;
    const update = new Update({ id: new URL(`${actor.id.href}#updates/${stamp()}`), actor: actor.id, object: actor, tos: [PUBLIC_COLLECTION] });
    await send(ctx, username, recipients, update);
  });

  async function toRecipientsOfFollowers(accountId: string): Promise<Recipient[]> {
    return toRecipients(audienceDeps, await ports.actors.remoteFollowerInboxes(accountId));
  }

  /** A Like of a remote status by a local account, or null when there is no one to tell. */
  async function likeOf(accountId: string, statusId: string): Promise<{ username: string; like: Like; recipients: Recipient[] } | null> {
    const username = await ports.actors.localUsername(accountId);
    if (!username) return null;
    const status = await ports.statuses.uriOf(statusId);
    if (!status) return null;
    const recipients = await accountsAudience(audienceDeps, [status.authorId]);
    if (recipients.length === 0) return null;
    const actor = federation.createContext(origin, { signer: null }).getActorUri(username);
    const like = new Like({ id: new URL(`${actor.href}#likes/${encodeURIComponent(statusId)}/${stamp()}`), actor, object: new URL(status.uri) });
    return { username, like, recipients };
  }

  ports.events.on('favourite.created', HANDLER, async ({ accountId, statusId }) => {
    const found = await likeOf(accountId, statusId);
    if (found) await send(context(), found.username, found.recipients, found.like);
  });

  ports.events.on('favourite.removed', HANDLER, async ({ accountId, statusId }) => {
    const found = await likeOf(accountId, statusId);
    if (!found) return;
    const undo = new Undo({ id: new URL(`${found.like.id!.href}/undo`), actor: found.like.actorId, object: found.like });
    await send(context(), found.username, found.recipients, undo);
  });
}

