// Adoption analytics under load (issue 6): what recording usage events costs status creation, and how long
// the dashboard takes to answer over a million recorded events.
//
//   npm run bench -- analytics [--runs 5] [--seconds 10] [--events 1000000] [--accounts 2000] [--days 90] [--queries 5]
//   (--runs 0 skips part 1)
//
// Part 1 starts the server twice per run, with USAGE_RECORDING on and off (alternating which goes first),
// and loads POST /api/v1/statuses. Part 2 records --events events over --days days through the recorder of
// this process (the same buffer and batched writes as the request hook), then times the dashboard API.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { loadConfig } from '../server/src/config.ts';
import { connectInfra } from '../server/src/infra/connect.ts';
import { startKith } from '../server/src/kith.ts';
import type { AccountRecord } from '../server/src/accounts/accounts.store.ts';
import { USAGE_FEATURES, type UsageEvent } from '../server/src/analytics/usage.types.ts';
import { backingServices } from './lib/backing-services.ts';
import { benchEnv } from './lib/bench-env.ts';
import { startServerProcess } from './lib/server-process.ts';
import { median, pool, report } from './lib/stats.ts';
import { cloneAccounts } from './lib/clone-accounts.ts';
import { api } from './lib/bench-api.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    events: { type: 'string', default: '1000000' },
    accounts: { type: 'string', default: '2000' },
    days: { type: 'string', default: '90' },
    queries: { type: 'string', default: '5' },
  },
});
const RUNS = Number(args.runs);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const EVENTS = Number(args.events);
const ACCOUNTS = Number(args.accounts);
const DAYS = Number(args.days);
const QUERIES = Number(args.queries);
const DEPARTMENTS = ['Sales', 'Engineering', 'Finance', 'People', 'Support'];
const CLIENTS = [
  { client: 'Web', device: 'desktop' },
  { client: 'Installed web app', device: 'mobile' },
  { client: 'Tusky', device: 'mobile' },
  { client: 'Ice Cubes', device: 'mobile' },
] as const;

const backing = await backingServices();
const env = await benchEnv(backing, `bench_${randomBytes(3).toString('hex')}`, 'bench');
const config = loadConfig(env);
const seeder = await startKith(config, { logger: false });
const { services } = seeder;
const infra = await connectInfra(config);
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
log(`backing services: ${backing.description}`);

// ---- accounts in five departments (one real account, the rest cloned), an admin token for the dashboard.
let started = Date.now();
const template = await services.accounts.create({ username: 'user0', email: 'user0@bench.test', password: 'bench password 0' });
const accounts = cloneAccounts(template, 'user', ACCOUNTS, 'User').map((a, i) => ({ ...a, department: DEPARTMENTS[i % DEPARTMENTS.length]! }));
await infra.db.collection<AccountRecord>('accounts').insertMany(accounts.slice(1), { ordered: false });
await infra.db.collection<AccountRecord>('accounts').updateOne({ _id: template._id }, { $set: { department: DEPARTMENTS[0]!, role: 'admin' } });
const adminToken = await services.oauth.issuePersonalToken(template._id, ['read', 'write', 'admin:read']);
const writers = accounts.slice(0, 200);
const tokens: string[] = [];
await pool(writers, 16, async (a, i) => {
  tokens[i] = await services.oauth.issuePersonalToken(a._id, ['read', 'write']);
});
log(`seeded ${ACCOUNTS} accounts and ${tokens.length} tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// ---- part 1: status creation with and without recording.
async function loadStatusCreation(recording: boolean) {
  const server = await startServerProcess({ ...env, USAGE_RECORDING: String(recording) }, config.publicUrl);
  let n = 0;
  const result = await autocannon({
    url: config.publicUrl,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{
      method: 'POST',
      path: '/api/v1/statuses',
      setupRequest: (request: Record<string, unknown>) => ({
        ...request,
        headers: { authorization: `Bearer ${tokens[n % tokens.length]!}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: `Load test status ${n++} #bench`, visibility: 'public' }),
      }),
    }],
  });
  if (result.non2xx > 0) console.warn(`  warning: ${result.non2xx} non-2xx responses`);
  await server.stop();
  // The fan-out of this run's statuses is finished before the next run loads the machine.
  await services.events.idle(10 * 60_000);
  return { rps: result.requests.average as number, p99: result.latency.p99 as number };
}

