// `npm run network`: the real launcher (`node deploy/run.mjs network 3`) as a child process, on free high
// ports (NETWORK_BASE_PORT) and a data directory of its own (NETWORK_DATA_DIR), so that it never meets a
// developer's running network. It starts its own stand-in and Redis, as a developer's run does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/cli/context.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COUNT = 3;

let launcher: ChildProcess;
let exited: Promise<number | null>;
let dataDir: string;
let basePort: number;
let stdout = '';
let stderr = '';
/** The launcher's descendants while the network runs (servers, stand-in, Redis). */
let descendants: number[] = [];

/** The launcher's "<name> <url>" lines. */
function urlLines(): string[] {
  return stdout.split('\n').filter((line) => /^dept\d+ /.test(line));
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of COUNT consecutive free loopback ports, away from 3101 and below Linux's ephemeral range
 * (32768 and up), where the other tests' servers, bound to port 0, land.
 */
async function freePortRun(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await Promise.all(Array.from({ length: COUNT }, (_, i) => portIsFree(base + i)));
    if (free.every(Boolean)) return base;
  }
}

/** Every live descendant of `pid`, from /proc. */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const wanted = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of parentOf) {
      if (wanted.has(parent) && !wanted.has(child)) {
        wanted.add(child);
        found.push(child);
        grew = true;
      }
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An exited child not yet reaped is a zombie: gone for our purposes.
  try {
    return !/^\S+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function waitFor(what: string, done: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (done()) {
        clearInterval(timer);
        resolve();
      } else if (launcher.exitCode !== null || launcher.signalCode !== null) {
        clearInterval(timer);
        reject(new Error(`the launcher exited before ${what}:\n${stderr}`));
      }
    }, 50);
  });
}

beforeAll(async () => {
  basePort = await freePortRun();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-network-test-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NETWORK_BASE_PORT: String(basePort), NETWORK_DATA_DIR: dataDir };
  for (const name of ['MONGODB_URL', 'REDIS_URL', 'MONGODB_DATABASE', 'REDIS_PREFIX', 'LOG_LEVEL']) delete env[name];
  launcher = spawn(process.execPath, ['deploy/run.mjs', 'network', String(COUNT)], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  launcher.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  launcher.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  exited = new Promise((resolve) => launcher.once('exit', (code) => resolve(code)));
  await waitFor('printing the URLs', () => urlLines().length >= COUNT && /REDIS_URL=\S+/.test(stderr));
  descendants = descendantsOf(launcher.pid!);
});

afterAll(async () => {
  // Only if the test failed half-way: nothing of ours may outlive it.
  if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
    launcher.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  }
  for (const pid of descendants) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run network', () => {
  it('starts n allowlisting instances with open registration and stops everything on SIGTERM', async () => {
    const urls = Array.from({ length: COUNT }, (_, i) => `http://127.0.0.1:${basePort + i}`);
    expect(urlLines()).toEqual(urls.map((url, i) => `dept${i + 1} ${url}`));
    // Servers (3), the stand-in and Redis, each its own process.
    expect(descendants.length).toBeGreaterThanOrEqual(COUNT + 2);

    for (const [i, url] of urls.entries()) {
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const instance = await (await fetch(`${url}/api/v2/instance`)).json() as { domain: string; registrations: { enabled: boolean } };
      expect(instance.domain).toBe(`127.0.0.1:${basePort + i}`);
      expect(instance.registrations.enabled).toBe(true);
    }

    // An admin of dept1, made on dept1's database in the network's own MongoDB and Redis.
    const config = loadConfig({
      MONGODB_URL: /MONGODB_URL=(\S+)/.exec(stderr)![1],
      REDIS_URL: /REDIS_URL=(\S+)/.exec(stderr)![1],
      INSTANCE_NAME: 'dept1',
      PUBLIC_URL: urls[0],
      LOG_LEVEL: 'silent',
    });
    const context = await openContext(config);
    let token: string;
    try {
      const admin = await context.services.accounts.create({ username: 'admin', email: 'admin@example.test', password: 'correct horse battery', role: 'admin' });
      token = await context.services.oauth.issuePersonalToken(admin._id, ['admin:read']);
    } finally {
      await context.close();
    }
    const peers = await fetch(`${urls[0]}/api/v1/kith/federation/peers`, { headers: { authorization: `Bearer ${token}` } });
    expect(peers.status).toBe(200);
    const list = await peers.json() as { host: string; state: string; scheme: string }[];
    expect(list.map((p) => `${p.host} ${p.state} ${p.scheme}`)).toEqual([
      `127.0.0.1:${basePort + 1} allow http`,
      `127.0.0.1:${basePort + 2} allow http`,
    ]);

    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(descendants.filter(isAlive)).toEqual([]);
    expect(urlLines()).toHaveLength(COUNT);
  });
});
