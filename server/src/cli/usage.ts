import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParsedResults<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/** Bad command-line usage: the CLI prints it with a pointer to --help and exits with 2. */
export class UsageError extends Error {}

export const MAIN_HELP = `Usage: npm run -s kith -- <command> [options]

Administer this Kith instance. Uses the same configuration (environment) as the server.

Commands:
  accounts create <username> --email <e> --password <pw> [--role admin|connector|member] [--display-name "..."]
  accounts list [--json]
  accounts suspend <username>
  accounts unsuspend <username>
  accounts role <username> <admin|connector|member>
  token <username> [--scopes "read write follow push"] [--expires-in-days N]
                    prints a bearer token for the API (and nothing else)
  invites create [--max-uses N] [--expires-in-days N] [--role member|connector]
                    prints the new invite code (and nothing else)
  invites list [--json]
  peers add <host[:port]> [--block] [--http] [--note "..."]
                    allows (or blocks) a federation peer; a block beats an allow
  peers remove <host[:port]>
  peers list [--json]
  deliveries list [--limit N] [--json]
                    deliveries given up on (dead letters), newest first
  deliveries retry <id>
                    puts a dead letter's delivery back in the queue, once

Options:
  -h, --help        show help for a command

Exit codes: 0 done, 1 the command failed, 2 bad usage or configuration.
`;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments strictly (unknown options are errors) and checks the number of
 * positionals. Returns null when --help was asked for.
 */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  positionals: { min: number; max: number; usage: string },
): ParsedResults<{ args: string[]; options: O; allowPositionals: true; strict: true }> | null {
  const withHelp = { ...options, help: { type: 'boolean', short: 'h' } } as O;
  let parsed;
  try {
    parsed = parseArgs({ args, options: withHelp, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nUsage: ${positionals.usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) return null;
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`missing arguments\nUsage: ${positionals.usage}`);
  if (count > positionals.max) throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"\nUsage: ${positionals.usage}`);
  return parsed;
}

/** A positive whole number given as an option value, or undefined when absent. */
export function positiveNumberOption(name: string, value: string | undefined, options: { integer: boolean }): number | undefined {
  if (value === undefined) return undefined;
  const pattern = options.integer ? /^[1-9]\d*$/ : /^(\d+(\.\d+)?|\.\d+)$/;
  const n = Number(value);
  if (!pattern.test(value) || !(n > 0)) throw new UsageError(`--${name} must be a positive ${options.integer ? 'whole ' : ''}number (got "${value}")`);
  return n;
}

/** A value from a fixed list, or a usage error naming the choices. */
export function choice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}
