// The TypeScript declarations of the component, as `jco transpile` generates
// them, checked in under tests/js/types/ for editors and type checkers:
// `npm run types` writes them anew from the component (found as core.mjs
// finds it); types.test.mjs fails when the checked-in ones are stale.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { componentPath } from './core.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const checkedIn = join(here, 'types');

/** Every `*.d.ts` under `dir`, as paths relative to it, sorted. */
export function declarations(dir) {
  const found = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else if (entry.name.endsWith('.d.ts')) found.push(relative(dir, join(d, entry.name)));
    }
  };
  walk(dir);
  return found.sort();
}

/** Generates the declarations into `outDir` (emptied first). */
export function generateTypes(outDir) {
  const staging = mkdtempSync(join(tmpdir(), 'leverage-types-'));
  try {
    const jco = join(here, 'node_modules/@bytecodealliance/jco/dist/jco.js');
    const run = spawnSync(process.execPath, [jco, 'transpile', componentPath(), '-o', staging, '--instantiation', 'sync', '--quiet'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`jco transpile failed:\n${run.stdout}\n${run.stderr}`);
    rmSync(outDir, { recursive: true, force: true });
    for (const file of declarations(staging)) {
      mkdirSync(dirname(join(outDir, file)), { recursive: true });
      cpSync(join(staging, file), join(outDir, file));
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  generateTypes(checkedIn);
  console.log(`wrote ${declarations(checkedIn).length} declaration files into ${relative(process.cwd(), checkedIn) || '.'}`);
}
