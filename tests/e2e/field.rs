//! Projects as Leverage's reference architecture and templates leave them,
//! run with the real binary against the emulator: placeholder ids filled in
//! with a warning, no `<name>_account_id` style brought into a file without
//! it, disagreements between the project and the organization said out
//! loud, the region line to keep, and reports that match the files.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::support::{configure_args, keys_of, Moto, Project};

/// One of the reference-architecture files kept in tests/fixtures.
fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/reference-architecture")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The file as HashiCorp's HCL parser reads it.
fn hcl(path: &Path) -> Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg("import json, sys, pygohcl; print(json.dumps(pygohcl.loads(open(sys.argv[1]).read())))")
        .arg(path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "HCL does not parse {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The reference architecture's organization (names as `binbash-<account>`)
/// and a user allowed everything.
fn reference_organization(moto: &Moto) -> Value {
    moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared", "binbash-network", "binbash-apps-devstg", "binbash-apps-prd"],
        "users": [{"name": "jane"}],
    }))
}

fn org_id<'a>(state: &'a Value, name: &str) -> &'a str {
    state["org_accounts"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {state}"))
}

/// A project with the reference architecture's build.env and `tfvars` as
/// config/common.tfvars.
fn reference_project(tfvars: &str) -> Project {
    let project = Project::new();
    project.write("build.env", &fixture("build.env"));
    project.write("config/common.tfvars", tfvars);
    project
}

fn configure(project: &mut Project, moto: &Moto, state: &Value, kind: &str) -> crate::support::Output {
    let (key, secret) = keys_of(state, "jane");
    let csv = project.keys_csv(key, secret);
    let csv = csv.to_str().unwrap().to_string();
    // The reference files declare management as 111111111111, an account
    // moto does not have: the keys' account is accepted as it is.
    let out = project.run(
        Some(moto),
        &configure_args(
            kind,
            &csv,
            &["--overwrite-existing-credentials", "--skip-account-check"],
        ),
    );
    assert_eq!(out.code, 0, "{kind}:\n{}", out.stderr);
    out
}

/// The warning lines of a run's standard error.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr.lines().filter_map(|l| l.strip_prefix("warning: ")).collect()
}

/// Each generation of the reference architecture's common.tfvars: the
/// organization's ids replace the example ids (each replacement said), the
/// file keeps its style (no `<name>_account_id` added to a file that has only
/// the map), everything else stays byte for byte, and HCL still parses it.
#[test]
fn reference_architecture_files_get_the_organizations_ids_in_their_own_style() {
    let moto = Moto::start();
    let state = reference_organization(&moto);
    for generation in ["2022-01", "2024-02", "2025-08"] {
        let original = fixture(&format!("common.tfvars.{generation}"));
        let mut project = reference_project(&original);
        if !original.contains("region_primary") {
            // The 2022 file names no region; such a project kept it elsewhere.
            project.write("project.yaml", "short_name: bb\nprimary_region: us-east-1\n");
        }
        let out = configure(&mut project, &moto, &state, "MANAGEMENT");
        let tfvars_path = project.root.join("config/common.tfvars");
        let after = std::fs::read_to_string(&tfvars_path).unwrap();
        let parsed = hcl(&tfvars_path);
        let security = org_id(&state, "binbash-security");
        let shared = org_id(&state, "binbash-shared");

        // What the run does not own stays byte for byte.
        for kept in [
            "# Hashicorp Vault token\n#\n# Vault token that will be used by Terraform to authenticate.\n",
            "tgw_cidrs = [\"172.0.0.0/",
            "project_long    = \"binbash\"\n",
        ] {
            assert_eq!(
                original.contains(kept),
                after.contains(kept),
                "{generation}: `{kept}` changed:\n{after}"
            );
        }
        let had_attributes = original.contains("\nsecurity_account_id");
        if had_attributes {
            // The 2022 layout: its attributes get the organization's ids.
            assert_eq!(parsed["security_account_id"], json!(security), "{generation}");
            assert_eq!(parsed["shared_account_id"], json!(shared), "{generation}");
            assert!(
                warnings(&out.stderr)
                    .iter()
                    .any(|w| w.contains("`security` is declared with id 222222222222")),
                "{generation}: {}",
                out.stderr
            );
        } else {
            // Only the map: no attribute style brought in.
            let top_level_ids: Vec<&str> = after
                .lines()
                .filter(|l| {
                    l.split('=')
                        .next()
                        .is_some_and(|k| k.trim_end().ends_with("_account_id"))
                })
                .filter(|l| !l.starts_with(' '))
                .collect();
            assert!(top_level_ids.is_empty(), "{generation}: {top_level_ids:?}\n{after}");
            assert_eq!(parsed["accounts"]["security"]["id"], json!(security), "{generation}");
            assert_eq!(parsed["accounts"]["shared"]["id"], json!(shared), "{generation}");
        }
        // Every example id the organization replaced is named, once.
        let replaced = warnings(&out.stderr)
            .iter()
            .filter(|w| w.contains("`security` is declared with id 222222222222"))
            .count();
        assert_eq!(replaced, 1, "{generation}:\n{}", out.stderr);
        // Accounts the organization does not have keep their declared id,
        // which is said to be unknown to the organization.
        if generation == "2025-08" {
            assert_eq!(parsed["accounts"]["workshop-genai-1"]["id"], json!("777777777777"));
            let stderr = &out.stderr;
            assert!(
                stderr.contains("accounts `apps-prd` and `data-science` are declared with the same id 666666666666"),
                "{stderr}"
            );
            assert!(
                stderr.contains(
                    "account `workshop-genai-1` is declared with id 777777777777, which is not an account of the organization"
                ),
                "{stderr}"
            );
            // The nested `aws_account_id = ""` of external_accounts is not an
            // account of the project: untouched.
            assert_eq!(
                after.matches("aws_account_id  = \"\"").count(),
                original.matches("aws_account_id  = \"\"").count()
            );
        }
        let config = project.read_aws("bb", "config");
        assert!(
            config.contains(&format!(
                "role_arn = arn:aws:iam::{security}:role/OrganizationAccountAccessRole"
            )),
            "{generation}:\n{config}"
        );
    }
}

