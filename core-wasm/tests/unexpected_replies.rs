//! AWS replies the core does not expect, through the scripted
//! host: each gives a clear error or is skipped with a warning, never a
//! panic, and nothing is planned from a reply that cannot be trusted. (The
//! same replies made by rewriting moto's answers on the wire are in
//! tests/e2e/fault_proxy.rs, with the empty page that carries a next token,
//! which only the host's paginator sees.)

use leverage_core::scenarios::{base_world, request, CALLER_ACCOUNT, KEY_ID, ROOT};
use leverage_core::scripted::{Scenario, ScriptedHost};
use leverage_core::*;

fn run(request: &ConfigureRequest, world: Scenario) -> (Result<Plan, ConfigureError>, Vec<String>) {
    let mut host = ScriptedHost::new(world);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| configure(&mut host, request)));
    match result {
        Ok(result) => (result, host.transcript),
        Err(_) => panic!("the core panicked on an unexpected reply"),
    }
}

fn account(name: &str, id: &str) -> OrganizationAccount {
    OrganizationAccount {
        id: id.into(),
        name: name.into(),
        email: format!("aws+{name}@example.com"),
    }
}

fn identity(account: &str, arn: &str) -> CallerIdentity {
    CallerIdentity {
        account: account.into(),
        arn: arn.into(),
        user_id: "AIDAEXAMPLE".into(),
    }
}

fn jane() -> CallerIdentity {
    identity(CALLER_ACCOUNT, &format!("arn:aws:iam::{CALLER_ACCOUNT}:user/jane"))
}

fn with_organization(accounts: Vec<OrganizationAccount>) -> Scenario {
    let mut world = base_world();
    world.organizations.insert(KEY_ID.into(), Ok(accounts));
    world
}

fn management() -> ConfigureRequest {
    let mut request = request(CredentialsType::Management);
    request.non_interactive = true;
    request
}

fn all_accounts() -> ConfigureRequest {
    let mut request = management();
    request.all_accounts = true;
    request
}

fn profile_names(plan: &Plan) -> Vec<&str> {
    plan.report.profiles.iter().map(|p| p.name.as_str()).collect()
}

fn config_after(plan: &Plan) -> &str {
    plan.changes
        .iter()
        .find(|c| c.path.ends_with("/bb/config"))
        .map(|c| c.after.as_str())
        .unwrap_or("")
}

fn error_text(error: &ConfigureError) -> String {
    match error {
        ConfigureError::InvalidInput(e) => format!("{:?}:{:?}: {}", e.file, e.line, e.message),
        ConfigureError::Aws(f) => format!("{} ({}): {:?}", f.message, f.operation, f.error),
        other => format!("{other:?}"),
    }
}

fn no_control_characters(text: &str) {
    assert!(
        !text.contains(|c: char| c.is_control()),
        "a control character reached a message: {text:?}"
    );
}

// ---------------------------------------------------------------------------
// ListAccounts

#[test]
fn an_account_without_a_name_is_skipped_with_a_warning() {
    let world = with_organization(vec![
        account("binbash-security", "222222222222"),
        account("", "444444444444"),
    ]);
    let (result, _) = run(&all_accounts(), world);
    let plan = result.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    assert!(
        plan.report.warnings.iter().any(|w| w.contains("without a usable name")),
        "{:?}",
        plan.report.warnings
    );
    assert!(!config_after(&plan).contains("444444444444"), "{}", config_after(&plan));
    assert!(profile_names(&plan).contains(&"bb-security-oaar"));
}

#[test]
fn an_account_with_an_id_that_is_not_twelve_digits_is_skipped_with_a_warning() {
    for id in [
        "",
        "12345",
        "1234567890123",
        "12345678901a",
        "-11111111111",
        "١٢٣٤٥٦٧٨٩٠١٢",
    ] {
        let world = with_organization(vec![
            account("binbash-security", "222222222222"),
            account("binbash-odd", id),
        ]);
        let (result, _) = run(&all_accounts(), world);
        let plan = result.unwrap_or_else(|e| panic!("id {id:?}: {}", error_text(&e)));
        assert!(
            !profile_names(&plan).contains(&"bb-odd-oaar"),
            "id {id:?}: {:?}",
            profile_names(&plan)
        );
        assert!(
            plan.report
                .warnings
                .iter()
                .any(|w| w.contains("without a usable name or id")),
            "id {id:?}"
        );
    }
}

