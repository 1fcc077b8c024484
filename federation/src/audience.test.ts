// Recipients by visibility, on an in-memory implementation of the ports audience.ts reads.
import { describe, expect, it } from 'vitest';
import type { Recipient } from '@fedify/fedify/vocab';
import type { FederationPorts, LocalNote, RemoteInbox } from './ports.ts';
import { statusAudience, toRecipients, type AudienceDeps } from './audience.ts';

const inbox = (host: string, name: string, shared = true): RemoteInbox => ({
  actorUri: `http://${host}/users/${name}`,
  inboxUrl: `http://${host}/users/${name}/inbox`,
  sharedInboxUrl: shared ? `http://${host}/inbox` : null,
});

// Remote accounts by id; "alice" (id a1) is the local author.
const accounts: Record<string, RemoteInbox> = {
  f1: inbox('b.test', 'follower1'),
  f2: inbox('b.test', 'follower2'),
  m1: inbox('c.test', 'mentioned'),
  p1: inbox('d.test', 'parent'),
  x1: inbox('blocked.test', 'blocked'),
};
const followersOfAlice = ['f1', 'f2', 'x1'];
const statusAuthors: Record<string, string> = { 'http://d.test/users/parent/statuses/1': 'p1' };

const ports = {
  actors: {
    async remoteFollowerInboxes(accountId: string) {
      return accountId === 'a1' ? followersOfAlice.map((id) => accounts[id]!) : [];
    },
    async inboxesOf(ids: readonly string[]) {
      return ids.flatMap((id) => (accounts[id] ? [accounts[id]!] : []));
    },
    async idByUri(uri: string) {
      if (uri === 'http://a.test/users/bob') return { accountId: 'local-bob', local: true };
      const id = Object.keys(accounts).find((key) => accounts[key]!.actorUri === uri);
      return id ? { accountId: id, local: false } : null;
    },
  },
  statuses: {
    async idByUri(uri: string) {
      const authorId = statusAuthors[uri];
      return authorId ? { statusId: 's', authorId } : null;
    },
  },
} as unknown as FederationPorts;

const deps: AudienceDeps = { ports, allowsUrl: async (url) => !url.includes('blocked.test') };

function note(overrides: Partial<LocalNote>): LocalNote {
  return {
    statusId: '1',
    authorUsername: 'alice',
    contentHtml: '<p>x</p>',
    spoilerText: '',
    sensitive: false,
    visibility: 'public',
    language: null,
    inReplyToUri: 'http://d.test/users/parent/statuses/1',
    tags: [],
    mentions: [
      { uri: 'http://c.test/users/mentioned', acct: 'mentioned@c.test' },
      { uri: 'http://a.test/users/bob', acct: 'bob@a.test' },
    ],
    createdAt: new Date(),
    editedAt: null,
    deletedAt: null,
    reblogOfUri: null,
    ...overrides,
  };
}

const actors = (recipients: Recipient[]) => recipients.map((r) => r.id!.href).sort();

describe('statusAudience', () => {
  it('sends a local status to nobody', async () => {
    expect(await statusAudience(deps, note({ visibility: 'local' }), 'a1')).toEqual([]);
  });

  it('sends a private status to remote followers and mentioned accounts, not to the replied-to author', async () => {
    expect(actors(await statusAudience(deps, note({ visibility: 'private' }), 'a1'))).toEqual([
      'http://b.test/users/follower1',
      'http://b.test/users/follower2',
      'http://c.test/users/mentioned',
    ]);
  });

  it('sends a direct status to the mentioned remote accounts only', async () => {
    expect(actors(await statusAudience(deps, note({ visibility: 'direct' }), 'a1'))).toEqual(['http://c.test/users/mentioned']);
  });

  it('sends public and unlisted statuses to followers, mentioned and the replied-to author', async () => {
    const expected = ['http://b.test/users/follower1', 'http://b.test/users/follower2', 'http://c.test/users/mentioned', 'http://d.test/users/parent'];
    expect(actors(await statusAudience(deps, note({ visibility: 'public' }), 'a1'))).toEqual(expected);
    expect(actors(await statusAudience(deps, note({ visibility: 'unlisted' }), 'a1'))).toEqual(expected);
  });

  it('includes the boosted status’s author in a boost’s audience', async () => {
    const boost = note({ inReplyToUri: null, mentions: [], reblogOfUri: 'http://d.test/users/parent/statuses/1' });
    expect(actors(await statusAudience(deps, boost, 'a1'))).toContain('http://d.test/users/parent');
  });
});

describe('toRecipients', () => {
  it('keeps shared inboxes, deduplicates actors and drops disallowed hosts and foreign inboxes', async () => {
    const foreign: RemoteInbox = { actorUri: 'http://e.test/users/eve', inboxUrl: 'http://evil.test/inbox', sharedInboxUrl: null };
    const foreignShared: RemoteInbox = { ...inbox('f.test', 'fay'), sharedInboxUrl: 'http://evil.test/inbox' };
    const recipients = await toRecipients(deps, [accounts.f1!, accounts.f1!, accounts.x1!, foreign, foreignShared]);
    expect(recipients).toEqual([
      { id: new URL('http://b.test/users/follower1'), inboxId: new URL('http://b.test/users/follower1/inbox'), endpoints: { sharedInbox: new URL('http://b.test/inbox') } },
      { id: new URL('http://f.test/users/fay'), inboxId: new URL('http://f.test/users/fay/inbox'), endpoints: null },
    ]);
  });
});
