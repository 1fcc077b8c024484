import type { FederationPorts, PeerEntry } from '../ports.ts';
import { inCidr, literalAddressOf, specialPurpose } from './address-rules.ts';

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

  constructor(options: { peers: FederationPorts['peers']; mode: FederationMode; ownDomain: string }) {
    this.peers = options.peers;
    this.mode = options.mode;
    this.ownHost = options.ownDomain.toLowerCase();
    this.peers.onChange(() => {
      this.cached = null;
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
  async decide(host: string | null): Promise<'allow' | 'deny'> {
    if (!host) return 'deny';
    const normalized = host.toLowerCase();
    if (normalized === this.ownHost) return 'allow';
    const entry = (await this.entries()).get(normalized);
    if (entry?.state === 'block') return 'deny';
    if (entry?.state === 'allow') return 'allow';
    if (this.mode === 'allowlist') return 'deny';
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
    if (normalized === this.ownHost || this.mode === 'allowlist') return 'allow';
    if (specialPurpose(address) === null) return 'allow';
    const entry = (await this.entries()).get(normalized);
    if (entry?.state !== 'allow') return 'deny';
    return !entry.cidr || inCidr(address, entry.cidr) ? 'allow' : 'deny';
  }

  /** Whether the URL's host is allowed. */
  async allowsUrl(url: string | URL): Promise<boolean> {
    return (await this.decide(hostOf(url))) === 'allow';
  }
}
