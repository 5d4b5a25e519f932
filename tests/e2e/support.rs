//! The end-to-end fixture: a moto server on a free loopback port, a
//! temporary HOME and git project, and the real `leverage` binary.

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use leverage_test_support::LocalServer;

use serde_json::Value;

/// A moto server of our own, stopped when dropped.
pub struct Moto {
    _server: LocalServer,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Moto {
        let server = LocalServer::start(
            |port| {
                // moto_server, patched to list the caller's own MFA devices as AWS does.
                let launcher = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/support/moto_server.py");
                let mut cmd = Command::new("python3");
                cmd.arg(launcher)
                    .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null());
                cmd
            },
            "/moto-api/",
        )
        .unwrap_or_else(|e| panic!("moto_server did not start: {e} (pip install 'moto[server]')"));
        Moto {
            endpoint: server.endpoint(),
            _server: server,
        }
    }

    /// Build AWS state (see moto_state.py) and return what was made.
    pub fn setup(&self, mut spec: Value) -> Value {
        spec["endpoint"] = Value::String(self.endpoint.clone());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/moto_state.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(spec.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "moto_state.py failed");
        serde_json::from_slice(&out.stdout).expect("moto_state.py prints JSON")
    }
}

/// A temporary HOME and a git project directory inside it.
pub struct Project {
    _dir: tempfile::TempDir,
    pub home: PathBuf,
    pub root: PathBuf,
    /// Every secret the test used: no output may contain one.
    pub secrets: Vec<String>,
}

/// What a run of the binary printed.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let root = home.join("project");
        std::fs::create_dir_all(&root).unwrap();
        let status = Command::new("git")
            .args(["init", "-q"])
            .current_dir(&root)
            .status()
            .unwrap();
        assert!(status.success());
        Project {
            _dir: dir,
            home,
            root,
            secrets: Vec::new(),
        }
    }

    pub fn write(&self, relative: &str, content: &str) -> PathBuf {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    pub fn aws_file(&self, short: &str, name: &str) -> PathBuf {
        self.home.join(".aws").join(short).join(name)
    }

    pub fn read_aws(&self, short: &str, name: &str) -> String {
        std::fs::read_to_string(self.aws_file(short, name)).unwrap_or_default()
    }

    /// A CSV of access keys in the console's current layout, outside the project.
    pub fn keys_csv(&mut self, access_key_id: &str, secret: &str) -> PathBuf {
        self.secrets.push(secret.to_string());
        let path = self.home.join(format!("{access_key_id}_accessKeys.csv"));
        std::fs::write(
            &path,
            format!("\u{feff}Access key ID,Secret access key\r\n{access_key_id},{secret}\r\n"),
        )
        .unwrap();
        path
    }

    pub fn command(&self, moto: Option<&Moto>) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leverage"));
        cmd.env_clear()
            .env("HOME", &self.home)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .current_dir(&self.root);
        // A session of its own, without a controlling terminal: a run the
        // test means to have no terminal must not find the developer's
        // through /dev/tty (the pty tests give theirs one).
        // SAFETY: setsid is async-signal-safe and touches no memory.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                libc::setsid();
                Ok(())
            });
        }
        if let Some(moto) = moto {
            cmd.env("AWS_ENDPOINT_URL", &moto.endpoint);
        } else {
            // Nothing listens there: a test that reaches AWS by mistake fails fast.
            cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        }
        cmd
    }

    /// Run the binary with `args`, optional standard input, and check that no
    /// secret the test used appears in anything it printed.
    pub fn run_with(&self, mut cmd: Command, args: &[&str], stdin: Option<&str>) -> Output {
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the leverage binary");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        let output = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        self.checked(output)
    }

    /// Start the binary with `args` and no standard input, and go on while
    /// it runs: what it prints on stderr can be waited for meanwhile.
    pub fn spawn(&self, mut cmd: Command, args: &[&str]) -> Running<'_> {
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the leverage binary");
        let mut out = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = out.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        let stderr_done = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Running {
            project: self,
            child,
            stdout,
            stderr,
            stderr_done,
        }
    }

    /// The checks every run's output passes: no secret, no panic.
    fn checked(&self, output: Output) -> Output {
        for secret in &self.secrets {
            assert!(
                !output.stdout.contains(secret.as_str()),
                "a secret reached stdout:\n{}",
                output.stdout
            );
            assert!(
                !output.stderr.contains(secret.as_str()),
                "a secret reached stderr:\n{}",
                output.stderr
            );
        }
        assert!(
            !output.stderr.contains("panicked"),
            "the binary panicked:\n{}",
            output.stderr
        );
        output
    }

    pub fn run(&self, moto: Option<&Moto>, args: &[&str]) -> Output {
        self.run_with(self.command(moto), args, None)
    }

    /// Every file under the project and HOME with its bytes and modification time.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>, std::time::SystemTime)>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.file_name().is_some_and(|n| n == ".git" || n == ".leverage.lock") {
                    continue;
                }
                let meta = std::fs::symlink_metadata(&path).unwrap();
                if meta.is_dir() {
                    walk(&path, out);
                } else {
                    out.push((
                        path.clone(),
                        std::fs::read(&path).unwrap_or_default(),
                        meta.modified().unwrap(),
                    ));
                }
            }
        }
        let mut files = Vec::new();
        walk(&self.home, &mut files);
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }
}

