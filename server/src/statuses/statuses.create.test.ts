import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let mongo: MongoClient;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

const everything = { maxId: null, sinceId: null, minId: null, limit: 200 };

beforeAll(async () => {
  kith = await startTestInstance();
  mongo = await MongoClient.connect(inject('mongoUrl'));
  [alice, bob, carol] = await Promise.all([kith.createUser('alice'), kith.createUser('bob'), kith.createUser('carol')]);
});
afterAll(async () => {
  await mongo?.close();
  await kith?.close();
});

/** Every live status of an account, and its statuses counter: what "nothing was stored" checks. */
async function stored(user: TestUser) {
  const statuses = await kith.services.statuses.list({ accountIds: [user.account._id] }, everything);
  const account = await kith.services.accounts.get(user.account._id);
  return { ids: statuses.map((s) => s._id), count: account.statusesCount };
}

describe('POST /api/v1/statuses', () => {
  it('posts a status and answers with the Mastodon Status entity', async () => {
    const before = await stored(alice);
    const res = await alice.api.post('/api/v1/statuses', { status: 'Hello, Kith!', spoiler_text: 'greeting', language: 'en' });
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({
      content: '<p>Hello, Kith!</p>',
      spoiler_text: 'greeting',
      sensitive: true,
      visibility: 'public',
      local_only: false,
      language: 'en',
      in_reply_to_id: null,
      in_reply_to_account_id: null,
      reblog: null,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      favourited: false,
      reblogged: false,
      bookmarked: false,
      muted: false,
      pinned: false,
      edited_at: null,
      media_attachments: [],
      mentions: [],
      tags: [],
      emojis: [],
      card: null,
      poll: null,
      filtered: [],
      account: { id: alice.account._id, username: 'alice', acct: 'alice' },
    });
    expect(s.url).toBe(`${kith.url}/@alice/${s.id}`);
    expect(s.uri).toBe(`${kith.url}/users/alice/statuses/${s.id}`);
    expect(new Date(s.created_at).toISOString()).toBe(s.created_at);
    expect(s.text).toBeUndefined();

    const after = await stored(alice);
    expect(after.ids).toEqual([s.id, ...before.ids]);
    expect(after.count).toBe(before.count + 1);
    const account = await kith.services.accounts.get(alice.account._id);
    expect(account.lastStatusAt).not.toBeNull();
    await kith.idle();
  });

  it('escapes hostile input and renders links, mentions and hashtags', async () => {
    const text = '<script>alert("x")</script> "><img src=x onerror=alert(1)> hi @bob and @Carol@' +
      new URL(kith.url).host + ' and @ghost, see https://example.test/a?b=1 #Launch #launch #q3';
    const res = await alice.api.post('/api/v1/statuses', { status: text });
    expect(res.status).toBe(200);
    const html: string = res.body.content;
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain(`<span class="h-card" translate="no"><a href="${kith.url}/@bob" class="u-url mention">@<span>bob</span></a></span>`);
    expect(html).toContain(`<a href="${kith.url}/@carol" class="u-url mention">@<span>carol</span></a>`);
    expect(html).toContain('and @ghost, see');
    expect(html).toContain('<a href="https://example.test/a?b=1" target="_blank" rel="nofollow noopener noreferrer">example.test/a?b=1</a>');
    expect(html).toContain(`<a href="${kith.url}/tags/launch" class="mention hashtag" rel="tag">#<span>Launch</span></a>`);
    expect(res.body.mentions).toEqual([
      { id: bob.account._id, username: 'bob', acct: 'bob', url: `${kith.url}/@bob` },
      { id: carol.account._id, username: 'carol', acct: 'carol', url: `${kith.url}/@carol` },
    ]);
    expect(res.body.tags).toEqual([
      { name: 'launch', url: `${kith.url}/tags/launch` },
      { name: 'q3', url: `${kith.url}/tags/q3` },
    ]);
    const [record] = await kith.services.statuses.getMany([res.body.id]);
    expect(record!.text).toBe(text);
    expect(record!.mentionIds).toEqual([bob.account._id, carol.account._id]);
    expect(record!.tags).toEqual(['launch', 'q3']);
  });

  it('accepts form bodies, the local visibility and the account default visibility', async () => {
    const form = await alice.api.post('/api/v1/statuses', 'status=from+a+form&visibility=local&sensitive=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({ content: '<p>from a form</p>', sensitive: true, visibility: 'unlisted', local_only: true, kith: { visibility: 'local' } });

    await kith.services.accounts.updateProfile(carol.account._id, { defaultVisibility: 'private', defaultLanguage: 'de' });
    const byDefault = await carol.api.post('/api/v1/statuses', { status: 'follower news', media_ids: [] });
    expect(byDefault.status).toBe(200);
    expect(byDefault.body).toMatchObject({ visibility: 'private', language: 'de' });
    await kith.services.accounts.updateProfile(carol.account._id, { defaultVisibility: 'public', defaultLanguage: null });
  });

  it('counts 500 characters like Mastodon: URLs as 23, and refuses more with 422', async () => {
    const url = `https://example.test/${'x'.repeat(300)}`;
    const fits = `${'a'.repeat(500 - 24)} ${url}`;
    const ok = await alice.api.post('/api/v1/statuses', { status: fits });
    expect(ok.status).toBe(200);

    const before = await stored(alice);
    const long = await alice.api.post('/api/v1/statuses', { status: 'a'.repeat(501) });
    expect(long.status).toBe(422);
    expect(long.body).toEqual({ error: 'Validation failed: Text character limit of 500 exceeded' });
    const withWarning = await alice.api.post('/api/v1/statuses', { status: 'a'.repeat(490), spoiler_text: 'b'.repeat(11) });
    expect(withWarning.status).toBe(422);
    expect(await stored(alice)).toEqual(before);
  });

  it('counts a URL longer than 2048 characters at its full length', async () => {
    const longest = `https://example.test/${'x'.repeat(2048 - 21)}`;
    expect(longest).toHaveLength(2048);
    const ok = await alice.api.post('/api/v1/statuses', { status: `still a link ${longest}` });
    expect(ok.status).toBe(200);

    const before = await stored(alice);
    const res = await alice.api.post('/api/v1/statuses', { status: `${longest}x` });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Validation failed: Text character limit of 500 exceeded' });
    const edit = await alice.api.put(`/api/v1/statuses/${ok.body.id}`, { status: `edited ${longest}x` });
    expect(edit.status).toBe(422);
    expect(await stored(alice)).toEqual(before);
    expect((await alice.api.get(`/api/v1/statuses/${ok.body.id}`)).body.edited_at).toBeNull();
  });

  it('refuses raw text over 5000 characters and a content warning over 1000 with 400, URLs or not', async () => {
    const edited = (await alice.api.post('/api/v1/statuses', { status: 'to be edited' })).body.id;
    const before = await stored(alice);
    const cases: unknown[] = [
      { status: 'a'.repeat(5001) },
      { status: `https://example.test/${'x'.repeat(1024 * 1024 - 100)}` },
      { status: 'hi', spoiler_text: 'b'.repeat(1001) },
    ];
    for (const body of cases) {
      const res = await alice.api.post('/api/v1/statuses', body);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe('string');
    }
    expect((await alice.api.put(`/api/v1/statuses/${edited}`, { status: 'c'.repeat(5001) })).status).toBe(400);
    expect((await alice.api.put(`/api/v1/statuses/${edited}`, { status: 'hi', spoiler_text: 'd'.repeat(1001) })).status).toBe(400);
    expect(await stored(alice)).toEqual(before);
    expect((await alice.api.get(`/api/v1/statuses/${edited}/history`)).body).toHaveLength(1);
  });

  it('refuses bad input with exact status codes and stores nothing', async () => {
    const before = await stored(bob);
    const cases: [unknown, number, string?][] = [
      [{}, 422, "Validation failed: Text can't be blank"],
      [{ status: '   \n ' }, 422, "Validation failed: Text can't be blank"],
      [{ status: '', spoiler_text: 'only a warning' }, 422, "Validation failed: Text can't be blank"],
      // Scalars are coerced (Mastodon, a Rails app, takes 42 as "42"); structures are refused.
      [{ status: { text: 'hi' } }, 400],
      [{ status: ['a', 'b'] }, 400],
      [{ status: 'hi', spoiler_text: { a: 1 } }, 400],
      [{ status: 'hi', language: ['en', 'de'] }, 400],
      [{ status: 'hi', visibility: 'everyone' }, 400],
      [{ status: 'hi', sensitive: 'maybe' }, 400],
      [{ status: 'hi', in_reply_to_id: { $ne: null } }, 400],
      [{ status: 'hi', media_ids: ['1000000000000000'] }, 422, 'Validation failed: Media 1000000000000000 could not be found'],
      [{ status: 'hi', media_ids: ['1', '2', '3', '4', '5'] }, 422, 'Validation failed: At most 4 files can be attached to a post'],
      [{ status: 'hi', poll: { options: ['a', 'b'], expires_in: 3600 } }, 422],
      [{ status: 'hi', in_reply_to_id: '1000000000000000' }, 404, 'The post you are trying to reply to does not appear to exist.'],
      [{ status: 'hi', in_reply_to_id: 'not-an-id' }, 404],
    ];
    for (const [body, status, error] of cases) {
      const res = await bob.api.post('/api/v1/statuses', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(typeof res.body.error).toBe('string');
      if (error) expect(res.body.error).toBe(error);
    }
    const tooManyTags = Array.from({ length: 21 }, (_, i) => `#t${i}`).join(' ');
    expect((await bob.api.post('/api/v1/statuses', { status: tooManyTags })).status).toBe(422);
    const malformed = await bob.api.post('/api/v1/statuses', '{"status": "hi"', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(await stored(bob)).toEqual(before);
  });

  it('refuses a 10 MB body with 413 and stores nothing', async () => {
    const before = await stored(bob);
    const res = await bob.api.post('/api/v1/statuses', { status: 'x'.repeat(10 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'Request body is too large' });
    expect(await stored(bob)).toEqual(before);
  });

  it('needs a token with write:statuses', async () => {
    const before = await stored(carol);
    expect((await kith.api.post('/api/v1/statuses', { status: 'anonymous' })).status).toBe(401);
    const reader = await kith.createUser('reader', { scopes: ['read'] });
    expect((await reader.api.post('/api/v1/statuses', { status: 'read only' })).status).toBe(403);
    expect((await carol.api.withToken('not-a-token').post('/api/v1/statuses', { status: 'bad token' })).status).toBe(401);
    expect(await stored(carol)).toEqual(before);
    expect((await stored(reader)).ids).toEqual([]);
  });

  it('replies: in_reply_to ids, counters on the parent, and no replying to what you cannot see', async () => {
    const parent = await bob.api.post('/api/v1/statuses', { status: 'parent' });
    const reply = await alice.api.post('/api/v1/statuses', { status: '@bob agreed', in_reply_to_id: parent.body.id });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ in_reply_to_id: parent.body.id, in_reply_to_account_id: bob.account._id });
    expect((await alice.api.get(`/api/v1/statuses/${parent.body.id}`)).body.replies_count).toBe(1);

    const secret = await bob.api.post('/api/v1/statuses', { status: 'just for me', visibility: 'direct' });
    const before = await stored(alice);
    const sneaky = await alice.api.post('/api/v1/statuses', { status: 'peek', in_reply_to_id: secret.body.id });
    expect(sneaky.status).toBe(404);
    expect(await stored(alice)).toEqual(before);
  });
});

describe('Idempotency-Key', () => {
  it('returns the first status for a repeated key from the same account, within an hour', async () => {
    const before = await stored(carol);
    const first = await carol.api.post('/api/v1/statuses', { status: 'once' }, { 'idempotency-key': 'key-1' });
    const second = await carol.api.post('/api/v1/statuses', { status: 'once' }, { 'idempotency-key': 'key-1' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    // The same key from another account is another request.
    const other = await bob.api.post('/api/v1/statuses', { status: 'once' }, { 'idempotency-key': 'key-1' });
    expect(other.body.id).not.toBe(first.body.id);
    const after = await stored(carol);
    expect(after.ids).toEqual([first.body.id, ...before.ids]);
    expect(after.count).toBe(before.count + 1);
  });

  it('creates one status when requests with one key arrive at once', async () => {
    const before = await stored(carol);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => carol.api.post('/api/v1/statuses', { status: 'concurrent' }, { 'idempotency-key': 'key-2' })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    const after = await stored(carol);
    expect(after.ids).toEqual([responses[0]!.body.id, ...before.ids]);
    expect(after.count).toBe(before.count + 1);
  });

  it('keeps the key on a status that was stored even when what follows the insert failed', async () => {
    // A parent whose reply counter MongoDB cannot increment: the reply is stored, then counting it fails.
    const parent = await bob.api.post('/api/v1/statuses', { status: 'counter breaks here' });
    const statuses = mongo.db(kith.config.mongodbDatabase).collection<{ _id: string; repliesCount: unknown }>('statuses');
    await statuses.updateOne({ _id: parent.body.id }, { $set: { repliesCount: 'not a number' } });
    const before = await stored(carol);
    const body = { status: 'replying once', in_reply_to_id: parent.body.id };
    const failed = await carol.api.post('/api/v1/statuses', body, { 'idempotency-key': 'key-4' });
    expect(failed.status).toBe(500);
    const [inserted] = (await stored(carol)).ids;
    expect(inserted).not.toBe(before.ids[0]);

    // The retry gets the stored status back instead of posting it a second time.
    const retried = await carol.api.post('/api/v1/statuses', body, { 'idempotency-key': 'key-4' });
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(inserted);
    expect((await stored(carol)).ids).toEqual([inserted, ...before.ids]);
    await statuses.updateOne({ _id: parent.body.id }, { $set: { repliesCount: 0 } });
  });

  it('lets a corrected retry through after a refused attempt with the same key', async () => {
    const refused = await carol.api.post('/api/v1/statuses', { status: '' }, { 'idempotency-key': 'key-3' });
    expect(refused.status).toBe(422);
    const retried = await carol.api.post('/api/v1/statuses', { status: 'fixed' }, { 'idempotency-key': 'key-3' });
    expect(retried.status).toBe(200);
    expect(retried.body.content).toBe('<p>fixed</p>');
  });
});

describe('application and events', () => {
  it('shows the application a status was posted from', async () => {
    const { app } = await kith.services.oauth.createApp({ name: 'Kith Mobile', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', website: 'https://app.example.test' });
    const issued = await kith.services.oauth.issueToken(app._id, alice.account._id, ['write:statuses', 'read:statuses']);
    const res = await alice.api.withToken(issued.accessToken).post('/api/v1/statuses', { status: 'from my phone' });
    expect(res.status).toBe(200);
    expect(res.body.application).toEqual({ name: 'Kith Mobile', website: 'https://app.example.test' });
  });

  it('emits status.created, status.updated, status.deleted and favourite.created after each write', async () => {
    const seen: string[] = [];
    const probe = (event: string) => async (payload: object) => void seen.push(`${event} ${JSON.stringify(payload)}`);
    kith.services.events.on('status.created', 'test-probe', probe('status.created'));
    kith.services.events.on('status.updated', 'test-probe', probe('status.updated'));
    kith.services.events.on('status.deleted', 'test-probe', probe('status.deleted'));
    kith.services.events.on('favourite.created', 'test-probe', probe('favourite.created'));
    const id = (await bob.api.post('/api/v1/statuses', { status: 'eventful' })).body.id;
    await bob.api.put(`/api/v1/statuses/${id}`, { status: 'eventful, edited' });
    await carol.api.post(`/api/v1/statuses/${id}/favourite`);
    const boost = (await carol.api.post(`/api/v1/statuses/${id}/reblog`)).body.id;
    await bob.api.delete(`/api/v1/statuses/${id}`);
    await kith.idle();
    expect(seen.sort()).toEqual(
      [
        `status.created {"statusId":"${id}"}`,
        `status.updated {"statusId":"${id}"}`,
        `favourite.created {"accountId":"${carol.account._id}","statusId":"${id}"}`,
        `status.created {"statusId":"${boost}"}`,
        `status.deleted {"statusId":"${id}"}`,
        // The boost goes with the status it boosted.
        `status.deleted {"statusId":"${boost}"}`,
      ].sort(),
    );
  });
});
