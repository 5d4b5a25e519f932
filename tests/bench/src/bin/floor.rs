//! The floor: the least a program can do to produce
//! what `leverage credentials configure --type MANAGEMENT --fetch-mfa-device`
//! produces, with the same AWS SDK crates and the same runtime flavour as the
//! host (a current-thread tokio runtime, explicit keys, `AWS_ENDPOINT_URL`).
//!
//! It reads the keys from the CSV given as its argument, makes the same AWS
//! calls (GetCallerIdentity, ListAccounts every page of 20, ListMFADevices)
//! and writes two small files under `$HOME/.aws/bb/`. No project files, no
//! WASM, no validation, no backups, no lock, no transaction.
//!
//! With `--durable` it writes each file as a crash-safe writer must (a
//! temporary file, fsync, rename, then fsync of the directory), which is
//! what `leverage` does for every file it changes: on this kind of disk an
//! fsync costs about a millisecond, as much as an AWS call to the emulator.
//!
//! It uses the SDK the way its documentation shows: one configuration, a
//! client per service, and the calls one after another.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let durable = args.iter().any(|a| a == "--durable");
    let mfa = !args.iter().any(|a| a == "--no-mfa");
    let csv_path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .context("usage: floor [--durable] [--no-mfa] KEYS.csv")?
        .clone();
    let csv = std::fs::read_to_string(&csv_path).with_context(|| format!("reading {csv_path}"))?;
    let row = csv.lines().nth(1).context("the CSV has no data row")?;
    let (key_id, secret) = row.trim_end().split_once(',').context("the CSV row has no comma")?;
    let home = PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?);

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (serial, accounts) = runtime.block_on(async {
        let loader = aws_config::defaults(BehaviorVersion::latest());
        let config = loader
            .no_credentials()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                key_id, secret, None, None, "floor",
            )))
            .region(Region::new("us-east-1"))
            .load()
            .await;
        let identity = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await?;
        let arn = identity.arn().unwrap_or_default();
        let user = arn.rsplit('/').next().unwrap_or_default().to_string();

        let organizations = aws_sdk_organizations::Client::new(&config);
        let mut pages = organizations.list_accounts().into_paginator().page_size(20).send();
        let mut accounts = Vec::new();
        while let Some(page) = pages.next().await {
            for account in page?.accounts() {
                accounts.push((
                    account.name().unwrap_or_default().to_string(),
                    account.id().unwrap_or_default().to_string(),
                ));
            }
        }

        if !mfa {
            return Ok::<_, anyhow::Error>((None, accounts));
        }
        let iam = aws_sdk_iam::Client::new(&config);
        let devices = iam.list_mfa_devices().user_name(user).send().await?;
        let serial = devices
            .mfa_devices()
            .first()
            .map(|d| d.serial_number().to_string())
            .ok_or_else(|| anyhow!("no MFA device"))?;
        let serial = Some(serial);
        Ok::<_, anyhow::Error>((serial, accounts))
    })?;

    let dir = home.join(".aws/bb");
    std::fs::create_dir_all(&dir)?;
    let write = |name: &str, text: &str| -> Result<()> {
        if !durable {
            return Ok(std::fs::write(dir.join(name), text)?);
        }
        let temp = dir.join(format!(".{name}.tmp"));
        let mut file = std::fs::File::create(&temp)?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        Ok(std::fs::rename(&temp, dir.join(name))?)
    };
    write(
        "credentials",
        &format!("[bb-management]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )?;
    let mut config = String::from("[profile bb-management]\noutput = json\nregion = us-east-1\n");
    for (name, id) in &accounts {
        let name = name.strip_prefix("binbash-").unwrap_or(name);
        let _ = write!(
            config,
            "[profile bb-{name}-oaar]\noutput = json\nregion = us-east-1\nrole_arn = arn:aws:iam::{id}:role/OrganizationAccountAccessRole\nsource_profile = bb-management\n"
        );
        if let Some(serial) = &serial {
            let _ = writeln!(config, "mfa_serial = {serial}");
        }
    }
    write("config", &config)?;
    if durable {
        std::fs::File::open(&dir)?.sync_all()?;
    }
    Ok(())
}
