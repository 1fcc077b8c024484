import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import qs from 'qs';
import formbody from '@fastify/formbody';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { Services } from './services.ts';
import { federationPlugin, type KithFederation } from '@kith/federation';
import type { RouteDeps } from './shared/route-types.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { installValidators } from './plugins/validation.ts';
import { authPlugin, type TokenAuthenticator } from './plugins/auth.ts';
import { installRateLimits } from './plugins/rate-limit.ts';
import { loggerOptions } from './plugins/request-log.ts';
import { multipartPlugin } from './plugins/multipart.ts';
import { accountsRoutes } from './accounts/accounts.routes.ts';
import { followsRoutes } from './follows/follows.routes.ts';
import { oauthRoutes } from './oauth/oauth.routes.ts';
import { registrationRoutes } from './accounts/registration.routes.ts';
import { invitesRoutes } from './invites/invites.routes.ts';
import { adminRoutes } from './admin/admin.routes.ts';
import { registrationModeRoutes } from './admin/registration-mode.routes.ts';
import { peersRoutes } from './peers/peers.routes.ts';
import { federationStateRoutes } from './federation-state/federation-state.routes.ts';
import { statusesRoutes } from './statuses/statuses.routes.ts';
import { statusInteractionsRoutes } from './statuses/status-interactions.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { staticRoutes } from './static/static.routes.ts';
import { instanceRoutes } from './instance/instance.routes.ts';
import { searchRoutes } from './search/search.routes.ts';
import { streamingRoutes } from './streaming/streaming.routes.ts';
import { timelinesRoutes } from './timelines/timelines.routes.ts';
import { notificationsRoutes } from './notifications/notifications.routes.ts';
import { markersRoutes } from './notifications/markers.routes.ts';
import { landingRoutes } from './instance/landing.routes.ts';
import { linksRoutes } from './links/links.routes.ts';
import { networkRoutes } from './links/network.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { proposalsRoutes } from './proposals/proposals.routes.ts';
import { companyNewsRoutes } from './company-news/company-news.routes.ts';
import { directoryRoutes } from './directory/directory.routes.ts';
import { mediaRoutes } from './media/media.routes.ts';
import { mediaServingRoutes } from './media/media-serving.routes.ts';
import { loadWebApp, webAppRoutes } from './web-app/web-app.routes.ts';
import { sessionsRoutes } from './sessions/sessions.routes.ts';
import { passwordRoutes } from './sessions/password.routes.ts';
import { onboardingRoutes } from './onboarding/onboarding.routes.ts';
import { pushRoutes } from './push/push.routes.ts';
import { usageHookPlugin } from './analytics/usage-hook.ts';
import { analyticsSettingsRoutes } from './analytics/analytics-settings.routes.ts';
import { companyAdoptionRoutes } from './analytics/company-adoption.routes.ts';
import { analyticsRoutes } from './analytics/analytics.routes.ts';
import type { KithMetrics } from './metrics/metrics.registry.ts';
import { httpMetricsPlugin } from './metrics/http-metrics.ts';
import { metricsRoutes } from './metrics/metrics.routes.ts';
import { achievementsRoutes } from './achievements/achievements.routes.ts';

export interface AppDeps {
  config: Config;
  services: Services;
  authenticator: TokenAuthenticator;
  /** Rate-limit counters live here, so every process of an instance shares them. */
  redis: Redis;
  /** Tests pass false to keep their output quiet. */
  logger?: boolean;
  /** When given, the federation routes (WebFinger, NodeInfo, actors, inboxes) are served on the same port. */
  federation?: KithFederation;
  /** Prometheus metrics (when METRICS_TOKEN is set): requests are counted and GET /metrics serves them. */
  metrics?: KithMetrics;
}

// Mastodon clients send arrays as `id[]=1&id[]=2` and nested fields as `fields_attributes[0][name]=…`.
const parseQuery = (text: string) => qs.parse(text, { arrayLimit: 100, depth: 3, parameterLimit: 200 });

/** TRUST_PROXY for Fastify, whose types leave out the hop count it accepts: a hop count as the function it stands for. */
function trustedProxies(setting: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

/** The Fastify instance of one Kith server, without listen() (tests use it too). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    // The request log line's URL has access tokens and OAuth secrets redacted.
    logger: deps.logger === false ? false : loggerOptions(config.logLevel),
    trustProxy: trustedProxies(config.trustProxy),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    connectionTimeout: 60_000,
    requestTimeout: 30_000,
    return503OnClosing: true,
    routerOptions: { querystringParser: parseQuery, ignoreTrailingSlash: true },
  });

  installValidators(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorsPlugin);
  await app.register(helmet, {
    // API responses are JSON; the few HTML pages (sign-in, consent) need forms only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  await app.register(cors, {
    // Bearer tokens, never cookies, authorize cross-origin API calls, so any origin may call the API.
    origin: '*',
    credentials: false,
    exposedHeaders: ['Link', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-Id'],
  });
  await app.register(formbody, { parser: parseQuery });
  await app.register(multipartPlugin, { parser: parseQuery });
  // Reads and writes are limited per account (else app token, else address), so the limit runs once
  // the auth plugin knows the caller.
  const generalRateLimit = await installRateLimits(app, config, deps.redis);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `Kith (${config.instanceName})`, version: '0.1.0', description: 'The Mastodon client API and Kith intranet API of one Kith instance.' },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(authPlugin, {
    authenticator: deps.authenticator,
    afterAuthentication: generalRateLimit,
    cookies: { authenticator: deps.services.sessions, publicUrl: config.publicUrl },
  });
  // Before every route, so the request counter's hook applies to all of them.
  if (deps.metrics) await app.register(httpMetricsPlugin, { metrics: deps.metrics });
  await app.register(metricsRoutes, { token: config.metricsToken, metrics: deps.metrics ?? null });

  // Usage events of authenticated API actions (issue 6), recorded once each reply is sent.
  if (config.usageRecording) {
    const { usage, usageClients, accounts, statuses, proposals } = deps.services;
    await app.register(usageHookPlugin, { recorder: usage, clients: usageClients, accounts, statuses, proposals });
  }

  const routeDeps: RouteDeps = { config, services: deps.services };
  // The built web app takes / and every path no route owns; without a build, / is the landing page.
  const webApp = await loadWebApp(config.webAppDir, app.log);
  await app.register(achievementsRoutes, routeDeps);
  await app.register(analyticsSettingsRoutes, routeDeps);
  await app.register(companyAdoptionRoutes, routeDeps);
  await app.register(analyticsRoutes, routeDeps);
  for (const routes of [accountsRoutes, followsRoutes, oauthRoutes, registrationRoutes, invitesRoutes, adminRoutes, registrationModeRoutes, peersRoutes, federationStateRoutes, statusesRoutes, statusInteractionsRoutes, mediaRoutes, mediaServingRoutes, healthRoutes, staticRoutes, instanceRoutes, searchRoutes, streamingRoutes, timelinesRoutes, notificationsRoutes, markersRoutes, sessionsRoutes, passwordRoutes, onboardingRoutes, pushRoutes, linksRoutes, networkRoutes, auditRoutes, proposalsRoutes, companyNewsRoutes, directoryRoutes, webApp ? webAppRoutes(webApp) : landingRoutes]) {
    await app.register(routes, routeDeps);
  }

  if (deps.federation) await app.register(federationPlugin, { kith: deps.federation });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
