//! The account profiles' life after they are written: which profiles count
//! as written by this tool (and so may be listed as stale and pruned), and
//! the check that new keys belong to the account of their credentials type.

use leverage_core::scenarios::*;
use leverage_core::scripted::{Answer, Scenario, ScriptedHost};
use leverage_core::*;

const CONFIG: &str = "/home/user/.aws/bb/config";
const OAAR: &str = "OrganizationAccountAccessRole";
/// An account in neither the organization nor the project.
const GONE: &str = "555555555555";

fn run(request: &ConfigureRequest, world: Scenario) -> (Result<Plan, ConfigureError>, ScriptedHost) {
    let mut host = ScriptedHost::new(world);
    let result = configure(&mut host, request);
    (result, host)
}

fn management() -> ConfigureRequest {
    let mut request = request(CredentialsType::Management);
    request.non_interactive = true;
    request
}

/// A profile as this tool writes it, for account `id`.
fn generated(name: &str, id: &str) -> String {
    format!(
        "[profile bb-{name}-oaar]\noutput = json\nregion = us-east-1\nrole_arn = arn:aws:iam::{id}:role/{OAAR}\nsource_profile = bb-management\n"
    )
}

fn config_after(plan: &Plan) -> &str {
    plan.changes
        .iter()
        .find(|c| c.path == CONFIG)
        .map(|c| c.after.as_str())
        .expect("a change to the config file")
}

fn stale_names(plan: &Plan) -> Vec<&str> {
    plan.report.stale_profiles.iter().map(|p| p.name.as_str()).collect()
}

/// Profiles that look like ours but are not, each in one way; none may be
/// listed or removed, whatever its account.
fn not_generated() -> Vec<(&'static str, String)> {
    let role = format!("arn:aws:iam::{GONE}:role/{OAAR}");
    vec![
        (
            "a key this tool never writes",
            format!(
                "[profile bb-extra-oaar]\noutput = json\nregion = us-east-1\nrole_arn = {role}\nsource_profile = bb-management\nduration_seconds = 3600\n"
            ),
        ),
        (
            "another project's profile",
            format!("[profile xx-other-oaar]\noutput = json\nrole_arn = {role}\nsource_profile = xx-management\n"),
        ),
        (
            "another source profile",
            format!("[profile bb-src-oaar]\noutput = json\nrole_arn = {role}\nsource_profile = bb-security\n"),
        ),
        (
            "another role",
            format!(
                "[profile bb-admin-oaar]\noutput = json\nrole_arn = arn:aws:iam::{GONE}:role/Admin\nsource_profile = bb-management\n"
            ),
        ),
        (
            "a comment among its keys",
            format!(
                "[profile bb-noted-oaar]\noutput = json\n# kept for the auditors\nrole_arn = {role}\nsource_profile = bb-management\n"
            ),
        ),
        (
            "an indented key",
            format!("[profile bb-indented-oaar]\n  output = json\nrole_arn = {role}\nsource_profile = bb-management\n"),
        ),
        (
            "another type's suffix",
            format!("[profile bb-gone-devops]\noutput = json\nrole_arn = {role}\nsource_profile = bb-management\n"),
        ),
        (
            "a name without the short name",
            format!("[profile gone-oaar]\noutput = json\nrole_arn = {role}\nsource_profile = bb-management\n"),
        ),
        (
            "no role at all",
            "[profile bb-norole-oaar]\noutput = json\nsource_profile = bb-management\n".to_string(),
        ),
        (
            "a role_arn that is not an account's",
            format!(
                "[profile bb-odd-oaar]\noutput = json\nrole_arn = arn:aws:iam::12345:role/{OAAR}\nsource_profile = bb-management\n"
            ),
        ),
    ]
}

/// The base world (MANAGEMENT keys that read the organization) with `config`
/// as the AWS config file.
fn world_with_config(config: &str) -> Scenario {
    let mut world = base_world();
    world.files.insert(CONFIG.into(), config.to_string());
    world
}

