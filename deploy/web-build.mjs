// Builds the web app (web/, SvelteKit + adapter-node) when its sources changed since the last build, and
// installs Debian's chromium for the browser tests when it is missing. Used by deploy/run.mjs (start, test)
// and by the e2e tests' global setup. Plain ESM with Node built-ins only, like the rest of deploy/.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './services.mjs';

export const webDir = path.join(repoRoot, 'web');
/** adapter-node's output: the server mounts build/handler.js (WEB_APP_DIR). */
export const webBuildDir = path.join(webDir, 'build');
const stampFile = path.join(repoRoot, '.kith', 'cache', 'web-build.sha256');
/** What the build depends on, besides node_modules (whose changes the npm install stamp covers). */
const SOURCES = ['src', 'static', 'vite.config.ts', 'tsconfig.json', 'package.json'];
export const CHROMIUM = '/usr/bin/chromium';

/** A hash of every web source file's path and content. */
export function webSourcesHash() {
  const hash = createHash('sha256');
  const visit = (relative) => {
    const full = path.join(webDir, relative);
    if (!fs.existsSync(full)) return;
    if (fs.statSync(full).isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) visit(path.join(relative, name));
      return;
    }
    hash.update(`${relative}\0`);
    hash.update(fs.readFileSync(full));
    hash.update('\0');
  };
  for (const source of SOURCES) visit(source);
  return hash.digest('hex');
}

/** Whether web/build is missing or older than the sources. */
export function webBuildIsStale() {
  if (!fs.existsSync(path.join(webBuildDir, 'handler.js'))) return true;
  return readIfExists(stampFile)?.trim() !== webSourcesHash();
}

/**
 * Builds the web app with Vite when stale; `node` is a Node 24 binary. Resolves when done, rejects on
 * failure. Two builds at once (a test run beside `npm start`) would overwrite each other's output, so a
 * build holds a lock, and whoever waited for it checks again whether it still needs to build.
 */
export async function ensureWebBuild(node) {
  if (!fs.existsSync(path.join(webDir, 'package.json')) || !webBuildIsStale()) return;
  const release = await lockBuild();
  try {
    if (webBuildIsStale()) await build(node);
  } finally {
    release();
  }
}

const lockDir = path.join(repoRoot, '.kith', 'cache', 'web-build.lock');
const LOCK_WAIT_MS = 5 * 60_000;

/** Takes the build lock (a directory holding the owner's pid); a lock whose owner died is taken over. */
async function lockBuild() {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const owner = Number(readIfExists(path.join(lockDir, 'pid')));
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another web build has held ${lockDir} for over ${LOCK_WAIT_MS / 60_000} minutes.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function build(node) {
  const hash = webSourcesHash();
  console.error('kith: building the web app…');
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const code = await new Promise((resolve, reject) => {
    // Output to stderr: stdout carries the commands' results.
    const child = spawn(node, [vite, 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: ['ignore', 2, 2] });
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal));
  });
  if (code !== 0) throw new Error(`the web app's build failed (exit ${code}); see the output above.`);
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, `${hash}\n`);
}

/** Installs Debian's chromium (for the e2e tests) with apt-get when it is missing and we may. */
export function ensureChromiumInstalled() {
  if (fs.existsSync(CHROMIUM)) return;
  const canInstall = process.platform === 'linux' && process.getuid?.() === 0 &&
    fs.existsSync('/etc/debian_version') && fs.existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    throw new Error('The browser tests need Chromium at /usr/bin/chromium (Debian: apt-get install -y chromium).');
  }
  console.error('kith: installing chromium with apt-get for the browser tests; first run only…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const known = spawnSync('apt-cache', ['show', 'chromium'], { stdio: 'ignore' }).status === 0;
  if (!known) aptGet(['update'], env);
  try {
    aptGet(['install', '-y', '--no-install-recommends', 'chromium'], env);
  } catch (err) {
    if (!known) throw err;
    aptGet(['update'], env); // stale package lists point at files the mirror no longer has
    aptGet(['install', '-y', '--no-install-recommends', 'chromium'], env);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error('apt-get installed chromium but /usr/bin/chromium is missing.');
}

function aptGet(args, env) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 2, 2], env });
  if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.signal}).`);
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
