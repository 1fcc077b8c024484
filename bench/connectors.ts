// Connectors under load (issue 5, "Benchmark"): the time from a connector's approval until the approved
// status is visible on every instance of a company network, and the HTTP requests that took.
//
//   npm run -s bench -- connectors [--runs 5] [--instances 10] [--chords 5]
//
// The network: N instances (each its own server process, bench/lib/bench-instance.ts, on one MongoDB
// stand-in and one Redis) linked in a ring (i – i+1) with chords (i – i+N/2 for the first --chords
// instances), linked the real way (request → accept) with policy `auto` on every side, so news crosses
// the company without review. Each run: dept1's member posts, proposes, dept1's connector approves; the
// clock runs from the approval's answer until the status is in the Company news timeline of every
// instance (polled through the API). Requests are counted inside the receiving servers: inbox POSTs
// (relay Announces, duplicates included) and GETs of /users/… documents (the status fetched from its
// origin, its author, keys, links collections). Progress goes to stderr; stdout gets the table, then JSON.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { backingServices } from './lib/backing-services.ts';
import { BenchInstance } from './lib/bench-instance.ts';
import { median, report } from './lib/stats.ts';
import { api } from './lib/bench-api.ts';

const USAGE = 'usage: npm run -s bench -- connectors [--runs 5] [--instances 10] [--chords 5]';
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    instances: { type: 'string', default: '10' },
    chords: { type: 'string', default: '5' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
function positive(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max} (got "${text}")\n${USAGE}`);
    process.exit(2);
  }
  return value;
}
const RUNS = positive('runs', args.runs, 1, 50);
const INSTANCES = positive('instances', args.instances, 3, 30);
const CHORDS = positive('chords', args.chords, 0, Math.floor(INSTANCES / 2));
const TIMEOUT_MS = 5 * 60_000;

const log = (message: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = TIMEOUT_MS, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The ring and its chords, as pairs of instance indexes. */
function edges(n: number, chords: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) pairs.push([i, (i + 1) % n]);
  for (let i = 0; i < chords; i++) {
    const j = (i + Math.floor(n / 2)) % n;
    if (!pairs.some(([x, y]) => (x === i && y === j) || (x === j && y === i))) pairs.push([i, j]);
  }
  return pairs;
}

interface Department {
  instance: BenchInstance;
  actorUrl: string;
  connectorToken: string;
  memberToken: string;
}

async function prepareDepartment(instance: BenchInstance): Promise<Department> {
  const { accounts, oauth } = instance.control.services;
  const connector = await accounts.create({ username: 'connector', email: `connector@${instance.name}.test`, password: 'bench password' });
  await accounts.setRole(connector._id, 'connector');
  const member = await accounts.create({ username: 'member', email: `member@${instance.name}.test`, password: 'bench password' });
  return {
    instance,
    actorUrl: `${instance.url}/users/${instance.name}`,
    connectorToken: await oauth.issuePersonalToken(connector._id, ['read', 'write', 'follow']),
    memberToken: await oauth.issuePersonalToken(member._id, ['read', 'write', 'follow']),
  };
}

async function linkOf(x: Department, y: Department): Promise<any> {
  const links = (await api(`${x.instance.url}/api/v1/kith/links`, x.connectorToken, 'GET')) as any[];
  return links.find((l) => l.department.actor === y.actorUrl);
}

/** x asks, y accepts, both set policy auto. */
async function link(x: Department, y: Department): Promise<void> {
  await api(`${x.instance.url}/api/v1/kith/links`, x.connectorToken, 'POST', { target: y.actorUrl, scheme: 'http' });
  await until(`${y.instance.name} sees ${x.instance.name}'s request`, async () => (await linkOf(y, x))?.state === 'requested_by_them');
  await api(`${y.instance.url}/api/v1/kith/links/${(await linkOf(y, x)).id}/accept`, y.connectorToken, 'POST');
  await until(`${x.instance.name}–${y.instance.name} active`, async () => (await linkOf(x, y))?.state === 'active' && (await linkOf(y, x))?.state === 'active');
  for (const [a, b] of [[x, y], [y, x]] as const) {
    await api(`${a.instance.url}/api/v1/kith/links/${(await linkOf(a, b)).id}/policy`, a.connectorToken, 'PUT', { approval: 'auto' });
  }
}

async function counts(departments: Department[]): Promise<{ posts: number; gets: number }> {
  const posts = await Promise.all(departments.map((d) => d.instance.inboxPosts()));
  const gets = await Promise.all(departments.map((d) => d.instance.documentGets()));
  return { posts: posts.reduce((a, b) => a + b, 0), gets: gets.reduce((a, b) => a + b, 0) };
}

