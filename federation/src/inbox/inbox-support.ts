// What every inbox listener shares: the claim/done idempotency wrapper around the inbound log, the
// verified sender (fetched, mapped and upserted), and local actors named by IRI. A listener that refuses
// an activity returns a reason, or a port refuses it (an error with a 4xx statusCode): the activity is
// marked done (the sender got its 202 long ago) and nothing is stored. Any other thrown error leaves
// it claimed, so Fedify's retry processes it again.
import type { InboxContext, InboxListener } from '@fedify/fedify';
import { isActor, type Activity, type Actor } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import type { FederationPorts, RemoteActorInput } from '../ports.ts';
import { actorToRemoteActorInput } from '../mappers/person-to-remote-actor.ts';

/** The logging the inbox needs (pino's shape). */
export interface InboxLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** What the inbox listeners depend on. */
export interface InboxDeps {
  ports: FederationPorts;
  log: InboxLog;
}

/** The remote actor that sent an activity, stored as an account. */
export interface Sender {
  accountId: string;
  actorUri: string;
  followersUrl: string | null;
  /** The actor's inboxes (for answering it). */
  actor: Pick<RemoteActorInput, 'uri' | 'inboxUrl' | 'sharedInboxUrl'>;
}

/** How long a stored actor is used as it is before its document is fetched again (an Update refreshes it sooner). */
export const ACTOR_FRESH_MS = 24 * 60 * 60 * 1000;

/** A local account named by an actor IRI on this instance. */
export interface LocalTarget {
  accountId: string;
  username: string;
  locked: boolean;
}

/** A listener body: resolves to a refusal reason, or undefined when the activity was applied. */
export type Handler<A extends Activity> = (ctx: InboxContext<KithCtx>, activity: A) => Promise<string | undefined>;

/**
 * Wraps a handler in the inbound log: claim first (a `done` activity is skipped, a `retry` goes on), mark
 * done last. Refusals are logged and marked done as well.
 */
export function once<A extends Activity>(deps: InboxDeps, type: string, handle: Handler<A>): InboxListener<KithCtx, A> {
  return async (ctx, activity) => {
    const id = activity.id?.href;
    if (!id) {
      deps.log.info({ type }, 'inbox: activity without id ignored');
      return;
    }
    if ((await deps.ports.inboundLog.claim(id, type)) === 'done') return;
    let refused: string | undefined;
    try {
      refused = await handle(ctx, activity);
    } catch (error) {
      // A port's refusal (its errors carry a 4xx statusCode: not found, not allowed, invalid) will be the
      // same on every retry: mark the activity done instead of retrying it for 72 hours.
      if (!isRefusal(error)) throw error;
      refused = error instanceof Error ? error.message : 'refused';
    }
    if (refused !== undefined) deps.log.info({ id, type, actor: activity.actorId?.href, reason: refused }, 'inbox: activity refused');
    await deps.ports.inboundLog.done(id);
  };
}

function isRefusal(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** A loader that refuses everything: for reading only what an activity embeds. */
export const refuseLoad = async (url: string): Promise<never> => {
  throw new Error(`not fetched: ${url}`);
};

/** The activity's one actor, when it may act here: its id on the actor's origin, and not one of ours. */
export function remoteActorOf(ctx: InboxContext<KithCtx>, activity: Activity): URL | string {
  const actorId = activity.actorId;
  if (!actorId || activity.actorIds.length !== 1) return 'activity needs exactly one actor';
  if (activity.id?.origin !== actorId.origin) return 'activity id is not on the actor origin';
  if (actorId.origin === new URL(ctx.origin).origin) return 'activity claims a local actor';
  return actorId;
}

/**
 * The verified sender of an activity (the inbound guard has checked that the signing key is the
 * actor's). An actor stored within ACTOR_FRESH_MS is used as stored; otherwise its document is fetched
 * (through the instance's guarded loaders), mapped and upserted. A suspended or deleted actor is
 * refused. Returns a refusal reason instead when any of that fails.
 */
export async function resolveSender(ctx: InboxContext<KithCtx>, deps: InboxDeps, activity: Activity): Promise<Sender | string> {
  const actorId = remoteActorOf(ctx, activity);
  if (typeof actorId === 'string') return actorId;
  const known = await deps.ports.actors.knownRemote(actorId.href);
  if (known?.suspended) return 'actor is suspended or deleted';
  if (known && known.fetchedAt && Date.now() - known.fetchedAt.getTime() < ACTOR_FRESH_MS) {
    return { accountId: known.accountId, actorUri: known.uri, followersUrl: known.followersUrl, actor: known };
  }
  const actor = await activity.getActor(ctx);
  return upsertActor(deps, actor, actorId);
}

/** Maps and stores a fetched actor document, which must be the one expected. */
export async function upsertActor(deps: InboxDeps, actor: unknown, expected: URL): Promise<Sender | string> {
  if (!isActor(actor) || actor.id?.href !== expected.href) return 'actor document not found';
  const input = await actorToRemoteActorInput(actor as Actor);
  if (!input) return 'actor document unusable';
  const accountId = await deps.ports.actors.upsertRemote(input);
  return { accountId, actorUri: input.uri, followersUrl: input.followersUrl, actor: input };
}

/** The local account an IRI names, or null (not ours, not an actor, unknown or suspended). */
export async function localTarget(ctx: InboxContext<KithCtx>, deps: InboxDeps, uri: URL | null): Promise<LocalTarget | null> {
  if (!uri || uri.origin !== new URL(ctx.origin).origin) return null;
  const parsed = ctx.parseUri(uri);
  if (parsed?.type !== 'actor') return null;
  const actor = await deps.ports.actors.findLocal(parsed.identifier);
  if (!actor || actor.suspended) return null;
  return { accountId: actor.accountId, username: actor.username, locked: actor.locked };
}

/** A delivery recipient for a stored remote actor. */
export function recipientOf(actor: Pick<RemoteActorInput, 'uri' | 'inboxUrl' | 'sharedInboxUrl'>) {
  return {
    id: new URL(actor.uri),
    inboxId: new URL(actor.inboxUrl),
    endpoints: actor.sharedInboxUrl ? { sharedInbox: new URL(actor.sharedInboxUrl) } : null,
  };
}
