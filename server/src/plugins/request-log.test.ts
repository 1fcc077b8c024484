// The request log never holds access tokens or OAuth secrets, even when clients put them in the URL.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loggerOptions, redactUrl } from './request-log.ts';

describe('redactUrl', () => {
  it('replaces the values of access_token, code and client_secret, and keeps the rest', () => {
    expect(redactUrl('/api/v1/streaming?stream=user&access_token=s3cr3t')).toBe('/api/v1/streaming?stream=user&access_token=[redacted]');
    expect(redactUrl('/oauth/token?code=abc&client_secret=xyz&client_id=app&ACCESS_TOKEN=t')).toBe(
      '/oauth/token?code=[redacted]&client_secret=[redacted]&client_id=app&ACCESS_TOKEN=[redacted]',
    );
    // An encoded name is still recognised.
    expect(redactUrl('/x?access%5Ftoken=t&a=1')).toBe('/x?access%5Ftoken=[redacted]&a=1');
    expect(redactUrl('/api/v1/timelines/home?limit=20')).toBe('/api/v1/timelines/home?limit=20');
    expect(redactUrl('/api/v1/instance')).toBe('/api/v1/instance');
  });
});

describe('the request log', () => {
  it('logs the URL of a request without its token', async () => {
    const lines: string[] = [];
    const app = Fastify({ logger: loggerOptions('info', { write: (line: string) => void lines.push(line) }) });
    app.get('/api/v1/streaming', async () => ({ ok: true }));
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/api/v1/streaming?stream=user&access_token=TOPSECRETTOKEN' });
    expect(res.statusCode).toBe(200);
    await app.close();

    const entries = lines.map((line) => JSON.parse(line));
    const incoming = entries.find((entry) => entry.msg === 'incoming request');
    expect(incoming.req).toMatchObject({ method: 'GET', url: '/api/v1/streaming?stream=user&access_token=[redacted]' });
    expect(lines.join('\n')).not.toContain('TOPSECRETTOKEN');
  });
});
