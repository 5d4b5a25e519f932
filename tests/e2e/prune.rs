//! Stale account profiles: an account removed from the organization between
//! two runs leaves its generated profile behind; the next run that reads the
//! organization warns about it, and `--prune` removes it (a dry run shows
//! the diff and writes nothing). A hand-written profile and another
//! project's profile naming the same account stay byte for byte.

use std::process::Command;

use serde_json::{json, Value};

use crate::support::{configure_args, keys_of, Moto, Output, Project, PROJECT_YAML};

const OAAR: &str = "OrganizationAccountAccessRole";

fn text<'a>(state: &'a Value, pointer: &str) -> &'a str {
    state
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {state}"))
}

/// Organizations RemoveAccountFromOrganization, as the management user.
fn remove_from_organization(moto: &Moto, state: &Value, account_id: &str) {
    let (key, secret) = keys_of(state, "jane");
    let script = "import sys, boto3\n\
        org = boto3.client('organizations', endpoint_url=sys.argv[1], region_name='us-east-1',\n\
                           aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])\n\
        org.remove_account_from_organization(AccountId=sys.argv[4])\n";
    let out = Command::new("python3")
        .args(["-c", script, &moto.endpoint, key, secret, account_id])
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn run(project: &Project, moto: &Moto, extra: &[&str]) -> Output {
    let mut args = vec![
        "credentials",
        "configure",
        "--type",
        "MANAGEMENT",
        "--skip-access-keys-setup",
        "--all-accounts",
        "--non-interactive",
    ];
    args.extend_from_slice(extra);
    project.run(Some(moto), &args)
}

#[test]
fn a_profile_of_an_account_gone_from_the_organization_is_warned_then_pruned() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared", "binbash-closed"],
        "users": [{ "name": "jane" }],
        "enforce_auth": true
    }));
    let closed = text(&state, "/org_accounts/binbash-closed").to_string();
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let (key, secret) = keys_of(&state, "jane");
    let csv = project.keys_csv(key, secret);
    let out = project.run(
        Some(&moto),
        &configure_args("MANAGEMENT", csv.to_str().unwrap(), &["--all-accounts"]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let generated = format!(
        "[profile bb-closed-oaar]\noutput = json\nregion = us-east-1\nrole_arn = arn:aws:iam::{closed}:role/{OAAR}\nsource_profile = bb-management\n"
    );
    let config_path = project.aws_file("bb", "config");
    let written = project.read_aws("bb", "config");
    assert!(written.contains(&generated), "{written}");

    // A profile a person wrote and another project's, both for that account.
    let by_hand = format!(
        "# mine, for the auditors\n[profile bb-audit-oaar]\nrole_arn = arn:aws:iam::{closed}:role/{OAAR}\nsource_profile = bb-management\nduration_seconds = 3600\n"
    );
    let other_project = format!(
        "[profile xx-closed-oaar]\noutput = json\nregion = us-east-1\nrole_arn = arn:aws:iam::{closed}:role/{OAAR}\nsource_profile = xx-management\n"
    );
    std::fs::write(&config_path, format!("{written}{by_hand}{other_project}")).unwrap();
    let other_dir = project.home.join(".aws/xx");
    std::fs::create_dir_all(&other_dir).unwrap();
    std::fs::write(other_dir.join("config"), &other_project).unwrap();
    let before = std::fs::read_to_string(&config_path).unwrap();

    remove_from_organization(&moto, &state, &closed);

    // The next run warns and changes nothing.
    let out = run(&project, &moto, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warning = out
        .stderr
        .lines()
        .find(|l| l.starts_with("warning: the profile bb-closed-oaar"))
        .unwrap_or_else(|| panic!("no warning:\n{}", out.stderr));
    assert!(warning.contains(&closed) && warning.contains("--prune"), "{warning}");
    for untouched in ["bb-audit-oaar", "xx-closed-oaar"] {
        assert!(
            !out.stderr.contains(untouched),
            "{untouched} was listed:\n{}",
            out.stderr
        );
    }
    assert_eq!(std::fs::read_to_string(&config_path).unwrap(), before);

    // --dry-run shows the removal and writes nothing.
    let snapshot = project.snapshot();
    let out = run(&project, &moto, &["--prune", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("-[profile bb-closed-oaar]"), "{}", out.stdout);
    assert!(!out.stdout.contains("-[profile bb-audit-oaar]"), "{}", out.stdout);
    assert_eq!(project.snapshot(), snapshot, "a dry run wrote something");

    // --prune removes exactly that section, with a backup.
    let out = run(&project, &moto, &["--prune", "--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["pruned_profiles"],
        json!([{ "name": "bb-closed-oaar", "account_id": closed }])
    );
    assert_eq!(report["stale_profiles"], json!([]));
    let after = std::fs::read_to_string(&config_path).unwrap();
    assert_eq!(after, before.replacen(&generated, "", 1));
    assert!(after.contains(&format!("{by_hand}{other_project}")), "{after}");
    assert_eq!(
        std::fs::read_to_string(other_dir.join("config")).unwrap(),
        other_project
    );
    let backup = report["files"][0]["backup"].as_str().expect("a backup");
    assert_eq!(std::fs::read_to_string(backup).unwrap(), before);

    // Pruned: the next run has nothing to say about it.
    let out = run(&project, &moto, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("bb-closed-oaar"), "{}", out.stderr);
}
