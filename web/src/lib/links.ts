// The app's own addresses for accounts, statuses and hashtags. They match the server's status `url` for
// local statuses (/@username/id) and the profile `url` (/@username); remote ones (/@user@host, /@user@host/id)
// open here, through this instance, rather than on the other instance's site.
import type { Account, Status } from './api/entities.ts';

/** The profile page of an account. */
export function profileHref(account: Pick<Account, 'acct'>): string {
  return `/@${encodeURIComponent(account.acct).replace(/%40/g, '@').replace(/%3A/gi, ':')}`;
}

/** The thread page of a status (a boost opens the boosted status). */
export function threadHref(status: Status): string {
  const shown = status.reblog ?? status;
  return `${profileHref(shown.account)}/${encodeURIComponent(shown.id)}`;
}

/** The page of a hashtag. */
export function tagHref(name: string): string {
  return `/tags/${encodeURIComponent(name)}`;
}
