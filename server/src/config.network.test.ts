// The settings of the network edge: rate limits, trusted proxies and the public contact address.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const base = { MONGODB_URL: 'mongodb://127.0.0.1:27017', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadConfig: rate limits, proxies, contact', () => {
  it('has safe defaults', () => {
    expect(loadConfig(base)).toMatchObject({ writeRateLimit: 300, readRateLimit: 3000, authRateLimit: 30, trustProxy: false, contactEmail: '' });
  });

  it('reads READ_RATE_LIMIT, CONTACT_EMAIL, and TRUST_PROXY as a hop count or a list of addresses and CIDRs', () => {
    expect(loadConfig({ ...base, READ_RATE_LIMIT: '10' }).readRateLimit).toBe(10);
    expect(loadConfig({ ...base, CONTACT_EMAIL: ' it@sales.example ' }).contactEmail).toBe('it@sales.example');
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('fails naming the variable for a bad value', () => {
    const cases: [string, string][] = [
      ['READ_RATE_LIMIT', '0'],
      ['READ_RATE_LIMIT', 'many'],
      ['TRUST_PROXY', 'true'],
      ['TRUST_PROXY', '0'],
      ['TRUST_PROXY', '10.0.0.0/33'],
      ['TRUST_PROXY', 'proxy.example'],
      ['CONTACT_EMAIL', 'not an address'],
    ];
    for (const [name, value] of cases) {
      expect(() => loadConfig({ ...base, [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(`^${name} `));
    }
  });
});
