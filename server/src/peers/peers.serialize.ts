import type { PeerRecord } from './peers.store.ts';

/** A federation peer as the Kith admin API shows it. */
export interface PeerEntity {
  host: string;
  scheme: 'http' | 'https';
  state: 'allow' | 'block';
  note: string;
  created_at: string;
  created_by: string | null;
  /** `admin` (or the CLI) or `link` (added for a department link). */
  source: 'admin' | 'link';
}

/** Domain → Kith admin API entity. */
export function toPeerEntity(peer: PeerRecord): PeerEntity {
  return {
    host: peer.host,
    scheme: peer.scheme,
    state: peer.state,
    note: peer.note,
    created_at: peer.createdAt.toISOString(),
    created_by: peer.createdBy,
    source: peer.source ?? 'admin',
  };
}
