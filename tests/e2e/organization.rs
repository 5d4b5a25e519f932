//! Account profiles from the organization and the write-back of their ids
//! end to end: the real binary against
//! moto with auth enforced, then the generated profiles used by the real AWS
//! CLI, the edited common.tfvars read by HashiCorp's HCL parser (pygohcl) and
//! the edited project.yaml by PyYAML.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::{configure_args, Moto, Output, Project, PROJECT_YAML};

mod mfa;
mod profiles;
mod write_back;

const OAAR: &str = "OrganizationAccountAccessRole";

/// The organization `accounts` (names as created, e.g. `binbash-shared`) and
/// IAM `users`, with moto checking every signature.
fn organization(moto: &Moto, accounts: &[String], users: Value) -> Value {
    moto.setup(json!({ "organization": true, "accounts": accounts, "users": users, "enforce_auth": true }))
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("binbash-{n}")).collect()
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}

/// The id moto gave the organization account `binbash-<name>`.
fn org_id<'a>(state: &'a Value, name: &str) -> &'a str {
    text(state, &format!("/org_accounts/binbash-{name}"))
}

/// `credentials configure --type <kind>` with the keys of `user` from a CSV,
/// never prompting, plus `extra` flags.
fn configure_with_keys(
    project: &mut Project,
    moto: &Moto,
    state: &Value,
    user: &str,
    kind: &str,
    extra: &[&str],
) -> Output {
    let csv = project.keys_csv(
        text(state, &format!("/users/{user}/access_key_id")),
        text(state, &format!("/users/{user}/secret_access_key")),
    );
    project.run(Some(moto), &configure_args(kind, csv.to_str().unwrap(), extra))
}

/// The sections of an AWS config file, in order, each with its keys in order.
fn sections(config: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in config.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.to_string(), Vec::new()));
        } else if let Some((key, value)) = line.split_once('=') {
            let (_, keys) = out.last_mut().expect("a key before any section");
            keys.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    out
}

/// The keys of `[profile <name>]`, in file order.
fn profile(config: &str, name: &str) -> Vec<(String, String)> {
    let wanted = format!("profile {name}");
    sections(config)
        .into_iter()
        .find(|(section, _)| *section == wanted)
        .map(|(_, keys)| keys)
        .unwrap_or_else(|| panic!("no [profile {name}] in the config file:\n{config}"))
}

fn pairs(keys: &[(&str, &str)]) -> Vec<(String, String)> {
    keys.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// An account profile's keys, in order.
fn role_profile(id: &str, role: &str, source: &str, mfa: Option<&str>) -> Vec<(String, String)> {
    let arn = format!("arn:aws:iam::{id}:role/{role}");
    let mut keys = pairs(&[
        ("output", "json"),
        ("region", "us-east-1"),
        ("role_arn", &arn),
        ("source_profile", source),
    ]);
    if let Some(serial) = mfa {
        keys.push(("mfa_serial".into(), serial.into()));
    }
    keys
}

/// The real AWS CLI (PyPI `awscli`), pointed at moto and at the files the
/// binary wrote, run in a session of its own (no controlling terminal) so that
/// an MFA prompt reads its code from `stdin`.
fn aws_cli(project: &Project, moto: &Moto, args: &[&str], stdin: &str) -> Output {
    let aws = project.home.join(".aws/bb");
    let mut cmd = Command::new("setsid");
    cmd.arg("--wait").arg("aws").args(args).env_clear();
    for (key, value) in std::env::vars_os() {
        if key == "PATH" || key.to_string_lossy().starts_with("PYENV_") {
            cmd.env(key, value);
        }
    }
    cmd.env("HOME", &project.home)
        .env("AWS_CONFIG_FILE", aws.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", aws.join("credentials"))
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(&project.home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("setsid and aws on PATH (pip install awscli)");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `aws sts get-caller-identity --profile <profile>`: the identity the CLI
/// got by assuming the profile's role through its source_profile.
fn caller_identity(project: &Project, moto: &Moto, profile: &str, stdin: &str) -> (Value, Output) {
    let out = aws_cli(
        project,
        moto,
        &["sts", "get-caller-identity", "--profile", profile, "--output", "json"],
        stdin,
    );
    assert_eq!(
        out.code, 0,
        "aws sts get-caller-identity --profile {profile} failed:\n{}",
        out.stderr
    );
    let identity = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout));
    (identity, out)
}

/// Run python3 with `code`, the file `path` as its argument, and return the
/// JSON it prints.
fn python_json(code: &str, path: &Path) -> Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .arg(path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "python3 failed on {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python3 prints JSON")
}

/// The file as HashiCorp's HCL parser reads it.
fn hcl(path: &Path) -> Value {
    python_json(
        "import json, sys, pygohcl; print(json.dumps(pygohcl.loads(open(sys.argv[1]).read())))",
        path,
    )
}

/// The file as PyYAML reads it.
fn yaml(path: &Path) -> Value {
    python_json(
        "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        path,
    )
}

/// The ids of project.yaml's `organization.accounts`, by name (`null` when absent).
fn yaml_ids(document: &Value) -> BTreeMap<String, Value> {
    document["organization"]["accounts"]
        .as_array()
        .expect("organization.accounts is a list")
        .iter()
        .map(|a| (a["name"].as_str().unwrap().to_string(), a["id"].clone()))
        .collect()
}
