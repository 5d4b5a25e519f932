//! The bad-input corpus: every
//! case under `tests/bad-input/` (one folder each, made by its
//! `generate.py`) runs through the real binary. Each must end with exit code
//! 1 (2 for a usage error), one error paragraph that names the file and line
//! (or the flag or variable to blame), no panic or backtrace, no secret in
//! the output, and not one byte changed on disk.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{finish_within, Project};

/// A run that takes longer than this is a hang.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The unprivileged user the unreadable-file cases run as under root.
const NOBODY: u32 = 65534;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-input")
}

struct Case {
    name: String,
    spec: Value,
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(corpus_dir())
        .expect("tests/bad-input")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(e.path().join("case.json"))
                .unwrap_or_else(|err| panic!("{name}/case.json: {err}"));
            let spec = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{name}/case.json: {err}"));
            Case { name, spec }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).expect("hex bytes"))
        .collect()
}

/// The bytes of a file spec (see generate.py).
fn content(spec: &Value) -> Vec<u8> {
    if let Some(text) = spec.get("text").and_then(Value::as_str) {
        return text.as_bytes().to_vec();
    }
    if let Some(bytes) = spec.get("hex").and_then(Value::as_str) {
        return hex(bytes);
    }
    let mut out = Vec::new();
    for part in spec.get("parts").and_then(Value::as_array).expect("text, hex or parts") {
        let times = part.get("times").and_then(Value::as_u64).unwrap_or(1);
        let numbered = part.get("numbered").and_then(Value::as_bool).unwrap_or(false);
        let one = content(part);
        for n in 0..times {
            if numbered {
                out.extend_from_slice(String::from_utf8_lossy(&one).replace("{n}", &n.to_string()).as_bytes());
            } else {
                out.extend_from_slice(&one);
            }
        }
    }
    out
}

fn place(project: &Project, relative: &str) -> PathBuf {
    if let Some(rest) = relative.strip_prefix("project/") {
        project.root.join(rest)
    } else if let Some(rest) = relative.strip_prefix("home/") {
        project.home.join(rest)
    } else {
        panic!("a case file must be under project/ or home/: {relative}")
    }
}

fn placeholders(project: &Project, text: &str) -> String {
    text.replace("{home}", &project.home.display().to_string())
        .replace("{root}", &project.root.display().to_string())
}

/// Lays the case's files; returns whether one is unreadable.
fn lay_files(project: &Project, files: &serde_json::Map<String, Value>) -> bool {
    let mut unreadable = false;
    for (relative, spec) in files {
        let path = place(project, relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if spec.get("dir").is_some() {
            std::fs::create_dir_all(&path).unwrap();
        } else if let Some(target) = spec.get("symlink").and_then(Value::as_str) {
            std::os::unix::fs::symlink(target, &path).unwrap();
        } else {
            std::fs::write(&path, content(spec)).unwrap();
            if spec.get("unreadable").and_then(Value::as_bool) == Some(true) {
                std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
                unreadable = true;
            }
        }
    }
    unreadable
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// Root reads through mode 000, so a case with an unreadable file runs as
/// an unprivileged user, who must own the temporary HOME to use it.
fn give_to_nobody(dir: &Path) {
    std::os::unix::fs::lchown(dir, Some(NOBODY), Some(NOBODY)).unwrap();
    if std::fs::symlink_metadata(dir).unwrap().is_dir() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            give_to_nobody(&entry.path());
        }
    }
}

