// Starts the MongoDB stand-in and a private Redis once per test run; every test file connects to
// them with its own database name and key prefix.
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM module without types, shared with the launcher
import { ensureMongoClasspath, ensureRedisInstalled, startMongoStandIn, startRedis } from '../../deploy/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
  }
}

interface RunningService {
  url: string;
  stop(): Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensureMongoClasspath();
  await ensureRedisInstalled();
  const [mongo, redis] = (await Promise.all([startMongoStandIn(), startRedis()])) as [RunningService, RunningService];
  project.provide('mongoUrl', mongo.url);
  project.provide('redisUrl', redis.url);
  return async () => {
    await Promise.all([mongo.stop(), redis.stop()]);
  };
}