/// A run of the binary started with [`Project::spawn`].
pub struct Running<'a> {
    project: &'a Project,
    child: Child,
    stdout: JoinHandle<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_done: JoinHandle<()>,
}

impl Running<'_> {
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Sends SIGINT, as Ctrl-C at the terminal does.
    pub fn interrupt(&self) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    }

    /// Whether the process has not exited yet.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits until the run has printed `text` on stderr; panics when it
    /// exits first or has not printed it within `timeout`.
    #[track_caller]
    pub fn wait_for_stderr(&mut self, text: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.stderr().contains(text) {
                return;
            }
            if !self.is_running() && self.stderr_done.is_finished() {
                panic!("the run exited without printing {text:?}:\n{}", self.stderr());
            }
            if Instant::now() > deadline {
                panic!("the run did not print {text:?} within {timeout:?}:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for the run to end and checks its output as [`Project::run_with`] does.
    pub fn finish(mut self) -> Output {
        let status = self.child.wait().unwrap();
        let stdout = self.stdout.join().unwrap();
        self.stderr_done.join().unwrap();
        let output = Output {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr: String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned(),
        };
        self.project.checked(output)
    }
}

/// What a bounded run printed; `code` is `None` when it was killed.
pub struct Ran {
    pub code: Option<i32>,
    /// Whether it was killed for overstaying its time.
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Wait for `child` (its stdout and stderr piped) at most `timeout`, killing
/// it when it overstays: a hang fails its test instead of the whole suite.
pub fn finish_within(mut child: Child, timeout: Duration) -> Ran {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ran {
        code: status.and_then(|s| s.code()),
        timed_out: status.is_none(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// An advisory lock on the project root directory, as a run takes it (an
/// `flock` on the directory itself), held until dropped: what another run,
/// from this HOME or another, holds while it plans and writes.
pub struct ProjectLock(#[allow(dead_code)] std::fs::File);

impl ProjectLock {
    pub fn take(root: &Path) -> ProjectLock {
        let dir = std::fs::File::open(root).unwrap();
        dir.lock().expect("locking the project root");
        ProjectLock(dir)
    }

    /// Whether a run holds the lock on `root` now.
    pub fn is_held(root: &Path) -> bool {
        let dir = std::fs::File::open(root).unwrap();
        match dir.try_lock() {
            Ok(()) => false,
            Err(std::fs::TryLockError::WouldBlock) => true,
            Err(std::fs::TryLockError::Error(e)) => panic!("locking {}: {e}", root.display()),
        }
    }
}

/// The unprivileged user a test runs the binary as when the test runs as
/// root: root writes through a read-only mode and reads through mode 000.
pub const NOBODY: u32 = 65534;

pub fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// Gives `dir` and everything in it to [`NOBODY`], who must own the
/// temporary HOME to use it.
pub fn give_to_nobody(dir: &Path) {
    std::os::unix::fs::lchown(dir, Some(NOBODY), Some(NOBODY)).unwrap();
    if std::fs::symlink_metadata(dir).unwrap().is_dir() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            give_to_nobody(&entry.path());
        }
    }
}

/// The access key id and secret moto_state.py made for `user`.
pub fn keys_of<'a>(state: &'a Value, user: &str) -> (&'a str, &'a str) {
    let user = &state["users"][user];
    (
        user["access_key_id"].as_str().unwrap(),
        user["secret_access_key"].as_str().unwrap(),
    )
}

pub fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The arguments of a non-interactive run with keys from a CSV file:
/// `credentials configure --type <kind> --credentials-file <csv>
/// --non-interactive`, then `extra`.
pub fn configure_args<'a>(kind: &'a str, csv: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "credentials",
        "configure",
        "--type",
        kind,
        "--credentials-file",
        csv,
        "--non-interactive",
    ];
    args.extend_from_slice(extra);
    args
}

/// A project.yaml like `leverage project init` writes: management,
/// security and shared.
/// Every flag of `credentials configure`: its help and the man page list each.
pub const CONFIGURE_FLAGS: &[&str] = &[
    "--type",
    "--credentials-file",
    "--fetch-mfa-device",
    "--overwrite-existing-credentials",
    "--skip-access-keys-setup",
    "--skip-assumable-roles-setup",
    "--dry-run",
    "--non-interactive",
    "--output",
    "--role-name",
    "--all-accounts",
    "--mfa-serial",
    "--prune",
    "--skip-account-check",
];

pub const PROJECT_YAML: &str = leverage_test_support::project_yaml!("management", "security", "shared");
