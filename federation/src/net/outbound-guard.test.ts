// The outbound guard on real sockets: a target server on loopback counts the requests that reach it,
// so "refused" means refused before connecting, not a failed connection.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundGuard, isOutboundRefusal } from './outbound-guard.ts';
import { installOutboundRouter, runOutbound } from './outbound-context.ts';
import { allow, block, testPolicy } from './test-peers.ts';

let server: Server;
let port: number;
let hits: string[] = [];

/** `/hop/<n>` redirects n times before answering; `/to?url=` redirects there; `/big` is 5 MB. */
function route(url: string): { status: number; headers: Record<string, string>; body: string } {
  const parsed = new URL(url, 'http://x');
  const hop = /^\/hop\/(\d+)$/.exec(parsed.pathname);
  if (hop) {
    const n = Number(hop[1]);
    return n === 0 ? { status: 200, headers: {}, body: 'arrived' } : { status: 302, headers: { location: `/hop/${n - 1}` }, body: '' };
  }
  if (parsed.pathname === '/to') return { status: 302, headers: { location: parsed.searchParams.get('url')! }, body: '' };
  if (parsed.pathname === '/big') return { status: 200, headers: {}, body: 'x'.repeat(5 * 1024 * 1024) };
  return { status: 200, headers: {}, body: 'ok' };
}

beforeAll(async () => {
  installOutboundRouter();
  server = createServer((request, response) => {
    hits.push(request.url ?? '');
    const { status, headers, body } = route(request.url ?? '/');
    response.writeHead(status, headers);
    response.end(body);
  });
  // Dual-stack, so [::1] and ::ffff:127.0.0.1 would reach it too if the guard let them through.
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  hits = [];
});

async function fetchVia(guard: OutboundGuard, url: string): Promise<{ status: number; body: string } | { refused: Error }> {
  try {
    return await runOutbound(guard, async () => {
      const response = await fetch(url);
      return { status: response.status, body: await response.text() };
    });
  } catch (error) {
    if (isOutboundRefusal(error)) return { refused: error };
    throw error;
  }
}

describe('open mode, no peers', () => {
  const guard = new OutboundGuard(testPolicy('open').policy);
  afterAll(() => guard.close());

  it.each([
    (p: number) => `http://127.0.0.1:${p}/`,
    (p: number) => `http://localhost:${p}/`,
    (p: number) => `http://2130706433:${p}/`,
    (p: number) => `http://0x7f.0.0.1:${p}/`,
    (p: number) => `http://0177.0.0.1:${p}/`,
    (p: number) => `http://[::1]:${p}/`,
    (p: number) => `http://[::ffff:127.0.0.1]:${p}/`,
    (p: number) => `http://[::ffff:7f00:1]:${p}/`,
    (p: number) => `http://0.0.0.0:${p}/`,
    () => 'http://169.254.169.254/latest/meta-data/',
    () => 'http://[fe80::1]/',
    () => 'http://10.0.0.1/',
  ])('refuses loopback, private and link-local targets in every spelling (%#)', async (target) => {
    const result = await fetchVia(guard, target(port));
    expect(result).toHaveProperty('refused');
    expect(hits).toEqual([]);
  });

  it('fails a look-alike name that does not resolve, reaching nothing', async () => {
    const error = await runOutbound(guard, () => fetch(`http://127.0.0.1.attacker.invalid:${port}/`)).then(
      () => null,
      (err: unknown) => err as Error & { cause?: { code?: string } },
    );
    expect(error?.cause?.code).toBe('ENOTFOUND');
    expect(hits).toEqual([]);
  });
});

