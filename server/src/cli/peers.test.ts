// `kith peers …` as a child process against a running test instance's database and Redis; the running
// instance sees each change at once (Redis pub/sub), as another server process would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';
import { runCli } from './cli.test-support.ts';

let kith: TestInstance;

beforeAll(async () => {
  kith = await startTestInstance();
});

afterAll(async () => {
  await kith?.close();
});

const kithCli = (args: string[], env?: Record<string, string>) => runCli(kith, args, env);

/** Resolves at the next change of the running instance's peer list. */
async function nextChange(): Promise<void> {
  await kith.services.peers.listening();
  return new Promise((resolve) => kith.services.peers.onChange(resolve));
}

describe('kith peers', () => {
  it('adds, lists and removes peers; the running instance follows each change', async () => {
    expect(await kith.services.peers.isAllowed('127.0.0.1:3102')).toBe(false);
    const changed = nextChange();
    const added = await kithCli(['peers', 'add', '127.0.0.1:3102', '--http', '--note', 'engineering']);
    expect(added).toEqual({ code: 0, stdout: 'allowed 127.0.0.1:3102 (allow, http, engineering)\n', stderr: '' });
    await changed;
    expect(await kith.services.peers.isAllowed('127.0.0.1:3102')).toBe(true);

    const blocked = await kithCli(['peers', 'add', 'Evil.Example', '--block']);
    expect(blocked).toEqual({ code: 0, stdout: 'blocked evil.example (block, https)\n', stderr: '' });
    const text = await kithCli(['peers', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')).toEqual(['HOST            STATE  SCHEME  NOTE', '127.0.0.1:3102  allow  http    engineering', 'evil.example    block  https', '']);
    const json = await kithCli(['peers', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { host: '127.0.0.1:3102', scheme: 'http', state: 'allow', note: 'engineering', created_at: expect.any(String) },
      { host: 'evil.example', scheme: 'https', state: 'block', note: '', created_at: expect.any(String) },
    ]);

    const removedChange = nextChange();
    expect(await kithCli(['peers', 'remove', '127.0.0.1:3102'])).toEqual({ code: 0, stdout: 'removed 127.0.0.1:3102\n', stderr: '' });
    await removedChange;
    expect(await kith.services.peers.isAllowed('127.0.0.1:3102')).toBe(false);
    expect((await kith.services.peers.list(null)).map((p) => p.host)).toEqual(['evil.example']);
  });

  it('fails with exit code 1 for a bad or unknown host, storing nothing', async () => {
    const before = await kith.services.peers.list(null);
    const scheme = await kithCli(['peers', 'add', 'https://x.example']);
    expect(scheme.code).toBe(1);
    expect(scheme.stderr).toBe('kith: Host must be host[:port] without scheme, path or user (got "https://x.example")\n');
    expect(scheme.stdout).toBe('');
    expect((await kithCli(['peers', 'add', 'admin@x.example'])).code).toBe(1);
    expect((await kithCli(['peers', 'add', 'x.example/inbox'])).code).toBe(1);
    const unknown = await kithCli(['peers', 'remove', 'nobody.example']);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'kith: no peer entry for nobody.example\n' });
    expect(await kith.services.peers.list(null)).toEqual(before);
  });

  it('answers bad usage with exit code 2, and --help with 0', async () => {
    for (const args of [['peers'], ['peers', 'ban', 'x.example'], ['peers', 'add'], ['peers', 'add', 'a.example', 'b.example'], ['peers', 'add', 'x.example', '--state', 'block'], ['peers', 'remove'], ['peers', 'list', 'extra']]) {
      const res = await kithCli(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toMatch(/^kith: /);
      expect(res.stdout, args.join(' ')).toBe('');
    }
    for (const args of [['peers', '--help'], ['peers', 'add', '--help'], ['--help']]) {
      const res = await kithCli(args);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout, args.join(' ')).toMatch(/peers add <host\[:port\]>/);
    }
  });
});
