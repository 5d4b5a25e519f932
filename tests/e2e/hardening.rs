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

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{configure_args, finish_within, keys_of, Moto, Project, Ran};

mod files;
mod input;
mod signals;

/// A run that takes longer than this is a hang.
const TIMEOUT: Duration = Duration::from_secs(30);

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
