// The environment of a benchmark's Kith instance: its own database and Redis prefix, a free loopback port,
// and rate limits out of the way (the load generator is one client with many tokens).
// @ts-expect-error plain ESM module without types, shared with the launcher
import { freePort } from '../../deploy/services.mjs';

/** `id` names the database (`kith_<id>`) and the Redis prefix (`kith:<id>:`); `extra` adds or overrides variables. */
export async function benchEnv(backing: { mongoUrl: string; redisUrl: string }, id: string, instanceName: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const port: number = await freePort();
  return {
    MONGODB_URL: backing.mongoUrl,
    REDIS_URL: backing.redisUrl,
    MONGODB_DATABASE: `kith_${id}`,
    REDIS_PREFIX: `kith:${id}:`,
    INSTANCE_NAME: instanceName,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    WRITE_RATE_LIMIT: '100000000',
    READ_RATE_LIMIT: '100000000',
    AUTH_RATE_LIMIT: '100000000',
    ...extra,
  };
}
