// Prints how much JavaScript the first page loads, gzipped: the start-up scripts and everything they
// import statically (modulepreload links in the shell HTML), as a browser fetches them on a cold load.
// Budget: 150 KB gzipped (issue 4). Exits 1 over budget. Run after `vite build`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET_BYTES = 150 * 1024;
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clientDir = path.join(webDir, 'build', 'client');
const manifestFile = path.join(webDir, '.svelte-kit', 'output', 'client', '.vite', 'manifest.json');

if (!fs.existsSync(manifestFile)) {
  console.error('no build found: run `npm run -w web build` first');
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));

// The first page: the client entries, the root layout and the home page, and their static imports.
const roots = Object.keys(manifest).filter((key) => manifest[key].isEntry &&
  (/entry\/(start|app)\.js$|kit\/src\/runtime\/client\/entry\.js/.test(key) || /client-optimized\/(app|nodes\/[012])\.js$/.test(key)));
const seen = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return;
  seen.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
for (const key of roots) visit(key);

let total = 0;
for (const file of [...seen].filter((f) => f.endsWith('.js'))) {
  total += zlib.gzipSync(fs.readFileSync(path.join(clientDir, file)), { level: 9 }).length;
}
const kb = (total / 1024).toFixed(1);
console.log(`first page JavaScript: ${kb} KB gzipped in ${[...seen].filter((f) => f.endsWith('.js')).length} files (budget ${BUDGET_BYTES / 1024} KB)`);
process.exit(total > BUDGET_BYTES ? 1 : 0);
