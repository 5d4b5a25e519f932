//! The AWS emulator: moto on a free loopback port, started and stopped here.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use leverage_test_support::LocalServer;
use serde::Deserialize;
use serde_json::json;

use crate::workspace_root;

/// A moto server of our own, stopped when dropped.
///
/// It runs `tests/bench/moto_aws_like.py`: `moto_server` with two patches
/// that make a call cost what it costs on AWS whatever the organization's
/// size, and AWS's page size for ListAccounts (see that file). Plain moto
/// 5.2 spends time in proportion to the number of accounts on *every*
/// request, which would make the scale row measure moto.
pub struct Moto {
    _server: LocalServer,
    pub endpoint: String,
    /// Where the emulator logs each ListAccounts call, when asked to.
    pub calls: Option<PathBuf>,
}

/// An IAM user the state script made.
#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub arn: String,
    pub mfa: Vec<String>,
}

/// What the state script made.
#[derive(Clone, Debug, Deserialize)]
pub struct OrgState {
    /// Member account name → id (the management account, which moto names
    /// `master`, is not in it).
    pub org_accounts: std::collections::BTreeMap<String, String>,
    pub user: User,
}

impl Moto {
    /// Starts the emulator; with `calls`, it logs every ListAccounts call
    /// (MaxResults and accounts returned) to that file.
    pub fn start(calls: Option<&Path>) -> Result<Moto> {
        let launcher = workspace_root().join("tests/bench/moto_aws_like.py");
        let server = LocalServer::start(
            |port| {
                let mut cmd = Command::new("python3");
                cmd.arg(&launcher).args(["-H", "127.0.0.1", "-p", &port.to_string()]);
                cmd.stdout(Stdio::null()).stderr(Stdio::null());
                if let Some(calls) = calls {
                    cmd.env("BENCH_MOTO_CALLS", calls);
                }
                cmd
            },
            "/moto-api/",
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "the moto server (python3 tests/bench/moto_aws_like.py) did not start: {e} (is moto[server] installed for python3?)"
            )
        })?;
        Ok(Moto {
            endpoint: server.endpoint(),
            _server: server,
            calls: calls.map(Path::to_path_buf),
        })
    }

    /// An organization with `members` member accounts named
    /// `binbash-<name>` and an IAM user `jane` with one MFA device, made with
    /// boto3 by `tests/bench/org_state.py` (progress on standard error).
    pub fn organization(&self, members: &[String]) -> Result<OrgState> {
        let names: Vec<String> = members.iter().map(|m| format!("binbash-{m}")).collect();
        let spec = json!({ "endpoint": self.endpoint, "accounts": names, "user": "jane", "mfa": 1 });
        let script = workspace_root().join("tests/bench/org_state.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("python3 tests/bench/org_state.py")?;
        child
            .stdin
            .take()
            .context("stdin")?
            .write_all(spec.to_string().as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("org_state.py failed");
        }
        serde_json::from_slice(&out.stdout).context("org_state.py prints JSON")
    }

    /// The ListAccounts calls logged since the last call of this function:
    /// (MaxResults as sent, or None; accounts returned).
    pub fn take_list_accounts_calls(&self) -> Result<Vec<(Option<u32>, usize)>> {
        let Some(path) = &self.calls else {
            bail!("this emulator was started without a calls log")
        };
        let text = std::fs::read_to_string(path).unwrap_or_default();
        std::fs::write(path, "")?;
        text.lines()
            .map(|line| {
                let mut parts = line.split_whitespace().skip(1);
                let max = parts.next().context("MaxResults")?;
                let returned = parts.next().context("count")?.parse()?;
                Ok((if max == "-" { None } else { Some(max.parse()?) }, returned))
            })
            .collect()
    }
}
