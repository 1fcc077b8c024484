// A simulated ActivityPub peer for benchmarks: a real HTTP server on loopback that serves its actors'
// documents (with their RSA public keys), signs the activities the benchmark sends with their private
// keys (Fedify's own signer, as a Fedify or Mastodon peer would), and answers every Follow it receives
// with a signed Accept. It verifies nothing it receives: it stands in for a trusted, allowlisted peer.
import { randomUUID, type webcrypto } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { preloadedContexts, signJsonLd, signRequest } from '@fedify/fedify';

const AS = 'application/activity+json';
const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';
const SECURITY_CONTEXT = 'https://w3id.org/security/v1';
export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

/** Serves the contexts Fedify ships, and nothing else (a signing peer needs no network). */
async function preloadedContextLoader(url: string) {
  const document = (preloadedContexts as Record<string, unknown>)[url];
  if (document === undefined) throw new Error(`context not preloaded: ${url}`);
  return { contextUrl: null, documentUrl: url, document };
}

/** Which HTTP Signatures form the peer signs with. */
export type SignatureSpec = 'draft-cavage-http-signatures-12' | 'rfc9421';

interface SimulatedActor {
  username: string;
  uri: string;
  keyId: URL;
  privateKey: webcrypto.CryptoKey;
  publicKeyPem: string;
}

/** A request ready to send: signed already, so sending it costs the sender no RSA work. */
export interface SignedPost {
  url: string;
  headers: Headers;
  body: string;
}

export class SimulatedPeer {
  readonly url: string;
  readonly host: string;
  /** GETs of actor documents served (each key fetch or actor fetch by the instance is one). */
  actorGets = 0;
  /** Follow activities received, by the followed actor's username. */
  readonly followsReceived = new Map<string, number>();
  private readonly server: Server;
  private readonly actors = new Map<string, SimulatedActor>();
  private readonly answers = new Set<Promise<void>>();
  private readonly spec: SignatureSpec;

  private constructor(server: Server, spec: SignatureSpec) {
    this.server = server;
    this.spec = spec;
    this.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.url = `http://${this.host}`;
  }

