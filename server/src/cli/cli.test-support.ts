// Runs the real CLI as a child process (Node running server/src/cli/main.ts) against a running test
// instance's database and Redis, as an operator would beside a running server.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { TestInstance } from '../../test/harness.ts';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `instance`'s configuration, or with `env` in its place. */
export function runCli(instance: TestInstance, args: string[], env?: Record<string, string>): Promise<CliResult> {
  const instanceEnv = {
    MONGODB_URL: inject('mongoUrl'),
    REDIS_URL: inject('redisUrl'),
    MONGODB_DATABASE: instance.config.mongodbDatabase,
    REDIS_PREFIX: instance.config.redisPrefix,
    PUBLIC_URL: instance.config.publicUrl,
    INSTANCE_NAME: instance.config.instanceName,
    LOG_LEVEL: 'warn',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...(env ?? instanceEnv) }, timeout: 25_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
