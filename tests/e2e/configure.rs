//! `credentials configure` against the emulator, step by step.

use serde_json::json;

use crate::support::{configure_args, keys_of, mode, Moto, Project, PROJECT_YAML};

/// An organization with two member accounts and one IAM user whose keys moto
/// checks (auth enforced), as an engineer's first MANAGEMENT run would meet.
fn organization(moto: &Moto, mfa: u32) -> serde_json::Value {
    moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [{"name": "jane", "mfa": mfa}],
        "enforce_auth": true,
    }))
}

/// The whole path, end to end: keys from a CSV are checked with
/// AWS, written 0600 in a 0700 directory, and one profile per account follows.
#[test]
fn management_with_csv_writes_credentials_and_profiles() {
    let moto = Moto::start();
    let state = organization(&moto, 0);
    let (key_id, secret) = keys_of(&state, "jane");

    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let out = project.run(Some(&moto), &configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);

    let credentials = project.aws_file("bb", "credentials");
    assert_eq!(
        std::fs::read_to_string(&credentials).unwrap(),
        format!("[bb-management]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
    );
    assert_eq!(mode(&credentials), 0o600);
    assert_eq!(mode(&project.aws_file("bb", "config")), 0o600);
    assert_eq!(mode(&project.home.join(".aws/bb")), 0o700);

    let security_id = state["org_accounts"]["binbash-security"].as_str().unwrap();
    let shared_id = state["org_accounts"]["binbash-shared"].as_str().unwrap();
    let config = project.read_aws("bb", "config");
    assert_eq!(
        config,
        format!(
            "[profile bb-management]\noutput = json\nregion = us-east-1\n\
             [profile bb-security-oaar]\noutput = json\nregion = us-east-1\nrole_arn = arn:aws:iam::{security_id}:role/OrganizationAccountAccessRole\nsource_profile = bb-management\n\
             [profile bb-shared-oaar]\noutput = json\nregion = us-east-1\nrole_arn = arn:aws:iam::{shared_id}:role/OrganizationAccountAccessRole\nsource_profile = bb-management\n"
        )
    );
    // build.env did not exist: it is created to identify the project.
    assert_eq!(
        std::fs::read_to_string(project.root.join("build.env")).unwrap(),
        "PROJECT=bb\n"
    );
}

/// Keys are checked before anything is written.
#[test]
fn rejected_keys_change_nothing() {
    let moto = Moto::start();
    organization(&moto, 0);
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let before = project.snapshot();
    let out = project.run(Some(&moto), &configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("the keys were rejected by AWS"), "{}", out.stderr);
    assert_eq!(project.snapshot(), before, "rejected keys changed files");
}

/// Keys from standard input (`--credentials-file -`) and from the
/// environment (CI), and a rotation with `--overwrite-existing-credentials`.
#[test]
fn keys_from_stdin_then_from_the_environment_with_overwrite() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-shared"],
        "users": [{"name": "jane"}, {"name": "jane2"}],
        "enforce_auth": true,
    }));
    let (id1, secret1) = keys_of(&state, "jane");
    let (id2, secret2) = keys_of(&state, "jane2");

    let mut project = Project::new();
    project.secrets.extend([secret1.to_string(), secret2.to_string()]);
    project.write("project.yaml", PROJECT_YAML);
    let csv = format!("Access key ID,Secret access key\n{id1},{secret1}\n");
    let out = project.run_with(
        project.command(Some(&moto)),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            "-",
            "--non-interactive",
            "--skip-assumable-roles-setup",
        ],
        Some(&csv),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let credentials = project.aws_file("bb", "credentials");
    assert_eq!(
        std::fs::read_to_string(&credentials).unwrap(),
        format!("[bb-management]\naws_access_key_id = {id1}\naws_secret_access_key = {secret1}\n")
    );

    // Configured already: a non-interactive run must be told what to do...
    let mut cmd = project.command(Some(&moto));
    cmd.env("LEVERAGE_AWS_ACCESS_KEY_ID", id2)
        .env("LEVERAGE_AWS_SECRET_ACCESS_KEY", secret2);
    let refused = project.run_with(
        cmd,
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--non-interactive",
            "--skip-assumable-roles-setup",
        ],
        None,
    );
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("--overwrite-existing-credentials"),
        "{}",
        refused.stderr
    );

    // ...and with --overwrite-existing-credentials the environment's keys replace them, with a backup.
    let mut cmd = project.command(Some(&moto));
    cmd.env("LEVERAGE_AWS_ACCESS_KEY_ID", id2)
        .env("LEVERAGE_AWS_SECRET_ACCESS_KEY", secret2);
    let rotated = project.run_with(
        cmd,
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--non-interactive",
            "--skip-assumable-roles-setup",
            "--overwrite-existing-credentials",
        ],
        None,
    );
    assert_eq!(rotated.code, 0, "{}", rotated.stderr);
    assert_eq!(
        std::fs::read_to_string(&credentials).unwrap(),
        format!("[bb-management]\naws_access_key_id = {id2}\naws_secret_access_key = {secret2}\n")
    );
    let backups: Vec<_> = std::fs::read_dir(credentials.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name().to_string_lossy().starts_with("credentials.")
                && e.file_name().to_string_lossy().ends_with(".bak")
        })
        .collect();
    assert_eq!(backups.len(), 1, "one backup of the old credentials");
    assert!(std::fs::read_to_string(backups[0].path()).unwrap().contains(id1));
    assert_eq!(mode(&backups[0].path()), 0o600);
}

/// The region of every call comes from project.yaml, so the SDK must not go
/// looking for one: on a laptop with no AWS region configured, its default
/// chain would end at the EC2 instance metadata service and wait for it to
/// time out (seconds) before the first call. Here the metadata service is a
/// local listener that never answers, and metadata lookups are not disabled.
#[test]
fn never_asks_the_instance_metadata_service_for_a_region() {
    let moto = Moto::start();
    let state = organization(&moto, 0);
    let (key_id, secret) = keys_of(&state, "jane");
    let metadata = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    metadata.set_nonblocking(true).unwrap();
    let endpoint = format!("http://{}", metadata.local_addr().unwrap());

    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let mut cmd = project.command(Some(&moto));
    cmd.env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint);
    let started = std::time::Instant::now();
    let out = project.run_with(cmd, &configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]), None);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let mut asked = 0;
    while metadata.accept().is_ok() {
        asked += 1;
    }
    assert_eq!(
        asked,
        0,
        "the run connected to the instance metadata service {asked} time(s) and took {:?}",
        started.elapsed()
    );
    assert!(project.read_aws("bb", "credentials").contains(key_id));
}
