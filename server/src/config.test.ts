import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const base = { MONGODB_URL: 'mongodb://127.0.0.1:27017', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadConfig', () => {
  it('has zero-config defaults, and names the database and key prefix after the instance', () => {
    const config = loadConfig({ ...base, INSTANCE_NAME: 'Sales-EU' });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3000',
      domain: '127.0.0.1:3000',
      mongodbDatabase: 'kith_sales_eu',
      redisPrefix: 'kith:sales_eu:',
      logLevel: 'info',
      registrationMode: 'invite',
    });
    expect(loadConfig({ ...base, INSTANCE_NAME: 'hq' }).mongodbDatabase).toBe('kith_hq');
  });

  it('fails with a message naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /^PORT /],
      [{ PORT: '70000' }, /^PORT /],
      [{ PUBLIC_URL: 'ftp://x' }, /^PUBLIC_URL /],
      [{ PUBLIC_URL: 'https://x.example/path' }, /^PUBLIC_URL /],
      [{ INSTANCE_NAME: 'no spaces please' }, /^INSTANCE_NAME /],
      [{ MONGODB_URL: '' }, /^MONGODB_URL /],
      [{ REDIS_URL: 'http://localhost' }, /^REDIS_URL /],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL /],
      [{ REGISTRATION_MODE: 'sometimes' }, /^REGISTRATION_MODE /],
      [{ WRITE_RATE_LIMIT: '-1' }, /^WRITE_RATE_LIMIT /],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig({ ...base, ...env }), JSON.stringify(env)).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, ...env })).toThrow(message);
    }
  });
});
