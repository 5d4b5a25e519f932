//! Keys of the wrong account: MANAGEMENT handed a security user's CSV and
//! SECURITY handed a management user's. Asked at a terminal (default: stop),
//! an error naming both accounts and `--skip-account-check` without one;
//! nothing is written unless the user accepts.

use serde_json::{json, Value};

use crate::support::{configure_args, Moto, Output, Project, PROJECT_YAML};
use crate::terminal::pty::Pty;
use crate::terminal::{terminal_command, ENTER};

/// An organization with security and shared accounts; jane and john are
/// users of the management account, sam of the security account.
fn world(moto: &Moto) -> Value {
    moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [
            { "name": "jane" },
            { "name": "john" },
            { "name": "sam", "deny_organizations": true, "account": "binbash-security" }
        ],
        "enforce_auth": true
    }))
}

fn text<'a>(state: &'a Value, pointer: &str) -> &'a str {
    state
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {state}"))
}

fn csv_of(project: &mut Project, state: &Value, user: &str) -> String {
    let path = project.keys_csv(
        text(state, &format!("/users/{user}/access_key_id")),
        text(state, &format!("/users/{user}/secret_access_key")),
    );
    path.display().to_string()
}

fn configure(project: &Project, moto: &Moto, kind: &str, csv: &str, extra: &[&str]) -> Output {
    project.run(Some(moto), &configure_args(kind, csv, extra))
}

/// PROJECT_YAML with the management account's id declared.
fn declaring_management(id: &str) -> String {
    let management = "  - name: management\n    email: aws+management@example.com\n";
    assert!(PROJECT_YAML.contains(management));
    PROJECT_YAML.replace(management, &format!("{management}    id: \"{id}\"\n"))
}

