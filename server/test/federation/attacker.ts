// The hostile side of the federation tests: a real HTTP server on loopback that serves whatever a test
// wants (actors with their own keys, documents, redirects) and counts every request it gets, plus
// signing helpers for requests built by hand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { webcrypto } from 'node:crypto';
import { signRequest, type SignRequestOptions } from '@fedify/fedify';
import type { Temporal } from '@js-temporal/polyfill';
import type { TestInstance } from '../harness.ts';

export const AS = 'application/activity+json';
export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';
export const SECURITY_CONTEXT = 'https://w3id.org/security/v1';

export interface SigningKey {
  keyId: URL;
  privateKey: webcrypto.CryptoKey;
}

/** The RSA key Fedify signs with for a real account on a real instance. */
export async function keyOf(instance: TestInstance, username: string): Promise<SigningKey> {
  const ctx = instance.kith.federation.federation.createContext(new URL(instance.url), { signer: null });
  const [rsa] = await ctx.getActorKeyPairs(username);
  return { keyId: rsa!.keyId, privateKey: (rsa as unknown as webcrypto.CryptoKeyPair).privateKey };
}

/** Headers for a POST of `body` to `url`, signed by Fedify's own signer (what a real Fedify peer sends). */
export async function signedPost(
  url: string,
  key: SigningKey,
  body: string,
  options: { spec?: 'rfc9421' | 'draft-cavage-http-signatures-12'; at?: Temporal.Instant } = {},
): Promise<Headers> {
  const request = new Request(url, { method: 'POST', headers: { 'content-type': AS }, body });
  const signed = await signRequest(request, key.privateKey, key.keyId, {
    spec: options.spec ?? 'draft-cavage-http-signatures-12',
    // Fedify runs on the Temporal polyfill; its types name the global Temporal.
    currentTime: options.at as unknown as SignRequestOptions['currentTime'],
  });
  return signed.headers;
}

/** Signs and POSTs an activity; returns the status. Test code's own fetches run outside every instance's guard. */
export async function postSigned(url: string, key: SigningKey, activity: object): Promise<number> {
  const body = JSON.stringify(activity);
  const response = await fetch(url, { method: 'POST', headers: await signedPost(url, key, body), body });
  await response.arrayBuffer();
  return response.status;
}

/** A fresh RSA key pair and its public key as PEM, for an attacker's own actor. */
export async function rsaKeyPair(): Promise<{ privateKey: webcrypto.CryptoKey; publicKeyPem: string }> {
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;
  const spki = Buffer.from(await crypto.subtle.exportKey('spki', pair.publicKey)).toString('base64');
  return { privateKey: pair.privateKey, publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n` };
}

/** What a handler answers: a status, headers and a body (an object is sent as JSON). */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | object | Buffer;
}

export interface Hit {
  method: string;
  path: string;
}

export interface Attacker {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  host: string;
  port: number;
  /** Every request received, in order. */
  hits: Hit[];
  /** Routes a path (exact) to an answer. */
  on(path: string, answer: Answer | ((request: IncomingMessage) => Answer)): void;
  close(): Promise<void>;
}

/** Starts a real HTTP server on loopback; unknown paths get 404. */
export async function startAttacker(): Promise<Attacker> {
  const routes = new Map<string, Answer | ((request: IncomingMessage) => Answer)>();
  const hits: Hit[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    hits.push({ method: request.method ?? 'GET', path });
    request.resume();
    request.on('end', () => {
      const route = routes.get(path.split('?')[0]!) ?? routes.get(path);
      const answer = typeof route === 'function' ? route(request) : (route ?? { status: 404, body: '' });
      const body = answer.body === undefined ? '' : typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
      response.writeHead(answer.status ?? 200, { 'content-type': AS, ...answer.headers });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    hits,
    on: (path, answer) => void routes.set(path, answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
