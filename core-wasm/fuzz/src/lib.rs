//! The properties the fuzz targets check, as plain functions.
//!
//! Each function takes the fuzzer's bytes, runs one parser or editor of the
//! core on them, and panics when a property fails:
//!
//! - no parser or editor panics, on any input (the fuzzer's own check);
//! - every error names a line inside the file (or none);
//! - a parse followed by a render gives back the same text (INI);
//! - an edit followed by a parse yields the value that was set, and a second
//!   identical edit changes nothing;
//! - the text outside the edit is unchanged: the lines an edit removes or
//!   adds are bounded by the number of values it sets, and what the other
//!   sections, attributes and accounts read as is the same.
//!
//! The editors take their arguments (which section, key, value, account,
//! id) from the first bytes of the input ([`Params`]); the rest is the
//! file's text, decoded lossily, since the host hands the core UTF-8 only.
//!
//! These functions are used twice: by the `cargo fuzz` targets in
//! `fuzz_targets/` (nightly, libFuzzer), and on stable by the core's test
//! `core-wasm/tests/fuzz_properties.rs`, which includes this file and runs
//! every property over the seed corpus in `tests/fixtures`, so that CI
//! compiles and exercises the property code.
//!
//! `LEVERAGE_FUZZ_STRICT=1` makes the editors' self-checks fail loudly:
//! an edit the editor refuses because its own verification of the result
//! failed ("refusing to write", "internal error") is reported as a finding
//! instead of being accepted as a safe refusal. The product treats those as
//! errors that write nothing, which is safe; strict mode finds where the
//! editors are weaker than they should be.

use std::borrow::Cow;

use leverage_core::ini::IniDocument;
use leverage_core::model::{DeclaredAccount, InputError};
use leverage_core::{access_keys, dotenv, project_yaml, tfvars, validate};

/// The editors' arguments, taken from the first bytes of the input.
pub struct Params<'a> {
    head: &'a [u8],
}

/// How many leading bytes are arguments rather than file text.
pub const PARAM_BYTES: usize = 4;

impl<'a> Params<'a> {
    /// Splits `data` into arguments and the file's text.
    pub fn split(data: &'a [u8]) -> (Params<'a>, Cow<'a, str>) {
        let cut = data.len().min(PARAM_BYTES);
        let (head, rest) = data.split_at(cut);
        (Params { head }, String::from_utf8_lossy(rest))
    }

    fn byte(&self, index: usize) -> u8 {
        self.head.get(index).copied().unwrap_or(0)
    }

    fn pick<'t, T: ?Sized>(&self, index: usize, table: &'t [&'t T]) -> &'t T {
        table[usize::from(self.byte(index)) % table.len()]
    }
}

fn strict() -> bool {
    static STRICT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *STRICT.get_or_init(|| std::env::var_os("LEVERAGE_FUZZ_STRICT").is_some_and(|v| v == "1"))
}

/// Number of lines as the parsers count them (a final line without a line
/// break counts; `\r\n`, `\r` and `\n` all end a line).
fn line_count(text: &str) -> usize {
    let normalized = normalize_eol(text);
    normalized.split('\n').count()
}

fn normalize_eol(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn check_error_line(what: &str, text: &str, error: &InputError) {
    if let Some(line) = error.line {
        let lines = line_count(text);
        assert!(
            line >= 1 && (line as usize) <= lines + 1,
            "{what}: error on line {line} of a {lines}-line text: {error}"
        );
    }
    assert!(!error.message.is_empty(), "{what}: an error without a message");
}

/// Runs of secret-alphabet characters long enough to be a secret or a
/// password fragment: no error message may repeat one.
fn secret_like_runs(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '+'))
        .filter(|run| run.len() >= 24)
        .collect()
}

// ---------------------------------------------------------------------------
// Access keys CSV