/// A common.tfvars rendered before the accounts exist: the first BOOTSTRAP
/// fills the management account's placeholders, the MANAGEMENT run the
/// others; each placeholder is replaced with one warning naming the
/// attribute and the old value, and none is left.
#[test]
fn template_placeholders_are_filled_in_with_one_warning_each() {
    let moto = Moto::start();
    let state = reference_organization(&moto);
    let mut project = reference_project(&fixture("common.tfvars.template"));
    let tfvars_path = project.root.join("config/common.tfvars");

    let boot = configure(&mut project, &moto, &state, "BOOTSTRAP");
    let management = text_of(&state, "/management_account_id");
    let boot_warnings = warnings(&boot.stderr);
    for (attribute, old) in [
        ("management_account_id", "XXXXXXXXXXXX"),
        ("accounts.management.id", "XXXXXXXXXXXX"),
    ] {
        let line = format!(
            "config/common.tfvars: `{attribute}` was `{old}`, which is not an account id; it is now {management}"
        );
        assert_eq!(
            boot_warnings.iter().filter(|w| **w == line).count(),
            1,
            "`{line}` not said once:\n{}",
            boot.stderr
        );
    }
    // Not known yet: said, and left.
    assert!(
        boot_warnings.iter().any(|w| w.starts_with(
            "config/common.tfvars: `security_account_id` is `XXXXXXXXXXXX`, which is not an account id; it is left as it is"
        )),
        "{}",
        boot.stderr
    );

    let run = configure(&mut project, &moto, &state, "MANAGEMENT");
    let security = org_id(&state, "binbash-security");
    let shared = org_id(&state, "binbash-shared");
    let run_warnings = warnings(&run.stderr);
    for (attribute, old, id) in [
        ("security_account_id", "XXXXXXXXXXXX", security),
        ("shared_account_id", "XXXXXXXXXXXX", shared),
        ("accounts.security.id", "", security),
        ("accounts.shared.id", "000000000000", shared),
    ] {
        let line =
            format!("config/common.tfvars: `{attribute}` was `{old}`, which is not an account id; it is now {id}");
        assert_eq!(
            run_warnings.iter().filter(|w| **w == line).count(),
            1,
            "`{line}` not said once:\n{}",
            run.stderr
        );
    }
    let after = std::fs::read_to_string(&tfvars_path).unwrap();
    assert!(
        !after.contains("XXXXXXXXXXXX") && !after.contains("000000000000"),
        "{after}"
    );
    let parsed = hcl(&tfvars_path);
    assert_eq!(parsed["management_account_id"], json!(management));
    assert_eq!(parsed["accounts"]["shared"]["id"], json!(shared));
    // The summary repeats the warnings.
    assert!(run.stderr.contains("Warnings ("), "{}", run.stderr);
}

fn text_of<'a>(state: &'a Value, pointer: &str) -> &'a str {
    state
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {state}"))
}

