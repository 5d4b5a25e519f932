//! The plan: shown as masked diffs or JSON (`--dry-run`, `--output json`)
//! without touching the disk, the apply checked against edits made
//! meanwhile, and what JSON says of the caller's account and each profile's
//! MFA serial.

use super::*;

/// The fixed mask that replaces every secret shown.
const MASK: &str = "****************";

/// `--dry-run` and `--output json`: the whole plan shown, secrets masked,
/// nothing on disk touched (bytes and modification times); then the same
/// run applied with `--output json` reports files and backups that exist.
#[test]
fn dry_run_and_json_show_the_plan_without_secrets() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let (key_id, secret) = world.key("jane");
    let before = project.snapshot();

    let out = run(&project, &world, &args, &["--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let diff = &out.stdout;
    for header in [
        "--- /dev/null\n+++ b/build.env\n",
        "--- a/~/.aws/bb/credentials\n+++ b/~/.aws/bb/credentials\n",
        "--- a/~/.aws/bb/config\n+++ b/~/.aws/bb/config\n",
        "--- a/config/common.tfvars\n+++ b/config/common.tfvars\n",
        "--- a/project.yaml\n+++ b/project.yaml\n",
    ] {
        assert!(diff.contains(header), "no diff of {header:?} in:\n{diff}");
    }
    // The secret changes too: shown as a changed line, masked on both sides.
    assert!(
        diff.contains(&format!(
            " [bb-management]\n-aws_access_key_id = {OLD_KEY_ID}\n-aws_secret_access_key = {MASK}\n\
             +aws_access_key_id = {key_id}\n+aws_secret_access_key = {MASK}\n"
        )),
        "{diff}"
    );
    assert!(diff.contains("+PROJECT=bb\n"), "{diff}");
    assert!(
        diff.contains(&format!(
            "+role_arn = arn:aws:iam::{}:role/OrganizationAccountAccessRole\n",
            world.account("shared")
        )),
        "{diff}"
    );
    assert!(
        diff.contains(&format!("+    id    = \"{}\"", world.account("security"))),
        "{diff}"
    );
    assert!(
        !diff.contains(secret) && !diff.contains(OLD_SECRET),
        "a secret in the dry run:\n{diff}"
    );
    assert!(
        out.stderr
            .contains("Dry run: 5 file(s) would change; nothing was written."),
        "{}",
        out.stderr
    );
    assert_eq!(project.snapshot(), before, "--dry-run changed the disk");

    let out = run(&project, &world, &args, &["--dry-run", "--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(secret) && !out.stdout.contains(OLD_SECRET));
    let plan: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert!(
        out.stderr.contains("Checking the keys with AWS"),
        "progress belongs on stderr:\n{}",
        out.stderr
    );
    assert_eq!(plan["dry_run"], json!(true));
    assert_eq!(plan["profile"], json!("bb-management"));
    assert_eq!(plan["keys_written"], json!(true));
    let profiles: Vec<&str> = plan["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, ["bb-security-oaar", "bb-shared-oaar"]);
    assert_eq!(plan["profiles"][1]["account_id"], json!(world.account("shared")));
    assert_eq!(
        plan["accounts_learned"],
        json!([{"name": "security", "id": world.account("security")}, {"name": "shared", "id": world.account("shared")}])
    );
    let attributes: Vec<&str> = plan["terraform_attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for attribute in ["accounts.security.id", "accounts.shared.id"] {
        assert!(attributes.contains(&attribute), "{attributes:?}");
    }
    // management has no id anywhere: the run says so and goes on.
    assert!(
        plan["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("management")),
        "{plan}"
    );
    let files = plan["files"].as_array().unwrap();
    let kinds: Vec<(&str, bool)> = files
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["created"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("build-env", true),
            ("aws-config", false),
            ("project-yaml", false),
            ("terraform-vars", false),
            ("aws-credentials", false)
        ]
    );
    assert!(
        files.iter().all(|f| f["backup"].is_null()),
        "a dry run makes no backup: {plan}"
    );
    assert_eq!(project.snapshot(), before, "--dry-run --output json changed the disk");

    // Applied: the same document, with the backups made.
    let targets = Targets::of(&project);
    let out = run(&project, &world, &args, &["--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(secret) && !out.stdout.contains(OLD_SECRET));
    let done: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(done["dry_run"], json!(false));
    assert_eq!(done["profiles"], plan["profiles"]);
    let files = done["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    assert_eq!(files[0]["path"], json!(targets.build_env.to_str().unwrap()));
    assert!(files[0]["backup"].is_null(), "a new file has no backup");
    let old: [(&Path, String); 4] = [
        (&targets.config, OLD_CONFIG.to_string()),
        (&targets.project_yaml, PROJECT_YAML.to_string()),
        (&targets.tfvars, TFVARS.to_string()),
        (&targets.credentials, old_credentials()),
    ];
    for (file, (path, old_content)) in files[1..].iter().zip(old) {
        assert_eq!(file["path"], json!(path.to_str().unwrap()));
        let backup = PathBuf::from(file["backup"].as_str().expect("an edited file has a backup"));
        assert_eq!(
            std::fs::read_to_string(&backup).unwrap(),
            old_content,
            "{}",
            backup.display()
        );
        assert_eq!(mode(&backup), 0o600, "{}", backup.display());
        let folder = backup_folder(&project, path);
        assert_eq!(backup.parent(), Some(folder.as_path()), "{}", backup.display());
    }
}

/// A target edited (or removed) by another program after the plan was made:
/// a clear error naming it, nothing written; a re-run plans from the edit.
#[test]
fn a_target_edited_between_plan_and_apply_stops_the_run() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let targets = Targets::of(&project);

    let out = run_with_env(
        &project,
        &world,
        &args,
        "LEVERAGE_TEST_EDIT_BEFORE_APPLY",
        &format!("append:{}", targets.tfvars.display()),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "Error: {} was changed by another program while this run was planning; nothing was written.",
            targets.tfvars.display()
        )),
        "{}",
        out.stderr
    );
    let edited = format!("{TFVARS}# edited by another program\n");
    assert_eq!(
        std::fs::read_to_string(&targets.tfvars).unwrap(),
        edited,
        "the other program's edit is kept"
    );
    assert_eq!(
        std::fs::read_to_string(&targets.credentials).unwrap(),
        old_credentials()
    );
    assert_eq!(std::fs::read_to_string(&targets.config).unwrap(), OLD_CONFIG);
    assert_eq!(std::fs::read_to_string(&targets.project_yaml).unwrap(), PROJECT_YAML);
    assert!(!targets.build_env.exists());
    assert!(temporaries(&project).is_empty() && backups(&project).is_empty());

    let before = project.snapshot();
    let out = run_with_env(
        &project,
        &world,
        &args,
        "LEVERAGE_TEST_EDIT_BEFORE_APPLY",
        &format!("remove:{}", targets.config.display()),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "Error: {} was removed by another program",
            targets.config.display()
        )),
        "{}",
        out.stderr
    );
    let mut expected = before;
    expected.retain(|(path, _, _)| path != &targets.config);
    assert_eq!(
        project.snapshot(),
        expected,
        "only the other program's removal happened"
    );

    // Planned again from what is there now, the run completes and keeps the edit.
    let out = run(&project, &world, &args, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tfvars = std::fs::read_to_string(&targets.tfvars).unwrap();
    assert!(
        tfvars.contains("}\n# edited by another program\n") && tfvars.contains("    id    = \""),
        "{tfvars}"
    );
    assert!(std::fs::read_to_string(&targets.config)
        .unwrap()
        .contains("[profile bb-shared-oaar]"));
}

/// `--output json` names the account the keys belong to (`caller_account`)
/// and, with `--fetch-mfa-device`, the MFA device on every profile
/// (`mfa_serial`); without it, `mfa_serial` is null.
#[test]
fn json_names_the_caller_account_and_each_profiles_mfa_serial() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [{"name": "jane", "mfa": 1}],
    }));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let (key_id, secret) = keys_of(&state, "jane");
    let csv = project.keys_csv(key_id, secret);
    let csv = csv.to_str().unwrap();
    let arn = state["users"]["jane"]["arn"].as_str().unwrap();
    let caller = arn.split(':').nth(4).unwrap();
    let serial = state["users"]["jane"]["mfa"][0].as_str().unwrap();

    for (extra, expected_serial) in [
        (&["--dry-run", "--output", "json"][..], Value::Null),
        (
            &["--dry-run", "--output", "json", "--fetch-mfa-device"][..],
            json!(serial),
        ),
    ] {
        let out = project.run(Some(&moto), &configure_args("MANAGEMENT", csv, extra));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let plan: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
        assert_eq!(plan["caller_account"], json!(caller), "{plan}");
        let profiles = plan["profiles"].as_array().unwrap();
        assert!(!profiles.is_empty(), "{plan}");
        for profile in profiles {
            assert_eq!(profile["mfa_serial"], expected_serial, "{extra:?}: {plan}");
        }
    }
}
