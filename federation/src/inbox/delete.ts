// Delete of the sender's own Note, or of the sender itself (an actor deleting its account).
// A Note's Delete: the object is never fetched (it is gone); its id must be on the sender's origin, and
// the statuses port deletes it only when the sender is its author (or remembers the uri as deleted,
// when the Delete overtook its Create).
// An actor's Delete: object = actor, and the inbound guard has checked that the signing key belongs to
// that actor, so only the actor itself can delete itself. Its document is gone (410) and is not fetched:
// the actor must be stored here already, and its account is removed (suspended, statuses deleted,
// follows ended both ways).
import type { InboxContext, InboxListener } from '@fedify/fedify';
import type { Delete } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { once, remoteActorOf, resolveSender, type InboxDeps } from './inbox-support.ts';
import { isRelayNotice, receiveRelayNotice } from '../relay/relay-inbox.ts';

async function deleteActor(ctx: InboxContext<KithCtx>, deps: InboxDeps, del: Delete): Promise<string | undefined> {
  const actorId = remoteActorOf(ctx, del);
  if (typeof actorId === 'string') return actorId;
  const known = await deps.ports.actors.knownRemote(actorId.href);
  if (!known) return 'deleted actor is not known here';
  // Run again for an already removed actor: a retry after a failure part-way finishes the removal.
  await deps.ports.actors.removeRemote(known.accountId);
  return undefined;
}

export function onDelete(deps: InboxDeps): InboxListener<KithCtx, Delete> {
  return once<Delete>(deps, 'Delete', async (ctx, del) => {
    const objectId = del.objectId;
    if (!objectId) return 'delete without object';
    if (objectId.href === del.actorId?.href) return deleteActor(ctx, deps, del);
    const sender = await resolveSender(ctx, deps, del);
    if (typeof sender === 'string') return sender;
    // A linked department's notice that company news was deleted: checked at its origin (§5).
    if (await isRelayNotice(deps, del, sender)) return receiveRelayNotice(ctx, deps, del, sender);
    if (objectId.origin !== new URL(sender.actorUri).origin) return 'deleted object is not on the actor origin';
    const deleted = await deps.ports.statuses.receiveDelete(objectId.href, sender.accountId);
    return deleted ? undefined : 'deleted object is unknown or not the actor’s own';
  });
}
