// Reject of a follow a local account sent (or removal of an accepted one).
import type { InboxListener } from '@fedify/fedify';
import type { Reject } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { applyAnswer } from './answer.ts';
import { once, type InboxDeps } from './inbox-support.ts';

export function onReject(deps: InboxDeps): InboxListener<KithCtx, Reject> {
  return once<Reject>(deps, 'Reject', (ctx, reject) => applyAnswer(ctx, deps, reject, 'reject'));
}
