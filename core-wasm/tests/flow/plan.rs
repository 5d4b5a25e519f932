//! The plan and the calls behind it: every AWS call asked for in one batch,
//! the changes listed in the order they are written, and the hint to rotate
//! old keys (from the same batch).

use super::*;

/// Every AWS call of a MANAGEMENT run with `--fetch-mfa-device` goes out in
/// one batch: the identity, the organization and its management account, the
/// MFA devices and the keys' age.
#[test]
fn every_aws_call_of_a_run_is_asked_for_at_once() {
    let (_plan, transcript) = plan_of("mfa-one-device");
    let aws: Vec<_> = transcript.iter().filter(|l| l.starts_with("aws.")).collect();
    assert_eq!(
        aws,
        [
            "aws.call-all 5 call(s)",
            &format!("aws.get-caller-identity {KEY_ID} us-east-1"),
            &format!("aws.list-accounts {KEY_ID} us-east-1"),
            &format!("aws.describe-organization {KEY_ID} us-east-1"),
            &format!("aws.list-mfa-devices {KEY_ID} us-east-1 -"),
            &format!("aws.list-access-keys {KEY_ID} us-east-1 -"),
        ]
    );
}

/// The plan lists its changes in the order the host writes them: the files
/// that decide what a re-run does (common.tfvars, then the credentials file)
/// last, so that a crash between two writes leaves a state a re-run completes.
/// The CLI applies them in exactly this order (`tests/e2e/transaction.rs`).
#[test]
fn the_plan_lists_its_changes_in_the_order_they_are_written() {
    let (request, mut world) = scenario("management-first-run");
    world.files.insert(
        format!("{ROOT}/config/common.tfvars"),
        "accounts = {\n  shared = { id = \"XXXXXXXXXXXX\" }\n}\n".into(),
    );
    let (result, _) = run(&request, world);
    let plan = result.unwrap();
    let kinds: Vec<FileKind> = plan.changes.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            FileKind::BuildEnv,
            FileKind::AwsConfig,
            FileKind::ProjectYaml,
            FileKind::TerraformVars,
            FileKind::AwsCredentials
        ]
    );
}

/// Keys older than 90 days earn a hint to rotate them; the age comes from
/// the batch the run makes anyway, and keys that may not list themselves
/// get no hint and no error.
#[test]
fn old_keys_earn_a_hint_to_rotate_them() {
    let old_key = |age_days: u32| AccessKey {
        access_key_id: KEY_ID.into(),
        status: AccessKeyStatus::Active,
        created: Some("2026-01-01T00:00:00Z".into()),
        age_days: Some(age_days),
        last_used: None,
    };
    let (request, mut world) = scenario("management-first-run");
    world.access_keys.insert("jane".into(), vec![old_key(91)]);
    let (result, transcript) = run(&request, world.clone());
    let plan = result.unwrap_or_else(|e| panic!("{e:?}"));
    let hint = format!(
        "the keys of bb-management ({KEY_ID}) are 91 days old; replace them with `leverage credentials rotate --type MANAGEMENT`"
    );
    assert!(plan.report.warnings.contains(&hint), "{:?}", plan.report.warnings);
    assert_eq!(transcript.iter().filter(|l| l.starts_with("aws.call-all")).count(), 1);

    world.access_keys.insert("jane".into(), vec![old_key(90)]);
    let (result, _) = run(&request, world.clone());
    assert!(!result.unwrap().report.warnings.iter().any(|w| w.contains("rotate")));

    world.access_keys.insert("jane".into(), vec![old_key(400)]);
    world.failing.insert(
        "iam:ListAccessKeys".into(),
        AwsError {
            kind: AwsErrorKind::AccessDenied,
            code: Some("AccessDenied".into()),
            message: "AccessDenied: no".into(),
        },
    );
    let (result, _) = run(&request, world);
    let plan = result.expect("a denied ListAccessKeys does not stop the run");
    assert!(!plan.report.warnings.iter().any(|w| w.contains("rotate")));
}
