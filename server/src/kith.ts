import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { buildApp } from './app.ts';
import { connectInfra } from './infra/connect.ts';
import { createServices, type Services } from './services.ts';
import { createKithFederation, type KithFederation } from '@kith/federation';
import { createFederationPorts } from './federation-ports.ts';
import { createKithMetrics } from './metrics/kith-metrics.ts';

export interface RunningKith {
  app: FastifyInstance;
  services: Services;
  /** Fedify inside this instance: actors, WebFinger, NodeInfo, inbox and outbox, and their queues. */
  federation: KithFederation;
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
  const federation = createKithFederation({
    config: { publicUrl: config.publicUrl, domain: config.domain, redisPrefix: config.redisPrefix, instanceName: config.instanceName, federationMode: config.federationMode },
    redisConnection: infra.redisConnection,
    ports: createFederationPorts(services, infra),
    log: infra.log,
    nodeInfo: {
      version: '0.1.0',
      openRegistrations: async () => (await services.registrationMode.effective()) === 'open',
      usage: async () => {
        const { stats } = await services.instance.info();
        return { users: stats.userCount, localPosts: stats.statusCount };
      },
    },
  });
  services.remoteDirectory.attach(federation.lookup);
  // Links answer requesters that are not peers yet; the network map reads other departments' links.
  services.links.attachHandshake((host) => federation.policy.allowForLinkRequest(host));
  // Network members beyond our links are let through while the map is walked (docs/connectors-design.md §3);
  // relays leave through federation's department actor (§5).
  services.network.attach((actorUri) => federation.linkedActorsOf(actorUri), (host) => federation.policy.allowForLinkRequest(host));
  services.relay.attachSender((out) => federation.relay(out));
  // The company's adoption view reads the network members' aggregate reports (issue 6, item 3).
  services.companyAdoption.attach((actorUri, period) => federation.adoptionReportOf(actorUri, period));
  // Prometheus metrics exist only when an operator set METRICS_TOKEN (else /metrics is absent).
  const metrics = config.metricsToken
    ? createKithMetrics({ services, federation, redisConnection: infra.redisConnection, redisPrefix: config.redisPrefix, log: infra.log })
    : null;
  const app = await buildApp({ config, services, authenticator: services.oauth, redis: infra.redis, logger: options.logger, federation, metrics: metrics?.metrics });
  if (config.runJobs) {
    services.events.start();
    services.push.start();
    federation.startQueue();
    // Raw usage events past the retention period go, at start and every hour.
    services.usageRetention.start();
  }
  const drain = connectionDrainer(app.server);
  let closing: Promise<void> | null = null;
  return {
    app,
    services,
    federation,
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
        // Usage events of the last requests are written while MongoDB is still connected.
        await services.usage.close();
        await services.usageRetention.stop();
        // Then jobs: the worker finishes the handlers it is running and takes no new ones.
        await federation.close();
        await services.events.close();
        await services.push.close();
        await services.peers.close();
        await metrics?.close();
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
