// The `kith` admin CLI: `npm run -s kith -- <command>`. Same configuration (environment) as the server.
// Exit codes: 0 done, 1 the command failed, 2 bad usage or configuration.
import { enableCompileCache } from 'node:module';
import { ConfigError, loadConfig } from '../config.ts';
import { KithError } from '../shared/errors.ts';
import { accountsCommand } from './accounts.command.ts';
import { deliveriesCommand } from './deliveries.command.ts';
import type { Command, WithContext } from './command.ts';
import { invitesCommand } from './invites.command.ts';
import { peersCommand } from './peers.command.ts';
import { tokenCommand } from './token.command.ts';
import { MAIN_HELP, UsageError } from './usage.ts';

const COMMANDS: Record<string, Command> = {
  accounts: accountsCommand,
  token: tokenCommand,
  invites: invitesCommand,
  peers: peersCommand,
  deliveries: deliveriesCommand,
};

// Configuration is read, and the services loaded, only once a command needs the database: --help and
// usage errors answer at once, anywhere.
const withContext: WithContext = async (fn) => {
  const config = loadConfig();
  // Every run loads the whole service graph; Node's compile cache (in the OS temp directory) halves that.
  enableCompileCache();
  const { openContext } = await import('./context.ts');
  const context = await openContext(config);
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined) throw new UsageError(`missing command\n${MAIN_HELP}`);
    if (name === '-h' || name === '--help' || name === 'help') {
      process.stdout.write(MAIN_HELP);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"\n${MAIN_HELP}`);
    await command.run(args, withContext);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kith: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`kith: configuration error: ${error.message}\n`);
      return 2;
    }
    // Rule violations (taken username, bad email …) carry a message meant for people.
    const message = error instanceof KithError ? error.message.replace(/^Validation failed: /, '') : (error as Error).message;
    process.stderr.write(`kith: ${message}\n`);
    return 1;
  }
}

// Exit explicitly: a library that keeps a handle open must not keep the CLI alive.
process.exit(await main(process.argv.slice(2)));
