// A JavaScript host for the credentials core component.
//
// `ScriptedHost` is the twin of `leverage_core::scripted::ScriptedHost`
// (core-wasm/src/scripted.rs): it plays the same scenario description (the
// JSON the Rust `Scenario` serializes to) and writes a transcript in the same
// format, line for line, so the Node run can be compared with the native one.
// `nodeFiles` serves the `files` interface from the real disk, read-only.
// `loadCore` instantiates the component transpiled by
// `jco transpile --instantiation sync`.
//
// Every import is synchronous: Node 20 has no JSPI, so a jco import cannot
// await. A `result` import returns its ok value or throws its error payload.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as wasi from '@bytecodealliance/preview2-shim';

import * as wit from './wit.mjs';

/** Rust's `{:?}` of a string (`str::escape_debug` inside double quotes). */
export function rustDebugString(s) {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\0') out += '\\0';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

/** Rust's `{:?}` of a scripted `Answer` (serde shape: `{Text: s}`, `{Select: n}`, `"Cancel"`). */
function rustDebugAnswer(answer) {
  if (typeof answer === 'string') return answer;
  const [name, value] = Object.entries(answer)[0];
  return typeof value === 'string' ? `${name}(${rustDebugString(value)})` : `${name}(${value})`;
}

/** The index of each `Answer` case, as Rust's `mem::discriminant` prints it. */
const ANSWER_CASES = ['Text', 'Secret', 'Select', 'Cancel'];
const answerCase = (answer) => (typeof answer === 'string' ? answer : Object.keys(answer)[0]);

/** What a scripted host throws from an import: the WIT error, in jco's shape. */
class ImportError extends Error {
  constructor(payload) {
    super(`import error ${JSON.stringify(payload)}`);
    this.payload = payload;
  }
}

/**
 * Plays a scenario (Rust serde shape, see core-wasm/src/scripted.rs) and
 * records every call. `files` optionally replaces the scenario's files with
 * another `files` implementation (e.g. `nodeFiles`), which then logs through
 * the same transcript.
 */
export class ScriptedHost {
  constructor(scenario, { files } = {}) {
    this.scenario = {
      files: {},
      directories: [],
      stdin: null,
      identities: {},
      organizations: {},
      described_organizations: {},
      mfa_devices: {},
      answers: [],
      ...scenario,
    };
    this.answers = [...this.scenario.answers];
    this.transcript = [];
    this.files = files;
  }

  nextAnswer(question) {
    const answer = this.answers.shift();
    if (answer === undefined) throw new ImportError({ tag: 'unavailable', val: `no scripted answer for ${question}` });
    if (answer === 'Cancel') throw new ImportError({ tag: 'cancelled' });
    return answer;
  }

  mismatch(expected, got) {
    return new ImportError({ tag: 'unavailable', val: `the script answers ${got} where a ${expected} was asked` });
  }

  /** One call of a batch, answered from the scenario (Rust shape: `{Ok: reply}` / `{Err: aws-error}`). */
  answer({ credentials, region, request }) {
    const s = this.scenario;
    const key = credentials.accessKeyId;
    const failure = (kind, code, message) => ({ Err: { kind, code, message } });
    const identity = () =>
      Object.hasOwn(s.identities, key)
        ? s.identities[key]
        : failure('InvalidCredentials', 'InvalidClientTokenId', 'InvalidClientTokenId: The security token included in the request is invalid');
    const reply = (outcome, as) => ('Ok' in outcome ? { Ok: { [as]: outcome.Ok } } : outcome);
    switch (request.tag) {
      case 'get-caller-identity':
        this.transcript.push(`aws.get-caller-identity ${key} ${region}`);
        return reply(identity(), 'CallerIdentity');
      case 'list-accounts':
        this.transcript.push(`aws.list-accounts ${key} ${region}`);
        return reply(
          Object.hasOwn(s.organizations, key) ? s.organizations[key] : failure('AccessDenied', 'AccessDeniedException', 'AccessDeniedException: not allowed'),
          'Accounts',
        );
      case 'describe-organization':
        this.transcript.push(`aws.describe-organization ${key} ${region}`);
        return reply(
          Object.hasOwn(s.described_organizations, key)
            ? s.described_organizations[key]
            : failure('AccessDenied', 'AccessDeniedException', 'AccessDeniedException: not allowed'),
          'Organization',
        );
      case 'list-mfa-devices': {
        this.transcript.push(`aws.list-mfa-devices ${key} ${region} ${request.val ?? '-'}`);
        let user = request.val;
        if (user === undefined) {
          // Without a user name AWS lists the caller's own devices.
          const caller = identity();
          if ('Err' in caller) return caller;
          user = caller.Ok.arn.split('/').at(-1);
        }
        return { Ok: { MfaDevices: Object.hasOwn(s.mfa_devices, user) ? [...s.mfa_devices[user]] : [] } };
      }
      case 'list-access-keys':
        // The table's worlds hold no IAM keys.
        this.transcript.push(`aws.list-access-keys ${key} ${region} ${request.val ?? '-'}`);
        return { Ok: { AccessKeys: [] } };
      default:
        throw new Error(`unknown request ${JSON.stringify(request)}`);
    }
  }

  /** The four imported interfaces, keyed as jco's sync instantiation wants them. */
  imports() {
    const s = this.scenario;
    const t = this.transcript;
    return {
      'leverage:credentials/aws': {
        callAll: (calls) => {
          t.push(`aws.call-all ${calls.length} call(s)`);
          return calls.map((call) => wit.Answer.fromRust(this.answer(call)));
        },
        wait: (milliseconds) => {
          t.push(`aws.wait ${milliseconds}`);
        },
      },
      'leverage:credentials/files': this.files
        ? {
            read: (path) => {
              t.push(`files.read ${path}`);
              return this.files.read(path);
            },
            readStdin: () => {
              t.push('files.read-stdin');
              return this.files.readStdin();
            },
          }
        : {
            read: (path) => {
              t.push(`files.read ${path}`);
              if (s.directories.includes(path)) throw new ImportError({ tag: 'is-directory' });
              return Object.hasOwn(s.files, path) ? s.files[path] : undefined;
            },
            readStdin: () => {
              t.push('files.read-stdin');
              return s.stdin ?? '';
            },
          },
      'leverage:credentials/prompt': {
        text: ({ text: question }, defaultValue) => {
          t.push(`prompt.text ${question} [${defaultValue ?? ''}]`);
          const answer = this.nextAnswer(question);
          if (answerCase(answer) !== 'Text') throw this.mismatch('text', rustDebugAnswer(answer));
          return answer.Text === '' ? (defaultValue ?? '') : answer.Text;
        },
        secret: ({ text: question }) => {
          t.push(`prompt.secret ${question}`);
          const answer = this.nextAnswer(question);
          if (answerCase(answer) !== 'Secret') {
            // scripted.rs reports the case's discriminant, not the answer (it may be a secret).
            const discriminant = `Discriminant(${ANSWER_CASES.indexOf(answerCase(answer))})`;
            throw this.mismatch('secret', `Text(${rustDebugString(discriminant)})`);
          }
          return answer.Secret;
        },
        select: ({ text: question }, choices, defaultIndex) => {
          t.push(`prompt.select ${question} [${choices.map(rustDebugString).join(', ')}] default=${defaultIndex}`);
          const answer = this.nextAnswer(question);
          if (answerCase(answer) !== 'Select') throw this.mismatch('select', rustDebugAnswer(answer));
          return answer.Select;
        },
      },
      'leverage:credentials/log': {
        line: (level, message) => {
          // scripted.rs writes `format!("log.{level:?} {message}").to_lowercase()`, and
          // wit-bindgen's Debug of an enum case is `Level::Debug`.
          t.push(`log.Level::${wit.Level.toRust(level)} ${message}`.toLowerCase());
        },
      },
    };
  }
}

/**
 * The `files` interface over the real disk, read-only: `read` gives the text,
 * or undefined when nothing is at `path`; symbolic links are followed.
 */
export function nodeFiles({ stdin = () => readFileSync(0) } = {}) {
  const text = (bytes) => {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new ImportError({ tag: 'not-text' });
    }
  };
  const failure = (e) => {
    switch (e.code) {
      case 'EISDIR':
        return new ImportError({ tag: 'is-directory' });
      case 'EACCES':
      case 'EPERM':
        return new ImportError({ tag: 'permission-denied' });
      default:
        return new ImportError({ tag: 'other', val: e.message });
    }
  };
  return {
    read(path) {
      let bytes;
      try {
        bytes = readFileSync(path);
      } catch (e) {
        if (e.code === 'ENOENT') return undefined; // as host/src/files.rs: only "not found" is none
        throw failure(e);
      }
      return text(bytes);
    },
    readStdin() {
      let bytes;
      try {
        bytes = stdin();
      } catch (e) {
        throw failure(e);
      }
      return text(bytes);
    },
  };
}

