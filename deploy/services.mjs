// Zero-config backing services for development and tests: a MongoDB wire-protocol stand-in
// (mongo-java-server, run from source by Java) and a private redis-server, each on a free
// loopback port. Plain ESM with Node built-ins only: it runs before `npm install` and on Node 20.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const cacheDir = path.join(repoRoot, '.kith', 'cache');
const standInDir = path.join(repoRoot, 'deploy', 'mongo-standin');
const pomFile = path.join(standInDir, 'pom.xml');
const classpathFile = path.join(cacheDir, 'mongo-standin.classpath');
const classpathPomHashFile = path.join(cacheDir, 'mongo-standin.pom.sha256');

// The first start compiles MongoStandIn.java and warms up a JVM; a few seconds, more on a busy CI box.
const MONGO_START_TIMEOUT_MS = 60_000;
const REDIS_START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/** A free TCP port on 127.0.0.1 (free now; bind it soon, another process could take it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function onPath(command) {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir && isExecutable(path.join(dir, command)));
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The Java classpath of the stand-in, resolved by Maven from deploy/mongo-standin/pom.xml.
 * Cached in .kith/cache and resolved again only when pom.xml changes or a jar went missing.
 */
export async function ensureMongoClasspath() {
  const pomHash = createHash('sha256').update(fs.readFileSync(pomFile)).digest('hex');
  const cached = readIfExists(classpathFile)?.trim();
  if (cached && readIfExists(classpathPomHashFile)?.trim() === pomHash &&
      cached.split(path.delimiter).every((jar) => fs.existsSync(jar))) {
    return cached;
  }

  if (!onPath('mvn') || !onPath('java')) {
    throw new Error('The MongoDB stand-in needs Java 17+ and Maven on PATH ' +
      '(Debian: apt-get install -y openjdk-17-jdk-headless maven), ' +
      'or set MONGODB_URL to a running MongoDB.');
  }
  console.error('kith: fetching the MongoDB stand-in (mongo-java-server) with Maven; first run only…');
  fs.mkdirSync(cacheDir, { recursive: true });
  // Unique output name, renamed into place: a test run and `npm start` may resolve at the same time.
  const tmp = `${classpathFile}.${process.pid}.tmp`;
  const result = await run('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', pomFile,
    'dependency:build-classpath', `-Dmdep.outputFile=${tmp}`]);
  if (result.code !== 0 || !fs.existsSync(tmp)) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`Maven could not resolve the MongoDB stand-in (exit ${result.code}):\n${result.output}`);
  }
  fs.renameSync(tmp, classpathFile);
  fs.writeFileSync(classpathPomHashFile, `${pomHash}\n`);
  return fs.readFileSync(classpathFile, 'utf8').trim();
}

/**
 * Start the MongoDB stand-in on a free loopback port. With dataFile, data lives in that H2 file
 * and survives restarts (one process per file); without, it is in memory.
 * @returns {Promise<{ url: string, port: number, pid: number, stop(): Promise<void> }>}
 */
export async function startMongoStandIn({ dataFile } = {}) {
  const classpath = await ensureMongoClasspath();
  const args = ['-cp', classpath, path.join(standInDir, 'MongoStandIn.java'), '--port', '0'];
  if (dataFile) args.push('--file', path.resolve(dataFile));
  // Port 0: the stand-in binds a free port itself and reports it, so there is no race to lose.
  const child = spawnService('java', args);
  const output = collectOutput(child, 'stderr');

  const port = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(`did not report READY within ${MONGO_START_TIMEOUT_MS / 1000}s`),
      MONGO_START_TIMEOUT_MS);
    const onExit = (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`);
    function fail(why) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`MongoDB stand-in ${why}.\n${output()}`.trim()));
    }
    child.once('error', (err) => fail(`could not start java: ${err.message}`));
    child.once('exit', onExit);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /^READY (\d+)$/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(Number(match[1]));
    });
  });

  detachOutput(child);
  return { url: `mongodb://127.0.0.1:${port}`, port, pid: child.pid, stop: () => stopProcess(child) };
}

/**
 * Make sure redis-server is on PATH. As root on Debian, install it with apt-get; otherwise
 * throw an error that names what to install.
 * @returns {Promise<void>}
 */
