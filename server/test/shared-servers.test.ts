// Several instances (departments) on one MongoDB and one Redis keep their data apart, and each serves
// its OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from './harness.ts';

let sales: TestInstance;
let engineering: TestInstance;

beforeAll(async () => {
  [sales, engineering] = await Promise.all([
    startTestInstance({ INSTANCE_NAME: 'sales' }),
    startTestInstance({ INSTANCE_NAME: 'engineering' }),
  ]);
});
afterAll(async () => Promise.all([sales?.close(), engineering?.close()]));

describe('instances sharing MongoDB and Redis', () => {
  it('keep accounts, statuses, feeds and streams apart', async () => {
    expect(sales.config.mongodbUrl).toBe(engineering.config.mongodbUrl);
    expect(sales.config.redisUrl).toBe(engineering.config.redisUrl);
    const salesAlice = await sales.createUser('alice');
    const engAlice = await engineering.createUser('alice');
    const posted = await salesAlice.api.post('/api/v1/statuses', { status: 'Q3 pipeline review #sales' });
    expect(posted.status).toBe(200);
    await Promise.all([sales.idle(), engineering.idle()]);

    expect((await salesAlice.api.get('/api/v1/timelines/home')).body.map((s: { id: string }) => s.id)).toEqual([posted.body.id]);
    expect((await engAlice.api.get('/api/v1/timelines/home')).body).toEqual([]);
    expect((await engAlice.api.get('/api/v1/timelines/public', { local: true })).body).toEqual([]);
    expect((await engAlice.api.get(`/api/v1/statuses/${posted.body.id}`)).status).toBe(404);
    expect((await engAlice.api.get('/api/v2/search', { q: 'pipeline', type: 'statuses' })).body.statuses).toEqual([]);
    // One instance's token means nothing to the other.
    expect((await engineering.api.withToken(salesAlice.token).get('/api/v1/accounts/verify_credentials')).status).toBe(401);
  });
});

describe('GET /api/openapi.json', () => {
  it('describes the API, with a schema for each route', async () => {
    const res = await sales.api.get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/statuses', '/api/v1/timelines/home', '/api/v1/accounts/{id}/follow', '/api/v2/search', '/oauth/token']) {
      expect(Object.keys(res.body.paths), path).toContain(path);
    }
    expect(res.body.paths['/api/v1/statuses'].post.requestBody).toBeDefined();
  });
});
