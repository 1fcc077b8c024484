// For the net/ unit tests: a peer list in memory behind the peers port, changed the way the admin API
// changes the real one (the list, then onChange).
import type { PeerEntry } from '../ports.ts';
import { PeerPolicy, type FederationMode } from './peer-policy.ts';

export interface TestPeers {
  policy: PeerPolicy;
  /** Replaces the peer list and tells the policy, as the server's peers port does. */
  set(entries: PeerEntry[]): void;
}

export function testPolicy(mode: FederationMode, entries: PeerEntry[] = [], ownDomain = 'kith.example'): TestPeers {
  let list = entries;
  const listeners: (() => void)[] = [];
  const policy = new PeerPolicy({
    mode,
    ownDomain,
    peers: { list: async () => list, onChange: (cb) => listeners.push(cb) },
  });
  return {
    policy,
    set(next) {
      list = next;
      for (const listener of listeners) listener();
    },
  };
}

/** An allowed peer entry. */
export function allow(host: string, cidr?: string): PeerEntry {
  return { host, scheme: 'http', state: 'allow', cidr: cidr ?? null };
}

/** A blocked entry. */
export function block(host: string): PeerEntry {
  return { host, scheme: 'http', state: 'block', cidr: null };
}
