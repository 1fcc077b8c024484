import type { Redis } from 'ioredis';
import type { FederationPorts, PeerEntry } from '../ports.ts';
import { inCidr, literalAddressOf, specialPurpose } from './address-rules.ts';

/** How long a department's link request lets its host through (docs/connectors-design.md §2). */
const HANDSHAKE_SECONDS = 600;
/** How long the network members' list is used before it is asked for again. */
const MEMBERS_FRESH_MS = 30_000;
const MEMBERS_RETRY_MS = 1_000;

/** Who this instance federates with: allowlisted peers only, or anyone not blocked. */
export type FederationMode = 'allowlist' | 'open';

/** How a URL's host is compared with peer entries: lower case, the scheme's default port dropped (URL.host does both). */
export function hostOf(url: string | URL): string | null {
  try {
    return (typeof url === 'string' ? new URL(url) : url).host.toLowerCase().replace(/\.(?=(:\d+)?$)/, '');
  } catch {
    return null;
  }
}

/**
 * The allowlist decision, from the peers port, cached in memory and refreshed whenever the port
 * reports a change. Our own domain is always allowed; a block always wins. `decide` judges a host,
 * `decideAddress` one address it resolved to (the outbound guard asks it at connect time).
 */
export class PeerPolicy {
  private readonly peers: FederationPorts['peers'];
  private readonly mode: FederationMode;
  private readonly ownHost: string;
  private cached: Promise<Map<string, PeerEntry>> | null = null;
  private readonly listeners: (() => void)[] = [];
  /** Hosts let through for a link handshake, until when (ms); shared with the instance's other processes in Redis. */
  private readonly handshakeUntil = new Map<string, number>();
  private readonly handshakes: { redis: Redis; prefix: string } | null;
  /** The company network's hosts beyond our links (docs/connectors-design.md §3), kept MEMBERS_FRESH_MS. */
  private readonly networkMembers: (() => Promise<string[]>) | null;
  private members: { at: number; hosts: Set<string> } | null = null;
  private membersStarted = 0;
  private membersWalking = false;

  constructor(options: {
    peers: FederationPorts['peers']; mode: FederationMode; ownDomain: string; handshakes?: { redis: Redis; prefix: string };
    networkMembers?: () => Promise<string[]>;
  }) {
    this.peers = options.peers;
    this.networkMembers = options.networkMembers ?? null;
    this.handshakes = options.handshakes ?? null;
    this.mode = options.mode;
    this.ownHost = options.ownDomain.toLowerCase();
    this.peers.onChange(() => {
      this.cached = null;
      // A link made or ended: the network is walked again at the next question.
      this.membersStarted = 0;
      for (const listener of this.listeners) listener();
    });
  }

  private entries(): Promise<Map<string, PeerEntry>> {
    if (!this.cached) {
      const loading = this.peers.list().then((list) => new Map(list.map((entry) => [entry.host.toLowerCase(), entry])));
      loading.catch(() => {
        if (this.cached === loading) this.cached = null;
      });
      this.cached = loading;
    }
    return this.cached;
  }

  /** The mode this policy enforces. */
  get federationMode(): FederationMode {
    return this.mode;
  }

  /** Calls `listener` after the peer list changed (the outbound guard retires its pooled connections). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * `allow` or `deny` for a normalized `host[:port]`. In open mode a host written as a special-purpose
   * address (127.0.0.1:6379, [::1]) is refused here already unless it is a peer; names that resolve to
   * one are refused by `decideAddress` when the guard connects.
   */
  async decide(host: string | null, options: { handshake?: boolean; members?: boolean } = {}): Promise<'allow' | 'deny'> {
    if (!host) return 'deny';
    const normalized = host.toLowerCase();
    if (normalized === this.ownHost) return 'allow';
    const entry = (await this.entries()).get(normalized);
    if (entry?.state === 'block') return 'deny';
    if (entry?.state === 'allow') return 'allow';
    // A link handshake lets a host through for fetches and our answer, never for its inbound POSTs
    // (the inbound guard asks with handshake: false).
    // So does a network member (a department reached over links, §3): relayed news is fetched from its
    // origin and the origin lets the fetcher read it.
    if (this.mode === 'allowlist') {
      if (options.handshake === false) return 'deny';
      return (await this.inHandshake(normalized)) || (options.members !== false && this.isNetworkMember(normalized)) ? 'allow' : 'deny';
    }
    const literal = literalAddressOf(normalized);
    return literal !== null && specialPurpose(literal) !== null ? 'deny' : 'allow';
  }