export async function ensureRedisInstalled() {
  if (onPath('redis-server')) return;
  const canInstall = process.platform === 'linux' && process.getuid?.() === 0 &&
    fs.existsSync('/etc/debian_version') && onPath('apt-get');
  if (!canInstall) {
    throw new Error('redis-server is not installed. Install Redis 7 ' +
      '(Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis), ' +
      'or set REDIS_URL to a running Redis.');
  }

  console.error('kith: installing redis-server with apt-get; first run only…');
  // apt-cache has no candidate when the package lists were never fetched (fresh containers).
  const known = spawnSync('apt-cache', ['show', 'redis-server'], { stdio: 'ignore' }).status === 0;
  if (!known) await aptGet(['update']);
  // Keep the package from starting its own system redis on 6379: we always run private ones on
  // free ports, and an unused daemon only costs memory. policy-rc.d is Debian's switch for that.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !fs.existsSync(policy);
  if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\n# kith: do not start services during install\nexit 101\n', { mode: 0o755 });
  try {
    const install = ['install', '-y', '--no-install-recommends', 'redis-server'];
    try {
      await aptGet(install);
    } catch (err) {
      if (!known) throw err;
      await aptGet(['update']); // stale package lists point at files the mirror no longer has
      await aptGet(install);
    }
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true });
  }
  if (!onPath('redis-server')) throw new Error('apt-get installed redis-server but it is not on PATH.');
}

async function aptGet(args) {
  // Progress goes to stderr so the stdout of commands like `npm run kith` stays clean.
  const result = await run('apt-get', args, { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.code}).`);
}

/**
 * Start a private redis-server on a free loopback port. Without dataDir nothing is written to
 * disk (tests); with dataDir it persists there (append-only file plus snapshots). With port it
 * listens there (to restart a Redis where its clients reconnect: same port and dataDir).
 * @returns {Promise<{ url: string, port: number, pid: number, stop(): Promise<void> }>}
 */
export async function startRedis({ dataDir, port } = {}) {
  await ensureRedisInstalled();
  if (port) return startRedisOnce(port, dataDir);
  // redis-server cannot pick its own port (--port 0 disables TCP): retry if another process
  // takes our free port first.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisOnce(await freePort(), dataDir);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test(err.message)) throw err;
    }
  }
}

async function startRedisOnce(port, dataDir) {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'no',
    '--loglevel', 'warning', '--logfile', ''];
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    args.push('--dir', path.resolve(dataDir), '--appendonly', 'yes');
  } else {
    args.push('--dir', os.tmpdir(), '--save', '', '--appendonly', 'no');
  }
  const child = spawnService('redis-server', args);
  const output = collectOutput(child, 'stdout', 'stderr');
  let exited = null;
  child.once('exit', (code, signal) => { exited = signal ?? `code ${code}`; });
  child.once('error', (err) => { exited = err.message; });

  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`redis-server exited (${exited}) before it was ready.\n${output()}`.trim());
    // -LOADING while it replays the append-only file: keep waiting.
    if ((await redisPing(port)) === 'PONG') break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer PING within ${REDIS_START_TIMEOUT_MS / 1000}s.\n${output()}`.trim());
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  detachOutput(child);
  // Redis logs its normal shutdown at warning level; not worth three lines at every stop.
  const stop = () => {
    for (const stream of [child.stdout, child.stderr]) stream.removeAllListeners('data').resume();
    return stopProcess(child);
  };
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, stop };
}

/**
 * Send PING to a Redis on 127.0.0.1 over raw RESP.
 * @returns {Promise<string|null>} the reply line without its type byte ('PONG', 'LOADING …'), or null when nothing answers
 */
export function redisPing(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (value) => { socket.destroy(); resolve(value); };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      const end = reply.indexOf('\r\n');
      if (end >= 0) done(reply.slice(1, end));
    });
  });
}

function spawnService(command, args) {
  // Own process group: a Ctrl-C in the terminal reaches the server, not its databases, so the
  // server can finish its graceful shutdown before the launcher stops them.
  // Parent-death signal (Linux setpriv): if the launcher is killed outright, the service gets
  // SIGTERM instead of lingering and holding the H2 file lock. It fires when the spawning
  // *thread* ends, so start services from the main thread, not from a worker.
  const [cmd, argv] = onPath('setpriv')
    ? ['setpriv', ['--pdeathsig', 'TERM', command, ...args]]
    : [command, args];
  return spawn(cmd, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Keep the last few KB of a child's output for error messages. */
function collectOutput(child, ...streams) {
  let text = '';
  for (const name of streams) {
    child[name].setEncoding('utf8');
    child[name].on('data', (chunk) => { text = (text + chunk).slice(-8000); });
  }
  return () => text;
}

/**
 * After start-up: pass the service's warnings on to our stderr (stdout may be a CLI's output),
 * and let the caller's process exit even if it never calls stop().
 */
function detachOutput(child) {
  for (const stream of [child.stdout, child.stderr]) {
    stream.removeAllListeners('data');
    stream.on('data', (chunk) => process.stderr.write(chunk));
    stream.unref?.();
  }
  child.unref();
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM'); // both flush to disk on SIGTERM: H2 on close, Redis its AOF/RDB
  });
}

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout?.on('data', (chunk) => { output += chunk; });
    child.stderr?.on('data', (chunk) => { output += chunk; });
    child.on('error', (err) => resolve({ code: -1, output: err.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
