import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  kith = await startTestInstance();
  alice = await kith.createUser('alice', { displayName: 'Alice Archer' });
  bob = await kith.createUser('bob', { role: 'connector' });
});
afterAll(async () => kith.close());

describe('GET /api/v1/accounts/verify_credentials', () => {
  it('returns the signed-in account with its source', async () => {
    const res = await alice.api.get('/api/v1/accounts/verify_credentials');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: alice.account._id,
      username: 'alice',
      acct: 'alice',
      display_name: 'Alice Archer',
      url: `${kith.url}/@alice`,
      locked: false,
      followers_count: 0,
      source: { privacy: 'public', note: '', fields: [], follow_requests_count: 0 },
      role: { name: 'member' },
      kith: { role: 'member', title: '', department: '', location: '' },
    });
    expect(res.body.avatar).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/static\/avatar\.png$/);
  });

  it('needs a token (401) with the read:accounts scope (403)', async () => {
    const anonymous = await kith.api.get('/api/v1/accounts/verify_credentials');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: expect.any(String) });
    const bogus = await kith.api.withToken('not-a-token').get('/api/v1/accounts/verify_credentials');
    expect(bogus.status).toBe(401);
    const writeOnly = await kith.createUser('writeonly', { scopes: ['write'] });
    const res = await writeOnly.api.get('/api/v1/accounts/verify_credentials');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'This action is outside the authorized scopes' });
  });
});

