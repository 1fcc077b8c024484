// Follow of a local account. An unlocked account accepts at once and answers with an Accept; a locked
// one gets a pending request, and the Accept (or Reject) leaves through the outbox when it is answered.
import { createHash } from 'node:crypto';
import type { InboxListener } from '@fedify/fedify';
import { Accept, type Follow } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { localTarget, once, recipientOf, resolveSender, type InboxDeps } from './inbox-support.ts';

/** The id of the Accept answering a Follow: stable, so a retried answer is the same activity. */
export function acceptIdFor(targetActor: URL, followId: string): URL {
  const digest = createHash('sha256').update(followId).digest('base64url').slice(0, 22);
  return new URL(`${targetActor.href}#accepts/${digest}`);
}

export function onFollow(deps: InboxDeps): InboxListener<KithCtx, Follow> {
  return once<Follow>(deps, 'Follow', async (ctx, follow) => {
    const sender = await resolveSender(ctx, deps, follow);
    if (typeof sender === 'string') return sender;
    const target = await localTarget(ctx, deps, follow.objectId);
    if (!target) return 'follow target is not a local account';
    const state = await deps.ports.follows.receiveFollow(sender.accountId, target.accountId, follow.id!.href);
    if (state !== 'accepted') return undefined;
    const targetActor = ctx.getActorUri(target.username);
    await ctx.sendActivity(
      { identifier: target.username },
      recipientOf(sender.actor),
      new Accept({ id: acceptIdFor(targetActor, follow.id!.href), actor: targetActor, object: follow }),
      { preferSharedInbox: true },
    );
    return undefined;
  });
}