const withRecording = { rps: [] as number[], p99: [] as number[] };
const withoutRecording = { rps: [] as number[], p99: [] as number[] };
for (let run = 1; run <= RUNS; run++) {
  // Alternate which variant goes first, so a warming or filling database favours neither.
  for (const recording of run % 2 ? [true, false] : [false, true]) {
    log(`run ${run}/${RUNS}: status creation, recording ${recording ? 'on' : 'off'}`);
    const r = await loadStatusCreation(recording);
    const into = recording ? withRecording : withoutRecording;
    into.rps.push(r.rps);
    into.p99.push(r.p99);
  }
}
const recorded = await infra.db.collection('usage_events').countDocuments({ feature: 'post' });

// ---- part 2: a million events over DAYS days, then the dashboard.
started = Date.now();
const today = new Date();
const dayStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
const perDay = Math.ceil(EVENTS / DAYS);
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
for (let day = DAYS - 1; day >= 0; day--) {
  const base = dayStart - day * 86_400_000;
  // Each day a different share of people is active, and each active person acts several times.
  const active = accounts.filter(() => random() < 0.35 + 0.3 * random());
  for (let i = 0; i < perDay; i++) {
    const account = active[Math.floor(random() * active.length)]!;
    const { client, device } = CLIENTS[Math.floor(random() * CLIENTS.length)]!;
    const feature = USAGE_FEATURES[Math.floor(random() * USAGE_FEATURES.length)]!;
    const event: UsageEvent = {
      accountId: account._id, department: account.department, feature, client, device,
      at: new Date(base + Math.floor(random() * 86_400_000)),
      ...(feature === 'follow' || feature === 'reply' ? { crossInstance: random() < 0.3 } : {}),
    };
    services.usage.record(event);
  }
  await services.usage.flush();
  if (day % 10 === 0) log(`  ${(DAYS - day) * perDay} events recorded`);
}
const totalEvents = await infra.db.collection('usage_events').countDocuments();
const rollupRows = await infra.db.collection('usage_days').countDocuments();
log(`recorded ${totalEvents} events (${rollupRows} daily rollup rows) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const server = await startServerProcess(env, config.publicUrl);
const timings: Record<string, number[]> = { 'dashboard, 30 days': [], 'dashboard, 90 days': [], 'dashboard, 30 days, one department': [], 'CSV export, daily, 90 days': [] };
const from = (days: number) => new Date(dayStart - (days - 1) * 86_400_000).toISOString().slice(0, 10);
const to = new Date(dayStart).toISOString().slice(0, 10);
const paths: Record<string, string> = {
  'dashboard, 30 days': `/api/v1/kith/analytics?from=${from(30)}&to=${to}`,
  'dashboard, 90 days': `/api/v1/kith/analytics?from=${from(90)}&to=${to}`,
  'dashboard, 30 days, one department': `/api/v1/kith/analytics?from=${from(30)}&to=${to}&department=Sales`,
  'CSV export, daily, 90 days': `/api/v1/kith/analytics/export.csv?from=${from(90)}&to=${to}&table=daily`,
};
for (let q = 0; q < QUERIES; q++) {
  for (const [label, path] of Object.entries(paths)) {
    const t0 = performance.now();
    if (path.includes('.csv')) {
      const response = await fetch(`${config.publicUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      await response.text();
    } else {
      await api(`${config.publicUrl}${path}`, adminToken, 'GET');
    }
    timings[label]!.push(performance.now() - t0);
  }
}
const summary = (await api(`${config.publicUrl}${paths['dashboard, 30 days']!}`, adminToken, 'GET')).summary;
await server.stop();

console.log(`\nKith analytics benchmark: ${RUNS} runs of ${SECONDS} s with ${CONNECTIONS} connections (autocannon, loopback); MongoDB: ${backing.description}\n`);
if (RUNS > 0) {
  report('status creation, recording on (req/s)', withRecording.rps, 'req/s');
  report('status creation, recording off (req/s)', withoutRecording.rps, 'req/s');
  report('status creation p99, recording on', withRecording.p99, 'ms');
  report('status creation p99, recording off', withoutRecording.p99, 'ms');
  console.log(`post events recorded during the recording-on runs: ${recorded}`);
}
console.log(`\n${totalEvents} events, ${rollupRows} rollup rows, ${ACCOUNTS} accounts, ${DAYS} days; ${QUERIES} queries each:`);
for (const [label, runs] of Object.entries(timings)) report(label, runs, 'ms');
console.log(`(30-day summary: DAU ${summary.dau}, WAU ${summary.wau}, MAU ${summary.mau} of ${summary.registered})`);

await seeder.close();
await infra.db.dropDatabase();
await infra.close();
await backing.stop();
