//! Checks `IniDocument` against the real AWS CLI on the corpus in
//! `tests/fixtures/ini` (see `generate.py` there for the layout).
//!
//! For every case whose CLI result botocore reads as intended, our output
//! must be byte-identical to the CLI's, and `get` must agree with what
//! botocore reads. A case where the CLI's result is wrong (or, for the one
//! glued-line case, not idempotent) must say, in `deviation.txt`, what we do
//! instead; inputs botocore rejects must be rejected too.
//!
//! `INI_CORPUS_DIR=/tmp/ini-fuzz` runs the same checks on random cases made
//! by `generate.py --fuzz`, where no `deviation.txt` exists: there a case the
//! CLI gets wrong passes if we refuse the edit or if botocore would read
//! every edited key back.

use std::fs;
use std::path::{Path, PathBuf};

use leverage_core::ini::IniDocument;
use serde_json::Value;

/// Messages of the inputs `IniDocument::parse` rejects although botocore
/// reads them (see the module documentation of `ini`).
const STRICTER: &[&str] = &[
    "looks like a section header",
    "closing ']'",
    "more than one ']'",
    "[DEFAULT] appears a second time",
    "(in [DEFAULT], as soon as the file has another section)",
];

struct Case {
    dir: PathBuf,
    input: String,
    edits: Vec<(String, String, String)>,
    result: Value,
    deviation: Option<String>,
}

fn read_string(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn load(dir: &Path) -> Result<Case, String> {
    let input = read_string(&dir.join("input"))?;
    let edits = read_string(&dir.join("edits.tsv"))?
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let parts: Vec<&str> = line.split('\t').collect();
            match parts.as_slice() {
                [section, key, value] => Ok((section.to_string(), key.to_string(), value.to_string())),
                _ => Err(format!("{}: bad edit line {line:?}", dir.display())),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let result = serde_json::from_str(&read_string(&dir.join("result.json"))?)
        .map_err(|e| format!("{}: result.json: {e}", dir.display()))?;
    let deviation = fs::read_to_string(dir.join("deviation.txt"))
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string));
    Ok(Case {
        dir: dir.to_path_buf(),
        input,
        edits,
        result,
        deviation,
    })
}

/// Makes line ends and a missing final newline visible.
fn show(line: &str) -> String {
    let body = line.trim_end_matches(['\r', '\n']);
    let end = &line[body.len()..];
    let end = match end {
        "\n" => "",
        "\r\n" => "⏎CRLF",
        "\r" => "⏎CR",
        "" => "⌁(no newline at end)",
        other => other,
    };
    format!("{body}{end}")
}

/// A line diff of two texts (longest common subsequence; the files are small).
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.split_inclusive(['\n']).collect();
    let b: Vec<&str> = actual.split_inclusive(['\n']).collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::from("--- aws configure set\n+++ IniDocument\n"));
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", show(a[i])));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", show(b[j])));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", show(a[i])));
            i += 1;
        }
    }
    out
}

fn check_error_line(case: &Case, error: &leverage_core::model::InputError) -> Result<(), String> {
    if let Ok(text) = fs::read_to_string(case.dir.join("error_line")) {
        let want: Option<u32> = text.trim().parse().ok();
        if error.line != want {
            return Err(format!("error on line {:?}, expected {want:?}: {error}", error.line));
        }
    }
    Ok(())
}