#[test]
fn a_generated_profile_of_an_account_gone_from_the_organization_is_listed() {
    let stale = generated("closed", GONE);
    // Accounts the organization lists, or the project declares, are kept.
    let listed = generated("sandbox", "444444444444");
    let config = format!("{stale}{listed}");
    let (plan, _) = run(&management(), world_with_config(&config));
    let plan = plan.unwrap();
    assert_eq!(stale_names(&plan), ["bb-closed-oaar"]);
    assert_eq!(plan.report.stale_profiles[0].account_id, GONE);
    assert!(plan.report.pruned_profiles.is_empty());
    let warning = plan
        .report
        .warnings
        .iter()
        .find(|w| w.contains("bb-closed-oaar"))
        .expect("a warning");
    assert!(warning.contains(GONE) && warning.contains("--prune"), "{warning}");
    // Without --prune the profile stays.
    assert!(config_after(&plan).starts_with(&stale), "{}", config_after(&plan));
}

#[test]
fn prune_removes_only_the_stale_section_and_keeps_every_other_byte() {
    let head = "# my profiles\n[profile mine]\nregion = eu-west-1\n\n";
    let stale = generated("closed", GONE);
    let tail = "\n# about the next one\n[profile bb-keep]\nregion = us-east-1\n";
    let config = format!("{head}{stale}{tail}");
    let mut request = management();
    request.prune = true;
    let (plan, host) = run(&request, world_with_config(&config));
    let plan = plan.unwrap();
    assert_eq!(
        plan.report
            .pruned_profiles
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["bb-closed-oaar"]
    );
    assert!(plan.report.stale_profiles.is_empty());
    assert!(!plan.report.warnings.iter().any(|w| w.contains("bb-closed-oaar")));
    assert!(host
        .transcript
        .iter()
        .any(|l| l.contains("removing the profile bb-closed-oaar")));
    let after = config_after(&plan);
    // The blank line that followed the removed keys went with them; the
    // comment about the next profile stayed.
    let expected_start = format!("{head}# about the next one\n[profile bb-keep]\nregion = us-east-1\n");
    assert!(after.starts_with(&expected_start), "{after}");
    assert!(!after.contains("bb-closed-oaar"), "{after}");
}

#[test]
fn profiles_this_tool_did_not_write_are_never_listed_or_pruned() {
    for (what, section) in not_generated() {
        let config = format!("{section}{}", generated("closed", GONE));
        let mut request = management();
        request.prune = true;
        let (plan, _) = run(&request, world_with_config(&config));
        let plan = plan.unwrap_or_else(|e| panic!("{what}: {e:?}"));
        let pruned: Vec<&str> = plan.report.pruned_profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(pruned, ["bb-closed-oaar"], "{what}");
        assert!(
            config_after(&plan).starts_with(&section),
            "{what}: the section changed:\n{}",
            config_after(&plan)
        );
    }
}

#[test]
fn a_profile_of_a_declared_account_or_one_this_run_writes_is_not_stale() {
    // `shared` is declared by the project; its id changed in the organization.
    let config = generated("shared", GONE);
    let (plan, _) = run(&management(), world_with_config(&config));
    let plan = plan.unwrap();
    assert!(
        plan.report.stale_profiles.is_empty(),
        "{:?}",
        plan.report.stale_profiles
    );
    // A declared id the organization does not list is the project's to keep.
    let mut world = world_with_config(&generated("legacy", GONE));
    world.files.insert(
        format!("{ROOT}/project.yaml"),
        format!("{PROJECT_YAML}  - name: legacy\n    email: aws+legacy@example.com\n    id: \"{GONE}\"\n"),
    );
    let (plan, _) = run(&management(), world);
    assert!(plan.unwrap().report.stale_profiles.is_empty());
}