describe('PATCH /api/v1/accounts/update_credentials', () => {
  it('updates the intranet profile and renders the bio as safe HTML', async () => {
    const res = await alice.api.patch('/api/v1/accounts/update_credentials', {
      display_name: 'Alice A.',
      note: 'Sales lead <script>alert(1)</script>\nhttps://example.com/team',
      title: 'Head of Sales',
      department: 'Sales',
      location: 'Lyon',
      locked: 'true',
      fields_attributes: [{ name: 'Phone', value: '+33 1 23' }, { name: 'Pronouns', value: 'she/her' }],
      source: { privacy: 'private', language: 'fr' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      display_name: 'Alice A.',
      locked: true,
      kith: { title: 'Head of Sales', department: 'Sales', location: 'Lyon' },
      fields: [
        { name: 'Phone', value: '+33 1 23', verified_at: null },
        { name: 'Pronouns', value: 'she/her', verified_at: null },
      ],
      source: { privacy: 'private', language: 'fr' },
    });
    expect(res.body.note).toContain('&lt;script&gt;');
    expect(res.body.note).not.toContain('<script>');
    expect(res.body.note).toContain('<a href="https://example.com/team"');
    await alice.api.patch('/api/v1/accounts/update_credentials', { locked: false });
  });

  it('accepts form-encoded bodies with indexed fields, as Mastodon apps send them', async () => {
    const res = await bob.api.request(
      'PATCH',
      '/api/v1/accounts/update_credentials',
      'display_name=Bob&fields_attributes%5B0%5D%5Bname%5D=Team&fields_attributes%5B0%5D%5Bvalue%5D=Platform',
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(res.status).toBe(200);
    expect(res.body.fields).toEqual([{ name: 'Team', value: 'Platform', verified_at: null }]);
  });

  it('rejects bad input with a clear error and changes nothing', async () => {
    const before = await kith.services.accounts.get(bob.account._id);
    const cases: [unknown, number][] = [
      [{ display_name: 'x'.repeat(31) }, 422],
      [{ note: 'x'.repeat(501) }, 422],
      [{ fields_attributes: [1, 2, 3, 4, 5].map((i) => ({ name: `n${i}`, value: 'v' })) }, 422],
      [{ locked: 'maybe' }, 400],
      [{ display_name: 42 }, 400],
      [{ source: { privacy: 'everyone' } }, 400],
      [{ title: 'x'.repeat(101) }, 422],
    ];
    for (const [body, status] of cases) {
      const res = await bob.api.patch('/api/v1/accounts/update_credentials', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body).toEqual({ error: expect.any(String) });
    }
    const after = await kith.services.accounts.get(bob.account._id);
    expect({ ...after, updatedAt: null }).toEqual({ ...before, updatedAt: null });
  });

  it('refuses a 10 MB body with 413', async () => {
    const res = await bob.api.patch('/api/v1/accounts/update_credentials', { note: 'x'.repeat(10 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'Request body is too large' });
  });

  it("shows a department-only default as unlisted to Mastodon apps, and the real value in source.kith_privacy", async () => {
    const res = await bob.api.patch('/api/v1/accounts/update_credentials', { source: { privacy: 'local' } });
    expect(res.status).toBe(200);
    expect(res.body.source).toMatchObject({ privacy: 'unlisted', kith_privacy: 'local' });
    const me = await bob.api.get('/api/v1/accounts/verify_credentials');
    expect(me.body.source).toMatchObject({ privacy: 'unlisted', kith_privacy: 'local' });
    expect((await kith.services.accounts.get(bob.account._id)).defaultVisibility).toBe('local');
    const back = await bob.api.patch('/api/v1/accounts/update_credentials', { source: { privacy: 'public' } });
    expect(back.body.source).toMatchObject({ privacy: 'public', kith_privacy: 'public' });
  });

  it('refuses direct as the default visibility with 422, as Mastodon does, and stores nothing', async () => {
    const before = await kith.services.accounts.get(bob.account._id);
    const res = await bob.api.patch('/api/v1/accounts/update_credentials', { display_name: 'Changed', source: { privacy: 'direct' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Validation failed: Default visibility cannot be direct' });
    const after = await kith.services.accounts.get(bob.account._id);
    expect({ ...after, updatedAt: null }).toEqual({ ...before, updatedAt: null });
  });
});

describe('multipart/form-data bodies', () => {
  const send = (user: TestUser, form: FormData) =>
    fetch(`${kith.url}/api/v1/accounts/update_credentials`, { method: 'PATCH', headers: { authorization: `Bearer ${user.token}` }, body: form });

  it('takes the text fields of a multipart form, nested keys included, as Mastodon apps send them', async () => {
    const carol = await kith.createUser('carol');
    const form = new FormData();
    form.append('display_name', 'Carol C.');
    form.append('note', 'Multipart bio');
    form.append('locked', 'true');
    form.append('source[privacy]', 'private');
    form.append('source[language]', 'de');
    form.append('fields_attributes[0][name]', 'Desk');
    form.append('fields_attributes[0][value]', '4.12');
    const res = await send(carol, form);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      display_name: 'Carol C.',
      locked: true,
      fields: [{ name: 'Desk', value: '4.12', verified_at: null }],
      source: { privacy: 'private', language: 'de', note: 'Multipart bio' },
    });
    const stored = await kith.services.accounts.get(carol.account._id);
    expect(stored).toMatchObject({ displayName: 'Carol C.', note: 'Multipart bio', defaultVisibility: 'private', defaultLanguage: 'de' });
  });

  it('refuses file parts (422), overlong fields and too many fields (413), and stores nothing', async () => {
    const dan = await kith.createUser('dan');
    const before = await kith.services.accounts.get(dan.account._id);

    const withFile = new FormData();
    withFile.append('display_name', 'With avatar');
    // Files go only in avatar and header (profile-images.test.ts).
    withFile.append('attachment', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'avatar.png');
    const file = await send(dan, withFile);
    expect(file.status).toBe(422);
    expect(await file.json()).toEqual({ error: 'Validation failed: send at most one file in each of the fields avatar, header' });

    const long = new FormData();
    long.append('note', 'x'.repeat(65 * 1024));
    const tooLong = await send(dan, long);
    expect(tooLong.status).toBe(413);
    expect(await tooLong.json()).toEqual({ error: expect.stringContaining('too long') });

    const many = new FormData();
    for (let i = 0; i < 201; i++) many.append(`extra_${i}`, 'x');
    const tooMany = await send(dan, many);
    expect(tooMany.status).toBe(413);

    const after = await kith.services.accounts.get(dan.account._id);
    expect({ ...after, updatedAt: null }).toEqual({ ...before, updatedAt: null });
  });

  it('still needs a token: a multipart form without one is refused', async () => {
    const form = new FormData();
    form.append('display_name', 'Nobody');
    const res = await fetch(`${kith.url}/api/v1/accounts/update_credentials`, { method: 'PATCH', body: form });
    expect(res.status).toBe(401);
  });
});

describe('GET /api/v1/accounts/:id and lookup', () => {
  it('finds accounts by id and by handle', async () => {
    const byId = await alice.api.get(`/api/v1/accounts/${bob.account._id}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id: bob.account._id, username: 'bob', roles: [{ name: 'connector' }] });
    expect(byId.body.source).toBeUndefined();
    for (const acct of ['bob', '@bob', `bob@${kith.config.domain}`, 'BOB']) {
      const res = await alice.api.get('/api/v1/accounts/lookup', { acct });
      expect(res.status, acct).toBe(200);
      expect(res.body.id).toBe(bob.account._id);
    }
  });

  it('answers 404 for unknown accounts and handles on other domains', async () => {
    expect((await alice.api.get('/api/v1/accounts/1000000000000000')).status).toBe(404);
    expect((await alice.api.get('/api/v1/accounts/nope')).status).toBe(404);
    expect((await alice.api.get('/api/v1/accounts/lookup', { acct: 'nobody' })).status).toBe(404);
    expect((await alice.api.get('/api/v1/accounts/lookup', { acct: 'bob@elsewhere.example' })).status).toBe(404);
    expect((await alice.api.get('/api/v1/accounts/lookup')).status).toBe(400);
  });
});

describe('errors', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await alice.api.get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found' });
  });

  it('answers malformed JSON with 400', async () => {
    const res = await alice.api.request('PATCH', '/api/v1/accounts/update_credentials', '{"display_name":', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.any(String) });
  });

  it('sets security headers and a request id', async () => {
    const res = await alice.api.get('/api/v1/accounts/verify_credentials');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
