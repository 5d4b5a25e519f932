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

use leverage_core::model::InputError;

mod csv_file;
mod dotenv_file;
mod ini_files;
mod project_yaml_file;
mod tfvars_file;
mod whole_flow;

pub use csv_file::csv;
pub use dotenv_file::dotenv;
pub use ini_files::{ini_parse, ini_set};
pub use project_yaml_file::{project_yaml_read, project_yaml_set};
pub use tfvars_file::{tfvars_read, tfvars_write_back};
pub use whole_flow::{flow, flow_outcome};

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

const IDS: &[&str] = &[
    "012345678901",
    "111111111111",
    "999999999999",
    "0",
    "000000000000000000000001",
    "42",
];

/// What separates the files in a `flow` input.
pub const FILE_SEPARATOR: &str = "\n=====8<=====\n";

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
