// Who receives an activity about a local status, by its visibility (docs/federation-design.md §10):
//   local            → nobody (department-only statuses never leave the instance)
//   private          → the author's remote followers and the mentioned remote accounts (as Mastodon)
//   direct           → the mentioned remote accounts only
//   public, unlisted → remote followers, mentioned remote accounts, the replied-to (or boosted) author
// Recipients come only from the actors port, then pass two filters: the inbox (and the shared inbox)
// must be on the actor's own origin, and the peer policy must allow the host.
import type { Recipient } from '@fedify/fedify/vocab';
import type { FederationPorts, LocalNote, RemoteInbox } from './ports.ts';

/** What audience resolution needs. */
export interface AudienceDeps {
  ports: FederationPorts;
  /** The peer policy's verdict on a URL's host. */
  allowsUrl(url: string): Promise<boolean>;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Delivery recipients from stored inboxes: deduplicated by actor, on the actor's origin, allowed hosts only. */
export async function toRecipients(deps: AudienceDeps, inboxes: readonly RemoteInbox[]): Promise<Recipient[]> {
  const byActor = new Map<string, RemoteInbox>();
  for (const inbox of inboxes) if (!byActor.has(inbox.actorUri)) byActor.set(inbox.actorUri, inbox);
  const recipients: Recipient[] = [];
  for (const inbox of byActor.values()) {
    if (!sameOrigin(inbox.inboxUrl, inbox.actorUri) || !(await deps.allowsUrl(inbox.inboxUrl))) continue;
    const shared = inbox.sharedInboxUrl && sameOrigin(inbox.sharedInboxUrl, inbox.actorUri) ? new URL(inbox.sharedInboxUrl) : null;
    recipients.push({ id: new URL(inbox.actorUri), inboxId: new URL(inbox.inboxUrl), endpoints: shared ? { sharedInbox: shared } : null });
  }
  return recipients;
}

/** The remote accounts among the mentioned actors (a mention of an unknown actor reaches nobody). */
async function mentionedAccountIds(ports: FederationPorts, post: LocalNote): Promise<string[]> {
  const found = await Promise.all(post.mentions.map((m) => ports.actors.idByUri(m.uri)));
  return found.filter((f) => f !== null && !f.local).map((f) => f!.accountId);
}

/** The author of the status an IRI names, when it is stored. */
async function authorOfStatus(ports: FederationPorts, uri: string | null): Promise<string[]> {
  if (!uri) return [];
  const status = await ports.statuses.idByUri(uri);
  return status ? [status.authorId] : [];
}

/** The recipients of an activity about `post`, written by the local account `authorId`. */
export async function statusAudience(deps: AudienceDeps, post: LocalNote, authorId: string): Promise<Recipient[]> {
  const { ports } = deps;
  switch (post.visibility) {
    case 'private': {
      const [followers, mentioned] = await Promise.all([ports.actors.remoteFollowerInboxes(authorId), mentionedAccountIds(ports, post)]);
      return toRecipients(deps, [...followers, ...(mentioned.length > 0 ? await ports.actors.inboxesOf(mentioned) : [])]);
    }
    case 'direct':
      return toRecipients(deps, await ports.actors.inboxesOf(await mentionedAccountIds(ports, post)));
    case 'public':
    case 'unlisted': {
      const [followers, mentioned, parent, boosted] = await Promise.all([
        ports.actors.remoteFollowerInboxes(authorId),
        mentionedAccountIds(ports, post),
        authorOfStatus(ports, post.inReplyToUri),
        authorOfStatus(ports, post.reblogOfUri),
      ]);
      const others = [...new Set([...mentioned, ...parent, ...boosted])];
      return toRecipients(deps, [...followers, ...(others.length > 0 ? await ports.actors.inboxesOf(others) : [])]);
    }
    default:
      return [];
  }
}

/** The recipients among the given accounts (remote ones only). */
export async function accountsAudience(deps: AudienceDeps, accountIds: readonly string[]): Promise<Recipient[]> {
  return toRecipients(deps, await deps.ports.actors.inboxesOf(accountIds));
}
