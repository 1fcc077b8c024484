// The company network map (docs/connectors-design.md §3): this department, its links, and beyond them
// the links of the linked departments, learned by asking each linked department actor for its links
// collection (`/users/{slug}/links`, a signed GET), breadth first up to MAX_DEPTH hops, each answer
// cached in Redis for CACHE_SECONDS. Only hosts this instance federates with are asked; the edges of
// a department further out are still learned from the side of it that is asked.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { PeersService } from '../peers/peers.service.ts';
import type { FederationStateService } from '../federation-state/federation-state.service.ts';
import type { DepartmentsService } from '../departments/departments.service.ts';
import type { LinksService } from './links.service.ts';

const MAX_DEPTH = 10;
const CACHE_SECONDS = 300;
/** How long the network members' walk (§3, for relays) keeps a department's links. */
const MEMBERS_CACHE_SECONDS = 20;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Federation's signed fetch of a department actor's links collection: the linked actors' ids. */
export type LinkedActorsFetch = (actorUri: string) => Promise<string[]>;

export interface NetworkInstance {
  host: string;
  department: string;
  actor: string;
  /** Connectors' handles; known for this instance only. */
  connectors: string[];
  self: boolean;
}

export interface NetworkLink {
  a: string;
  b: string;
  state: string;
  since: string | null;
  held_by: string[];
}

export interface NetworkHealth {
  host: string;
  peer: boolean;
  dead_letters_24h: number;
}

export interface NetworkMap {
  instances: NetworkInstance[];
  links: NetworkLink[];
  health: NetworkHealth[];
}

export interface NetworkDeps {
  accounts: AccountsService;
  links: LinksService;
  departments: DepartmentsService;
  peers: PeersService;
  federationState: FederationStateService;
  /** Key-prefixed connection. */
  redis: Redis;
  publicUrl: string;
  log: FastifyBaseLogger;
}

export class NetworkService {
  private readonly deps: NetworkDeps;
  private fetchLinked: LinkedActorsFetch | null = null;
  private allowMember: ((host: string) => Promise<void>) | null = null;

  constructor(deps: NetworkDeps) {
    this.deps = deps;
  }

  /** Connects federation's signed fetch of links collections (kith.ts); `allowMember` lets a network member's host through for a while. */
  attach(fetch: LinkedActorsFetch, allowMember?: (host: string) => Promise<void>): void {
    this.fetchLinked = fetch;
    this.allowMember = allowMember ?? null;
  }

  /** The actor ids of our active links: what `/users/{slug}/links` serves. */
  async linkedActors(): Promise<string[]> {
    return (await this.deps.links.activeLinks()).map((l) => l.actorUri);
  }

