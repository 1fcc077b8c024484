// Allowlists every instance of a one-machine network (`npm run network`) on every other, in one process:
//   node server/src/cli/network-peers.ts <count> <base port>
// with MONGODB_URL and REDIS_URL set. Instance i (1-based) is dept<i> on http://127.0.0.1:<base port + i - 1>,
// with the database and Redis prefix its INSTANCE_NAME gives it, as the launcher starts it. Adding an entry
// that exists changes nothing, so running it again on the same data is harmless.
import { ConfigError, loadConfig } from '../config.ts';
import { openContext } from './context.ts';

/** The environment of instance `index` (0-based) of a network starting at `basePort`. */
function networkInstanceEnv(env: NodeJS.ProcessEnv, index: number, basePort: number): NodeJS.ProcessEnv {
  const port = basePort + index;
  const instance: NodeJS.ProcessEnv = {
    ...env,
    INSTANCE_NAME: `dept${index + 1}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    REGISTRATION_MODE: 'open',
  };
  // Each instance's own database and prefix come from its name; an inherited override would merge them.
  delete instance.MONGODB_DATABASE;
  delete instance.REDIS_PREFIX;
  return instance;
}

async function allowlistAll(count: number, basePort: number): Promise<void> {
  const hosts = Array.from({ length: count }, (_, i) => `127.0.0.1:${basePort + i}`);
  await Promise.all(hosts.map(async (own, index) => {
    const config = loadConfig({ ...networkInstanceEnv(process.env, index, basePort), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
    const context = await openContext(config);
    try {
      for (const host of hosts) {
        if (host !== own) await context.services.peers.add(null, { host, scheme: 'http', note: 'npm run network' });
      }
    } finally {
      await context.close();
    }
  }));
}

const [count, basePort] = process.argv.slice(2).map(Number);
if (!Number.isInteger(count) || count! < 1 || !Number.isInteger(basePort) || basePort! < 1 || basePort! + count! - 1 > 65535) {
  process.stderr.write('usage: node server/src/cli/network-peers.ts <count> <base port>\n');
  process.exit(2);
}
try {
  await allowlistAll(count!, basePort!);
  process.exit(0);
} catch (error) {
  process.stderr.write(`kith: ${error instanceof ConfigError ? 'configuration error: ' : ''}${(error as Error).message}\n`);
  process.exit(1);
}
