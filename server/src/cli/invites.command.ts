import { INVITE_ROLES } from '../invites/invites.store.ts';
import { subcommands, type Command } from './command.ts';
import { choice, parseCommand, positiveNumberOption } from './usage.ts';

const HELP = `Usage:
  kith invites create [--max-uses N] [--expires-in-days N] [--role member|connector]
      prints the new invite code (and nothing else); by default unlimited, never expiring, for members
  kith invites list [--json]
`;

/** `kith invites …`: make and list invite codes. */
export const invitesCommand: Command = subcommands('invites', HELP, {
  create: async (rest, withContext) => {
    const parsed = parseCommand(rest, {
      'max-uses': { type: 'string' },
      'expires-in-days': { type: 'string' },
      role: { type: 'string' },
    }, { min: 0, max: 0, usage: 'kith invites create [--max-uses N] [--expires-in-days N] [--role member|connector]' });
    if (!parsed) return void process.stdout.write(HELP);
    const maxUses = positiveNumberOption('max-uses', parsed.values['max-uses'], { integer: true });
    const expiresInDays = positiveNumberOption('expires-in-days', parsed.values['expires-in-days'], { integer: false });
    const role = parsed.values.role === undefined ? undefined : choice('--role', parsed.values.role, INVITE_ROLES);
    await withContext(async (context) => {
      const invite = await context.services.invites.create(null, { maxUses, expiresInDays, role });
      context.print(invite._id);
    });
  },
  list: async (rest, withContext) => {
    const parsed = parseCommand(rest, { json: { type: 'boolean' } }, { min: 0, max: 0, usage: 'kith invites list [--json]' });
    if (!parsed) return void process.stdout.write(HELP);
    await withContext(async (context) => {
      const invites = await context.services.invites.list(null, 500);
      const rows = invites.map((i) => ({
        code: i._id,
        role: i.role,
        uses: i.uses,
        max_uses: i.maxUses,
        expires_at: i.expiresAt?.toISOString() ?? null,
        created_at: i.createdAt.toISOString(),
      }));
      if (parsed.values.json) return context.print(JSON.stringify(rows));
      for (const r of rows) {
        context.print(`${r.code}  ${r.role.padEnd(9)}  uses ${r.uses}/${r.max_uses ?? '∞'}  expires ${r.expires_at ?? 'never'}`);
      }
    });
  },
});
