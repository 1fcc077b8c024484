import type { PeerRecord } from '../peers/peers.store.ts';
import { subcommands, type Command } from './command.ts';
import { parseCommand } from './usage.ts';

const HELP = `Usage:
  kith peers add <host[:port]> [--block] [--http] [--note "..."]
      allows a peer instance (or blocks it: a block beats an allow); --http for peers without TLS
  kith peers remove <host[:port]>
  kith peers list [--json]
`;

function describe(peer: PeerRecord): string {
  return `${peer.host} (${peer.state}, ${peer.scheme}${peer.note ? `, ${peer.note}` : ''})`;
}

/** `kith peers …`: the federation allowlist and blocklist. */
export const peersCommand: Command = subcommands('peers', HELP, {
  add: async (rest, withContext) => {
    const parsed = parseCommand(rest, { block: { type: 'boolean' }, http: { type: 'boolean' }, note: { type: 'string' } }, {
      min: 1, max: 1, usage: 'kith peers add <host[:port]> [--block] [--http] [--note "..."]',
    });
    if (!parsed) return void process.stdout.write(HELP);
    const { block, http, note } = parsed.values;
    await withContext(async (context) => {
      const peer = await context.services.peers.add(null, { host: parsed.positionals[0]!, state: block ? 'block' : 'allow', scheme: http ? 'http' : 'https', note });
      context.print(`${peer.state === 'block' ? 'blocked' : 'allowed'} ${describe(peer)}`);
    });
  },
  remove: async (rest, withContext) => {
    const parsed = parseCommand(rest, {}, { min: 1, max: 1, usage: 'kith peers remove <host[:port]>' });
    if (!parsed) return void process.stdout.write(HELP);
    await withContext(async (context) => {
      const host = parsed.positionals[0]!;
      await context.services.peers.remove(null, host).catch((error: unknown) => {
        throw (error as { statusCode?: number }).statusCode === 404 ? new Error(`no peer entry for ${host}`) : error;
      });
      context.print(`removed ${host}`);
    });
  },
  list: async (rest, withContext) => {
    const parsed = parseCommand(rest, { json: { type: 'boolean' } }, { min: 0, max: 0, usage: 'kith peers list [--json]' });
    if (!parsed) return void process.stdout.write(HELP);
    await withContext(async (context) => {
      const peers = await context.services.peers.list(null);
      if (parsed.values.json) {
        context.print(JSON.stringify(peers.map((p) => ({ host: p.host, scheme: p.scheme, state: p.state, note: p.note, created_at: p.createdAt.toISOString() }))));
        return;
      }
      const rows = [['HOST', 'STATE', 'SCHEME', 'NOTE'], ...peers.map((p) => [p.host, p.state, p.scheme, p.note])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) context.print(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    });
  },
});

