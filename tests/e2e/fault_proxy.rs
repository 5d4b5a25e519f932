//! A hostile network: a loopback HTTP proxy in front of moto that
//! answers with throttling errors, 5xx, reset connections, replies slower than
//! the read timeout, malformed bodies, or rewritten replies, for the first N
//! requests or for all. Retried faults must end in success once they clear;
//! faults that persist must end in a clear error within a bounded time; and
//! no failing run may write anything.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{configure_args, keys_of, Moto, Output, Project, PROJECT_YAML};

mod proxy;
mod replies;
mod retries;

pub use proxy::{Fault, FaultProxy, Seen, Times};

// ---------------------------------------------------------------------------
// The runs

/// The read timeout of the slow-reply tests (debug builds only), short so
/// that they end in seconds, and long enough for moto to answer the retry on
/// a busy machine. Every other run keeps the host's own read timeout, so a
/// slow moto reply never turns into an extra attempt there.
const SHORT_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// A reply delayed this long is slower than the short read timeout.
const SLOWER_THAN_THE_TIMEOUT: Duration = Duration::from_secs(30);
/// The host's attempts per call (host/src/aws.rs).
const ATTEMPTS: usize = 3;
/// The waits between three attempts, at most 1 + 2 s (exponential backoff
/// from a 1 s base, with jitter below it).
const MAX_BACKOFF: Duration = Duration::from_secs(3);
/// A failing run ends within its attempts, each bounded by the read timeout
/// when it is set, plus the backoff and this much for everything else.
const SLACK: Duration = Duration::from_secs(30);

struct World {
    moto: Moto,
    proxy: FaultProxy,
    project: Project,
    state: Value,
    csv: String,
    /// Set by the slow-reply tests only.
    read_timeout: Option<Duration>,
}

/// An organization with two member accounts, a user with one MFA device,
/// and a project whose keys CSV holds that user's keys.
fn world() -> World {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [{"name": "jane", "mfa": 1}],
    }));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let proxy = FaultProxy::start(&moto);
    World {
        moto,
        proxy,
        project,
        state,
        csv: csv.display().to_string(),
        read_timeout: None,
    }
}

/// [`world`] with [`SHORT_READ_TIMEOUT`], for the slow-reply tests.
fn world_with_short_read_timeout() -> World {
    World {
        read_timeout: Some(SHORT_READ_TIMEOUT),
        ..world()
    }
}

impl World {
    fn run(&self, extra: &[&str]) -> (Output, Duration) {
        let mut cmd = self.project.command(Some(&self.moto));
        cmd.env("AWS_ENDPOINT_URL", &self.proxy.endpoint);
        if let Some(timeout) = self.read_timeout {
            cmd.env("LEVERAGE_TEST_READ_TIMEOUT_MS", timeout.as_millis().to_string());
        }
        let args = configure_args("MANAGEMENT", &self.csv, extra);
        let started = Instant::now();
        let out = self.project.run_with(cmd, &args, None);
        (out, started.elapsed())
    }

    /// How long a run that fails every attempt may take.
    fn bound(&self) -> Duration {
        let attempts = self.read_timeout.map_or(Duration::ZERO, |t| t * ATTEMPTS as u32);
        attempts + MAX_BACKOFF + SLACK
    }

    fn org_id(&self, name: &str) -> String {
        self.state["org_accounts"][name].as_str().unwrap().to_string()
    }

    /// A run that must fail: exit 1 within the bound, one clear error
    /// paragraph that says `says`, and nothing written.
    fn fails(&self, extra: &[&str], says: &[&str]) -> Output {
        let before = self.project.snapshot();
        let (out, took) = self.run(extra);
        assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
        assert!(took < self.bound(), "the failure took {took:?}");
        let error = out
            .stderr
            .lines()
            .skip_while(|l| !l.starts_with("Error: "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(error.starts_with("Error: "), "no error paragraph:\n{}", out.stderr);
        for text in says {
            assert!(error.contains(text), "the error does not say `{text}`:\n{error}");
        }
        assert!(
            !out.stderr.contains(|c: char| c.is_control() && c != '\n'),
            "a control character reached the terminal:\n{:?}",
            out.stderr
        );
        assert_eq!(self.project.snapshot(), before, "a failing run wrote something");
        assert!(!self.project.aws_file("bb", "credentials").exists());
        out
    }

    /// A run that must succeed and write the keys and both member profiles.
    fn succeeds(&self, extra: &[&str]) -> Output {
        let (out, took) = self.run(extra);
        assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
        assert!(took < self.bound(), "the run took {took:?}");
        let config = self.project.read_aws("bb", "config");
        for name in ["binbash-security", "binbash-shared"] {
            let arn = format!("arn:aws:iam::{}:role/OrganizationAccountAccessRole", self.org_id(name));
            assert!(config.contains(&arn), "no profile for {name}:\n{config}");
        }
        assert!(self.project.read_aws("bb", "credentials").contains("[bb-management]"));
        out
    }
}

/// The requests for one operation were `faults` faulted attempts, in a row
/// from the first, and then one that passed. An attempt more between them
/// is allowed: a reply that took longer than the host's read timeout on a
/// busy machine would add one, and says nothing about the retries.
#[track_caller]
fn faulted_then_passed(seen: &[Seen], faults: usize) {
    let faulted: Vec<bool> = seen.iter().map(|s| s.faulted).collect();
    assert!(
        faulted.len() > faults && faulted[..faults].iter().all(|&f| f) && faulted[faults..].iter().all(|&f| !f),
        "expected {faults} faulted attempt(s) and then one that passed: {seen:?}"
    );
}

/// The waits between attempts: the SDK backs off (with jitter) between them.
fn total_wait(seen: &[Seen]) -> Duration {
    match (seen.first(), seen.last()) {
        (Some(first), Some(last)) => last.at - first.at,
        _ => Duration::ZERO,
    }
}
