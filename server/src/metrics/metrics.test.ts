// GET /metrics over real HTTP: the token rules, the request counters by route pattern, queue depths read
// from the real BullMQ queues, dead letters, and active accounts from the usage rollups.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Create, Note, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
// @ts-expect-error plain ESM module without types, shared with the launcher
import { freePort } from '../../../deploy/services.mjs';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { contextOf, waitFor } from '../../test/federation/network.ts';
import { KithMetrics } from './metrics.registry.ts';

const TOKEN = 'scrape-token-0123456789abcdef';

/** The value of one sample (`name{labels} value`) in the text exposition; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([key, value]) => found[key] === value) && Object.keys(found).length === Object.keys(labels).length) {
      return Number(match[3]);
    }
  }
  return undefined;
}

async function scrape(kith: TestInstance): Promise<string> {
  const res = await kith.api.request('GET', '/metrics', undefined, { authorization: `Bearer ${TOKEN}` });
  expect(res.status).toBe(200);
  return res.body as string;
}

describe('GET /metrics without METRICS_TOKEN', () => {
  let plain: TestInstance;
  beforeAll(async () => {
    plain = await startTestInstance();
  });
  afterAll(async () => {
    await plain?.close();
  });

  it('is absent: 404, with or without a token', async () => {
    expect((await plain.api.get('/metrics')).status).toBe(404);
    const res = await plain.api.request('GET', '/metrics', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found' });
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let kith: TestInstance;
  let author: TestUser;

  beforeAll(async () => {
    // Workers off: queued jobs stay where the gauges can see them. A read limit the scrapes would pass.
    kith = await startTestInstance({ METRICS_TOKEN: TOKEN, RUN_JOBS: 'false', READ_RATE_LIMIT: '10' });
    author = await kith.createUser('writer');
  });
  afterAll(async () => {
    await kith?.close();
  });

  it('refuses a missing or wrong token, a token in the query string, an OAuth token and another scheme with 401', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/metrics', {}],
      ['/metrics', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
      ['/metrics', { authorization: `Bearer ${TOKEN}x` }],
      ['/metrics', { authorization: 'Bearer x' }],
      ['/metrics', { authorization: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}` }],
      ['/metrics', { authorization: `Bearer ${author.token}` }],
      [`/metrics?access_token=${TOKEN}`, {}],
      [`/metrics?token=${TOKEN}`, {}],
    ];
    for (const [path, headers] of cases) {
      const res = await kith.api.request('GET', path, undefined, headers);
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(String(JSON.stringify(res.body))).not.toContain('kith_http_requests_total');
    }
  });

  it('serves the Prometheus text format with the right token, outside the read rate limit and the OpenAPI document', async () => {
    // READ_RATE_LIMIT is 10: twelve scrapes in a row all pass.
    for (let i = 0; i < 12; i++) {
      const res = await kith.api.request('GET', '/metrics', undefined, { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    }
    const text = await scrape(kith);
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes', 'kith_delivery_failures_total', 'kith_usage_events_dropped_total']) {
      expect(sample(text, name), name).toBeTypeOf('number');
    }
    expect(text).toContain('# TYPE kith_http_requests_total counter');
    expect(text).toContain('# TYPE kith_http_request_duration_seconds histogram');
    const openapi = await kith.api.get('/api/openapi.json');
    expect(Object.keys(openapi.body.paths)).not.toContain('/metrics');
  });

  it('counts requests by route pattern, never by raw URL: three reads raise the counter and the histogram by exactly 3', async () => {
    const posted = await author.api.post('/api/v1/statuses', { status: 'counted' });
    expect(posted.status).toBe(200);
    const labels = { method: 'GET', route: '/api/v1/statuses/:id' };
    const before = await scrape(kith);
    for (let i = 0; i < 3; i++) expect((await author.api.get(`/api/v1/statuses/${posted.body.id}`)).status).toBe(200);
    expect((await kith.api.get('/no/such/route/12345')).status).toBe(404);
    const after = await scrape(kith);

    const counter = (text: string) => sample(text, 'kith_http_requests_total', { ...labels, status: '200' }) ?? 0;
    const count = (text: string) => sample(text, 'kith_http_request_duration_seconds_count', labels) ?? 0;
    const unmatched = (text: string) => sample(text, 'kith_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }) ?? 0;
    expect(counter(after) - counter(before)).toBe(3);
    expect(count(after) - count(before)).toBe(3);
    expect(sample(after, 'kith_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(count(after));
    expect(unmatched(after) - unmatched(before)).toBe(1);
    expect(after).not.toContain(posted.body.id);
    expect(after).not.toContain('12345');
  });

  it('reports the real depth of the domain-events, push and federation queues', async () => {
    const gauge = (text: string, queue: string, state = 'waiting') => sample(text, 'kith_queue_jobs', { queue, state });
    const before = await scrape(kith);
    expect(gauge(before, 'fedify-outbox')).toBe(0);
    expect(gauge(before, 'push-deliveries')).toBe(0);

    await kith.services.events.emit('status.created', { statusId: 'no-such-status' });
    await kith.kith.federation.queues.outbox.enqueue({ type: 'metrics-test' });
    const push = new Queue('push-deliveries', { connection: kith.kith.federation.redis, prefix: `${kith.config.redisPrefix}bull` });
    const events = new Queue('domain-events', { connection: kith.kith.federation.redis, prefix: `${kith.config.redisPrefix}bull` });
    try {
      await push.add('push', { subscriptionId: 'x', notificationId: 'y' }, { delay: 60_000 });
      const after = await scrape(kith);
      const waitingEvents = await events.getWaitingCount();
      expect(waitingEvents).toBeGreaterThan(0);
      expect(gauge(after, 'domain-events')).toBe(waitingEvents);
      expect(gauge(after, 'domain-events')).toBeGreaterThan(gauge(before, 'domain-events')!);
      expect(gauge(after, 'fedify-outbox')).toBe(1);
      expect(gauge(after, 'push-deliveries', 'delayed')).toBe(1);
      expect(gauge(after, 'push-deliveries')).toBe(0);
      expect(gauge(after, 'fedify-inbox')).toBe(0);
      expect(gauge(after, 'fedify-fanout', 'failed')).toBe(0);
    } finally {
      await push.close();
      await events.close();
    }
  });

  it('reports the dead letters no admin retried yet', async () => {
    const letters = (text: string) => sample(text, 'kith_delivery_dead_letters');
    expect(letters(await scrape(kith))).toBe(0);
    for (const host of ['gone.example', 'down.example']) {
      await kith.services.federationState.recordDeadLetter({ activityId: null, inbox: `https://${host}/inbox`, host, reason: 'http 410', jobId: '', queue: '' });
    }
    expect(letters(await scrape(kith))).toBe(2);
  });
});

describe('active accounts in /metrics', () => {
  let kith: TestInstance;
  beforeAll(async () => {
    kith = await startTestInstance({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await kith?.close();
  });

  it('equal what was recorded: today, the last 7 days, the last 30 days, and the registered accounts', async () => {
    const users = await Promise.all(['ana', 'ben', 'cy', 'dee', 'eve'].map((name) => kith.createUser(name)));
    const utcDay = () => new Date().toISOString().slice(0, 10);
    // Active today: ana, ben; this week: + cy; this month: + dee; eve never (and a 40-day-old event counts nowhere).
    const activity: [number, number][] = [[0, 0], [1, 0], [1, 2], [2, 3], [3, 20], [4, 40]];
    // /metrics counts on the day of the scrape. Should midnight UTC pass between recording and scraping, the
    // same pattern is recorded again from the new day: the earlier events fall on days that change no count.
    let text = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      const today = utcDay();
      const noon = Date.parse(`${today}T12:00:00Z`);
      for (const [user, ago] of activity) {
        kith.services.usage.record({ accountId: users[user]!.account._id, department: '', feature: 'post', client: 'Web', device: 'desktop', at: new Date(noon - ago * 86_400_000) });
      }
      await kith.services.usage.flush();
      text = await scrape(kith);
      if (utcDay() === today) break;
    }
    expect(sample(text, 'kith_active_accounts', { window: 'day' })).toBe(2);
    expect(sample(text, 'kith_active_accounts', { window: 'week' })).toBe(3);
    expect(sample(text, 'kith_active_accounts', { window: 'month' })).toBe(4);
    expect(sample(text, 'kith_registered_accounts')).toBe(5);
  });
});

describe('failed deliveries in /metrics', () => {
  let kith: TestInstance;
  beforeAll(async () => {
    kith = await startTestInstance({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await kith?.close();
  });

  it('counts each failed outbound delivery attempt of this process', async () => {
    let received = 0;
    const peer = createServer((request, response) => {
      received++;
      request.resume();
      request.once('end', () => response.writeHead(500).end());
    });
    const port: number = await freePort();
    await new Promise<void>((resolve) => peer.listen(port, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${port}`;
      await kith.services.peers.add(null, { host, scheme: 'http' });
      await kith.createUser('sender');
      const failures = async () => sample(await scrape(kith), 'kith_delivery_failures_total');
      expect(await failures()).toBe(0);

      const ctx = contextOf(kith);
      const actor = ctx.getActorUri('sender');
      const noteId = new URL(`${actor.href}/statuses/metrics-1`);
      const create = new Create({ id: new URL(`${noteId.href}/activity`), actor, object: new Note({ id: noteId, attribution: actor, content: '<p>to a failing inbox</p>', tos: [PUBLIC_COLLECTION] }), tos: [PUBLIC_COLLECTION] });
      await ctx.sendActivity({ identifier: 'sender' }, { id: new URL(`http://${host}/actor`), inboxId: new URL(`http://${host}/inbox`) }, create);

      await waitFor(() => received >= 1);
      await waitFor(async () => ((await failures()) ?? 0) >= 1);
      // Every attempt the peer refused so far was counted (a retry may be on its way: never more than it saw).
      expect(await failures()).toBeLessThanOrEqual(received);
    } finally {
      peer.closeAllConnections();
      await new Promise((resolve) => peer.close(resolve));
    }
  }, 60_000);
});

describe('KithMetrics', () => {
  it('leaves out what could not be read, still answering the scrape, and mirrors running totals as counters', async () => {
    const warnings: string[] = [];
    let failures = 2;
    let activeReads = 0;
    const metrics = new KithMetrics({
      queueCounts: () => Promise.reject(new Error('Redis is down')),
      deadLetters: async () => 3,
      deliveryFailures: () => failures,
      activeCounts: async () => {
        activeReads++;
        return { dau: 1, wau: 2, mau: 3, registered: 9 };
      },
      usageDropped: () => 0,
      log: { warn: (_obj, msg) => warnings.push(msg ?? '') },
    });
    const first = await metrics.render();
    expect(sample(first, 'kith_delivery_dead_letters')).toBe(3);
    expect(first).not.toMatch(/^kith_queue_jobs\{/m);
    expect(warnings).toEqual(['metrics: could not read queue depths']);
    expect(sample(first, 'kith_delivery_failures_total')).toBe(2);
    expect(sample(first, 'kith_registered_accounts')).toBe(9);

    failures = 5;
    const second = await metrics.render();
    expect(sample(second, 'kith_delivery_failures_total')).toBe(5);
    expect(sample(second, 'kith_active_accounts', { window: 'month' })).toBe(3);
    // Both account gauges and both scrapes shared one read of the usage rollups.
    expect(activeReads).toBe(1);
  });
});
