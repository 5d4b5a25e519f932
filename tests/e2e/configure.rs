//! `credentials configure` against the emulator (SPEC "The flow").

use serde_json::json;

use crate::support::{mode, Moto, Project, PROJECT_YAML};

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

/// Issue 2's walking skeleton, end to end: keys from a CSV are checked with
/// AWS, written 0600 in a 0700 directory, and one profile per account follows.
#[test]
fn management_with_csv_writes_credentials_and_profiles() {
    let moto = Moto::start();
    let state = organization(&moto, 0);
    let user = &state["users"]["jane"];
    let (key_id, secret) = (user["access_key_id"].as_str().unwrap(), user["secret_access_key"].as_str().unwrap());

    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let out = project.run(
        Some(&moto),
        &["credentials", "configure", "--type", "MANAGEMENT", "--credentials-file", csv.to_str().unwrap(), "--non-interactive"],
    );
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
    assert_eq!(std::fs::read_to_string(project.root.join("build.env")).unwrap(), "PROJECT=bb\n");
}

/// SPEC step 3 [better]: keys are checked before anything is written.
#[test]
fn rejected_keys_change_nothing() {
    let moto = Moto::start();
    organization(&moto, 0);
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let before = project.snapshot();
    let out = project.run(
        Some(&moto),
        &["credentials", "configure", "--type", "MANAGEMENT", "--credentials-file", csv.to_str().unwrap(), "--non-interactive"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("the keys were rejected by AWS"), "{}", out.stderr);
    assert_eq!(project.snapshot(), before, "rejected keys changed files");
}