/** WASI for the parts of the standard library the guest links (stdio, clocks, a hash seed). */
const camel = (kebab) => kebab.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
function wasiInterface(name) {
  const [, pkg, iface] = /^wasi:([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(name) ?? [];
  const found = pkg && wasi[pkg]?.[camel(iface)];
  if (!found) throw new Error(`the component imports ${name}, which this host does not provide`);
  return found;
}

/**
 * Loads the component transpiled into `dir` by
 * `jco transpile leverage_core.wasm -o dir --instantiation sync`.
 * Returns `instantiate(ourImports)`: a fresh instance per call (a trap
 * poisons an instance), whose `configure(request)` returns the plan or throws
 * a `ComponentError` whose `.payload` is the `configure-error`.
 */
export async function loadCore(dir) {
  const { instantiate } = await import(pathToFileURL(join(dir, 'leverage_core.js')).href);
  const modules = new Map();
  const getCoreModule = (file) => {
    if (!modules.has(file)) modules.set(file, new WebAssembly.Module(readFileSync(join(dir, file))));
    return modules.get(file);
  };
  return (ours) => {
    const imports = new Proxy(ours, {
      get: (target, name) => (typeof name === 'string' && Object.hasOwn(target, name) ? target[name] : wasiInterface(String(name))),
    });
    return instantiate(getCoreModule, imports);
  };
}

/**
 * Runs `configure` with a request in the Rust serde shape and returns the
 * outcome in the Rust serde shape (`{Ok: plan}` / `{Err: error}`), so that it
 * can be compared with what the native core returned.
 */
export function configureRustShaped(instance, rustRequest) {
  const request = wit.ConfigureRequest.fromRust(rustRequest);
  let plan;
  try {
    plan = instance.configure(request);
  } catch (e) {
    if (e && Object.hasOwn(e, 'payload')) return { Err: wit.ConfigureError.toRust(e.payload) };
    throw e; // a trap or a bug in this host: not an outcome of the core
  }
  return { Ok: wit.Plan.toRust(plan) };
}
