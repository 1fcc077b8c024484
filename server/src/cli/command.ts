import type { CliContext } from './context.ts';

/** Runs `fn` with connected services; connecting waits until a command has parsed its arguments. */
export type WithContext = <T>(fn: (context: CliContext) => Promise<T>) => Promise<T>;

/** A top-level CLI command (accounts, token, invites). */
export interface Command {
  /** Runs the command; prints its own help for --help. */
  run(args: string[], withContext: WithContext): Promise<void>;
}
