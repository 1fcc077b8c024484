import type { FederationPorts, PeerEntry } from '../ports.ts';

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
 * reports a change. Our own domain is always allowed; a block always wins.
 */
export class PeerPolicy {
  private readonly peers: FederationPorts['peers'];
  private readonly mode: FederationMode;
  private readonly ownHost: string;
  private cached: Promise<Map<string, PeerEntry>> | null = null;

  constructor(options: { peers: FederationPorts['peers']; mode: FederationMode; ownDomain: string }) {
    this.peers = options.peers;
    this.mode = options.mode;
    this.ownHost = options.ownDomain.toLowerCase();
    this.peers.onChange(() => {
      this.cached = null;
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

  /** `allow` or `deny` for a normalized `host[:port]`. */
  async decide(host: string | null): Promise<'allow' | 'deny'> {
    if (!host) return 'deny';
    const normalized = host.toLowerCase();
    if (normalized === this.ownHost) return 'allow';
    const entry = (await this.entries()).get(normalized);
    if (entry?.state === 'block') return 'deny';
    if (entry?.state === 'allow' || this.mode === 'open') return 'allow';
    return 'deny';
  }

  /** Whether the URL's host is allowed. */
  async allowsUrl(url: string | URL): Promise<boolean> {
    return (await this.decide(hostOf(url))) === 'allow';
  }
}
