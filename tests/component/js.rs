//! The core in another runtime: the very component
//! the CLI embeds, transpiled by jco and driven from Node by a JavaScript host
//! (`tests/js/`), must plan exactly what the native core plans for every
//! scenario of the shared table, and make the same calls. (The wasmtime run of
//! the same table is `tests/component/main.rs`, so the three hosts agree.)
//!
//! Also here, because they guard the same embedding contract: the WIT package
//! cannot change without its version changing, and the JavaScript example in
//! `wit/README.md` is the file the Node tests run.
//!
//! Needs Node ≥ 20 and `npm ci --prefix tests/js` (`.ci/setup` does it).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ lives in the workspace")
}

fn js_dir() -> PathBuf {
    workspace().join("tests/js")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Node ≥ 20 and the pinned npm packages, or a failure saying how to get them.
fn node_ready() {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("these tests need Node 20 or later on PATH (`node`): {e}"));
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(major >= 20, "these tests need Node 20 or later, found {version:?}");
    let jco = js_dir().join("node_modules/@bytecodealliance/jco/package.json");
    assert!(
        jco.is_file(),
        "the npm packages of tests/js are not installed: run `npm ci --prefix tests/js` (bash .ci/setup does)"
    );
}

struct NodeRun {
    success: bool,
    stdout: String,
    stderr: String,
}

/// `npm test` in tests/js (every `*.test.mjs` there), on the component this
/// build embeds: the tests find it through LEVERAGE_COMPONENT, as they find
/// any other (tests/js/core.mjs).
fn npm_test() -> NodeRun {
    node_ready();
    let output = Command::new("npm")
        // TAP on stdout, asked for: Node's default reporter differs between versions.
        .args([
            "test",
            "--silent",
            "--",
            "--test-reporter=tap",
            "--test-reporter-destination=stdout",
        ])
        .current_dir(js_dir())
        .env("LEVERAGE_COMPONENT", leverage_cli::engine::COMPONENT_WASM_PATH)
        .output()
        .expect("running npm test");
    NodeRun {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl NodeRun {
    /// The `# pass N` / `# fail N` summary of node's test runner.
    fn summary(&self, what: &str) -> Option<usize> {
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("# {what} ")))
            .and_then(|n| n.trim().parse().ok())
    }

    /// Whether the Node test named `name` ran and passed (`ok N - name`).
    fn passed(&self, name: &str) -> bool {
        self.stdout
            .lines()
            .any(|l| l.starts_with("ok ") && l.split_once(" - ").is_some_and(|(_, n)| n == name))
    }
}

/// `npm test` in tests/js passes: the component in Node writes, for every
/// scenario of the shared table, the very bytes of the native core's record
/// (`tests/fixtures/scenarios/plans.json`), with files from memory and from
/// disk, and makes the same calls; the JavaScript host's own tests and the
/// README's example pass too.
#[test]
fn node_plans_equal_native_plans() {
    let run = npm_test();
    assert!(
        run.success,
        "npm test in tests/js failed:\n{}\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(run.summary("fail"), Some(0), "{}", run.stdout);
    for test in [
        "the component in Node writes the recorded plans, byte for byte (files from memory)",
        "the component in Node writes the recorded plans, byte for byte (files on disk)",
        "the table covers every kind of run",
        "the checked-in TypeScript declarations are the ones jco generates for the component",
        "the README example type-checks against the declarations",
        "the README example prints the planned files with secrets masked and writes nothing",
        "the README example reports a configure-error variant for a malformed project.yaml",
        "an unreadable credentials file reaches the component as files-error and comes back as invalid-input naming it",
    ] {
        assert!(
            run.passed(test),
            "the Node test `{test}` did not run and pass:\n{}",
            run.stdout
        );
    }
}

const EXAMPLE_BEGIN: &str = "<!-- tests/js/example.mjs begins -->\n```js\n";
const EXAMPLE_END: &str = "```\n<!-- tests/js/example.mjs ends -->";

/// The example in the embedder documentation is the one the tests
/// run, byte for byte.
#[test]
fn readme_example_is_the_tested_example() {
    let readme = std::fs::read_to_string(workspace().join("wit/README.md")).unwrap();
    let example = std::fs::read_to_string(js_dir().join("example.mjs")).unwrap();
    let start = readme.find(EXAMPLE_BEGIN).map(|i| i + EXAMPLE_BEGIN.len());
    let end = readme.find(EXAMPLE_END);
    let (Some(start), Some(end)) = (start, end) else {
        panic!("wit/README.md must hold the example between {EXAMPLE_BEGIN:?} and {EXAMPLE_END:?}");
    };
    assert!(
        readme[start..end] == example,
        "the example in wit/README.md differs from tests/js/example.mjs: copy the file between the markers"
    );
    let lines = example.lines().count();
    assert!(
        (20..=45).contains(&lines),
        "the example should stay about 30 lines, it has {lines}"
    );
}

/// The WIT with comments dropped and every run of whitespace made one space,
/// file after file in name order, and the `package name@version;` declaration
/// taken out: (what a change of the contract changes, the version).
fn normalized_wit(dir: &Path) -> (String, String) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wit"))
        .collect();
    files.sort();
    let mut words = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rest = text.as_str();
        let mut code = String::new();
        // WIT has no string literals, so `//` and `/*` always start comments.
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("//") {
                rest = after.find('\n').map_or("", |i| &after[i..]);
            } else if let Some(after) = rest.strip_prefix("/*") {
                rest = after.find("*/").map_or("", |i| &after[i + 2..]);
                code.push(' ');
            } else {
                let ch = rest.chars().next().unwrap();
                code.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
        words.extend(code.split_whitespace().map(str::to_string));
    }
    let normalized = words.join(" ");
    let start = normalized.find("package ").expect("the WIT declares its package");
    let end = normalized[start..]
        .find(';')
        .expect("the package declaration ends with ;")
        + start;
    let package = normalized[start + "package ".len()..end].trim().to_string();
    let contract = format!(
        "{} {}",
        normalized[..start].trim_end(),
        normalized[end + 1..].trim_start()
    );
    (contract.trim().to_string(), package)
}

