// The connectors' audit log (docs/connectors-design.md §6): who linked, unlinked, proposed, approved,
// declined and relayed what, and when. Written by the links and relay services; read by admins and
// connectors only.
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { requireConnector } from '../departments/departments.service.ts';
import { newestFirst, type Page } from '../shared/pagination.ts';
import { newId } from '../shared/ids.ts';
import { auditCsv } from './audit-csv.ts';
import type { AuditAction, AuditRecord, AuditStore } from './audit.store.ts';

/** Who took a step: a local account, or another instance's actor. */
export type AuditActor = AccountRecord | { remote: string; handle: string };

/** The most the CSV export holds in one file. */
const CSV_MAX = 10_000;

export class AuditService {
  private readonly store: AuditStore;

  constructor(store: AuditStore) {
    this.store = store;
  }

  /** Records one step. */
  async record(actor: AuditActor, action: AuditAction, subject: string, detail = ''): Promise<AuditRecord> {
    const at = new Date();
    const record: AuditRecord = {
      _id: newId(at),
      at,
      actor: 'remote' in actor ? `remote:${actor.remote}` : actor._id,
      actorHandle: 'remote' in actor ? actor.handle : `@${actor.username}`,
      action,
      subject,
      detail,
    };
    await this.store.insert(record);
    return record;
  }

  /** A page of the log, newest first (connectors and admins). */
  async list(viewer: AccountRecord | null, action: AuditAction | null, page: Page): Promise<AuditRecord[]> {
    requireConnector(viewer);
    return newestFirst(page, await this.store.page(action, page));
  }

  /** The log (newest first, up to CSV_MAX records) as CSV (connectors and admins). */
  async csv(viewer: AccountRecord | null, action: AuditAction | null): Promise<string> {
    requireConnector(viewer);
    const page: Page = { maxId: null, sinceId: null, minId: null, limit: CSV_MAX };
    return auditCsv(await this.store.page(action, page));
  }
}
