import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { MongoClient } from 'mongodb';
import type { Config } from '../config.ts';
import type { Infra } from '../services.ts';
import { connectMongo } from './mongo.ts';
import { createRedis, createRedisConnection } from './redis.ts';

/** Opens the MongoDB and Redis connections one instance runs on; close() ends them all. */
export async function connectInfra(config: Config, log?: FastifyBaseLogger): Promise<Infra & { mongoClient: MongoClient; close(): Promise<void> }> {
  const { client, db } = await connectMongo(config.mongodbUrl, config.mongodbDatabase);
  const redis = createRedis(config.redisUrl, config.redisPrefix);
  const redisConnection = createRedisConnection(config.redisUrl);
  return {
    config,
    db,
    redis,
    redisConnection,
    mongoClient: client,
    log: log ?? (pino({ level: config.logLevel }) as unknown as FastifyBaseLogger),
    async close() {
      redis.disconnect();
      redisConnection.disconnect();
      await client.close();
    },
  };
}
