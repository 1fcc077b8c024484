// Delivery under faults, over real signed HTTP between real instances: a peer that never answers holds
// no more than its per-host cap while the others get their deliveries; a peer that went down and came
// back gets its backlog once its circuit closes on a verified request; a delivery given up on is a dead
// letter with a real job an admin retries (API and CLI); an activity delivered twice is processed once;
// and the processes themselves crash (kill -9) or lose Redis without losing anything.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Create, Note, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
// @ts-expect-error plain ESM module without types, shared with the launcher
import { freePort, startRedis } from '../../../deploy/services.mjs';
import { runCli } from '../../src/cli/cli.test-support.ts';
import { ApiClient, startTestInstance, type TestInstance, type TestUser } from '../harness.ts';
import { allow, closeAll, contextOf, homeContents, hostOf, post, remoteAccountId, remoteStatusId, settle, startInstances, waitFor, type PostedStatus } from './network.ts';

let a: TestInstance; // the sender
let b: TestInstance; // a healthy peer; taken down and brought back by one test
let bob: TestUser; // on b

/** Whether `on` has its copy of every one of `statuses` (posted elsewhere). */
async function arrived(on: TestInstance, statuses: PostedStatus[]): Promise<boolean> {
  return (await Promise.all(statuses.map((status) => remoteStatusId(on, status.uri)))).every((id) => id !== null);
}

/** `follower` (on `on`) follows `username` of `from` (b follows a unless told), and the Accept has come back. */
async function follows(follower: TestUser, username: string, on: TestInstance = b, from: Pick<TestInstance, 'url'> = a): Promise<void> {
  const id = await remoteAccountId(on, from, username);
  expect((await follower.api.post(`/api/v1/accounts/${id}/follow`)).status).toBe(200);
  await waitFor(async () => {
    const relationship = await follower.api.get('/api/v1/accounts/relationships', { id: [id] });
    return relationship.body[0]?.following === true;
  });
}

/** A fake peer: an HTTP server that answers inbox POSTs as `answer` says, counting what it sees. */
interface FakePeer {
  host: string;
  /** Requests received, open now, most open at once, and answered. */
  received: number;
  open: number;
  maxOpen: number;
  answered: number;
  close(): Promise<void>;
}

