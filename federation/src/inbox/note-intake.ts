// Create and Update of a Note share one path: the object is read (embedded objects from another origin
// are re-fetched by Fedify's getObject), mapped, checked against its author and stored by uri.
import type { InboxContext } from '@fedify/fedify';
import { Note, type Create, type Update } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { noteToRemotePost } from '../mappers/note-to-remote-post.ts';
import type { InboxDeps, Sender } from './inbox-support.ts';

/** Stores the Note a Create or Update carries; returns a refusal reason or undefined. */
export async function receiveNoteOf(
  ctx: InboxContext<KithCtx>,
  deps: InboxDeps,
  activity: Create | Update,
  sender: Sender,
  edit: boolean,
): Promise<string | undefined> {
  const object = await activity.getObject(ctx);
  if (!(object instanceof Note)) return 'object is not a Note';
  const mapped = await noteToRemotePost(object, { accountId: sender.accountId, actorUri: sender.actorUri, followersUrl: sender.followersUrl });
  if (!mapped.ok) return mapped.reason;
  const existing = await deps.ports.statuses.idByUri(mapped.note.uri);
  if (existing && existing.authorId !== sender.accountId) return 'note belongs to another account';
  if (edit && !existing) return 'updated note is unknown';
  if (!edit && existing) return undefined;
  await deps.ports.statuses.receiveNote(mapped.note);
  return undefined;
}
