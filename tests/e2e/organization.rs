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

/// Backups the runs made anywhere under HOME.
fn backups(project: &Project) -> Vec<std::path::PathBuf> {
    project
        .snapshot()
        .into_iter()
        .map(|(path, _, _)| path)
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect()
}

/// A project.yaml declaring the management account and four members.
const FOUR_MEMBERS_YAML: &str =
    leverage_test_support::project_yaml!("management", "security", "shared", "network", "apps-devstg");
/// An organization of four member accounts; MANAGEMENT keys from a
/// CSV give one `-oaar` profile per declared account, and the AWS CLI uses
/// each to reach its member account.
#[test]
fn four_member_accounts_get_profiles_the_aws_cli_can_use() {
    let moto = Moto::start();
    let members = ["security", "shared", "network", "apps-devstg"];
    let state = organization(&moto, &names(&members), json!([{ "name": "jane" }]));
    let mut project = Project::new();
    project.write("project.yaml", FOUR_MEMBERS_YAML);

    let out = configure_with_keys(&mut project, &moto, &state, "jane", "MANAGEMENT", &[]);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    // moto lists the management account as `master`: the declared
    // `management` has no id anywhere, so it gets no profile, and says so.
    assert!(out.stderr.contains("account `management` has no id"), "{}", out.stderr);

    let config = project.read_aws("bb", "config");
    let names: Vec<String> = sections(&config).into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "bb-management",
            "bb-security-oaar",
            "bb-shared-oaar",
            "bb-network-oaar",
            "bb-apps-devstg-oaar"
        ]
        .map(|p| format!("profile {p}")),
        "{config}"
    );
    for member in members {
        let name = format!("bb-{member}-oaar");
        assert_eq!(
            profile(&config, &name),
            role_profile(org_id(&state, member), OAAR, "bb-management", None),
            "{config}"
        );
    }
    // The AWS CLI starts slowly: the four run at once.
    std::thread::scope(|scope| {
        let runs: Vec<_> = members
            .iter()
            .map(|member| {
                let name = format!("bb-{member}-oaar");
                let (project, moto) = (&project, &moto);
                (member, scope.spawn(move || caller_identity(project, moto, &name, "").0))
            })
            .collect();
        for (member, run) in runs {
            let identity = run.join().expect("the AWS CLI run");
            let id = org_id(&state, member);
            assert_eq!(
                identity["Account"], id,
                "bb-{member}-oaar reached the wrong account: {identity}"
            );
            assert!(
                text(&identity, "/Arn").starts_with(&format!("arn:aws:sts::{id}:assumed-role/{OAAR}/")),
                "{identity}"
            );
        }
    });
    // The ids learned from the organization went into project.yaml.
    let ids = yaml_ids(&yaml(&project.root.join("project.yaml")));
    for member in members {
        assert_eq!(ids[member], org_id(&state, member));
    }
    assert_eq!(ids["management"], Value::Null);
}

/// ListAccounts is read to the last page (the host asks for 20 a
/// page); `--all-accounts` writes a profile for every organization account.
#[test]
fn all_accounts_reads_every_page_of_250_accounts() {
    let moto = Moto::start();
    let mut members = vec!["security".to_string(), "shared".to_string()];
    members.extend((3..=250).map(|i| format!("member-{i:03}")));
    let refs: Vec<&str> = members.iter().map(String::as_str).collect();
    let state = organization(&moto, &names(&refs), json!([{ "name": "jane" }]));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);

    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "jane",
        "MANAGEMENT",
        &["--all-accounts", "--verbose"],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    // 250 members and the management account, 20 a page.
    assert!(
        out.stderr.contains("ListAccounts: 251 account(s) in 13 page(s)"),
        "{}",
        out.stderr
    );

    let config = project.read_aws("bb", "config");
    let role_profiles: Vec<(String, Vec<(String, String)>)> = sections(&config)
        .into_iter()
        .filter(|(name, _)| name.ends_with("-oaar"))
        .collect();
    assert_eq!(role_profiles.len(), 251, "{config}");
    // Declared accounts first (management has no id), then the rest of the
    // organization in its order.
    assert_eq!(role_profiles[0].0, "profile bb-security-oaar");
    assert_eq!(role_profiles[1].0, "profile bb-shared-oaar");
    for member in &members {
        let name = format!("bb-{member}-oaar");
        assert_eq!(
            profile(&config, &name),
            role_profile(org_id(&state, member), OAAR, "bb-management", None),
            "{name}"
        );
    }
    let management = text(&state, "/management_account_id");
    assert_eq!(
        profile(&config, "bb-master-oaar"),
        role_profile(management, OAAR, "bb-management", None)
    );

    // A profile from the last page works.
    let (identity, _) = caller_identity(&project, &moto, "bb-member-250-oaar", "");
    assert_eq!(identity["Account"], org_id(&state, "member-250"));
}

