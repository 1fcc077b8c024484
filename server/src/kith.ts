import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { buildApp } from './app.ts';
import { connectInfra } from './infra/connect.ts';
import { createServices, type Services } from './services.ts';

export interface RunningKith {
  app: FastifyInstance;
  services: Services;
  config: Config;
  /** Finishes in-flight requests and running jobs, then closes every connection. */
  close(): Promise<void>;
}

/**
 * Composition root shared by main.ts and the test harness: config → MongoDB → Redis → services →
 * app. The app is built but not listening.
 */
export async function startKith(config: Config, options: { logger?: boolean } = {}): Promise<RunningKith> {
  const infra = await connectInfra(config);
  const { services, ensureIndexes } = createServices(infra);
  await ensureIndexes();
  const app = await buildApp({ config, services, authenticator: services.oauth, redis: infra.redis, logger: options.logger });
  if (config.runJobs) services.events.start();
  const drain = connectionDrainer(app.server);
  let closing: Promise<void> | null = null;
  return {
    app,
    services,
    config,
    close() {
      closing ??= (async () => {
        // In-flight requests finish; streams end in their own preClose hooks; idle connections go.
        const sweeper = setInterval(drain, 100);
        try {
          await app.close();
        } finally {
          clearInterval(sweeper);
        }
        // Then jobs: the worker finishes the handlers it is running and takes no new ones.
        await services.events.close();
        await infra.close();
      })();
      return closing;
    },
  };
}

/**
 * A function that closes the connections with no request in flight. app.close() waits for every
 * connection to end, and Node's own closeIdleConnections() leaves two kinds open: keep-alive
 * connections whose request finished after shutdown began (they would idle for keepAliveTimeout,
 * 72 s), and connections that never sent a request (browsers and proxies open them ahead of time;
 * they would wait for the 60 s connection timeout). Called repeatedly while closing.
 */
function connectionDrainer(server: Server): () => void {
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  return () => {
    server.closeIdleConnections();
    for (const socket of connections) if (socket.bytesRead === 0) socket.destroy();
  };
}