#[test]
fn management_given_a_security_users_keys_stops_unless_accepted() {
    let moto = Moto::start();
    let state = world(&moto);
    let management = text(&state, "/management_account_id").to_string();
    let security = text(&state, "/org_accounts/binbash-security").to_string();
    assert_eq!(text(&state, "/users/sam/account_id"), security);
    let mut project = Project::new();
    project.write("project.yaml", &declaring_management(&management));
    let sam = csv_of(&mut project, &state, "sam");
    let before = project.snapshot();

    let out = configure(&project, &moto, "MANAGEMENT", &sam, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needed in [
        security.as_str(),
        management.as_str(),
        "--skip-account-check",
        "nothing was written",
    ] {
        assert!(out.stderr.contains(needed), "`{needed}` missing:\n{}", out.stderr);
    }
    assert_eq!(project.snapshot(), before, "a refused run wrote something");
    assert!(!project.home.join(".aws").exists());

    let out = configure(&project, &moto, "MANAGEMENT", &sam, &["--skip-account-check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(project
        .read_aws("bb", "credentials")
        .contains(text(&state, "/users/sam/access_key_id")));

    // The management account's own keys pass without a word.
    let jane = csv_of(&mut project, &state, "jane");
    let out = configure(
        &project,
        &moto,
        "MANAGEMENT",
        &jane,
        &["--overwrite-existing-credentials"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("skip-account-check"), "{}", out.stderr);
}

#[test]
fn security_given_a_management_users_keys_stops_unless_accepted() {
    let moto = Moto::start();
    let state = world(&moto);
    let management = text(&state, "/management_account_id").to_string();
    let security = text(&state, "/org_accounts/binbash-security").to_string();
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let jane = csv_of(&mut project, &state, "jane");
    // The management keys read the organization, where the security account is listed.
    let out = configure(&project, &moto, "MANAGEMENT", &jane, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let john = csv_of(&mut project, &state, "john");
    let before = project.snapshot();

    let out = configure(&project, &moto, "SECURITY", &john, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needed in [
        security.as_str(),
        management.as_str(),
        "SECURITY",
        "--skip-account-check",
    ] {
        assert!(out.stderr.contains(needed), "`{needed}` missing:\n{}", out.stderr);
    }
    assert_eq!(project.snapshot(), before, "a refused run wrote something");

    let out = configure(&project, &moto, "SECURITY", &john, &["--skip-account-check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(project.read_aws("bb", "credentials").contains("[bb-security]"));

    // The security account's own keys pass.
    let sam = csv_of(&mut project, &state, "sam");
    let out = configure(&project, &moto, "SECURITY", &sam, &["--overwrite-existing-credentials"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("skip-account-check"), "{}", out.stderr);
}

/// A project that declares no management id, in an organization with no
/// account named `management` (moto names it `master`): the organization
/// itself says which account is its management account (DescribeOrganization,
/// which a member account may call), so MANAGEMENT keys of a member account
/// are still caught.
#[test]
fn management_keys_of_a_member_account_are_caught_by_what_the_organization_says() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [
            { "name": "jane" },
            { "name": "mia", "account": "binbash-shared" }
        ],
        "enforce_auth": true
    }));
    let management = text(&state, "/management_account_id").to_string();
    let shared = text(&state, "/org_accounts/binbash-shared").to_string();
    assert_eq!(text(&state, "/users/mia/account_id"), shared);
    let mut project = Project::new();
    assert!(!PROJECT_YAML.contains("    id:"), "the project must declare no id");
    project.write("project.yaml", PROJECT_YAML);
    let mia = csv_of(&mut project, &state, "mia");
    let before = project.snapshot();

    let out = configure(&project, &moto, "MANAGEMENT", &mia, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needed in [
        shared.as_str(),
        management.as_str(),
        "from the organization",
        "--skip-account-check",
    ] {
        assert!(out.stderr.contains(needed), "`{needed}` missing:\n{}", out.stderr);
    }
    assert_eq!(project.snapshot(), before, "a refused run wrote something");

    // The management account's own keys pass without a word.
    let jane = csv_of(&mut project, &state, "jane");
    let out = configure(&project, &moto, "MANAGEMENT", &jane, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("skip-account-check"), "{}", out.stderr);
}

/// At a terminal the question names both accounts; Enter takes the
/// default, which stops; `y` uses the keys.
#[test]
fn at_a_terminal_the_mismatch_is_asked_and_defaults_to_no() {
    let moto = Moto::start();
    let state = world(&moto);
    let management = text(&state, "/management_account_id").to_string();
    let security = text(&state, "/org_accounts/binbash-security").to_string();
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let jane = csv_of(&mut project, &state, "jane");
    let out = configure(&project, &moto, "MANAGEMENT", &jane, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let john = csv_of(&mut project, &state, "john");
    let before = project.snapshot();
    let args = [
        "credentials",
        "configure",
        "--type",
        "SECURITY",
        "--credentials-file",
        john.as_str(),
    ];

    // SECURITY with a management user's keys: Enter keeps "No".
    let mut term = Pty::spawn(terminal_command(&project, Some(&moto), &args, false));
    term.expect(&format!(
        "These keys are of account {management}, not the security account {security}: use them anyway?"
    ));
    term.expect("No, stop: write nothing");
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    let screen = crate::terminal::plain(&raw);
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("--skip-account-check"), "{screen}");
    assert_eq!(project.snapshot(), before, "a refused run wrote something");

    // MANAGEMENT with the security user's keys, the project declaring the
    // management account: `y` accepts them.
    project.write("project.yaml", &declaring_management(&management));
    let sam = csv_of(&mut project, &state, "sam");
    let args = [
        "credentials",
        "configure",
        "--type",
        "MANAGEMENT",
        "--credentials-file",
        sam.as_str(),
        "--overwrite-existing-credentials",
    ];
    let mut term = Pty::spawn(terminal_command(&project, Some(&moto), &args, false));
    term.expect(&format!(
        "These keys are of account {security}, not the management account {management}"
    ));
    term.send("y");
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    let screen = crate::terminal::plain(&raw);
    assert_eq!(code, 0, "{screen}");
    assert!(project
        .read_aws("bb", "credentials")
        .contains(text(&state, "/users/sam/access_key_id")));
}