/// Every path under HOME (the project included) but `.git`, with its kind:
/// `Project::snapshot` compares files; this also catches a directory made.
fn tree(project: &Project) -> Vec<(PathBuf, &'static str)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, &'static str)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let kind = if meta.file_type().is_symlink() {
                "symlink"
            } else if meta.is_dir() {
                "dir"
            } else {
                "file"
            };
            out.push((path.clone(), kind));
            if kind == "dir" {
                walk(&path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&project.home, &mut out);
    out.sort();
    out
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

fn run_case(case: &Case) -> Result<Run, String> {
    let spec = &case.spec;
    let project = Project::new();
    let files = spec["files"].as_object().cloned().unwrap_or_default();
    let unreadable = lay_files(&project, &files);
    if unreadable && running_as_root() {
        give_to_nobody(project.home.parent().unwrap());
    }

    let mut cmd = project.command(None);
    if unreadable && running_as_root() {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    if let Some(env) = spec.get("env").and_then(Value::as_object) {
        for (name, value) in env {
            match value.as_str() {
                Some(v) => cmd.env(name, placeholders(&project, v)),
                None => cmd.env_remove(name),
            };
        }
    }
    if let Some(cwd) = spec.get("cwd").and_then(Value::as_str) {
        let dir = project.root.join(cwd);
        std::fs::create_dir_all(&dir).unwrap();
        cmd.current_dir(dir);
    }
    let args: Vec<String> = spec["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| placeholders(&project, a.as_str().expect("string args")))
        .collect();
    let stdin = spec.get("stdin").map(content).unwrap_or_default();

    let before_files = project.snapshot();
    let before_tree = tree(&project);
    let started = Instant::now();
    cmd.args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start the binary: {e}"))?;
    let mut input = child.stdin.take().unwrap();
    // The binary may stop reading early: a broken pipe is no failure.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let ran = finish_within(child, TIMEOUT);
    let elapsed = started.elapsed();
    let _ = writer.join();
    let timed_out = ran.timed_out;
    let run = Run {
        code: ran.code,
        stdout: ran.stdout,
        stderr: ran.stderr,
        elapsed,
    };
    if timed_out {
        return Err(format!(
            "still running after {TIMEOUT:?}: a hang\nstderr:\n{}",
            run.stderr
        ));
    }

    let mut problems = check(case, &project, &run);
    if project.snapshot() != before_files {
        problems.push("a file changed on disk".into());
    }
    let after_tree = tree(&project);
    // A failed run leaves no trace: not even `~/.aws` or a lock file.
    let added: Vec<_> = after_tree.iter().filter(|p| !before_tree.contains(p)).collect();
    let removed: Vec<_> = before_tree.iter().filter(|p| !after_tree.contains(p)).collect();
    if !removed.is_empty() || !added.is_empty() {
        problems.push(format!("the file tree changed: added {added:?}, removed {removed:?}"));
    }
    if problems.is_empty() {
        Ok(run)
    } else {
        Err(format!(
            "{}\nexit code: {:?}\nstdout:\n{}\nstderr:\n{}",
            problems.join("\n"),
            run.code,
            run.stdout,
            run.stderr
        ))
    }
}

/// The checks on what the binary printed.
fn check(case: &Case, project: &Project, run: &Run) -> Vec<String> {
    let expect = &case.spec["expect"];
    let mut problems = Vec::new();
    let code = expect["code"].as_i64().map(|c| c as i32);
    if run.code != code {
        problems.push(format!("exit code {:?}, expected {code:?}", run.code));
    }
    for output in [&run.stdout, &run.stderr] {
        for banned in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            if output.contains(banned) {
                problems.push(format!("the output contains `{banned}`"));
            }
        }
        for secret in case.spec["secrets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if output.contains(secret) {
                problems.push("a secret reached the output".into());
            }
        }
    }
    if !run.stdout.is_empty() {
        problems.push("a failed run printed on standard output".into());
    }

    // One paragraph: exactly one `Error:` line, followed to the end only by
    // `Caused by:`, `Usage:` and `Hint:` lines (progress lines may precede it).
    let lines: Vec<&str> = run.stderr.lines().collect();
    let errors: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("Error: "))
        .map(|(i, _)| i)
        .collect();
    let [at] = errors[..] else {
        problems.push(format!("{} `Error:` lines, expected one", errors.len()));
        return problems;
    };
    let paragraph = &lines[at..];
    if let Some(stray) = paragraph[1..]
        .iter()
        .find(|l| !["Caused by: ", "Usage: ", "Hint: "].iter().any(|p| l.starts_with(p)))
    {
        problems.push(format!("the error is not one paragraph: stray line {stray:?}"));
    }
    // The file (and line) is named on the `Error:` line itself; clap names
    // a missing flag on the line after it.
    let where_ = placeholders(project, expect["where"].as_str().unwrap_or(""));
    let whole = paragraph.join("\n");
    let named = if code == Some(2) {
        whole.contains(&where_)
    } else {
        paragraph[0].contains(&where_)
    };
    if !named {
        problems.push(format!("the `Error:` line does not name `{where_}`"));
    }
    // A raw `\r` or escape sequence from a file would rewind or repaint the
    // terminal line.
    if let Some(c) = run.stderr.chars().find(|&c| c.is_control() && c != '\n') {
        problems.push(format!("the error holds the control character {c:?}"));
    }
    for wanted in expect["message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !whole.contains(wanted) {
            problems.push(format!("the error does not say `{wanted}`"));
        }
    }
    problems
}

/// The names of the cases generate.py writes, in name order: the corpus on
/// disk must be exactly these, so that no case vanishes unnoticed.
fn generated_case_names() -> Vec<String> {
    // -B: importing the script must not leave a __pycache__ folder among the cases.
    let out = std::process::Command::new("python3")
        .args([
            "-B",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import generate; print('\\n'.join(n for n, _ in generate.CASES))",
        ])
        .arg(corpus_dir())
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

#[test]
fn every_case() {
    let cases = cases();
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        generated_case_names(),
        "tests/bad-input differs from what generate.py writes: run python3 tests/bad-input/generate.py"
    );
    let readme = std::fs::read_to_string(corpus_dir().join("../../README.md")).unwrap();
    assert!(
        readme.contains(&format!("{} bad-input cases", cases.len())),
        "README.md does not give the number of bad-input cases, {}",
        cases.len()
    );
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let slowest: Mutex<(Duration, String)> = Mutex::new((Duration::ZERO, String::new()));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                match run_case(case) {
                    Ok(run) => {
                        let mut slowest = slowest.lock().unwrap();
                        if run.elapsed > slowest.0 {
                            *slowest = (run.elapsed, case.name.clone());
                        }
                    }
                    Err(why) => failures
                        .lock()
                        .unwrap()
                        .push(format!("== {} ({})\n{why}", case.name, case.spec["about"])),
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let (slow, slow_name) = slowest.into_inner().unwrap();
    eprintln!(
        "{} bad-input cases in {:?} (slowest: {slow_name}, {slow:?})",
        cases.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Each area the issue names has its share of the corpus.
#[test]
fn corpus_covers_every_input() {
    let cases = cases();
    for (prefix, least) in [
        ("csv-", 40),
        ("stdin-", 5),
        ("yaml-", 40),
        ("build-env-", 25),
        ("tfvars-", 30),
        ("credentials-", 20),
        ("config-", 20),
        ("answer-", 15),
        ("flag-", 20),
    ] {
        let count = cases.iter().filter(|c| c.name.starts_with(prefix)).count();
        assert!(count >= least, "only {count} `{prefix}` cases");
    }
    for case in &cases {
        let code = case.spec["expect"]["code"].as_i64();
        assert!(
            matches!(code, Some(1 | 2)),
            "{}: expected exit code {code:?}",
            case.name
        );
        assert!(
            case.spec["expect"]["where"].as_str().is_some_and(|w| !w.is_empty()),
            "{}: no `where`",
            case.name
        );
    }
}
