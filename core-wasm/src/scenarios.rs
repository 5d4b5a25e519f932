//! The shared scenario table: the same requests and scripted worlds run
//! through the native core, the component in wasmtime, in Node and in
//! Python, whose plans must be equal. The table is one data file,
//! `tests/fixtures/scenarios/table.json` (its README says how it is read);
//! the plans the native core makes from it are recorded beside it in
//! `plans.json`, which every host compares its own plans with, byte for byte.
//! Native-only (it is test data).

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::host::*;
use crate::scripted::Scenario;

/// The table, relative to the workspace root.
pub const TABLE_PATH: &str = "tests/fixtures/scenarios/table.json";
/// The native core's outcome for every scenario, relative to the workspace root.
pub const PLANS_PATH: &str = "tests/fixtures/scenarios/plans.json";
/// The calls the native core makes in every scenario, relative to the workspace root.
pub const TRANSCRIPTS_PATH: &str = "tests/fixtures/scenarios/transcripts.json";

const TABLE_JSON: &str = include_str!("../../tests/fixtures/scenarios/table.json");

// The values the table's worlds are built from, for tests that make worlds
// of their own (a test checks that the table uses these very values).
pub const ROOT: &str = "/work/project";
pub const AWS_ROOT: &str = "/home/user/.aws";
pub const HOME_DIR: &str = "/home/user";
pub const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const OLD_KEY_ID: &str = "AKIAOLDOLDOLDOLDOLD1";
pub const OLD_SECRET: &str = "oldoldoldoldoldoldoldoldoldoldoldoldold1";
pub const BOOT_KEY_ID: &str = "AKIABOOTBOOTBOOTBOOT";
pub const BOOT_SECRET: &str = "bootbootbootbootbootbootbootbootbootboot";
pub const CALLER_ACCOUNT: &str = "111111111111";

pub const PROJECT_YAML: &str = "\
project_name: binbash
short_name: bb
primary_region: us-east-1
organization:
  accounts:
  - name: management
    email: aws+management@example.com
  - name: security
    email: aws+security@example.com
  - name: shared
    email: aws+shared@example.com
";

pub const TFVARS: &str = "\
# Project (short name)
project         = \"bb\"

# Accounts
accounts = {
  management = {
    email = \"aws+management@example.com\",
    id    = \"111111111111\"
  },
  security = {
    email = \"aws+security@example.com\"
  }
}
";

/// The name of the scenario whose world is [`base_world`].
pub const BASE: &str = "management-first-run";

/// The data file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    /// Every request field but `credentials_type`.
    request_defaults: Map<String, Value>,
    scenarios: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    /// One sentence for people reading the table.
    #[allow(dead_code)]
    about: String,
    /// Laid over `request_defaults`, field by field.
    request: Map<String, Value>,
    world: Scenario,
}

struct Parsed {
    defaults: Map<String, Value>,
    scenarios: Vec<(String, ConfigureRequest, Scenario)>,
}

fn merged(defaults: &Map<String, Value>, fields: &Map<String, Value>, name: &str) -> ConfigureRequest {
    let mut request = defaults.clone();
    request.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
    serde_json::from_value(Value::Object(request))
        .unwrap_or_else(|e| panic!("{TABLE_PATH}: the request of scenario `{name}`: {e}"))
}

fn parsed() -> &'static Parsed {
    static PARSED: OnceLock<Parsed> = OnceLock::new();
    PARSED.get_or_init(|| {
        let file: TableFile = serde_json::from_str(TABLE_JSON).unwrap_or_else(|e| panic!("{TABLE_PATH}: {e}"));
        let mut names = std::collections::BTreeSet::new();
        let scenarios = file
            .scenarios
            .into_iter()
            .map(|entry| {
                assert!(
                    names.insert(entry.name.clone()),
                    "{TABLE_PATH}: two scenarios are named `{}`",
                    entry.name
                );
                let request = merged(&file.request_defaults, &entry.request, &entry.name);
                (entry.name, request, entry.world)
            })
            .collect();
        Parsed {
            defaults: file.request_defaults,
            scenarios,
        }
    })
}

/// Every scenario of the data file, in its order: a name, a request and the
/// world it runs in.
pub fn table() -> Vec<(&'static str, ConfigureRequest, Scenario)> {
    parsed()
        .scenarios
        .iter()
        .map(|(name, request, world)| (name.as_str(), request.clone(), world.clone()))
        .collect()
}

/// The table's default request, of the given type.
pub fn request(credentials_type: CredentialsType) -> ConfigureRequest {
    let mut fields = Map::new();
    fields.insert(
        "credentials_type".into(),
        serde_json::to_value(credentials_type).expect("an enum serializes"),
    );
    merged(&parsed().defaults, &fields, "(defaults)")
}

/// A project with project.yaml and the user's new keys in a CSV, whose keys
/// read the organization: the world of [`BASE`].
pub fn base_world() -> Scenario {
    parsed()
        .scenarios
        .iter()
        .find(|(name, _, _)| name == BASE)
        .map(|(_, _, world)| world.clone())
        .unwrap_or_else(|| panic!("{TABLE_PATH} has no scenario `{BASE}`"))
}

/// The organization of the base world: ListAccounts's answer for [`KEY_ID`].
pub fn organization() -> Vec<OrganizationAccount> {
    match base_world().organizations.get(KEY_ID) {
        Some(Ok(accounts)) => accounts.clone(),
        _ => panic!("{TABLE_PATH}: scenario `{BASE}` lists no organization for {KEY_ID}"),
    }
}

/// An access-keys CSV as the AWS console downloads it (BOM, CRLF).
pub fn csv(key_id: &str, secret: &str) -> String {
    format!("\u{feff}Access key ID,Secret access key\r\n{key_id},{secret}\r\n")
}

/// `value` with every object's keys in sorted order, whatever map
/// serde_json was built with.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The recorded form every host writes: a JSON array of
/// `{"name": …, "<key>": …}` in table order, keys sorted, indented by two
/// spaces, with a final newline. Python's `json.dumps(v, indent=2,
/// sort_keys=True, ensure_ascii=False)` and JavaScript's
/// `JSON.stringify(sorted, null, 2)` write the same bytes.
pub fn recorded<T: serde::Serialize>(key: &str, entries: &[(&str, T)]) -> String {
    let array: Vec<Value> = entries
        .iter()
        .map(|(name, value)| {
            let mut entry = Map::new();
            entry.insert("name".into(), Value::String(name.to_string()));
            entry.insert(key.into(), serde_json::to_value(value).expect("serializable"));
            Value::Object(entry)
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&sorted(Value::Array(array))).expect("serializable");
    text.push('\n');
    text
}
