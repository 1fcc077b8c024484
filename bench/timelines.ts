// Home timelines under load: seeds an instance with accounts following each other at random and
// statuses, then measures home-timeline reads, status creation, fan-out latency and memory.
//
//   npm run bench -- timelines [--accounts 1000] [--statuses 100000] [--follows 50] [--runs 3] [--seconds 15]
//
// The server runs in its own process; seeding goes through the services in this process (the same
// write path as the API: statuses.create → events → fan-out), so 100,000 statuses take minutes.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { loadConfig } from '../server/src/config.ts';
import { connectInfra } from '../server/src/infra/connect.ts';
import { startKith } from '../server/src/kith.ts';
import type { AccountRecord } from '../server/src/accounts/accounts.store.ts';
import { homeFeedKey } from '../server/src/timelines/feed-keys.ts';
import { newId } from '../server/src/shared/ids.ts';
import { backingServices } from './lib/backing-services.ts';
import { benchEnv } from './lib/bench-env.ts';
import { startServerProcess, sampleRss } from './lib/server-process.ts';
import { median, pool, report } from './lib/stats.ts';
import { cloneAccounts } from './lib/clone-accounts.ts';

const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '1000' },
    statuses: { type: 'string', default: '100000' },
    follows: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '32' },
  },
});
const ACCOUNTS = Number(args.accounts);
const STATUSES = Number(args.statuses);
const FOLLOWS_PER_ACCOUNT = Math.min(Number(args.follows), ACCOUNTS - 1);
const RUNS = Number(args.runs);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);

const backing = await backingServices();
const env = await benchEnv(backing, `bench_${randomBytes(3).toString('hex')}`, 'bench');
const config = loadConfig(env);
// The seeding process is composed exactly like a server (every event handler registered, jobs
// running), so the jobs it takes are handled as a server would; its own connections do the bulk work.
const seeder = await startKith(config, { logger: false });
const { services } = seeder;
const infra = await connectInfra(config);
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
log(`backing services: ${backing.description}; Redis at ${backing.redisUrl}`);

// ---- seed accounts: one real account (scrypt hash), the others cloned from it in bulk.
let started = Date.now();
const template = await services.accounts.create({ username: 'user0', email: 'user0@bench.test', password: 'bench password 0' });
const accounts = cloneAccounts(template, 'user', ACCOUNTS, 'User');
await infra.db.collection<AccountRecord>('accounts').insertMany(accounts.slice(1), { ordered: false });

// ---- random follows, each account following FOLLOWS_PER_ACCOUNT others.
const followers = new Map<string, string[]>(accounts.map((a) => [a._id, []]));
const followRows = [];
for (const follower of accounts) {
  const picked = new Set<number>();
  while (picked.size < FOLLOWS_PER_ACCOUNT) {
    const target = accounts[Math.floor(Math.random() * ACCOUNTS)]!;
    if (target._id !== follower._id) picked.add(accounts.indexOf(target));
  }
  for (const index of picked) {
    const target = accounts[index]!;
    followers.get(target._id)!.push(follower._id);
    followRows.push({ _id: newId(), followerId: follower._id, targetId: target._id, showReblogs: true, notify: false, createdAt: new Date() });
  }
}
for (let i = 0; i < followRows.length; i += 5000) {
  await infra.db.collection('follows').insertMany(followRows.slice(i, i + 5000) as never[], { ordered: false });
}
await infra.db.collection<AccountRecord>('accounts').bulkWrite(
  accounts.map((a) => ({ updateOne: { filter: { _id: a._id }, update: { $set: { followersCount: followers.get(a._id)!.length, followingCount: FOLLOWS_PER_ACCOUNT } } } })),
);
const tokens: string[] = [];
await pool(accounts, 16, async (a, i) => {
  tokens[i] = await services.oauth.issuePersonalToken(a._id, ['read', 'write']);
});
log(`seeded ${ACCOUNTS} accounts, ${followRows.length} follows and ${tokens.length} tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// ---- the server, and every home feed materialized once (as people signing in would).
const server = await startServerProcess(env, config.publicUrl);
await pool(tokens, 16, async (token) => {
  const res = await fetch(`${config.publicUrl}/api/v1/timelines/home`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`home read failed: ${res.status}`);
});

// ---- statuses through the real write path (service → events → fan-out), newest last.
started = Date.now();
let created = 0;
const byAuthor = Array.from({ length: STATUSES }, () => accounts[Math.floor(Math.random() * ACCOUNTS)]!);
await pool(byAuthor, 32, async (author, i) => {
  await services.statuses.create(author, { text: `Status ${i} from ${author.username}: shipping the quarterly plan #bench`, visibility: 'public' });
  if (++created % 10_000 === 0) log(`  ${created} statuses created`);
});
log(`created ${STATUSES} statuses in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for fan-out…`);
await services.events.idle(30 * 60_000);
log(`fan-out done ${((Date.now() - started) / 1000).toFixed(1)} s after the first status`);

