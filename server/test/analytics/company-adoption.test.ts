// Company-wide adoption (issue 6, item 3; docs/connectors-design.md §8): two linked departments, each
// with generated usage (200 accounts in 5 departments over both, 60 days); `b` sits behind a recording
// proxy, so the test sees the exact bytes `b` sends `a` for its report. Who may read a report (signed GETs
// from network members only), what it holds (aggregates, never a person), and what `a` does with a peer
// that answers garbage.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import { signRequest } from '@fedify/fedify';
import { startTestInstance, type TestInstance } from '../harness.ts';
import { closeDepartments, link, startDepartments, type Department } from '../connectors/departments.ts';
import { AS, keyOf, rsaKeyPair, startAttacker, type Attacker, type SigningKey } from '../federation/attacker.ts';
import { addDays, expectedReport, factsOf, planUsage, seedUsage, today, type ExpectedAccount, type UsagePlan } from './generated-usage.ts';
import { MIN_SHARED_GROUP, OTHER_API_CLIENT, OTHER_DEPARTMENTS, USAGE_FEATURES, type AdoptionReport, type UsagePeriod } from '../../src/analytics/usage.types.ts';
import { SHARED_REPORT_KEYS } from '@kith/federation';
// @ts-expect-error plain ESM module without types, shared with the launcher
import { freePort } from '../../../deploy/services.mjs';

// ---------------------------------------------------------------------------------------------
// A recording (and, on demand, tampering) proxy in front of `b`: `b`'s PUBLIC_URL is the proxy's.

interface Exchange {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes of the response body as they left `b`. */
  body: Buffer;
}

interface RecordingProxy {
  url: string;
  host: string;
  exchanges: Exchange[];
  /** Rewrites the body of `/adoption` answers on their way out (null: passes them through). */
  tamper: ((body: Buffer) => Buffer) | null;
  /** Keeps `/adoption` requests unanswered (until `drop`). */
  holding: boolean;
  /** Ends the held requests unanswered. */
  drop(): void;
  close(): Promise<void>;
}

async function recordingProxy(port: number, targetPort: number): Promise<RecordingProxy> {
  const held: (() => void)[] = [];
  const server: Server = createServer((inbound, outbound) => {
    const chunks: Buffer[] = [];
    inbound.on('data', (chunk: Buffer) => chunks.push(chunk));
    inbound.on('end', () => {
      if (proxy.holding && inbound.url?.includes('/adoption')) {
        held.push(() => inbound.socket.destroy());
        return;
      }
      const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: inbound.method, path: inbound.url, headers: inbound.headers }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(parts);
          const path = inbound.url ?? '/';
          proxy.exchanges.push({ method: inbound.method ?? 'GET', path, status: response.statusCode ?? 0, headers: response.headers, body });
          const tamper = proxy.tamper && path.includes('/adoption') && response.statusCode === 200 ? proxy.tamper : null;
          const sent = tamper ? tamper(decoded(body, response.headers['content-encoding'])) : body;
          const headers = { ...response.headers };
          delete headers['transfer-encoding'];
          if (tamper) delete headers['content-encoding'];
          headers['content-length'] = String(sent.length);
          outbound.writeHead(response.statusCode ?? 502, headers);
          outbound.end(sent);
        });
      });
      upstream.on('error', () => (outbound.headersSent ? outbound.destroy() : outbound.writeHead(502).end()));
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const proxy: RecordingProxy = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    exchanges: [],
    tamper: null,
    holding: false,
    drop() {
      proxy.holding = false;
      for (const end of held.splice(0)) end();
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return proxy;
}

function decoded(body: Buffer, encoding: string | string[] | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  return body;
}

