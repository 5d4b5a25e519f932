//! `credentials rotate` against the emulator: the new key works with the
//! real AWS CLI, IAM shows what became of the old one, and every failure
//! ends with the old key in use and no key left behind.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{keys_of, mode, running_as_root, Moto, Output, Project, NOBODY, PROJECT_YAML};

/// One IAM user with one key (and whatever `extra` adds), auth enforced;
/// the project's MANAGEMENT profile holds the user's key.
fn setup(moto: &Moto, user: Value) -> (Project, String, String) {
    let name = user["name"].as_str().unwrap().to_string();
    let state = moto.setup(json!({ "users": [user], "enforce_auth": true }));
    let (key_id, secret) = keys_of(&state, &name);
    let (key_id, secret) = (key_id.to_string(), secret.to_string());
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    project.secrets.push(secret.clone());
    let dir = project.home.join(".aws/bb");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let credentials = dir.join("credentials");
    std::fs::write(
        &credentials,
        format!("[bb-management]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&credentials, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    (project, key_id, secret)
}

fn rotate(project: &Project, moto: &Moto, extra: &[&str]) -> Output {
    let mut args = vec!["credentials", "rotate", "--type", "MANAGEMENT", "--non-interactive"];
    args.extend_from_slice(extra);
    project.run(Some(moto), &args)
}

/// The real AWS CLI with the project's files, as a user would run it.
fn aws_cli(project: &Project, moto: &Moto, args: &[&str]) -> Output {
    let aws = project.home.join(".aws/bb");
    let mut cmd = Command::new("aws");
    cmd.args(args).env_clear();
    for (key, value) in std::env::vars_os() {
        if key == "PATH" || key.to_string_lossy().starts_with("PYENV_") {
            cmd.env(key, value);
        }
    }
    let out = cmd
        .env("HOME", &project.home)
        .env("AWS_CONFIG_FILE", aws.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", aws.join("credentials"))
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(&project.home)
        .stdin(Stdio::null())
        .output()
        .expect("aws on PATH (pip install awscli)");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The user's keys as IAM lists them (asked with the profile's current keys):
/// id -> status.
fn iam_keys(project: &Project, moto: &Moto) -> Vec<(String, String)> {
    let out = aws_cli(
        project,
        moto,
        &["iam", "list-access-keys", "--profile", "bb-management"],
    );
    assert_eq!(out.code, 0, "aws iam list-access-keys: {}", out.stderr);
    let listed: Value = serde_json::from_str(&out.stdout).unwrap();
    let mut keys: Vec<(String, String)> = listed["AccessKeyMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["AccessKeyId"].as_str().unwrap().to_string(),
                k["Status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    keys.sort();
    keys
}

fn key_in_file(project: &Project) -> (String, String) {
    let text = project.read_aws("bb", "credentials");
    let value = |name: &str| {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(name)
                    .map(|v| v.trim_start_matches([' ', '=']).trim().to_string())
            })
            .unwrap()
    };
    (value("aws_access_key_id"), value("aws_secret_access_key"))
}

fn no_secret_in(out: &Output, secret: &str) {
    assert!(!out.stdout.contains(secret), "a secret reached stdout:\n{}", out.stdout);
    assert!(!out.stderr.contains(secret), "a secret reached stderr:\n{}", out.stderr);
}

#[test]
fn rotate_writes_a_key_the_aws_cli_uses_and_deactivates_the_old_one() {
    let moto = Moto::start();
    let (project, old_id, _) = setup(&moto, json!({ "name": "jane" }));
    // --verbose: the debug lines of every AWS call must not show the new secret either.
    let out = rotate(&project, &moto, &["--verbose"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("iam:CreateAccessKey"), "{}", out.stderr);
    let (new_id, new_secret) = key_in_file(&project);
    assert_ne!(new_id, old_id);
    no_secret_in(&out, &new_secret);
    assert!(out.stderr.contains(&format!("old key  {old_id}")), "{}", out.stderr);
    assert!(out.stderr.contains("deactivated"), "{}", out.stderr);
    assert_eq!(mode(&project.aws_file("bb", "credentials")), 0o600);
    // A backup of the old file, as configure keeps.
    let backups: Vec<_> = std::fs::read_dir(project.home.join(".aws/bb"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1);

    // The real AWS CLI signs with the new key; IAM shows the old one inactive.
    let identity = aws_cli(
        &project,
        &moto,
        &["sts", "get-caller-identity", "--profile", "bb-management"],
    );
    assert_eq!(identity.code, 0, "{}", identity.stderr);
    assert!(identity.stdout.contains("user/jane"), "{}", identity.stdout);
    let mut expected = vec![(old_id.clone(), "Inactive".to_string()), (new_id, "Active".to_string())];
    expected.sort();
    assert_eq!(iam_keys(&project, &moto), expected);

    // The rotation is recorded: restore puts the old key back in the file,
    // warning that IAM has it deactivated.
    let list = project.run(None, &["credentials", "restore", "--list"]);
    assert!(
        list.stdout.lines().next().is_some_and(|l| l.contains("rotate")),
        "{}",
        list.stdout
    );
    let out = project.run(None, &["credentials", "restore", "--non-interactive"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("reactivate it"), "{}", out.stderr);
    assert_eq!(key_in_file(&project).0, old_id);
}

#[test]
fn rotate_with_delete_old_leaves_only_the_new_key_in_iam() {
    let moto = Moto::start();
    let (project, _, _) = setup(&moto, json!({ "name": "jane" }));
    let out = rotate(&project, &moto, &["--delete-old"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (new_id, _) = key_in_file(&project);
    assert_eq!(iam_keys(&project, &moto), [(new_id, "Active".to_string())]);
}

#[test]
fn a_user_with_two_keys_gets_no_new_key_and_the_other_key_is_named() {
    let moto = Moto::start();
    let state_user = json!({ "name": "jane", "second_key": true });
    let (project, old_id, _) = setup(&moto, state_user);
    let before = project.snapshot();
    let out = rotate(&project, &moto, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("already has two access keys"), "{}", out.stderr);
    assert!(out.stderr.contains("inactive"), "{}", out.stderr);
    assert_eq!(project.snapshot(), before);
    let keys = iam_keys(&project, &moto);
    assert_eq!(keys.len(), 2, "{keys:?}");
    let other = keys.iter().find(|(id, _)| *id != old_id).unwrap();
    assert!(out.stderr.contains(&other.0), "the other key is named: {}", out.stderr);
}

#[test]
fn a_new_key_sts_never_accepts_is_deleted_and_the_old_key_stays() {
    let moto = Moto::start();
    let (project, old_id, _) = setup(&moto, json!({ "name": "unpropagated-jane" }));
    let before = project.snapshot();
    let out = rotate(&project, &moto, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("does not accept the new key yet"),
        "the wait is shown: {}",
        out.stderr
    );
    assert!(out.stderr.contains("was deleted again"), "{}", out.stderr);
    assert_eq!(project.snapshot(), before);
    assert_eq!(iam_keys(&project, &moto), [(old_id, "Active".to_string())]);
}

#[test]
fn a_credentials_file_that_cannot_be_written_deletes_the_new_key_again() {
    let moto = Moto::start();
    let (project, old_id, _) = setup(&moto, json!({ "name": "jane" }));
    let dir = project.home.join(".aws/bb");
    // Read-only directory and file: no temporary file, no rename. Root
    // writes through modes, so the run is made as an unprivileged user.
    let mut cmd = project.command(Some(&moto));
    if running_as_root() {
        crate::support::give_to_nobody(project.home.parent().unwrap());
        cmd.uid(NOBODY).gid(NOBODY);
    }
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o500)).unwrap();
    std::fs::set_permissions(
        dir.join("credentials"),
        std::os::unix::fs::PermissionsExt::from_mode(0o400),
    )
    .unwrap();
    let before = project.snapshot();
    let out = project.run_with(
        cmd,
        &["credentials", "rotate", "--type", "MANAGEMENT", "--non-interactive"],
        None,
    );
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("was not written"), "{}", out.stderr);
    assert!(out.stderr.contains("deleted again"), "{}", out.stderr);
    assert_eq!(project.snapshot(), before);
    assert_eq!(iam_keys(&project, &moto), [(old_id, "Active".to_string())]);
}

#[test]
fn a_failed_deactivation_keeps_the_new_key_and_names_the_command() {
    let moto = Moto::start();
    let (project, old_id, _) = setup(&moto, json!({ "name": "jane", "deny": ["iam:UpdateAccessKey"] }));
    let out = rotate(&project, &moto, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (new_id, _) = key_in_file(&project);
    assert_ne!(new_id, old_id);
    assert!(
        out.stderr.contains(&format!("the old key {old_id} is still active")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "aws iam update-access-key --user-name jane --access-key-id {old_id} --status Inactive"
        )),
        "{}",
        out.stderr
    );
    // The new key works; both are active.
    let mut expected = vec![(old_id, "Active".to_string()), (new_id, "Active".to_string())];
    expected.sort();
    assert_eq!(iam_keys(&project, &moto), expected);
}

#[test]
fn dry_run_creates_no_key_and_writes_nothing() {
    let moto = Moto::start();
    let (project, old_id, _) = setup(&moto, json!({ "name": "jane" }));
    let before = project.snapshot();
    let out = rotate(&project, &moto, &["--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("would be created"), "{}", out.stderr);
    assert!(out.stderr.contains("would be deactivated"), "{}", out.stderr);
    assert_eq!(project.snapshot(), before);
    assert_eq!(iam_keys(&project, &moto), [(old_id, "Active".to_string())]);
}

#[test]
fn json_output_reports_ids_age_and_action_without_secrets() {
    let moto = Moto::start();
    let (project, old_id, _) = setup(&moto, json!({ "name": "jane" }));
    let out = rotate(&project, &moto, &["--output", "json", "--delete-old"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (new_id, new_secret) = key_in_file(&project);
    no_secret_in(&out, &new_secret);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["new_key_id"], json!(new_id));
    assert_eq!(report["new_key"], json!("written"));
    assert_eq!(report["old_key"]["id"], json!(old_id));
    assert_eq!(report["old_key"]["age_days"], json!(0));
    assert_eq!(report["old_key"]["action"], json!("deleted"));
    assert_eq!(report["dry_run"], json!(false));
    assert!(report["backup"].as_str().unwrap().ends_with(".bak"));
}

/// Ctrl-C while AWS makes the new key visible: the run does not write it
/// and deletes it again, so the old key stays the one in use.
#[test]
fn ctrl_c_before_the_write_ends_with_the_old_key_and_no_new_one() {
    let moto = Moto::start();
    let (project, old_id, _) = setup(&moto, json!({ "name": "slow-jane" }));
    let before = project.snapshot();
    let mut running = project.spawn(
        project.command(Some(&moto)),
        &["credentials", "rotate", "--type", "MANAGEMENT", "--non-interactive"],
    );
    running.wait_for_stderr("does not accept the new key yet", Duration::from_secs(30));
    running.interrupt();
    let out = running.finish();
    assert_eq!(out.code, 130, "{}", out.stderr);
    assert!(out.stderr.contains("deleted again"), "{}", out.stderr);
    assert_eq!(project.snapshot(), before);
    assert_eq!(iam_keys(&project, &moto), [(old_id, "Active".to_string())]);
}

/// `--help` says what the command guarantees.
#[test]
fn help_explains_the_rotation() {
    let project = Project::new();
    let out = project.run(None, &["credentials", "rotate", "--help"]);
    assert_eq!(out.code, 0);
    for part in ["--delete-old", "--dry-run", "deleted again", "Ctrl-C"] {
        assert!(out.stdout.contains(part), "{part}: {}", out.stdout);
    }
    let _ = std::io::stdout().flush();
}
