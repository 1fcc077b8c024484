// Undo of the sender's own Follow, Like or Announce. The undone activity must be the sender's: its actor
// is the Undo's actor (an Undo of someone else's activity changes nothing).
import type { InboxListener } from '@fedify/fedify';
import { Announce, Follow, Like, type Undo } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { localTarget, once, refuseLoad, resolveSender, type InboxDeps } from './inbox-support.ts';

export function onUndo(deps: InboxDeps): InboxListener<KithCtx, Undo> {
  return once<Undo>(deps, 'Undo', async (ctx, undo) => {
    const sender = await resolveSender(ctx, deps, undo);
    if (typeof sender === 'string') return sender;
    // The undone activity is the sender's own, so it is read as embedded; activities are rarely dereferenceable.
    const undone = await undo.getObject({ documentLoader: refuseLoad, contextLoader: ctx.contextLoader, suppressError: true });
    const objectId = undone?.id ?? undo.objectId;
    if (objectId && objectId.origin !== new URL(sender.actorUri).origin) return 'undone activity is not on the actor origin';
    if (undone === null) {
      if (!objectId) return 'undo without object';
      // Mastodon sometimes undoes an Announce by id only.
      await deps.ports.interactions.undoAnnounce(sender.accountId, objectId.href);
      return undefined;
    }
    if (!(undone instanceof Follow || undone instanceof Like || undone instanceof Announce)) return 'undone activity type not handled';
    if (undone.actorId?.href !== sender.actorUri) return 'undone activity is not the actor’s own';
    if (undone instanceof Announce) {
      if (!objectId) return 'undone announce has no id';
      await deps.ports.interactions.undoAnnounce(sender.accountId, objectId.href);
      return undefined;
    }
    if (undone instanceof Follow) {
      const target = await localTarget(ctx, deps, undone.objectId);
      if (!target) return 'undone follow is not of a local account';
      await deps.ports.follows.remoteAnswer(sender.accountId, target.accountId, 'undo');
      return undefined;
    }
    const status = undone.objectId ? await deps.ports.statuses.idByUri(undone.objectId.href) : null;
    if (!status) return 'unliked status is unknown';
    await deps.ports.interactions.undoLike(sender.accountId, status.statusId);
    return undefined;
  });
}
