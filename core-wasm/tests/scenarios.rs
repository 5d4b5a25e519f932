//! The shared scenario table (`tests/fixtures/scenarios/table.json`) through
//! the native core. What the native core plans is recorded in `plans.json`
//! (and the calls it makes in `transcripts.json`); the component in wasmtime
//! (`tests/component/main.rs`), in Node (`tests/js`) and in Python
//! (`tests/python`) must write the very same bytes.
//!
//! After a change to the core's behaviour or to the table, record anew with
//! `LEVERAGE_RECORD_SCENARIOS=1 cargo test -p leverage-core --test scenarios`
//! and review the diff.

use std::path::PathBuf;

use leverage_core::scenarios::{self, *};
use leverage_core::scripted::{Scenario, ScriptedHost};
use leverage_core::*;

fn workspace_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

fn run(request: &ConfigureRequest, world: Scenario) -> (Result<Plan, ConfigureError>, Vec<String>) {
    let mut host = ScriptedHost::new(world);
    let outcome = configure(&mut host, request);
    (outcome, host.transcript)
}

/// Compares `text` with the recorded file, or records it when asked to.
fn matches_record(relative: &str, text: &str) {
    let path = workspace_file(relative);
    if std::env::var_os("LEVERAGE_RECORD_SCENARIOS").is_some() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    if recorded != text {
        let first = recorded
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(recorded.lines().count().min(text.lines().count()));
        panic!(
            "the native core no longer writes {relative} (first difference at line {}: recorded {:?}, now {:?}). \
             If the change is intended, record anew with \
             `LEVERAGE_RECORD_SCENARIOS=1 cargo test -p leverage-core --test scenarios` and review the diff.",
            first + 1,
            recorded.lines().nth(first),
            text.lines().nth(first)
        );
    }
}

#[test]
fn native_plans_are_the_recorded_plans() {
    let mut plans = Vec::new();
    let mut transcripts = Vec::new();
    for (name, request, world) in scenarios::table() {
        let (outcome, transcript) = run(&request, world);
        plans.push((name, outcome));
        transcripts.push((name, transcript));
    }
    matches_record(PLANS_PATH, &recorded("outcome", &plans));
    matches_record(TRANSCRIPTS_PATH, &recorded("transcript", &transcripts));
}

#[test]
fn the_table_covers_every_kind_of_run_and_both_outcomes() {
    let table = scenarios::table();
    assert!(table.len() >= 8, "only {} scenarios", table.len());
    let names: Vec<&str> = table.iter().map(|(n, _, _)| *n).collect();
    for kind in [
        "bootstrap",
        "management",
        "security",
        "mfa",
        "access-denied",
        "malformed",
        "skip",
        "overwrite",
    ] {
        assert!(
            names.iter().any(|n| n.contains(kind)),
            "no scenario covers {kind}: {names:?}"
        );
    }
    // Equal plans prove little unless both outcomes are compared.
    let outcomes: Vec<bool> = table.into_iter().map(|(_, r, w)| run(&r, w).0.is_ok()).collect();
    assert!(outcomes.contains(&true) && outcomes.contains(&false), "{outcomes:?}");
}

#[test]
fn the_values_other_tests_build_worlds_from_are_the_tables() {
    let base = base_world();
    assert_eq!(
        base.files.get(&format!("{ROOT}/project.yaml")).map(String::as_str),
        Some(PROJECT_YAML)
    );
    assert_eq!(base.files.get("/home/user/keys.csv"), Some(&csv(KEY_ID, SECRET)));
    assert_eq!(organization().len(), 4);
    assert_eq!(organization()[0].id, CALLER_ACCOUNT);
    let table = scenarios::table();
    let (_, first_request, _) = table.iter().find(|(n, _, _)| *n == BASE).unwrap();
    assert_eq!(first_request, &request(CredentialsType::Management));
    let (_, _, denied) = table
        .iter()
        .find(|(n, _, _)| *n == "organization-access-denied")
        .unwrap();
    assert_eq!(
        denied
            .files
            .get(&format!("{ROOT}/config/common.tfvars"))
            .map(String::as_str),
        Some(TFVARS)
    );
}

/// The recorded form is what the other hosts reproduce byte for byte: keys
/// sorted at every depth, two-space indentation, a final newline.
#[test]
fn the_recorded_form_sorts_keys_and_ends_with_a_newline() {
    let value = serde_json::json!({"b": [1, {"d": null, "c": "x\u{feff}\n"}], "a": true});
    let text = recorded("outcome", &[("one", value)]);
    assert_eq!(
        text,
        "[\n  {\n    \"name\": \"one\",\n    \"outcome\": {\n      \"a\": true,\n      \"b\": [\n        1,\n        {\n          \"c\": \"x\u{feff}\\n\",\n          \"d\": null\n        }\n      ]\n    }\n  }\n]\n"
    );
}
