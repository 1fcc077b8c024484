// Accept of a follow a local account sent.
import type { InboxListener } from '@fedify/fedify';
import type { Accept } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { applyAnswer } from './answer.ts';
import { once, type InboxDeps } from './inbox-support.ts';

export function onAccept(deps: InboxDeps): InboxListener<KithCtx, Accept> {
  return once<Accept>(deps, 'Accept', (ctx, accept) => applyAnswer(ctx, deps, accept, 'accept'));
}
