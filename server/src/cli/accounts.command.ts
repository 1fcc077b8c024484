import { ROLES, type AccountRecord, type Role } from '../accounts/accounts.store.ts';
import { subcommands, type Command, type Subcommand } from './command.ts';
import type { CliContext } from './context.ts';
import { UsageError, choice, parseCommand } from './usage.ts';

const HELP = `Usage:
  kith accounts create <username> --email <e> --password <pw> [--role admin|connector|member] [--display-name "..."]
  kith accounts list [--json]
  kith accounts suspend <username>
  kith accounts unsuspend <username>
  kith accounts role <username> <admin|connector|member>
`;

/** The local account with this username, or a failure naming it. */
async function localAccount(context: CliContext, username: string): Promise<AccountRecord> {
  return context.services.accounts.lookup(username, context.config.domain).catch(() => {
    throw new Error(`no local account @${username.replace(/^@/, '')}`);
  });
}

function describe(account: AccountRecord): string {
  return `@${account.username} (id ${account._id}, role ${account.role}${account.suspended ? ', suspended' : ''})`;
}

/** Every local account, newest first, paging through the admin list. */
async function allLocalAccounts(context: CliContext): Promise<AccountRecord[]> {
  const all: AccountRecord[] = [];
  for (let maxId: string | null = null; ;) {
    const page = await context.services.admin.listAccounts(null, {}, { maxId, sinceId: null, minId: null, limit: 200 });
    all.push(...page);
    if (page.length < 200) return all;
    maxId = page[page.length - 1]!._id;
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** `kith accounts suspend|unsuspend <username>`. */
const setSuspension: Subcommand = async (rest, withContext, sub) => {
  const parsed = parseCommand(rest, {}, { min: 1, max: 1, usage: `kith accounts ${sub} <username>` });
  if (!parsed) return void process.stdout.write(HELP);
  await withContext(async (context) => {
    const account = await localAccount(context, parsed.positionals[0]!);
    const updated = sub === 'suspend' ? await context.services.admin.suspend(null, account._id) : await context.services.admin.unsuspend(null, account._id);
    context.print(`${sub === 'suspend' ? 'suspended' : 'unsuspended'} ${describe(updated)}`);
  });
};

/** `kith accounts …`: create, list, suspend, unsuspend and set roles of local accounts. */
export const accountsCommand: Command = subcommands('accounts', HELP, {
  create: async (rest, withContext) => {
    const usage = 'kith accounts create <username> --email <e> --password <pw> [--role admin|connector|member] [--display-name "..."]';
    const parsed = parseCommand(rest, {
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      'display-name': { type: 'string' },
    }, { min: 1, max: 1, usage });
    if (!parsed) return void process.stdout.write(HELP);
    const { email, password, role, 'display-name': displayName } = parsed.values;
    if (email === undefined) throw new UsageError(`--email is required\nUsage: ${usage}`);
    if (password === undefined) throw new UsageError(`--password is required\nUsage: ${usage}`);
    const checkedRole = role === undefined ? undefined : choice<Role>('--role', role, ROLES);
    await withContext(async (context) => {
      const account = await context.services.accounts.create({ username: parsed.positionals[0]!, email, password, role: checkedRole, displayName });
      context.print(`created ${describe(account)}`);
    });
  },
  list: async (rest, withContext) => {
    const parsed = parseCommand(rest, { json: { type: 'boolean' } }, { min: 0, max: 0, usage: 'kith accounts list [--json]' });
    if (!parsed) return void process.stdout.write(HELP);
    await withContext(async (context) => {
      const accounts = await allLocalAccounts(context);
      if (parsed.values.json) {
        context.print(JSON.stringify(accounts.map((a) => ({
          id: a._id,
          username: a.username,
          display_name: a.displayName,
          email: a.email,
          role: a.role,
          suspended: a.suspended,
          created_at: a.createdAt.toISOString(),
        }))));
        return;
      }
      const rows = [['ID', 'USERNAME', 'ROLE', 'EMAIL', 'SUSPENDED', 'CREATED']];
      for (const a of accounts) rows.push([a._id, a.username, a.role, a.email ?? '-', a.suspended ? 'yes' : 'no', a.createdAt.toISOString().slice(0, 10)]);
      for (const line of table(rows)) context.print(line);
    });
  },
  suspend: setSuspension,
  unsuspend: setSuspension,
  role: async (rest, withContext) => {
    const parsed = parseCommand(rest, {}, { min: 2, max: 2, usage: 'kith accounts role <username> <admin|connector|member>' });
    if (!parsed) return void process.stdout.write(HELP);
    const role = choice<Role>('role', parsed.positionals[1]!, ROLES);
    await withContext(async (context) => {
      const account = await localAccount(context, parsed.positionals[0]!);
      context.print(`updated ${describe(await context.services.admin.setRole(null, account._id, role))}`);
    });
  },
});
