// The shared scenario table through the component in Node (issue 9).
//
// Run by `cargo test -p leverage --test js` (tests/component/js.rs), which
// writes every scenario of `leverage_core::scenarios::table()` with the native
// core's outcome and transcript to $LEVERAGE_JS_SCENARIOS, and transpiles the
// embedded component into $LEVERAGE_JS_CORE. Each scenario runs twice: with the
// scenario's files served from memory, and with them written to a temporary
// directory and served by `nodeFiles` from the real disk.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';

import { ScriptedHost, configureRustShaped, loadCore, nodeFiles } from './host.mjs';
import { canonicalJson } from './wit.mjs';

const { LEVERAGE_JS_CORE: coreDir, LEVERAGE_JS_SCENARIOS: scenariosFile } = process.env;
if (!coreDir || !scenariosFile) {
  throw new Error('run through `cargo test -p leverage --test js`: it sets LEVERAGE_JS_CORE and LEVERAGE_JS_SCENARIOS');
}
const scenarios = JSON.parse(readFileSync(scenariosFile, 'utf8'));
const instantiate = await loadCore(coreDir);

const sameOutcome = (actual, expected, name) =>
  assert.deepEqual(JSON.parse(canonicalJson(actual)), JSON.parse(canonicalJson(expected)), `${name}: the plan differs from the native core's`);

for (const { name, request, scenario, native, transcript } of scenarios) {
  test(name, () => {
    const host = new ScriptedHost(scenario);
    const outcome = configureRustShaped(instantiate(host.imports()), request);
    assert.deepEqual(host.transcript, transcript, `${name}: the calls made differ`);
    sameOutcome(outcome, native, name);
  });

  test(`${name} (files on disk)`, () => {
    // The scenario's absolute paths live under a temporary root; every path
    // in the request gets the same prefix, and the prefix is taken off the
    // outcome and the transcript before comparing.
    const root = mkdtempSync(join(tmpdir(), 'leverage-js-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    for (const [path, content] of Object.entries(scenario.files ?? {})) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    for (const path of scenario.directories ?? []) mkdirSync(join(root, path), { recursive: true });
    const prefixed = { ...request };
    for (const key of ['project_root', 'current_dir', 'aws_root']) prefixed[key] = root + request[key];
    if (request.credentials_file && request.credentials_file !== '-') prefixed.credentials_file = root + request.credentials_file;

    const stdin = scenario.stdin ?? '';
    const host = new ScriptedHost(scenario, { files: nodeFiles({ stdin: () => Buffer.from(stdin) }) });
    const outcome = configureRustShaped(instantiate(host.imports()), prefixed);
    const unprefix = (value) => JSON.parse(JSON.stringify(value).replaceAll(root, ''));
    assert.deepEqual(unprefix(host.transcript), transcript, `${name}: the calls made differ`);
    sameOutcome(unprefix(outcome), native, name);
  });
}

test('the table is the one issue 9 asks for', () => {
  assert.ok(scenarios.length >= 8, `only ${scenarios.length} scenarios`);
  const names = scenarios.map((s) => s.name).join(' ');
  for (const kind of ['bootstrap', 'management', 'security', 'mfa', 'access-denied', 'malformed', 'skip', 'overwrite']) {
    assert.match(names, new RegExp(kind), `no scenario covers ${kind}`);
  }
});
