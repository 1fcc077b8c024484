// Starts one Kith instance from the environment and stops it gracefully on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.ts';
import { startKith } from './kith.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`kith: configuration error: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

const kith = await startKith(config);
await kith.app.listen({ port: config.port, host: config.host });
kith.app.log.info({ publicUrl: config.publicUrl, instance: config.instanceName }, 'Kith is serving');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    kith.app.log.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    const timer = setTimeout(() => {
      kith.app.log.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    timer.unref();
    kith.close().then(() => process.exit(0), (error: unknown) => {
      kith.app.log.error({ err: error }, 'error while shutting down');
      process.exit(1);
    });
  });
}