  /**
   * The hosts of the departments reachable over links (breadth first, as the map): network members,
   * which federation lets fetch relayed news from its origin and lets us fetch from (§3, §5).
   */
  async networkHosts(): Promise<string[]> {
    const ownHost = new URL(this.deps.publicUrl).host;
    const own = await this.deps.departments.departmentAccount();
    const asked = new Set<string>([`${this.deps.publicUrl}/users/${own.username}`]);
    const hosts = new Set<string>();
    let frontier = await this.linkedActors();
    for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const actor of frontier) {
        if (asked.has(actor)) continue;
        asked.add(actor);
        hosts.add(new URL(actor).host);
        next.push(...(await this.linkedOf(actor, MEMBERS_CACHE_SECONDS)));
      }
      frontier = next;
    }
    hosts.delete(ownHost);
    return [...hosts];
  }

  /** The network as this instance knows it (every signed-in employee). */
  async map(): Promise<NetworkMap> {
    const own = await this.deps.departments.departmentAccount();
    const ownUri = `${this.deps.publicUrl}/users/${own.username}`;
    const nameOf = new Map<string, string>([[ownUri, own.displayName || own.username]]);
    const edges = new Map<string, NetworkLink>();
    const edgeKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);

    const handles = await this.handlesOf();
    for (const link of await this.deps.links.list(own, 'all')) {
      if (link.state === 'declined' || link.state === 'unlinked') continue;
      nameOf.set(link.remoteActorUri, link.remoteName);
      edges.set(edgeKey(ownUri, link.remoteActorUri), {
        a: ownUri, b: link.remoteActorUri, state: link.state, since: link.since?.toISOString() ?? null,
        held_by: [link.requestedBy, link.acceptedBy].filter((h): h is string => h !== null).map((h) => handles.get(h) ?? h.replace(/^remote:/, '')),
      });
    }

    // Breadth first from our active links; each department asked once.
    const asked = new Set<string>([ownUri]);
    let frontier = await this.linkedActors();
    for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const actor of frontier) {
        if (asked.has(actor)) continue;
        asked.add(actor);
        for (const other of await this.linkedOf(actor)) {
          if (!edges.has(edgeKey(actor, other))) edges.set(edgeKey(actor, other), { a: actor, b: other, state: 'active', since: null, held_by: [] });
          if (!asked.has(other)) next.push(other);
        }
      }
      frontier = next;
    }

    const actors = new Set<string>([ownUri]);
    for (const edge of edges.values()) actors.add(edge.a).add(edge.b);
    const instances: NetworkInstance[] = [];
    for (const actor of actors) {
      const known = actor === ownUri ? own : await this.deps.accounts.findByUri(actor);
      instances.push({
        host: new URL(actor).host,
        department: nameOf.get(actor) ?? known?.displayName ?? new URL(actor).pathname.split('/').pop() ?? actor,
        actor,
        connectors: actor === ownUri ? [...new Set(handles.values())] : [],
        self: actor === ownUri,
      });
    }
    return { instances, links: [...edges.values()], health: await this.health(instances.filter((i) => !i.self).map((i) => i.host)) };
  }

  /** Local connectors by id → `@username`. */
  private async handlesOf(): Promise<Map<string, string>> {
    const connectors: AccountRecord[] = await this.deps.departments.connectors();
    return new Map(connectors.map((a) => [a._id, `@${a.username}`]));
  }

  /**
   * A department's linked actors: cached, else fetched (peers only; `beyondPeers` = the members' walk,
   * cached that many seconds: also a department named by one we asked, let through for the fetch
   * first); [] when it cannot be asked.
   */
  private async linkedOf(actor: string, beyondPeers: number | null = null): Promise<string[]> {
    // The members' walk keeps answers briefly: a link made elsewhere must not wait out the map's cache.
    const key = `network:${beyondPeers === null ? 'links' : 'member-links'}:${createHash('sha256').update(actor).digest('hex').slice(0, 32)}`;
    const cached = await this.deps.redis.get(key);
    if (cached !== null) return JSON.parse(cached) as string[];
    const host = new URL(actor).host;
    if (!this.fetchLinked) return [];
    if (!(await this.deps.peers.isAllowed(host))) {
      if (beyondPeers === null || !this.allowMember || (await this.deps.peers.isBlocked(host))) return [];
      // Marked before it is asked, so its own question about us (it checks who asks) never waits on this walk.
      await this.allowMember(host);
    }
    let found: string[];
    try {
      found = await this.fetchLinked(actor);
    } catch (err) {
      this.deps.log.debug({ err, actor }, 'network: links collection not fetched');
      return [];
    }
    await this.deps.redis.set(key, JSON.stringify(found), 'EX', beyondPeers ?? CACHE_SECONDS);
    return found;
  }

  /** Per host: whether it is a peer and how many deliveries to it were given up in 24 h. */
  private async health(hosts: string[]): Promise<NetworkHealth[]> {
    const letters = await this.deps.federationState.listDeadLetters(null, 1000);
    const since = Date.now() - DAY_MS;
    return Promise.all([...new Set(hosts)].map(async (host) => ({
      host,
      peer: await this.deps.peers.isAllowed(host),
      dead_letters_24h: letters.filter((l) => l.host === host && l.createdAt.getTime() >= since).length,
    })));
  }
}