describe('open mode with the loopback server as a peer', () => {
  const peers = testPolicy('open', [allow(`127.0.0.1:PORT`)]);
  let guard: OutboundGuard;
  beforeAll(() => {
    peers.set([allow(`127.0.0.1:${port}`)]);
    guard = new OutboundGuard(peers.policy);
  });
  afterAll(() => guard.close());

  it('reaches the peer, and not the same address under another name or port', async () => {
    expect(await fetchVia(guard, `http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: 'ok' });
    expect(await fetchVia(guard, `http://localhost:${port}/`)).toHaveProperty('refused');
    expect(await fetchVia(guard, `http://[::ffff:127.0.0.1]:${port}/`)).toHaveProperty('refused');
    expect(hits).toEqual(['/']);
  });

  it('refuses a redirect from the peer to a private address', async () => {
    for (const to of [`http://localhost:${port}/secret`, 'http://169.254.169.254/latest/meta-data/', `http://[::1]:${port}/secret`]) {
      expect(await fetchVia(guard, `http://127.0.0.1:${port}/to?url=${encodeURIComponent(to)}`)).toHaveProperty('refused');
    }
    expect(hits.filter((hit) => hit.startsWith('/secret'))).toEqual([]);
  });

  it('follows 3 redirects and refuses the 4th', async () => {
    expect(await fetchVia(guard, `http://127.0.0.1:${port}/hop/3`)).toEqual({ status: 200, body: 'arrived' });
    hits = [];
    expect(await fetchVia(guard, `http://127.0.0.1:${port}/hop/4`)).toHaveProperty('refused');
    expect(hits).toEqual(['/hop/4', '/hop/3', '/hop/2', '/hop/1']);
  });

  it('counts redirects followed by hand, across separate fetch calls', async () => {
    let url = `http://127.0.0.1:${port}/hop/5`;
    let refused = false;
    for (let call = 0; call < 6 && !refused; call++) {
      const outcome = await runOutbound(guard, () => fetch(url, { redirect: 'manual' })).then(
        (response) => response,
        (error: unknown) => (isOutboundRefusal(error) ? null : Promise.reject(error)),
      );
      if (!outcome) refused = true;
      else url = new URL(outcome.headers.get('location')!, url).href;
    }
    expect(refused).toBe(true);
    expect(hits).toEqual(['/hop/5', '/hop/4', '/hop/3', '/hop/2']);
  });

  it('stops a 5 MB response at the 1 MiB cap', async () => {
    const error = await runOutbound(guard, async () => (await fetch(`http://127.0.0.1:${port}/big`)).text()).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(error).not.toBeNull();
    const codes: unknown[] = [];
    for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) codes.push((current as { code?: unknown }).code);
    expect(codes).toContain('UND_ERR_RES_EXCEEDED_MAX_SIZE');
  });

  it('checks every request against the current list: a kept-alive connection does not outlive a block', async () => {
    const local = testPolicy('open', [allow(`127.0.0.1:${port}`)]);
    const own = new OutboundGuard(local.policy);
    try {
      expect(await fetchVia(own, `http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: 'ok' });
      local.set([block(`127.0.0.1:${port}`)]);
      expect(await fetchVia(own, `http://127.0.0.1:${port}/`)).toHaveProperty('refused');
      local.set([allow(`127.0.0.1:${port}`, '10.0.0.0/8')]);
      expect(await fetchVia(own, `http://127.0.0.1:${port}/`)).toHaveProperty('refused');
      expect(hits).toEqual(['/']);
    } finally {
      await own.close();
    }
  });
});

describe('allowlist mode', () => {
  it('sends nothing to a host that is not a peer, at any address', async () => {
    const guard = new OutboundGuard(testPolicy('allowlist', [allow('peer.example')]).policy);
    try {
      expect(await fetchVia(guard, `http://127.0.0.1:${port}/`)).toHaveProperty('refused');
      expect(await fetchVia(guard, 'http://stranger.invalid/')).toHaveProperty('refused');
      expect(hits).toEqual([]);
    } finally {
      await guard.close();
    }
  });
});

describe('routing by outbound context', () => {
  it('uses the active instance guard, and a plain agent outside every context', async () => {
    const refusing = new OutboundGuard(testPolicy('allowlist').policy);
    const allowing = new OutboundGuard(testPolicy('allowlist', [allow(`127.0.0.1:${port}`)]).policy);
    try {
      expect(await fetchVia(refusing, `http://127.0.0.1:${port}/a`)).toHaveProperty('refused');
      expect(await fetchVia(allowing, `http://127.0.0.1:${port}/b`)).toEqual({ status: 200, body: 'ok' });
      // Nested contexts: the innermost wins, also after an await.
      const nested = await runOutbound(allowing, () =>
        runOutbound(refusing, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return fetch(`http://127.0.0.1:${port}/c`).then(() => 'sent', (error: unknown) => (isOutboundRefusal(error) ? 'refused' : 'failed'));
        }),
      );
      expect(nested).toBe('refused');
      expect((await fetch(`http://127.0.0.1:${port}/d`)).status).toBe(200);
      expect(hits).toEqual(['/b', '/d']);
    } finally {
      await Promise.all([refusing.close(), allowing.close()]);
    }
  });
});
