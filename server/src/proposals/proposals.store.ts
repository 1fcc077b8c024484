import type { Collection, Db, Filter } from 'mongodb';

/** Where a proposal stands: waiting for a connector, or decided. */
export type ProposalState = 'pending' | 'approved' | 'declined';

/**
 * An item of the connectors' review queue (collection "kith_proposals", docs/connectors-design.md §4):
 * a member's proposal to share a status with the company, or news that arrived over a link whose
 * policy wants a review before it goes on (`incoming`).
 */
export interface ProposalRecord {
  _id: string;
  kind: 'proposal' | 'incoming';
  statusId: string;
  statusUri: string;
  /** The proposing member (local account id); null for incoming news. */
  proposedBy: string | null;
  /** The proposer's comment to the connectors, plain text. */
  comment: string;
  /** Incoming: the department actors it passed, in order, and the link it came over. */
  path: string[];
  linkId: string | null;
  /** Incoming: the note it came with (HTML); why it waits. */
  noteHtml: string;
  why: string;
  state: ProposalState;
  /** The connector's note on approval (plain text), or the reason of a decline. */
  note: string;
  reason: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export class ProposalsStore {
  private readonly collection: Collection<ProposalRecord>;

  constructor(db: Db) {
    this.collection = db.collection<ProposalRecord>('kith_proposals');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { state: 1, _id: -1 }, name: 'state' },
      { key: { proposedBy: 1, _id: -1 }, name: 'proposer' },
      // One open item per status: a second proposal of it finds the first.
      { key: { statusUri: 1 }, name: 'pending_status', unique: true, partialFilterExpression: { state: 'pending' } },
    ]);
  }

  /** Inserts the item, or returns the pending one of the same status. */
  async insertPending(record: ProposalRecord): Promise<ProposalRecord> {
    try {
      await this.collection.insertOne(record);
      return record;
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
      const pending = await this.collection.findOne({ statusUri: record.statusUri, state: 'pending' });
      if (!pending) throw error;
      return pending;
    }
  }

  find(id: string): Promise<ProposalRecord | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Decides a pending item; null when it was not pending (decided meanwhile). */
  decide(id: string, set: Pick<ProposalRecord, 'state' | 'note' | 'reason' | 'decidedBy' | 'decidedAt'>): Promise<ProposalRecord | null> {
    return this.collection.findOneAndUpdate({ _id: id, state: 'pending' }, { $set: set }, { returnDocument: 'after' });
  }

  /** Puts a decided item back to pending (its relay failed). */
  async reopen(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { state: 'pending', decidedBy: null, decidedAt: null, note: '', reason: '' } });
  }

  /** Newest first, optionally of one state and one proposer. */
  list(state: ProposalState | null, proposedBy: string | null, limit: number): Promise<ProposalRecord[]> {
    const filter: Filter<ProposalRecord> = {};
    if (state) filter.state = state;
    if (proposedBy) filter.proposedBy = proposedBy;
    return this.collection.find(filter).sort({ _id: -1 }).limit(limit).toArray();
  }
}
