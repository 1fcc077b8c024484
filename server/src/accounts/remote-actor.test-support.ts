// Remote actor data as federation would pass it to AccountsService.upsertRemote (tests).
import type { RemoteAccountInput } from './accounts.store.ts';

/** A remote actor on `host` (a loopback peer by default). */
export function remoteActor(username: string, host = '127.0.0.1:3999', changes: Partial<RemoteAccountInput> = {}): RemoteAccountInput {
  const base = `http://${host}`;
  return {
    uri: `${base}/users/${username}`,
    url: `${base}/@${username}`,
    host,
    username,
    displayName: `${username} remote`,
    noteHtml: '<p>hello</p>',
    title: 'Engineer',
    department: 'Engineering',
    location: 'Berlin',
    fields: [{ name: 'Pronouns', value: 'they' }],
    locked: false,
    bot: false,
    avatarUrl: null,
    headerUrl: null,
    inboxUrl: `${base}/users/${username}/inbox`,
    sharedInboxUrl: `${base}/inbox`,
    followersUrl: `${base}/users/${username}/followers`,
    ...changes,
  };
}
