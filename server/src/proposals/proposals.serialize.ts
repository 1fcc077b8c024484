import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { StatusEntity } from '../statuses/statuses.serialize.ts';
import type { ProposalRecord } from './proposals.store.ts';

/** A department on a relay's path, as the API shows it. */
export interface PathEntry {
  department: string;
  host: string;
  actor: string;
}

/** A proposal (or incoming news) as the Kith API shows it to its proposer and to connectors. */
export function toProposalEntity(r: ProposalRecord, extra: { status: StatusEntity | null; accounts: ReadonlyMap<string, AccountRecord>; path: PathEntry[] }) {
  const handle = (id: string | null) => (id ? (extra.accounts.get(id) ? `@${extra.accounts.get(id)!.username}` : null) : null);
  return {
    id: r._id,
    kind: r.kind,
    state: r.state,
    status_id: r.statusId,
    status_uri: r.statusUri,
    status: extra.status,
    comment: r.comment,
    proposed_by: handle(r.proposedBy),
    path: extra.path,
    incoming_note: r.noteHtml,
    waiting_because: r.why,
    note: r.note,
    reason: r.reason,
    decided_by: handle(r.decidedBy),
    decided_at: r.decidedAt?.toISOString() ?? null,
    created_at: r.createdAt.toISOString(),
  };
}
