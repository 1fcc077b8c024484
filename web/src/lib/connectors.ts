// What the connector screens share: who may review and link (connectors; admins count as connectors), how a
// relay's path reads, and "share with company" (a proposal for the connectors' review queue).
import { api } from './api/client.ts';
import type { Account, PathStep, Proposal, Status } from './api/entities.ts';

/** Connectors and admins review proposals, link departments and read the audit log. */
export function isConnector(account: Account | null): boolean {
  const role = account?.kith?.role;
  return role === 'connector' || role === 'admin';
}

/** "sales → engineering": the departments a relay passed, in order. */
export function pathText(path: readonly Pick<PathStep, 'department'>[]): string {
  return path.map((step) => step.department).join(' → ');
}

/** Only public and unlisted statuses can be proposed, not department-only ones (the server refuses the others with a message). */
export function shareable(status: Status): boolean {
  const departmentOnly = status.kith?.visibility === 'local' || status.local_only === true;
  return (status.visibility === 'public' || status.visibility === 'unlisted') && !departmentOnly;
}

/** Proposes a status for the company; the server's message (ApiError) explains a refusal. */
export function proposeForCompany(statusId: string, comment = ''): Promise<Proposal> {
  const text = comment.trim();
  return api.post<Proposal>('/api/v1/kith/proposals', { body: text ? { status_id: statusId, comment: text } : { status_id: statusId } });
}

/** A date and time as the reader's locale writes it; '' for none. */
export function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** The server's message for a failed call, without its "Validation failed:" prefix; `fallback` when there is none. */
export function errorText(error: unknown, fallback: string): string {
  return error instanceof Error && error.message ? error.message.replace(/^Validation failed: /, '') : fallback;
}
