// Runs the embedder example of wit/README.md (tests/js/example.mjs) the way an
// embedder would: a separate `node` process on a real project directory.
// `npm test` runs it (and `cargo test -p leverage --test js` runs `npm test`).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { transpiledCore } from './core.mjs';

const example = fileURLToPath(new URL('./example.mjs', import.meta.url));
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function project(projectYaml) {
  const root = mkdtempSync(join(tmpdir(), 'leverage-js-example-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'project');
  mkdirSync(dir);
  writeFileSync(join(dir, 'project.yaml'), projectYaml);
  writeFileSync(join(root, 'keys.csv'), `\ufeffAccess key ID,Secret access key\r\n${KEY_ID},${SECRET}\r\n`);
  writeFileSync(
    join(root, 'aws.json'),
    JSON.stringify({
      identity: { account: '111111111111', arn: 'arn:aws:iam::111111111111:user/jane', userId: 'AIDAEXAMPLE' },
      accounts: [
        { id: '111111111111', name: 'binbash-management', email: 'aws+management@example.com' },
        { id: '033333333333', name: 'binbash-shared', email: 'aws+shared@example.com' },
      ],
      organization: { id: 'o-exampleorgid', managementAccountId: '111111111111' },
    }),
  );
  return { root, dir, keys: join(root, 'keys.csv'), aws: join(root, 'aws'), answers: join(root, 'aws.json') };
}

function runExample(p) {
  return spawnSync(process.execPath, [example, transpiledCore(), p.dir, p.keys, p.aws, p.answers], { encoding: 'utf8' });
}

const PROJECT_YAML = `project_name: binbash
short_name: bb
primary_region: us-east-1
organization:
  accounts:
  - name: management
    email: aws+management@example.com
  - name: shared
    email: aws+shared@example.com
`;

test('the README example prints the planned files with secrets masked and writes nothing', () => {
  const p = project(PROJECT_YAML);
  const run = runExample(p);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^--- ${p.aws}/bb/credentials$`, 'm'));
  assert.match(run.stdout, new RegExp(`^--- ${p.aws}/bb/config$`, 'm'));
  assert.match(run.stdout, /^\[bb-management\]$/m);
  assert.match(run.stdout, new RegExp(`aws_access_key_id = ${KEY_ID}`));
  assert.match(run.stdout, /^\[profile bb-shared-oaar\]$/m);
  assert.match(run.stdout, /role_arn = arn:aws:iam::033333333333:role\/OrganizationAccountAccessRole/);
  const profiles = JSON.parse(run.stdout.trim().split('\n').at(-1));
  assert.ok(profiles.includes('bb-shared-oaar'), run.stdout);
  assert.ok(!run.stdout.includes(SECRET) && !run.stderr.includes(SECRET), 'the secret was shown');
  assert.match(run.stderr, /^info: /m, 'the log import printed nothing');
  assert.equal(existsSync(p.aws), false, 'the example must only plan, not write');
});

test('the README example reports a configure-error variant for a malformed project.yaml', () => {
  const p = project('short_name: bb\norganization:\n  accounts: [\n');
  const run = runExample(p);
  assert.equal(run.status, 1, run.stdout);
  const error = JSON.parse(run.stderr.split('\n').find((l) => l.startsWith('error: ')).slice('error: '.length));
  assert.equal(error.tag, 'invalid-input');
  assert.equal(error.val.file, join(p.dir, 'project.yaml'));
  assert.equal(run.stdout, '');
});
