import { splitScopes } from '../oauth/scopes.ts';
import type { Command } from './command.ts';
import { parseCommand, positiveNumberOption } from './usage.ts';

const USAGE = 'kith token <username> [--scopes "read write follow push"] [--expires-in-days N]';
const HELP = `Usage: ${USAGE}

Prints a bearer token for the account, for automation (and nothing else, so it can be captured).
Without --expires-in-days the token lasts until revoked.
`;

/** `kith token <username>`: a personal access token for an account. */
export const tokenCommand: Command = {
  async run(args, withContext) {
    const parsed = parseCommand(args, { scopes: { type: 'string' }, 'expires-in-days': { type: 'string' } }, { min: 1, max: 1, usage: USAGE });
    if (!parsed) return void process.stdout.write(HELP);
    const scopes = splitScopes(parsed.values.scopes ?? 'read write follow push');
    const days = positiveNumberOption('expires-in-days', parsed.values['expires-in-days'], { integer: false });
    await withContext(async (context) => {
      const username = parsed.positionals[0]!.replace(/^@/, '');
      const account = await context.services.accounts.lookup(username, context.config.domain).catch(() => {
        throw new Error(`no local account @${username}`);
      });
      if (account.suspended) throw new Error(`@${username} is suspended; its tokens would not work`);
      const expiresAt = days === undefined ? null : new Date(Date.now() + days * 24 * 3600 * 1000);
      context.print(await context.services.oauth.issuePersonalToken(account._id, scopes, { expiresAt }));
    });
  },
};