/// `--fetch-mfa-device` with one virtual device puts its serial on
/// every account profile; the AWS CLI then asks for a code before assuming
/// the role.
#[test]
fn one_mfa_device_goes_on_every_profile_and_the_cli_asks_for_a_code() {
    let moto = Moto::start();
    let state = organization(
        &moto,
        &names(&["security", "shared"]),
        json!([{ "name": "jane", "mfa": 1 }]),
    );
    let serial = text(&state, "/users/jane/mfa/0");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);

    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "jane",
        "MANAGEMENT",
        &["--fetch-mfa-device"],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let config = project.read_aws("bb", "config");
    assert_eq!(
        profile(&config, "bb-management"),
        pairs(&[("output", "json"), ("region", "us-east-1")])
    );
    for member in ["security", "shared"] {
        let keys = role_profile(org_id(&state, member), OAAR, "bb-management", Some(serial));
        assert_eq!(profile(&config, &format!("bb-{member}-oaar")), keys, "{config}");
    }

    let (identity, cli) = caller_identity(&project, &moto, "bb-shared-oaar", "123456\n");
    assert!(
        cli.stderr.contains(&format!("Enter MFA code for {serial}")),
        "the CLI did not ask for a code:\n{}",
        cli.stderr
    );
    assert_eq!(identity["Account"], org_id(&state, "shared"));
}

/// With several devices, `--mfa-serial` picks one of them.
#[test]
fn mfa_serial_picks_one_of_several_devices() {
    let moto = Moto::start();
    let state = organization(
        &moto,
        &names(&["security", "shared"]),
        json!([{ "name": "john", "mfa": 2 }]),
    );
    let second = text(&state, "/users/john/mfa/1");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);

    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "john",
        "MANAGEMENT",
        &["--fetch-mfa-device", "--mfa-serial", second],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let config = project.read_aws("bb", "config");
    for member in ["security", "shared"] {
        let keys = role_profile(org_id(&state, member), OAAR, "bb-management", Some(second));
        assert_eq!(profile(&config, &format!("bb-{member}-oaar")), keys, "{config}");
    }
}

/// The MFA errors. Several devices, no `--mfa-serial` and no
/// prompting allowed: an error that lists the devices; no device at
/// all: "no MFA device found". Either way nothing is written.
#[test]
fn mfa_device_errors_write_nothing() {
    let moto = Moto::start();
    let state = organization(
        &moto,
        &names(&["security", "shared"]),
        json!([{ "name": "john", "mfa": 2 }, { "name": "jill", "mfa": 0 }]),
    );

    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let before = project.snapshot();
    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "john",
        "MANAGEMENT",
        &["--fetch-mfa-device"],
    );
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    for serial in [text(&state, "/users/john/mfa/0"), text(&state, "/users/john/mfa/1")] {
        assert!(
            out.stderr.contains(serial),
            "the error does not list {serial}:\n{}",
            out.stderr
        );
    }
    assert!(
        out.stderr.contains("--mfa-serial"),
        "the error does not name the flag:\n{}",
        out.stderr
    );
    assert_eq!(without_csv(project.snapshot()), before, "a failed run changed files");

    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let before = project.snapshot();
    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "jill",
        "MANAGEMENT",
        &["--fetch-mfa-device"],
    );
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("no MFA device found for user jill"),
        "{}",
        out.stderr
    );
    assert_eq!(without_csv(project.snapshot()), before, "a failed run changed files");
}

/// A snapshot without the access-keys CSV the test itself wrote under HOME.
fn without_csv(
    files: Vec<(std::path::PathBuf, Vec<u8>, std::time::SystemTime)>,
) -> Vec<(std::path::PathBuf, Vec<u8>, std::time::SystemTime)> {
    files
        .into_iter()
        .filter(|(path, _, _)| !path.to_string_lossy().ends_with(".csv"))
        .collect()
}

