import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyRequest, type KeyCache } from '@fedify/fedify';
import type { CryptographicKey, Multikey } from '@fedify/fedify/vocab';
import { INSTANCE_ACTOR, type KithCtx, type VerifiedSigner } from './context.ts';
import { KithRefusedFetch } from './net/document-loaders.ts';
import { createInboundGuard } from './inbound-guard.ts';
import { hostOf } from './net/peer-policy.ts';
import type { KithFederation } from './federation.ts';

/** Bodies above this get 413 before anything parses them. */
const BODY_LIMIT = 1_048_576;
const ACTIVITY_TYPES = ['application/activity+json', 'application/ld+json'];
const KEY_HIT_MS = 60 * 60 * 1000;
const KEY_MISS_MS = 60 * 1000;

export interface FederationPluginOptions {
  kith: KithFederation;
}

/** Parsed keys kept in memory (DESIGN.md §7); misses are forgotten after a minute. */
export class MemoryKeyCache implements KeyCache {
  private readonly entries = new Map<string, { key: CryptographicKey | Multikey | null; until: number }>();

  async get(keyId: URL): Promise<CryptographicKey | Multikey | null | undefined> {
    const entry = this.entries.get(keyId.href);
    if (!entry) return undefined;
    if (entry.until < Date.now()) {
      this.entries.delete(keyId.href);
      return undefined;
    }
    return entry.key;
  }

  async set(keyId: URL, key: CryptographicKey | Multikey | null): Promise<void> {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(keyId.href, { key, until: Date.now() + (key ? KEY_HIT_MS : KEY_MISS_MS) });
  }
}

function toHeaders(request: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.raw.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}

/** The keyId a request claims, from a cavage `Signature` or an RFC 9421 `Signature-Input` header. */
export function claimedKeyId(headers: Headers): string | null {
  const input = headers.get('signature-input');
  if (input) return /;\s*keyid="([^"]+)"/i.exec(input)?.[1] ?? null;
  const signature = headers.get('signature');
  if (signature) return /(?:^|,)\s*keyId="([^"]+)"/.exec(signature)?.[1] ?? null;
  return null;
}

/**
 * The federation routes as an encapsulated Fastify plugin (docs/federation-design.md §5): only these
 * paths build a `Request` for Fedify. Bodies are kept as raw bytes (what Digest covers), the URL's
 * origin comes from config, a foreign `Host` gets 400, and signed GETs are verified here so that
 * `.authorize` can read `ctx.data.signer`: a refusal is 401 when unsigned and 403 when signed by a
 * host this instance does not federate with.
 */
