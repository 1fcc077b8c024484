// The audit log as CSV (RFC 4180): every field quoted, quotes doubled, CRLF line ends; a field that a
// spreadsheet would run as a formula (leading = + - @, tab or CR) gets a leading apostrophe.
import type { AuditRecord } from './audit.store.ts';

const HEADER = ['at', 'actor', 'actor_handle', 'action', 'subject', 'detail'];

/** One CSV field, quoted and made formula-safe. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** The records as a CSV document with a header row. */
export function auditCsv(records: readonly AuditRecord[]): string {
  const rows = [HEADER, ...records.map((r) => [r.at.toISOString(), r.actor, r.actorHandle, r.action, r.subject, r.detail])];
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
