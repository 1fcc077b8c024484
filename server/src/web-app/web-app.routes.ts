// Serves the built web app (web/, SvelteKit with adapter-node) from the Kith server's own port, so `npm start`
// stays one process: every GET/HEAD the API, OAuth and federation routes do not own goes to adapter-node's
// handler, which serves the app's assets (hashed ones cached immutably) and its HTML shell.
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { NotFound } from '../shared/errors.ts';

/** adapter-node's handler.js export: a connect-style middleware. */
export type WebAppHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

// Paths the server owns: an unknown one here is the API's JSON 404, never the web app's page.
const SERVER_PREFIXES = ['/api/', '/oauth/', '/.well-known/', '/nodeinfo/', '/users/', '/media/', '/inbox', '/actor', '/healthz', '/readyz'];

/**
 * The web app's request handler from the build in `dir`, or null when there is no build (server tests, a
 * fresh clone before its first build): the server then answers / with its plain landing page.
 */
export async function loadWebApp(dir: string | null, log: FastifyBaseLogger): Promise<WebAppHandler | null> {
  if (dir === null) return null;
  const file = path.resolve(dir, 'handler.js');
  if (!fs.existsSync(file)) {
    log.warn({ webAppDir: dir }, 'WEB_APP_DIR has no handler.js (web app not built?); serving the landing page instead');
    return null;
  }
  const module = (await import(pathToFileURL(file).href)) as { handler: WebAppHandler };
  return module.handler;
}

/** Route plugin: the web app for every GET and HEAD no other route matches. */
export function webAppRoutes(handler: WebAppHandler) {
  return async function webApp(app: FastifyInstance): Promise<void> {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/*',
      schema: { hide: true },
      // The shell and assets are public; the app's own requests are rate limited where they reach the API.
      config: { rateLimit: false },
      handler: (request, reply) => {
        const pathname = request.url.split('?')[0]!;
        if (SERVER_PREFIXES.some((prefix) => pathname === prefix.replace(/\/$/, '') || pathname.startsWith(prefix))) {
          throw new NotFound();
        }
        // The app sends its own Content-Security-Policy (with the hash of its start-up script), which the
        // server-wide one from helmet would contradict.
        reply.raw.removeHeader('content-security-policy');
        reply.hijack();
        handler(request.raw, reply.raw, () => {
          reply.raw.statusCode = 404;
          reply.raw.setHeader('content-type', 'text/plain; charset=utf-8');
          reply.raw.end('Not found');
        });
      },
    });
  };
}