/// Security users cannot read the organization, so SECURITY
/// reads it with the management keys configured before, and writes `-devops`
/// profiles sourced from its own keys, management excepted.
#[test]
fn security_reads_the_organization_with_the_management_keys() {
    let moto = Moto::start();
    let state = organization(
        &moto,
        &names(&["security", "shared"]),
        json!([
            { "name": "jane" },
            { "name": "sam", "deny_organizations": true, "account": "binbash-security" }
        ]),
    );
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let out = configure_with_keys(&mut project, &moto, &state, "jane", "MANAGEMENT", &[]);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let management_config = project.read_aws("bb", "config");

    let out = configure_with_keys(&mut project, &moto, &state, "sam", "SECURITY", &[]);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr
            .contains("Reading the organization's accounts with bb-management"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);

    let config = project.read_aws("bb", "config");
    // The management run's profiles are untouched; the security ones follow.
    assert!(config.starts_with(&management_config), "{config}");
    let added: Vec<String> = sections(&config[management_config.len()..])
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        added,
        [
            "profile bb-security",
            "profile bb-security-devops",
            "profile bb-shared-devops"
        ],
        "{config}"
    );
    for member in ["security", "shared"] {
        let keys = role_profile(org_id(&state, member), "DevOps", "bb-security", None);
        assert_eq!(profile(&config, &format!("bb-{member}-devops")), keys);
    }
    let credentials = project.read_aws("bb", "credentials");
    let key_profiles: Vec<String> = sections(&credentials).into_iter().map(|(name, _)| name).collect();
    assert_eq!(key_profiles, ["bb-management", "bb-security"]);

    let (identity, _) = caller_identity(&project, &moto, "bb-shared-devops", "");
    assert_eq!(identity["Account"], org_id(&state, "shared"));
    assert!(text(&identity, "/Arn").contains(":assumed-role/DevOps/"), "{identity}");
}

/// common.tfvars of a project before its first bootstrap: the accounts are
/// declared, their ids are not known yet.
const BOOTSTRAP_TFVARS: &str = r#"# Project (short name)
project         = "bb"

# Project (long name)
project_long    = "binbash"

# AWS primary region
region_primary = "us-east-1"

# Accounts
accounts = {
  management = {
    email = "aws+management@example.com",
  },
  security = {
    email = "aws+security@example.com",
  },
  shared = {
    email = "aws+shared@example.com",
  }
}

# AWS SSO
sso_enabled   = false
"#;

/// The first BOOTSTRAP learns the management account's id from
/// GetCallerIdentity, writes it into project.yaml and common.tfvars, and
/// writes no account profile.
#[test]
fn first_bootstrap_learns_the_management_account_id() {
    let moto = Moto::start();
    let state = organization(&moto, &names(&["security", "shared"]), json!([{ "name": "root-user" }]));
    let caller_account = text(&state, "/users/root-user/arn")
        .split(':')
        .nth(4)
        .unwrap()
        .to_string();
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let tfvars = project.write("config/common.tfvars", BOOTSTRAP_TFVARS);

    let out = configure_with_keys(&mut project, &moto, &state, "root-user", "BOOTSTRAP", &[]);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert_eq!(
        project.read_aws("bb", "config"),
        "[profile bb-bootstrap]\noutput = json\nregion = us-east-1\n"
    );

    let ids = yaml_ids(&yaml(&project.root.join("project.yaml")));
    assert_eq!(ids["management"], Value::String(caller_account.clone()));
    assert_eq!(ids["security"], Value::Null);
    assert_eq!(ids["shared"], Value::Null);

    let terraform = hcl(&tfvars);
    // The file has only the accounts map: no `<name>_account_id` is added.
    assert_eq!(terraform.get("management_account_id"), None, "{terraform}");
    assert_eq!(
        terraform["accounts"]["management"],
        json!({ "email": "aws+management@example.com", "id": caller_account })
    );
    assert_eq!(
        terraform["accounts"]["security"],
        json!({ "email": "aws+security@example.com" })
    );
    assert!(terraform.get("security_account_id").is_none(), "{terraform}");
}

/// common.tfvars modelled on the reference architecture's (2025-08): an
/// `accounts` map with mixed comma styles, comments, aligned `=`.
const REFERENCE_TFVARS: &str = r#"# Project (short name)
project         = "bb"

# Project (long name)
project_long    = "binbash"

# AWS primary region
region_primary = "us-east-1"

# AWS Region for DR replication (required by the backend but also used for other resources)
region_secondary      = "us-east-2"

# List of regions allowed (commonly used in IAM policies to constrain access)
regions_allowed = ["us-east-1", "us-east-2", "us-west-2"]

