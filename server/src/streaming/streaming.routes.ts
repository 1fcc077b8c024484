// Mastodon's streaming API: /api/v1/streaming over WebSocket, the server-sent-events variants, and
// its health check. Events come from Redis pub/sub through this process's one StreamHub.
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { Type } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireScope } from '../plugins/auth.ts';
import { BadRequest, Forbidden, Unauthorized } from '../shared/errors.ts';
import { typed, type RouteDeps } from '../shared/route-types.ts';
import { StreamHub } from './stream-hub.ts';
import { StreamSession, type StreamFrame } from './stream-session.ts';
import { StreamError } from './streams.ts';
import { handleClientMessage, sendError, type StreamSocket } from './websocket-messages.ts';

// Comments keep idle SSE connections (and proxies in between) open; pings find dead WebSockets.
const SSE_HEARTBEAT_MS = 15_000;
const WS_PING_MS = 30_000;
// A client this far behind is not reading; drop it rather than buffer without bound.
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;
const UPGRADE_IDLE_MS = 30_000;
// Open streams re-check their token this often, so a revoked token or a suspended account stops
// receiving events without waiting for the client to reconnect.
const TOKEN_RECHECK_MS = 60_000;

const StreamQuery = Type.Object(
  {
    stream: Type.Optional(Type.String({ maxLength: 100 })),
    tag: Type.Optional(Type.String({ maxLength: 200 })),
    access_token: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: true },
);
const TagQuery = Type.Object({ tag: Type.String({ minLength: 1, maxLength: 200 }), access_token: Type.Optional(Type.String({ maxLength: 512 })) });
const TokenQuery = Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 512 })) });

