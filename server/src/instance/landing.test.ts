import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';

let kith: TestInstance;

beforeAll(async () => {
  kith = await startTestInstance({ INSTANCE_NAME: 'sales', REGISTRATION_MODE: 'invite' });
});
afterAll(async () => kith.close());

describe('GET /', () => {
  it('tells a person in a browser which instance this is and how to sign in', async () => {
    const res = await kith.api.get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(`<h1>${kith.config.instanceName}</h1>`);
    expect(res.body).toContain(`<code>${kith.config.publicUrl}</code>`);
    expect(res.body).toContain('needs an invite code');
    expect(res.body).not.toMatch(/<script/i);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
