import { UsageError } from './usage.ts';
import type { CliContext } from './context.ts';

/** Runs `fn` with connected services; connecting waits until a command has parsed its arguments. */
export type WithContext = <T>(fn: (context: CliContext) => Promise<T>) => Promise<T>;

/** A top-level CLI command (accounts, token, invites). */
export interface Command {
  /** Runs the command; prints its own help for --help. */
  run(args: string[], withContext: WithContext): Promise<void>;
}

/** One subcommand: its arguments after the subcommand's name, and the subcommand's name itself. */
export type Subcommand = (args: string[], withContext: WithContext, name: string) => Promise<void>;

/**
 * A command made of subcommands (`kith accounts create …`): runs the one named, prints `help` for
 * -h/--help, and answers a missing or unknown subcommand as bad usage.
 */
export function subcommands(command: string, help: string, handlers: Record<string, Subcommand>): Command {
  return {
    async run(args, withContext) {
      const [sub, ...rest] = args;
      if (sub === '-h' || sub === '--help') return void process.stdout.write(help);
      if (sub === undefined) throw new UsageError(`missing subcommand\n${help}`);
      const handler = Object.hasOwn(handlers, sub) ? handlers[sub] : undefined;
      if (!handler) throw new UsageError(`unknown subcommand "${command} ${sub}"\n${help}`);
      await handler(rest, withContext, sub);
    },
  };
}
