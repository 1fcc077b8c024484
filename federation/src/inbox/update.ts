// Update of the sender's own Note (an edit) or of the sender's own actor document (a profile change).
import type { InboxListener } from '@fedify/fedify';
import { isActor, type Update } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { once, resolveSender, upsertActor, type InboxDeps } from './inbox-support.ts';
import { receiveNoteOf } from './note-intake.ts';
import { isRelayNotice, receiveRelayNotice } from '../relay/relay-inbox.ts';

export function onUpdate(deps: InboxDeps): InboxListener<KithCtx, Update> {
  return once<Update>(deps, 'Update', async (ctx, update) => {
    const sender = await resolveSender(ctx, deps, update);
    if (typeof sender === 'string') return sender;
    if (update.objectId?.href === sender.actorUri) {
      // The embedded actor is on the Update's own origin and signed with it: newer than a cached fetch.
      const actor = await update.getObject(ctx);
      if (!isActor(actor)) return 'updated actor is not an actor';
      const stored = await upsertActor(deps, actor, new URL(sender.actorUri));
      return typeof stored === 'string' ? stored : undefined;
    }
    // A linked department's notice that company news changed (docs/connectors-design.md §5).
    if (await isRelayNotice(deps, update, sender)) return receiveRelayNotice(ctx, deps, update, sender);
    return receiveNoteOf(ctx, deps, update, sender, true);
  });
}
