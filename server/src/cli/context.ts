import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import { connectInfra } from '../infra/connect.ts';
import { createServices, type Services } from '../services.ts';

/** What a CLI command works with: the same services as the server, on the same configuration. */
export interface CliContext {
  config: Config;
  services: Services;
  /** Writes a line to stdout (results only: scripts read it). */
  print(line: string): void;
}

/**
 * Connects to this instance's MongoDB and Redis, builds the services and makes sure the indexes exist
 * (the CLI may run before the server ever did). close() ends every connection.
 */
export async function openContext(config: Config): Promise<CliContext & { close(): Promise<void> }> {
  // Logs go to stderr, so that stdout carries nothing but results (a token, a code).
  const log = pino({ level: config.logLevel }, pino.destination(2)) as unknown as FastifyBaseLogger;
  const infra = await connectInfra(config, log);
  try {
    const { services, ensureIndexes } = createServices(infra);
    await ensureIndexes();
    return {
      config,
      services,
      print: (line) => process.stdout.write(`${line}\n`),
      async close() {
        await services.events.close();
        await services.peers.close();
        await infra.close();
      },
    };
  } catch (error) {
    await infra.close();
    throw error;
  }
}
