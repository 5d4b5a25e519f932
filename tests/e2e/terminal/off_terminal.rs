//! Off a terminal: the error that names the flags and `--non-interactive`,
//! `--quiet` and `--verbose`, and a full run's output against its snapshot.

use super::*;

/// No terminal and no --non-interactive: the error says which flags give
/// the answers and suggests --non-interactive; nothing is written.
#[test]
fn without_a_terminal_the_error_names_the_flags_and_non_interactive() {
    let project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let before = project.snapshot();
    let out = project.run(None, &configure("MANAGEMENT"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needed in [
        "Error: ",
        "--non-interactive",
        "--credentials-file",
        "LEVERAGE_AWS_ACCESS_KEY_ID",
        "Hint: ",
    ] {
        assert!(out.stderr.contains(needed), "the error lacks {needed}:\n{}", out.stderr);
    }
    assert_eq!(project.snapshot(), before);

    let mut project = project;
    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let out = project.run(None, &configure("MANAGEMENT"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needed in [
        "--overwrite-existing-credentials",
        "--skip-access-keys-setup",
        "--non-interactive",
    ] {
        assert!(out.stderr.contains(needed), "the error lacks {needed}:\n{}", out.stderr);
    }
}

/// `--quiet` prints nothing on success and still prints errors;
/// `--verbose` shows each AWS call without the secret.
#[test]
fn quiet_shows_only_errors_and_verbose_shows_the_aws_calls() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let csv = csv.to_str().unwrap();

    let quiet = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            csv,
            "-q",
        ],
    );
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stderr, "", "--quiet printed something on success");
    assert!(project.read_aws("bb", "config").contains("[profile bb-shared-oaar]"));

    let failing = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            "/nonexistent.csv",
            "-q",
            "--overwrite-existing-credentials",
        ],
    );
    assert_eq!(failing.code, 1);
    assert!(failing.stderr.starts_with("Error: "), "{}", failing.stderr);

    let verbose = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            csv,
            "--overwrite-existing-credentials",
            "-v",
        ],
    );
    assert_eq!(verbose.code, 0, "{}", verbose.stderr);
    for call in [
        format!("AWS sts:GetCallerIdentity with key {key_id} in us-east-1"),
        format!("AWS organizations:ListAccounts with key {key_id} in us-east-1"),
    ] {
        assert!(
            verbose.stderr.contains(&call),
            "--verbose does not show `{call}`:\n{}",
            verbose.stderr
        );
    }
    let normal = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            csv,
            "--overwrite-existing-credentials",
        ],
    );
    assert!(
        !normal.stderr.contains("AWS sts:GetCallerIdentity"),
        "{}",
        normal.stderr
    );
}

/// The stderr of a full run off a terminal (first configuration, key
/// rotation, rejected keys, outside a project) against the committed
/// snapshot, so that wording changes are deliberate. To accept a change:
/// `cargo insta review` (or `INSTA_UPDATE=always`); under `CI` insta never
/// writes a snapshot, so a changed output fails there.
#[test]
fn full_run_output_matches_the_snapshot() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}, {"name": "john"}]));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    project.write(
        "config/common.tfvars",
        "project      = \"bb\"\nproject_long = \"binbash\"\n\n# Accounts\nsecurity_account_id = \"000000000000\"\n",
    );
    let (jane_key, jane_secret) = keys_of(&state, "jane");
    let (john_key, john_secret) = keys_of(&state, "john");
    let jane_csv = project.keys_csv(jane_key, jane_secret);
    let john_csv = project.keys_csv(john_key, john_secret);
    let bad_csv = project.keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    // Values that differ between runs become fixed stand-ins; insta applies
    // these filters (regular expressions) before comparing.
    let mut filters: Vec<(String, String)> = vec![
        (project.home.display().to_string(), "$HOME".to_string()),
        (
            text(&state, "/management_account_id").to_string(),
            "100000000001".to_string(),
        ),
        (
            text(&state, "/org_accounts/binbash-security").to_string(),
            "100000000002".to_string(),
        ),
        (
            text(&state, "/org_accounts/binbash-shared").to_string(),
            "100000000003".to_string(),
        ),
        (jane_key.to_string(), "AKIAJANEJANEJANEJANE".to_string()),
        (john_key.to_string(), "AKIAJOHNJOHNJOHNJOHN".to_string()),
    ];
    filters.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    let mut filters: Vec<(String, String)> = filters
        .into_iter()
        .map(|(from, to)| (regex_escape(&from), to.replace('$', "$$")))
        .collect();
    // A backup's timestamp: <file>.YYYYMMDDTHHMMSSZ.bak
    filters.push((r"\.\d{8}T\d{6}Z\.bak".into(), ".YYYYMMDDTHHMMSSZ.bak".into()));

    let runs: Vec<(String, Vec<String>, PathBuf)> = vec![
        (
            "first configuration".into(),
            vec![
                "--credentials-file".into(),
                jane_csv.display().to_string(),
                "--non-interactive".into(),
            ],
            project.root.clone(),
        ),
        (
            "key rotation".into(),
            vec![
                "--credentials-file".into(),
                john_csv.display().to_string(),
                "--overwrite-existing-credentials".into(),
            ],
            project.root.clone(),
        ),
        (
            "rejected keys".into(),
            vec![
                "--credentials-file".into(),
                bad_csv.display().to_string(),
                "--overwrite-existing-credentials".into(),
            ],
            project.root.clone(),
        ),
        (
            "outside a project".into(),
            vec!["--non-interactive".into()],
            project.home.clone(),
        ),
    ];
    let mut transcript = String::new();
    for (title, extra, dir) in runs {
        let mut args = vec![
            "credentials".to_string(),
            "configure".into(),
            "--type".into(),
            "MANAGEMENT".into(),
        ];
        args.extend(extra);
        let mut cmd = project.command(Some(&moto));
        cmd.current_dir(&dir);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = project.run_with(cmd, &argv, None);
        assert!(
            !out.stderr.contains('\x1b'),
            "escape sequences off a terminal:\n{:?}",
            out.stderr
        );
        transcript.push_str(&format!(
            "## {title}\n$ leverage {}\n[exit {}]\n{}\n",
            args.join(" "),
            out.code,
            out.stderr
        ));
    }

    let mut settings = insta::Settings::clone_current();
    for (from, to) in &filters {
        settings.add_filter(from, to.as_str());
    }
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("terminal_full_run", transcript));
}

/// `text` as a regular expression matching itself.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
