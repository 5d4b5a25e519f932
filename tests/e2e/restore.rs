//! `credentials restore`: a configure run that wrote four files (two
//! created, two changed) is undone from its record and backups; the restore
//! is itself undone; a file edited since the run is refused under
//! `--non-interactive`; `--dry-run` and `--list` change nothing.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::support::{configure_args, keys_of, mode, Moto, Output, Project, PROJECT_YAML};

const OTHER_PROFILE: &str = "[someone-else]\nregion = eu-west-1\n";

/// A project with project.yaml, no build.env, a credentials file holding
/// another profile and no config file; then one MANAGEMENT run, which
/// creates build.env and the config file and changes the other two.
fn configured(moto: &Moto) -> (Project, Vec<PathBuf>) {
    let state: Value = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [{ "name": "jane" }],
        "enforce_auth": true
    }));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let credentials = project.aws_file("bb", "credentials");
    std::fs::create_dir_all(credentials.parent().unwrap()).unwrap();
    std::fs::write(&credentials, OTHER_PROFILE).unwrap();
    std::fs::set_permissions(&credentials, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let (key, secret) = keys_of(&state, "jane");
    let csv = project.keys_csv(key, secret);
    let out = project.run(Some(moto), &configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = vec![
        project.root.join("build.env"),
        project.aws_file("bb", "config"),
        project.root.join("project.yaml"),
        credentials,
    ];
    for file in &files {
        assert!(file.exists(), "{} was not written", file.display());
    }
    (project, files)
}

/// Each file's content, or none when it does not exist.
fn contents(files: &[PathBuf]) -> Vec<Option<String>> {
    files.iter().map(|f| std::fs::read_to_string(f).ok()).collect()
}

fn restore(project: &Project, extra: &[&str]) -> Output {
    let mut args = vec!["credentials", "restore"];
    args.extend_from_slice(extra);
    project.run(None, &args)
}

fn runs_dir(project: &Project) -> PathBuf {
    project.home.join(".aws/leverage-runs")
}

#[test]
fn a_four_file_run_is_undone_and_the_undo_is_undone() {
    let moto = Moto::start();
    let (project, files) = configured(&moto);
    let written = contents(&files);
    assert_eq!(mode(&runs_dir(&project)), 0o700);
    let records: Vec<PathBuf> = std::fs::read_dir(runs_dir(&project))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(mode(&records[0]), 0o600);

    // --list: the run and its four files.
    let out = restore(&project, &["--list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listed = out.stdout.clone();
    let first = listed.lines().next().unwrap_or_default();
    assert!(first.contains("configure") && first.ends_with("~/project"), "{listed}");
    for (what, file) in [
        ("created", "build.env"),
        ("created", "~/.aws/bb/config"),
        ("updated", "project.yaml"),
        ("updated", "~/.aws/bb/credentials"),
    ] {
        assert!(
            listed
                .lines()
                .any(|l| l.trim_start().starts_with(what) && l.contains(file)),
            "{what} {file} not listed:\n{listed}"
        );
    }

    let out = restore(&project, &["--non-interactive"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        contents(&files),
        [
            None,
            None,
            Some(PROJECT_YAML.to_string()),
            Some(OTHER_PROFILE.to_string())
        ],
        "{}",
        out.stderr
    );
    assert_eq!(mode(&files[3]), 0o600);
    assert!(out.stderr.contains("to undo this restore"), "{}", out.stderr);

    // The restore is the newest run; restoring it puts the run's files back.
    let out = restore(&project, &["--list"]);
    let first = out.stdout.lines().next().unwrap_or_default().to_string();
    assert!(first.contains("restore"), "{}", out.stdout);
    let out = restore(&project, &["--non-interactive"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(contents(&files), written);
    assert_eq!(mode(&files[1]), 0o600);
    assert_eq!(mode(&files[3]), 0o600);

    // The first run can still be named: undoing it again works from its backups.
    let configure_run = listed.lines().next().unwrap().split_whitespace().next().unwrap();
    let out = restore(&project, &["--run", configure_run, "--non-interactive"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(contents(&files)[2].as_deref(), Some(PROJECT_YAML));

    let out = restore(&project, &["--run", "19990101T000000Z", "--non-interactive"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("--list"), "{}", out.stderr);
}

#[test]
fn a_file_edited_since_the_run_is_refused_under_non_interactive() {
    let moto = Moto::start();
    let (project, files) = configured(&moto);
    let yaml = &files[2];
    let edited = format!("{}# edited by hand\n", std::fs::read_to_string(yaml).unwrap());
    std::fs::write(yaml, &edited).unwrap();
    let before = project.snapshot();

    let out = restore(&project, &["--non-interactive"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("project.yaml was changed since run") && out.stderr.contains("nothing was restored"),
        "{}",
        out.stderr
    );
    assert_eq!(project.snapshot(), before, "a refused restore wrote something");
}

#[test]
fn a_dry_run_shows_masked_diffs_and_writes_nothing() {
    let moto = Moto::start();
    let (project, _) = configured(&moto);
    let before = project.snapshot();
    let out = restore(&project, &["--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The credentials diff shows the mask where the secret was.
    assert!(out.stdout.contains("--- a/~/.aws/bb/credentials"), "{}", out.stdout);
    assert!(
        out.stdout.contains("-aws_secret_access_key = ****************"),
        "{}",
        out.stdout
    );
    // A file the run created is removed.
    assert!(
        out.stdout.contains("--- a/~/.aws/bb/config\n+++ /dev/null"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("--- a/build.env\n+++ /dev/null"), "{}", out.stdout);
    assert_eq!(project.snapshot(), before, "a dry run wrote something");
}

#[test]
fn nothing_recorded_is_an_error_and_an_empty_list() {
    let project = Project::new();
    let out = restore(&project, &["--non-interactive"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("no run is recorded"), "{}", out.stderr);
    let out = restore(&project, &["--list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(!project.home.join(".aws").exists());
    let out = restore(&project, &["--list", "--dry-run"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}
