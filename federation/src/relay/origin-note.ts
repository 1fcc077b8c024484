// A relayed status fetched from its origin (docs/connectors-design.md §5): the object of a relay is
// always the original's id, and what it says comes from its origin only — never from the department
// that relayed it. The origin may be beyond our links: a network member (§3), allowed for this fetch.
import type { InboxContext } from '@fedify/fedify';
import { Note } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { noteToRemotePost } from '../mappers/note-to-remote-post.ts';
import { upsertActor, type InboxDeps } from '../inbox/inbox-support.ts';

/** The status stored here; `gone` when its origin answers 404 or 410; or a refusal reason. */
export type OriginNote = { statusId: string; authorId: string; version: string } | { gone: true } | string;

/** The start of the reason given when the origin could not be reached (worth retrying). */
export const NOT_FETCHED = 'relayed status not fetched';

function isGone(error: unknown): boolean {
  return /HTTP (404|410)\b/.test(error instanceof Error ? error.message : String(error));
}

/** Fetches the Note `uri` from its origin, stores its author and it (new or edited), public or unlisted only. */
export async function fetchFromOrigin(ctx: InboxContext<KithCtx>, deps: InboxDeps, uri: URL): Promise<OriginNote> {
  const loaders = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
  let document: unknown;
  try {
    document = (await ctx.documentLoader(uri.href)).document;
  } catch (error) {
    if (isGone(error)) return { gone: true };
    return `${NOT_FETCHED}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const note = await Note.fromJsonLd(document, loaders).catch(() => null);
  if (!(note instanceof Note) || note.id?.href !== uri.href) return 'relayed object is not the Note it names';
  const authorId = note.attributionId;
  if (!authorId || authorId.origin !== uri.origin) return 'relayed note has no author on its origin';
  const author = await upsertActor(deps, await note.getAttribution({ ...loaders, suppressError: true }), authorId);
  if (typeof author === 'string') return author;
  const mapped = await noteToRemotePost(note, { accountId: author.accountId, actorUri: author.actorUri, followersUrl: author.followersUrl });
  if (!mapped.ok) return mapped.reason;
  if (mapped.note.visibility !== 'public' && mapped.note.visibility !== 'unlisted') return 'relayed note is not public';
  const statusId = await deps.ports.statuses.receiveNote(mapped.note);
  return { statusId, authorId: author.accountId, version: (mapped.note.updated ?? mapped.note.published).toISOString() };
}

/** How often, and after how long, a fetch the origin refused or missed is tried again in the same job. */
const ATTEMPTS = 3;
const PAUSE_MS = 1200;

/**
 * fetchFromOrigin, tried again after a pause when the origin could not be read: a network member is
 * recognized once a walk of the network has finished (net/peer-policy.ts), which our first attempt
 * and the origin's refusal of it start on both sides. Past the attempts the caller's job is retried.
 */
export async function fetchFromOriginPatiently(ctx: InboxContext<KithCtx>, deps: InboxDeps, uri: URL): Promise<OriginNote> {
  for (let attempt = 1; ; attempt++) {
    const result = await fetchFromOrigin(ctx, deps, uri);
    if (typeof result !== 'string' || !result.startsWith(NOT_FETCHED) || attempt >= ATTEMPTS) return result;
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS * attempt));
  }
}
