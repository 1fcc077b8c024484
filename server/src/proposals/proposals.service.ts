// Proposals and the connectors' review queue (docs/connectors-design.md §4). Any member proposes a
// status they can see (public or unlisted, not company news here yet); a connector approves it — it
// becomes company news and is relayed (company-news/relay.service.ts) — optionally with a note, or
// declines it with a reason the proposer sees. News arriving over a link that wants a review waits in
// the same queue (`incoming`): approving relays it onward, declining keeps it here only.
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { requireConnector } from '../departments/departments.service.ts';
import type { IncomingNews, RelayService } from '../company-news/relay.service.ts';
import { Conflict, Invalid, NotFound } from '../shared/errors.ts';
import { escapeHtml } from '../shared/html.ts';
import { newId } from '../shared/ids.ts';
import type { ProposalRecord, ProposalState, ProposalsStore } from './proposals.store.ts';

export interface ProposalsDeps {
  store: ProposalsStore;
  statuses: StatusesService;
  relay: RelayService;
  audit: AuditService;
}

export const COMMENT_MAX = 500;
export const NOTE_MAX = 500;

/** A connector's plain-text note as the HTML that travels with the relay. */
function noteHtml(note: string): string {
  return note === '' ? '' : `<p>${escapeHtml(note)}</p>`;
}

export class ProposalsService {
  private readonly deps: ProposalsDeps;

  constructor(deps: ProposalsDeps) {
    this.deps = deps;
    deps.relay.onIncoming((news) => this.queueIncoming(news));
  }

  /** A member proposes a status for the company. */
  async propose(member: AccountRecord, input: { statusId: string; comment?: string }): Promise<ProposalRecord> {
    const comment = (input.comment ?? '').trim();
    if (comment.length > COMMENT_MAX) throw new Invalid(`Validation failed: Comment is too long (maximum is ${COMMENT_MAX} characters)`);
    const status = await this.deps.statuses.get(input.statusId, member);
    if (status.reblogOfId) throw new Invalid('Validation failed: Propose the boosted status itself, not a boost');
    if (status.visibility !== 'public' && status.visibility !== 'unlisted') {
      throw new Invalid('Validation failed: Only public or unlisted statuses can be shared with the company');
    }
    const uri = await this.deps.relay.uriOf(status);
    if (await this.deps.relay.isCompanyNews(uri)) throw new Invalid('Validation failed: This status is company news already');
    const now = new Date();
    const id = newId(now);
    const record = await this.deps.store.insertPending({
      _id: id, kind: 'proposal', statusId: status._id, statusUri: uri, proposedBy: member._id, comment, path: [], linkId: null,
      noteHtml: '', why: '', state: 'pending', note: '', reason: '', decidedBy: null, decidedAt: null, createdAt: now,
    });
    if (record._id === id) await this.deps.audit.record(member, 'proposed', uri, comment);
    return record;
  }

  /** The queue (connectors), or the proposer's own proposals (`mine`). */
  async list(viewer: AccountRecord, options: { state: ProposalState | null; mine: boolean; limit: number }): Promise<ProposalRecord[]> {
    if (!options.mine) requireConnector(viewer);
    return this.deps.store.list(options.state, options.mine ? viewer._id : null, options.limit);
  }

  /** One item: its proposer or a connector. */
  async get(viewer: AccountRecord, id: string): Promise<ProposalRecord> {
    const record = await this.deps.store.find(id);
    if (!record) throw new NotFound();
    if (record.proposedBy !== viewer._id) requireConnector(viewer);
    return record;
  }

  /** A connector approves: the status becomes company news and is relayed (an incoming item: onward). */
  async approve(connector: AccountRecord | null, id: string, note = ''): Promise<ProposalRecord> {
    requireConnector(connector);
    const trimmed = note.trim();
    if (trimmed.length > NOTE_MAX) throw new Invalid(`Validation failed: Note is too long (maximum is ${NOTE_MAX} characters)`);
    const pending = await this.pending(id);
    if (pending.kind === 'proposal' && (await this.deps.relay.isCompanyNews(pending.statusUri))) throw new Conflict('Validation failed: This status is company news already');
    const status = pending.kind === 'proposal' ? (await this.deps.statuses.getMany([pending.statusId]))[0] : null;
    if (pending.kind === 'proposal' && !status) throw new Conflict('Validation failed: The status was deleted');
    const decided = await this.deps.store.decide(id, { state: 'approved', note: trimmed, reason: '', decidedBy: connector._id, decidedAt: new Date() });
    if (!decided) throw new Conflict('Validation failed: This proposal was decided already');
    try {
      if (decided.kind === 'proposal') await this.deps.relay.publish(status!, { connector, proposedBy: decided.proposedBy, noteHtml: noteHtml(trimmed) });
      else await this.deps.relay.approveIncoming(decided.statusUri, decided.path, connector, noteHtml(trimmed));
    } catch (error) {
      await this.deps.store.reopen(id);
      throw error;
    }
    await this.deps.audit.record(connector, 'approved', decided.statusUri, trimmed);
    return decided;
  }

  /** A connector declines, with a reason the proposer sees. */
  async decline(connector: AccountRecord | null, id: string, reason: string): Promise<ProposalRecord> {
    requireConnector(connector);
    const trimmed = reason.trim();
    if (trimmed === '') throw new Invalid('Validation failed: A reason is required');
    if (trimmed.length > NOTE_MAX) throw new Invalid(`Validation failed: Reason is too long (maximum is ${NOTE_MAX} characters)`);
    await this.pending(id);
    const decided = await this.deps.store.decide(id, { state: 'declined', note: '', reason: trimmed, decidedBy: connector._id, decidedAt: new Date() });
    if (!decided) throw new Conflict('Validation failed: This proposal was decided already');
    await this.deps.audit.record(connector, 'declined', decided.statusUri, trimmed);
    return decided;
  }

  private async pending(id: string): Promise<ProposalRecord> {
    const record = await this.deps.store.find(id);
    if (!record) throw new NotFound();
    if (record.state !== 'pending') throw new Conflict('Validation failed: This proposal was decided already');
    return record;
  }

  /** News that arrived over a link and waits for a review. */
  private async queueIncoming(news: IncomingNews): Promise<void> {
    const now = new Date();
    await this.deps.store.insertPending({
      _id: newId(now), kind: 'incoming', statusId: news.statusId, statusUri: news.statusUri, proposedBy: null, comment: '', path: news.path,
      linkId: news.linkId, noteHtml: news.noteHtml, why: news.why, state: 'pending', note: '', reason: '', decidedBy: null, decidedAt: null, createdAt: now,
    });
  }
}