  /** Starts the peer's HTTP server on a free loopback port. */
  static async start(spec: SignatureSpec = 'draft-cavage-http-signatures-12'): Promise<SimulatedPeer> {
    let peer: SimulatedPeer | null = null;
    const server = createServer((request, response) => {
      peer!.handle(request, response).catch((error: unknown) => {
        console.error('simulated peer:', error);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    peer = new SimulatedPeer(server, spec);
    return peer;
  }

  actorUri(username: string): string {
    return `${this.url}/users/${username}`;
  }

  /** Creates an actor with a fresh RSA-2048 key pair (what Fedify and Mastodon sign HTTP requests with). */
  async addActor(username: string): Promise<string> {
    const pair = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as webcrypto.CryptoKeyPair;
    const spki = Buffer.from(await crypto.subtle.exportKey('spki', pair.publicKey)).toString('base64');
    const uri = this.actorUri(username);
    this.actors.set(username, {
      username,
      uri,
      keyId: new URL(`${uri}#main-key`),
      privateKey: pair.privateKey,
      publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`,
    });
    return uri;
  }

  /**
   * A public Create(Note) by `username` with fresh, unique activity and note ids. With `ldSignature`, it
   * also carries an RSA Linked Data Signature, as Fedify (and so Kith) and Mastodon add to public activities;
   * the receiving Fedify then verifies that (RDF canonicalization) instead of the HTTP signature.
   */
  async createNote(username: string, text: string, ldSignature = false): Promise<string> {
    const actor = this.actorUri(username);
    const noteId = `${actor}/statuses/${randomUUID()}`;
    const activity = {
      '@context': ldSignature ? [AS_CONTEXT, SECURITY_CONTEXT] : AS_CONTEXT,
      id: `${noteId}/activity`,
      type: 'Create',
      actor,
      published: new Date().toISOString(),
      to: [PUBLIC],
      cc: [`${actor}/followers`],
      object: {
        id: noteId,
        type: 'Note',
        attributedTo: actor,
        content: `<p>${text}</p>`,
        published: new Date().toISOString(),
        to: [PUBLIC],
        cc: [`${actor}/followers`],
      },
    };
    if (!ldSignature) return JSON.stringify(activity);
    const signer = this.actors.get(username);
    if (!signer) throw new Error(`no simulated actor ${username}`);
    return JSON.stringify(await signJsonLd(activity, signer.privateKey, signer.keyId, { contextLoader: preloadedContextLoader }));
  }

  /** Signs a POST of `body` to `url` as `username` (each call makes a new signature: new Date / created). */
  async sign(username: string, url: string, body: string): Promise<SignedPost> {
    const actor = this.actors.get(username);
    if (!actor) throw new Error(`no simulated actor ${username}`);
    const request = new Request(url, { method: 'POST', headers: { 'content-type': AS, accept: AS }, body });
    const signed = await signRequest(request, actor.privateKey, actor.keyId, { spec: this.spec });
    return { url, headers: signed.headers, body };
  }

  /** Resolves once every Accept the peer owes has been sent. */
  async settled(): Promise<void> {
    while (this.answers.size > 0) await Promise.all([...this.answers]);
  }

  async close(): Promise<void> {
    await this.settled();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.url).pathname;
    const actorMatch = /^\/users\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && actorMatch && this.actors.has(actorMatch[1]!)) {
      this.actorGets++;
      response.writeHead(200, { 'content-type': AS });
      response.end(JSON.stringify(this.actorDocument(this.actors.get(actorMatch[1]!)!)));
      return;
    }
    if (request.method === 'POST' && (path === '/inbox' || /^\/users\/[^/]+\/inbox$/.test(path))) {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      response.writeHead(202).end();
      this.receive(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      return;
    }
    response.writeHead(404).end();
  }

  private actorDocument(actor: SimulatedActor): Record<string, unknown> {
    return {
      '@context': [AS_CONTEXT, SECURITY_CONTEXT],
      id: actor.uri,
      type: 'Person',
      preferredUsername: actor.username,
      name: `Simulated ${actor.username}`,
      inbox: `${actor.uri}/inbox`,
      outbox: `${actor.uri}/outbox`,
      followers: `${actor.uri}/followers`,
      following: `${actor.uri}/following`,
      manuallyApprovesFollowers: false,
      endpoints: { sharedInbox: `${this.url}/inbox` },
      publicKey: { id: actor.keyId.href, owner: actor.uri, publicKeyPem: actor.publicKeyPem },
    };
  }

  /** A Follow of one of our actors is answered with an Accept embedding it, as Mastodon does. */
  private receive(activity: Record<string, unknown>): void {
    if (activity.type !== 'Follow' || typeof activity.actor !== 'string' || typeof activity.object !== 'string') return;
    const username = /\/users\/([^/#?]+)$/.exec(activity.object)?.[1];
    if (!username || !this.actors.has(username) || activity.object !== this.actorUri(username)) return;
    this.followsReceived.set(username, (this.followsReceived.get(username) ?? 0) + 1);
    const follower = activity.actor;
    const accept = JSON.stringify({
      '@context': AS_CONTEXT,
      id: `${this.actorUri(username)}#accepts/${randomUUID()}`,
      type: 'Accept',
      actor: this.actorUri(username),
      object: { id: activity.id, type: 'Follow', actor: follower, object: activity.object },
    });
    // Kith advertises its shared inbox at /inbox on the follower's origin; the Accept goes there.
    const answer = (async () => {
      const signed = await this.sign(username, new URL('/inbox', follower).href, accept);
      const result = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: signed.body });
      await result.arrayBuffer();
      if (result.status !== 202) console.error(`simulated peer: the Accept for ${follower} got ${result.status}`);
    })().catch((error: unknown) => console.error('simulated peer: could not send an Accept:', error));
    this.answers.add(answer);
    void answer.finally(() => this.answers.delete(answer));
  }
}
