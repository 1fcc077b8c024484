// Accept and Reject of a follow this instance sent. The answer embeds our Follow, whose id is on our
// origin, so it is read as embedded (never fetched) and trusted only for what the sender may say: that
// it, the sender, answers a follow of itself by one of our local accounts.
import type { InboxContext } from '@fedify/fedify';
import { Follow, type Accept, type Reject } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { localTarget, refuseLoad, resolveSender, type InboxDeps } from './inbox-support.ts';

/** Applies an Accept or Reject; returns a refusal reason or undefined. */
export async function applyAnswer(
  ctx: InboxContext<KithCtx>,
  deps: InboxDeps,
  answer: Accept | Reject,
  kind: 'accept' | 'reject',
): Promise<string | undefined> {
  const sender = await resolveSender(ctx, deps, answer);
  if (typeof sender === 'string') return sender;
  const follow = await answer.getObject({ documentLoader: refuseLoad, contextLoader: ctx.contextLoader, suppressError: true, crossOrigin: 'trust' });
  if (!(follow instanceof Follow)) return 'answer does not embed a Follow';
  if (follow.objectId?.href !== sender.actorUri) return 'answer is not about a follow of its actor';
  const follower = await localTarget(ctx, deps, follow.actorId);
  if (!follower) return 'answered follow is not by a local account';
  await deps.ports.follows.remoteAnswer(follower.accountId, sender.accountId, kind);
  return undefined;
}