/** A department whose instance is reached only through a recording proxy. */
async function departmentBehindProxy(name: string): Promise<{ department: Department; proxy: RecordingProxy }> {
  const [port, proxyPort] = (await Promise.all([freePort(), freePort()])) as [number, number];
  const proxy = await recordingProxy(proxyPort, port);
  const instance = await startTestInstance({ INSTANCE_NAME: name, PORT: String(port), PUBLIC_URL: proxy.url });
  const admin = await instance.createUser(`${name}_admin`, { role: 'admin', scopes: ['read', 'write', 'follow', 'admin:read', 'admin:write'] });
  const connector = await instance.createUser(`${name}_connector`, { role: 'connector' });
  const member = await instance.createUser(`${name}_member`);
  return { department: { name, instance, host: proxy.host, actorUrl: `${instance.url}/users/${name}`, admin, connector, member }, proxy };
}

// ---------------------------------------------------------------------------------------------

/**
 * 200 accounts in 5 departments over the two instances; `b`'s Legal is too small to be shown on its own,
 * and too small to be the fold on its own: Finance, b's smallest other department, joins it.
 */
const A_DEPARTMENTS = [
  { name: 'Engineering', accounts: 30, activity: 0.7 }, { name: 'Finance', accounts: 15, activity: 0.25 },
  { name: 'Legal', accounts: 16, activity: 0.12 }, { name: 'Sales', accounts: 25, activity: 0.55 }, { name: 'Support', accounts: 14, activity: 0.4 },
];
const B_DEPARTMENTS = [
  { name: 'Engineering', accounts: 30, activity: 0.6 }, { name: 'Finance', accounts: 15, activity: 0.3 },
  { name: 'Legal', accounts: MIN_SHARED_GROUP - 1, activity: 0.3 }, { name: 'Sales', accounts: 25, activity: 0.5 }, { name: 'Support', accounts: 26, activity: 0.45 },
];

let a: Department;
let b: Department;
let c: TestInstance; // an allowed peer of b's, not linked
let proxy: RecordingProxy;
let attacker: Attacker;
let aPlan: UsagePlan;
let bPlan: UsagePlan;
let aAccounts: ExpectedAccount[];
let bAccounts: ExpectedAccount[];
const lastDay = addDays(today(), -1);

beforeAll(async () => {
  let started: Record<'a', Department>;
  [started, { department: b, proxy }, c, attacker] = await Promise.all([
    startDepartments(['a'] as const), departmentBehindProxy('b'), startTestInstance({ INSTANCE_NAME: 'c' }), startAttacker(),
  ]);
  a = started.a;
  await link(a, b);
  aPlan = planUsage({ seed: 61, days: 60, lastDay, departments: A_DEPARTMENTS, prefix: 'aperson' });
  bPlan = planUsage({ seed: 62, days: 60, lastDay, departments: B_DEPARTMENTS, prefix: 'bperson' });
  await Promise.all([seedUsage(a.instance, aPlan), seedUsage(b.instance, bPlan)]);
  const made = (d: Department) => [d.admin, d.connector, d.member].map((u) => factsOf(u.account));
  aAccounts = [...aPlan.accounts, ...made(a)];
  bAccounts = [...bPlan.accounts, ...made(b)];
  // c knows b as a peer (its signature verifies on b), but no link joins them.
  await b.instance.services.peers.add(null, { host: new URL(c.url).host, scheme: 'http' });
  await c.services.peers.add(null, { host: b.host, scheme: 'http' });
}, 300_000);

afterAll(async () => {
  await closeDepartments({ a, b });
  await Promise.all([c?.close(), proxy?.close(), attacker?.close()]);
});

const whole = (): UsagePeriod => ({ from: aPlan.firstDay, to: lastDay });

