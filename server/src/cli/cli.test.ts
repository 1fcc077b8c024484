// The real CLI as a child process (Node running server/src/cli/main.ts) against a running test instance's
// database and Redis; what it prints is then used against that instance's HTTP API.
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

describe('kith CLI', () => {
  it('creates an account and prints a token that works against the API', async () => {
    const created = await kithCli(['accounts', 'create', 'carol', '--email', 'carol@example.test', '--password', 'a long password', '--role', 'admin', '--display-name', 'Carol C.']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created @carol \(id \d{16}, role admin\)\n$/);

    const token = await kithCli(['token', 'carol', '--scopes', 'read write']);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^[\w-]{40,}\n$/);
    const api = kith.api.withToken(token.stdout.trim());
    const me = await api.get('/api/v1/accounts/verify_credentials');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'carol', display_name: 'Carol C.', kith: { role: 'admin' } });
    // Only the scopes asked for.
    expect((await api.get('/api/v1/kith/admin/accounts')).status).toBe(403);
    const adminToken = (await kithCli(['token', '@carol', '--scopes', 'admin:read'])).stdout.trim();
    expect((await kith.api.withToken(adminToken).get('/api/v1/kith/admin/accounts')).status).toBe(200);
  });

  it('lists accounts, as a table or JSON', async () => {
    await kith.createUser('dave');
    const text = await kithCli(['accounts', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^ID\s+USERNAME\s+ROLE\s+EMAIL\s+SUSPENDED\s+CREATED$/);
    expect(text.stdout).toMatch(/\bdave\s+member\s+dave@example\.test\s+no\b/);
    const json = await kithCli(['accounts', 'list', '--json']);
    const rows = JSON.parse(json.stdout) as { username: string; role: string; email: string }[];
    expect(rows.find((r) => r.username === 'dave')).toMatchObject({ role: 'member', email: 'dave@example.test' });
  });

  it('suspends, unsuspends and changes roles; the API sees it at once', async () => {
    const erin = await kith.createUser('erin');
    const suspended = await kithCli(['accounts', 'suspend', 'erin']);
    expect(suspended.code).toBe(0);
    expect(suspended.stdout).toContain('suspended @erin');
    const blocked = await erin.api.get('/api/v1/accounts/verify_credentials');
    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({ error: 'Your login is currently disabled' });
    const noToken = await kithCli(['token', 'erin']);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('suspended');

    expect((await kithCli(['accounts', 'unsuspend', 'erin'])).code).toBe(0);
    expect((await erin.api.get('/api/v1/accounts/verify_credentials')).status).toBe(200);
    const role = await kithCli(['accounts', 'role', 'erin', 'connector']);
    expect(role.code).toBe(0);
    expect((await erin.api.get('/api/v1/accounts/verify_credentials')).body.kith.role).toBe('connector');
  });

  it('creates invite codes that the sign-up check accepts', async () => {
    const res = await kithCli(['invites', 'create', '--max-uses', '3', '--expires-in-days', '2', '--role', 'connector']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^[A-Z2-9]{10}\n$/);
    const check = await kith.api.get(`/api/v1/kith/invites/${res.stdout.trim()}/check`);
    expect(check.body).toMatchObject({ valid: true, role: 'connector' });
    const list = await kithCli(['invites', 'list', '--json']);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ code: res.stdout.trim(), max_uses: 3, uses: 0 });
  });

  it('fails with exit code 1 and a clear message, storing nothing', async () => {
    const before = (await kith.services.accounts.listLocal()).length;
    const taken = await kithCli(['accounts', 'create', 'carol', '--email', 'other@example.test', '--password', 'a long password']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('kith: Username is already taken\n');
    expect(taken.stdout).toBe('');
    const weak = await kithCli(['accounts', 'create', 'frank', '--email', 'frank@example.test', '--password', 'short']);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('Password is too short');
    const unknown = await kithCli(['token', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('kith: no local account @nobody\n');
    expect(unknown.stdout).toBe('');
    const badScope = await kithCli(['token', 'carol', '--scopes', 'read everything']);
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toContain('Unknown scope everything');
    expect((await kith.services.accounts.listLocal()).length).toBe(before);
  });

  it('answers bad usage with exit code 2, and --help with 0', async () => {
    const cases: string[][] = [
      [],
      ['frobnicate'],
      ['accounts'],
      ['accounts', 'delete', 'carol'],
      ['accounts', 'create'],
      ['accounts', 'create', 'gina', '--password', 'a long password'],
      ['accounts', 'create', 'gina', '--email', 'g@example.test', '--password', 'a long password', '--role', 'king'],
      ['accounts', 'create', 'gina', '--email', 'g@example.test', '--password', 'a long password', '--colour', 'red'],
      ['accounts', 'role', 'carol'],
      ['token'],
      ['token', 'a', 'b'],
      ['token', 'carol', '--expires-in-days', 'soon'],
      ['invites', 'create', '--max-uses', '0'],
      ['invites', 'create', '--role', 'admin'],
    ];
    const results = await Promise.all(cases.map((args) => kithCli(args)));
    results.forEach((res, i) => {
      expect(res.code, cases[i]!.join(' ')).toBe(2);
      expect(res.stderr, cases[i]!.join(' ')).toMatch(/^kith: /);
      expect(res.stdout, cases[i]!.join(' ')).toBe('');
    });
    for (const args of [['--help'], ['accounts', '--help'], ['accounts', 'create', '--help'], ['token', '-h'], ['invites', 'create', '--help']]) {
      const res = await kithCli(args);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout, args.join(' ')).toMatch(/Usage/);
    }
    expect((await kithCli(['accounts', 'list'], { PATH: process.env.PATH ?? '' })).code).toBe(2);
    expect((await kith.services.accounts.listLocal()).some((a) => a.username === 'gina')).toBe(false);
  });
});