/** Streaming routes; owns this process's StreamHub and closes every stream when the server closes. */
export async function streamingRoutes(instance: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  const hub = new StreamHub(config.redisUrl, config.redisPrefix, instance.log);
  const sockets = new Set<StreamSocket>();
  const sseStreams = new Set<PassThrough>();
  /** Every open stream, WebSocket or SSE: its bearer token and how to end it. */
  const tokens = new Map<StreamSocket | PassThrough, { token: string; end(): void }>();
  /** Set once the server closes: a stream whose request was still being handled then is ended at once. */
  let closing = false;

  await instance.register(websocket, {
    options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES },
    // Ends every stream before the server stops accepting, so app.close() is not held open by them.
    preClose: async () => {
      closing = true;
      for (const socket of sockets) socket.close(1001, 'Server shutting down');
      for (const stream of sseStreams) stream.end();
    },
  });
  // Every upgrade request reaches the router; one for a route that is not a WebSocket is answered
  // like plain HTTP and its socket would then be left without a parser or a timeout. Give upgrade
  // sockets an idle timeout: ws disables it (setTimeout(0)) on the sockets it takes over.
  instance.server.on('upgrade', (_request: unknown, socket: Socket) => {
    socket.setTimeout(UPGRADE_IDLE_MS);
    socket.once('timeout', () => socket.destroy());
  });
  // An upgrade answered with an error (401 …) cannot carry on as HTTP: @fastify/websocket drops the
  // socket after the response, so say so instead of advertising keep-alive to the client.
  instance.addHook('onSend', async (request, reply) => {
    if (request.ws) reply.header('connection', 'close');
  });
  instance.addHook('onClose', async () => {
    clearInterval(pinger);
    clearInterval(rechecker);
    for (const socket of sockets) socket.terminate();
    await hub.close();
  });

  // Finds WebSockets whose peer vanished without a close frame.
  const alive = new WeakSet<StreamSocket>();
  const pinger = setInterval(() => {
    for (const socket of sockets) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, WS_PING_MS);
  pinger.unref();

  let rechecking = false;
  const rechecker = setInterval(async () => {
    if (rechecking) return;
    rechecking = true;
    for (const [stream, { token, end }] of tokens) {
      // A failed lookup (Redis or MongoDB away) keeps the stream: only a definite "no" ends it.
      const auth = await services.oauth.authenticate(token).catch(() => undefined);
      if (auth === null || auth?.account?.suspended) {
        tokens.delete(stream);
        end();
      }
    }
    rechecking = false;
  }, TOKEN_RECHECK_MS);
  rechecker.unref();

  /** Mastodon also takes the token in Sec-WebSocket-Protocol (browsers cannot set headers on upgrades). */
  const streamingAuth = async (request: FastifyRequest) => {
    const token = bearerTokenOf(request);
    if (!request.auth && token) {
      const auth = await services.oauth.authenticate(token);
      if (!auth) throw new Unauthorized();
      if (auth.account?.suspended) throw new Forbidden('Your login is currently disabled');
      request.auth = auth;
    }
    if (!request.auth) throw new Unauthorized('Missing access token');
    if (!request.auth.account) throw new Unauthorized('This method requires an authenticated user');
  };

  const app = typed(instance);

  app.get('/api/v1/streaming/health', {
    schema: { tags: ['streaming'], summary: 'Whether the streaming service is up' },
    config: { rateLimit: false },
  }, async (_request, reply) => reply.type('text/plain; charset=utf-8').send('OK'));

  app.route({
    method: 'GET',
    url: '/api/v1/streaming',
    schema: { tags: ['streaming'], summary: 'The streaming API over WebSocket', querystring: StreamQuery },
    preHandler: streamingAuth,
    handler: async () => {
      throw new BadRequest('This endpoint expects a WebSocket upgrade');
    },
    wsHandler: (rawSocket, request) => {
      const socket = rawSocket as unknown as StreamSocket;
      const session = new StreamSession(hub, request.auth!, (frame) => sendFrame(socket, frame));
      sockets.add(socket);
      alive.add(socket);
      const token = bearerTokenOf(request);
      if (token) tokens.set(socket, { token, end: () => socket.close(1008, 'Access token no longer valid') });
      socket.on('pong', () => alive.add(socket));
      socket.on('close', () => {
        sockets.delete(socket);
        tokens.delete(socket);
        session.close();
      });
      socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        alive.add(socket);
        void handleClientMessage(socket, session, data, isBinary);
      });
      // Upgraded after the streams were ended for shutdown: it would hold app.close() open.
      if (closing) {
        socket.close(1001, 'Server shutting down');
        return;
      }
      // Mastodon subscribes the stream named in the query string straight away.
      const query = request.query as { stream?: string; tag?: string };
      if (query.stream) {
        session.subscribe(query.stream, { tag: query.tag }).catch((error: unknown) => sendError(socket, error));
      }
    },
  });

  const sse = async (request: FastifyRequest, reply: FastifyReply, name: string, tag?: string) => {
    const stream = new PassThrough();
    const write = (text: string) => {
      if (stream.writableEnded) return;
      if (stream.writableLength > MAX_BUFFERED_BYTES) {
        stream.end();
        return;
      }
      stream.write(text);
    };
    const session = new StreamSession(hub, request.auth!, (frame) => write(`event: ${frame.event}\ndata: ${frame.payload}\n\n`));
    try {
      // Subscribed before the response starts: once the client sees headers, nothing is missed.
      await session.subscribe(name, { tag });
    } catch (error) {
      session.close();
      if (error instanceof StreamError) throw error.status === 401 ? new Unauthorized(error.message) : new BadRequest(error.message);
      throw error;
    }
    const heartbeat = setInterval(() => write(':thump\n\n'), SSE_HEARTBEAT_MS);
    heartbeat.unref();
    sseStreams.add(stream);
    const token = bearerTokenOf(request);
    if (token) tokens.set(stream, { token, end: () => stream.end() });
    stream.on('close', () => {
      clearInterval(heartbeat);
      sseStreams.delete(stream);
      tokens.delete(stream);
      session.close();
    });
    stream.write(':)\n\n');
    // The server began closing while this request subscribed: its streams were ended already, and this
    // one would hold app.close() open (the client reconnects to another process, or once it is back).
    if (closing) stream.end();
    return reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no')
      .send(stream);
  };

  const notificationsScope = requireScope('read:notifications');
  const statusesScope = requireScope('read:statuses');

  app.get('/api/v1/streaming/user', {
    schema: { tags: ['streaming'], summary: 'Home timeline and notification events (SSE)', querystring: TokenQuery },
    preHandler: statusesScope,
  }, (request, reply) => sse(request, reply, 'user'));
  app.get('/api/v1/streaming/user/notification', {
    schema: { tags: ['streaming'], summary: 'Notification events (SSE)', querystring: TokenQuery },
    preHandler: notificationsScope,
  }, (request, reply) => sse(request, reply, 'user:notification'));
  app.get('/api/v1/streaming/public', {
    schema: { tags: ['streaming'], summary: 'Public statuses of every origin (SSE)', querystring: TokenQuery },
    preHandler: statusesScope,
  }, (request, reply) => sse(request, reply, 'public'));
  app.get('/api/v1/streaming/public/local', {
    schema: { tags: ['streaming'], summary: 'Public statuses of this instance (SSE)', querystring: TokenQuery },
    preHandler: statusesScope,
  }, (request, reply) => sse(request, reply, 'public:local'));
  app.get('/api/v1/streaming/hashtag', {
    schema: { tags: ['streaming'], summary: 'Public statuses with a hashtag (SSE)', querystring: TagQuery },
    preHandler: statusesScope,
  }, (request, reply) => sse(request, reply, 'hashtag', request.query.tag));
  app.get('/api/v1/streaming/hashtag/local', {
    schema: { tags: ['streaming'], summary: 'Public statuses of this instance with a hashtag (SSE)', querystring: TagQuery },
    preHandler: statusesScope,
  }, (request, reply) => sse(request, reply, 'hashtag:local', request.query.tag));
}

function sendFrame(socket: StreamSocket, frame: StreamFrame): void {
  if (socket.readyState !== 1) return;
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    socket.close(1013, 'Client is not reading its stream');
    return;
  }
  socket.send(JSON.stringify({ stream: frame.stream, event: frame.event, payload: frame.payload }));
}

/** The bearer token a streaming request carries: Authorization header, access_token query parameter, or the first WebSocket protocol. */
function bearerTokenOf(request: FastifyRequest): string | null {
  const header = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (header) return header[1]!;
  const query = (request.query as { access_token?: unknown }).access_token;
  if (typeof query === 'string' && query) return query;
  const protocols = request.headers['sec-websocket-protocol'];
  return typeof protocols === 'string' ? protocols.split(',')[0]!.trim() || null : null;
}