/** Integers exactly, ratios to 12 digits, everything else equal. */
function expectFigures(actual: unknown, expected: unknown, path = 'report'): void {
  if (typeof expected === 'number' && !Number.isInteger(expected)) {
    expect(typeof actual, path).toBe('number');
    expect(actual as number, path).toBeCloseTo(expected, 12);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((item, i) => expectFigures((actual as unknown[])[i], item, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectFigures((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

async function company(period: UsagePeriod, user = a.connector) {
  const response = await user.api.get('/api/v1/kith/analytics/company', { from: period.from, to: period.to });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { period: UsagePeriod; instances: { host: string; instance: string; self: boolean; ok: boolean; error: string | null; report: AdoptionReport | null }[] };
}

function reportUrl(d: Department, period: UsagePeriod | { from: string; to: string }): string {
  return `${d.actorUrl}/adoption?from=${period.from}&to=${period.to}`;
}

async function signedGet(url: string, key: SigningKey): Promise<{ status: number; type: string | null; text: string }> {
  const signed = await signRequest(new Request(url, { headers: { accept: AS } }), key.privateKey, key.keyId, { spec: 'draft-cavage-http-signatures-12' });
  const response = await fetch(signed);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** Every key of a JSON value, at any depth, with the path of the object holding it. */
function keysOf(value: unknown, path: string[] = [], out: { key: string; parent: string }[] = []): { key: string; parent: string }[] {
  if (Array.isArray(value)) for (const item of value) keysOf(item, path, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push({ key, parent: path[path.length - 1] ?? '' });
      keysOf(item, [...path, key], out);
    }
  }
  return out;
}

describe('the company view', () => {
  it('lists a (self) then b, and b’s figures equal the independent computation from b’s raw events and b’s own report', async () => {
    for (const period of [whole(), { from: addDays(lastDay, -29), to: lastDay }]) {
      const body = await company(period);
      expect(body.period).toEqual(period);
      expect(body.instances.map((i) => [i.host, i.self, i.ok, i.error])).toEqual([[a.host, true, true, null], [b.host, false, true, null]]);
      expect(body.instances.map((i) => i.instance)).toEqual(['a', 'b']);
      expectFigures(body.instances[0]!.report, expectedReport('a', aAccounts, aPlan.events, period), 'a');
      const expected = expectedReport('b', bAccounts, bPlan.events, period);
      expectFigures(body.instances[1]!.report, expected, 'b');
      // The same as b's own report, and b's own dashboard's summary.
      expectFigures(body.instances[1]!.report, await b.instance.services.analytics.report(period), 'b itself');
      const dashboard = await b.admin.api.get('/api/v1/kith/analytics', { from: period.from, to: period.to });
      expect(dashboard.status).toBe(200);
      const { registered, dau, wau, mau, activated, events } = dashboard.body.summary;
      expect(body.instances[1]!.report!.total).toMatchObject({ registered, dau, wau, mau, activated, events });
      // b's Legal (fewer than MIN_SHARED_GROUP accounts) is folded, with Finance to make the fold big enough; a's is not.
      const names = (i: number) => body.instances[i]!.report!.departments.map((d) => d.department);
      expect(names(1)).toEqual(['Engineering', 'Sales', 'Support', OTHER_DEPARTMENTS]);
      expect(names(0)).toContain('Legal');
    }
  });

  it('b’s report on the wire holds no username, account id, display name or email of b’s accounts, and only allowed keys', async () => {
    const period = { from: addDays(lastDay, -6), to: lastDay };
    const before = proxy.exchanges.length;
    const first = await company(period);
    expect(first.instances[1]!.ok).toBe(true);
    const sent = proxy.exchanges.slice(before).filter((e) => e.path.includes('/adoption'));
    expect(sent.map((e) => [e.method, e.status])).toEqual([['GET', 200]]);
    const exchange = sent[0]!;
    // Asked again within 5 minutes: the view answers from its cache, b is not asked.
    expect((await company(period)).instances[1]!.report).toEqual(first.instances[1]!.report);
    expect(proxy.exchanges.slice(before).filter((e) => e.path.includes('/adoption'))).toHaveLength(1);
    expect(exchange.headers['content-type']).toMatch(/^application\/activity\+json/);
    expect(exchange.headers['set-cookie']).toBeUndefined();
    const text = decoded(exchange.body, exchange.headers['content-encoding']).toString('utf8');
    const people = [...bAccounts, ...[b.admin, b.connector, b.member].map((u) => ({ ...factsOf(u.account), email: u.account.email }))];
    const tokens = new Set<string>();
    for (const person of people) {
      for (const token of [person.id, person.username, person.displayName, `${person.username}@example.test`, `/users/${person.username}`, `@${person.username}`]) tokens.add(token);
      if ('email' in person && typeof person.email === 'string') tokens.add(person.email);
    }
    expect(tokens.size).toBeGreaterThan(400);
    const leaked = [...tokens].filter((token) => text.includes(token) || text.toLowerCase().includes(token.toLowerCase()));
    expect(leaked).toEqual([]);
    // The folded departments' names do not leave either.
    expect(text).not.toContain('Legal');
    expect(text).not.toContain('Finance');

    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json.id).toBe(reportUrl(b, period));
    const clientNames = new Set([...bPlan.events.map((e) => e.client), OTHER_API_CLIENT]);
    const allowed = new Set<string>(SHARED_REPORT_KEYS);
    for (const { key, parent } of keysOf(json)) {
      if (parent === 'features') expect(USAGE_FEATURES as readonly string[], key).toContain(key);
      else if (parent === 'clients') expect(clientNames.has(key), key).toBe(true);
      else expect(allowed.has(key), key).toBe(true);
    }
    const stringsOf = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(stringsOf) : v && typeof v === 'object' ? Object.values(v).flatMap(stringsOf) : []);
    // The only strings: the URL asked, the period, the instance's and departments' names.
    expect(new Set(stringsOf(json))).toEqual(new Set([reportUrl(b, period), period.from, period.to, 'b', 'Engineering', 'Sales', 'Support', OTHER_DEPARTMENTS]));
  });

  it('a peer that adds per-person fields has them dropped; one that answers garbage is ok: false, and the view still answers', async () => {
    const { from } = { from: addDays(lastDay, -13) };
    try {
      proxy.tamper = (body) => {
        const json = JSON.parse(body.toString('utf8'));
        json.accounts = [{ id: bPlan.accounts[0]!.id, username: 'bperson0', email: 'bperson0@example.test' }];
        json.departments[0].members = ['bperson1'];
        json.total.top_poster = { username: 'bperson2', display_name: 'Engineering person 2' };
        return Buffer.from(JSON.stringify(json));
      };
      const extra = await company({ from, to: lastDay });
      expect(extra.instances[1]).toMatchObject({ ok: true, error: null });
      const text = JSON.stringify(extra);
      for (const token of ['bperson0', 'bperson1', 'bperson2', 'top_poster', 'members', 'accounts', bPlan.accounts[0]!.id]) expect(text).not.toContain(token);
      expectFigures(extra.instances[1]!.report, expectedReport('b', bAccounts, bPlan.events, { from, to: lastDay }), 'b');

      const garbage: [string, (json: any) => unknown, RegExp][] = [
        ['a negative count', (json) => ((json.total.dau = -1), json), /^invalid report: total\.dau /],
        ['a count that is a string', (json) => ((json.departments[1].registered = '12'), json), /^invalid report: departments\[1\]\.registered /],
        ['a fraction for a count', (json) => ((json.total.features.post = 1.5), json), /^invalid report: total\.features: a count is not a non-negative integer$/],
        // The peer's own names and values never show in the error.
        ['a bad count under a name of its own', (json) => ((json.total.clients["Jane Doe's bot"] = -7), json), /^invalid report: total\.clients: a count is not a non-negative integer$/],
        ['a name of 101 characters in clients', (json) => ((json.departments[0].clients['Jane'.repeat(26)] = 1), json), /^invalid report: departments\[0\]\.clients: too many or invalid names$/],
        // (The guarded loader refuses a __proto__ key in any document before the report is read.)
        ['a __proto__ client', (json) => ((json.total.clients = JSON.parse('{"__proto__": 1}')), json), /^document has a forbidden key$/],
        ['an infinite ratio', (json) => ((json.total.stickiness = 1e400), json), /^invalid report: total\.stickiness /],
        ['a share above 1', (json) => ((json.total.activation_share = 3), json), /^invalid report: total\.activation_share /],
        ['a name of 101 characters', (json) => ((json.departments[0].department = 'x'.repeat(101)), json), /^invalid report: departments\[0\]\.department /],
        ['201 departments', (json) => ((json.departments = Array.from({ length: 201 }, () => json.departments[0])), json), /^invalid report: more than 200 departments/],
        ['51 clients', (json) => ((json.total.clients = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`Jane${i}`, 1]))), json), /^invalid report: total\.clients: too many or invalid names$/],
        ['another period', (json) => ((json.period = { from: '2020-01-01', to: '2020-01-02' }), json), /^invalid report: period /],
        ['no departments', (json) => ((delete json.departments), json), /^invalid report: departments /],
        ['another id', (json) => ((json.id = `${json.id}&x=1`), json), /is not/],
        ['not JSON', () => null, /not JSON/],
      ];
      for (const [i, [what, spoil, error]] of garbage.entries()) {
        proxy.tamper = (body) => {
          const spoilt = spoil(JSON.parse(body.toString('utf8')));
          return Buffer.from(spoilt === null ? '{"id": nope' : JSON.stringify(spoilt));
        };
        // A period of its own: the view keeps answers 5 minutes per period.
        const period = { from: addDays(lastDay, -20 - i), to: addDays(lastDay, -1) };
        const view = await company(period);
        expect(view.instances[0], what).toMatchObject({ self: true, ok: true });
        expect(view.instances[1], what).toMatchObject({ host: b.host, instance: 'b', self: false, ok: false, report: null });
        expect(view.instances[1]!.error, what).toMatch(error);
        expect(view.instances[1]!.error!.length, what).toBeLessThanOrEqual(200);
        expect(view.instances[1]!.error, what).not.toMatch(/Jane|-7/);
      }
    } finally {
      proxy.tamper = null;
    }
  });

  it('an OAuth app named after a person, used by one of b’s people, is counted but never named on the wire', async () => {
    const day = today();
    const period = { from: day, to: day };
    const app = await b.instance.api.post('/api/v1/apps', { client_name: "Jane Doe's bot", redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read' });
    expect(app.status).toBe(200);
    const { accessToken } = await b.instance.services.oauth.issueToken(app.body.id, b.member.account._id, ['read']);
    expect((await b.instance.api.withToken(accessToken).get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    await b.instance.services.usage.flush();
    // Recorded: b's own dashboard names it.
    const local = await b.admin.api.get('/api/v1/kith/analytics', period);
    expect(local.body.clients.map((c: { client: string }) => c.client)).toContain("Jane Doe's bot");

    const before = proxy.exchanges.length;
    const view = await company(period);
    expect(view.instances[1]).toMatchObject({ host: b.host, ok: true });
    const sent = proxy.exchanges.slice(before).filter((e) => e.path.includes('/adoption'));
    expect(sent.map((e) => e.status)).toEqual([200]);
    const text = decoded(sent[0]!.body, sent[0]!.headers['content-encoding']).toString('utf8');
    for (const token of ['Jane', 'Doe']) {
      expect(text).not.toContain(token);
      expect(JSON.stringify(view)).not.toContain(token);
    }
    // Its events are counted, under the other API clients: every event of the day is under some client.
    const { total } = JSON.parse(text) as AdoptionReport;
    expect(total.clients[OTHER_API_CLIENT]).toBeGreaterThanOrEqual(1);
    expect(Object.values(total.clients).reduce((sum, n) => sum + n, 0)).toBe(total.events);
  });

  it('a peer that does not answer is ok: false after its timeout', async () => {
    proxy.holding = true;
    try {
      const view = await company({ from: addDays(lastDay, -40), to: addDays(lastDay, -2) });
      expect(view.instances.map((i) => [i.host, i.ok])).toEqual([[a.host, true], [b.host, false]]);
      expect(view.instances[1]!.error).toMatch(/^no answer within \d+ s$/);
    } finally {
      proxy.drop();
    }
  }, 30_000);

  it('is for admins and connectors: a member gets 403, anonymous 401, a bad period 422', async () => {
    const period = { from: addDays(lastDay, -6), to: lastDay };
    expect((await a.member.api.get('/api/v1/kith/analytics/company', period)).status).toBe(403);
    expect((await a.instance.api.get('/api/v1/kith/analytics/company', period)).status).toBe(401);
    expect((await company(period, a.admin)).instances.map((i) => i.host)).toEqual([a.host, b.host]);
    for (const bad of [{ from: lastDay, to: addDays(lastDay, -1) }, { from: '2025-02-30', to: '2025-03-02' }, { from: '2024-01-01', to: '2025-01-02' }, { from: 'yesterday', to: lastDay }]) {
      expect((await a.connector.api.get('/api/v1/kith/analytics/company', bad)).status, JSON.stringify(bad)).toBe(422);
    }
  });
});

describe('serving the report', () => {
  const period = () => ({ from: addDays(lastDay, -6), to: lastDay });

  it('answers a linked department’s signed GET with the report, its id the URL asked', async () => {
    const response = await signedGet(reportUrl(b, period()), await keyOf(a.instance, '~instance'));
    expect(response.status, response.text).toBe(200);
    expect(response.type).toMatch(/^application\/activity\+json/);
    const json = JSON.parse(response.text);
    expect(json.id).toBe(reportUrl(b, period()));
    expectFigures({ ...json, id: undefined }, { ...expectedReport('b', bAccounts, bPlan.events, period()), id: undefined }, 'b');
  });

  it('keeps its report 5 minutes per period, and answers 503 without the reason when its own report is invalid', async () => {
    const day = addDays(lastDay, -3);
    const key = `analytics:report:${day}:${day}`;
    const redis = new Redis(inject('redisUrl'), { keyPrefix: b.instance.config.redisPrefix });
    try {
      const aKey = await keyOf(a.instance, '~instance');
      const served = await signedGet(reportUrl(b, { from: day, to: day }), aKey);
      expect(served.status, served.text).toBe(200);
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300);
      const cached = JSON.parse((await redis.get(key))!) as AdoptionReport;
      expect({ ...JSON.parse(served.text), id: undefined }).toEqual({ ...cached, id: undefined });

      // A report that fails its own validation (here: planted in the cache) is not served, and why stays here.
      await redis.set(key, JSON.stringify({ ...cached, total: { ...cached.total, dau: -1, department: 'x'.repeat(101) } }), 'EX', 300);
      const refused = await signedGet(reportUrl(b, { from: day, to: day }), aKey);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.text)).toEqual({ error: 'Report unavailable' });
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });

  it('refuses an unsigned GET (401), a signed GET from an allowed peer that is not linked or from a stranger (403), a bad period (400)', async () => {
    const unsigned = await fetch(reportUrl(b, period()), { headers: { accept: AS } });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).not.toContain('Engineering');

    // c is b's peer: its signature verifies, but c is no member of b's network.
    const fromPeer = await signedGet(reportUrl(b, period()), await keyOf(c, '~instance'));
    expect(fromPeer.status, fromPeer.text).toBe(403);
    expect(fromPeer.text).not.toContain('Engineering');

    // A stranger's own key on its own host.
    const { privateKey } = await rsaKeyPair();
    const stranger = await signedGet(reportUrl(b, period()), { keyId: new URL(`${attacker.url}/actor#main-key`), privateKey });
    expect(stranger.status).toBe(403);
    expect(stranger.text).not.toContain('Engineering');

    const aKey = await keyOf(a.instance, '~instance');
    for (const bad of [{ from: lastDay, to: addDays(lastDay, -1) }, { from: '2025-02-30', to: '2025-03-01' }, { from: '2024-01-01', to: '2025-01-02' }, { from: '', to: '' }]) {
      const response = await signedGet(reportUrl(b, bad), aKey);
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    const missing = await signedGet(`${b.actorUrl}/adoption`, aKey);
    expect(missing.status).toBe(400);
    // Another actor's path is no report.
    expect((await signedGet(`${b.instance.url}/users/b_admin/adoption?from=${period().from}&to=${period().to}`, aKey)).status).toBe(404);
  });
});
