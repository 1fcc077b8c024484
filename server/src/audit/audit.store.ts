import type { Collection, Db, Filter } from 'mongodb';
import { pageFilter, pageSortDirection, type Page } from '../shared/pagination.ts';

/** What the audit log records (docs/connectors-design.md §6). */
export const AUDIT_ACTIONS = [
  'proposed', 'approved', 'declined', 'relayed', 'received',
  'link_requested', 'link_request_received', 'link_accepted', 'link_declined', 'linked', 'unlinked', 'policy_changed', 'peering_approved',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One step someone took (collection "audit"); never changed once written. */
export interface AuditRecord {
  _id: string;
  at: Date;
  /** A local account id, or `remote:<actor uri>` for a step another instance took. */
  actor: string;
  /** The actor as people read it: `@alice`, or the remote actor's `name@host`. */
  actorHandle: string;
  action: AuditAction;
  /** What it was about: a status uri or a link id. */
  subject: string;
  /** Free text: the other department, a reason, a note. */
  detail: string;
}

export class AuditStore {
  private readonly collection: Collection<AuditRecord>;

  constructor(db: Db) {
    this.collection = db.collection<AuditRecord>('audit');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([{ key: { action: 1, _id: -1 }, name: 'action' }]);
  }

  async insert(record: AuditRecord): Promise<void> {
    await this.collection.insertOne(record);
  }

  /** A page of records, optionally of one action, in the page's read order. */
  page(action: AuditAction | null, page: Page): Promise<AuditRecord[]> {
    const filter: Filter<AuditRecord> = {};
    if (action) filter.action = action;
    const bounds = pageFilter(page);
    if (bounds) filter._id = bounds;
    return this.collection.find(filter).sort({ _id: pageSortDirection(page) }).limit(page.limit).toArray();
  }
}
