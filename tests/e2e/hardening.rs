//! What an adversarial review of the release binary broke, one test per
//! class of attack, each on the real process: targets that are not regular
//! files, profile names the AWS CLI reads differently, secrets after a `:`,
//! unbounded input, loose modes, links that lead out of the project, signals
//! (before and during the write), core dumps, deep nesting; and two promises
//! about traces: a failed or dry run leaves none, and backups of project
//! files stay out of `git status`.
//!
//! Every run here is bounded in time and killed when it overstays, so an
//! attack that makes the binary hang fails the test instead of hanging it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{configure_args, finish_within, keys_of, mode, Moto, Project, Ran};

/// A run that takes longer than this is a hang.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The unprivileged user runs go as when the tests run as root (root
/// ignores file modes).
const NOBODY: u32 = 65534;

/// A project that needs no AWS: `shared` has a declared id, so a run with
/// the keys skipped writes the config file, creates build.env and writes the
/// id back into common.tfvars.
const PROJECT_YAML: &str = "project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\norganization:\n  \
accounts:\n  - name: management\n    email: aws+management@example.com\n  - name: shared\n    email: \
aws+shared@example.com\n    id: \"333333333333\"\n";

const TFVARS: &str = "project      = \"bb\"\nproject_long = \"binbash\"\n\naccounts = {\n  management = {\n    \
email = \"aws+management@example.com\"\n  }\n  shared = {\n    email = \"aws+shared@example.com\"\n  }\n}\n";

const SKIP_KEYS: &[&str] = &[
    "credentials",
    "configure",
    "--type",
    "MANAGEMENT",
    "--skip-access-keys-setup",
    "--non-interactive",
];

fn project() -> Project {
    let project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    project.write("config/common.tfvars", TFVARS);
    project
}

/// Wait for `child` at most [`TIMEOUT`], killing it when it overstays.
fn finish(child: Child) -> Ran {
    finish_within(child, TIMEOUT)
}

/// Run `cmd` with `args` and no standard input, bounded in time.
fn run_bounded(mut cmd: Command, args: &[&str]) -> Ran {
    let child = cmd
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the leverage binary");
    finish(child)
}

/// The `Error:` line of what a run printed.
fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("Error: "))
        .unwrap_or_else(|| panic!("no `Error:` line in:\n{stderr}"))
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Run `cmd` as the unprivileged user when the tests run as root, after
/// giving it the temporary HOME (and the folder above it).
fn as_unprivileged(project: &Project, cmd: &mut Command) {
    if !running_as_root() {
        return;
    }
    fn give(path: &Path) {
        std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
        if std::fs::symlink_metadata(path).unwrap().is_dir() {
            for entry in std::fs::read_dir(path).unwrap().flatten() {
                give(&entry.path());
            }
        }
    }
    give(project.home.parent().unwrap());
    cmd.uid(NOBODY).gid(NOBODY);
}

fn send_signal(child: &Child, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
}

/// A loopback "AWS endpoint" that accepts connections and never answers:
/// a run waits on it. The receiver gets a message at each connection.
fn silent_endpoint() -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
            if tx.send(()).is_err() {
                break;
            }
        }
    });
    (url, rx)
}

// ---------------------------------------------------------------------------
// Targets that are not regular files.

/// A FIFO in place of any file the run reads (and may write) is refused
/// with an error naming it, at once: it used to block forever on the open,
/// holding the lock that every other run then waits for.
#[test]
fn a_fifo_in_place_of_any_file_is_refused_without_hanging() {
    for (place, shown) in [
        ("project/project.yaml", "project.yaml"),
        ("project/config/common.tfvars", "config/common.tfvars"),
        ("project/build.env", "build.env"),
        ("home/.aws/bb/credentials", "~/.aws/bb/credentials"),
        ("home/.aws/bb/config", "~/.aws/bb/config"),
    ] {
        let project = project();
        let path = match place.split_once('/').unwrap() {
            ("project", rest) => project.root.join(rest),
            (_, rest) => project.home.join(rest),
        };
        let _ = std::fs::remove_file(&path);
        mkfifo(&path);
        let ran = run_bounded(project.command(None), SKIP_KEYS);
        assert_eq!(ran.code, Some(1), "{place}: {}", ran.stderr);
        let error = error_line(&ran.stderr);
        assert!(
            error.contains(shown) && error.contains("a named pipe (FIFO), not a regular file"),
            "{place}: {error}"
        );
        assert!(is_fifo(&path), "{place}: the FIFO was replaced");
    }
}

