// The WIT types of `leverage:credentials@0.4.0`, mirrored as converters
// between the two JSON shapes the tests compare:
//
// - jco's shape (what the transpiled component takes and returns): records are
//   objects with camelCase keys, `option` is the value or `undefined`, enums are
//   their kebab-case case names, variants are `{ tag, val }`;
// - the Rust serde shape (what `leverage_core`'s types serialize to): snake_case
//   keys, `option` is the value or `null`, enums and variant cases are
//   PascalCase, a variant with a payload is `{ Case: payload }`, one without is
//   `"Case"`, and `result` is `{ Ok: v }` / `{ Err: e }`.
//
// Every converter is strict: an unknown key, a missing key or a value of the
// wrong type throws, so a WIT change that this mirror does not follow fails
// the tests instead of being compared loosely.

const camel = (kebab) => kebab.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const snake = (kebab) => kebab.replaceAll('-', '_');
const pascal = (kebab) => kebab.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

function fail(what, value) {
  throw new TypeError(`expected ${what}, got ${JSON.stringify(value)}`);
}

const primitive = (name, check) => ({
  toRust: (v) => (check(v) ? v : fail(name, v)),
  fromRust: (v) => (check(v) ? v : fail(name, v)),
});

export const str = primitive('a string', (v) => typeof v === 'string');
export const bool = primitive('a bool', (v) => typeof v === 'boolean');
export const u32 = primitive('a u32', (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff);

export const option = (t) => ({
  toRust: (v) => (v === undefined || v === null ? null : t.toRust(v)),
  fromRust: (v) => (v === null || v === undefined ? undefined : t.fromRust(v)),
});

export const list = (t) => ({
  toRust: (v) => (Array.isArray(v) ? v.map(t.toRust) : fail('a list', v)),
  fromRust: (v) => (Array.isArray(v) ? v.map(t.fromRust) : fail('a list', v)),
});

function convertRecord(fields, value, keyOf, convert) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('a record', value);
  const known = new Set(Object.keys(fields).map(keyOf));
  for (const key of Object.keys(value)) {
    if (!known.has(key)) fail(`one of the fields ${[...known].join(', ')}`, key);
  }
  const out = {};
  for (const [name, t] of Object.entries(fields)) {
    const key = keyOf(name);
    try {
      out[name] = convert(t, value[key]);
    } catch (e) {
      throw new TypeError(`field ${key}: ${e.message}`);
    }
  }
  return out;
}

export const record = (fields) => ({
  toRust: (v) => {
    const byName = convertRecord(fields, v, camel, (t, x) => t.toRust(x));
    return Object.fromEntries(Object.entries(byName).map(([name, x]) => [snake(name), x]));
  },
  fromRust: (v) => {
    const byName = convertRecord(fields, v, snake, (t, x) => t.fromRust(x));
    return Object.fromEntries(Object.entries(byName).map(([name, x]) => [camel(name), x]));
  },
});

export const enumeration = (cases) => ({
  toRust: (v) => (cases.includes(v) ? pascal(v) : fail(`one of ${cases.join(', ')}`, v)),
  fromRust: (v) => cases.find((c) => pascal(c) === v) ?? fail(`one of ${cases.map(pascal).join(', ')}`, v),
});

/** `cases` maps each case name to its payload type, or to null when it has none. */
export const variant = (cases) => ({
  toRust: (v) => {
    if (v === null || typeof v !== 'object' || !(v.tag in cases)) fail(`a variant case of ${Object.keys(cases).join(', ')}`, v);
    const payload = cases[v.tag];
    return payload === null ? pascal(v.tag) : { [pascal(v.tag)]: payload.toRust(v.val) };
  },
  fromRust: (v) => {
    const rustCase = typeof v === 'string' ? v : v !== null && typeof v === 'object' && Object.keys(v).length === 1 ? Object.keys(v)[0] : undefined;
    const tag = Object.keys(cases).find((c) => pascal(c) === rustCase);
    if (tag === undefined) fail(`a variant case of ${Object.keys(cases).map(pascal).join(', ')}`, v);
    const payload = cases[tag];
    if (payload === null) return typeof v === 'string' ? { tag } : fail(`the bare case "${rustCase}"`, v);
    return typeof v === 'string' ? fail(`"${rustCase}" with a payload`, v) : { tag, val: payload.fromRust(v[rustCase]) };
  },
});

/** Only the Rust side has a shape for `result` as a value (jco returns or throws). */
export const result = (ok, err) => ({
  fromRust: (v) => {
    if (v !== null && typeof v === 'object' && 'Ok' in v) return { tag: 'ok', val: ok.fromRust(v.Ok) };
    if (v !== null && typeof v === 'object' && 'Err' in v) return { tag: 'err', val: err.fromRust(v.Err) };
    return fail('{"Ok": ...} or {"Err": ...}', v);
  },
  toRust: (v) => (v.tag === 'ok' ? { Ok: ok.toRust(v.val) } : v.tag === 'err' ? { Err: err.toRust(v.val) } : fail('a result', v)),
});

// ---- wit/types.wit ----

export const CredentialsType = enumeration(['bootstrap', 'management', 'security']);

export const AwsCredentials = record({
  'access-key-id': str,
  'secret-access-key': str,
  'session-token': option(str),
});

