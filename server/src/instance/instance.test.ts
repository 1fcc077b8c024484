import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let admin: TestUser;
let member: TestUser;

beforeAll(async () => {
  kith = await startTestInstance({ REGISTRATION_MODE: 'invite', INSTANCE_NAME: 'sales' });
  admin = await kith.createUser('founder', { role: 'admin', displayName: 'The Founder' });
  await kith.createUser('second_admin', { role: 'admin' });
  member = await kith.createUser('member');
  await member.api.post('/api/v1/statuses', { status: 'Counted on the instance' });
  kith.services.instance.invalidate();
});
afterAll(async () => kith.close());

describe('GET /api/v1/instance', () => {
  it("answers anonymously in Mastodon's V1 shape", async () => {
    const res = await kith.api.get('/api/v1/instance');
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({
      uri: kith.config.domain,
      title: 'sales',
      email: '',
      urls: { streaming_api: kith.url.replace('http://', 'ws://') },
      stats: { user_count: 3, status_count: 1, domain_count: 0 },
      registrations: false,
      approval_required: false,
      invites_enabled: true,
      configuration: {
        accounts: { max_featured_tags: 10 },
        statuses: { max_characters: 500, max_media_attachments: 4, characters_reserved_per_url: 23 },
        polls: { max_options: 4 },
      },
      rules: [],
      languages: ['en'],
    });
    expect(body.version).toMatch(/^4\.3\.0 \(compatible; Kith \d+\.\d+\.\d+\)$/);
    expect(typeof body.short_description).toBe('string');
    expect(body.contact_account).toMatchObject({ id: admin.account._id, username: 'founder', display_name: 'The Founder' });
    // The admin's login address is never shown to anonymous callers.
    expect(JSON.stringify(body)).not.toContain('founder@example.test');
  });
});

describe('GET /api/v2/instance', () => {
  it("answers anonymously in Mastodon's Instance shape", async () => {
    const res = await kith.api.get('/api/v2/instance');
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({
      domain: kith.config.domain,
      title: 'sales',
      usage: { users: { active_month: 3 } },
      thumbnail: { url: `${kith.url}/static/header.png` },
      configuration: {
        urls: { streaming: kith.url.replace('http://', 'ws://') },
        accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
        statuses: { max_characters: 500, max_media_attachments: 4, characters_reserved_per_url: 23 },
        translation: { enabled: false },
      },
      registrations: { enabled: false, approval_required: false },
      api_versions: { mastodon: 2 },
      contact: { email: '', account: { id: admin.account._id } },
      rules: [],
    });
    expect(body.version).toMatch(/^4\.3\.0 /);
    expect(body.registrations.message).toMatch(/invite/);
    expect(body.configuration.media_attachments.supported_mime_types).toEqual(expect.arrayContaining(['image/jpeg', 'image/png', 'application/pdf']));
    expect(body.configuration.media_attachments.image_size_limit).toBe(16 * 1_048_576);
    expect(JSON.stringify(body)).not.toContain('founder@example.test');
  });

  it('shows CONTACT_EMAIL as the contact address', async () => {
    const other = await startTestInstance({ CONTACT_EMAIL: 'it-desk@sales.example' });
    try {
      await other.createUser('boss', { role: 'admin' });
      const v2 = (await other.api.get('/api/v2/instance')).body;
      expect(v2.contact.email).toBe('it-desk@sales.example');
      expect(v2.contact.account.username).toBe('boss');
      expect((await other.api.get('/api/v1/instance')).body.email).toBe('it-desk@sales.example');
      expect(JSON.stringify(v2)).not.toContain('boss@example.test');

      // The contact is the oldest admin who is not suspended; the status count sums local accounts' counters.
      const deputy = await other.createUser('deputy', { role: 'admin' });
      const boss = (await other.services.accounts.lookup('boss', other.config.domain))._id;
      await other.services.accounts.setSuspended(boss, true);
      expect((await deputy.api.post('/api/v1/statuses', { status: 'one' })).status).toBe(200);
      expect((await deputy.api.post('/api/v1/statuses', { status: 'two' })).status).toBe(200);
      await other.idle();
      other.services.instance.invalidate();
      const after = (await other.api.get('/api/v1/instance')).body;
      expect(after.contact_account.username).toBe('deputy');
      expect(after.stats).toEqual({ user_count: 1, status_count: 2, domain_count: 0 });
    } finally {
      await other.close();
    }
  });

  it('reports the registration mode', async () => {
    const open = await startTestInstance({ REGISTRATION_MODE: 'open' });
    const closed = await startTestInstance({ REGISTRATION_MODE: 'closed' });
    try {
      expect((await open.api.get('/api/v2/instance')).body.registrations).toMatchObject({ enabled: true, message: null });
      expect((await open.api.get('/api/v1/instance')).body).toMatchObject({ registrations: true, invites_enabled: true });
      expect((await closed.api.get('/api/v2/instance')).body.registrations.enabled).toBe(false);
      expect((await closed.api.get('/api/v1/instance')).body).toMatchObject({ registrations: false, invites_enabled: false });
      // No admin yet: no contact account.
      expect((await closed.api.get('/api/v2/instance')).body.contact).toEqual({ email: '', account: null });
    } finally {
      await Promise.all([open.close(), closed.close()]);
    }
  });
});

