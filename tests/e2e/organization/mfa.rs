//! MFA devices: one goes on every profile (and the AWS CLI asks for a code),
//! `--mfa-serial` picks one of several or is checked against the user's own
//! devices, and the errors write nothing.

use super::*;

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
