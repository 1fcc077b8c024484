import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { FederationMode } from '../config.ts';
import { Forbidden, Invalid, NotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { normalizePeerHost, type PeerScheme } from './peer-host.ts';
import { PEER_STATES, type PeerRecord, type PeerState, type PeersStore } from './peers.store.ts';

export interface NewPeer {
  host: string;
  state?: PeerState;
  scheme?: PeerScheme;
  note?: string;
}

const NOTE_MAX = 500;
// A missed pub/sub message (a subscriber reconnecting) must not leave a process stale for long.
const CACHE_MS = 30_000;

function requireAdmin(actor: AccountRecord | null): void {
  // null is the operator at the CLI, who has the server's own credentials.
  if (actor !== null && actor.role !== 'admin') throw new Forbidden();
}

export interface PeersDeps {
  store: PeersStore;
  mode: FederationMode;
  /** Unprefixed connection: publishes changes; its duplicate subscribes. */
  redisConnection: Redis;
  /** The Redis prefix of this instance; names the pub/sub channel. */
  redisPrefix: string;
  log: FastifyBaseLogger;
}

/**
 * This instance's federation allowlist and blocklist. The list is held in memory in every process and
 * dropped when any process changes it (Redis pub/sub), so every process agrees within a round trip.
 */
export class PeersService {
  private readonly store: PeersStore;
  private readonly mode: FederationMode;
  private readonly redis: Redis;
  private readonly channel: string;
  private readonly log: FastifyBaseLogger;
  private readonly listeners: (() => void)[] = [];
  private cached: { at: number; byHost: Promise<Map<string, PeerRecord>> } | null = null;
  private subscriber: Redis | null = null;
  private subscription: Promise<void> | null = null;
  private closed = false;

  constructor(deps: PeersDeps) {
    this.store = deps.store;
    this.mode = deps.mode;
    this.redis = deps.redisConnection;
    this.channel = `${deps.redisPrefix}federation:peers`;
    this.log = deps.log;
  }

  /** Adds a peer, or changes the state, scheme or note of an existing one. Invalid for a bad host. */
  async add(actor: AccountRecord | null, input: NewPeer): Promise<PeerRecord> {
    requireAdmin(actor);
    const scheme = input.scheme ?? 'https';
    if (scheme !== 'http' && scheme !== 'https') throw new Invalid('Validation failed: Scheme must be http or https');
    const state = input.state ?? 'allow';
    if (!PEER_STATES.includes(state)) throw new Invalid(`Validation failed: State must be one of ${PEER_STATES.join(', ')}`);
    const note = (input.note ?? '').trim();
    if (note.length > NOTE_MAX) throw new Invalid(`Validation failed: Note is too long (maximum is ${NOTE_MAX} characters)`);
    const host = normalizePeerHost(input.host, scheme);
    const stored = await this.store.put({ _id: newId(), host, scheme, state, note, createdAt: new Date(), createdBy: actor?._id ?? null, source: 'admin' });
    await this.changed();
    return stored;
  }

  /**
   * Allows a host because a department link needs it (docs/connectors-design.md §2): an existing allow
   * is kept as it is (the admin's stays the admin's); Forbidden when the host is blocked.
   */
  async addForLink(host: string, scheme: PeerScheme): Promise<PeerRecord> {
    const normalized = normalizePeerHost(host, scheme);
    const existing = await this.store.find(normalized);
    if (existing?.state === 'block') throw new Forbidden('This instance blocks that host');
    if (existing) return existing;
    const stored = await this.store.put({ _id: newId(), host: normalized, scheme, state: 'allow', note: 'department link', createdAt: new Date(), createdBy: null, source: 'link' });
    await this.changed();
    return stored;
  }

  /** Whether the host is blocked here (a block always wins, links included). */
  async isBlocked(host: string): Promise<boolean> {
    try {
      return (await this.store.find(normalizePeerHost(host)))?.state === 'block';
    } catch {
      return true;
    }
  }

  /** Removes a host's entry; NotFound when it has none. */
  async remove(actor: AccountRecord | null, host: string): Promise<void> {
    requireAdmin(actor);
    if (!(await this.store.remove(normalizePeerHost(host)))) throw new NotFound();
    await this.changed();
  }

  /** Every entry, by host (administration). */
  async list(actor: AccountRecord | null): Promise<PeerRecord[]> {
    requireAdmin(actor);
    return this.store.list();
  }

  /** Every entry, from the in-memory copy (federation reads this on its hot paths). */
  async entries(): Promise<PeerRecord[]> {
    return [...(await this.byHost()).values()];
  }

  /** The entry of a normalized host, or null. */
  async entry(host: string): Promise<PeerRecord | null> {
    return (await this.byHost()).get(host) ?? null;
  }

  /**
   * Whether this instance federates with `host` (host[:port] as in a URL's host): in allowlist mode
   * only allowed peers, in open mode anyone not blocked. A block always wins; a malformed host never passes.
   */
  async isAllowed(host: string): Promise<boolean> {
    let normalized: string;
    try {
      normalized = normalizePeerHost(host);
    } catch {
      return false;
    }
    const entry = (await this.byHost()).get(normalized);
    if (entry?.state === 'block') return false;
    return this.mode === 'open' || entry?.state === 'allow';
  }

  /** Calls `listener` whenever the list changes, in this process or another (over Redis pub/sub). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
    this.subscribe();
  }

  /** Resolves once this process listens for changes made elsewhere. */
  listening(): Promise<void> {
    this.subscribe();
    return this.subscription ?? Promise.resolve();
  }

  /** Stops listening for changes. */
  async close(): Promise<void> {
    this.closed = true;
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private byHost(): Promise<Map<string, PeerRecord>> {
    this.subscribe();
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      const byHost = this.store.list().then((rows) => new Map(rows.map((r) => [r.host, r])));
      // A failed load is not kept: the next call tries again.
      byHost.catch(() => {
        if (this.cached?.byHost === byHost) this.cached = null;
      });
      this.cached = { at: Date.now(), byHost };
    }
    return this.cached.byHost;
  }

  private async changed(): Promise<void> {
    this.dropCache();
    await this.redis.publish(this.channel, 'changed');
  }

  private dropCache(): void {
    this.cached = null;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.log.error({ err: error }, 'peer list listener failed');
      }
    }
  }

  private subscribe(): void {
    if (this.subscriber || this.closed) return;
    const subscriber = (this.subscriber = this.redis.duplicate());
    subscriber.on('message', (channel: string) => {
      if (channel === this.channel) this.dropCache();
    });
    // After a reconnect, messages may have been missed: start from MongoDB again.
    subscriber.on('ready', () => this.dropCache());
    this.subscription = subscriber.subscribe(this.channel).then(
      () => undefined,
      (error: unknown) => this.log.error({ err: error }, 'peer list subscription failed'),
    );
  }
}