// ---- measurements
const idleRss = server.rssMiB();
const randomToken = () => tokens[Math.floor(Math.random() * tokens.length)]!;

async function load(method: 'GET' | 'POST', path: string, body?: () => string) {
  const instance = autocannon({
    url: config.publicUrl,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{
      method,
      path,
      setupRequest: (request: Record<string, unknown>) => ({
        ...request,
        headers: { authorization: `Bearer ${randomToken()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: body() } : {}),
      }),
    }],
  });
  const result = await instance;
  if (result.non2xx > 0) console.warn(`  warning: ${result.non2xx} non-2xx responses`);
  return { rps: result.requests.average as number, p50: result.latency.p50 as number, p99: result.latency.p99 as number };
}

const reads = { rps: [] as number[], p50: [] as number[], p99: [] as number[], rss: [] as number[] };
const writes = { rps: [] as number[], p50: [] as number[], p99: [] as number[], rss: [] as number[] };
const fanOutMs: number[] = [];
const mostFollowed = [...accounts].sort((a, b) => followers.get(b._id)!.length - followers.get(a._id)!.length)[0]!;
const mostFollowedToken = tokens[accounts.indexOf(mostFollowed)]!;

for (let run = 1; run <= RUNS; run++) {
  log(`run ${run}/${RUNS}: home timeline reads`);
  let rss = sampleRss(server);
  const r = await load('GET', '/api/v1/timelines/home?limit=20');
  reads.rps.push(r.rps); reads.p50.push(r.p50); reads.p99.push(r.p99); reads.rss.push(rss.stop());

  log(`run ${run}/${RUNS}: status creation`);
  rss = sampleRss(server);
  let n = 0;
  const w = await load('POST', '/api/v1/statuses', () => JSON.stringify({ status: `Load test status ${run}-${n++} #bench`, visibility: 'public' }));
  writes.rps.push(w.rps); writes.p50.push(w.p50); writes.p99.push(w.p99); writes.rss.push(rss.stop());
  await services.events.idle(10 * 60_000);

  // Fan-out latency: from the POST until the status is in every follower's home feed.
  const keys = [mostFollowed._id, ...followers.get(mostFollowed._id)!].map(homeFeedKey);
  for (let trial = 0; trial < 5; trial++) {
    const t0 = performance.now();
    const res = await fetch(`${config.publicUrl}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mostFollowedToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: `Fan-out probe ${run}-${trial}`, visibility: 'public' }),
    });
    const { id } = (await res.json()) as { id: string };
    for (;;) {
      const pipeline = infra.redis.pipeline();
      for (const key of keys) pipeline.zscore(key, id);
      const results = (await pipeline.exec()) ?? [];
      if (results.every(([, score]) => score !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    fanOutMs.push(performance.now() - t0);
  }
}

console.log(`\nKith timelines benchmark: ${ACCOUNTS} accounts, ${followRows.length} follows, ${STATUSES} seeded statuses; ${RUNS} runs of ${SECONDS} s with ${CONNECTIONS} connections (autocannon, loopback)`);
console.log(`MongoDB: ${backing.description}\n`);
report('home timeline reads (req/s)', reads.rps, 'req/s');
report('home timeline latency p50', reads.p50, 'ms');
report('home timeline latency p99', reads.p99, 'ms');
report('status creation (req/s)', writes.rps, 'req/s');
report('status creation latency p50', writes.p50, 'ms');
report('status creation latency p99', writes.p99, 'ms');
report(`POST → in all ${followers.get(mostFollowed._id)!.length + 1} home feeds (5 per run)`, fanOutMs, 'ms');
report('server RSS idle after seeding', [idleRss], 'MiB');
report('server RSS peak under read load', reads.rss, 'MiB');
report('server RSS peak under write load', writes.rss, 'MiB');
console.log(`\nmedian of all fan-out probes: ${median(fanOutMs).toFixed(1)} ms`);

await server.stop();
await seeder.close();
await infra.db.dropDatabase();
await infra.close();
await backing.stop();