  /**
   * Whether this instance may connect to `address` for `host` (docs/federation-design.md §8, issue 3
   * item 9). Allowlist mode: our own host and allowed peers at any address, nothing else. Open mode:
   * public addresses for any host not blocked; a special-purpose address only for our own host or an
   * allowed peer, and within the peer's `cidr` when it has one.
   */
  async decideAddress(host: string | null, address: string): Promise<'allow' | 'deny'> {
    if ((await this.decide(host)) === 'deny') return 'deny';
    const normalized = host!.toLowerCase();
    if (normalized === this.ownHost) return 'allow';
    const special = specialPurpose(address);
    const entry = (await this.entries()).get(normalized);
    if (entry?.state === 'allow') {
      if (this.mode === 'allowlist' || special === null) return 'allow';
      return !entry.cidr || inCidr(address, entry.cidr) ? 'allow' : 'deny';
    }
    if (special === null) return 'allow';
    if (this.mode === 'open') return 'deny';
    // Allowlist mode, a host that is no peer: a department in a link handshake or a network member. Anyone
    // can start a handshake, so it reaches only where company instances live: private networks, and
    // loopback when this instance is itself on loopback (a network on one machine) — never link-local
    // (cloud metadata) or the other special ranges.
    if (special === 'private' || special === 'unique-local') return 'allow';
    return special === 'loopback' && this.onLoopback() ? 'allow' : 'deny';
  }

  /** Whether this instance's own host is a loopback address (tests, `npm run network`). */
  private onLoopback(): boolean {
    const literal = literalAddressOf(this.ownHost);
    return literal !== null && specialPurpose(literal) === 'loopback';
  }

  /**
   * Lets a host that is not a peer (and not blocked) through for HANDSHAKE_SECONDS: a department's
   * link request from it passed the inbound guard's narrow exception, and the signature check, the
   * actor fetch and our answer (Accept or Reject) must reach it before any peer entry exists.
   */
  async allowForLinkRequest(host: string): Promise<void> {
    const normalized = host.toLowerCase();
    this.handshakeUntil.set(normalized, Date.now() + HANDSHAKE_SECONDS * 1000);
    if (this.handshakeUntil.size > 10_000) this.handshakeUntil.clear();
    await this.handshakes?.redis.set(`${this.handshakes.prefix}link-handshake:${normalized}`, '1', 'EX', HANDSHAKE_SECONDS);
  }

  private async inHandshake(host: string): Promise<boolean> {
    const until = this.handshakeUntil.get(host);
    if (until !== undefined && until > Date.now()) return true;
    if (!this.handshakes) return false;
    return (await this.handshakes.redis.exists(`${this.handshakes.prefix}link-handshake:${host}`)) === 1;
  }

  /**
   * Whether the host is a network member by the last completed walk. Never waits for a walk: the walk
   * asks other instances, which ask us back, and a decision that waited could wait in a circle. A walk
   * starts in the background when the list is old, and on a miss (at most every MEMBERS_RETRY_MS), so a
   * link made meanwhile counts a moment later (the relay's fetch tries again, relay/origin-note.ts).
   */
  private isNetworkMember(host: string): boolean {
    if (!this.networkMembers) return false;
    const known = this.members?.hosts.has(host) ?? false;
    const age = Date.now() - this.membersStarted;
    if ((!this.members || age > MEMBERS_FRESH_MS || !known) && age > MEMBERS_RETRY_MS && !this.membersWalking) this.walkMembers();
    return known;
  }

  private walkMembers(): void {
    this.membersStarted = Date.now();
    this.membersWalking = true;
    this.networkMembers!()
      .then((list) => {
        this.members = { at: Date.now(), hosts: new Set(list.map((h) => h.toLowerCase())) };
      }, () => {})
      .finally(() => {
        this.membersWalking = false;
      });
  }

  /** Whether the host is blocked outright (a block always wins). */
  async isBlocked(host: string | null): Promise<boolean> {
    return host === null || (await this.entries()).get(host.toLowerCase())?.state === 'block';
  }

  /**
   * Whether activities may be delivered to the URL's host: as `allowsUrl`, but a network member is
   * only readable, not a recipient (its inbox takes POSTs from its peers alone; sending would fail for 72 h).
   */
  async allowsDelivery(url: string | URL): Promise<boolean> {
    return (await this.decide(hostOf(url), { members: false })) === 'allow';
  }

  /** Whether the URL's host is allowed. */
  async allowsUrl(url: string | URL): Promise<boolean> {
    return (await this.decide(hostOf(url))) === 'allow';
  }
}
