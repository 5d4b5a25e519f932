//! The command-line surface: flags, help, version, usage errors.

use crate::support::{Project, CONFIGURE_FLAGS};

#[test]
fn help_lists_every_flag() {
    let project = Project::new();
    let out = project.run(None, &["credentials", "configure", "--help"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for flag in CONFIGURE_FLAGS {
        assert!(
            out.stdout.contains(flag),
            "--help does not list {flag}:\n{}",
            out.stdout
        );
    }
}

#[test]
fn version_prints_the_package_version() {
    let out = Project::new().run(None, &["--version"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout.trim(), format!("leverage {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn type_is_required_and_checked_case_insensitively() {
    let project = Project::new();
    let missing = project.run(None, &["credentials", "configure"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("--type"), "{}", missing.stderr);

    let unknown = project.run(None, &["credentials", "configure", "--type", "ADMIN"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("ADMIN"), "{}", unknown.stderr);

    // Lower case is accepted: the run goes on to look for the project, and
    // fails there (the temporary project has no files), not as a usage error.
    let lower = project.run(
        None,
        &["credentials", "configure", "--type", "management", "--non-interactive"],
    );
    assert_eq!(lower.code, 1, "{}", lower.stderr);
    assert!(
        lower.stderr.contains("this does not look like a Leverage project"),
        "{}",
        lower.stderr
    );
    assert!(!lower.stderr.contains("--type"), "{}", lower.stderr);
}

#[test]
fn overwrite_and_skip_keys_are_mutually_exclusive() {
    let project = Project::new();
    let before = project.snapshot();
    let out = project.run(
        None,
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--overwrite-existing-credentials",
            "--skip-access-keys-setup",
        ],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--overwrite-existing-credentials"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--skip-access-keys-setup"), "{}", out.stderr);
    assert_eq!(project.snapshot(), before, "a usage error touched the disk");
    assert!(!project.home.join(".aws").exists());
}

#[test]
fn both_skips_mean_nothing_to_do() {
    let project = Project::new();
    let out = project.run(
        None,
        &[
            "credentials",
            "configure",
            "--type",
            "SECURITY",
            "--skip-access-keys-setup",
            "--skip-assumable-roles-setup",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The core decides it (the CLI has no rule of its own) and says why.
    assert!(
        out.stderr
            .contains("Nothing to do: both the access keys and the assumable roles setup are skipped."),
        "{}",
        out.stderr
    );
    assert!(!project.home.join(".aws").exists());
}

#[test]
fn completions_are_generated() {
    let out = Project::new().run(None, &["completions", "bash"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("leverage"), "{}", out.stdout);
}
