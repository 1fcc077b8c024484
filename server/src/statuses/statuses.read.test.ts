import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { visibilityVerdict } from './status-visibility.ts';

// alice posts; bob follows her; dave is mentioned; carol neither follows nor is mentioned; an app-only
// token acts for nobody and reads nothing (the network is closed).
let kith: TestInstance;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
let appOnly: ApiClient;
const posted: Record<string, string> = {};

const everything = { maxId: null, sinceId: null, minId: null, limit: 200 };

beforeAll(async () => {
  kith = await startTestInstance();
  [alice, bob, carol, dave] = await Promise.all([kith.createUser('alice'), kith.createUser('bob'), kith.createUser('carol'), kith.createUser('dave')]);
  const followed = await bob.api.post(`/api/v1/accounts/${alice.account._id}/follow`, {});
  expect(followed.status, JSON.stringify(followed.body)).toBe(200);
  const { app } = await kith.services.oauth.createApp({ name: 'Wall display', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read' });
  appOnly = kith.api.withToken((await kith.services.oauth.issueToken(app._id, null, ['read'])).accessToken);
  for (const visibility of ['public', 'unlisted', 'local', 'private', 'direct'] as const) {
    const res = await alice.api.post('/api/v1/statuses', { status: `${visibility} news for @dave`, visibility });
    expect(res.status).toBe(200);
    posted[visibility] = res.body.id;
  }
});
afterAll(async () => kith.close());

describe('visibility of GET /api/v1/statuses/:id', () => {
  const matrix: [viewer: string, visible: string[]][] = [
    ['alice', ['public', 'unlisted', 'local', 'private', 'direct']],
    ['bob', ['public', 'unlisted', 'local', 'private']],
    ['dave', ['public', 'unlisted', 'local', 'private', 'direct']],
    ['carol', ['public', 'unlisted', 'local']],
  ];
  for (const [viewer, visible] of matrix) {
    it(`shows ${viewer} exactly ${visible.join(', ')}, and answers 404 for the rest`, async () => {
      const api = { alice, bob, carol, dave }[viewer as 'alice'].api;
      for (const [visibility, id] of Object.entries(posted)) {
        const res = await api.get(`/api/v1/statuses/${id}`);
        if (visible.includes(visibility)) {
          expect(res.status, `${viewer} ${visibility}`).toBe(200);
          expect(res.body.id).toBe(id);
        } else {
          expect(res.status, `${viewer} ${visibility}`).toBe(404);
          expect(res.body).toEqual({ error: 'Record not found' });
        }
      }
    });
  }

  it('refuses an app-only token on every status read, as Mastodon refuses a token without a user', async () => {
    const id = posted.public!;
    const paths = [
      `/api/v1/statuses/${id}`,
      `/api/v1/statuses?id[]=${id}`,
      `/api/v1/statuses/${id}/context`,
      `/api/v1/statuses/${id}/history`,
      `/api/v1/statuses/${id}/source`,
      `/api/v1/statuses/${id}/favourited_by`,
      `/api/v1/statuses/${id}/reblogged_by`,
      '/api/v1/timelines/public',
      '/api/v1/timelines/tag/news',
      `/api/v1/accounts/${alice.account._id}/statuses`,
    ];
    for (const path of paths) {
      const res = await appOnly.get(path);
      expect(res.status, path).toBe(401);
      expect(res.body, path).toEqual({ error: 'This method requires an authenticated user' });
    }
    // The app token itself still works where an app may act.
    expect((await appOnly.get('/api/v1/apps/verify_credentials')).status).toBe(200);
  });

  it('shows no status to a viewer that is no account', async () => {
    const record = await kith.services.statuses.get(posted.public!, alice.account);
    expect(visibilityVerdict(record, alice.account)).toBe('yes');
    expect(visibilityVerdict(record, null)).toBe('no');
    expect(visibilityVerdict({ ...record, visibility: 'unlisted' }, null)).toBe('no');
  });

  it('serializes each visibility for Mastodon apps', async () => {
    const seen = await Promise.all(Object.values(posted).map(async (id) => (await alice.api.get(`/api/v1/statuses/${id}`)).body));
    expect(seen.map((s) => [s.visibility, s.local_only, s.kith.visibility])).toEqual([
      ['public', false, 'public'],
      ['unlisted', false, 'unlisted'],
      ['unlisted', true, 'local'],
      ['private', false, 'private'],
      ['direct', false, 'direct'],
    ]);
  });

  it('answers 404 for unknown and malformed ids, and 401 without a token', async () => {
    expect((await alice.api.get('/api/v1/statuses/1000000000000000')).status).toBe(404);
    expect((await alice.api.get('/api/v1/statuses/abc')).status).toBe(404);
    expect((await alice.api.get(`/api/v1/statuses/${'9'.repeat(40)}`)).status).toBe(400);
    expect((await kith.api.get(`/api/v1/statuses/${posted.public}`)).status).toBe(401);
  });

  it('GET /api/v1/statuses?id[]= returns the visible ones, in order', async () => {
    const ids = [posted.direct!, posted.public!, '1000000000000000', posted.private!, posted.local!];
    const res = await carol.api.get('/api/v1/statuses', { id: ids });
    expect(res.status).toBe(200);
    expect(res.body.map((s: { id: string }) => s.id)).toEqual([posted.public, posted.local]);
    expect((await carol.api.get('/api/v1/statuses', { id: Array(41).fill(posted.public!) })).status).toBe(400);
    expect((await carol.api.get('/api/v1/statuses')).status).toBe(400);
  });
});

describe('GET /api/v1/statuses/:id/context', () => {
  it('returns ancestors and descendants in thread order, filtered for the viewer', async () => {
    const root = await alice.api.post('/api/v1/statuses', { status: 'root' });
    const r1 = await bob.api.post('/api/v1/statuses', { status: 'r1', in_reply_to_id: root.body.id });
    const r1a = await alice.api.post('/api/v1/statuses', { status: 'r1a', in_reply_to_id: r1.body.id });
    const hidden = await alice.api.post('/api/v1/statuses', { status: 'followers only', in_reply_to_id: r1.body.id, visibility: 'private' });
    const r2 = await carol.api.post('/api/v1/statuses', { status: 'r2', in_reply_to_id: root.body.id });
    const ids = (list: { id: string }[]) => list.map((s) => s.id);

    const forBob = await bob.api.get(`/api/v1/statuses/${r1.body.id}/context`);
    expect(forBob.status).toBe(200);
    expect(ids(forBob.body.ancestors)).toEqual([root.body.id]);
    expect(ids(forBob.body.descendants)).toEqual([r1a.body.id, hidden.body.id]);

    const forCarol = await carol.api.get(`/api/v1/statuses/${root.body.id}/context`);
    expect(forCarol.body.ancestors).toEqual([]);
    expect(ids(forCarol.body.descendants)).toEqual([r1.body.id, r1a.body.id, r2.body.id]);

    const fromLeaf = await carol.api.get(`/api/v1/statuses/${r1a.body.id}/context`);
    expect(ids(fromLeaf.body.ancestors)).toEqual([root.body.id, r1.body.id]);
    expect((await kith.services.statuses.get(root.body.id, alice.account)).repliesCount).toBe(2);
  });

  it('answers 404 for the context of a status the viewer may not see', async () => {
    expect((await carol.api.get(`/api/v1/statuses/${posted.private}/context`)).status).toBe(404);
    expect((await carol.api.get('/api/v1/statuses/1000000000000000/context')).status).toBe(404);
  });
});

describe('edit, history and source', () => {
  it('edits an own status, keeps every version and shows them in order', async () => {
    const created = await alice.api.post('/api/v1/statuses', { status: 'first #draft', spoiler_text: 'cw' });
    const id = created.body.id;
    const noHistory = await alice.api.get(`/api/v1/statuses/${id}/history`);
    expect(noHistory.body.map((v: { content: string }) => v.content)).toEqual(['<p>first <a href="' + kith.url + '/tags/draft" class="mention hashtag" rel="tag">#<span>draft</span></a></p>']);

    const edited = await alice.api.put(`/api/v1/statuses/${id}`, { status: 'second, for @carol', sensitive: true });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id, spoiler_text: '', sensitive: true, tags: [], mentions: [{ id: carol.account._id }] });
    expect(edited.body.edited_at).not.toBeNull();
    await alice.api.put(`/api/v1/statuses/${id}`, { status: 'third' });

    const history = await bob.api.get(`/api/v1/statuses/${id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.map((v: { content: string; spoiler_text: string }) => [v.content.replace(/<[^>]+>/g, ''), v.spoiler_text])).toEqual([
      ['first #draft', 'cw'],
      ['second, for @carol', ''],
      ['third', ''],
    ]);
    // A content warning marks a status sensitive, as in Mastodon.
    expect(history.body[0]).toMatchObject({ sensitive: true, account: { id: alice.account._id }, media_attachments: [], emojis: [], poll: null });

    const source = await alice.api.get(`/api/v1/statuses/${id}/source`);
    expect(source.body).toEqual({ id, text: 'third', spoiler_text: '' });
    await kith.idle();
  });

  it("refuses editing another account's status, bad input and unknown ids, changing nothing", async () => {
    const created = await alice.api.post('/api/v1/statuses', { status: 'mine' });
    const id = created.body.id;
    expect((await bob.api.put(`/api/v1/statuses/${id}`, { status: 'hijacked' })).status).toBe(404);
    expect((await alice.api.put(`/api/v1/statuses/${id}`, { status: '' })).status).toBe(422);
    expect((await alice.api.put(`/api/v1/statuses/${id}`, { status: 'x'.repeat(501) })).status).toBe(422);
    expect((await alice.api.put(`/api/v1/statuses/${id}`, { status: { a: 1 } })).status).toBe(400);
    expect((await alice.api.put('/api/v1/statuses/1000000000000000', { status: 'nothing' })).status).toBe(404);
    const after = await alice.api.get(`/api/v1/statuses/${id}`);
    expect(after.body).toMatchObject({ content: '<p>mine</p>', edited_at: null });
    expect((await alice.api.get(`/api/v1/statuses/${id}/history`)).body).toHaveLength(1);
    expect((await carol.api.get(`/api/v1/statuses/${posted.private}/source`)).status).toBe(404);
  });
});

describe('DELETE /api/v1/statuses/:id', () => {
  it('deletes an own status, answers with its text for redrafting, and undoes its counts', async () => {
    const parent = await bob.api.post('/api/v1/statuses', { status: 'parent' });
    const reply = await alice.api.post('/api/v1/statuses', { status: 'to be deleted #gone', in_reply_to_id: parent.body.id });
    const before = (await kith.services.accounts.get(alice.account._id)).statusesCount;
    const res = await alice.api.delete(`/api/v1/statuses/${reply.body.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: reply.body.id, text: 'to be deleted #gone' });
    expect((await kith.services.accounts.get(alice.account._id)).statusesCount).toBe(before - 1);
    expect((await alice.api.get(`/api/v1/statuses/${reply.body.id}`)).status).toBe(404);
    expect((await bob.api.get(`/api/v1/statuses/${parent.body.id}`)).body.replies_count).toBe(0);
    expect((await alice.api.delete(`/api/v1/statuses/${reply.body.id}`)).status).toBe(404);
    await kith.idle();
  });

  it("answers 404 for another account's status and changes nothing", async () => {
    const own = await alice.api.post('/api/v1/statuses', { status: 'keep me' });
    const before = (await kith.services.accounts.get(alice.account._id)).statusesCount;
    const res = await bob.api.delete(`/api/v1/statuses/${own.body.id}`);
    expect(res.status).toBe(404);
    expect((await carol.api.delete(`/api/v1/statuses/${posted.private}`)).status).toBe(404);
    expect((await alice.api.delete('/api/v1/statuses/1000000000000000')).status).toBe(404);
    expect((await bob.api.get(`/api/v1/statuses/${own.body.id}`)).body.content).toBe('<p>keep me</p>');
    expect((await kith.services.accounts.get(alice.account._id)).statusesCount).toBe(before);
    const live = await kith.services.statuses.list({ accountIds: [alice.account._id] }, everything);
    expect(live.map((s) => s._id)).toContain(own.body.id);
  });
});

