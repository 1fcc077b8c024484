// The Note of a local status at `/users/{username}/statuses/{id}`, and its Create at `…/activity`, for
// authorized fetch (docs/federation-design.md §9). Every GET needs a valid signature from an allowed
// peer (401 unsigned, 403 not allowed, as for actors); what that peer may then read follows the
// status's visibility:
//   public, unlisted → any allowed signer
//   private          → a signer whose instance hosts a follower of the author or a mentioned account
//   direct           → a signer whose instance hosts a mentioned account
//   local            → nobody (404); a deleted status or a boost → 404, as Mastodon answers
// A status the signer may not read answers 404 like an unknown one, so its existence does not leak.
import type { Federation, RequestContext } from '@fedify/fedify';
import { Create, Note } from '@fedify/fedify/vocab';
import type { FederationPorts, LocalNote } from '../ports.ts';
import type { PeerPolicy } from '../net/peer-policy.ts';
import { hostOf } from '../net/peer-policy.ts';
import type { KithCtx } from '../context.ts';
import { noteUris } from '../mappers/note-uris.ts';
import { postToNote, toInstant } from '../mappers/post-to-note.ts';
import { isAllowedSigner } from './actors.ts';

export interface NoteDispatcherDeps {
  ports: FederationPorts;
  policy: PeerPolicy;
}

/** Status ids as the server makes them (decimal snowflakes); anything else is not looked up. */
const STATUS_ID = /^\d{1,32}$/;
const USERNAME = /^[a-z0-9_]{1,30}$/i;

/** A status that can be served as a Note, with its author's account id. */
interface Servable {
  post: LocalNote;
  authorId: string;
}

async function servable(ports: FederationPorts, username: string, statusId: string): Promise<Servable | null> {
  if (!USERNAME.test(username) || !STATUS_ID.test(statusId)) return null;
  const post = await ports.statuses.getLocal(statusId);
  if (!post || post.authorUsername.toLowerCase() !== username.toLowerCase()) return null;
  if (post.visibility === 'local' || post.deletedAt !== null || post.reblogOfUri !== null) return null;
  const author = await ports.actors.findLocal(post.authorUsername);
  if (!author || author.suspended) return null;
  return { post, authorId: author.accountId };
}

/** Whether an instance (by `host[:port]`) may read the status, by its visibility. */
export async function hostMayRead(ports: FederationPorts, host: string, found: Servable): Promise<boolean> {
  const { post, authorId } = found;
  if (post.visibility === 'public' || post.visibility === 'unlisted') return true;
  if (post.mentions.some((m) => hostOf(m.uri) === host)) return true;
  if (post.visibility !== 'private') return false;
  const followers = await ports.actors.remoteFollowerInboxes(authorId);
  return followers.some((f) => hostOf(f.actorUri) === host);
}

/**
 * The status a request names, when the request may read it. Requests that are not from an allowed
 * signer get it too: `.authorize` then refuses them with 401 or 403.
 */
async function readable(ctx: RequestContext<KithCtx>, deps: NoteDispatcherDeps, values: Record<string, string>): Promise<Servable | null> {
  const found = await servable(deps.ports, values.username ?? '', values.id ?? '');
  if (!found) return null;
  if (!(await isAllowedSigner(ctx, deps.policy))) return found;
  return (await hostMayRead(deps.ports, ctx.data.signer!.host, found)) ? found : null;
}

/** Registers the Note and Create object dispatchers. */
export function registerNotes(federation: Federation<KithCtx>, deps: NoteDispatcherDeps): void {
  const authorize = (ctx: RequestContext<KithCtx>) => isAllowedSigner(ctx, deps.policy);

  federation
    .setObjectDispatcher(Note, '/users/{username}/statuses/{id}', async (ctx, values) => {
      const found = await readable(ctx, deps, values);
      return found ? postToNote(found.post, noteUris(ctx)) : null;
    })
    .authorize(authorize);

  federation
    .setObjectDispatcher(Create, '/users/{username}/statuses/{id}/activity', async (ctx, values) => {
      const found = await readable(ctx, deps, values);
      const note = found ? postToNote(found.post, noteUris(ctx)) : null;
      if (!found || !note) return null;
      return new Create({
        id: new URL(`${note.id!.href}/activity`),
        actor: note.attributionId,
        object: note,
        published: toInstant(found.post.createdAt),
        tos: note.toIds,
        ccs: note.ccIds,
      });
    })
    .authorize(authorize);
}
