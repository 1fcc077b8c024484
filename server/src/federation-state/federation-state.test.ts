// The inbound activity log, actor keys and dead letters, on the MongoDB stand-in.
import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';

let kith: TestInstance;

beforeAll(async () => {
  kith = await startTestInstance();
});

afterAll(async () => {
  await kith?.close();
});

describe('inbound log', () => {
  it('claims an activity once: new, then retry until done, then done', async () => {
    const state = kith.services.federationState;
    const id = 'http://127.0.0.1:3101/users/alice/statuses/1/activity';
    expect(await state.claim(id, 'Create')).toBe('new');
    expect(await state.claim(id, 'Create')).toBe('retry');
    await state.done(id);
    expect(await state.claim(id, 'Create')).toBe('done');
  });

  it('lets exactly one of simultaneous claims be new (the unique _id decides)', async () => {
    const state = kith.services.federationState;
    const answers = await Promise.all(Array.from({ length: 8 }, () => state.claim('http://127.0.0.1:3101/follows/7', 'Follow')));
    expect(answers.filter((a) => a === 'new')).toHaveLength(1);
    expect(answers.filter((a) => a === 'retry')).toHaveLength(7);
  });
});

describe('actor keys', () => {
  it('creates RSA and Ed25519 key pairs on first use and returns the same ones afterwards', async () => {
    const state = kith.services.federationState;
    const first = await state.keyPairs('0000000000000001');
    expect(first.rsa.publicKey).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    expect(first.rsa.privateKey).toMatchObject({ kty: 'RSA', d: expect.any(String) });
    expect(first.ed25519.publicKey).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(Buffer.from(first.rsa.publicKey.n as string, 'base64url').length).toBe(256);
    expect(await state.keyPairs('0000000000000001')).toEqual(first);

    // The keys sign and verify as Fedify imports them.
    const data = new TextEncoder().encode('signed');
    const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const rsaPrivate = await webcrypto.subtle.importKey('jwk', first.rsa.privateKey as webcrypto.JsonWebKey, rsa, false, ['sign']);
    const rsaPublic = await webcrypto.subtle.importKey('jwk', first.rsa.publicKey as webcrypto.JsonWebKey, rsa, false, ['verify']);
    expect(await webcrypto.subtle.verify(rsa, rsaPublic, await webcrypto.subtle.sign(rsa, rsaPrivate, data), data)).toBe(true);
    const edPrivate = await webcrypto.subtle.importKey('jwk', first.ed25519.privateKey as webcrypto.JsonWebKey, 'Ed25519', false, ['sign']);
    const edPublic = await webcrypto.subtle.importKey('jwk', first.ed25519.publicKey as webcrypto.JsonWebKey, 'Ed25519', false, ['verify']);
    expect(await webcrypto.subtle.verify('Ed25519', edPublic, await webcrypto.subtle.sign('Ed25519', edPrivate, data), data)).toBe(true);
  });

  it('gives every caller the keys of the first insert when several create them at once', async () => {
    const state = kith.services.federationState;
    const all = await Promise.all(Array.from({ length: 4 }, () => state.keyPairs('~instance')));
    for (const keys of all) expect(keys).toEqual(all[0]);
    expect(await state.keyPairs('~instance')).toEqual(all[0]);
    expect(all[0]!.rsa.publicKey).not.toEqual((await state.keyPairs('0000000000000002')).rsa.publicKey);
  });
});

describe('dead letters', () => {
  it('records a delivery given up on, newest first', async () => {
    const state = kith.services.federationState;
    await state.recordDeadLetter({ activityId: 'http://127.0.0.1:3102/a/1', inbox: 'http://127.0.0.1:3109/inbox', host: '127.0.0.1:3109', reason: '410 Gone', jobId: 'j1' });
    await state.recordDeadLetter({ activityId: null, inbox: 'http://127.0.0.1:3109/inbox', host: '127.0.0.1:3109', reason: 'circuit-breaker-ttl', jobId: 'j2' });
    const letters = await state.listDeadLetters(null);
    expect(letters.map((l) => l.jobId)).toEqual(['j2', 'j1']);
    expect(letters[1]).toEqual({
      _id: expect.any(String), activityId: 'http://127.0.0.1:3102/a/1', inbox: 'http://127.0.0.1:3109/inbox', host: '127.0.0.1:3109', reason: '410 Gone', jobId: 'j1', createdAt: expect.any(Date), retriedAt: null,
    });
  });

  it('are shown to admins with admin:read only, without payloads', async () => {
    const admin = await kith.createUser('chief', { role: 'admin', scopes: ['read', 'admin:read'] });
    const member = await kith.createUser('staff', { scopes: ['read', 'admin:read'] });
    const res = await admin.api.get('/api/v1/kith/federation/dead_letters', { limit: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: expect.any(String), activity_id: null, inbox: 'http://127.0.0.1:3109/inbox', host: '127.0.0.1:3109', reason: 'circuit-breaker-ttl', job_id: 'j2', created_at: expect.any(String), retried_at: null }]);
    expect((await member.api.get('/api/v1/kith/federation/dead_letters')).status).toBe(403);
    expect((await kith.api.get('/api/v1/kith/federation/dead_letters')).status).toBe(401);
    expect((await admin.api.get('/api/v1/kith/federation/dead_letters', { limit: 0 })).status).toBe(400);
  });
});
