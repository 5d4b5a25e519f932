// Where the tests find the credentials core component, and its jco
// transpilation. `npm test` and `cargo test` find it the same way:
//
// - $LEVERAGE_COMPONENT, when set: the component file (`cargo test` sets it to
//   the copy the tested `leverage` binary embeds; `leverage component --write
//   FILE` writes that copy anywhere);
// - else the build output of `cargo build -p leverage`:
//   `${CARGO_TARGET_DIR:-<repository>/target}/wasm-core/wasm32-wasip2/release/leverage_core.wasm`.
//
// The transpiled JavaScript is cached by the component's hash and jco's version under
// node_modules/.cache, so a rebuilt core is always transpiled anew.

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repository = resolve(here, '../..');

/** The component file, found as described above (it may not exist). */
export function componentPath(env = process.env) {
  if (env.LEVERAGE_COMPONENT) return resolve(env.LEVERAGE_COMPONENT);
  const target = env.CARGO_TARGET_DIR ? resolve(repository, env.CARGO_TARGET_DIR) : join(repository, 'target');
  return join(target, 'wasm-core/wasm32-wasip2/release/leverage_core.wasm');
}

/** The directory holding the component transpiled by `jco transpile --instantiation sync`. */
export function transpiledCore() {
  const wasmPath = componentPath();
  if (!existsSync(wasmPath)) {
    throw new Error(
      `no component at ${wasmPath}: build it with \`cargo build -p leverage\` (from the repository root), ` +
        'or point LEVERAGE_COMPONENT at one (`leverage component --write core.wasm` writes it)',
    );
  }
  const hash = createHash('sha256').update(readFileSync(wasmPath)).digest('hex').slice(0, 16);
  // Keyed on jco's version too: another jco transpiles differently.
  const jcoVersion = JSON.parse(readFileSync(join(here, 'node_modules/@bytecodealliance/jco/package.json'), 'utf8')).version;
  const cache = join(here, 'node_modules/.cache/leverage-core');
  const dir = join(cache, `${hash}-jco-${jcoVersion}`);
  if (existsSync(join(dir, 'leverage_core.js'))) return dir;
  mkdirSync(cache, { recursive: true });
  // Transpile beside the final place, then rename: test files run in
  // parallel processes, and none may see a half-written directory.
  const staging = mkdtempSync(join(cache, 'staging-'));
  try {
    const jco = join(here, 'node_modules/@bytecodealliance/jco/dist/jco.js');
    const run = spawnSync(process.execPath, [jco, 'transpile', wasmPath, '-o', join(staging, 'out'), '--instantiation', 'sync', '--no-typescript', '--quiet'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`jco transpile ${wasmPath} failed:\n${run.stdout}\n${run.stderr}`);
    try {
      renameSync(join(staging, 'out'), dir);
    } catch (e) {
      if (!existsSync(join(dir, 'leverage_core.js'))) throw e; // else another process won the race
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}