export async function federationPlugin(app: FastifyInstance, options: FederationPluginOptions): Promise<void> {
  const { kith } = options;
  const { federation, config, log } = kith;
  const domain = config.domain.toLowerCase();
  const keyCache = new MemoryKeyCache();

  const guardInbox = createInboundGuard({
    policy: kith.policy,
    redis: kith.redis,
    redisPrefix: config.redisPrefix,
    keyCache,
    log,
    departmentActor: () => `${config.publicUrl}/users/${kith.ports.departments.username()}`,
    loaders: async () => {
      const ctx = federation.createContext(new URL(config.publicUrl), { signer: null });
      return { documentLoader: await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR }), contextLoader: ctx.contextLoader };
    },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  /**
   * Verifies a GET's signature with keys fetched as the instance actor. Null when unsigned or invalid;
   * unverified (and so refused with 403) when the keyId's host is not one this instance federates with.
   */
  async function signerOf(request: Request): Promise<VerifiedSigner | null> {
    const claimed = claimedKeyId(request.headers);
    if (!claimed) return null;
    const claimedHost = hostOf(claimed);
    if (!claimedHost) return null;
    if ((await kith.policy.decide(claimedHost)) !== 'allow') return { keyId: claimed, ownerId: null, host: claimedHost, verified: false };
    const ctx = federation.createContext(request, { signer: null });
    try {
      const key = await verifyRequest(request, {
        documentLoader: await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR }),
        contextLoader: ctx.contextLoader,
        timeWindow: { minutes: 15 },
        keyCache,
      });
      if (!key?.id) return null;
      const host = hostOf(key.id);
      if (!host) return null;
      // The key must belong to an actor on the key's own host.
      if (key.ownerId && hostOf(key.ownerId) !== host) return null;
      return { keyId: key.id.href, ownerId: key.ownerId?.href ?? null, host, verified: true };
    } catch (err) {
      log.debug({ err, url: request.url }, 'signature not verified');
      return null;
    }
  }

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if ((request.headers.host ?? '').toLowerCase() !== domain) {
      await reply.code(400).send({ error: 'Wrong host' });
      return;
    }
    const method = request.method;
    const body = method === 'POST' ? (request.body as Buffer | undefined) : undefined;
    if (method === 'POST') {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!ACTIVITY_TYPES.includes(type) || !Buffer.isBuffer(body)) {
        await reply.code(415).send({ error: 'Unsupported media type' });
        return;
      }
    }
    const url = new URL(request.url, config.publicUrl);
    const build = () => new Request(url, { method, headers: toHeaders(request), body: body ? new Uint8Array(body) : undefined });
    if (method === 'POST') {
      // The inbound guard (inbound-guard.ts): JSON, signature coverage, allowlist, verification,
      // replay, key owner and embedded objects, each refused with its own status before Fedify runs.
      const verdict = await guardInbox(build(), body ?? Buffer.alloc(0));
      if (!verdict.ok) {
        await reply.code(verdict.status).send({ error: verdict.error });
        return;
      }
    }
    // The instance actor is served unsigned, so its GETs are never verified (and never recurse).
    const isInstanceActor = url.pathname === '/actor';
    const signer = method === 'POST' || isInstanceActor ? null : await signerOf(build());
    // A verified request shows its host is up: close the host's delivery circuit (the guard verified POSTs).
    const upHost = method === 'POST' ? hostOf(claimedKeyId(toHeaders(request)) ?? '') : signer?.verified ? signer.host : null;
    if (upHost) await kith.circuits.hostIsUp(upHost).catch((err: unknown) => log.warn({ err, host: upHost }, 'circuit not closed'));

    let response: Response;
    try {
      // The adoption report is plain JSON with a query, not a Fedify object: served beside it, same signer.
      const report = method === 'POST' ? null : await kith.serveAdoptionReport(url, signer);
      response = report ?? await federation.fetch(build(), {
        contextData: { signer },
        onNotFound: () => new Response(JSON.stringify({ error: 'Record not found' }), { status: 404, headers: { 'content-type': 'application/json' } }),
        onNotAcceptable: () => {
          const match = /^\/users\/([^/]+)$/.exec(url.pathname);
          if (match) return new Response(null, { status: 302, headers: { location: `/@${match[1]}`, vary: 'Accept' } });
          // A status's Note IRI opens its page in a browser (dispatchers/notes.ts serves the Note).
          const status = /^\/users\/([^/]+)\/statuses\/(\d+)$/.exec(url.pathname);
          if (status) return new Response(null, { status: 302, headers: { location: `/@${status[1]}/${status[2]}`, vary: 'Accept' } });
          return new Response(JSON.stringify({ error: 'Not acceptable' }), { status: 406, headers: { 'content-type': 'application/json', vary: 'Accept' } });
        },
        onUnauthorized: () =>
          signer
            ? new Response(JSON.stringify({ error: 'This instance does not federate with yours' }), { status: 403, headers: { 'content-type': 'application/json' } })
            : new Response(JSON.stringify({ error: 'A valid HTTP signature is required' }), { status: 401, headers: { 'content-type': 'application/json' } }),
      });
    } catch (err) {
      if (err instanceof KithRefusedFetch) {
        await reply.code(400).send({ error: err.message });
        return;
      }
      throw err;
    }
    reply.code(response.status);
    response.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding') reply.header(name, value);
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    await reply.send(method === 'HEAD' ? undefined : bytes);
  }

  const reads = ['/.well-known/webfinger', '/.well-known/nodeinfo', '/nodeinfo/2.1', '/actor', '/users/*'];
  // Everything a federation request sets off (key fetches, Fedify's handling) runs in the instance's
  // outbound context, so its requests go through the instance's outbound guard.
  const guarded = (request: FastifyRequest, reply: FastifyReply) => kith.runOutbound(() => handle(request, reply));
  for (const path of reads) app.route({ method: ['GET', 'HEAD'], url: path, schema: { hide: true }, handler: guarded });
  for (const path of ['/inbox', '/users/:username/inbox']) app.route({ method: 'POST', url: path, schema: { hide: true }, handler: guarded });

  app.get('/.well-known/host-meta', { schema: { hide: true } }, async (_request, reply) => {
    const template = `${config.publicUrl}/.well-known/webfinger?resource={uri}`.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    return reply
      .type('application/xrd+xml; charset=utf-8')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" template="${template}"/>\n</XRD>\n`,
      );
  });
}