// ---------------------------------------------------------------------------
// Profile names the AWS CLI reads differently.

/// botocore splits `[profile …]` headers like a shell: an account named
/// `sha""red` or `sha\red` would give a profile botocore reads as
/// `bb-shared-oaar`, taking over the real one; spaces and quotes give
/// profiles it drops. Those accounts get no profile and a warning naming
/// them; every profile reported is one botocore reads back as written.
#[test]
fn account_names_botocore_reads_differently_get_no_profile() {
    let moto = Moto::start();
    let bad = ["sha\"\"red", "sha\\red", "my account", "it's", "sha'red"];
    let mut accounts: Vec<String> = bad.iter().map(|n| format!("binbash-{n}")).collect();
    accounts.push("binbash-shared".into());
    let state = moto.setup(json!({
        "organization": true,
        "accounts": accounts,
        "users": [{"name": "jane"}],
        "enforce_auth": true,
    }));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", crate::support::PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let out = project.run(
        Some(&moto),
        &configure_args(
            "MANAGEMENT",
            csv.to_str().unwrap(),
            &["--all-accounts", "--output", "json"],
        ),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for name in bad {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.starts_with("warning: account `") && l.contains(name) && l.contains("no profile")),
            "no warning names `{name}`:\n{}",
            out.stderr
        );
    }
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let mut reported: Vec<String> = report["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    reported.push("bb-management".into());
    reported.sort();
    assert!(reported.contains(&"bb-shared-oaar".to_string()), "{reported:?}");

    // What botocore itself reads from the file.
    let config = project.aws_file("bb", "config");
    let read = Command::new("python3")
        .args([
            "-c",
            "import sys\nfrom botocore.configloader import load_config\n\
             print('\\n'.join(sorted(load_config(sys.argv[1])['profiles'])))",
        ])
        .arg(&config)
        .output()
        .expect("python3 with botocore");
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let mut botocore: Vec<String> = String::from_utf8_lossy(&read.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    botocore.sort();
    assert_eq!(botocore, reported, "botocore reads other profiles than were reported");
    let text = std::fs::read_to_string(&config).unwrap();
    assert_eq!(text.matches("[profile bb-shared-oaar]").count(), 1, "{text}");
}

// ---------------------------------------------------------------------------
// Masking.

/// botocore accepts `key: value`: a dry run must hide the values of other
/// profiles' secrets written that way too, in both AWS files.
#[test]
fn dry_run_masks_secrets_after_a_colon() {
    let moto = Moto::start();
    let state = moto.setup(json!({"users": [{"name": "jane"}], "enforce_auth": true}));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = project();
    let csv = project.keys_csv(key_id, secret);
    let hidden = [
        "Zm9vYmFyY29sb25zZWNyZXQxMjM0NTY3ODkwYWJj",
        "IQoJb3JpZ2luX2VjEColonToken0123456789",
        "Q29uZmlnU2VjcmV0SW5UaGVDb25maWdGaWxlMTIz",
    ];
    std::fs::create_dir_all(project.home.join(".aws/bb")).unwrap();
    std::fs::write(
        project.aws_file("bb", "credentials"),
        format!(
            "[other]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key: {}\naws_session_token:{}\n",
            hidden[0], hidden[1]
        ),
    )
    .unwrap();
    std::fs::write(
        project.aws_file("bb", "config"),
        format!(
            "[profile other]\nregion = us-east-1\naws_secret_access_key : {}\n",
            hidden[2]
        ),
    )
    .unwrap();
    project.secrets.extend(hidden.iter().map(|s| s.to_string()));
    // `run` fails the test if any secret of `project.secrets` is printed.
    let out = project.run(
        Some(&moto),
        &configure_args("MANAGEMENT", csv.to_str().unwrap(), &["--dry-run"]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("aws_secret_access_key: ****************")
            && out.stdout.contains("aws_session_token:****************")
            && out.stdout.contains("aws_secret_access_key : ****************"),
        "the masked lines are not in the diff:\n{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------
// Unbounded input.

/// A 200 MB project.yaml is refused for its size, naming the file and the
/// limit (it used to fail as an internal error of the core), at once.
#[test]
fn a_200_mb_project_yaml_is_refused_for_its_size() {
    let project = project();
    let path = project.root.join("project.yaml");
    let file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    file.set_len(200 << 20).unwrap();
    let started = Instant::now();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let error = error_line(&ran.stderr);
    assert!(
        error.contains("project.yaml") && error.contains("larger than 16 MiB"),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

/// `yes | leverage … --credentials-file -` used to read until memory ran
/// out: standard input is read up to the limit and no further, the run
/// ends with an error naming it while the writer is still writing.
#[test]
fn endless_standard_input_is_read_only_up_to_the_limit() {
    let project = project();
    let mut child = project
        .command(None)
        .args([
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            "-",
            "--non-interactive",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // Four times the limit, or until the binary stops reading.
    let writer = std::thread::spawn(move || {
        let chunk = "y\n".repeat(1 << 15);
        let mut written = 0usize;
        while written < 64 << 20 {
            if input.write_all(chunk.as_bytes()).is_err() {
                return (written, true);
            }
            written += chunk.len();
        }
        (written, false)
    });
    let ran = finish(child);
    let (written, cut_off) = writer.join().unwrap();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let error = error_line(&ran.stderr);
    assert!(
        error.contains("standard input") && error.contains("more than 16 MiB"),
        "{error}"
    );
    assert!(
        cut_off && written < 32 << 20,
        "the binary read {written} bytes of standard input"
    );
}

// ---------------------------------------------------------------------------
// Modes.

/// A credentials file readable by others, in a folder open to everyone,
/// holds the new secret at 0600 in a 0700 folder after the run, and the
/// summary says what was tightened.
#[test]
fn secret_files_and_their_folder_are_tightened() {
    let moto = Moto::start();
    let state = moto.setup(json!({"users": [{"name": "jane"}], "enforce_auth": true}));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = project();
    let csv = project.keys_csv(key_id, secret);
    let dir = project.home.join(".aws/bb");
    std::fs::create_dir_all(&dir).unwrap();
    let credentials = project.aws_file("bb", "credentials");
    std::fs::write(&credentials, "[other]\nregion = us-east-1\n").unwrap();
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = project.run(
        Some(&moto),
        &configure_args("MANAGEMENT", csv.to_str().unwrap(), &["--skip-assumable-roles-setup"]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&credentials), 0o600);
    assert_eq!(mode(&dir), 0o700);
    assert!(
        out.stderr.contains("mode 0644 -> 0600") && out.stderr.contains("~/.aws/bb 0777 -> 0700"),
        "the summary does not say what was tightened:\n{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------
// Links.

/// A committed `build.env -> ../../outside/.bash_profile` must not make the
/// run create (or change) a file outside the project: the run stops before
/// writing anything, naming the link.
#[test]
fn project_files_are_never_written_through_links_that_leave_the_project() {
    let project = project();
    let outside = project.home.parent().unwrap().join("outside");
    std::os::unix::fs::symlink("../../outside/.bash_profile", project.root.join("build.env")).unwrap();
    let before = project.snapshot();
    for dry_run in [true, false] {
        let mut args = SKIP_KEYS.to_vec();
        if dry_run {
            args.push("--dry-run");
        }
        let ran = run_bounded(project.command(None), &args);
        assert_eq!(ran.code, Some(1), "dry run {dry_run}: {}", ran.stderr);
        let error = error_line(&ran.stderr);
        assert!(
            error.contains("build.env") && error.contains("outside the project"),
            "{error}"
        );
        assert!(!outside.exists(), "the run created {}", outside.display());
        assert_eq!(project.snapshot(), before, "dry run {dry_run}");
    }

    // A link whose target is inside the project is written through (here
    // a dangling one: the run creates build.env where it points).
    std::fs::remove_file(project.root.join("build.env")).unwrap();
    std::fs::create_dir(project.root.join("shared")).unwrap();
    std::os::unix::fs::symlink("shared/build.env", project.root.join("build.env")).unwrap();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(std::fs::symlink_metadata(project.root.join("build.env"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(project.root.join("shared/build.env"))
        .unwrap()
        .contains("PROJECT=bb"));
}

/// Under `~/.aws` a link is written through (dotfile managers use them),
/// but the folders of a dangling link's target are never created.
#[test]
fn links_under_aws_are_written_through_but_never_create_folders() {
    let project = project();
    let dotfiles = project.home.join("dotfiles");
    std::fs::create_dir_all(project.home.join(".aws/bb")).unwrap();
    let config = project.aws_file("bb", "config");
    std::os::unix::fs::symlink("../../dotfiles/aws/config", &config).unwrap();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let error = error_line(&ran.stderr);
    assert!(
        error.contains("~/.aws/bb/config") && error.contains("does not exist"),
        "{error}"
    );
    assert!(!dotfiles.exists(), "the run created the link's folders");

    std::fs::create_dir_all(dotfiles.join("aws")).unwrap();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(std::fs::symlink_metadata(&config).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(dotfiles.join("aws/config"))
        .unwrap()
        .contains("[profile bb-shared-oaar]"));
}

// ---------------------------------------------------------------------------
// Signals.

/// Start a run that pauses after its first rename (a debug-build test
/// hook) and return it once it says so, with its standard error so far.
fn paused_in_apply(project: &Project, release: &Path, extra_env: &[(&str, &str)]) -> (Child, String) {
    let mut cmd = project.command(None);
    cmd.env("LEVERAGE_TEST_PAUSE_AFTER_RENAME", format!("1:{}", release.display()));
    for (name, value) in extra_env {
        cmd.env(name, value);
    }
    let mut child = cmd
        .args(SKIP_KEYS)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains("test hook: paused after rename 1") {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the run never paused in the apply:\n{seen}");
            }
        }
    }
    // Keep reading standard error, so the run never blocks writing to it.
    std::thread::spawn(move || rx.into_iter().for_each(drop));
    (child, seen)
}

/// Let a paused run go on, wait for it (bounded), and return its exit code.
fn end_paused(mut child: Child, release: &Path) -> Option<i32> {
    std::fs::write(release, "").unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGTERM or SIGINT in the middle of the renames waits for the apply: every
/// file is new afterwards (never some new and some old), and the run ends
/// with 130.
#[test]
fn a_signal_during_the_write_waits_until_every_file_is_written() {
    for signal in [rustix::process::Signal::TERM, rustix::process::Signal::INT] {
        let project = project();
        let release = project.home.parent().unwrap().join("release");
        let (child, _) = paused_in_apply(&project, &release, &[]);
        send_signal(&child, signal);
        std::thread::sleep(Duration::from_millis(300));
        let code = end_paused(child, &release);
        assert_eq!(code, Some(130), "{signal:?}");
        assert!(std::fs::read_to_string(project.root.join("build.env"))
            .unwrap()
            .contains("PROJECT=bb"));
        assert!(project.read_aws("bb", "config").contains("[profile bb-shared-oaar]"));
        assert!(std::fs::read_to_string(project.root.join("config/common.tfvars"))
            .unwrap()
            .contains("333333333333"));
    }
}

/// A signal in the write window while the apply then fails: the rollback
/// runs in full first, and every file is as it was.
#[test]
fn a_signal_during_a_failing_write_waits_for_the_rollback() {
    let project = project();
    let before = project.snapshot();
    let release = project.home.parent().unwrap().join("release");
    let (child, _) = paused_in_apply(&project, &release, &[("LEVERAGE_TEST_FAULT", "rename:2")]);
    send_signal(&child, rustix::process::Signal::TERM);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(end_paused(child, &release), Some(130));
    let after: Vec<_> = project
        .snapshot()
        .into_iter()
        .map(|(path, bytes, _)| (path, bytes))
        .collect();
    let before: Vec<_> = before.into_iter().map(|(path, bytes, _)| (path, bytes)).collect();
    assert_eq!(after, before, "the rollback did not finish");
}

/// While a run waits on AWS (here an endpoint that never answers),
/// SIGINT or SIGTERM ends it at once as a cancelled prompt does: `cancelled;
/// nothing was written`, exit code 130, and nothing on disk, not even
/// `~/.aws`. The process also allows no core dump (it holds the secret).
#[test]
fn a_signal_while_waiting_on_aws_cancels_and_no_core_dump_is_allowed() {
    for signal in [rustix::process::Signal::INT, rustix::process::Signal::TERM] {
        let (endpoint, connected) = silent_endpoint();
        let mut project = project();
        let csv = project.keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        let before = project.snapshot();
        // Allow core dumps as far as the system lets this user, as
        // `ulimit -c unlimited` does: the binary must take that back.
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg("ulimit -S -c unlimited 2>/dev/null || ulimit -S -c \"$(ulimit -H -c)\"; exec \"$@\"")
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_leverage"));
        let template = project.command(None);
        cmd.env_clear()
            .envs(template.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env("AWS_ENDPOINT_URL", &endpoint)
            .current_dir(&project.root);
        let child = cmd
            .args(configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        connected
            .recv_timeout(TIMEOUT)
            .expect("the run never called the endpoint");
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap()
            .split_whitespace()
            .skip(4)
            .take(2)
            .collect::<Vec<_>>();
        assert_eq!(core, ["0", "0"], "core dumps are allowed:\n{limits}");
        send_signal(&child, signal);
        let ran = finish(child);
        assert_eq!(ran.code, Some(130), "{signal:?}: {}", ran.stderr);
        assert_eq!(
            ran.stderr.lines().last(),
            Some("Error: cancelled; nothing was written"),
            "{}",
            ran.stderr
        );
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
        assert_eq!(project.snapshot(), before);
        assert!(!project.home.join(".aws").exists(), "the run created ~/.aws");
    }
}

/// The screen a terminal shows after `raw` was written to it (enough of
/// VT100 for what the binary and its spinner write: `\r`, `\n`, erase in
/// line, cursor up, SGR and cursor-visibility sequences ignored).
fn screen(raw: &str) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
                if lines.len() <= row {
                    lines.push(Vec::new());
                }
            }
            '\x1b' => {
                if chars.next_if_eq(&'[').is_none() {
                    chars.next();
                    continue;
                }
                let mut params = String::new();
                let mut end = ' ';
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        end = c;
                        break;
                    }
                    params.push(c);
                }
                let n: usize = params.trim_start_matches('?').parse().unwrap_or(0);
                match end {
                    'K' if n == 2 => lines[row].clear(),
                    'K' => lines[row].truncate(col),
                    'A' => row = row.saturating_sub(n.max(1)),
                    'G' => col = n.saturating_sub(1),
                    'J' => lines.truncate(row + 1),
                    _ => {}
                }
            }
            _ => {
                let line = &mut lines[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

/// Ctrl-C at a real terminal while the spinner waits on AWS: the screen
/// ends with the cancel message and keeps no spinner line.
#[test]
fn ctrl_c_at_a_terminal_while_waiting_on_aws_leaves_no_spinner() {
    // A pseudo-terminal from Python's standard library: the binary runs on
    // it as a session leader; bytes written to our pipe are typed on it.
    const PTY: &str = r#"
import os, pty, select, struct, sys, fcntl, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    os.execv(sys.argv[1], sys.argv[1:])
inputs = [fd, 0]
while True:
    ready, _, _ = select.select(inputs, [], [])
    if 0 in ready:
        data = os.read(0, 1024)
        if data:
            os.write(fd, data)
        else:
            inputs.remove(0)
    if fd in ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
_, status = os.waitpid(pid, 0)
sys.stderr.write("exit=%d\n" % os.waitstatus_to_exitcode(status))
"#;
    let (endpoint, connected) = silent_endpoint();
    let mut project = project();
    let csv = project.keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let template = project.command(None);
    let mut cmd = Command::new("python3");
    cmd.arg("-c")
        .arg(PTY)
        .arg(env!("CARGO_BIN_EXE_leverage"))
        .args(configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]))
        .env_clear()
        .envs(template.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("TERM", "xterm-256color")
        .current_dir(&project.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut keyboard = child.stdin.take().unwrap();
    connected
        .recv_timeout(TIMEOUT)
        .expect("the run never called the endpoint");
    // Long enough for the spinner to draw (it ticks every 80 ms).
    std::thread::sleep(Duration::from_millis(500));
    keyboard.write_all(b"\x03").unwrap();
    keyboard.flush().unwrap();
    let ran = finish(child);
    drop(keyboard);
    assert!(ran.stderr.contains("exit=130"), "{}\n{:?}", ran.stderr, ran.stdout);
    assert!(
        ran.stdout.contains("Waiting for AWS"),
        "no spinner was drawn: {:?}",
        ran.stdout
    );
    let screen = screen(&ran.stdout);
    let shown: Vec<&String> = screen.iter().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        shown.last().map(|l| l.as_str()),
        Some("Error: cancelled; nothing was written"),
        "{screen:#?}"
    );
    assert!(
        !screen.iter().any(|l| l.contains("Waiting for AWS") || l.contains("^C")),
        "spinner residue on the screen: {screen:#?}"
    );
}

// ---------------------------------------------------------------------------
// Traces.

/// A run that fails leaves nothing behind: in a HOME without `~/.aws` it
/// creates neither `~/.aws` nor a lock file.
#[test]
fn a_failed_run_creates_nothing() {
    let project = Project::new();
    project.write("project.yaml", "short_name: BB\n");
    let before = project.snapshot();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(!project.home.join(".aws").exists(), "a failed run created ~/.aws");
    assert_eq!(project.snapshot(), before);
}

/// A dry run needs no write access anywhere: with HOME, `~/.aws` and the
/// project all read-only it plans and prints the diff.
#[test]
fn a_dry_run_needs_no_write_access() {
    let project = project();
    let aws = project.home.join(".aws");
    std::fs::create_dir_all(aws.join("bb")).unwrap();
    std::fs::write(aws.join("bb/config"), "[default]\nregion = us-east-1\n").unwrap();
    let mut cmd = project.command(None);
    as_unprivileged(&project, &mut cmd);
    for dir in [
        aws.join("bb"),
        aws.clone(),
        project.root.join("config"),
        project.root.clone(),
        project.home.clone(),
    ] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let before = project.snapshot();
    let mut args = SKIP_KEYS.to_vec();
    args.push("--dry-run");
    let ran = run_bounded(cmd, &args);
    for dir in [
        project.home.clone(),
        project.root.clone(),
        project.root.join("config"),
        aws.clone(),
        aws.join("bb"),
    ] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stdout.contains("+[profile bb-shared-oaar]"), "{}", ran.stdout);
    assert_eq!(project.snapshot(), before);
}

/// Backups of project files are kept where `git status` does not show them
/// (under the git directory), and the summary says where; the AWS files'
/// backups stay beside them.
#[test]
fn backups_of_project_files_stay_out_of_git_status() {
    let project = project();
    std::fs::create_dir_all(project.home.join(".aws/bb")).unwrap();
    std::fs::write(project.aws_file("bb", "config"), "[default]\nregion = us-east-1\n").unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&project.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    git(&["add", "-A"]);
    git(&["commit", "-qm", "project"]);
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);

    let status = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains(".bak"), "backups show in git status:\n{status}");
    assert!(status.contains(" M config/common.tfvars"), "{status}");
    let backups: Vec<PathBuf> = std::fs::read_dir(project.root.join(".git/leverage-backups/config"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let [backup] = &backups[..] else { panic!("{backups:?}") };
    assert_eq!(std::fs::read_to_string(backup).unwrap(), TFVARS);
    assert_eq!(std::fs::metadata(backup).unwrap().mode() & 0o777, 0o600);
    let name = backup.file_name().unwrap().to_str().unwrap();
    assert!(
        ran.stderr
            .contains(&format!("backup: .git/leverage-backups/config/{name}")),
        "the summary does not say where:\n{}",
        ran.stderr
    );
    let beside: Vec<_> = std::fs::read_dir(project.home.join(".aws/bb"))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name().to_string_lossy().starts_with("config.") && e.file_name().to_string_lossy().ends_with(".bak")
        })
        .collect();
    assert_eq!(beside.len(), 1, "the config file's backup is not beside it");
}
