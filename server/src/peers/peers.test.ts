// The federation peer list: the admin API over real HTTP, host normalization, the allow/block rules of
// both modes, and how a change reaches another process (a second service on the same MongoDB and Redis).
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../../test/harness.ts';
import { normalizePeerHost } from './peer-host.ts';
import { PeersService } from './peers.service.ts';
import { PeersStore } from './peers.store.ts';
import type { FederationMode } from '../config.ts';

const ADMIN_SCOPES = ['read', 'write', 'admin:read', 'admin:write'];
const PEERS = '/api/v1/kith/federation/peers';

let kith: TestInstance;
let admin: TestUser;
let mongo: MongoClient;
const redisClients: Redis[] = [];
const others: PeersService[] = [];

/** Another process's view of the same peer list. */
function otherProcess(mode: FederationMode): PeersService {
  const redis = new Redis(inject('redisUrl'));
  redisClients.push(redis);
  const service = new PeersService({
    store: new PeersStore(mongo.db(kith.config.mongodbDatabase)),
    mode,
    redisConnection: redis,
    redisPrefix: kith.config.redisPrefix,
    log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
  });
  others.push(service);
  return service;
}

async function storedHosts(): Promise<string[]> {
  return (await kith.services.peers.list(null)).map((p) => p.host);
}

beforeAll(async () => {
  kith = await startTestInstance();
  admin = await kith.createUser('chief', { role: 'admin', scopes: ADMIN_SCOPES });
  mongo = await MongoClient.connect(inject('mongoUrl'));
});

afterAll(async () => {
  for (const service of others) await service.close();
  for (const redis of redisClients) redis.disconnect();
  await mongo?.close();
  await kith?.close();
});

describe('peer hosts', () => {
  it('normalizes case, IDN and look-alike letters, IP forms, trailing dots and default ports', () => {
    expect(normalizePeerHost('Sales.Example.COM')).toBe('sales.example.com');
    expect(normalizePeerHost('bücher.example')).toBe('xn--bcher-kva.example');
    // A Cyrillic "а" is another host, written in punycode so it can never pass for the Latin one.
    expect(normalizePeerHost('exаmple.com')).toBe('xn--exmple-4nf.com');
    expect(normalizePeerHost('ｅxample.com')).toBe('example.com');
    expect(normalizePeerHost('example.com.:8443')).toBe('example.com:8443');
    expect(normalizePeerHost('0x7f.1:3102')).toBe('127.0.0.1:3102');
    expect(normalizePeerHost('[::FFFF:127.0.0.1]:3000')).toBe('[::ffff:7f00:1]:3000');
    expect(normalizePeerHost('example.com:443', 'https')).toBe('example.com');
    expect(normalizePeerHost('example.com:443', 'http')).toBe('example.com:443');
    expect(normalizePeerHost('example.com:80', 'http')).toBe('example.com');
  });

  it('refuses anything but host[:port]', () => {
    for (const bad of ['', 'https://example.com', 'example.com/path', 'user@example.com', 'example.com?x', 'example.com#x', 'exa mple.com',
      'example.com:99999', 'example.com:', 'under_score.com', 'a..b', '%65xample.com', 'example.com\\x']) {
      expect(() => normalizePeerHost(bad), bad).toThrow(/Host must be host\[:port\]/);
    }
  });
});