/// Names AWS never sends (it allows printable ASCII only) but a broken or
/// hostile endpoint could: none may land in the config file as a header
/// that breaks it, nor make the error blame the user's config file.
#[test]
fn an_account_name_that_cannot_be_a_profile_name_is_skipped_with_a_warning() {
    for name in [
        "a]b",
        "[x",
        "evil\n[default]",
        "tab\there",
        "esc\u{1b}[2J",
        "cr\rname",
        "nul\0",
    ] {
        let world = with_organization(vec![
            account("binbash-security", "222222222222"),
            account(name, "555555555555"),
        ]);
        let (result, _) = run(&all_accounts(), world);
        let plan = result.unwrap_or_else(|e| panic!("name {name:?}: {}", error_text(&e)));
        assert!(
            !config_after(&plan).contains("555555555555"),
            "name {name:?}:\n{}",
            config_after(&plan)
        );
        assert!(profile_names(&plan).contains(&"bb-security-oaar"), "name {name:?}");
        for warning in &plan.report.warnings {
            no_control_characters(warning);
        }
        assert!(
            plan.report.warnings.iter().any(|w| w.contains("555555555555")),
            "name {name:?}: {:?}",
            plan.report.warnings
        );
    }
}

#[test]
fn duplicate_accounts_give_one_profile_each() {
    let world = with_organization(vec![
        account("binbash-security", "222222222222"),
        account("binbash-security", "222222222222"),
        account("security", "222222222222"),
        account("binbash-shared", "033333333333"),
        account("binbash-shared", "044444444444"),
    ]);
    let (result, _) = run(&all_accounts(), world);
    let plan = result.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    let names = profile_names(&plan);
    assert_eq!(
        names.iter().filter(|n| **n == "bb-security-oaar").count(),
        1,
        "{names:?}"
    );
    // Two different accounts named `shared`: no id is guessed, no profile.
    assert!(!names.contains(&"bb-shared-oaar"), "{names:?}");
    assert!(
        plan.report
            .warnings
            .iter()
            .any(|w| w.contains("2 accounts named `shared`")),
        "{:?}",
        plan.report.warnings
    );
    // The config file parses: no section twice.
    assert!(
        ini::IniDocument::parse(config_after(&plan)).is_ok(),
        "{}",
        config_after(&plan)
    );
}

#[test]
fn an_empty_organization_warns_nothing_and_uses_the_declared_accounts() {
    let (result, _) = run(&management(), with_organization(Vec::new()));
    let plan = result.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    // project.yaml declares no ids: no profiles, and a warning per account.
    assert!(plan.report.profiles.is_empty());
    assert!(
        plan.report.warnings.iter().any(|w| w.contains("has no id")),
        "{:?}",
        plan.report.warnings
    );
}

/// Five thousand accounts (AWS's default quota is ten): one profile each,
/// and a config file that parses. (About half a second on an idle machine.)
#[test]
fn a_very_large_organization_is_handled() {
    let accounts: Vec<OrganizationAccount> = (0..5000)
        .map(|i| account(&format!("binbash-acct{i}"), &format!("{:012}", 100_000 + i)))
        .collect();
    let (result, _) = run(&all_accounts(), with_organization(accounts));
    let plan = result.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    assert_eq!(
        plan.report
            .profiles
            .iter()
            .filter(|p| p.name.starts_with("bb-acct"))
            .count(),
        5000
    );
    let config = ini::IniDocument::parse(config_after(&plan)).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.has_section("profile bb-acct4999-oaar"));
}

