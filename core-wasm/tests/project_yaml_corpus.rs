//! The project.yaml write-back corpus: every case under
//! `tests/fixtures/project-yaml/<case>/` holds `input.yaml`, `ids.json` (a
//! list of `[name, id]`) and `expected.yaml` (checked by hand).
//!
//! For each case: the output equals `expected.yaml` byte for byte; every
//! input line that does not hold an id comes out unchanged (new lines are
//! only `id: "<id>"` lines, changed lines differ only by the id); setting the
//! ids again changes nothing; and the output loads (serde_norway) to the
//! input's data with the ids set, as strings.

use leverage_core::project_yaml::{read, set_account_ids};
use serde_norway::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/project-yaml")
}

struct Case {
    name: String,
    input: String,
    ids: Vec<(String, String)>,
    expected: String,
}

fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .expect("corpus directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let read_text = |file: &str| {
                fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
            };
            let pairs: Vec<(String, String)> =
                serde_json::from_str(&read_text("ids.json")).expect("ids.json: a list of [name, id]");
            Case {
                name: dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned(),
                input: read_text("input.yaml"),
                ids: pairs,
                expected: read_text("expected.yaml"),
            }
        })
        .collect()
}

/// Exactly the cases committed, so that none can vanish unnoticed.
#[test]
fn project_yaml_corpus_has_every_case() {
    const CASES: usize = 8;
    assert_eq!(
        cases().len(),
        CASES,
        "tests/fixtures/project-yaml has {} cases, not {CASES}: update CASES when adding or removing one",
        cases().len()
    );
}

#[test]
fn project_yaml_output_is_exactly_the_expected_file() {
    for case in cases() {
        let update = set_account_ids(&case.input, &case.ids).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(
            update.text, case.expected,
            "{}: output differs from expected.yaml",
            case.name
        );
        // `updated` names exactly the accounts whose id was different.
        let before = read(&case.input).expect("input reads").accounts.unwrap_or_default();
        let mut want: Vec<String> = Vec::new();
        for account in &before {
            let new = case
                .ids
                .iter()
                .rev()
                .find(|(n, _)| *n == account.name)
                .map(|(_, id)| id);
            if new.is_some() && account.id.as_ref() != new && !want.contains(&account.name) {
                want.push(account.name.clone());
            }
        }
        assert_eq!(update.updated, want, "{}: updated names", case.name);
    }
}

#[test]
fn project_yaml_setting_twice_gives_the_same_text() {
    for case in cases() {
        let once = set_account_ids(&case.input, &case.ids).expect("first run");
        let twice = set_account_ids(&once.text, &case.ids).expect("second run");
        assert_eq!(twice.text, once.text, "{}: not idempotent", case.name);
        assert!(
            twice.updated.is_empty(),
            "{}: second run updated {:?}",
            case.name,
            twice.updated
        );
    }
}

/// Lines with their line breaks, so that a changed line ending shows.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// What an id value may have been before it was replaced.
fn is_old_id_value(s: &str) -> bool {
    let unquoted = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(s);
    s.is_empty() || is_digits(unquoted) || s == "~" || s == "null"
}

/// `old` became `new` only by setting an id: `new` is `old` with an old id
/// value replaced by `"<id>"`, with ` "<id>"` after a bare `id:`, or with
/// `, id: "<id>"` added to a flow mapping.
fn only_the_id_changed(old: &str, new: &str, ids: &[String]) -> bool {
    for id in ids {
        let quoted = format!("\"{id}\"");
        for (at, _) in new.match_indices(&quoted) {
            let (before, after) = (&new[..at], &new[at + quoted.len()..]);
            // Replaced in place.
            if old.len() >= before.len() + after.len() && old.starts_with(before) && old.ends_with(after) {
                let middle = &old[before.len()..old.len() - after.len()];
                if is_old_id_value(middle) && !middle.is_empty() {
                    return true;
                }
            }
            // Added: ` "<id>"` after a bare `id:`, or `, id: "<id>"` (with a
            // space first after a bare colon) in a flow mapping.
            for added in [" ", ", id: ", " , id: "] {
                if let Some(head) = before.strip_suffix(added) {
                    if format!("{head}{after}") == old {
                        return true;
                    }
                }
            }
        }
    }
    false
}