/// Runs one case; `lenient` is the fuzz mode.
fn run(case: &Case, lenient: bool) -> Result<&'static str, String> {
    let accepted = case.result["input_accepted"].as_bool() == Some(true);
    let verdict_ok = case.result["verdict"].as_str() == Some("ok");
    let deviation = case.deviation.as_deref();
    // A refusal is only right where the CLI's result is wrong. (A `fix` may
    // also replace a result botocore reads right: see the glued-line case.)
    if deviation == Some("refuse") && verdict_ok {
        return Err(format!(
            "deviation.txt refuses, but the CLI's result is fine: {}",
            case.result["verdict"]
        ));
    }
    let parsed = IniDocument::parse(&case.input);
    if !accepted || deviation == Some("stricter") {
        return match parsed {
            Ok(_) if !accepted => Err(format!(
                "botocore rejects the input ({}), we accepted it",
                case.result["input_error"]
            )),
            Ok(_) => Err("deviation.txt says we reject this input, we accepted it".into()),
            Err(error) => check_error_line(case, &error).map(|()| "input rejected"),
        };
    }
    let mut doc = match parsed {
        Ok(doc) => doc,
        // The fuzz mode makes inputs that hit our documented stricter rules.
        Err(e) if lenient && STRICTER.iter().any(|m| e.message.contains(m)) => return Ok("input rejected (stricter)"),
        Err(e) => return Err(format!("botocore reads the input, we rejected it: {e}")),
    };
    if doc.render() != case.input {
        return Err(format!(
            "parse + render is not the input:\n{}",
            diff(&case.input, &doc.render())
        ));
    }

    let mut refused = None;
    for (section, key, value) in &case.edits {
        let before = doc.render();
        match doc.set(section, key, value) {
            Ok(_) => {}
            Err(error) => {
                if doc.render() != before {
                    return Err(format!("a refused set changed the document: {error}"));
                }
                refused = Some(error);
                break;
            }
        }
    }
    let ours = doc.render();
    if IniDocument::parse(&ours).map(|d| d.render()).as_ref() != Ok(&ours) {
        return Err("our output does not parse back to itself".into());
    }

    match (deviation, refused) {
        (Some("refuse"), Some(error)) => check_error_line(case, &error).map(|()| "CLI wrong, refused"),
        (Some("refuse"), None) => Err(format!("deviation.txt says we refuse, but we wrote:\n{ours}")),
        (_, Some(error)) if !lenient || verdict_ok => Err(format!("set refused: {error}")),
        (_, Some(_)) => Ok("CLI wrong, refused"),
        (Some("fix"), None) => {
            let want = read_string(&case.dir.join("expected.ours"))?;
            if ours != want {
                return Err(format!("output differs from expected.ours:\n{}", diff(&want, &ours)));
            }
            check_edits_read_back(&doc, &case.edits).map(|()| "CLI wrong, fixed")
        }
        (Some(other), None) => Err(format!("unknown deviation kind {other:?}")),
        (None, None) if verdict_ok => {
            let cli = read_string(&case.dir.join("expected"))?;
            if ours != cli {
                // In the fuzz mode: the CLI glued a key to an unterminated
                // blank-looking last line, where we terminate it first.
                let squeeze = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                if lenient && !case.input.ends_with('\n') && squeeze(&ours) == squeeze(&cli) {
                    return check_view(&doc, &case.result["view"]).map(|()| "CLI glued a line, we did not");
                }
                return Err(format!("output differs from the AWS CLI's:\n{}", diff(&cli, &ours)));
            }
            check_view(&doc, &case.result["view"]).map(|()| "same bytes as the CLI")
        }
        (None, None) if lenient => check_edits_read_back(&doc, &case.edits).map(|()| "CLI wrong, fixed"),
        (None, None) => Err(format!(
            "the CLI's result is wrong ({}) and no deviation.txt says what we do",
            case.result["verdict"]
        )),
    }
}

/// `get` agrees with what botocore reads from the CLI's output.
fn check_view(doc: &IniDocument, view: &Value) -> Result<(), String> {
    let Some(view) = view.as_object() else {
        return Err("result.json has no view".into());
    };
    let mut ours: Vec<&str> = doc.section_names().collect();
    let mut theirs: Vec<&str> = view.keys().map(String::as_str).collect();
    ours.sort_unstable();
    theirs.sort_unstable();
    if ours != theirs {
        return Err(format!("sections {ours:?}, botocore reads {theirs:?}"));
    }
    for (section, keys) in view {
        let keys = keys
            .as_object()
            .map(|k| k.iter().collect::<Vec<_>>())
            .unwrap_or_default();
        for (key, value) in &keys {
            if doc.get(section, key) != value.as_str() {
                return Err(format!(
                    "get({section:?}, {key:?}) = {:?}, botocore reads {value}",
                    doc.get(section, key)
                ));
            }
        }
        if let Some(extra) = doc.keys(section).find(|k| !keys.iter().any(|(name, _)| name == k)) {
            return Err(format!("we read a key {extra:?} in [{section}] that botocore does not"));
        }
    }
    Ok(())
}

/// The last value set for each key is what botocore would read.
fn check_edits_read_back(doc: &IniDocument, edits: &[(String, String, String)]) -> Result<(), String> {
    for (i, (section, key, value)) in edits.iter().enumerate() {
        let later = edits[i + 1..]
            .iter()
            .any(|(s, k, _)| s == section && k.eq_ignore_ascii_case(key));
        if !later && doc.get(section, key) != Some(value.trim()) {
            return Err(format!("after the edits, [{section}] {key} does not read back as set"));
        }
    }
    Ok(())
}

#[test]
fn ini_corpus_matches_the_aws_cli() {
    let (root, lenient) = match std::env::var("INI_CORPUS_DIR") {
        Ok(dir) => (PathBuf::from(dir), true),
        Err(_) => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/ini"),
            false,
        ),
    };
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("cases"))
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    // Exactly the cases committed: a case that goes missing (a bad merge, a
    // directory renamed without its files) fails here instead of vanishing.
    const CASES: usize = 45;
    assert!(
        lenient || dirs.len() == CASES,
        "tests/fixtures/ini/cases has {} cases, not {CASES}: update CASES when adding or removing one",
        dirs.len()
    );

    let mut failures = Vec::new();
    let mut outcomes = std::collections::BTreeMap::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match load(dir).and_then(|case| run(&case, lenient)) {
            Ok(outcome) => {
                if lenient && outcome == "CLI wrong, fixed" {
                    println!("{name}: the CLI's result is wrong; ours reads back as set");
                }
                *outcomes.entry(outcome).or_insert(0) += 1
            }
            Err(message) => failures.push(format!("=== {name}: {message}")),
        }
    }
    println!("{} cases, {} failures; {outcomes:?}", dirs.len(), failures.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}
