// What the request log shows of a request, with secrets taken out of its URL: streaming clients send
// their access token as a query parameter, and OAuth callers send codes and client secrets.
import type { FastifyRequest } from 'fastify';

const SECRET_PARAMS = new Set(['access_token', 'code', 'client_secret']);
const REDACTED = '[redacted]';

/** The URL (path and query) with the values of secret query parameters replaced. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  // Browsers never send a fragment, so everything after "?" is the query.
  const redacted = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        name = rawName;
      }
      return SECRET_PARAMS.has(name.toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${redacted}`;
}

/** The fields of a request the log shows (Fastify hands pino its request object). */
type LoggedRequest = Partial<Pick<FastifyRequest, 'method' | 'url' | 'host' | 'ip'>> & { socket?: { remotePort?: number } | null };

/** Pino's `req` serializer: Fastify's default fields, with the URL redacted. */
export function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Logger options for Fastify: a level, and the redacting request serializer. */
export function loggerOptions(level: string, stream?: { write(line: string): void }) {
  return { level, serializers: { req: serializeRequest }, ...(stream ? { stream } : {}) };
}
