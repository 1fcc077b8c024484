// Probes and graceful shutdown, against real servers: a private redis-server that the test stops and
// starts again, and real HTTP, SSE and WebSocket clients that are in flight while the server closes.
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';
// @ts-expect-error plain ESM module without types, shared with the launcher
import { startRedis } from '../../../deploy/services.mjs';

let kith: TestInstance;

beforeAll(async () => {
  kith = await startTestInstance();
});
afterAll(async () => kith.close());

describe('liveness and readiness', () => {
  it('answers /healthz and /readyz anonymously with the checks', async () => {
    const live = await kith.api.get('/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await kith.api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { mongodb: 'ok', redis: 'ok' } });
  });

  it('leaves the probes out of rate limiting', async () => {
    const limited = await startTestInstance({ WRITE_RATE_LIMIT: '1' });
    try {
      const res = await limited.api.get('/readyz');
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      // Writes of the same caller are limited; probes carry no limit headers at all.
      expect((await limited.api.post('/api/v1/apps', {})).headers.get('x-ratelimit-limit')).toBe('1');
    } finally {
      await limited.close();
    }
  });
});

describe('readiness when Redis goes away', () => {
  it('answers 503 naming redis, recovers when it is back, and closes every connection on shutdown', async () => {
    const redis = await startRedis();
    const instance = await startTestInstance({ REDIS_URL: redis.url });
    // Frozen rather than stopped: a stopped server's port could be taken by another test file's
    // server before it is started again, while a frozen one keeps it and answers nothing.
    let frozen = false;
    try {
      expect((await instance.api.get('/readyz')).status).toBe(200);
      process.kill(redis.pid, 'SIGSTOP');
      frozen = true;

      const down = await instance.api.get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body.failed).toEqual(['redis']);
      expect(down.body.checks.mongodb).toBe('ok');
      expect(down.body.checks.redis).not.toBe('ok');
      expect(down.body.error).toMatch(/redis/);
      // Liveness does not depend on Redis.
      expect((await instance.api.get('/healthz')).status).toBe(200);

      process.kill(redis.pid, 'SIGCONT');
      frozen = false;
      let ready = 0;
      for (let i = 0; i < 200 && ready !== 200; i++) {
        ready = (await instance.api.get('/readyz')).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      expect(ready).toBe(200);

      await instance.close();
      const probe = new Redis(redis.url);
      const clients = String(await probe.client('LIST')).trim().split('\n');
      await probe.quit();
      // Only the probe itself is left: the instance closed its API, BullMQ, and pub/sub connections.
      expect(clients, clients.join("\n")).toHaveLength(1);
    } finally {
      if (frozen) process.kill(redis.pid, 'SIGCONT');
      await instance.close();
      await redis.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, ends SSE and WebSocket streams, drops idle connections, then refuses new requests', async () => {
    const instance = await startTestInstance();
    const user = await instance.createUser('closer');
    const sse = await fetch(`${instance.url}/api/v1/streaming/public/local`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(sse.status).toBe(200);
    const ws = new WebSocket(`${instance.url.replace('http', 'ws')}/api/v1/streaming?access_token=${user.token}`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const wsClosed = new Promise<number>((resolve) => {
      ws.onclose = (event) => resolve(event.code);
    });
    // A connection opened ahead of time that never sends a request (browsers and proxies do this).
    const preconnected = net.connect(Number(new URL(instance.url).port), '127.0.0.1');
    await new Promise((resolve) => preconnected.once('connect', resolve));
    const preconnectedClosed = new Promise((resolve) => preconnected.once('close', resolve));

    // A request whose body is still arriving when shutdown starts.
    let sendRest!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"status": "posted while '));
        sendRest = () => {
          controller.enqueue(new TextEncoder().encode('shutting down"}'));
          controller.close();
        };
      },
    });
    const inFlight = fetch(`${instance.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    // The server has the request once its first bytes arrived; wait until Node counts the connection.
    for (let i = 0; i < 200 && (await connectionCount(instance)) < 4; i++) await new Promise((r) => setTimeout(r, 10));

    const closing = instance.kith.close();
    sendRest();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { content: string }).content).toContain('posted while shutting down');
    expect(await wsClosed).toBe(1001);
    // The event stream ends instead of holding the shutdown open.
    expect(await sse.text()).toContain(':)');
    await closing;
    await preconnectedClosed;
    await expect(fetch(`${instance.url}/healthz`)).rejects.toThrow();
  });
});

function connectionCount(instance: TestInstance): Promise<number> {
  return new Promise((resolve, reject) => instance.kith.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}
