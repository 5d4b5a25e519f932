//! The original's way of writing the same files, for row 2 of the
//! benchmark: one `aws configure set` process per key, with the queries it
//! needs, through the `aws` executable itself.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::measure::{run, Sample};
use crate::project::RunDir;

/// The `aws` executable itself (not a pyenv shim, which adds a bash script
/// and a pyenv process to every call).
pub fn aws_executable() -> PathBuf {
    Command::new("pyenv")
        .args(["which", "aws"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| PathBuf::from(s.trim()))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("aws"))
}

/// The original's procedure: `aws configure set` per key, with the queries
/// it needs. Returns the wall time and the number of processes.
pub fn aws_cli_way(aws: &Path, dir: &RunDir, endpoint: &str, key: &str, secret: &str) -> Result<(Duration, usize)> {
    let start = Instant::now();
    let mut processes = 0;
    let mut aws_run = |args: &[&str]| -> Result<String> {
        processes += 1;
        let mut cmd = dir.command(aws, endpoint);
        cmd.env("AWS_CONFIG_FILE", dir.aws_file("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.aws_file("credentials"))
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .args(args);
        let out: Sample = run(&mut cmd)?.ok(&format!("aws {}", args.join(" ")))?;
        Ok(out.stdout.trim().to_string())
    };
    let set = |key: &str, value: &str, profile: &str| {
        vec![
            "configure".to_string(),
            "set".into(),
            key.into(),
            value.into(),
            "--profile".into(),
            profile.into(),
        ]
    };
    let call = |aws_run: &mut dyn FnMut(&[&str]) -> Result<String>, args: Vec<String>| -> Result<String> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        aws_run(&args)
    };
    std::fs::create_dir_all(dir.home.join(".aws/bb"))?;
    call(&mut aws_run, set("aws_access_key_id", key, "bb-management"))?;
    call(&mut aws_run, set("aws_secret_access_key", secret, "bb-management"))?;
    call(&mut aws_run, set("output", "json", "bb-management"))?;
    call(&mut aws_run, set("region", "us-east-1", "bb-management"))?;
    let arn = aws_run(&[
        "sts",
        "get-caller-identity",
        "--profile",
        "bb-management",
        "--query",
        "Arn",
        "--output",
        "text",
    ])?;
    let user = arn.rsplit('/').next().unwrap_or_default().to_string();
    let listed = aws_run(&[
        "organizations",
        "list-accounts",
        "--profile",
        "bb-management",
        "--query",
        "Accounts[].[Name,Id]",
        "--output",
        "text",
    ])?;
    let serial = aws_run(&[
        "iam",
        "list-mfa-devices",
        "--user-name",
        &user,
        "--profile",
        "bb-management",
        "--query",
        "MFADevices[0].SerialNumber",
        "--output",
        "text",
    ])?;
    let ids: std::collections::HashMap<&str, &str> = listed
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(n, id)| (n.strip_prefix("binbash-").unwrap_or(n), id))
        .collect();
    for name in ["management", "security", "shared", "network"] {
        let id = match name {
            "management" => "123456789012",
            other => ids
                .get(other)
                .copied()
                .with_context(|| format!("the organization lists no {other}"))?,
        };
        let profile = format!("bb-{name}-oaar");
        call(&mut aws_run, set("output", "json", &profile))?;
        call(&mut aws_run, set("region", "us-east-1", &profile))?;
        call(
            &mut aws_run,
            set(
                "role_arn",
                &format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole"),
                &profile,
            ),
        )?;
        call(&mut aws_run, set("source_profile", "bb-management", &profile))?;
        call(&mut aws_run, set("mfa_serial", &serial, &profile))?;
    }
    Ok((start.elapsed(), processes))
}
