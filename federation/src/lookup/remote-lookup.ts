// Finding colleagues and statuses on other instances for search, lookup and mentions: a handle goes
// through WebFinger, a URL is fetched directly, both by signed GET as the instance actor through the
// guarded loaders (allowed hosts only, id = URL). What is found is mapped and stored through the same
// ports the inbox uses (actors.upsertRemote, statuses.receiveNote), and only ids come back: no JSON-LD
// leaves federation/. Every failure (host not allowed, nothing there, unusable document) is a null.
import { isActor, Note, type Actor, type Object as APObject } from '@fedify/fedify/vocab';
import type { DocumentLoader } from '@fedify/fedify';
import type { KithFederationParts } from '../federation.ts';
import { INSTANCE_ACTOR } from '../context.ts';
import { actorToRemoteActorInput } from '../mappers/person-to-remote-actor.ts';
import { noteToRemotePost } from '../mappers/note-to-remote-post.ts';
import { parseHandle, webFingerActor, type Handle } from './webfinger-client.ts';

/** What a URL turned out to be, once stored. */
export type LookupResult = { kind: 'account'; accountId: string } | { kind: 'status'; statusId: string; authorId: string };

/** Lookups of remote accounts and statuses (`kith.lookup`). */
export interface RemoteLookup {
  /** A remote account by handle (`alice@host`, `@alice@host`) or by actor or profile URL; stored on success. */
  account(handleOrUrl: string): Promise<{ accountId: string } | null>;
  /** A remote status by its id or web URL; its author and it are stored on success. */
  status(url: string): Promise<{ statusId: string; authorId: string } | null>;
  /** Whatever a remote URL names: an account or a status. */
  url(url: string): Promise<LookupResult | null>;
}

// Web URLs the way Kith and Mastodon write them, for pages that do not serve ActivityStreams themselves.
const PROFILE_PATH = /^\/@([a-z0-9_][a-z0-9_.-]{0,63})\/?$/i;
const STATUS_PATH = /^\/@([a-z0-9_][a-z0-9_.-]{0,63})\/(\d{1,32})\/?$/i;

/** Builds the lookups of one instance. */
export function createRemoteLookup(parts: KithFederationParts): RemoteLookup {
  const { federation, ports, policy, config, log } = parts;
  const origin = new URL(config.publicUrl);

  async function loader(): Promise<DocumentLoader> {
    const ctx = federation.createContext(origin, { signer: null });
    return ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  }

  /** A signed GET of a remote object; null when not allowed, missing or unusable. */
  async function fetchObject(url: URL): Promise<APObject | null> {
    if (url.origin === origin.origin || !(await policy.allowsUrl(url))) return null;
    // The loaders run their fetches inside the instance's outbound context themselves (net/document-loaders.ts).
    const ctx = federation.createContext(origin, { signer: null });
    try {
      return await ctx.lookupObject(url, { documentLoader: await loader(), crossOrigin: 'ignore' });
    } catch (err) {
      log.debug({ err, url: url.href }, 'lookup: fetch failed');
      return null;
    }
  }

  async function storeActor(actor: Actor): Promise<{ accountId: string; actorUri: string; followersUrl: string | null } | null> {
    const input = await actorToRemoteActorInput(actor);
    if (!input) return null;
    try {
      return { accountId: await ports.actors.upsertRemote(input), actorUri: input.uri, followersUrl: input.followersUrl };
    } catch (err) {
      log.info({ err, uri: input.uri }, 'lookup: actor refused');
      return null;
    }
  }

  async function storeNote(note: Note): Promise<{ statusId: string; authorId: string } | null> {
    const attribution = note.attributionIds;
    if (!note.id || attribution.length !== 1 || attribution[0]!.origin !== note.id.origin) return null;
    const author = await fetchObject(attribution[0]!);
    if (!isActor(author) || author.id?.href !== attribution[0]!.href) return null;
    const stored = await storeActor(author);
    if (!stored) return null;
    const mapped = await noteToRemotePost(note, stored);
    if (!mapped.ok) return null;
    const existing = await ports.statuses.idByUri(mapped.note.uri);
    if (existing) return existing.authorId === stored.accountId ? { statusId: existing.statusId, authorId: existing.authorId } : null;
    try {
      return { statusId: await ports.statuses.receiveNote(mapped.note), authorId: stored.accountId };
    } catch (err) {
      log.info({ err, uri: mapped.note.uri }, 'lookup: note refused');
      return null;
    }
  }

  async function byHandle(handle: Handle): Promise<{ accountId: string } | null> {
    let actorUrl: URL | null;
    try {
      // Our own fetch, not a loader's: federation.ts runs every lookup inside the instance's outbound context.
      actorUrl = await webFingerActor({ policy, peers: ports.peers }, handle);
    } catch (err) {
      log.debug({ err, host: handle.host }, 'lookup: webfinger failed');
      return null;
    }
    if (!actorUrl) return null;
    const result = await byUrl(actorUrl, false);
    return result?.kind === 'account' ? { accountId: result.accountId } : null;
  }

  async function byUrl(url: URL, followWebPaths: boolean): Promise<LookupResult | null> {
    const object = await fetchObject(url);
    if (isActor(object)) {
      const stored = object.id?.origin === url.origin ? await storeActor(object) : null;
      return stored ? { kind: 'account', accountId: stored.accountId } : null;
    }
    if (object instanceof Note) {
      const stored = await storeNote(object);
      return stored ? { kind: 'status', ...stored } : null;
    }
    if (!followWebPaths || !(await policy.allowsUrl(url))) return null;
    const profile = PROFILE_PATH.exec(url.pathname);
    if (profile) {
      const found = await byHandle({ username: profile[1]!, host: url.host.toLowerCase() });
      return found ? { kind: 'account', accountId: found.accountId } : null;
    }
    const status = STATUS_PATH.exec(url.pathname);
    if (status) return byUrl(new URL(`/users/${status[1]}/statuses/${status[2]}`, url.origin), false);
    return null;
  }

  function parseUrl(text: string): URL | null {
    try {
      const url = new URL(text.trim());
      return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
    } catch {
      return null;
    }
  }

  return {
    async account(handleOrUrl) {
      const handle = parseHandle(handleOrUrl);
      if (handle) return handle.host === config.domain.toLowerCase() ? null : byHandle(handle);
      const url = parseUrl(handleOrUrl);
      const result = url ? await byUrl(url, true) : null;
      return result?.kind === 'account' ? { accountId: result.accountId } : null;
    },
    async status(text) {
      const url = parseUrl(text);
      const result = url ? await byUrl(url, true) : null;
      return result?.kind === 'status' ? { statusId: result.statusId, authorId: result.authorId } : null;
    },
    async url(text) {
      const url = parseUrl(text);
      return url ? byUrl(url, true) : null;
    },
  };
}