#[test]
fn organization_errors_that_are_not_permissions_are_errors() {
    for error in [
        AwsError::new(AwsErrorKind::Throttled, "ThrottlingException: Rate exceeded"),
        AwsError::new(AwsErrorKind::Network, "the request timed out"),
        AwsError::new(AwsErrorKind::Other, "unexpected response (HTTP 200)"),
    ] {
        let mut world = base_world();
        world.organizations.insert(KEY_ID.into(), Err(error.clone()));
        let (result, _) = run(&management(), world);
        let Err(ConfigureError::Aws(failure)) = &result else {
            panic!("{error:?}: {result:?}")
        };
        assert_eq!(failure.operation, "organizations:ListAccounts");
        assert!(
            failure.message.contains("could not read the organization"),
            "{}",
            failure.message
        );
    }
}

#[test]
fn aws_messages_with_control_characters_are_escaped() {
    let mut world = base_world();
    world.organizations.insert(
        KEY_ID.into(),
        Err(AwsError::new(AwsErrorKind::Other, "boom\u{1b}[2J\r\nInjected: line")),
    );
    let (result, transcript) = run(&management(), world.clone());
    let Err(ConfigureError::Aws(failure)) = &result else {
        panic!("{result:?}")
    };
    no_control_characters(&failure.message);
    no_control_characters(
        &format!("{:?}", failure.error)
            .replace("\\u{1b}", "")
            .replace("\\r\\n", ""),
    );
    assert_eq!(failure.error.kind, AwsErrorKind::Other);
    let detail = &failure.error.message;
    no_control_characters(detail);
    assert!(detail.contains("\\u{1b}[2J"), "{detail}");
    for line in transcript {
        no_control_characters(&line);
    }

    // The same text in a warning (access denied is a warning, not an error).
    world.organizations.insert(
        KEY_ID.into(),
        Err(AwsError::new(AwsErrorKind::AccessDenied, "no\u{1b}[31m way")),
    );
    let (result, _) = run(&management(), world);
    let plan = result.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    assert!(!plan.report.warnings.is_empty());
    for warning in &plan.report.warnings {
        no_control_characters(warning);
    }
}

// ---------------------------------------------------------------------------
// GetCallerIdentity

#[test]
fn a_caller_identity_without_an_account_is_an_error() {
    for account in ["", "12345678901", "1234567890123", "abcdefghijkl", " 111111111111"] {
        let mut world = base_world();
        world.identities.insert(
            KEY_ID.into(),
            Ok(identity(account, &format!("arn:aws:iam::{CALLER_ACCOUNT}:user/jane"))),
        );
        let (result, transcript) = run(&management(), world);
        let Err(ConfigureError::Aws(failure)) = &result else {
            panic!("account {account:?}: {result:?}")
        };
        assert_eq!(failure.operation, "sts:GetCallerIdentity");
        assert!(
            failure.message.contains("without a valid account id"),
            "{}",
            failure.message
        );
        // The organization was asked for in the same batch (calls go out
        // together), and nothing more was asked after the bad identity.
        let batches = transcript.iter().filter(|l| l.starts_with("aws.call-all")).count();
        assert_eq!(batches, 1, "{transcript:#?}");
        assert!(
            !transcript.iter().any(|l| l.starts_with("prompt.")),
            "went on after a bad identity"
        );
    }
}

#[test]
fn a_caller_identity_without_an_arn_cannot_fetch_mfa_devices() {
    for arn in [
        "",
        "arn:aws:iam::111111111111:user/",
        "arn:aws:iam::111111111111:root",
        "not an arn",
        "arn:aws:iam::111111111111:user/a b",
    ] {
        let mut world = base_world();
        world
            .identities
            .insert(KEY_ID.into(), Ok(identity(CALLER_ACCOUNT, arn)));
        let mut request = management();
        request.fetch_mfa_device = true;
        let (result, transcript) = run(&request, world);
        let Err(error) = &result else {
            panic!("arn {arn:?}: {result:?}")
        };
        assert!(
            error_text(error).contains("needs the keys of an IAM user"),
            "arn {arn:?}: {}",
            error_text(error)
        );
        let batches = transcript.iter().filter(|l| l.starts_with("aws.call-all")).count();
        assert_eq!(batches, 1, "{transcript:#?}");
    }
}

