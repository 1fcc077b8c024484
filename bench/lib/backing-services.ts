// MongoDB and Redis for a benchmark: the ones named by MONGODB_URL / REDIS_URL, or a fresh in-memory
// stand-in and a private Redis, exactly as the tests use them.
// @ts-expect-error plain ESM module without types, shared with the launcher
import { ensureMongoClasspath, ensureRedisInstalled, startMongoStandIn, startRedis } from '../../deploy/services.mjs';

export interface BackingServices {
  mongoUrl: string;
  redisUrl: string;
  /** What the figures are bound by, for the printout. */
  description: string;
  stop(): Promise<void>;
}

interface Running {
  url: string;
  stop(): Promise<void>;
}

/** The benchmark's MongoDB and Redis. */
export async function backingServices(): Promise<BackingServices> {
  const started: Running[] = [];
  let mongoUrl = process.env.MONGODB_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!mongoUrl) {
    await ensureMongoClasspath();
    const mongo: Running = await startMongoStandIn();
    started.push(mongo);
    mongoUrl = mongo.url;
  }
  if (!redisUrl) {
    await ensureRedisInstalled();
    const redis: Running = await startRedis();
    started.push(redis);
    redisUrl = redis.url;
  }
  return {
    mongoUrl,
    redisUrl,
    description: process.env.MONGODB_URL ? `MongoDB at ${mongoUrl}` : 'the MongoDB stand-in (mongo-java-server, in memory)',
    async stop() {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
