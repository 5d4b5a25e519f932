// The shared scenario table (tests/fixtures/scenarios/table.json) through the
// component in Node. Every scenario runs twice: with the world's files served
// from memory, and with them written to a temporary directory and served by
// `nodeFiles` from the real disk. The plans must be, byte for byte, what the
// native core recorded in plans.json (and the calls those in transcripts.json).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';

import { transpiledCore } from './core.mjs';
import { ScriptedHost, configureRustShaped, loadCore, nodeFiles } from './host.mjs';
import { recorded, scenarioTable } from './wit.mjs';

const fixtures = new URL('../fixtures/scenarios/', import.meta.url);
const scenarios = scenarioTable(JSON.parse(readFileSync(new URL('table.json', fixtures), 'utf8')));
const recordedPlans = readFileSync(new URL('plans.json', fixtures), 'utf8');
const recordedTranscripts = JSON.parse(readFileSync(new URL('transcripts.json', fixtures), 'utf8'));
const instantiate = await loadCore(transpiledCore());

function fromMemory({ request, world }) {
  const host = new ScriptedHost(world);
  return { outcome: configureRustShaped(instantiate(host.imports()), request), transcript: host.transcript };
}

function fromDisk({ request, world }) {
  // The world's absolute paths live under a temporary root; every path in
  // the request gets the same prefix, which is taken off the outcome and the
  // transcript before comparing.
  const root = mkdtempSync(join(tmpdir(), 'leverage-js-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(world.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const path of world.directories ?? []) mkdirSync(join(root, path), { recursive: true });
  const prefixed = { ...request };
  for (const key of ['project_root', 'current_dir', 'aws_root']) prefixed[key] = root + request[key];
  if (request.credentials_file && request.credentials_file !== '-') prefixed.credentials_file = root + request.credentials_file;
  const stdin = world.stdin ?? '';
  const host = new ScriptedHost(world, { files: nodeFiles({ stdin: () => Buffer.from(stdin) }) });
  const outcome = configureRustShaped(instantiate(host.imports()), prefixed);
  const unprefix = (value) => JSON.parse(JSON.stringify(value).replaceAll(root, ''));
  return { outcome: unprefix(outcome), transcript: unprefix(host.transcript) };
}

for (const [how, play] of [['files from memory', fromMemory], ['files on disk', fromDisk]]) {
  test(`the component in Node writes the recorded plans, byte for byte (${how})`, () => {
    const runs = scenarios.map((s) => ({ name: s.name, ...play(s) }));
    for (const { name, outcome, transcript } of runs) {
      // One scenario at a time first, so a failure names it.
      const expected = recordedTranscripts.find((t) => t.name === name)?.transcript;
      assert.deepEqual(transcript, expected, `${name}: the calls made differ from the native core's`);
      const mine = recorded('outcome', [{ name, value: outcome }]);
      const native = recorded('outcome', [{ name, value: JSON.parse(recordedPlans).find((p) => p.name === name)?.outcome }]);
      assert.equal(mine, native, `${name}: the plan differs from the native core's`);
    }
    assert.equal(recorded('outcome', runs.map(({ name, outcome }) => ({ name, value: outcome }))), recordedPlans);
  });
}

test('the table covers every kind of run', () => {
  assert.ok(scenarios.length >= 8, `only ${scenarios.length} scenarios`);
  const names = scenarios.map((s) => s.name).join(' ');
  for (const kind of ['bootstrap', 'management', 'security', 'mfa', 'access-denied', 'malformed', 'skip', 'overwrite']) {
    assert.match(names, new RegExp(kind), `no scenario covers ${kind}`);
  }
  assert.deepEqual(JSON.parse(recordedPlans).map((p) => p.name), scenarios.map((s) => s.name), 'plans.json is not recorded from this table');
});
