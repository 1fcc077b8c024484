// Announce (boost) of a status. A status this instance does not know yet is fetched, its author is
// fetched and stored, and the Note goes through the same checks as a Create; only public and unlisted
// statuses can be boosted. The boost's own visibility comes from the Announce's addressing, by the
// rules for Notes: a boost to the booster's followers only is private here, and one addressed to
// nobody in particular (direct) is refused, as Mastodon refuses direct boosts.
import type { InboxContext, InboxListener } from '@fedify/fedify';
import { Note, type Announce } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { noteToRemotePost, visibilityFromAudience } from '../mappers/note-to-remote-post.ts';
import { once, resolveSender, upsertActor, type InboxDeps } from './inbox-support.ts';
import { isDepartmentSender, receiveRelay } from '../relay/relay-inbox.ts';

async function fetchBoosted(ctx: InboxContext<KithCtx>, deps: InboxDeps, announce: Announce): Promise<string | { statusId: string }> {
  // A boosted status that cannot be fetched is dropped, not retried for days.
  const note = await announce.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, suppressError: true });
  if (!(note instanceof Note) || !note.id) return 'boosted object is not a Note';
  const authorId = note.attributionId;
  if (!authorId || authorId.origin !== note.id.origin) return 'boosted note has no author on its origin';
  const author = await upsertActor(deps, await note.getAttribution({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, suppressError: true }), authorId);
  if (typeof author === 'string') return author;
  const mapped = await noteToRemotePost(note, { accountId: author.accountId, actorUri: author.actorUri, followersUrl: author.followersUrl });
  if (!mapped.ok) return mapped.reason;
  if (mapped.note.visibility !== 'public' && mapped.note.visibility !== 'unlisted') return 'boosted note is not public';
  return { statusId: await deps.ports.statuses.receiveNote(mapped.note) };
}

export function onAnnounce(deps: InboxDeps): InboxListener<KithCtx, Announce> {
  return once<Announce>(deps, 'Announce', async (ctx, announce) => {
    const sender = await resolveSender(ctx, deps, announce);
    if (typeof sender === 'string') return sender;
    // A department's Announce is a relay (docs/connectors-design.md §5), handled only by the relay code.
    if (await isDepartmentSender(deps, sender)) return receiveRelay(ctx, deps, announce, sender);
    const objectId = announce.objectId;
    if (!objectId) return 'announce without object';
    const visibility = visibilityFromAudience(announce.toIds, announce.ccIds, sender.followersUrl);
    if (visibility === 'direct' || visibility === 'local') return 'boost is not addressed to the public or the booster’s followers';
    const known = await deps.ports.statuses.idByUri(objectId.href);
    const status = known ?? (await fetchBoosted(ctx, deps, announce));
    if (typeof status === 'string') return status;
    const published = announce.published ? new Date(announce.published.epochMilliseconds) : new Date();
    await deps.ports.interactions.receiveAnnounce(sender.accountId, status.statusId, announce.id!.href, published, visibility);
    return undefined;
  });
}
