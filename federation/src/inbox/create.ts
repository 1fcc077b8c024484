// Create of a Note by its author.
import type { InboxListener } from '@fedify/fedify';
import type { Create } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { once, resolveSender, type InboxDeps } from './inbox-support.ts';
import { receiveNoteOf } from './note-intake.ts';

export function onCreate(deps: InboxDeps): InboxListener<KithCtx, Create> {
  return once<Create>(deps, 'Create', async (ctx, create) => {
    const sender = await resolveSender(ctx, deps, create);
    if (typeof sender === 'string') return sender;
    return receiveNoteOf(ctx, deps, create, sender, false);
  });
}
