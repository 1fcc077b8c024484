// The inbox: the personal and shared inbox paths, one listener per activity type. Each listener claims
// the activity in the inbound log first and marks it done last (docs/federation-design.md §6);
// `withIdempotency('global')` makes the shared-inbox and personal-inbox copies one for Fedify as well.
import type { Federation, InboxListenerSetters } from '@fedify/fedify';
import { Accept, Announce, Create, Delete, Follow, Like, Reject, Undo, Update } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { onAccept } from './accept.ts';
import { onAnnounce } from './announce.ts';
import { onCreate } from './create.ts';
import { onDelete } from './delete.ts';
import { onFollow } from './follow.ts';
import type { InboxDeps } from './inbox-support.ts';
import { onLike } from './like.ts';
import { onReject } from './reject.ts';
import { onUndo } from './undo.ts';
import { onUpdate } from './update.ts';

export type { InboxDeps, InboxLog } from './inbox-support.ts';

/**
 * Registers the inbox listeners on `/users/{identifier}/inbox` and the shared `/inbox`. Returns the
 * setters: federation.ts adds the shared inbox's key dispatcher.
 */
export function registerInbox(federation: Federation<KithCtx>, deps: InboxDeps): InboxListenerSetters<KithCtx> {
  return federation
    .setInboxListeners('/users/{identifier}/inbox', '/inbox')
    .withIdempotency('global')
    .on(Follow, onFollow(deps))
    .on(Accept, onAccept(deps))
    .on(Reject, onReject(deps))
    .on(Undo, onUndo(deps))
    .on(Create, onCreate(deps))
    .on(Update, onUpdate(deps))
    .on(Delete, onDelete(deps))
    .on(Like, onLike(deps))
    .on(Announce, onAnnounce(deps))
    .onError((_ctx, error) => {
      deps.log.warn({ err: error }, 'inbox listener failed');
    });
}