/** Waits until the counters stop moving for a second (late duplicates included). */
async function quiet(departments: Department[]): Promise<{ posts: number; gets: number }> {
  let last = await counts(departments);
  for (;;) {
    await sleep(1000);
    const now = await counts(departments);
    if (now.posts === last.posts && now.gets === last.gets) return now;
    last = now;
  }
}

const backing = await backingServices();
const runId = BenchInstance.runId();
const instances: BenchInstance[] = [];
const figures: { label: string; unit: string; runs: number[]; digits: number }[] = [];
let failed: unknown = null;
log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
try {
  instances.push(...(await Promise.all(Array.from({ length: INSTANCES }, (_, i) => BenchInstance.prepare(`dept${i + 1}`, backing, runId)))));
  const departments = await Promise.all(instances.map(prepareDepartment));
  let t = performance.now();
  await Promise.all(instances.map((i) => i.serve()));
  log(`${INSTANCES} server processes ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const pairs = edges(INSTANCES, CHORDS);
  t = performance.now();
  for (const [i, j] of pairs) await link(departments[i]!, departments[j]!);
  log(`${pairs.length} links (ring + ${pairs.length - INSTANCES} chords) made in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await quiet(departments);

  const allMs: number[] = [];
  const posts: number[] = [];
  const gets: number[] = [];
  const origin = departments[0]!;
  for (let run = 1; run <= RUNS; run++) {
    const status = await api(`${origin.instance.url}/api/v1/statuses`, origin.memberToken, 'POST', { status: `Company probe ${run} #news`, visibility: 'public' });
    const proposal = await api(`${origin.instance.url}/api/v1/kith/proposals`, origin.memberToken, 'POST', { status_id: status.id });
    const before = await quiet(departments);
    const t0 = performance.now();
    await api(`${origin.instance.url}/api/v1/kith/proposals/${proposal.id}/approve`, origin.connectorToken, 'POST', {});
    const seenAt = departments.map(() => 0);
    await until('the status in every Company news timeline', async () => {
      await Promise.all(departments.map(async (d, i) => {
        if (seenAt[i]) return;
        const news = (await api(`${d.instance.url}/api/v1/timelines/kith/company`, d.memberToken, 'GET')) as any[];
        if (news.some((s) => s.uri === status.uri)) seenAt[i] = performance.now() - t0;
      }));
      return seenAt.every(Boolean);
    });
    const all = Math.max(...seenAt);
    const after = await quiet(departments);
    allMs.push(all);
    posts.push(after.posts - before.posts);
    gets.push(after.gets - before.gets);
    log(`run ${run}/${RUNS}: visible on all ${INSTANCES} after ${all.toFixed(0)} ms; ${after.posts - before.posts} inbox POSTs, ${after.gets - before.gets} document GETs`);
  }
  figures.push({ label: `approval → visible on all ${INSTANCES} instances`, unit: 'ms', runs: allMs, digits: 0 });
  figures.push({ label: 'inbox POSTs (relay Announces) at the receivers', unit: 'req', runs: posts, digits: 0 });
  figures.push({ label: 'GETs of /users/… documents at the instances', unit: 'req', runs: gets, digits: 0 });
} catch (error) {
  failed = error;
} finally {
  await Promise.all(instances.map((i) => i.stop().catch((error: unknown) => log(`stopping: ${(error as Error).message}`))));
  const mongo = await MongoClient.connect(backing.mongoUrl);
  for (const name of BenchInstance.databases) await mongo.db(name).dropDatabase();
  await mongo.close();
  const redis = new Redis(backing.redisUrl, { maxRetriesPerRequest: 3 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `kith:fedbench_${runId}_*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  await backing.stop();
}
if (failed) {
  console.error(`connectors bench failed: ${(failed as Error).stack ?? failed}`);
  process.exit(1);
}
console.log(`Connectors: ${INSTANCES} instances, ring + ${edges(INSTANCES, CHORDS).length - INSTANCES} chords, ${RUNS} runs, on ${backing.description}`);
for (const f of figures) report(f.label, f.runs, f.unit, f.digits);
console.log(JSON.stringify({ instances: INSTANCES, links: edges(INSTANCES, CHORDS).length, runs: RUNS, figures: Object.fromEntries(figures.map((f) => [f.label, { median: median(f.runs), runs: f.runs, unit: f.unit }])) }));
