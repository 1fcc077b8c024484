// The audit log as CSV: every field quoted (server/src/shared/csv.ts keeps it formula-safe).
import { csvDocument } from '../shared/csv.ts';
import type { AuditRecord } from './audit.store.ts';

const HEADER = ['at', 'actor', 'actor_handle', 'action', 'subject', 'detail'];

/** The records as a CSV document with a header row. */
export function auditCsv(records: readonly AuditRecord[]): string {
  return csvDocument([HEADER, ...records.map((r) => [r.at.toISOString(), r.actor, r.actorHandle, r.action, r.subject, r.detail])], true);
}
