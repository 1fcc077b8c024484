import type { Federation, RequestContext } from '@fedify/fedify';
import { Endpoints, Group, Image, Person, PropertyValue, Service, Tombstone } from '@fedify/fedify/vocab';
import type { FederationPorts, LocalActor } from '../ports.ts';
import type { KeyRing } from '../keys.ts';
import type { PeerPolicy } from '../net/peer-policy.ts';
import { INSTANCE_ACTOR, type KithCtx } from '../context.ts';

/** Local usernames, as the server accepts them. */
const USERNAME = /^[a-z0-9_]{1,30}$/i;
/** Items per page of the followers and following collections. */
const PAGE_SIZE = 40;
const FIRST = 'first';

export interface ActorDeps {
  ports: FederationPorts;
  keys: KeyRing;
  policy: PeerPolicy;
  /** Shown as the instance actor's preferredUsername. */
  domain: string;
}

/** Whether the request carries a valid signature from a host this instance federates with. */
export async function isAllowedSigner(ctx: RequestContext<KithCtx>, policy: PeerPolicy): Promise<boolean> {
  const signer = ctx.data.signer;
  return signer !== null && signer.verified && (await policy.decide(signer.host)) === 'allow';
}

/**
 * The department actor is served, like the instance actor, to any host that is not blocked: a department
 * not yet a peer must find it and check its signature to ask for a link (docs/connectors-design.md §2).
 */
async function isDepartmentForHost(ctx: RequestContext<KithCtx>, identifier: string, deps: ActorDeps): Promise<boolean> {
  if (identifier !== deps.ports.departments.username()) return false;
  const signer = ctx.data.signer;
  return signer === null || !(await deps.policy.isBlocked(signer.host));
}

async function findActor(ports: FederationPorts, identifier: string): Promise<LocalActor | null> {
  return USERNAME.test(identifier) ? ports.actors.findLocal(identifier) : null;
}

function attachments(actor: LocalActor): PropertyValue[] {
  const values = [
    { name: 'Title', value: actor.title },
    { name: 'Department', value: actor.department },
    { name: 'Location', value: actor.location },
    ...actor.fields,
  ];
  return values.filter((field) => field.value.trim() !== '').map((field) => new PropertyValue({ name: field.name, value: escapeHtml(field.value) }));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * Registers the actor dispatcher (`/users/{identifier}`, Person or Service for bots, Tombstone when
 * suspended), the instance actor at `/actor` (served unsigned, with only its key), key pairs, and the
 * followers/following collections. Everything but the instance actor needs a signed request from an
 * allowed peer: the adapter turns a refusal into 401 (unsigned) or 403 (signed, not allowed).
 */
export function registerActors(federation: Federation<KithCtx>, deps: ActorDeps): void {
  const { ports, keys, policy } = deps;

  federation
    .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) {
        const pairs = await ctx.getActorKeyPairs(identifier);
        return new Service({
          id: ctx.getActorUri(identifier),
          preferredUsername: deps.domain,
          inbox: ctx.getInboxUri(),
          publicKey: pairs[0]?.cryptographicKey ?? null,
        });
      }
      const actor = await findActor(ports, identifier);
      if (!actor) return null;
      const id = ctx.getActorUri(identifier);
      if (actor.suspended) return new Tombstone({ id });
      const pairs = await ctx.getActorKeyPairs(identifier);
      const values = {
        id,
        preferredUsername: actor.username,
        name: actor.displayName || actor.username,
        summary: actor.noteHtml || null,
        url: new URL(`/@${actor.username}`, ctx.origin),
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        followers: ctx.getFollowersUri(identifier),
        following: ctx.getFollowingUri(identifier),
        publicKey: pairs[0]?.cryptographicKey ?? null,
        assertionMethods: pairs.map((pair) => pair.multikey),
        attachments: attachments(actor),
        manuallyApprovesFollowers: actor.locked,
        discoverable: actor.discoverable,
        icon: actor.avatarUrl ? new Image({ url: new URL(actor.avatarUrl) }) : null,
        image: actor.headerUrl ? new Image({ url: new URL(actor.headerUrl) }) : null,
      };
      // The department actor is a Group (FEP-1b12), whatever its bot flag says.
      if (actor.group) return new Group(values);
      return actor.bot ? new Service(values) : new Person(values);
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) return keys.cryptoKeyPairs(INSTANCE_ACTOR);
      const actor = await findActor(ports, identifier);
      return actor ? keys.cryptoKeyPairs(actor.accountId) : [];
    })
    .mapActorAlias('/actor', INSTANCE_ACTOR)
    .authorize(async (ctx, identifier) => identifier === INSTANCE_ACTOR || (await isDepartmentForHost(ctx, identifier, deps)) || isAllowedSigner(ctx, policy));

  const page = (which: 'followersPage' | 'followingPage') => async (ctx: RequestContext<KithCtx>, identifier: string, cursor: string | null) => {
    const actor = await findActor(ports, identifier);
    if (!actor || actor.suspended || cursor === null) return null;
    const result = await ports.follows[which](actor.accountId, cursor === FIRST ? null : cursor, PAGE_SIZE);
    return { items: result.uris.map((uri) => new URL(uri)), nextCursor: result.next };
  };
  const count = (which: 'followers' | 'following') => async (_ctx: RequestContext<KithCtx>, identifier: string) => {
    const actor = await findActor(ports, identifier);
    return actor ? (await ports.follows.counts(actor.accountId))[which] : null;
  };

  const followersPage = page('followersPage');
  federation
    .setFollowersDispatcher('/users/{identifier}/followers', async (ctx, identifier, cursor) => {
      const result = await followersPage(ctx as RequestContext<KithCtx>, identifier, cursor);
      if (!result) return null;
      // Recipients without inboxes: the collection lists ids; delivery targets come from the actors port.
      return { items: result.items.map((id) => ({ id, inboxId: null })), nextCursor: result.nextCursor };
    })
    .setCounter(count('followers'))
    .setFirstCursor(() => FIRST)
    .authorize((ctx) => isAllowedSigner(ctx, policy));

  federation
    .setFollowingDispatcher('/users/{identifier}/following', page('followingPage'))
    .setCounter(count('following'))
    .setFirstCursor(() => FIRST)
    .authorize((ctx) => isAllowedSigner(ctx, policy));
}