#[test]
fn nothing_is_listed_when_the_organization_could_not_be_read() {
    let mut world = world_with_config(&generated("closed", GONE));
    world.organizations.insert(
        KEY_ID.into(),
        Err(AwsError::new(AwsErrorKind::AccessDenied, "AccessDenied")),
    );
    let (plan, _) = run(&management(), world);
    let plan = plan.unwrap();
    assert!(plan.report.stale_profiles.is_empty());
}

// ---- the account check ----

/// The base world whose new keys belong to account `account`.
fn keys_of_account(account: &str) -> Scenario {
    let mut world = base_world();
    world.identities.insert(
        KEY_ID.into(),
        Ok(CallerIdentity {
            account: account.into(),
            arn: format!("arn:aws:iam::{account}:user/jane"),
            user_id: "AIDAEXAMPLEEXAMPLE".into(),
        }),
    );
    world
}

#[test]
fn management_keys_of_another_account_stop_a_non_interactive_run() {
    // The organization names 111111111111 as `binbash-management`.
    let (result, host) = run(&management(), keys_of_account("222222222222"));
    let Err(ConfigureError::AnswerNeeded(message)) = result else {
        panic!("{result:?}")
    };
    for needed in [
        "222222222222",
        "111111111111",
        "--skip-account-check",
        "the organization",
    ] {
        assert!(message.contains(needed), "`{needed}` missing: {message}");
    }
    assert!(!host.transcript.iter().any(|l| l.starts_with("prompt.")));
}