export const ConfigureRequest = record({
  'credentials-type': CredentialsType,
  'credentials-file': option(str),
  'fetch-mfa-device': bool,
  'overwrite-existing-credentials': bool,
  'skip-access-keys-setup': bool,
  'skip-assumable-roles-setup': bool,
  'non-interactive': bool,
  'role-name': option(str),
  'all-accounts': bool,
  'mfa-serial': option(str),
  prune: bool,
  'skip-account-check': bool,
  'environment-keys': option(AwsCredentials),
  'project-root': str,
  'current-dir': str,
  'aws-root': str,
  'home-dir': option(str),
});

export const FileKind = enumeration(['aws-credentials', 'aws-config', 'terraform-vars', 'project-yaml', 'build-env']);

export const FileChange = record({
  path: str,
  kind: FileKind,
  before: option(str),
  after: str,
  'holds-secrets': bool,
  'masked-before': option(str),
  'masked-after': str,
});

export const AccountProfile = record({
  name: str,
  account: str,
  'account-id': str,
  'role-arn': str,
  'mfa-serial': option(str),
});

export const AccountId = record({ name: str, id: str });

export const StaleProfile = record({ name: str, 'account-id': str });

export const Report = record({
  profile: str,
  'keys-written': bool,
  'caller-account': option(str),
  profiles: list(AccountProfile),
  'accounts-learned': list(AccountId),
  'terraform-attributes': list(str),
  warnings: list(str),
  'stale-profiles': list(StaleProfile),
  'pruned-profiles': list(StaleProfile),
});

export const Plan = record({ changes: list(FileChange), report: Report });

export const InputError = record({ file: option(str), line: option(u32), message: str });

export const AwsErrorKind = enumeration(['invalid-credentials', 'access-denied', 'organization-not-in-use', 'throttled', 'network', 'other']);

export const AwsError = record({ kind: AwsErrorKind, code: option(str), message: str });

export const AwsFailure = record({ operation: str, error: AwsError, message: str });

export const ConfigureError = variant({
  usage: str,
  'invalid-input': InputError,
  'answer-needed': str,
  aws: AwsFailure,
  cancelled: null,
  host: str,
});

// ---- wit/aws.wit, files.wit, prompt.wit, log.wit ----

export const CallerIdentity = record({ account: str, arn: str, 'user-id': str });
export const OrganizationAccount = record({ id: str, name: str, email: str });
export const Organization = record({ id: str, 'management-account-id': str });
export const AccessKeyStatus = enumeration(['active', 'inactive']);
export const AccessKey = record({
  'access-key-id': str,
  status: AccessKeyStatus,
  created: option(str),
  'age-days': option(u32),
  'last-used': option(str),
});
export const AccessKeyRef = record({ 'user-name': option(str), 'access-key-id': str });
export const AccessKeyChange = record({ key: AccessKeyRef, status: AccessKeyStatus });
export const Request = variant({
  'get-caller-identity': null,
  'list-accounts': null,
  'describe-organization': null,
  'list-mfa-devices': option(str),
  'list-access-keys': option(str),
  'access-key-last-used': str,
  'create-access-key': option(str),
  'update-access-key': AccessKeyChange,
  'delete-access-key': AccessKeyRef,
});
export const Call = record({ credentials: AwsCredentials, region: str, request: Request });
export const Reply = variant({
  'caller-identity': CallerIdentity,
  accounts: list(OrganizationAccount),
  organization: Organization,
  'mfa-devices': list(str),
  'access-keys': list(AccessKey),
  'last-used': option(str),
  'created-key': AwsCredentials,
  done: null,
});
/** One answer of `call-all`, in jco's shape for a `result` inside a list: `{ tag: 'ok' | 'err', val }`. */
export const Answer = result(Reply, AwsError);
export const FilesError = variant({ 'is-directory': null, 'permission-denied': null, 'not-text': null, other: str });
export const PromptError = variant({ cancelled: null, unavailable: str });
export const Question = record({ text: str, 'answered-by': str });
export const Level = enumeration(['debug', 'info', 'warn']);

/** The outcome of `configure` in the Rust serde shape: `{Ok: plan}` or `{Err: error}`. */
export const ConfigureResult = result(Plan, ConfigureError);

/** JSON with every object's keys sorted: equal values give equal text. */
export function canonicalJson(value) {
  const sort = (v) =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]))
        : v;
  return JSON.stringify(sort(value), null, 1);
}

/**
 * The scenarios of tests/fixtures/scenarios/table.json, each request laid
 * over `request_defaults` (Rust serde shape, as the file holds them).
 */
export function scenarioTable(file) {
  return file.scenarios.map(({ name, request, world }) => ({ name, request: { ...file.request_defaults, ...request }, world }));
}

/** `value` with every object's keys sorted, at every depth. */
function sortedKeys(value) {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys(value[k])]));
  }
  return value;
}

/**
 * The recorded form of tests/fixtures/scenarios/*.json, as the native core
 * writes it (leverage_core::scenarios::recorded): an array of
 * `{ name, [key]: value }`, keys sorted, two-space indentation, final newline.
 */
export function recorded(key, entries) {
  return JSON.stringify(sortedKeys(entries.map(({ name, value }) => ({ name, [key]: value }))), null, 2) + '\n';
}
