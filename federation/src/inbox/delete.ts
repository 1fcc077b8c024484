// Delete of the sender's own Note. The object is never fetched (it is gone); its id must be on the
// sender's origin, and the statuses port deletes it only when the sender is its author.
import type { InboxListener } from '@fedify/fedify';
import type { Delete } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { once, resolveSender, type InboxDeps } from './inbox-support.ts';

export function onDelete(deps: InboxDeps): InboxListener<KithCtx, Delete> {
  return once<Delete>(deps, 'Delete', async (ctx, del) => {
    const objectId = del.objectId;
    if (!objectId) return 'delete without object';
    if (objectId.href === del.actorId?.href) return 'actor deletion not handled';
    const sender = await resolveSender(ctx, deps, del);
    if (typeof sender === 'string') return sender;
    if (objectId.origin !== new URL(sender.actorUri).origin) return 'deleted object is not on the actor origin';
    const deleted = await deps.ports.statuses.receiveDelete(objectId.href, sender.accountId);
    return deleted ? undefined : 'deleted object is unknown or not the actor’s own';
  });
}
