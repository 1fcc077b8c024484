// Like of a status this instance knows.
import type { InboxListener } from '@fedify/fedify';
import type { Like } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { once, resolveSender, type InboxDeps } from './inbox-support.ts';

export function onLike(deps: InboxDeps): InboxListener<KithCtx, Like> {
  return once<Like>(deps, 'Like', async (ctx, like) => {
    const sender = await resolveSender(ctx, deps, like);
    if (typeof sender === 'string') return sender;
    const status = like.objectId ? await deps.ports.statuses.idByUri(like.objectId.href) : null;
    if (!status) return 'liked status is unknown';
    await deps.ports.interactions.receiveLike(sender.accountId, status.statusId, like.id!.href);
    return undefined;
  });
}