async function fakePeer(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<FakePeer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    peer.received++;
    peer.open++;
    peer.maxOpen = Math.max(peer.maxOpen, peer.open);
    response.once('close', () => peer.open--);
    response.once('finish', () => peer.answered++);
    request.resume();
    request.once('end', () => answer(request, response));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const peer: FakePeer = {
    host: `127.0.0.1:${port}`,
    received: 0,
    open: 0,
    maxOpen: 0,
    answered: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return peer;
}

/** Makes the fake peer a peer of `on` with one account (zed) following `target`. */
async function fakeFollower(on: TestInstance, peer: FakePeer, target: TestUser): Promise<void> {
  await on.services.peers.add(null, { host: peer.host, scheme: 'http' });
  await waitFor(async () => (await on.kith.federation.policy.decide(peer.host)) === 'allow');
  const zed = await on.kith.federation.ports.actors.upsertRemote({
    uri: `http://${peer.host}/users/zed`, url: null, host: peer.host, inboxUrl: `http://${peer.host}/users/zed/inbox`,
    sharedInboxUrl: `http://${peer.host}/inbox`, followersUrl: null, username: 'zed', displayName: 'zed', noteHtml: '',
    title: '', department: '', location: '', fields: [], locked: false, bot: false, avatarUrl: null, headerUrl: null,
  });
  expect(await on.kith.federation.ports.follows.receiveFollow(zed, target.account._id, `http://${peer.host}/follows/${target.account.username}`)).toBe('accepted');
}

beforeAll(async () => {
  [a, b] = await startInstances(2);
  await allow(a, b);
  await allow(b, a);
  bob = await b.createUser('bob');
}, 60_000);

afterAll(async () => {
  await closeAll([a, b]);
});

describe('per-host cap', () => {
  it('a peer that never answers holds at most 4 delivery slots, and the other peer gets every status meanwhile', async () => {
    const cap = await a.createUser('cap');
    await follows(bob, 'cap');
    const silent = await fakePeer(() => {}); // accepts, reads, never answers
    try {
      await fakeFollower(a, silent, cap);
      const statuses: PostedStatus[] = [];
      for (let i = 0; i < 12; i++) statuses.push(await post(cap, `capped ${i}`));

      // Every status reaches b while the silent peer still holds requests it never answered.
      await waitFor(() => arrived(b, statuses));
      await waitFor(() => silent.open === a.kith.federation.hostSlots.cap);
      expect(silent.answered).toBe(0);
      expect(silent.maxOpen).toBe(4);
      expect(await a.kith.federation.hostSlots.inFlight(silent.host)).toBe(4);
    } finally {
      await silent.close();
    }
  }, 60_000);
});

describe('dead letters', () => {
  it('a delivery given up on keeps its job: an admin retries it once by API or CLI, and it is sent again', async () => {
    const gone = await a.createUser('gone');
    let status = 410;
    const peer = await fakePeer((_request, response) => {
      response.writeHead(status).end();
    });
    try {
      await fakeFollower(a, peer, gone);
      const admin = await a.createUser('chief', { role: 'admin', scopes: ['read', 'admin:read', 'admin:write'] });
      const member = await a.createUser('staff', { scopes: ['read', 'admin:read', 'admin:write'] });
      const lettersFor = async () =>
        ((await admin.api.get('/api/v1/kith/federation/dead_letters')).body as { id: string; host: string; job_id: string; reason: string; retried_at: string | null }[]).filter(
          (d) => d.host === peer.host,
        );

      await post(gone, 'to a gone inbox');
      await waitFor(async () => (await lettersFor()).length === 1);
      const [first] = await lettersFor();
      expect(first).toMatchObject({ reason: 'http 410', job_id: expect.stringMatching(/.+/), retried_at: null });
      const received = peer.received;

      // Bad ids, someone else than an admin, and an unknown letter change nothing.
      expect((await admin.api.post('/api/v1/kith/federation/dead_letters/bad%20id!/retry')).status).toBe(400);
      expect((await member.api.post(`/api/v1/kith/federation/dead_letters/${first!.id}/retry`)).status).toBe(403);
      expect((await a.api.post(`/api/v1/kith/federation/dead_letters/${first!.id}/retry`)).status).toBe(401);
      expect((await admin.api.post('/api/v1/kith/federation/dead_letters/0000000000000000/retry')).status).toBe(404);

      // Retried while the peer still answers 410: the same job runs again and becomes a new letter.
      const retried = await admin.api.post(`/api/v1/kith/federation/dead_letters/${first!.id}/retry`);
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ id: first!.id, retried_at: expect.any(String) });
      expect((await admin.api.post(`/api/v1/kith/federation/dead_letters/${first!.id}/retry`)).status).toBe(409);
      await waitFor(async () => (await lettersFor()).length === 2);
      const [second] = await lettersFor();
      expect(second).toMatchObject({ job_id: first!.job_id, reason: 'http 410', retried_at: null });
      expect(peer.received).toBeGreaterThan(received);

      // The peer is back: the CLI lists the letter and retries it; the delivery goes through.
      status = 202;
      const listed = await runCli(a, ['deliveries', 'list', '--json']);
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as { id: string }[]).map((d) => d.id)).toContain(second!.id);
      const answered = peer.answered;
      const cli = await runCli(a, ['deliveries', 'retry', second!.id]);
      expect(cli).toMatchObject({ code: 0, stdout: `retried ${second!.id} (${peer.host})\n` });
      await waitFor(() => peer.answered > answered && peer.open === 0);
      await a.kith.federation.idle();
      expect(await lettersFor()).toHaveLength(2);
      expect(await runCli(a, ['deliveries', 'retry', second!.id])).toMatchObject({ code: 1, stderr: 'kith: This dead letter was retried already\n' });
      expect(await runCli(a, ['deliveries', 'retry', '0000000000000000'])).toMatchObject({ code: 1, stderr: 'kith: No dead letter with this id\n' });
      expect((await runCli(a, ['deliveries', 'retry', 'no such id'])).code).toBe(2);
    } finally {
      await peer.close();
    }
  }, 90_000);
});

describe('circuit breaker', () => {
  it('a peer down then back: its circuit opens, closes on its first verified request, and the backlog is delivered', async () => {
    const dora = await a.createUser('dora');
    await follows(bob, 'dora');
    const bHost = hostOf(b);
    const restart = { PORT: String(b.config.port), PUBLIC_URL: b.url, MONGODB_DATABASE: b.config.mongodbDatabase, REDIS_PREFIX: b.config.redisPrefix };
    await b.close();

    const statuses: PostedStatus[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await post(dora, `while b is down ${i}`));
    await waitFor(async () => (await a.kith.federation.circuits.state(bHost))?.state === 'open', 100);
    await a.kith.federation.idle();

    b = await startTestInstance(restart);
    // Held by the open circuit (for its 30 min recovery delay): nothing has gone to b yet.
    for (const status of statuses) expect(await remoteStatusId(b, status.uri)).toBeNull();

    // b's first signed request to a (a signed GET of an actor) closes the circuit and releases the held deliveries.
    await remoteAccountId(b, a, 'dora');
    expect(await a.kith.federation.circuits.state(bHost)).toBeUndefined();
    await waitFor(() => arrived(b, statuses));
  }, 120_000);
});

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.ts');