#[test]
fn the_project_declared_management_account_comes_first() {
    let mut world = keys_of_account("111111111111");
    world.files.insert(
        format!("{ROOT}/project.yaml"),
        PROJECT_YAML.replace(
            "  - name: management\n    email: aws+management@example.com\n",
            "  - name: management\n    email: aws+management@example.com\n    id: \"999999999999\"\n",
        ),
    );
    let (result, _) = run(&management(), world);
    let Err(ConfigureError::AnswerNeeded(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        message.contains("999999999999") && message.contains("the project"),
        "{message}"
    );
}

#[test]
fn a_mismatch_is_asked_with_no_as_the_default() {
    let mut request = management();
    request.non_interactive = false;
    let mut world = keys_of_account("222222222222");
    world.answers = vec![Answer::Select(0)];
    let (result, host) = run(&request, world);
    let Err(ConfigureError::InvalidInput(error)) = result else {
        panic!("{result:?}")
    };
    assert!(error.message.contains("--skip-account-check"), "{}", error.message);
    let asked = host
        .transcript
        .iter()
        .find(|l| l.starts_with("prompt.select These keys are of account 222222222222"))
        .expect("the question");
    assert!(
        asked.contains("111111111111") && asked.ends_with("default=0"),
        "{asked}"
    );
    assert!(host
        .questions
        .iter()
        .any(|q| q.answered_by.contains("--skip-account-check")));

    let mut world = keys_of_account("222222222222");
    world.answers = vec![Answer::Select(1)];
    let (result, _) = run(&request, world);
    let plan = result.unwrap();
    assert!(plan.report.keys_written);
    assert_eq!(plan.report.caller_account.as_deref(), Some("222222222222"));
}

#[test]
fn skip_account_check_accepts_without_asking() {
    let mut request = management();
    request.skip_account_check = true;
    let (result, host) = run(&request, keys_of_account("222222222222"));
    assert!(result.unwrap().report.keys_written);
    assert!(!host.transcript.iter().any(|l| l.starts_with("prompt.")));
}

#[test]
fn an_unknown_expected_account_says_nothing() {
    // No declared id and an organization the keys may not read.
    let mut world = keys_of_account("222222222222");
    world.organizations.insert(
        KEY_ID.into(),
        Err(AwsError::new(AwsErrorKind::AccessDenied, "AccessDenied")),
    );
    let (result, host) = run(&management(), world);
    assert!(result.unwrap().report.keys_written);
    assert!(!host.transcript.iter().any(|l| l.contains("skip-account-check")));
}

#[test]
fn security_keys_are_compared_with_the_security_account() {
    // SECURITY reads the organization with the management keys configured before.
    let credentials =
        format!("[bb-management]\naws_access_key_id = {OLD_KEY_ID}\naws_secret_access_key = {OLD_SECRET}\n");
    let organization = organization();
    let mut request = request(CredentialsType::Security);
    request.non_interactive = true;
    for (account, accepted) in [("222222222222", true), ("111111111111", false)] {
        let mut world = keys_of_account(account);
        world
            .files
            .insert("/home/user/.aws/bb/credentials".into(), credentials.clone());
        world.organizations.insert(OLD_KEY_ID.into(), Ok(organization.clone()));
        let (result, _) = run(&request, world);
        match result {
            Ok(plan) => assert!(accepted && plan.report.keys_written, "{account}"),
            Err(ConfigureError::AnswerNeeded(message)) => {
                assert!(!accepted, "{account}: {message}");
                assert!(
                    message.contains("security account, 222222222222") && message.contains("111111111111"),
                    "{message}"
                );
            }
            Err(other) => panic!("{account}: {other:?}"),
        }
    }
}

// ---- the management account, as DescribeOrganization names it ----

/// `world` whose new keys' organization names `management` as its management account.
fn described(mut world: Scenario, management: &str) -> Scenario {
    world.described_organizations.insert(
        KEY_ID.into(),
        Ok(Organization {
            id: "o-exampleorgid".into(),
            management_account_id: management.into(),
        }),
    );
    world
}

/// Whether the run asked DescribeOrganization at all.
fn described_organization(host: &ScriptedHost) -> bool {
    host.transcript
        .iter()
        .any(|l| l.starts_with("aws.describe-organization"))
}

#[test]
fn the_organization_names_the_management_account_when_the_project_does_not() {
    // The organization's account named `binbash-management` is 111111111111,
    // but the organization says its management account is 333333333333.
    let (result, host) = run(
        &management(),
        described(keys_of_account("111111111111"), "333333333333"),
    );
    let Err(ConfigureError::AnswerNeeded(message)) = result else {
        panic!("{result:?}")
    };
    for needed in [
        "111111111111",
        "management account, 333333333333 (from the organization)",
        "--skip-account-check",
    ] {
        assert!(message.contains(needed), "`{needed}` missing: {message}");
    }
    // Asked with the new keys, in the batch that checks them: no extra round trip.
    let batch: Vec<&String> = host
        .transcript
        .iter()
        .skip_while(|l| !l.starts_with("aws.call-all"))
        .take_while(|l| l.starts_with("aws."))
        .collect();
    assert!(
        batch
            .iter()
            .any(|l| *l == &format!("aws.get-caller-identity {KEY_ID} us-east-1"))
            && batch
                .iter()
                .any(|l| *l == &format!("aws.describe-organization {KEY_ID} us-east-1")),
        "{batch:?}"
    );
    assert_eq!(
        host.transcript.iter().filter(|l| l.starts_with("aws.call-all")).count(),
        1
    );

    // Keys of that account pass, even when the organization cannot be listed.
    let mut world = described(keys_of_account("333333333333"), "333333333333");
    world.organizations.insert(
        KEY_ID.into(),
        Err(AwsError::new(AwsErrorKind::AccessDenied, "AccessDenied")),
    );
    let (result, _) = run(&management(), world);
    assert!(result.unwrap().report.keys_written);
}

#[test]
fn bootstrap_keys_are_checked_against_the_organization_s_management_account() {
    // A first bootstrap reads no account list, but DescribeOrganization still
    // names the management account.
    let mut request = request(CredentialsType::Bootstrap);
    request.non_interactive = true;
    let (result, host) = run(&request, described(keys_of_account("222222222222"), "111111111111"));
    let Err(ConfigureError::AnswerNeeded(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        message.contains("222222222222") && message.contains("management account, 111111111111"),
        "{message}"
    );
    assert!(!host.transcript.iter().any(|l| l.starts_with("aws.list-accounts")));
}

#[test]
fn describe_organization_is_asked_only_when_its_answer_can_matter() {
    let declared = PROJECT_YAML.replace(
        "  - name: management\n    email: aws+management@example.com\n",
        "  - name: management\n    email: aws+management@example.com\n    id: \"111111111111\"\n",
    );
    let credentials =
        format!("[bb-management]\naws_access_key_id = {OLD_KEY_ID}\naws_secret_access_key = {OLD_SECRET}\n");
    let project_declares_it = {
        let mut world = described(keys_of_account("111111111111"), "333333333333");
        world.files.insert(format!("{ROOT}/project.yaml"), declared);
        (management(), world)
    };
    let skip_check = {
        let mut request = management();
        request.skip_account_check = true;
        (request, described(keys_of_account("111111111111"), "333333333333"))
    };
    let skip_keys = {
        let mut request = management();
        request.skip_access_keys_setup = true;
        let mut world = described(keys_of_account("111111111111"), "333333333333");
        world
            .files
            .insert("/home/user/.aws/bb/credentials".into(), credentials.clone());
        world.organizations.insert(OLD_KEY_ID.into(), Ok(organization()));
        (request, world)
    };
    let security = {
        let mut request = request(CredentialsType::Security);
        request.non_interactive = true;
        let mut world = described(keys_of_account("222222222222"), "333333333333");
        world
            .files
            .insert("/home/user/.aws/bb/credentials".into(), credentials.clone());
        world.organizations.insert(OLD_KEY_ID.into(), Ok(organization()));
        (request, world)
    };
    for (what, (request, world)) in [
        ("the project declares the id", project_declares_it),
        ("--skip-account-check", skip_check),
        ("--skip-access-keys-setup", skip_keys),
        ("SECURITY keys", security),
    ] {
        let (result, host) = run(&request, world);
        assert!(result.is_ok(), "{what}: {result:?}");
        assert!(!described_organization(&host), "{what}: {:#?}", host.transcript);
    }
}

#[test]
fn a_refused_describe_organization_falls_back_to_the_account_named_management() {
    for refusal in [
        AwsError::new(AwsErrorKind::AccessDenied, "AccessDeniedException: not allowed"),
        AwsError::new(
            AwsErrorKind::OrganizationNotInUse,
            "AWSOrganizationsNotInUseException: not in an organization",
        ),
        AwsError::new(AwsErrorKind::Network, "timed out"),
    ] {
        // Keys of the account named `binbash-management`: accepted, nothing said.
        let mut world = keys_of_account("111111111111");
        world
            .described_organizations
            .insert(KEY_ID.into(), Err(refusal.clone()));
        let (result, host) = run(&management(), world);
        let plan = result.unwrap();
        assert!(plan.report.keys_written);
        assert!(described_organization(&host));
        assert!(
            !plan.report.warnings.iter().any(|w| w.contains("DescribeOrganization")),
            "{:?}",
            plan.report.warnings
        );
        let said: Vec<&String> = host
            .transcript
            .iter()
            .filter(|l| l.to_lowercase().contains("describeorganization"))
            .collect();
        assert!(said.iter().all(|l| l.starts_with("log.level::debug")), "{said:?}");

        // Keys of another account: the named account is still expected.
        let mut world = keys_of_account("222222222222");
        world.described_organizations.insert(KEY_ID.into(), Err(refusal));
        let (result, _) = run(&management(), world);
        let Err(ConfigureError::AnswerNeeded(message)) = result else {
            panic!("{result:?}")
        };
        assert!(message.contains("management account, 111111111111"), "{message}");
    }
}
