import type { DeadLetterRecord } from '../federation-state/dead-letters.store.ts';
import { subcommands, type Command } from './command.ts';
import { parseCommand, positiveNumberOption, UsageError } from './usage.ts';

const HELP = `Usage:
  kith deliveries list [--limit N] [--json]
      deliveries given up on (dead letters), newest first
  kith deliveries retry <id>
      puts a dead letter's delivery back in the queue, once
`;

const ID = /^[0-9a-zA-Z_-]{1,64}$/;

function row(d: DeadLetterRecord): string[] {
  return [d._id, d.host, d.reason, d.retriedAt ? 'retried' : d.jobId && d.queue ? 'retryable' : 'no job', d.activityId ?? '', d.createdAt.toISOString()];
}

/** `kith deliveries …`: the deliveries given up on, and their retry. */
export const deliveriesCommand: Command = subcommands('deliveries', HELP, {
  list: async (rest, withContext) => {
    const parsed = parseCommand(rest, { limit: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0, usage: 'kith deliveries list [--limit N] [--json]' });
    if (!parsed) return void process.stdout.write(HELP);
    const limit = positiveNumberOption('limit', parsed.values.limit, { integer: true }) ?? 100;
    if (limit > 500) throw new UsageError(`--limit must be at most 500 (got "${limit}")`);
    await withContext(async (context) => {
      const letters = await context.services.federationState.listDeadLetters(null, limit);
      if (parsed.values.json) {
        context.print(JSON.stringify(letters.map((d) => ({
          id: d._id, activity_id: d.activityId, inbox: d.inbox, host: d.host, reason: d.reason, job_id: d.jobId,
          created_at: d.createdAt.toISOString(), retried_at: d.retriedAt ? d.retriedAt.toISOString() : null,
        }))));
        return;
      }
      const rows = [['ID', 'HOST', 'REASON', 'STATE', 'ACTIVITY', 'CREATED'], ...letters.map(row)];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) context.print(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    });
  },
  retry: async (rest, withContext) => {
    const parsed = parseCommand(rest, {}, { min: 1, max: 1, usage: 'kith deliveries retry <id>' });
    if (!parsed) return void process.stdout.write(HELP);
    const id = parsed.positionals[0]!;
    if (!ID.test(id)) throw new UsageError(`not a dead letter id: "${id}"\nUsage: kith deliveries retry <id>`);
    await withContext(async (context) => {
      const letter = await context.services.federationState.retryDeadLetter(null, id);
      context.print(`retried ${letter._id} (${letter.host})`);
    });
  },
});
