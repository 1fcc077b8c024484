// The IRIs postToNote needs, from Fedify's router: shared by the outbox and the Note object dispatcher,
// so a status has one IRI everywhere (server/src/statuses/statuses.serialize.ts statusUri builds the same).
import type { Context } from '@fedify/fedify';
import type { NoteUris } from './post-to-note.ts';

/** Local actor, followers, status and hashtag IRIs for `ctx`'s instance. */
export function noteUris<T>(ctx: Context<T>): NoteUris {
  return {
    actor: (username) => ctx.getActorUri(username),
    followers: (username) => ctx.getFollowersUri(username),
    note: (username, statusId) => new URL(`${ctx.getActorUri(username).href}/statuses/${encodeURIComponent(statusId)}`),
    hashtag: (name) => new URL(`/tags/${encodeURIComponent(name)}`, ctx.origin),
  };
}
