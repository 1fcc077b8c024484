// Preloaded (`node --import`) into a benchmark's Kith server process: counts the POSTs that reach the
// server's inboxes (shared `/inbox` and personal `/users/<name>/inbox`), through Node's own HTTP
// diagnostics channel, so the server's code is untouched. The parent asks for the count over IPC.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

const INBOX_PATH = /^\/(?:inbox|users\/[^/?]+\/inbox)(?:\?|$)/;
// Signed GETs of actors, keys, statuses and collections from other instances (bench/connectors.ts).
const DOCUMENT_PATH = /^\/users\//;
let inboxPosts = 0;
let documentGets = 0;

subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  if (request.method === 'POST' && INBOX_PATH.test(request.url ?? '')) inboxPosts++;
  if (request.method === 'GET' && DOCUMENT_PATH.test(request.url ?? '')) documentGets++;
});

if (process.send) {
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'inbox-posts?') process.send!({ type: 'inbox-posts', count: inboxPosts });
    if (message?.type === 'document-gets?') process.send!({ type: 'document-gets', count: documentGets });
  });
  // The IPC channel must not keep the server alive once it shuts down.
  process.channel?.unref();
}
