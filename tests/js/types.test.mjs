// The checked-in TypeScript declarations (tests/js/types) are what jco
// generates for the component as it is, and the README example type-checks
// against them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { checkedIn, declarations, generateTypes } from './types.mjs';

test('the checked-in TypeScript declarations are the ones jco generates for the component', () => {
  const fresh = mkdtempSync(join(tmpdir(), 'leverage-types-test-'));
  after(() => rmSync(fresh, { recursive: true, force: true }));
  generateTypes(join(fresh, 'types'));
  const files = declarations(join(fresh, 'types'));
  assert.ok(files.includes('leverage_core.d.ts') && files.includes('interfaces/leverage-credentials-types.d.ts'), files.join(' '));
  assert.deepEqual(declarations(checkedIn), files, 'run `npm run types` in tests/js');
  for (const file of files) {
    assert.equal(readFileSync(join(checkedIn, file), 'utf8'), readFileSync(join(fresh, 'types', file), 'utf8'), `${file} is stale: run \`npm run types\` in tests/js`);
  }
});

test('the README example type-checks against the declarations', () => {
  // tsconfig.json: example.mjs with checkJs; its JSDoc types come from tests/js/types.
  const tsc = spawnSync(process.execPath, [fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url)), '-p', fileURLToPath(new URL('./tsconfig.json', import.meta.url))], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc found type errors in example.mjs:\n${tsc.stdout}${tsc.stderr}`);
});
