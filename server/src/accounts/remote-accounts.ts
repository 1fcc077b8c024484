// The rules for storing a remote actor as an account: what it may claim, and the fields it sets.
import { Invalid } from '../shared/errors.ts';
import { accountSearchPrefixes, type AccountRecord, type RemoteAccountInput } from './accounts.store.ts';

// Wider than local usernames (other servers allow dots and dashes), never anything that breaks an acct.
const REMOTE_USERNAME = /^[a-z0-9_][a-z0-9_.-]{0,63}$/i;
const TEXT_MAX = 500;
const FIELDS_MAX = 16;

const cut = (text: string, max = TEXT_MAX) => text.slice(0, max);

function httpUrl(label: string, value: string | null): string | null {
  if (value === null) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Invalid(`Validation failed: ${label} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Invalid(`Validation failed: ${label} is not an http(s) URL`);
  return url.href;
}

/**
 * The account fields a remote actor sets, checked: its id must be an http(s) URL on the host it
 * claims, and that host must not be this instance's (a remote record never takes a local name).
 */
export function remoteAccountChanges(input: RemoteAccountInput, localDomain: string | null): Omit<AccountRecord, '_id' | 'email' | 'emailLower' | 'passwordHash' | 'role' | 'discoverable' | 'suspended' | 'suspendedAt' | 'statusesCount' | 'followersCount' | 'followingCount' | 'lastStatusAt' | 'defaultVisibility' | 'defaultSensitive' | 'defaultLanguage' | 'note' | 'createdAt' | 'updatedAt'> {
  const uri = httpUrl('Actor id', input.uri)!;
  const host = input.host.toLowerCase();
  if (new URL(uri).host !== host) throw new Invalid('Validation failed: Actor id is not on the actor host');
  if (localDomain !== null && host === localDomain.toLowerCase()) throw new Invalid('Validation failed: A remote actor cannot be on this instance');
  if (!REMOTE_USERNAME.test(input.username)) throw new Invalid('Validation failed: Remote username is not valid');
  const displayName = cut(input.displayName, 100);
  const title = cut(input.title, 100);
  const department = cut(input.department, 100);
  const location = cut(input.location, 100);
  return {
    uri,
    url: httpUrl('Profile URL', input.url),
    domain: host,
    username: input.username,
    usernameLower: input.username.toLowerCase(),
    displayName,
    noteHtml: cut(input.noteHtml, 20_000),
    title,
    department,
    location,
    fields: input.fields.slice(0, FIELDS_MAX).map((f) => ({ name: cut(f.name, 255), value: cut(f.value, 2048) })),
    locked: input.locked,
    bot: input.bot,
    kind: input.group ? 'department' : 'person',
    avatarUrl: httpUrl('Avatar URL', input.avatarUrl),
    headerUrl: httpUrl('Header URL', input.headerUrl),
    inboxUrl: httpUrl('Inbox URL', input.inboxUrl),
    sharedInboxUrl: httpUrl('Shared inbox URL', input.sharedInboxUrl),
    followersUrl: httpUrl('Followers URL', input.followersUrl),
    searchPrefixes: accountSearchPrefixes({ username: input.username, displayName, title, department, location }),
  };
}
