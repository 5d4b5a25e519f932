//! The write-back of the account ids: the first BOOTSTRAP learns the
//! management account's id; after MANAGEMENT only the ids change in
//! common.tfvars and project.yaml, both still parse with the standard
//! parsers, and a re-run changes nothing.

use super::*;

/// Backups the runs made anywhere under HOME.
fn backups(project: &Project) -> Vec<std::path::PathBuf> {
    project
        .snapshot()
        .into_iter()
        .map(|(path, _, _)| path)
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect()
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