# Accounts
accounts = {
  management = {
    email = "aws+root@binbash.com.ar",
    id    = "111111111111"
  },
  # Security: users, roles and audit trails live here
  security = {
    email = "binbash-security@binbash.com.ar",
    id    = "222222222222"
  },
  shared = {
    email = "binbash-shared@binbash.com.ar",
    id    = "333333333333" # set by the first bootstrap
  },
  network = {
    email = "binbash-network@binbash.com.ar",
    id    = "444444444444"
  },
  apps-devstg = {
    email = "binbash-apps-devstg@binbash.com.ar",
    id    = "555555555555"
  },
  apps-prd = {
    email = "binbash-apps-prd@binbash.com.ar",
    id    = "666666666666"
  }
  data-science = {
    email = "binbash-data-science@binbash.com.ar",
    id    = "666666666666"
  }
  // Workshops: not in the organization yet
  workshop-genai-1 = {
    email = "aws+workshop-genai-1@binbash.com.ar",
    id    = "777777777777"
  }
}

# External Accounts Integration
external_accounts = {
  drata = {
    aws_account_id  = ""
    aws_external_id = ""
  }
  north_cloud = {
    aws_account_id  = ""
  }
}

# AWS SSO
sso_enabled   = true
sso_start_url = "https://leverage.awsapps.com/start"
sso_region    = "us-east-1"


# The following values will be moved to another config file in a future release
#
# Networking

# Enable TGW
enable_tgw = false

/* CDIR blocks handled by the TGW */
tgw_cidrs = ["172.0.0.0/8", "10.0.0.0/8"]
"#;

/// project.yaml of the same project, with an account (sandbox) that
/// common.tfvars does not know yet.
const REFERENCE_YAML: &str = "\
# Project definition
project_name: binbash
short_name: bb
primary_region: us-east-1   # where most things live
secondary_region: us-east-2
organization:
  accounts:
  # the organization's management account
  - name: management
    email: aws+root@binbash.com.ar
    id: '111111111111'
  - name: security
    email: binbash-security@binbash.com.ar
  - name: shared
    email: binbash-shared@binbash.com.ar
  - name: network
    email: binbash-network@binbash.com.ar
  - name: apps-devstg
    email: binbash-apps-devstg@binbash.com.ar
  - name: apps-prd
    email: binbash-apps-prd@binbash.com.ar
  - name: data-science
    email: binbash-data-science@binbash.com.ar
  - name: sandbox   # new this quarter
    email: binbash-sandbox@binbash.com.ar
";

/// Whether `line` only holds an account id: an `id` item of the accounts map,
/// or a `<name>_account_id` attribute.
fn is_id_line(line: &str) -> bool {
    let Some((key, value)) = line.split_once('=') else {
        return false;
    };
    let key = key.trim();
    let value = value.trim().trim_end_matches(',');
    let value = value.split_once('#').map_or(value, |(v, _)| v).trim();
    let quoted_id = value.len() == 14
        && value.starts_with('"')
        && value.ends_with('"')
        && value[1..13].bytes().all(|b| b.is_ascii_digit());
    quoted_id && (key == "id" || key.ends_with("_account_id"))
}

/// The lines a change from `before` to `after` removes and inserts (line
/// ends aside), in order.
fn changed_lines(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let mut removed = Vec::new();
    let mut inserted = Vec::new();
    for change in similar::TextDiff::from_lines(before, after).iter_all_changes() {
        let line = change.value().trim_end_matches(['\n', '\r']).to_string();
        match change.tag() {
            similar::ChangeTag::Delete => removed.push(line),
            similar::ChangeTag::Insert => inserted.push(line),
            similar::ChangeTag::Equal => {}
        }
    }
    (removed, inserted)
}

/// The top-level values of a parsed tfvars other than the account ids.
fn without_ids(mut terraform: Value) -> Value {
    let map = terraform.as_object_mut().unwrap();
    map.retain(|key, _| key != "accounts" && !key.ends_with("_account_id"));
    terraform
}

