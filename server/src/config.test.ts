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

  it('records usage and keeps raw events 180 days by default; both are configurable', () => {
    expect(loadConfig(base)).toMatchObject({ usageRecording: true, usageRetentionDays: 180 });
    expect(loadConfig({ ...base, USAGE_RECORDING: 'false', USAGE_RETENTION_DAYS: '7' })).toMatchObject({ usageRecording: false, usageRetentionDays: 7 });
    expect(loadConfig({ ...base, USAGE_RETENTION_DAYS: '3650' }).usageRetentionDays).toBe(3650);
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
      [{ USAGE_RECORDING: 'yes' }, /^USAGE_RECORDING /],
      [{ USAGE_RETENTION_DAYS: '6' }, /^USAGE_RETENTION_DAYS /],
      [{ USAGE_RETENTION_DAYS: '3651' }, /^USAGE_RETENTION_DAYS /],
      [{ USAGE_RETENTION_DAYS: 'forever' }, /^USAGE_RETENTION_DAYS /],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig({ ...base, ...env }), JSON.stringify(env)).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, ...env })).toThrow(message);
    }
  });

  it('takes METRICS_TOKEN only when long enough, and never echoes it in the message', () => {
    expect(loadConfig(base).metricsToken).toBeNull();
    expect(loadConfig({ ...base, METRICS_TOKEN: '' }).metricsToken).toBeNull();
    expect(loadConfig({ ...base, METRICS_TOKEN: 'a'.repeat(16) }).metricsToken).toBe('a'.repeat(16));
    for (const token of ['short123', 'fifteen-chars-x', 'has a space in it!!']) {
      expect(() => loadConfig({ ...base, METRICS_TOKEN: token })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, METRICS_TOKEN: token })).toThrow(/^METRICS_TOKEN /);
      try {
        loadConfig({ ...base, METRICS_TOKEN: token });
      } catch (error) {
        expect((error as Error).message).not.toContain(token);
      }
    }
  });
});