/** A Kith server as its own process (server/src/main.ts), so that it can be killed with SIGKILL. */
interface ChildKith {
  env: Record<string, string>;
  process: ChildProcess;
  kill9(): Promise<void>;
}

async function startChild(env: Record<string, string>): Promise<ChildKith> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(async () => {
    if (exited) throw new Error(`the child instance exited: ${stderr}`);
    const up = await fetch(`http://127.0.0.1:${env.PORT}/api/v1/instance`).then((r) => r.ok, () => false);
    return up;
  }, 100);
  return {
    env,
    process: child,
    kill9: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

function childEnv(port: number, publicUrl: string): Record<string, string> {
  const unique = randomBytes(4).toString('hex');
  return {
    MONGODB_URL: inject('mongoUrl'), REDIS_URL: inject('redisUrl'), MONGODB_DATABASE: `test_${unique}`, REDIS_PREFIX: `test:${unique}:`,
    INSTANCE_NAME: 'child', PORT: String(port), PUBLIC_URL: publicUrl, LOG_LEVEL: 'silent', REGISTRATION_MODE: 'open',
  };
}

/**
 * A pass-through HTTP proxy in front of a receiving instance (whose PUBLIC_URL it is): while `holding`,
 * it keeps the inbox POSTs it gets unanswered, so deliveries to that instance are surely in flight.
 */
interface HoldingProxy {
  /** `http://127.0.0.1:<port>`, the receiver's public URL. */
  url: string;
  holding: boolean;
  /** Inbox POSTs held now. */
  readonly held: number;
  /** Forwards the held requests to the receiver, and stops holding. */
  release(): void;
  /** Drops the held requests unanswered (their sender is gone), and stops holding. */
  drop(): void;
  close(): Promise<void>;
}

async function holdingProxy(port: number, targetPort: number): Promise<HoldingProxy> {
  const queue: { forward(): void; drop(): void }[] = [];
  const server = createServer((inbound, outbound) => {
    const chunks: Buffer[] = [];
    inbound.on('data', (chunk: Buffer) => chunks.push(chunk));
    inbound.on('end', () => {
      const forward = () => {
        const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: inbound.method, path: inbound.url, headers: inbound.headers }, (response) => {
          outbound.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outbound);
        });
        upstream.on('error', () => outbound.headersSent ? outbound.destroy() : outbound.writeHead(502).end());
        upstream.end(Buffer.concat(chunks));
      };
      if (proxy.holding && inbound.method === 'POST' && inbound.url?.endsWith('/inbox')) queue.push({ forward, drop: () => inbound.socket.destroy() });
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const proxy: HoldingProxy = {
    url: `http://127.0.0.1:${port}`,
    holding: false,
    get held() {
      return queue.length;
    },
    release() {
      proxy.holding = false;
      for (const request of queue.splice(0)) request.forward();
    },
    drop() {
      proxy.holding = false;
      for (const request of queue.splice(0)) request.drop();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

/** A receiving instance behind a holding proxy: other instances reach it only through the proxy. */
async function receiverBehindProxy(env: Record<string, string> = {}): Promise<{ receiver: TestInstance; proxy: HoldingProxy }> {
  const [port, proxyPort] = (await Promise.all([freePort(), freePort()])) as [number, number];
  const proxy = await holdingProxy(proxyPort, port);
  const receiver = await startTestInstance({ ...env, PORT: String(port), PUBLIC_URL: proxy.url }).catch(async (error: unknown) => {
    await proxy.close();
    throw error;
  });
  return { receiver, proxy };
}

/** Waits until the queues of the instance with this Redis URL and prefix hold no job waiting, running or delayed. */
async function drained(redisUrl: string, redisPrefix: string): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    // In the order work flows: events fan out to Fedify's fan-out queue, which fills the outbox.
    for (const name of ['domain-events', 'fedify-fanout', 'fedify-outbox']) {
      const queue = new Queue(name, { connection, prefix: `${redisPrefix}bull` });
      await waitFor(async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0), 200);
      await queue.close();
    }
  } finally {
    connection.disconnect();
  }
}

/** How many times each of `statuses` is in the home timeline of `user` (who follows their author). */
async function timesInHome(user: TestUser, statuses: PostedStatus[]): Promise<number[]> {
  const home = await homeContents(user);
  return statuses.map((status) => home.filter((content) => content === status.content).length);
}

describe('crashes', () => {
  it('an inbound activity answered 202 is processed after a kill -9 right after the 202 and a restart', async () => {
    // a → proxy → child. The proxy kills the child (SIGKILL) the moment the child's 202 arrives, then passes it on.
    const port = await freePort();
    let killOn202: (() => Promise<void>) | null = null;
    const statuses: number[] = [];
    const proxy = createServer((inbound, outbound) => {
      const upstream = httpRequest({ host: '127.0.0.1', port, method: inbound.method, path: inbound.url, headers: inbound.headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', async () => {
          if (response.statusCode === 202 && killOn202) await killOn202();
          statuses.push(response.statusCode ?? 0);
          outbound.writeHead(response.statusCode ?? 502, response.headers).end(Buffer.concat(chunks));
        });
      });
      upstream.on('error', () => outbound.writeHead(502).end());
      inbound.pipe(upstream);
    });
    const proxyPort = await freePort();
    await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
    const childHost = `127.0.0.1:${proxyPort}`;
    const env = childEnv(port, `http://${childHost}`);
    const mongo = await MongoClient.connect(inject('mongoUrl'));
    let child: ChildKith | null = null;
    try {
      expect((await runCli(a, ['peers', 'add', hostOf(a), '--http'], env)).code).toBe(0);
      await a.services.peers.add(null, { host: childHost, scheme: 'http' });
      await waitFor(async () => (await a.kith.federation.policy.decide(childHost)) === 'allow');
      const fay = await a.createUser('fay');
      child = await startChild(env);
      const running = child;
      killOn202 = async () => {
        killOn202 = null;
        await running.kill9();
      };

      const ctx = contextOf(a);
      const actor = ctx.getActorUri('fay');
      const noteId = new URL(`${actor.href}/statuses/crash-1`);
      const activityId = new URL(`${noteId.href}/activity`);
      const note = new Note({ id: noteId, attribution: actor, content: '<p>said just before a crash</p>', tos: [PUBLIC_COLLECTION] });
      await ctx.sendActivity({ identifier: 'fay' }, { id: new URL(`http://${childHost}/actor`), inboxId: new URL(`http://${childHost}/inbox`) }, new Create({ id: activityId, actor, object: note, tos: [PUBLIC_COLLECTION] }));
      await waitFor(() => statuses.includes(202));
      expect(child.process.exitCode ?? child.process.signalCode).toBe('SIGKILL');
      const inbound = mongo.db(env.MONGODB_DATABASE).collection<{ _id: string; state: string }>('federation_inbound');
      // Acknowledged, not yet processed when the process died: the window was real.
      expect((await inbound.findOne({ _id: activityId.href }))?.state).not.toBe('done');

      child = await startChild(env);
      await waitFor(async () => (await inbound.findOne({ _id: activityId.href }))?.state === 'done', 200);
      const stored = await mongo.db(env.MONGODB_DATABASE).collection('statuses').findOne({ uri: noteId.href });
      expect(stored).not.toBeNull();
      void fay;
    } finally {
      await child?.kill9();
      await mongo.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  }, 240_000);

  it('deliveries pending when the sending process is killed (kill -9) are sent after its restart, each status once', async () => {
    // The sender runs as a child process; the receiver (rob) sits behind a proxy that holds every delivery to
    // it, so at the kill the statuses are surely queued or in flight, and none has arrived.
    const port = await freePort();
    const env: Record<string, string> = { ...childEnv(port, `http://127.0.0.1:${port}`), WRITE_RATE_LIMIT: '100000' };
    const sender = { url: env.PUBLIC_URL! };
    const { receiver, proxy } = await receiverBehindProxy();
    let child: ChildKith | null = null;
    try {
      await allow(receiver, sender);
      expect((await runCli(a, ['peers', 'add', hostOf(receiver), '--http'], env)).code).toBe(0);
      expect((await runCli(a, ['accounts', 'create', 'sam', '--email', 'sam@example.test', '--password', 'correct horse battery'], env)).code).toBe(0);
      const token = await runCli(a, ['token', 'sam'], env);
      expect(token.code).toBe(0);
      const sam = { api: new ApiClient(sender.url, token.stdout.trim()) };
      child = await startChild(env);
      const rob = await receiver.createUser('rob');
      await follows(rob, 'sam', receiver, sender);

      proxy.holding = true;
      const statuses: PostedStatus[] = [];
      for (let i = 0; i < 8; i++) statuses.push(await post(sam, `queued at the crash (${i})`));
      // The sender's per-host cap (4) of deliveries is held open at the proxy; the other statuses wait in its queues.
      await waitFor(() => proxy.held === 4);
      await child.kill9();
      proxy.drop();
      for (const status of statuses) expect(await remoteStatusId(receiver, status.uri)).toBeNull();

      child = await startChild(env);
      await waitFor(() => arrived(receiver, statuses), 200);
      // Deliveries that were running at the kill are retried once their locks lapse: wait them out, then count.
      await drained(env.REDIS_URL!, env.REDIS_PREFIX!);
      await receiver.idle();
      await receiver.kith.federation.idle();
      await receiver.idle();
      expect(await timesInHome(rob, statuses)).toEqual(statuses.map(() => 1));
    } finally {
      await child?.kill9();
      await receiver.close();
      await proxy.close();
    }
  }, 300_000);
});

describe('Redis restarted', () => {
  it('during delivery: every status arrives once, and both instances keep serving and delivering', async () => {
    // A Redis of this test's own, persisting to an append-only file (stopped with SIGTERM, so it is flushed).
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kith-redis-'));
    let redis = await startRedis({ dataDir });
    let sender: TestInstance | undefined;
    let behind: Awaited<ReturnType<typeof receiverBehindProxy>> | undefined;
    try {
      const env = { REDIS_URL: redis.url as string };
      [sender, behind] = await Promise.all([startTestInstance(env), receiverBehindProxy(env)]);
      const { receiver, proxy } = behind;
      await allow(sender, receiver);
      await allow(receiver, sender);
      const [sue, rob] = await Promise.all([sender.createUser('sue'), receiver.createUser('rob')]);
      await follows(rob, 'sue', receiver, sender);

      proxy.holding = true;
      const statuses: PostedStatus[] = [];
      for (let i = 0; i < 8; i++) statuses.push(await post(sue, `sent across a Redis restart (${i})`));
      // As many deliveries as the per-host cap allows are in flight (held at the proxy), the rest queued.
      await waitFor(() => proxy.held === sender!.kith.federation.hostSlots.cap);
      for (const status of statuses) expect(await remoteStatusId(receiver, status.uri)).toBeNull();

      await redis.stop();
      // The held deliveries reach the receiver while Redis is down; its inbox must not lose them either.
      proxy.release();
      redis = await startRedis({ dataDir, port: redis.port });

      await waitFor(() => arrived(receiver, statuses), 200);
      await drained(redis.url, sender.config.redisPrefix);
      await settle([sender, receiver]);
      expect(await timesInHome(rob, statuses)).toEqual(statuses.map(() => 1));

      // Both still serve, and their workers took up work again: a status posted now is delivered too.
      const after = await post(sue, 'after the Redis restart');
      await waitFor(async () => (await remoteStatusId(receiver, after.uri)) !== null, 200);
      for (const instance of [sender, receiver]) expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);
    } finally {
      await closeAll([sender, behind?.receiver]);
      await behind?.proxy.close();
      await redis.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('idempotency', () => {
  it('the same activity delivered twice (two signed requests, both 202) is processed once', async () => {
    const gil = await a.createUser('gil');
    await follows(bob, 'gil');
    const ctx = contextOf(a);
    const actor = ctx.getActorUri('gil');
    const noteId = new URL(`${actor.href}/statuses/twice-1`);
    const create = new Create({ id: new URL(`${noteId.href}/activity`), actor, object: new Note({ id: noteId, attribution: actor, content: '<p>twice</p>', tos: [PUBLIC_COLLECTION] }), tos: [PUBLIC_COLLECTION] });
    const bInbox = { id: new URL(`${b.url}/actor`), inboxId: new URL(`${b.url}/inbox`) };
    await ctx.sendActivity({ identifier: 'gil' }, bInbox, create);
    await ctx.sendActivity({ identifier: 'gil' }, bInbox, create);
    await a.kith.federation.idle();
    await waitFor(async () => (await b.services.federationState.claim(create.id!.href, 'Create')) === 'done');
    await b.kith.federation.idle();
    expect((await homeContents(bob)).filter((content) => content.includes('twice'))).toHaveLength(1);
    void gil;
  }, 60_000);
});
