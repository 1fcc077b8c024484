import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../shared/html.ts';
import type { RouteDeps } from '../shared/route-types.ts';

// What a person sees who opens the instance's address in a browser before the web app exists:
// which instance this is and how to get in, rather than a JSON 404.
function landingPage(name: string, publicUrl: string, registrationMode: string): string {
  const signUp = registrationMode === 'open'
    ? 'Anyone here can sign up from a Mastodon app.'
    : registrationMode === 'invite'
      ? 'Sign-up needs an invite code from an administrator.'
      : 'Accounts are created by the administrators.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(name)} · Kith</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  main { max-width: 38rem; margin: 4rem auto; padding: 0 1.25rem; }
  code { font-size: 0.95em; padding: 0.1em 0.3em; border-radius: 0.25em; background: color-mix(in srgb, currentColor 10%, transparent); }
</style>
</head>
<body>
<main>
  <h1>${escapeHtml(name)}</h1>
  <p>This is the Kith instance of <strong>${escapeHtml(name)}</strong>, part of your company's social intranet.</p>
  <p>Sign in from any Mastodon app (for example on your phone): choose “other server” and enter <code>${escapeHtml(publicUrl)}</code>. ${signUp}</p>
  <p>For developers: the API is described at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</main>
</body>
</html>`;
}

/** The page at / for people who open the instance's address in a browser. */
export async function landingRoutes(app: FastifyInstance, { config, services }: RouteDeps): Promise<void> {
  // Rendered per request: an admin may change the registration mode at runtime.
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const html = landingPage(config.instanceName, config.publicUrl, await services.registrationMode.effective());
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
