// The JavaScript host's own pieces: `files` over the real disk, the
// error shapes an import throws, and the strictness of the WIT mirror.
// `npm test` runs it (and `cargo test -p leverage --test js` runs `npm test`).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { transpiledCore } from './core.mjs';
import { ScriptedHost, configureRustShaped, loadCore, nodeFiles, rustDebugString } from './host.mjs';
import * as wit from './wit.mjs';

const root = mkdtempSync(join(tmpdir(), 'leverage-js-host-'));
after(() => rmSync(root, { recursive: true, force: true }));
const files = nodeFiles({ stdin: () => Buffer.from('from stdin') });
const payloadOf = (f) => {
  try {
    f();
  } catch (e) {
    return e.payload;
  }
  assert.fail('expected the import to throw');
};

test('files.read gives the text, BOM and CRLF kept, or undefined when nothing is there', () => {
  writeFileSync(join(root, 'keys.csv'), '\ufeffAccess key ID,Secret access key\r\n');
  assert.equal(files.read(join(root, 'keys.csv')), '\ufeffAccess key ID,Secret access key\r\n');
  assert.equal(files.read(join(root, 'missing.csv')), undefined);
  assert.equal(files.readStdin(), 'from stdin');
});

test('files.read follows a symbolic link', () => {
  writeFileSync(join(root, 'target.yaml'), 'short_name: bb\n');
  symlinkSync(join(root, 'target.yaml'), join(root, 'link.yaml'));
  assert.equal(files.read(join(root, 'link.yaml')), 'short_name: bb\n');
});

test('files.read reports a directory and a non-UTF-8 file as the WIT errors', () => {
  mkdirSync(join(root, 'dir'));
  assert.deepEqual(payloadOf(() => files.read(join(root, 'dir'))), { tag: 'is-directory' });
  writeFileSync(join(root, 'latin1.csv'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  assert.deepEqual(payloadOf(() => files.read(join(root, 'latin1.csv'))), { tag: 'not-text' });
});

test('the scripted host answers prompts like scripted.rs, in order, then is unavailable', () => {
  const host = new ScriptedHost({ answers: [{ Text: '' }, { Select: 2 }, 'Cancel'] });
  const prompt = host.imports()['leverage:credentials/prompt'];
  const q = (text) => ({ text, answeredBy: '--flag' });
  assert.equal(prompt.text(q('Name?'), 'bb'), 'bb');
  assert.equal(prompt.select(q('Pick'), ['a "x"', 'b'], 1), 2);
  assert.deepEqual(payloadOf(() => prompt.secret(q('Key?'))), { tag: 'cancelled' });
  assert.deepEqual(payloadOf(() => prompt.text(q('More?'), undefined)), { tag: 'unavailable', val: 'no scripted answer for More?' });
  assert.deepEqual(host.transcript, ['prompt.text Name? [bb]', 'prompt.select Pick ["a \\"x\\"", "b"] default=1', 'prompt.secret Key?', 'prompt.text More? []']);
  assert.equal(rustDebugString('tab\there\u0001'), '"tab\\there\\u{1}"');
});

test('the WIT mirror refuses a shape it does not know', () => {
  const plan = { changes: [], report: { profile: 'bb-management', keysWritten: false, callerAccount: undefined, profiles: [], accountsLearned: [], terraformAttributes: [], warnings: [], staleProfiles: [], prunedProfiles: [] } };
  assert.deepEqual(wit.Plan.toRust(plan).report.caller_account, null);
  assert.throws(() => wit.Plan.toRust({ ...plan, extra: 1 }), /extra/);
  assert.throws(() => wit.ConfigureError.toRust({ tag: 'no-such-case' }), /variant case/);
  assert.deepEqual(wit.ConfigureError.toRust({ tag: 'cancelled' }), 'Cancelled');
  assert.deepEqual(wit.ConfigureError.fromRust({ AnswerNeeded: 'x' }), { tag: 'answer-needed', val: 'x' });
  assert.deepEqual(wit.FileKind.fromRust('TerraformVars'), 'terraform-vars');
});

test('an unreadable credentials file reaches the component as files-error and comes back as invalid-input naming it', async () => {
  const instantiate = await loadCore(transpiledCore());
  const project = join(root, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'project.yaml'), 'project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\n');
  mkdirSync(join(root, 'keys-dir.csv'));
  const host = new ScriptedHost({}, { files });
  const request = {
    credentials_type: 'Management', credentials_file: join(root, 'keys-dir.csv'), fetch_mfa_device: false,
    overwrite_existing_credentials: false, skip_access_keys_setup: false, skip_assumable_roles_setup: false,
    non_interactive: true, role_name: null, all_accounts: false, mfa_serial: null, prune: false, skip_account_check: false,
    environment_keys: null, project_root: project, current_dir: project, aws_root: join(root, 'aws'),
    home_dir: null,
  };
  const outcome = configureRustShaped(instantiate(host.imports()), request);
  assert.deepEqual(outcome, {
    Err: { InvalidInput: { file: join(root, 'keys-dir.csv'), line: null, message: 'is a directory, not a file' } },
  });
  assert.ok(host.transcript.includes(`files.read ${join(root, 'keys-dir.csv')}`), host.transcript.join('\n'));
});