/// After MANAGEMENT, common.tfvars and project.yaml hold the
/// organization's ids and nothing else in them changed; both still parse
/// with the standard parsers; a re-run changes no byte and makes no backup.
#[test]
fn write_back_changes_only_the_ids_and_a_rerun_changes_nothing() {
    let moto = Moto::start();
    let org_members = [
        "security",
        "shared",
        "network",
        "apps-devstg",
        "apps-prd",
        "data-science",
        "sandbox",
    ];
    let state = organization(&moto, &names(&org_members), json!([{ "name": "jane" }]));
    let mut project = Project::new();
    let yaml_path = project.write("project.yaml", REFERENCE_YAML);
    let tfvars = project.write("config/common.tfvars", REFERENCE_TFVARS);
    let terraform_before = hcl(&tfvars);
    let yaml_before = yaml(&yaml_path);

    // The files declare management as 111111111111, an account moto does not have.
    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "jane",
        "MANAGEMENT",
        &["--skip-account-check"],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);

    // The expected ids: the organization's, else the declared ones.
    let mut expected: BTreeMap<&str, String> = BTreeMap::new();
    expected.insert("management", "111111111111".into());
    expected.insert("workshop-genai-1", "777777777777".into());
    for member in org_members {
        expected.insert(member, org_id(&state, member).to_string());
    }

    // common.tfvars: the diff holds only id lines and the new sandbox entry.
    let after = std::fs::read_to_string(&tfvars).unwrap();
    let (removed, inserted) = changed_lines(REFERENCE_TFVARS, &after);
    let changed_members = [
        "security",
        "shared",
        "network",
        "apps-devstg",
        "apps-prd",
        "data-science",
    ];
    assert_eq!(
        removed.len(),
        changed_members.len(),
        "unexpected lines removed: {removed:#?}\n{after}"
    );
    for line in &removed {
        assert!(is_id_line(line), "a line that is not an id changed: `{line}`\n{after}");
    }
    let sandbox_entry = [
        "  sandbox = {".to_string(),
        "    email = \"binbash-sandbox@binbash.com.ar\",".to_string(),
        format!("    id    = \"{}\"", org_id(&state, "sandbox")),
        "  }".to_string(),
    ];
    for line in &inserted {
        let allowed = is_id_line(line) || line.is_empty() || sandbox_entry.contains(line);
        assert!(allowed, "an unexpected line was added: `{line}`\n{after}");
    }
    assert!(
        after.contains(&sandbox_entry.join("\n")),
        "the sandbox entry is not laid out like the others:\n{after}"
    );
    // Comments and the one-line comment after an id stay where they were.
    assert!(
        after.contains(&format!(
            "    id    = \"{}\" # set by the first bootstrap\n",
            org_id(&state, "shared")
        )),
        "{after}"
    );
    assert!(
        after.contains("  # Security: users, roles and audit trails live here\n  security = {\n"),
        "{after}"
    );
    assert!(
        after.contains("  // Workshops: not in the organization yet\n"),
        "{after}"
    );

    // HashiCorp's parser reads the organization's ids, and everything else
    // as it was.
    let terraform = hcl(&tfvars);
    assert_eq!(
        without_ids(terraform.clone()),
        without_ids(terraform_before),
        "values other than ids changed"
    );
    let accounts = terraform["accounts"].as_object().unwrap();
    let order: Vec<&str> = accounts.keys().map(String::as_str).collect();
    assert_eq!(order.len(), expected.len(), "{terraform}");
    for (name, id) in &expected {
        assert_eq!(
            terraform["accounts"][name]["id"],
            id.as_str(),
            "accounts.{name}.id in {terraform}"
        );
        // Only the map: that style is kept, no attribute added.
        assert_eq!(
            terraform.get(format!("{name}_account_id")),
            None,
            "{name}_account_id in {terraform}"
        );
    }
    assert_eq!(
        terraform["accounts"]["shared"]["email"],
        "binbash-shared@binbash.com.ar"
    );

    // project.yaml: the learned ids, as strings; everything else as it was.
    let document = yaml(&yaml_path);
    let ids = yaml_ids(&document);
    for (name, id) in &expected {
        if *name != "workshop-genai-1" {
            assert_eq!(ids[*name], id.as_str(), "{name} in project.yaml");
        }
    }
    let strip = |mut doc: Value| {
        for account in doc["organization"]["accounts"].as_array_mut().unwrap() {
            account.as_object_mut().unwrap().remove("id");
        }
        doc
    };
    assert_eq!(
        strip(document),
        strip(yaml_before),
        "values other than ids changed in project.yaml"
    );
    // Only `id` lines were added to it.
    let yaml_text = std::fs::read_to_string(&yaml_path).unwrap();
    let (removed, inserted) = changed_lines(REFERENCE_YAML, &yaml_text);
    assert!(
        removed.is_empty(),
        "lines removed from project.yaml: {removed:#?}\n{yaml_text}"
    );
    let id_lines: Vec<String> = org_members
        .iter()
        .map(|m| format!("    id: \"{}\"", org_id(&state, m)))
        .collect();
    assert_eq!(inserted, id_lines, "{yaml_text}");
    assert!(
        yaml_text.contains("  # the organization's management account\n"),
        "{yaml_text}"
    );
    assert!(
        yaml_text.contains("  - name: sandbox   # new this quarter\n"),
        "{yaml_text}"
    );

    // A re-run with nothing new: no byte changes, no backup.
    let backups_before = backups(&project);
    let before = project.snapshot();
    let out = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--skip-access-keys-setup",
            "--non-interactive",
        ],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr
            .contains("Nothing to change: every file already holds what this run would write."),
        "the core says why the plan is empty:\n{}",
        out.stderr
    );
    assert_eq!(backups(&project), backups_before, "the re-run made a backup");
    let after = project.snapshot();
    let paths = |files: &[(std::path::PathBuf, Vec<u8>, std::time::SystemTime)]| -> Vec<std::path::PathBuf> {
        files.iter().map(|(p, _, _)| p.clone()).collect()
    };
    assert_eq!(paths(&after), paths(&before), "the re-run created or removed files");
    for ((path, bytes, modified), (_, bytes_before, modified_before)) in after.iter().zip(&before) {
        assert!(
            bytes == bytes_before && modified == modified_before,
            "the re-run rewrote {}",
            path.display()
        );
    }
}

