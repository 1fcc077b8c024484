// SvelteKit 3 takes its configuration through the Vite plugin (a svelte.config.js is refused).
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The Kith server `npm run -w web dev` talks to (npm start's default address).
const apiTarget = process.env.KITH_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ out: 'build', precompress: true }),
      // The server hijacks every path its own routes do not own; the web app never answers /api.
      csp: {
        mode: 'auto',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          // Svelte sets style attributes (transitions, dynamic widths).
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:', 'blob:', 'https:'],
          'media-src': ['self', 'blob:', 'https:'],
          'connect-src': ['self'],
          'font-src': ['self'],
          'manifest-src': ['self'],
          'worker-src': ['self'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
        },
      },
    }),
  ],
  server: {
    // Same origin for the browser in development too, so the session cookie and CSRF checks behave as in production.
    proxy: Object.fromEntries(
      ['/api', '/oauth', '/.well-known', '/nodeinfo', '/users', '/inbox', '/media', '/system', '/static', '/avatars', '/headers']
        .map((prefix) => [prefix, {
          target: apiTarget,
          ws: prefix === '/api',
          // The page's origin is the dev server's; the API checks Origin against its own PUBLIC_URL.
          configure: (proxy: { on(event: 'proxyReq', listener: (request: { getHeader(name: string): unknown; setHeader(name: string, value: string): void }) => void): void }) => {
            proxy.on('proxyReq', (request) => {
              if (request.getHeader('origin')) request.setHeader('origin', new URL(apiTarget).origin);
            });
          },
        }]),
    ),
  },
});