#[test]
fn project_yaml_line_check_rejects_other_changes() {
    let ids = vec!["2".to_owned()];
    assert!(only_the_id_changed("  id: 1 # x\n", "  id: \"2\" # x\n", &ids));
    assert!(only_the_id_changed("  id: # x\n", "  id: \"2\" # x\n", &ids));
    assert!(only_the_id_changed("- {name: a}\n", "- {name: a, id: \"2\"}\n", &ids));
    assert!(!only_the_id_changed("  email: a # x\n", "  email: \"2\" # y\n", &ids));
    assert!(!only_the_id_changed("  id: 1 # x\n", "  id: \"2\" # x\r\n", &ids));
    assert!(!only_the_id_changed("- {name: a}\n", "- {name: b, id: \"2\"}\n", &ids));
}

#[test]
fn project_yaml_lines_without_ids_are_unchanged() {
    for case in cases() {
        let output = set_account_ids(&case.input, &case.ids).expect("edit");
        let new_ids: Vec<String> = case.ids.iter().map(|(_, id)| id.clone()).collect();
        let old_lines = lines(&case.input);
        let new_lines = lines(&output.text);
        let mut n = 0;
        for (i, old) in old_lines.iter().enumerate() {
            // Skip inserted lines: `<indent>id: "<id>"` and a line break.
            loop {
                let Some(new) = new_lines.get(n) else {
                    panic!("{}: output ends before input line {}", case.name, i + 1);
                };
                if new == old {
                    break;
                }
                let inserted = new.trim_end_matches(['\r', '\n']).trim_start();
                let is_inserted = new_ids.iter().any(|id| inserted == format!("id: \"{id}\""));
                // A line inserted after the last one (no final line break)
                // shows up as the old last line gaining a break.
                let old_gains_break = n + 2 == new_lines.len()
                    && old_lines.len() == i + 1
                    && new.strip_suffix(['\n']).map(|s| s.trim_end_matches('\r')) == Some(old);
                if old_gains_break {
                    break;
                }
                if only_the_id_changed(old, new, &new_ids) {
                    break;
                }
                assert!(
                    is_inserted,
                    "{}: input line {} changed beyond its id:\n  {old:?}\n  {new:?}",
                    case.name,
                    i + 1
                );
                n += 1;
            }
            n += 1;
        }
        for extra in new_lines.get(n..).unwrap_or_default() {
            let inserted = extra.trim_end_matches(['\r', '\n']).trim_start();
            assert!(
                new_ids.iter().any(|id| inserted == format!("id: \"{id}\"")),
                "{}: unexpected trailing line {extra:?}",
                case.name
            );
        }
    }
}

#[test]
fn project_yaml_output_loads_as_input_plus_ids() {
    for case in cases() {
        let strip = |s: &str| s.strip_prefix('\u{feff}').unwrap_or(s).to_owned();
        let mut want: Value = serde_norway::from_str(&strip(&case.input)).expect("input loads");
        if let Some(list) = want
            .get_mut("organization")
            .and_then(|o| o.get_mut("accounts"))
            .and_then(Value::as_sequence_mut)
        {
            for entry in list {
                let name = entry.get("name").and_then(Value::as_str).map(str::to_owned);
                let Some(name) = name else { continue };
                if let Some((_, id)) = case.ids.iter().rev().find(|(n, _)| *n == name) {
                    if let Some(map) = entry.as_mapping_mut() {
                        map.insert(Value::String("id".into()), Value::String(id.clone()));
                    }
                }
            }
        }
        // Ids written before as YAML integers equal to the new id are left
        // as written: compare those as strings.
        let got: Value = serde_norway::from_str(&strip(&case.expected)).expect("expected.yaml loads");
        assert_eq!(normalize_ids(got), normalize_ids(want), "{}: data differs", case.name);

        // And read() sees exactly the requested ids.
        let accounts = read(&case.expected)
            .expect("expected.yaml reads")
            .accounts
            .unwrap_or_default();
        for account in &accounts {
            if let Some((_, id)) = case.ids.iter().rev().find(|(n, _)| *n == account.name) {
                assert_eq!(account.id.as_ref(), Some(id), "{}: id of {}", case.name, account.name);
            }
        }
    }
}

/// Account ids as strings, whatever their YAML type.
fn normalize_ids(mut doc: Value) -> Value {
    if let Some(list) = doc
        .get_mut("organization")
        .and_then(|o| o.get_mut("accounts"))
        .and_then(Value::as_sequence_mut)
    {
        for entry in list {
            if let Some(id) = entry.get_mut("id") {
                if let Value::Number(n) = id {
                    *id = Value::String(n.to_string());
                }
            }
        }
    }
    doc
}