/// `access_keys::parse_csv`: keys that come back are valid and were in the
/// text; errors never repeat a long secret-like run of the text.
pub fn csv(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match access_keys::parse_csv(&text) {
        Ok(keys) => {
            assert!(
                validate::is_access_key_id(&keys.access_key_id),
                "an invalid key id was accepted"
            );
            assert!(
                validate::is_secret_access_key(keys.secret_access_key.expose()),
                "an invalid secret was accepted"
            );
            assert!(text.contains(&keys.access_key_id) && text.contains(keys.secret_access_key.expose()));
        }
        Err(error) => {
            check_error_line("csv", &text, &error);
            for run in secret_like_runs(&text) {
                assert!(
                    !error.message.contains(run),
                    "a CSV error repeats a value of the file: {}",
                    error.message
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// dotenv

/// A pair written back as `KEY="value"` with the escapes the parser knows.
fn dotenv_line(key: &str, value: &str) -> String {
    let mut out = format!("{key}=\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `dotenv::parse`: keys are valid names; the pairs, written back quoted
/// and escaped, parse to the same pairs; errors never repeat a value.
pub fn dotenv(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match dotenv::parse(&text) {
        Ok(pairs) => {
            for (key, _) in &pairs {
                let mut chars = key.chars();
                let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
                assert!(
                    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
                    "bad key {key:?}"
                );
            }
            let rewritten: Vec<String> = pairs.iter().map(|(k, v)| dotenv_line(k, v)).collect();
            let again = dotenv::parse(&rewritten.join("\n"));
            assert_eq!(again.as_ref().ok(), Some(&pairs), "quoted pairs do not read back");
        }
        Err(error) => {
            check_error_line("dotenv", &text, &error);
            // Values may be secrets; names are not (and may be long), so
            // only runs holding `/` or `+`, which no name has, are checked.
            let values = text.lines().filter_map(|l| l.split_once('=').map(|(_, v)| v));
            for run in values.flat_map(secret_like_runs).filter(|r| r.contains(['/', '+'])) {
                assert!(
                    !error.message.contains(run),
                    "a dotenv error repeats a value: {}",
                    error.message
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// project.yaml

/// `project_yaml::read`: no panic; errors name a line of the file.
pub fn project_yaml_read(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(error) = project_yaml::read(&text) {
        check_error_line("project.yaml", &text, &error);
    }
}

const IDS: &[&str] = &[
    "012345678901",
    "111111111111",
    "999999999999",
    "0",
    "000000000000000000000001",
    "42",
];

/// `project_yaml::set_account_ids`: the ids set read back, nothing else read
/// differently, a second identical edit changes nothing, and at most one
/// line changes and one line is added per account.
pub fn project_yaml_set(data: &[u8]) {
    let (params, text) = Params::split(data);
    let Ok(before) = project_yaml::read(&text) else { return };
    let Some(accounts) = before.accounts.clone() else {
        // No list: nothing to edit, and the text must come back as it was.
        let update = project_yaml::set_account_ids(&text, &[("management".into(), "111111111111".into())]);
        assert_eq!(update.map(|u| u.text).as_deref().ok(), Some(text.as_ref()));
        return;
    };
    // Which accounts get an id (a bit each), plus one name that is not there.
    let mask = params.byte(0);
    let mut ids: Vec<(String, String)> = Vec::new();
    for (i, account) in accounts.iter().enumerate().take(8) {
        if mask & (1 << i) != 0 {
            ids.push((account.name.clone(), params.pick(1 + i % 2, IDS).to_string()));
        }
    }
    ids.push(("no-such-account".into(), "123456789012".into()));

    let update = match project_yaml::set_account_ids(&text, &ids) {
        Ok(update) => update,
        Err(error) => {
            assert!(
                !(strict() && error.message.contains("refusing")),
                "the YAML editor refused its own result: {error}"
            );
            check_error_line("project.yaml edit", &text, &error);
            return;
        }
    };
    let after = match project_yaml::read(&update.text) {
        Ok(after) => after,
        Err(e) => panic!("the edited project.yaml does not read: {e}\n{}", update.text),
    };
    let wanted = |name: &str| ids.iter().rev().find(|(n, _)| n == name).map(|(_, id)| id.as_str());
    let expected: Vec<DeclaredAccount> = accounts
        .iter()
        .map(|a| DeclaredAccount {
            id: wanted(&a.name).map(str::to_string).or(a.id.clone()),
            ..a.clone()
        })
        .collect();
    assert_eq!(after.accounts.as_ref(), Some(&expected), "the ids set do not read back");
    assert_eq!(
        project_yaml::ProjectYaml {
            accounts: None,
            ..after.clone()
        },
        project_yaml::ProjectYaml {
            accounts: None,
            ..before.clone()
        },
        "an edit of the ids changed another value"
    );
    let again = project_yaml::set_account_ids(&update.text, &ids).ok();
    assert_eq!(
        again.map(|u| u.text).as_deref(),
        Some(update.text.as_str()),
        "a second edit changed the text"
    );

    let entries = accounts.iter().filter(|a| wanted(&a.name).is_some()).count();
    let (removed, added) = line_diff(&text, &update.text);
    assert!(
        removed <= entries && added <= entries,
        "setting {entries} id(s) removed {removed} and added {added} lines:\n--- before\n{text}\n--- after\n{}",
        update.text
    );
}

// ---------------------------------------------------------------------------
// common.tfvars

/// `tfvars::read`: no panic; errors name a line of the file.
pub fn tfvars_read(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(error) = tfvars::read(&text) {
        check_error_line("common.tfvars", &text, &error);
    }
}

const EMAILS: &[&str] = &[
    "aws+x@example.com",
    "",
    "a\"b@example.com",
    "${x}@example.com",
    "ops@example.com",
];
const NEW_NAMES: &[&str] = &["shared", "Log Archive", "network", "apps-devstg", "true", "a\"b"];

fn is_hcl_ident(name: &str) -> bool {
    hcl_edit::Ident::try_new(name).is_ok()
}

/// `tfvars::write_back`: every account written reads back with its id and
/// email, `<name>_account_id` holds the id (in a file that has that style;
/// in another, no such attribute appears), other attributes read the same,
/// a second write-back changes nothing, and the lines removed are bounded by
/// the number of values set.
pub fn tfvars_write_back(data: &[u8]) {
    let (params, text) = Params::split(data);
    let Ok(before) = tfvars::read(&text) else { return };
    // Accounts to write: those the file declares (some with a new id or
    // email), then one new name.
    let mut accounts: Vec<DeclaredAccount> = before.accounts.clone();
    for (name, id) in &before.account_id_attributes {
        if !accounts.iter().any(|a| &a.name == name) {
            accounts.push(DeclaredAccount {
                name: name.clone(),
                email: None,
                id: Some(id.clone()),
            });
        }
    }
    let mask = params.byte(0);
    for (i, account) in accounts.iter_mut().enumerate().take(8) {
        if mask & (1 << i) != 0 {
            account.id = Some(params.pick(1, IDS).to_string());
            let email = params.pick(2, EMAILS);
            if !email.is_empty() {
                account.email = Some(email.to_string());
            }
        }
    }
    accounts.push(DeclaredAccount {
        name: params.pick(3, NEW_NAMES).to_string(),
        email: Some(params.pick(2, EMAILS).to_string()).filter(|e| !e.is_empty()),
        id: Some(params.pick(1, IDS).to_string()),
    });

    let written = match tfvars::write_back(&text, &accounts) {
        Ok(written) => written,
        Err(error) => {
            assert!(
                !(strict() && error.message.contains("internal error")),
                "the HCL editor failed its own check: {error}"
            );
            check_error_line("common.tfvars edit", &text, &error);
            return;
        }
    };
    let after = match tfvars::read(&written.text) {
        Ok(after) => after,
        Err(e) => panic!("the edited common.tfvars does not read: {e}\n{}", written.text),
    };
    // The first account of a name wins, as in the editor.
    let mut seen: Vec<&str> = Vec::new();
    for account in &accounts {
        if account.name.is_empty() || seen.contains(&account.name.as_str()) {
            continue;
        }
        seen.push(&account.name);
        let id = account.id.as_deref().filter(|i| !i.is_empty());
        let email = account.email.as_deref().filter(|e| !e.is_empty());
        if id.is_none() && email.is_none() {
            continue;
        }
        let entry = after.accounts.iter().find(|a| a.name == account.name);
        let entry = entry.unwrap_or_else(|| {
            panic!(
                "`{}` is not in accounts after the write-back:\n{}",
                account.name, written.text
            )
        });
        if let Some(id) = id {
            // A number already equal is left as written.
            assert!(
                entry.id.as_deref() == Some(id),
                "accounts.{}.id reads {:?}, not {id}:\n{}",
                account.name,
                entry.id,
                written.text
            );
            // `<name>_account_id` only in a file that already has one.
            let attribute = after
                .account_id_attributes
                .iter()
                .rev()
                .find(|(n, _)| n == &account.name);
            if before.account_id_attributes.is_empty() {
                assert_eq!(
                    attribute, None,
                    "{}_account_id added to a file without that style:\n{}",
                    account.name, written.text
                );
            } else if is_hcl_ident(&account.name) {
                assert_eq!(
                    attribute.map(|(_, v)| v.as_str()),
                    Some(id),
                    "{}_account_id:\n{}",
                    account.name,
                    written.text
                );
            }
        }
        if let Some(email) = email {
            assert_eq!(
                entry.email.as_deref(),
                Some(email),
                "accounts.{}.email:\n{}",
                account.name,
                written.text
            );
        }
    }
    let plain = |c: &tfvars::TfvarsConfig| {
        (
            c.project.clone(),
            c.project_long.clone(),
            c.region.clone(),
            c.region_primary.clone(),
            c.region_secondary.clone(),
        )
    };
    assert_eq!(
        plain(&after),
        plain(&before),
        "the write-back changed another attribute"
    );
    // Accounts the write-back was not asked about keep what they had.
    for old in &before.accounts {
        if !seen.contains(&old.name.as_str()) {
            assert_eq!(
                after.accounts.iter().find(|a| a.name == old.name),
                Some(old),
                "an untouched account changed"
            );
        }
    }
    let again = tfvars::write_back(&written.text, &accounts);
    assert_eq!(
        again.map(|w| w.text).ok().as_deref(),
        Some(written.text.as_str()),
        "a second write-back changed the text"
    );

    // Each value set replaces at most one line; the rest are insertions.
    let values = seen.len() * 3;
    let (removed, _) = line_diff(&text, &written.text);
    assert!(
        removed <= values,
        "the write-back of {} account(s) removed {removed} lines:\n--- before\n{text}\n--- after\n{}",
        seen.len(),
        written.text
    );
}

// ---------------------------------------------------------------------------
// AWS credentials and config files

/// `IniDocument::parse`: what parses renders back byte for byte, and every
/// key a section lists can be read.
pub fn ini_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match IniDocument::parse(&text) {
        Ok(doc) => {
            assert_eq!(doc.render(), text.as_ref(), "parse then render is not the identity");
            for section in doc.section_names() {
                for key in doc.keys(section) {
                    assert!(
                        doc.get(section, key).is_some(),
                        "[{section}] lists `{key}` but get() has no value"
                    );
                }
            }
        }
        Err(error) => check_error_line("ini", &text, &error),
    }
}

const NEW_SECTIONS: &[&str] = &[
    "default",
    "bb-management",
    "profile bb-shared-oaar",
    "profile a b",
    "DEFAULT",
    "sso-session x",
];
const KEYS: &[&str] = &[
    "aws_access_key_id",
    "region",
    "output",
    "role_arn",
    "source_profile",
    "mfa_serial",
    "Region",
    "s3",
    "k",
];
const VALUES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "us-east-1",
    "json",
    "arn:aws:iam::123456789012:role/x",
    "a b",
    "v=1",
    "#x",
    "x ; y",
    "",
    "é",
];

/// `IniDocument::set`: the value set is read back (also after rendering and
/// parsing again), every other key of every section reads the same, setting
/// it again changes nothing, a refused edit leaves the document as it was,
/// and the text changes in one window of at most one old and two new lines.
pub fn ini_set(data: &[u8]) {
    let (params, text) = Params::split(data);
    let Ok(mut doc) = IniDocument::parse(&text) else { return };
    let before = doc.clone();
    let existing: Vec<String> = doc.section_names().map(str::to_string).collect();
    let section: String = if params.byte(0) < 160 && !existing.is_empty() {
        existing[usize::from(params.byte(0)) % existing.len()].clone()
    } else {
        params.pick(0, NEW_SECTIONS).to_string()
    };
    let key = params.pick(1, KEYS);
    let value = params.pick(2, VALUES);

    let changed = match doc.set(&section, key, value) {
        Ok(changed) => changed,
        Err(error) => {
            assert_eq!(doc.render(), text.as_ref(), "a refused edit changed the document");
            check_error_line("ini edit", &text, &error);
            return;
        }
    };
    assert_eq!(
        doc.get(&section, key),
        Some(value),
        "[{section}] {key} does not read back"
    );
    let out = doc.render();
    assert_eq!(
        changed,
        out != text.as_ref(),
        "set() returned {changed} for the text changing"
    );
    let reread = match IniDocument::parse(&out) {
        Ok(reread) => reread,
        Err(e) => panic!("the edited file does not parse: {e}\n--- before\n{text}\n--- after\n{out}"),
    };
    assert_eq!(
        reread.get(&section, key),
        Some(value),
        "[{section}] {key} does not read back after parsing again:\n{out}"
    );

    // Every other value reads as before. A value in [DEFAULT] shows through
    // every section that lacks the key, so that key is skipped then.
    let lower = key.to_lowercase();
    let quoted = section.split_once(' ').map(|(a, b)| format!("{a} \"{b}\""));
    for name in before.section_names() {
        let same_section = name == section || Some(name) == quoted.as_deref();
        for k in before.keys(name) {
            if (same_section || section == "DEFAULT") && k == lower {
                continue;
            }
            assert_eq!(
                reread.get(name, k),
                before.get(name, k),
                "[{name}] {k} changed when setting [{section}] {key}:\n{out}"
            );
        }
    }

    // Setting it again changes nothing, except that the AWS CLI's writer
    // turns `\r\n` and `\r` into `\n` when it edits an existing section.
    let mut again = reread.clone();
    match again.set(&section, key, value) {
        Ok(false) => {}
        Ok(true) => assert!(
            out.contains('\r') && again.render() == normalize_eol(&out),
            "setting the same value twice changed the text:\n--- once\n{out}\n--- twice\n{}",
            again.render()
        ),
        Err(e) => panic!("setting the same value twice failed: {e}\n{out}"),
    }

    // Outside one window the lines are the same (line ends aside: editing
    // a CRLF file rewrites them all as the AWS CLI does).
    let old = normalize_eol(&text);
    let new = normalize_eol(&out);
    let (old_lines, new_lines) = (lines(&old), lines(&new));
    let prefix = old_lines.iter().zip(&new_lines).take_while(|(a, b)| a == b).count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_window = old_lines.len() - prefix - suffix;
    let new_window = new_lines.len() - prefix - suffix;
    assert!(
        old_window <= 1 && new_window <= 2,
        "setting one key changed {old_window} line(s) into {new_window}:\n--- before\n{text}\n--- after\n{out}"
    );
}

// ---------------------------------------------------------------------------
// The whole flow

/// What separates the files in a `flow` input.
pub const FILE_SEPARATOR: &str = "\n=====8<=====\n";

/// `configure` on a project whose files come from the input (project.yaml,
/// config/common.tfvars, build.env, the credentials file and the config
/// file, in that order, separated by [`FILE_SEPARATOR`]), with an AWS that
/// accepts the keys and lists an organization: no panic; a plan's every file
/// parses again with its own parser and no masked text shows the secret; an
/// error names a line inside its file and carries no control character.
pub fn flow(data: &[u8]) {
    flow_outcome(data);
}

/// What [`flow`] ended with: `"plan"`, `"input error"` or `"other error"`.
pub fn flow_outcome(data: &[u8]) -> &'static str {
    use leverage_core::scenarios;
    use leverage_core::scripted::{Scenario, ScriptedHost};
    use leverage_core::{AwsCredentials, ConfigureError, CredentialsType, FileKind};

    let (params, text) = Params::split(data);
    let mut parts = text.split(FILE_SEPARATOR);
    let root = scenarios::ROOT;
    let aws = format!("{}/bb", scenarios::AWS_ROOT);
    let paths = [
        format!("{root}/project.yaml"),
        format!("{root}/config/common.tfvars"),
        format!("{root}/build.env"),
        format!("{aws}/credentials"),
        format!("{aws}/config"),
    ];
    let mut world: Scenario = scenarios::base_world();
    world.files.remove(&paths[0]);
    for path in &paths {
        match parts.next() {
            Some(content) if !content.is_empty() => {
                world.files.insert(path.clone(), content.to_string());
            }
            _ => {}
        }
    }
    // The organization's reader may be any of the configured keys.
    for id in ["AKIAI44QH8DHBEXAMPLE", "AKIAOLDOLDOLDOLDOLD1", "AKIABOOTBOOTBOOTBOOT"] {
        world.identities.insert(
            id.into(),
            Ok(leverage_core::CallerIdentity {
                account: scenarios::CALLER_ACCOUNT.into(),
                arn: format!("arn:aws:iam::{}:user/jane", scenarios::CALLER_ACCOUNT),
                user_id: "AIDAEXAMPLE".into(),
            }),
        );
        world.organizations.insert(id.into(), Ok(scenarios::organization()));
    }
    world.mfa_devices.insert(
        "jane".into(),
        vec![format!("arn:aws:iam::{}:mfa/jane", scenarios::CALLER_ACCOUNT)],
    );

    let flags = params.byte(0);
    let mut request = scenarios::request(match params.byte(1) % 3 {
        0 => CredentialsType::Management,
        1 => CredentialsType::Bootstrap,
        _ => CredentialsType::Security,
    });
    request.non_interactive = true;
    request.overwrite_existing_credentials = flags & 1 != 0;
    request.skip_access_keys_setup = flags & 2 != 0 && flags & 1 == 0;
    request.skip_assumable_roles_setup = flags & 4 != 0;
    request.all_accounts = flags & 8 != 0;
    request.fetch_mfa_device = flags & 16 != 0;
    if flags & 32 != 0 {
        request.credentials_file = None;
        request.environment_keys = Some(AwsCredentials {
            access_key_id: scenarios::KEY_ID.into(),
            secret_access_key: scenarios::SECRET.into(),
            session_token: None,
        });
    }

    let mut host = ScriptedHost::new(world);
    let outcome = match leverage_core::configure(&mut host, &request) {
        Ok(plan) => {
            for change in &plan.changes {
                let after = &change.after;
                let reparsed = match change.kind {
                    FileKind::AwsCredentials | FileKind::AwsConfig => IniDocument::parse(after).err(),
                    FileKind::TerraformVars => tfvars::read(after).err(),
                    FileKind::ProjectYaml => project_yaml::read(after).err(),
                    FileKind::BuildEnv => dotenv::parse(after).err(),
                };
                assert!(
                    reparsed.is_none(),
                    "the plan writes {} that does not parse: {reparsed:?}\n{after}",
                    change.path
                );
                for masked in change.masked_before.iter().chain([&change.masked_after]) {
                    assert!(!masked.contains(scenarios::SECRET), "a masked text shows the secret");
                }
            }
            "plan"
        }
        Err(ConfigureError::InvalidInput(e)) => {
            assert!(
                !e.message.contains(char::is_control),
                "an error holds a control character: {:?}",
                e.message
            );
            if let (Some(file), Some(line)) = (&e.file, e.line) {
                let text = host.scenario.files.get(file).map(String::as_str).unwrap_or("");
                let lines = line_count(text);
                assert!(
                    line >= 1 && line as usize <= lines + 1,
                    "{file}: error on line {line} of {lines}: {}",
                    e.message
                );
            }
            "input error"
        }
        Err(_) => "other error",
    };
    for line in &host.transcript {
        assert!(!line.contains(scenarios::SECRET), "the secret reached the transcript");
    }
    outcome
}

// ---------------------------------------------------------------------------
// Line diffs

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').map(|l| l.trim_end_matches('\n')).collect()
}

/// Lines of `old` missing from `new` and lines of `new` not in `old`, by a
/// longest common subsequence of lines (after the common prefix and suffix,
/// on at most a few hundred lines: the fuzzer's inputs are small).
pub fn line_diff(old: &str, new: &str) -> (usize, usize) {
    let (old, new) = (normalize_eol(old), normalize_eol(new));
    let (a, b) = (lines(&old), lines(&new));
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let a = &a[prefix..a.len() - suffix];
    let b = &b[prefix..b.len() - suffix];
    if a.len() * b.len() > 250_000 {
        return (0, 0);
    }
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let common = table[0][0];
    (a.len() - common, b.len() - common)
}

// ---------------------------------------------------------------------------
// Targets and seeds

/// A fuzz target's property: panics when it does not hold for the input.
pub type Property = fn(&[u8]);

/// Every target: its name (as in `fuzz_targets/`) and its property.
pub const TARGETS: &[(&str, Property)] = &[
    ("csv", csv),
    ("dotenv", dotenv),
    ("project_yaml_read", project_yaml_read),
    ("project_yaml_set", project_yaml_set),
    ("tfvars_read", tfvars_read),
    ("tfvars_write_back", tfvars_write_back),
    ("ini_parse", ini_parse),
    ("ini_set", ini_set),
    ("flow", flow),
];

/// The argument bytes put before a seed file for the editing targets: no
/// account or every account, existing or new sections, each key and value.
pub const SEED_PARAMS: &[[u8; PARAM_BYTES]] = &[
    [0xff, 0, 0, 0],
    [0x01, 1, 1, 1],
    [0x05, 2, 3, 4],
    [0xa0, 5, 6, 5],
    [0x00, 7, 7, 2],
    [0xf0, 8, 9, 3],
];

/// Which files seed a target: `(directory under the repository root, file
/// name suffix)`. The test fixtures, and for build.env (which has none) the
/// samples in `core-wasm/fuzz/seeds/dotenv`.
pub fn seed_sources(target: &str) -> &'static [(&'static str, &'static str)] {
    match target {
        "csv" => &[("tests/fixtures/csv", ".csv")],
        "dotenv" => &[("core-wasm/fuzz/seeds/dotenv", ".env")],
        "project_yaml_read" | "project_yaml_set" => &[("tests/fixtures/project-yaml", ".yaml")],
        "tfvars_read" | "tfvars_write_back" => &[("tests/fixtures/tfvars", ".tfvars")],
        "ini_parse" | "ini_set" => &[
            ("tests/fixtures/ini/cases", "input"),
            ("tests/fixtures/ini/cases", "expected"),
        ],
        "flow" => &[("core-wasm/fuzz/seeds/flow", ".txt")],
        _ => &[],
    }
}

/// Whether a target takes [`Params`] before the text.
pub fn takes_params(target: &str) -> bool {
    matches!(target, "project_yaml_set" | "tfvars_write_back" | "ini_set" | "flow")
}

/// The seed inputs of `target` built from the files under `repo` (the
/// repository's root): `(name, bytes)`.
pub fn seeds(repo: &std::path::Path, target: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for (dir, suffix) in seed_sources(target) {
        collect(&repo.join(dir), suffix, &mut files);
    }
    files.sort();
    let mut seeds = Vec::new();
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let name = path.strip_prefix(repo).unwrap_or(&path).display().to_string();
        if takes_params(target) {
            for (i, params) in SEED_PARAMS.iter().enumerate() {
                let mut input = params.to_vec();
                input.extend_from_slice(&bytes);
                seeds.push((format!("{name}#{i}"), input));
            }
        } else {
            seeds.push((name, bytes));
        }
    }
    seeds
}

fn collect(dir: &std::path::Path, suffix: &str, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, suffix, out);
        } else if path.file_name().is_some_and(|n| n.to_string_lossy().ends_with(suffix)) {
            out.push(path);
        }
    }
}