describe('peers admin API', () => {
  it('adds, lists, changes and removes peers (admins)', async () => {
    const added = await admin.api.post(PEERS, { host: 'Engineering.Example:443', note: 'the engineers' });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({
      host: 'engineering.example', scheme: 'https', state: 'allow', note: 'the engineers', created_at: expect.any(String), created_by: admin.account._id, source: 'admin',
    });
    const loopback = await admin.api.post(PEERS, { host: '127.0.0.1:3102', scheme: 'http' });
    expect(loopback.body).toMatchObject({ host: '127.0.0.1:3102', scheme: 'http', state: 'allow', note: '' });
    // The same host again changes its entry; it never adds a second one.
    const blocked = await admin.api.post(PEERS, { host: 'ENGINEERING.example', state: 'block' });
    expect(blocked.body).toMatchObject({ host: 'engineering.example', state: 'block', note: '' });
    const list = await admin.api.get(PEERS);
    expect(list.status).toBe(200);
    expect(list.body.map((p: { host: string; state: string }) => `${p.host} ${p.state}`)).toEqual(['127.0.0.1:3102 allow', 'engineering.example block']);

    expect((await admin.api.delete(`${PEERS}/${encodeURIComponent('Engineering.Example')}`)).status).toBe(200);
    expect((await admin.api.delete(`${PEERS}/engineering.example`)).status).toBe(404);
    expect(await storedHosts()).toEqual(['127.0.0.1:3102']);
    expect((await admin.api.delete(`${PEERS}/127.0.0.1:3102`)).status).toBe(200);
    expect(await storedHosts()).toEqual([]);
  });

  it('is for admins with admin scopes only', async () => {
    const member = await kith.createUser('staff', { scopes: ADMIN_SCOPES });
    const adminWithoutScopes = await kith.createUser('deputy', { role: 'admin', scopes: ['read', 'write'] });
    const readOnlyAdmin = await kith.createUser('auditor', { role: 'admin', scopes: ['admin:read'] });
    expect((await kith.api.get(PEERS)).status).toBe(401);
    expect((await kith.api.post(PEERS, { host: 'x.example' })).status).toBe(401);
    expect((await member.api.get(PEERS)).status).toBe(403);
    expect((await member.api.post(PEERS, { host: 'x.example' })).status).toBe(403);
    expect((await adminWithoutScopes.api.get(PEERS)).status).toBe(403);
    expect((await adminWithoutScopes.api.post(PEERS, { host: 'x.example' })).status).toBe(403);
    expect((await readOnlyAdmin.api.get(PEERS)).status).toBe(200);
    expect((await readOnlyAdmin.api.post(PEERS, { host: 'x.example' })).status).toBe(403);
    expect((await readOnlyAdmin.api.delete(`${PEERS}/x.example`)).status).toBe(403);
    expect(await storedHosts()).toEqual([]);
  });

  it('answers bad input with 400 or 422 and stores nothing', async () => {
    const cases: [unknown, number][] = [
      [{}, 400],
      [{ host: '' }, 400],
      [{ host: 'x.example', state: 'maybe' }, 400],
      [{ host: 'x.example', scheme: 'ftp' }, 400],
      [{ host: 'x.example', colour: 'red' }, 400],
      [{ host: 'x.example', note: 'n'.repeat(501) }, 400],
      [{ host: 42 }, 400],
      [{ host: 'https://x.example' }, 422],
      [{ host: 'x.example/inbox' }, 422],
      [{ host: 'admin@x.example' }, 422],
      [{ host: 'x.example:70000' }, 422],
      [{ host: 'x_y.example' }, 422],
    ];
    for (const [body, status] of cases) {
      const res = await admin.api.post(PEERS, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error, JSON.stringify(body)).toEqual(expect.any(String));
    }
    expect((await admin.api.delete(`${PEERS}/${encodeURIComponent('https://x.example')}`)).status).toBe(422);
    expect(await storedHosts()).toEqual([]);
  });
});

describe('isAllowed', () => {
  it('in allowlist mode allows only allowed peers, and a block beats an allow', async () => {
    const peers = kith.services.peers;
    expect(kith.config.federationMode).toBe('allowlist');
    await peers.add(null, { host: 'sales.example' });
    await peers.add(null, { host: '127.0.0.1:3101', scheme: 'http' });
    expect(await peers.isAllowed('sales.example')).toBe(true);
    expect(await peers.isAllowed('SALES.example')).toBe(true);
    expect(await peers.isAllowed('127.0.0.1:3101')).toBe(true);
    expect(await peers.isAllowed('127.0.0.1:3109')).toBe(false);
    expect(await peers.isAllowed('sales.example.evil.example')).toBe(false);
    expect(await peers.isAllowed('sаles.example')).toBe(false);
    expect(await peers.isAllowed('https://sales.example')).toBe(false);
    expect(await peers.isAllowed('stranger.example')).toBe(false);
    await peers.add(null, { host: 'sales.example', state: 'block' });
    expect(await peers.isAllowed('sales.example')).toBe(false);
    await peers.remove(null, 'sales.example');
    await peers.remove(null, '127.0.0.1:3101');
  });

  it('in open mode allows anyone not blocked', async () => {
    const open = otherProcess('open');
    await kith.services.peers.add(null, { host: 'blocked.example', state: 'block' });
    expect(await open.isAllowed('stranger.example')).toBe(true);
    expect(await open.isAllowed('Blocked.Example')).toBe(false);
    expect(await open.isAllowed('not a host')).toBe(false);
    await kith.services.peers.remove(null, 'blocked.example');
  });

  it('reaches every process when the list changes (Redis pub/sub)', async () => {
    const other = otherProcess('allowlist');
    expect(await other.isAllowed('hq.example')).toBe(false);
    await other.listening();
    const changed = new Promise<void>((resolve) => other.onChange(resolve));
    await kith.services.peers.add(admin.account, { host: 'hq.example' });
    await changed;
    expect(await other.isAllowed('hq.example')).toBe(true);
    expect((await other.entries()).map((p) => p.host)).toEqual(['hq.example']);

    const removed = new Promise<void>((resolve) => other.onChange(resolve));
    await kith.services.peers.remove(admin.account, 'hq.example');
    await removed;
    expect(await other.isAllowed('hq.example')).toBe(false);
  });
});