describe('service reads for other domains', () => {
  it('listByAccount pages an account\'s statuses with the visibility rule inside the query', async () => {
    const author = await kith.createUser('erin');
    expect((await bob.api.post(`/api/v1/accounts/${author.account._id}/follow`, {})).status).toBe(200);
    const ids: Record<string, string> = {};
    for (const visibility of ['public', 'local', 'private', 'direct'] as const) {
      ids[visibility] = (await author.api.post('/api/v1/statuses', { status: `erin ${visibility}`, visibility })).body.id;
    }
    ids.reply = (await author.api.post('/api/v1/statuses', { status: 'to alice', in_reply_to_id: posted.public })).body.id;
    ids.thread = (await author.api.post('/api/v1/statuses', { status: 'to myself', in_reply_to_id: ids.public })).body.id;
    ids.boost = (await author.api.post(`/api/v1/statuses/${posted.public}/reblog`)).body.id;
    const page = { maxId: null, sinceId: null, minId: null, limit: 20 };
    const list = async (viewer: Parameters<typeof kith.services.statuses.listByAccount>[1], filters = {}) =>
      (await kith.services.statuses.listByAccount(author.account._id, viewer, page, filters)).map((s) => s._id);

    expect(await list(author.account)).toEqual([ids.boost, ids.thread, ids.reply, ids.direct, ids.private, ids.local, ids.public]);
    expect(await list(bob.account)).toEqual([ids.boost, ids.thread, ids.reply, ids.private, ids.local, ids.public]);
    expect(await list(carol.account)).toEqual([ids.boost, ids.thread, ids.reply, ids.local, ids.public]);
    // A viewer that is no account sees nothing (the network is closed).
    expect(await list(null)).toEqual([]);
    expect(await list(carol.account, { excludeReplies: true, excludeReblogs: true })).toEqual([ids.thread, ids.local, ids.public]);
    const older = await kith.services.statuses.listByAccount(author.account._id, carol.account, { ...page, maxId: ids.reply!, limit: 1 }, {});
    expect(older.map((s) => s._id)).toEqual([ids.local]);
  });
});