describe('instance lists', () => {
  it('serves rules anonymously, and peers, activity and custom emojis to any token', async () => {
    expect(await kith.api.get('/api/v1/instance/rules')).toMatchObject({ status: 200, body: [] });
    for (const path of ['/api/v1/instance/peers', '/api/v1/instance/activity', '/api/v1/custom_emojis']) {
      expect((await kith.api.get(path)).status).toBe(401);
      expect(await member.api.get(path)).toMatchObject({ status: 200, body: [] });
    }
    expect((await kith.api.withToken('not-a-token').get('/api/v1/instance/peers')).status).toBe(401);
  });
});

describe('GET /api/v1/preferences', () => {
  it("reports the account's posting defaults", async () => {
    const update = await member.api.patch('/api/v1/accounts/update_credentials', { source: { privacy: 'unlisted', sensitive: true, language: 'de' } });
    expect(update.status).toBe(200);
    const res = await member.api.get('/api/v1/preferences');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      'posting:default:visibility': 'unlisted',
      'kith:posting:default:visibility': 'unlisted',
      'posting:default:sensitive': true,
      'posting:default:language': 'de',
      'reading:expand:media': 'default',
      'reading:expand:spoilers': false,
      'reading:autoplay:gifs': false,
    });
  });

  it("reports Kith's department-only default as unlisted to Mastodon apps, and the real value under a kith key", async () => {
    const update = await member.api.patch('/api/v1/accounts/update_credentials', { source: { privacy: 'local' } });
    expect(update.status).toBe(200);
    const res = await member.api.get('/api/v1/preferences');
    expect(res.body['posting:default:visibility']).toBe('unlisted');
    expect(res.body['kith:posting:default:visibility']).toBe('local');
  });

  it('needs a user token with read:accounts', async () => {
    expect((await kith.api.get('/api/v1/preferences')).status).toBe(401);
    const statusesOnly = await kith.createUser('narrow', { scopes: ['read:statuses'] });
    expect((await statusesOnly.api.get('/api/v1/preferences')).status).toBe(403);
  });
});

describe('GET /api/v1/kith/instance', () => {
  it("shows Kith's own view: name, registration mode and counts", async () => {
    expect((await kith.api.get('/api/v1/kith/instance')).status).toBe(401);
    const res = await member.api.get('/api/v1/kith/instance');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'sales',
      domain: kith.config.domain,
      url: kith.url,
      registration_mode: 'invite',
      counts: { accounts: 3, statuses: 1, domains: 0 },
      contact_account: { id: admin.account._id },
    });
  });
});

describe('default images', () => {
  it('serves the avatar and header the account serializer points at, with cache headers', async () => {
    const account = (await member.api.get('/api/v1/accounts/verify_credentials')).body;
    for (const [url, size] of [[account.avatar, [400, 400]], [account.header, [1500, 500]]] as const) {
      expect(url.startsWith(kith.url)).toBe(true);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual(size);
      const etag = res.headers.get('etag')!;
      expect(etag).toBeTruthy();
      const again = await fetch(url, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    }
  });
});