/// A placeholder in project.yaml's organization.accounts is replaced too.
#[test]
fn a_placeholder_in_project_yaml_is_replaced_with_a_warning() {
    let moto = Moto::start();
    let state = reference_organization(&moto);
    let mut project = Project::new();
    project.write(
        "project.yaml",
        "project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  \
         - name: security\n    id: XXXXXXXXXXXX\n  - name: shared\n    id: \"\"\n",
    );
    let out = configure(&mut project, &moto, &state, "MANAGEMENT");
    let security = org_id(&state, "binbash-security");
    let yaml = std::fs::read_to_string(project.root.join("project.yaml")).unwrap();
    assert!(
        yaml.contains(&format!("  - name: security\n    id: \"{security}\"\n")),
        "{yaml}"
    );
    assert!(
        out.stderr.contains(&format!(
            "warning: project.yaml: `organization.accounts[security].id` was `XXXXXXXXXXXX`, which is not an account id; it is now {security}"
        )),
        "{}",
        out.stderr
    );
}

/// Two organization accounts that strip to one short name: the declared id
/// that is one of them is kept, never replaced by the other, and the
/// ambiguity is said.
#[test]
fn an_organization_with_two_accounts_of_one_name_never_replaces_the_declared_id() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-shared", "shared"],
        "users": [{"name": "jane"}],
    }));
    let first = org_id(&state, "binbash-shared");
    let second = org_id(&state, "shared");
    let mut project = Project::new();
    project.write(
        "project.yaml",
        &format!(
            "project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  \
             - name: shared\n    id: \"{second}\"\n"
        ),
    );
    let out = configure(&mut project, &moto, &state, "MANAGEMENT");
    let config = project.read_aws("bb", "config");
    assert!(config.contains(&format!("arn:aws:iam::{second}:role/")), "{config}");
    assert!(!config.contains(&format!("arn:aws:iam::{first}:role/")), "{config}");
    assert!(
        out.stderr.contains("the organization has 2 accounts named `shared`")
            && out
                .stderr
                .contains(&format!("the declared id {second} is one of them and is kept")),
        "{}",
        out.stderr
    );
    let yaml = std::fs::read_to_string(project.root.join("project.yaml")).unwrap();
    assert!(yaml.contains(&format!("id: \"{second}\"")), "{yaml}");
}

/// `--non-interactive` without a region: the error names the exact line
/// that answers it, in the file the project has.
#[test]
fn the_region_error_names_the_line_to_add() {
    let project = Project::new();
    project.write("project.yaml", "project_name: binbash\nshort_name: bb\n");
    let before = project.snapshot();
    let out = project.run(
        None,
        &["credentials", "configure", "--type", "MANAGEMENT", "--non-interactive"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("add the line `primary_region: us-east-1` to project.yaml"),
        "{}",
        out.stderr
    );
    assert_eq!(project.snapshot(), before);

    let project = Project::new();
    project.write("build.env", "PROJECT=bb\n");
    let out = project.run(
        None,
        &["credentials", "configure", "--type", "MANAGEMENT", "--non-interactive"],
    );
    assert!(
        out.stderr
            .contains("add the line `region_primary = \"us-east-1\"` to config/common.tfvars"),
        "{}",
        out.stderr
    );
}

/// The summary and `--output json` describe the file: an `mfa_serial` an
/// earlier run wrote stays, and is reported, though this run fetched none.
#[test]
fn a_serial_kept_in_the_config_is_reported_in_the_summary_and_json() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [{"name": "jane", "mfa": 1}],
    }));
    let mut project = Project::new();
    project.write(
        "project.yaml",
        "project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  \
         - name: security\n  - name: shared\n",
    );
    let (key, secret) = keys_of(&state, "jane");
    let csv = project.keys_csv(key, secret);
    let csv = csv.to_str().unwrap().to_string();
    let serial = text_of(&state, "/users/jane/mfa/0").to_string();
    let first = project.run(
        Some(&moto),
        &configure_args("MANAGEMENT", &csv, &["--fetch-mfa-device"]),
    );
    assert_eq!(first.code, 0, "{}", first.stderr);

    // Again without --fetch-mfa-device: the serial stays in the file.
    let again = project.run(
        Some(&moto),
        &configure_args(
            "MANAGEMENT",
            &csv,
            &["--overwrite-existing-credentials", "--output", "json"],
        ),
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let config = project.read_aws("bb", "config");
    assert_eq!(config.matches(&format!("mfa_serial = {serial}")).count(), 2, "{config}");
    let report: Value = serde_json::from_str(&again.stdout).unwrap();
    for profile in report["profiles"].as_array().unwrap() {
        assert_eq!(profile["mfa_serial"], json!(serial), "{profile}");
    }
    let text = project.run(
        Some(&moto),
        &configure_args("MANAGEMENT", &csv, &["--overwrite-existing-credentials"]),
    );
    assert!(text.stderr.contains("MFA DEVICE"), "{}", text.stderr);
    assert!(text.stderr.contains("jane-device-0"), "{}", text.stderr);
}
