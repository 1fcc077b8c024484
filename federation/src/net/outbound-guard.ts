// The connect-time outbound guard of one instance (docs/federation-design.md §8, issue 3 item 9): an
// undici dispatcher that every outbound federation request goes through (Fedify's delivery, our
// document loaders, WebFinger), bound to the instance's PeerPolicy.
// - At dispatch: the request's host must be allowed now (a pooled connection never lets a host
//   through that the policy refuses since), and the URL must be at most 3 redirects deep.
// - At connect: the hostname is resolved once, every address it resolves to is judged by
//   `decideAddress`, and the socket connects to the vetted address itself (no second lookup, so DNS
//   rebinding cannot swap it). TLS keeps the name for SNI and certificate checks.
// - Limits: connect 10 s, headers 15 s, body idle 15 s, responses at most 1 MiB.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, Dispatcher, buildConnector } from 'undici';
import { hostOf, type PeerPolicy } from './peer-policy.ts';
import { specialPurpose } from './address-rules.ts';

export const OUTBOUND_LIMITS = {
  maxRedirects: 3,
  connectTimeoutMs: 10_000,
  lookupTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  maxResponseBytes: 1_048_576,
} as const;

/** The guard refused an outbound request (a host or address not allowed, too many redirects). */
export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
  readonly code = 'KITH_OUTBOUND_REFUSED';
}

/** Whether an error (or the cause fetch wraps it in) is the guard's refusal. */
export function isOutboundRefusal(error: unknown): error is Error {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if ((current as { code?: unknown }).code === 'KITH_OUTBOUND_REFUSED') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Every address a hostname resolves to; an address literal is its own only address. */
async function addressesOf(hostname: string): Promise<string[]> {
  if (isIP(hostname)) return [hostname];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DNS lookup of ${hostname} timed out`)), OUTBOUND_LIMITS.lookupTimeoutMs);
  });
  try {
    const found = await Promise.race([lookup(hostname, { all: true, verbatim: true }), timeout]);
    return found.map((entry) => entry.address);
  } finally {
    clearTimeout(timer);
  }
}

/** A connector that resolves, judges every address, and connects to the first vetted one. */
function guardedConnector(policy: PeerPolicy): buildConnector.connector {
  const connect = buildConnector({ timeout: OUTBOUND_LIMITS.connectTimeoutMs });
  return (options, callback) => {
    const hostname = options.hostname.replace(/^\[(.*)\]$/, '$1');
    const host = hostOf(`${options.protocol}//${options.host ?? (options.port ? `${options.hostname}:${options.port}` : options.hostname)}`);
    void (async () => {
      const addresses = await addressesOf(hostname);
      if (addresses.length === 0) throw new OutboundRefused(`${host} resolves to no address`);
      // All of them, not just the first: otherwise a name listing a public and a private address would pass.
      for (const address of addresses) {
        if ((await policy.decideAddress(host, address)) !== 'allow') {
          throw new OutboundRefused(`${host} resolves to ${address} (${specialPurpose(address) ?? 'not a peer'}), which this instance does not connect to`);
        }
      }
      return addresses[0]!;
    })().then(
      // `host` stays the name, so TLS derives SNI and checks the certificate against it.
      (address) => connect({ ...options, hostname: address, servername: options.servername ?? (isIP(hostname) ? undefined : hostname) }, callback),
      (error: Error) => callback(error, null),
    );
  };
}

/**
 * How deep each URL is in a redirect chain, learnt from the 3xx responses that pointed to it, so the
 * cap holds across separate `fetch` calls (Fedify follows redirects itself, up to 20 when it delivers).
 * Entries live a minute.
 */
class RedirectLedger {
  private readonly depths = new Map<string, { depth: number; until: number }>();

  depthOf(url: string): number {
    const entry = this.depths.get(url);
    if (!entry) return 0;
    if (entry.until < Date.now()) {
      this.depths.delete(url);
      return 0;
    }
    return entry.depth;
  }

