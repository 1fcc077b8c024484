// Arrivals from other departments (docs/connectors-design.md §5). Every Announce by a department actor
// is a relay and is handled only here (never stored as an ordinary boost, so nobody sees news twice):
// refused unless the sender is an active link; the status is taken from its origin; the server records
// it once, boosts it locally and relays it onward by the link's policy. An Update or Delete by a linked
// department naming another origin's status is a notice that company news changed: the status is
// fetched again from its origin (gone → deleted here, else its edit applied), and the server's own
// status.updated / status.deleted handlers pass the change on.
import type { InboxContext } from '@fedify/fedify';
import type { Announce, Delete, Update } from '@fedify/fedify/vocab';
import type { KithCtx } from '../context.ts';
import { sanitizeRemoteHtml } from '../mappers/sanitize-in.ts';
import type { InboxDeps, Sender } from '../inbox/inbox-support.ts';
import { fetchFromOriginPatiently, NOT_FETCHED } from './origin-note.ts';

/** The longest path a relay may claim to have taken (a company has fewer departments in a row). */
const MAX_ORIGINS = 32;
const NOTE_MAX = 5000;

/** Whether the sender is another instance's department actor. */
export async function isDepartmentSender(deps: InboxDeps, sender: Sender): Promise<boolean> {
  return (await deps.ports.actors.knownRemote(sender.actorUri))?.group === true;
}

/** A relay Announce from a department actor. */
export async function receiveRelay(ctx: InboxContext<KithCtx>, deps: InboxDeps, announce: Announce, sender: Sender): Promise<string | undefined> {
  if (!(await deps.ports.departments.isLinked(sender.actorUri))) return 'announce from a department that is not linked';
  const objectId = announce.objectId;
  if (!objectId) return 'relay without object';
  const origins = announce.originIds.map((u) => u.href);
  if (origins.length > MAX_ORIGINS) return 'relay path too long';
  const known = await deps.ports.statuses.idByUri(objectId.href);
  const status = known ?? (await fetchFromOriginPatiently(ctx, deps, objectId));
  // An origin out of reach may be back later: retried. Anything else is refused.
  if (typeof status === 'string' && status.startsWith(NOT_FETCHED)) throw new Error(status);
  if (typeof status === 'string') return status;
  if ('gone' in status) return 'relayed status is gone';
  const content = announce.content?.toString() ?? '';
  await deps.ports.relay.receive({
    activityUri: announce.id!.href,
    senderUri: sender.actorUri,
    statusId: status.statusId,
    statusUri: objectId.href,
    origins,
    noteHtml: content === '' ? '' : sanitizeRemoteHtml(content.slice(0, NOTE_MAX)),
  });
  return undefined;
}

/**
 * Whether an Update/Delete is a department's notice about company news: a department actor writes no
 * statuses of its own, so any Update/Delete it sends about something other than itself is one.
 */
export async function isRelayNotice(deps: InboxDeps, activity: Update | Delete, sender: Sender): Promise<boolean> {
  const objectId = activity.objectId;
  return objectId !== null && objectId.href !== sender.actorUri && (await isDepartmentSender(deps, sender));
}

/** A notice: fetch the status again from its origin and apply what it says now. */
export async function receiveRelayNotice(ctx: InboxContext<KithCtx>, deps: InboxDeps, activity: Update | Delete, sender: Sender): Promise<string | undefined> {
  if (!(await deps.ports.departments.isLinked(sender.actorUri))) return 'notice from a department that is not linked';
  const uri = activity.objectId!;
  // Our own statuses change here first; nobody tells us about them.
  if (uri.origin === new URL(ctx.origin).origin) return 'notice about a status of this instance';
  if (!(await deps.ports.relay.isCompanyNews(uri.href))) return 'notice about a status that is not company news here';
  const known = await deps.ports.statuses.idByUri(uri.href);
  const status = await fetchFromOriginPatiently(ctx, deps, uri);
  // An origin out of reach may be back later: retried. Anything else is refused.
  if (typeof status === 'string' && status.startsWith(NOT_FETCHED)) throw new Error(status);
  if (typeof status === 'string') return status;
  if ('gone' in status) {
    if (known) await deps.ports.statuses.receiveDelete(uri.href, known.authorId);
    return undefined;
  }
  return undefined;
}
