// Federation under load (issue 3, "Benchmark"): what an inbox accepts and processes per second, what one
// status costs to deliver to 1,000 followers on 10 instances, and the physical limit beside them.
//
//   npm run -s bench -- federation [--runs 3] [--senders 16] [--activities 600] [--instances 10]
//                                  [--followers 1000] [--follows federation|direct] [--spec cavage|rfc9421] [--ld-signature]
//                                  [--rsa-seconds 3] [--skip inbound,outbound]
//
// Every Kith instance is its own server process (bench/lib/bench-instance.ts) on one MongoDB stand-in and one
// Redis (bench/lib/backing-services.ts). Progress goes to stderr; stdout gets the table, then one line of JSON.
// 1. Inbound: a simulated peer (bench/lib/simulated-peer.ts, a real HTTP server serving its actors and keys,
//    allowlisted) sends Create(Note)s, each with unique ids and its own signature, to the instance's shared
//    inbox from N concurrent senders. A local reader follows the simulated actor the real way (the API's
//    follow → Follow delivered to the peer → the peer's signed Accept). Accepted/s: 202s per second.
//    Processed/s: the rate at which the notes land in the reader's home feed.
// 2. Outbound: one status by an author with F followers spread over I instances; the time from the POST
//    until every follower's home feed on every instance holds it, and the inbox POSTs that took, counted
//    inside the receiving servers.
// 3. RSA-2048 verifications per second on one core (node:crypto, single thread).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { MongoClient, type Db } from 'mongodb';
import { Redis } from 'ioredis';
import type { AccountRecord } from '../server/src/accounts/accounts.store.ts';
import { FEED_CAPS, FEED_MARKER, homeFeedKey } from '../server/src/timelines/feed-keys.ts';
import { newId } from '../server/src/shared/ids.ts';
import { backingServices } from './lib/backing-services.ts';
import { BenchInstance } from './lib/bench-instance.ts';
import { SimulatedPeer, type SignedPost } from './lib/simulated-peer.ts';
import { rsaVerificationsPerSecond } from './lib/rsa-verify-rate.ts';
import { median, pool } from './lib/stats.ts';
import { api } from './lib/bench-api.ts';
import { cloneAccounts } from './lib/clone-accounts.ts';

