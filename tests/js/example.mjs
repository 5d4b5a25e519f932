// Plan `leverage credentials configure --type management` from Node with the core component.
// Usage: node example.mjs <jco-output-dir> <project-dir> <keys.csv> <aws-dir> <aws.json>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as wasi from '@bytecodealliance/preview2-shim';
// Types from jco's declarations (tests/js/types, `npm run types`); tsc checks this file against them.
/** @typedef {typeof import('./types/interfaces/leverage-credentials-aws.js')} Aws */
/** @typedef {typeof import('./types/interfaces/leverage-credentials-files.js')} Files */
/** @typedef {import('./types/leverage_core.js').ConfigureRequest} ConfigureRequest */

const [core, project, keys, awsRoot, awsJson] = process.argv.slice(2);
const { instantiate } = await import(pathToFileURL(join(core, 'leverage_core.js')).href);
// Imports are synchronous (Node 20 cannot await in one): fetch what AWS says beforehand.
const { identity, accounts, organization } = JSON.parse(readFileSync(awsJson, 'utf8'));
/** @type {Aws['callAll']} every call of the batch answered, in order; a result in a list is { tag, val } */
const callAll = (calls) => calls.map(({ request: { tag } }) => ({ tag: 'ok', val: tag === 'get-caller-identity'
  ? { tag: 'caller-identity', val: identity } : tag === 'list-accounts' ? { tag: 'accounts', val: accounts }
  : tag === 'describe-organization' ? { tag: 'organization', val: organization }
  : tag === 'list-access-keys' ? { tag: 'access-keys', val: [] } : { tag: 'mfa-devices', val: [] } }));
/** @type {Files['read']} the text, or undefined when nothing is there; an error is thrown as a variant */
const read = (path) => { try { return readFileSync(path, 'utf8'); } catch (e) { if (e.code === 'ENOENT') return undefined; throw { tag: 'other', val: e.message }; } };
const noTerminal = () => { throw { tag: 'unavailable', val: 'no terminal here' }; }; // a variant: { tag, val }
const ours = {
  'leverage:credentials/files': { read, readStdin: () => readFileSync(0, 'utf8') },
  'leverage:credentials/aws': { callAll, wait: () => {} },
  'leverage:credentials/prompt': { text: noTerminal, secret: noTerminal, select: noTerminal },
  'leverage:credentials/log': { line: (level, message) => console.error(`${level}: ${message}`) },
};
const camel = (s) => s.replace(/-(\w)/g, (_, c) => c.toUpperCase()); // below: any WASI the Rust std links comes from jco's shim
const imports = new Proxy(ours, { get: (o, /** @type {string} */ name) => o[name] ?? wasi[name.split(/[:/]/)[1]][camel(name.split('/')[1])] });
const { configure } = instantiate((file) => new WebAssembly.Module(readFileSync(join(core, file))), imports);
/** @type {ConfigureRequest} */
const request = { credentialsType: 'management', credentialsFile: keys, fetchMfaDevice: false,
  overwriteExistingCredentials: false, skipAccessKeysSetup: false, skipAssumableRolesSetup: false,
  nonInteractive: true, allAccounts: false, prune: false, skipAccountCheck: false, projectRoot: project, currentDir: project, awsRoot };
try {
  const plan = configure(request);
  // Show the plan with secrets masked; a real host would now write every change atomically.
  for (const change of plan.changes) console.log(`--- ${change.path}\n${change.maskedAfter}`);
  console.log(JSON.stringify(plan.report.profiles.map((p) => p.name)));
} catch (e) {
  console.error('error:', JSON.stringify(e.payload ?? String(e))); // a configure-error variant: { tag, val }
  process.exitCode = 1;
}
