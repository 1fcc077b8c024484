// The general rate limit (READ_RATE_LIMIT, WRITE_RATE_LIMIT) counts per account, else app token, else
// address, after authentication; the auth limit counts per address. Over real HTTP.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';

let kith: TestInstance;
let proxied: TestInstance;
let redis: Redis;

beforeAll(async () => {
  [kith, proxied] = await Promise.all([
    startTestInstance({ WRITE_RATE_LIMIT: '3', READ_RATE_LIMIT: '5', AUTH_RATE_LIMIT: '2' }),
    startTestInstance({ WRITE_RATE_LIMIT: '2', TRUST_PROXY: '127.0.0.1' }),
  ]);
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  redis?.disconnect();
  await Promise.all([kith?.close(), proxied?.close()]);
});

async function postStatus(instance: TestInstance, headers: Record<string, string>, text = 'hello') {
  const res = await fetch(`${instance.url}/api/v1/statuses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ status: text }),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function statusCount(user: TestUser): Promise<number> {
  return (await kith.services.accounts.get(user.account._id)).statusesCount;
}

describe('general rate limit', () => {
  it('gives every spelling of one token one allowance, and keeps the token out of Redis', async () => {
    const alice = await kith.createUser('alice');
    const spellings = [`Bearer ${alice.token}`, `bearer    ${alice.token}`, `BEARER ${alice.token}`];
    for (const authorization of spellings) {
      expect((await postStatus(kith, { authorization })).status, authorization).toBe(200);
    }
    const limited = await postStatus(kith, { authorization: `bEaReR\t${alice.token}` }, 'one too many');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: expect.stringMatching(/^Too many requests/) });
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await statusCount(alice)).toBe(3);

    const keys = await redis.keys(`${kith.config.redisPrefix}ratelimit:*`);
    expect(keys).toContain(`${kith.config.redisPrefix}ratelimit:write:account:${alice.account._id}`);
    expect(keys.some((key) => key.includes(alice.token))).toBe(false);
  });

  it('limits writes without a valid token by address, whatever the header says', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Basic YWxpY2U6c2VjcmV0' }, { authorization: 'Bearer not-a-token' }];
    for (const headers of attempts) {
      expect((await postStatus(kith, headers)).status, JSON.stringify(headers)).toBe(401);
    }
    for (const headers of [...attempts, { authorization: 'Token whatever' }]) {
      const res = await postStatus(kith, headers);
      expect(res.status, JSON.stringify(headers)).toBe(429);
      expect(res.body).toEqual({ error: expect.stringMatching(/^Too many requests/) });
    }
    // Without TRUST_PROXY, a forwarded-for header does not buy a fresh allowance.
    expect((await postStatus(kith, { 'x-forwarded-for': '10.9.9.9' })).status).toBe(429);
    // An account on the same address has its own allowance.
    const bob = await kith.createUser('bob');
    expect((await postStatus(kith, { authorization: `Bearer ${bob.token}` })).status).toBe(200);
    expect(await statusCount(bob)).toBe(1);
  });

  it('limits reads per account at READ_RATE_LIMIT, apart from writes', async () => {
    const [carol, dave] = await Promise.all([kith.createUser('carol'), kith.createUser('dave')]);
    for (let i = 0; i < 5; i++) {
      expect((await carol.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    }
    const limited = await carol.api.get('/api/v1/accounts/verify_credentials');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('5');
    expect((await dave.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    expect((await postStatus(kith, { authorization: `Bearer ${carol.token}` })).status).toBe(200);
  });

  it('gives the anonymous invite check the auth limit, per address', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await kith.api.get('/api/v1/kith/invites/ABCD-EFGH/check')).body).toMatchObject({ valid: false, reason: 'unknown' });
    }
    const limited = await kith.api.get('/api/v1/kith/invites/ABCD-EFGH/check');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('2');
  });

  it('counts by the forwarded client address behind a trusted proxy (TRUST_PROXY)', async () => {
    const first = { 'x-forwarded-for': '10.0.0.1' };
    for (let i = 0; i < 2; i++) expect((await postStatus(proxied, first)).status).toBe(401);
    expect((await postStatus(proxied, first)).status).toBe(429);
    expect((await postStatus(proxied, { 'x-forwarded-for': '10.0.0.2' })).status).toBe(401);
  });
});
