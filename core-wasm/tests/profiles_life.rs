//! The check that new keys belong to the account of their credentials type.

use leverage_core::scenarios::*;
use leverage_core::scripted::{Answer, Scenario, ScriptedHost};
use leverage_core::*;

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