// ---------------------------------------------------------------------------
// DescribeOrganization

#[test]
fn a_management_account_id_that_is_not_twelve_digits_is_ignored() {
    // The base organization names `binbash-management` 111111111111, the
    // keys' own account: with the odd answer ignored, the keys pass.
    for id in ["", "12345", "1234567890123", "12345678901a", "22222222222\n2"] {
        let mut world = base_world();
        world.described_organizations.insert(
            KEY_ID.into(),
            Ok(Organization {
                id: "o-exampleorgid".into(),
                management_account_id: id.into(),
            }),
        );
        let (result, transcript) = run(&management(), world);
        let plan = result.unwrap_or_else(|e| panic!("id {id:?}: {}", error_text(&e)));
        assert!(plan.report.keys_written, "id {id:?}");
        assert!(
            transcript
                .iter()
                .any(|l| l.starts_with("log.level::debug describeorganization answered without")),
            "{transcript:#?}"
        );
    }
}

// ---------------------------------------------------------------------------
// ListMFADevices

fn mfa_world(devices: &[&str]) -> (ConfigureRequest, Scenario) {
    let mut world = base_world();
    world.identities.insert(KEY_ID.into(), Ok(jane()));
    world
        .mfa_devices
        .insert("jane".into(), devices.iter().map(|d| d.to_string()).collect());
    let mut request = management();
    request.fetch_mfa_device = true;
    (request, world)
}

#[test]
fn an_mfa_serial_of_an_unknown_shape_is_named_and_not_used() {
    for serial in [
        "GAHT12345678",
        "",
        "arn:aws:iam::111111111111:user/jane",
        "arn:aws:iam::1:mfa/jane",
        "arn:aws:iam::111111111111:mfa/",
    ] {
        let (request, world) = mfa_world(&[serial]);
        let (result, transcript) = run(&request, world);
        let Err(ConfigureError::InvalidInput(e)) = &result else {
            panic!("serial {serial:?}: {result:?}")
        };
        assert!(
            e.message.starts_with("no MFA device found for user jane"),
            "{}",
            e.message
        );
        if !serial.is_empty() {
            assert!(
                e.message.contains(serial),
                "the unusable serial is named: {}",
                e.message
            );
            assert!(
                transcript.iter().any(|l| l.contains("warn skipped mfa device")),
                "{transcript:#?}"
            );
        }
    }
}

#[test]
fn a_usable_mfa_device_is_kept_beside_unusable_ones() {
    let good = format!("arn:aws:iam::{CALLER_ACCOUNT}:mfa/jane");
    let (request, world) = mfa_world(&["GAHT12345678", &good, "garbage\u{1b}[2J"]);
    let (result, transcript) = run(&request, world);
    let plan = result.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    assert!(plan
        .report
        .profiles
        .iter()
        .all(|p| p.mfa_serial.as_deref() == Some(good.as_str())));
    assert!(!config_after(&plan).contains("GAHT"));
    for line in transcript {
        no_control_characters(&line);
    }
}

#[test]
fn the_same_mfa_device_listed_twice_is_one_device() {
    let good = format!("arn:aws:iam::{CALLER_ACCOUNT}:mfa/jane");
    let (request, world) = mfa_world(&[&good, &good]);
    let (result, _) = run(&request, world);
    let plan = result.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    assert!(plan
        .report
        .profiles
        .iter()
        .all(|p| p.mfa_serial.as_deref() == Some(good.as_str())));
}

/// The scripted host's declared-id project, to make sure the base scenario
/// still means what these tests assume.
#[test]
fn the_base_world_is_a_management_run_with_an_organization() {
    let (result, _) = run(&management(), base_world());
    let plan = result.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    assert_eq!(
        profile_names(&plan),
        ["bb-management-oaar", "bb-security-oaar", "bb-shared-oaar"]
    );
    assert!(plan.changes.iter().any(|c| c.path == format!("{ROOT}/project.yaml")));
}