/// Keys that may not read the organization (AccessDenied on
/// ListAccounts) give a warning, and the profiles use the declared ids.
#[test]
fn access_denied_on_list_accounts_uses_the_declared_ids() {
    let moto = Moto::start();
    let state = organization(
        &moto,
        &names(&["security", "shared"]),
        json!([{ "name": "dan", "deny_organizations": true }]),
    );
    let mut project = Project::new();
    let tfvars = project.write(
        "config/common.tfvars",
        "project      = \"bb\"\nproject_long = \"binbash\"\nregion_primary = \"us-east-1\"\n\naccounts = {\n  \
         management = { email = \"aws+management@example.com\", id = \"111111111111\" }\n  \
         security   = { email = \"aws+security@example.com\", id = \"222222222222\" }\n  \
         shared     = { email = \"aws+shared@example.com\", id = \"033333333333\" }\n}\n",
    );

    // The file declares management as 111111111111, an account moto does not have.
    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "dan",
        "MANAGEMENT",
        &["--skip-account-check"],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning: could not read the organization with bb-management"),
        "no warning about the organization:\n{}",
        out.stderr
    );
    let config = project.read_aws("bb", "config");
    let names: Vec<String> = sections(&config).into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "bb-management",
            "bb-management-oaar",
            "bb-security-oaar",
            "bb-shared-oaar"
        ]
        .map(|p| format!("profile {p}"))
    );
    for (member, id) in [
        ("management", "111111111111"),
        ("security", "222222222222"),
        ("shared", "033333333333"),
    ] {
        assert_eq!(
            profile(&config, &format!("bb-{member}-oaar")),
            role_profile(id, OAAR, "bb-management", None)
        );
    }
    // The organization's ids were never seen, so the declared ones stay.
    let terraform = hcl(&tfvars);
    assert_eq!(terraform["accounts"]["shared"]["id"], "033333333333");
    assert_ne!(org_id(&state, "shared"), "033333333333");
}

/// `--mfa-serial` without `--fetch-mfa-device` is checked against the user's
/// own devices (listed with the run's other calls): one of them is written,
/// any other is refused naming the devices, and nothing is written.
#[test]
fn mfa_serial_without_fetch_is_checked_against_the_users_devices() {
    let moto = Moto::start();
    let state = organization(
        &moto,
        &names(&["security", "shared"]),
        json!([{ "name": "john", "mfa": 2 }]),
    );
    let first = text(&state, "/users/john/mfa/0").to_string();
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);

    let other = first.replace(":mfa/", ":mfa/not-");
    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "john",
        "MANAGEMENT",
        &["--mfa-serial", &other],
    );
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("is not one of the MFA devices of john") && out.stderr.contains(&first),
        "{}",
        out.stderr
    );
    assert!(
        !project.aws_file("bb", "credentials").exists(),
        "a refused serial wrote the keys"
    );

    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "john",
        "MANAGEMENT",
        &["--mfa-serial", &first],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(!out.stderr.contains("not checked"), "{}", out.stderr);
    let config = project.read_aws("bb", "config");
    let keys = role_profile(org_id(&state, "shared"), OAAR, "bb-management", Some(first.as_str()));
    assert_eq!(profile(&config, "bb-shared-oaar"), keys, "{config}");
}