/// Whether `wit/wit.sha256` in `dir` describes the WIT in `dir`: the error
/// says what to do.
fn check_wit_record(dir: &Path) -> Result<(), String> {
    let (contract, package) = normalized_wit(dir);
    let Some((name, version)) = package.split_once('@') else {
        return Err(format!("the WIT package must be versioned, found `package {package};`"));
    };
    let hash = sha256_hex(contract.as_bytes());

    let recorded =
        std::fs::read_to_string(dir.join("wit.sha256")).map_err(|e| format!("reading wit/wit.sha256: {e}"))?;
    let line = recorded
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let mut fields = line.split_whitespace();
    let (recorded_hash, recorded_package) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""));

    if recorded_hash != hash && recorded_package == package {
        return Err(format!(
            "The WIT in wit/ changed, but its package is still `{package}`: embedders built \
             against {version} would break. Either undo the change, or bump the version in the \
             `package` line of wit/world.wit (and the `@{version}` import names in \
             tests/component/main.rs), then write this line to wit/wit.sha256 with the new version:\n\
             {hash}  {name}@<new version>"
        ));
    }
    if recorded_hash != hash || recorded_package != package {
        return Err(format!(
            "wit/wit.sha256 does not describe the WIT as it is (`{line}`); write this line to it:\n{hash}  {package}"
        ));
    }
    Ok(())
}

/// WIT stability: `wit/wit.sha256` records the hash of the
/// normalized WIT beside the package version it describes. A WIT change
/// without a version change fails here; so does a version or a hash that is
/// not recorded, so the file always describes the WIT as it is.
#[test]
fn wit_changes_change_the_package_version() {
    let wit = workspace().join("wit");
    let (contract, _) = normalized_wit(&wit);
    assert!(
        contract.contains("world credentials-core {"),
        "the normalized WIT lost its world: {contract}"
    );
    assert!(!contract.contains("///"), "comments must not count");
    if let Err(what) = check_wit_record(&wit) {
        panic!("{what}");
    }
}

/// The check itself, on copies of wit/: layout and comments do not count, a
/// contract change does, a new version must be recorded.
#[test]
fn wit_check_tells_a_contract_change_from_a_comment() {
    let copy = |edit: &dyn Fn(&str, String) -> String| {
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(workspace().join("wit")).unwrap() {
            let path = entry.unwrap().path();
            if let Some(file) = path
                .file_name()
                .and_then(|f| f.to_str())
                .filter(|f| f.ends_with(".wit") || *f == "wit.sha256")
            {
                std::fs::write(
                    dir.path().join(file),
                    edit(file, std::fs::read_to_string(&path).unwrap()),
                )
                .unwrap();
            }
        }
        dir
    };
    let as_is = copy(&|_, text| text);
    assert_eq!(check_wit_record(as_is.path()), Ok(()));

    let reworded = copy(&|file, text| match file {
        "log.wit" => text
            .replace(
                "/// Show one line.",
                "/// Show one line, /* really */ one.\n\n   // (a note)",
            )
            .replace("    ", "\t"),
        _ => text,
    });
    assert_eq!(
        check_wit_record(reworded.path()),
        Ok(()),
        "comments and layout are not the contract"
    );

    let changed = copy(&|file, text| match file {
        "log.wit" => text.replace("warn,", "warn,\n        error,"),
        _ => text,
    });
    let error = check_wit_record(changed.path()).unwrap_err();
    assert!(
        error.contains("changed, but its package is still `leverage:credentials@0.4.0`"),
        "{error}"
    );

    let bumped = copy(&|file, text| match file {
        "log.wit" => text.replace("warn,", "warn,\n        error,"),
        "world.wit" => text.replace("@0.4.0;", "@0.5.0;"),
        _ => text,
    });
    let error = check_wit_record(bumped.path()).unwrap_err();
    assert!(
        error.contains("leverage:credentials@0.4.0") && error.contains("write this line"),
        "{error}"
    );
}