  note(from: string, statusCode: number, location: string | null): void {
    if (statusCode < 300 || statusCode >= 400 || !location) return;
    let target: URL;
    try {
      target = new URL(location, from);
    } catch {
      return;
    }
    target.hash = '';
    if (this.depths.size >= 10_000) this.depths.delete(this.depths.keys().next().value!);
    this.depths.set(target.href, { depth: this.depthOf(from) + 1, until: Date.now() + 60_000 });
  }
}

function headerValue(value: unknown): string | null {
  if (Array.isArray(value)) return headerValue(value[0]);
  if (value === undefined || value === null) return null;
  return String(value);
}

/** The Location of raw headers (`[name, value, …]` as Buffers or strings). */
function locationOfRaw(raw: unknown): string | null {
  if (!Array.isArray(raw)) return null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (String(raw[i]).toLowerCase() === 'location') return String(raw[i + 1]);
  }
  return null;
}

/** Tells a handler (legacy or undici 7 style) that its request failed before it was sent. */
function failHandler(handler: Dispatcher.DispatchHandler, error: Error): void {
  const legacy = handler as { onError?: (error: Error) => void };
  if (typeof legacy.onError === 'function') legacy.onError(error);
  else handler.onResponseError?.(null as never, error);
}

/** The instance's guarded dispatcher. */
export class OutboundGuard extends Dispatcher {
  private readonly policy: PeerPolicy;
  private readonly ledger = new RedirectLedger();
  private agent: Agent;

  constructor(policy: PeerPolicy) {
    super();
    this.policy = policy;
    this.agent = this.newAgent();
    // A peer removed or blocked must not keep its kept-alive connections: retire them all.
    policy.onChange(() => {
      const retired = this.agent;
      this.agent = this.newAgent();
      retired.close().catch(() => {});
    });
  }

  private newAgent(): Agent {
    return new Agent({
      connect: guardedConnector(this.policy),
      headersTimeout: OUTBOUND_LIMITS.headersTimeoutMs,
      bodyTimeout: OUTBOUND_LIMITS.bodyTimeoutMs,
      maxResponseSize: OUTBOUND_LIMITS.maxResponseBytes,
    });
  }

  /** Why a request may not be sent now, or null. */
  private async refusal(url: string): Promise<OutboundRefused | null> {
    if (this.ledger.depthOf(url) > OUTBOUND_LIMITS.maxRedirects) return new OutboundRefused(`more than ${OUTBOUND_LIMITS.maxRedirects} redirects to ${url}`);
    if ((await this.policy.decide(hostOf(url))) !== 'allow') return new OutboundRefused(`host not allowed: ${hostOf(url)}`);
    return null;
  }

  /** Watches the response's status and Location for the redirect ledger, passing everything on. */
  private observed(url: string, handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler {
    const ledger = this.ledger;
    return new Proxy(handler, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property === 'onHeaders') {
          return (statusCode: number, raw: unknown, ...rest: unknown[]) => {
            ledger.note(url, statusCode, locationOfRaw(raw));
            return value.call(target, statusCode, raw, ...rest);
          };
        }
        if (property === 'onResponseStart') {
          return (controller: unknown, statusCode: number, headers: Record<string, unknown>, ...rest: unknown[]) => {
            ledger.note(url, statusCode, headerValue(headers?.location));
            return value.call(target, controller, statusCode, headers, ...rest);
          };
        }
        return value.bind(target);
      },
    });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    let url: string;
    try {
      url = new URL(options.path, options.origin ?? undefined).href;
    } catch (error) {
      failHandler(handler, error as Error);
      return true;
    }
    this.refusal(url).then(
      (refused) => {
        if (refused) failHandler(handler, refused);
        else this.agent.dispatch(options, this.observed(url, handler));
      },
      (error: Error) => failHandler(handler, error),
    );
    return true;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = this.agent.close();
    if (!callback) return closing;
    closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    const destroying = this.agent.destroy(error);
    if (!done) return destroying;
    destroying.then(done, done);
  }
}
