//! The AWS emulator: moto on a free loopback port, started and stopped here.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
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
    child: Child,
    pub endpoint: String,
    /// Where the emulator logs each ListAccounts call, when asked to.
    pub calls: Option<PathBuf>,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.starts_with("HTTP/1").then_some(reply)
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
        for _attempt in 0..3 {
            let port = free_port()?;
            let mut cmd = Command::new("python3");
            cmd.arg(&launcher).args(["-H", "127.0.0.1", "-p", &port.to_string()]);
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
            if let Some(calls) = calls {
                cmd.env("BENCH_MOTO_CALLS", calls);
            }
            let child = cmd
                .spawn()
                .context("starting python3 tests/bench/moto_aws_like.py (pip install 'moto[server]')")?;
            let mut moto = Moto {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
                calls: calls.map(Path::to_path_buf),
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if matches!(moto.child.try_wait(), Ok(Some(_))) {
                    break; // lost the port race, or moto is missing: try again
                }
                if http_get(port, "/moto-api/").is_some() {
                    return Ok(moto);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = moto.child.kill();
            let _ = moto.child.wait();
        }
        bail!("the moto server did not start (is moto[server] installed for python3?)")
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

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
