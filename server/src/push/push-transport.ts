// Sends one push message to its endpoint, guarded: the host is resolved once, every address it resolves
// to must pass the endpoint rules, and the socket connects to the vetted address itself (no second
// lookup, so DNS rebinding cannot swap it; TLS still checks the certificate against the name).
// Redirects are not followed, the whole exchange is time-limited and the response body is capped.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { addressRefusal, endpointRefusal, type EndpointRules } from './push-endpoint-rules.ts';

export const PUSH_TRANSPORT_LIMITS = {
  timeoutMs: 15_000,
  /** Push services answer with a few bytes; more is read no further. */
  maxResponseBytes: 64 * 1024,
} as const;

/** The endpoint or an address it resolves to is not one the instance connects to. */
export class PushRefused extends Error {
  override name = 'PushRefused';
}

export interface PushRequest {
  endpoint: string;
  headers: Record<string, string | number>;
  body: Buffer | null;
}

export interface PushResponse {
  status: number;
  /** The start of the response body, for the log. */
  body: string;
}

async function vettedAddress(hostname: string, rules: EndpointRules, signal: AbortSignal): Promise<string> {
  const addresses = isIP(hostname)
    ? [hostname]
    : (await Promise.race([
        lookup(hostname, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`DNS lookup of ${hostname} timed out`)), { once: true })),
      ])).map((entry) => entry.address);
  if (addresses.length === 0) throw new PushRefused(`${hostname} resolves to no address`);
  // Every one, not just the first: a name listing a public and a private address must not pass.
  for (const address of addresses) {
    const refusal = addressRefusal(address, rules);
    if (refusal) throw new PushRefused(`${hostname} resolves to ${refusal}`);
  }
  return addresses[0]!;
}

/** POSTs a push message; resolves with the push service's answer, rejects on refusal, timeout or network error. */
export async function sendPush(request: PushRequest, rules: EndpointRules): Promise<PushResponse> {
  const refusal = endpointRefusal(request.endpoint, rules);
  if (refusal) throw new PushRefused(refusal);
  const url = new URL(request.endpoint);
  const signal = AbortSignal.timeout(PUSH_TRANSPORT_LIMITS.timeoutMs);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const address = await vettedAddress(hostname, rules, signal);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PushResponse>((resolve, reject) => {
    const outgoing = client.request(
      {
        method: 'POST',
        host: address,
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers: { ...request.headers, host: url.host },
        // SNI and the certificate check use the name, not the address connected to.
        ...(isIP(hostname) ? {} : { servername: hostname }),
        agent: false,
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size >= PUSH_TRANSPORT_LIMITS.maxResponseBytes) return;
          size += chunk.length;
          chunks.push(chunk);
          if (size >= PUSH_TRANSPORT_LIMITS.maxResponseBytes) response.destroy();
        });
        const done = () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, 512).toString('utf8') });
        response.on('end', done);
        response.on('close', done);
        response.on('error', () => done());
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body ?? undefined);
  });
}