const USAGE = 'usage: npm run -s bench -- federation [--runs 3] [--senders 16] [--activities 600] [--instances 10] ' +
  '[--followers 1000] [--follows federation|direct] [--spec cavage|rfc9421] [--ld-signature] [--rsa-seconds 3] [--skip inbound,outbound]';
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    senders: { type: 'string', default: '16' },
    activities: { type: 'string', default: '600' },
    instances: { type: 'string', default: '10' },
    followers: { type: 'string', default: '1000' },
    spec: { type: 'string', default: 'cavage' },
    'rsa-seconds': { type: 'string', default: '3' },
    skip: { type: 'string', default: '' },
    follows: { type: 'string', default: 'federation' },
    'ld-signature': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function positive(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`--${name} must be an integer from 1 to ${max} (got "${text}")\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

const RUNS = positive('runs', args.runs, 50);
const SENDERS = positive('senders', args.senders, 1000);
// The reader's home feed keeps FEED_CAPS.home entries (its marker included): a run must fit in it to be counted.
const ACTIVITIES = positive('activities', args.activities, FEED_CAPS.home - 1);
const INSTANCES = positive('instances', args.instances, 50);
const FOLLOWERS = positive('followers', args.followers, 100_000);
const RSA_SECONDS = positive('rsa-seconds', args['rsa-seconds'], 600);
if (args.spec !== 'cavage' && args.spec !== 'rfc9421') {
  console.error(`--spec must be cavage or rfc9421\n${USAGE}`);
  process.exit(2);
}
const SPEC = args.spec === 'cavage' ? 'draft-cavage-http-signatures-12' : 'rfc9421';
if (args.follows !== 'federation' && args.follows !== 'direct') {
  console.error(`--follows must be federation or direct\n${USAGE}`);
  process.exit(2);
}
const FOLLOWS_VIA = args.follows;
const LD_SIGNATURE = args['ld-signature'];
const SKIP = new Set(args.skip.split(',').filter(Boolean));
for (const part of SKIP) {
  if (part !== 'inbound' && part !== 'outbound') {
    console.error(`--skip takes inbound and/or outbound\n${USAGE}`);
    process.exit(2);
  }
}

const PROCESS_TIMEOUT_MS = 10 * 60_000;
const FOLLOW_TIMEOUT_MS = 10 * 60_000;
const AS = 'application/activity+json';

const log = (message: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One figure of the report: every run's value; the median is what is quoted. */
interface Figure {
  label: string;
  unit: string;
  runs: number[];
  digits?: number;
}
const figures: Record<string, Figure> = {};
function record(key: string, label: string, unit: string, value: number, digits = 1): void {
  (figures[key] ??= { label, unit, runs: [], digits }).runs.push(value);
}

/** Waits until `check` is true, polling every `everyMs`; throws after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Entries in each home feed, its marker not counted (a feed that does not exist counts -1). */
async function feedSizes(redis: Redis, prefix: string, accountIds: readonly string[]): Promise<number[]> {
  const pipeline = redis.pipeline();
  for (const id of accountIds) pipeline.zcard(prefix + homeFeedKey(id)).zscore(prefix + homeFeedKey(id), FEED_MARKER);
  const results = (await pipeline.exec()) ?? [];
  return accountIds.map((_, i) => {
    const [cardError, card] = results[2 * i]!;
    const [, marker] = results[2 * i + 1]!;
    if (cardError) throw cardError;
    return marker === null ? -1 : (card as number) - 1;
  });
}

/** Local accounts in bulk: one real account (scrypt hash, key pairs), the others cloned from it. */
async function seedAccounts(instance: BenchInstance, db: Db, prefix: string, count: number): Promise<AccountRecord[]> {
  const { services, federation } = instance.control;
  const template = await services.accounts.create({ username: `${prefix}0`, email: `${prefix}0@bench.test`, password: 'bench password 0' });
  const accounts = cloneAccounts(template, prefix, count, 'Reader');
  if (accounts.length > 1) await db.collection<AccountRecord>('accounts').insertMany(accounts.slice(1), { ordered: false });
  // Each follower signs its own Follow; generating 2 key pairs per account would dominate the set-up, so the
  // clones share the template's (which is all a benchmark needs: every signature still verifies).
  const keys = await federation.ports.keys.keyPairs(template._id);
  if (accounts.length > 1) {
    await db.collection('actor_keys').insertMany(
      accounts.slice(1).map((a) => ({ _id: a._id, rsa: keys.rsa, ed25519: keys.ed25519, createdAt: new Date() })) as never[],
      { ordered: false },
    );
  }
  return accounts;
}

// ---------------------------------------------------------------------------------------------------------
// 1. Inbound

async function inbound(backing: { mongoUrl: string; redisUrl: string }, runId: string, redis: Redis): Promise<() => Promise<void>> {
  const target = await BenchInstance.prepare('inbox', backing, runId);
  const peer = await SimulatedPeer.start(SPEC);
  const stop = async () => {
    await peer.close();
    await target.stop();
  };
  try {
    await target.control.services.peers.add(null, { host: peer.host, scheme: 'http', note: 'simulated peer' });
    await target.serve();
    log(`inbound: ${target.name} serves on ${target.url}; simulated peer on ${peer.url} (signs ${SPEC}${LD_SIGNATURE ? ' + LD signatures' : ''})`);
    const inbox = `${target.url}/inbox`;

    for (let run = 1; run <= RUNS; run++) {
      // A fresh sender and reader each run: the reader's home feed then holds exactly this run's notes.
      const sender = `sender${run}`;
      const actorUri = await peer.addActor(sender);
      const remoteId = await target.knowRemoteActor(actorUri);
      const reader = await target.control.services.accounts.create({ username: `reader${run}`, email: `reader${run}@bench.test`, password: 'bench password' });
      const token = await target.control.services.oauth.issuePersonalToken(reader._id, ['read', 'write', 'follow']);

      let t = performance.now();
      await api(`${target.url}/api/v1/accounts/${remoteId}/follow`, token, 'POST', {});
      await until('the simulated peer to accept the follow', async () => {
        const [relationship] = await api(`${target.url}/api/v1/accounts/relationships?id[]=${remoteId}`, token, 'GET');
        return relationship?.following === true;
      }, FOLLOW_TIMEOUT_MS, 20);
      if (peer.followsReceived.get(sender) !== 1) throw new Error(`the peer received ${peer.followsReceived.get(sender) ?? 0} Follows, not 1`);
      record('inbound_follow_ms', 'set-up: follow → Follow → Accept → following', 'ms', performance.now() - t);
      await api(`${target.url}/api/v1/timelines/home`, token, 'GET'); // materializes the feed, as signing in does

      t = performance.now();
      const posts: SignedPost[] = [];
      for (let i = 0; i < ACTIVITIES; i++) posts.push(await peer.sign(sender, inbox, await peer.createNote(sender, `Bench note ${run}-${i} from ${sender}`, LD_SIGNATURE)));
      log(`inbound run ${run}/${RUNS}: ${ACTIVITIES} activities signed in ${((performance.now() - t) / 1000).toFixed(1)} s; sending with ${SENDERS} senders`);

      const refused = new Map<number, number>();
      let accepted = 0;
      let acceptedAt = 0;
      let processedAt = 0;
      const t0 = performance.now();
      const watching = (async () => {
        await until('the notes to reach the home feed', async () => {
          const [size] = await feedSizes(redis, target.config.redisPrefix, [reader._id]);
          return size! >= accepted && acceptedAt > 0;
        }, PROCESS_TIMEOUT_MS, 5);
        processedAt = performance.now();
      })();
      await pool(posts, SENDERS, async (post) => {
        const response = await fetch(post.url, { method: 'POST', headers: post.headers, body: post.body });
        await response.arrayBuffer();
        if (response.status === 202) accepted++;
        else refused.set(response.status, (refused.get(response.status) ?? 0) + 1);
      });
      acceptedAt = performance.now();
      await watching;
      if (refused.size > 0) log(`  warning: refused ${JSON.stringify(Object.fromEntries(refused))}`);
      if (accepted === 0) throw new Error('no activity was accepted');
      const acceptedPerSecond = (accepted / (acceptedAt - t0)) * 1000;
      const processedPerSecond = (accepted / (processedAt - t0)) * 1000;
      log(`  accepted ${accepted} in ${(acceptedAt - t0).toFixed(0)} ms (${acceptedPerSecond.toFixed(1)}/s); ` +
        `all in the home feed after ${(processedAt - t0).toFixed(0)} ms (${processedPerSecond.toFixed(1)}/s)`);
      record('inbound_accepted_per_s', `inbound: accepted (202) per second, ${SENDERS} senders`, '/s', acceptedPerSecond);
      record('inbound_processed_per_s', 'inbound: fully processed (in the home feed) per second', '/s', processedPerSecond);
      record('inbound_refused', 'inbound: refused (non-202) requests', 'req', ACTIVITIES - accepted, 0);
    }
    record('inbound_actor_gets', 'inbound: actor/key GETs served by the peer (all runs)', 'req', peer.actorGets, 0);
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

// ---------------------------------------------------------------------------------------------------------
// 2. Outbound fan-out

interface Readers {
  instance: BenchInstance;
  accounts: AccountRecord[];
  tokens: string[];
  /** The author's account id on the readers' instance. */
  authorId: string;
}

/** Every reader follows the author through the API: Follow delivered to the author's instance, Accept back. */
async function followOverFederation(author: BenchInstance, writer: AccountRecord, readers: Readers[], mongo: MongoClient): Promise<void> {
  const total = readers.reduce((n, r) => n + r.accounts.length, 0);
  await pool(readers.flatMap((r) => r.tokens.map((token) => ({ r, token }))), 16, async ({ r, token }) => {
    await api(`${r.instance.url}/api/v1/accounts/${r.authorId}/follow`, token, 'POST', {});
  });
  const authorDb = mongo.db(author.config.mongodbDatabase);
  let reported = performance.now();
  await until(`${total} accepted follows`, async () => {
    const counts = await Promise.all([
      authorDb.collection('follows').countDocuments({ targetId: writer._id }),
      ...readers.map((r) => mongo.db(r.instance.config.mongodbDatabase).collection('follows').countDocuments({ targetId: r.authorId })),
    ]);
    if (performance.now() - reported > 10_000) {
      reported = performance.now();
      log(`  follows: ${counts[0]} stored by the author's instance, ${counts.slice(1).reduce((a, b) => a + b, 0)} accepted at the readers' instances`);
    }
    return counts[0] === total && counts.slice(1).every((n, i) => n === readers[i]!.accounts.length);
  }, FOLLOW_TIMEOUT_MS, 250);
}

/**
 * The same follows written straight into both sides' stores, as the timelines benchmark seeds its follows:
 * the readers become remote accounts on the author's instance (through the actors port, as a fetched actor
 * would) following the author, and on each readers' instance follow rows point at the author. Delivery
 * reads exactly these rows, so the probe measures the same thing; only the set-up skips the 2 signed
 * requests per follow.
 */
async function followDirectly(author: BenchInstance, writer: AccountRecord, readers: Readers[], mongo: MongoClient): Promise<void> {
  const ports = author.control.federation.ports;
  const followerIds: string[] = [];
  await pool(readers.flatMap((r) => r.accounts.map((account) => ({ r, account }))), 16, async ({ r, account }) => {
    const uri = `${r.instance.url}/users/${account.username}`;
    followerIds.push(await ports.actors.upsertRemote({
      uri, url: uri, host: r.instance.host, inboxUrl: `${uri}/inbox`, sharedInboxUrl: `${r.instance.url}/inbox`, followersUrl: `${uri}/followers`,
      username: account.username, displayName: account.displayName, noteHtml: '', title: '', department: '', location: '',
      fields: [], locked: false, bot: false, avatarUrl: null, headerUrl: null,
    }));
  });
  const row = (followerId: string, targetId: string) =>
    ({ _id: newId(), followerId, targetId, showReblogs: true, notify: false, createdAt: new Date(), activityUri: null });
  const authorDb = mongo.db(author.config.mongodbDatabase);
  await authorDb.collection('follows').insertMany(followerIds.map((id) => row(id, writer._id)) as never[], { ordered: false });
  await authorDb.collection('accounts').updateOne({ _id: writer._id as never }, { $set: { followersCount: followerIds.length } });
  for (const r of readers) {
    const db = mongo.db(r.instance.config.mongodbDatabase);
    await db.collection('follows').insertMany(r.accounts.map((a) => row(a._id, r.authorId)) as never[], { ordered: false });
    await db.collection('accounts').updateMany({ _id: { $in: r.accounts.map((a) => a._id) } as never }, { $set: { followingCount: 1 } });
    await db.collection('accounts').updateOne({ _id: r.authorId as never }, { $set: { followersCount: r.accounts.length } });
  }
}

async function outbound(backing: { mongoUrl: string; redisUrl: string }, runId: string, redis: Redis, mongo: MongoClient): Promise<() => Promise<void>> {
  const perInstance = Math.ceil(FOLLOWERS / INSTANCES);
  const author = await BenchInstance.prepare('author', backing, runId);
  const receivers: BenchInstance[] = [];
  const stop = async () => {
    await Promise.all([author, ...receivers].map((instance) => instance.stop()));
  };
  try {
    receivers.push(...(await Promise.all(Array.from({ length: INSTANCES }, (_, i) => BenchInstance.prepare(`dept${i + 1}`, backing, runId)))));
    for (const receiver of receivers) {
      await author.control.services.peers.add(null, { host: receiver.host, scheme: 'http' });
      await receiver.control.services.peers.add(null, { host: author.host, scheme: 'http' });
    }
    let t = performance.now();
    await Promise.all([author, ...receivers].map((instance) => instance.serve()));
    log(`outbound: ${INSTANCES + 1} server processes ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const writer = await author.control.services.accounts.create({ username: 'writer', email: 'writer@bench.test', password: 'bench password' });
    const writerToken = await author.control.services.oauth.issuePersonalToken(writer._id, ['read', 'write']);
    const writerUri = `${author.url}/users/writer`;

    // Followers: perInstance local readers on each receiving instance, each following the author for real.
    t = performance.now();
    const readers: Readers[] = [];
    for (const receiver of receivers) {
      const db = mongo.db(receiver.config.mongodbDatabase);
      const count = Math.min(perInstance, FOLLOWERS - readers.reduce((n, r) => n + r.accounts.length, 0));
      const accounts = await seedAccounts(receiver, db, 'reader', count);
      const tokens: string[] = [];
      await pool(accounts, 16, async (account, i) => {
        tokens[i] = await receiver.control.services.oauth.issuePersonalToken(account._id, ['read', 'write', 'follow']);
      });
      readers.push({ instance: receiver, accounts, tokens, authorId: await receiver.knowRemoteActor(writerUri) });
    }
    const followerCount = readers.reduce((n, r) => n + r.accounts.length, 0);
    log(`outbound: ${followerCount} readers on ${INSTANCES} instances seeded in ${((performance.now() - t) / 1000).toFixed(1)} s; following the author`);

    const follows = readers.flatMap((r) => r.tokens.map((token) => ({ r, token })));
    t = performance.now();
    if (FOLLOWS_VIA === 'federation') await followOverFederation(author, writer, readers, mongo);
    else await followDirectly(author, writer, readers, mongo);
    const followSeconds = (performance.now() - t) / 1000;
    log(`outbound: ${followerCount} follows established ${FOLLOWS_VIA === 'federation' ? 'over federation (Follow → Accept)' : 'directly in both databases'} in ${followSeconds.toFixed(1)} s`);
    record('outbound_follows_s', `set-up: ${followerCount} follows (${FOLLOWS_VIA})`, 's', followSeconds);

    await pool(follows, 16, async ({ r, token }) => {
      await api(`${r.instance.url}/api/v1/timelines/home`, token, 'GET');
    });

    for (let run = 1; run <= RUNS; run++) {
      const before = await Promise.all(receivers.map((r) => r.inboxPosts()));
      const doneAt: number[] = receivers.map(() => 0);
      const t0 = performance.now();
      await api(`${author.url}/api/v1/statuses`, writerToken, 'POST', { status: `Fan-out probe ${run}: the quarterly plan is out`, visibility: 'public' });
      const postedMs = performance.now() - t0;
      await until('the status in every follower\'s home feed', async () => {
        await Promise.all(readers.map(async (r, i) => {
          if (doneAt[i]) return;
          const sizes = await feedSizes(redis, r.instance.config.redisPrefix, r.accounts.map((a) => a._id));
          if (sizes.every((n) => n >= run)) doneAt[i] = performance.now() - t0;
        }));
        return doneAt.every(Boolean);
      }, PROCESS_TIMEOUT_MS, 5);
      // A retried or duplicated delivery would come late: give it a moment before counting.
      await sleep(1000);
      const after = await Promise.all(receivers.map((r) => r.inboxPosts()));
      const requests = after.reduce((n, count, i) => n + count - before[i]!, 0);
      const allMs = Math.max(...doneAt);
      log(`outbound run ${run}/${RUNS}: POST answered in ${postedMs.toFixed(0)} ms; first instance done after ${Math.min(...doneAt).toFixed(0)} ms, ` +
        `all ${INSTANCES} after ${allMs.toFixed(0)} ms; ${requests} inbox POSTs at the receivers`);
      record('outbound_all_ms', `outbound: POST → in all ${followerCount} home feeds on ${INSTANCES} instances`, 'ms', allMs);
      record('outbound_first_ms', 'outbound: POST → first instance done', 'ms', Math.min(...doneAt));
      record('outbound_requests', 'outbound: inbox POSTs counted at the receivers', 'req', requests, 0);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

// ---------------------------------------------------------------------------------------------------------

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
log(`machine: ${os.cpus().length} cores (${cpu}), load average ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
for (let run = 1; run <= RUNS; run++) {
  const rate = rsaVerificationsPerSecond(RSA_SECONDS);
  log(`RSA-2048 verify, run ${run}/${RUNS}: ${rate.toFixed(0)}/s on one core`);
  record('rsa_verify_per_s', 'limit: RSA-2048 verifications per second, 1 core', '/s', rate, 0);
}

const backing = await backingServices();
const runId = BenchInstance.runId();
const redis = new Redis(backing.redisUrl, { maxRetriesPerRequest: 3 });
const mongo = await MongoClient.connect(backing.mongoUrl);
const stops: (() => Promise<void>)[] = [];
let failed: unknown = null;
try {
  if (!SKIP.has('inbound')) stops.push(await inbound(backing, runId, redis));
  if (!SKIP.has('outbound')) stops.push(await outbound(backing, runId, redis, mongo));
} catch (error) {
  failed = error;
} finally {
  for (const stop of stops) await stop().catch((error: unknown) => log(`stopping: ${(error as Error).message}`));
  // Leave nothing behind on shared services: this run's databases and keys.
  for (const name of BenchInstance.databases) await mongo.db(name).dropDatabase();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `kith:fedbench_${runId}_*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await mongo.close();
  redis.disconnect();
  await backing.stop();
}
if (failed) {
  console.error(`federation bench failed: ${(failed as Error).stack ?? failed}`);
  process.exit(1);
}

// ---- the report: a table, then one line of JSON
const fmt = (f: Figure, n: number) => n.toFixed(f.digits ?? 1);
console.log(`\nKith federation benchmark: ${RUNS} run${RUNS === 1 ? '' : 's'}, medians; ${os.cpus().length} cores (${cpu}); ${backing.description}; signatures ${SPEC}${LD_SIGNATURE ? ' + LD signatures' : ''}`);
console.log(`inbound: ${ACTIVITIES} Create(Note) per run from ${SENDERS} concurrent senders to one shared inbox; ` +
  `outbound: 1 status to ${FOLLOWERS} followers on ${INSTANCES} instances\n`);
console.log('| figure | median | unit | runs |');
console.log('|---|---|---|---|');
for (const figure of Object.values(figures)) {
  console.log(`| ${figure.label} | ${fmt(figure, median(figure.runs))} | ${figure.unit} | ${figure.runs.map((n) => fmt(figure, n)).join(', ')} |`);
}
const rsa = figures.rsa_verify_per_s;
const acceptedFigure = figures.inbound_accepted_per_s;
if (rsa && acceptedFigure) {
  console.log(`\naccepted/s ${fmt(acceptedFigure, median(acceptedFigure.runs))} beside the RSA-2048 limit of ${fmt(rsa, median(rsa.runs))} verifications/s per core ` +
    (LD_SIGNATURE
      ? '(each accepted activity costs 2 RSA verifications: the inbound guard\'s HTTP signature and Fedify\'s LD signature, after RDF canonicalization)'
      : '(each accepted activity costs 2 RSA verifications of its HTTP signature: the inbound guard\'s and Fedify\'s)'));
}
console.log(JSON.stringify({
  bench: 'federation',
  date: new Date().toISOString(),
  machine: { cores: os.cpus().length, cpu, loadAverage: os.loadavg() },
  params: { runs: RUNS, senders: SENDERS, activities: ACTIVITIES, instances: INSTANCES, followers: FOLLOWERS, spec: SPEC, ldSignature: LD_SIGNATURE, follows: FOLLOWS_VIA, rsaSeconds: RSA_SECONDS, mongo: backing.description },
  figures: Object.fromEntries(Object.entries(figures).map(([key, f]) => [key, { label: f.label, unit: f.unit, median: median(f.runs), runs: f.runs }])),
}));
process.exit(0);
