//! `rotate` and `finish-rotation` through the scripted host: every branch,
//! asserting the calls made, the plan and the report.

use leverage_core::scenarios::*;
use leverage_core::scripted::{Scenario, ScriptedHost};
use leverage_core::*;

const USER_ARN: &str = "arn:aws:iam::111111111111:user/jane";
const OTHER_KEY_ID: &str = "AKIAOTHEROTHEROTHER1";

fn credentials_path() -> String {
    format!("{AWS_ROOT}/bb/credentials")
}

fn request() -> RotateRequest {
    RotateRequest {
        credentials_type: CredentialsType::Management,
        delete_old: false,
        dry_run: false,
        non_interactive: true,
        project_root: ROOT.into(),
        current_dir: ROOT.into(),
        aws_root: AWS_ROOT.into(),
        home_dir: Some(HOME_DIR.into()),
    }
}

fn key(id: &str, age_days: u32) -> AccessKey {
    AccessKey {
        access_key_id: id.into(),
        status: AccessKeyStatus::Active,
        created: Some("2026-08-01T00:00:00Z".into()),
        age_days: Some(age_days),
        last_used: None,
    }
}

/// jane's MANAGEMENT profile holds her one key (OLD_KEY_ID, 120 days old);
/// CreateAccessKey hands out KEY_ID/SECRET.
fn world() -> Scenario {
    let mut world = base_world();
    world.files.insert(
        credentials_path(),
        format!("[bb-management]\naws_access_key_id = {OLD_KEY_ID}\naws_secret_access_key = {OLD_SECRET}\n"),
    );
    world.identities.insert(
        OLD_KEY_ID.into(),
        Ok(CallerIdentity {
            account: CALLER_ACCOUNT.into(),
            arn: USER_ARN.into(),
            user_id: "AIDAJANE".into(),
        }),
    );
    world.identities.remove(KEY_ID);
    world.access_keys.insert("jane".into(), vec![key(OLD_KEY_ID, 120)]);
    world.new_keys = vec![AwsCredentials {
        access_key_id: KEY_ID.into(),
        secret_access_key: SECRET.into(),
        session_token: None,
    }];
    world
}

fn aws_lines(transcript: &[String]) -> Vec<String> {
    transcript.iter().filter(|l| l.starts_with("aws.")).cloned().collect()
}

fn no_secret_in(transcript: &[String]) {
    for line in transcript {
        for secret in [SECRET, OLD_SECRET] {
            assert!(!line.contains(secret), "a secret reached the transcript: {line}");
        }
    }
}

fn keys_of_jane(host: &ScriptedHost) -> Vec<(String, AccessKeyStatus)> {
    host.scenario.access_keys["jane"]
        .iter()
        .map(|k| (k.access_key_id.clone(), k.status))
        .collect()
}

/// `rotate`, then the plan "applied" into the scripted files (or not), then `finish-rotation`.
fn rotate_and_finish(world: Scenario, request: &RotateRequest, write_fails: bool) -> (RotateReport, ScriptedHost) {
    let mut host = ScriptedHost::new(world);
    let rotation = rotate(&mut host, request).unwrap_or_else(|e| panic!("{e:?}"));
    let state = rotation.state.expect("a state to finish");
    let applied = if write_fails {
        Err("permission denied".to_string())
    } else {
        for change in &rotation.plan.changes {
            host.scenario.files.insert(change.path.clone(), change.after.clone());
        }
        Ok(())
    };
    let report = finish_rotation(&mut host, &state, applied);
    no_secret_in(&host.transcript);
    (report, host)
}

#[test]
fn rotation_writes_the_new_key_then_deactivates_the_old_one() {
    let mut host = ScriptedHost::new(world());
    let rotation = rotate(&mut host, &request()).unwrap_or_else(|e| panic!("{e:?}"));
    let change = &rotation.plan.changes[0];
    assert_eq!(change.path, credentials_path());
    assert_eq!(
        change.after,
        format!("[bb-management]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
    );
    assert!(change.holds_secrets);
    assert!(!change.masked_after.contains(SECRET) && !change.masked_before.as_ref().unwrap().contains(OLD_SECRET));
    // Identity and keys in one batch; the new key checked with itself.
    assert_eq!(
        aws_lines(&host.transcript),
        [
            "aws.call-all 2 call(s)".to_string(),
            format!("aws.get-caller-identity {OLD_KEY_ID} us-east-1"),
            format!("aws.list-access-keys {OLD_KEY_ID} us-east-1 -"),
            "aws.call-all 1 call(s)".into(),
            format!("aws.create-access-key {OLD_KEY_ID} us-east-1 jane"),
            "aws.call-all 1 call(s)".into(),
            format!("aws.get-caller-identity {KEY_ID} us-east-1"),
        ]
    );

    let (report, host) = rotate_and_finish(world(), &request(), false);
    assert_eq!(report.new_key, NewKeyOutcome::Written);
    assert_eq!(report.new_key_id.as_deref(), Some(KEY_ID));
    assert_eq!(report.old_key_outcome, OldKeyOutcome::Deactivated);
    assert_eq!(report.old_key.age_days, Some(120));
    assert!(report.to_do.is_empty() && report.warnings.is_empty(), "{report:?}");
    // Deactivated with the new keys, read back from the file.
    assert!(host.transcript.contains(&format!(
        "aws.update-access-key {KEY_ID} us-east-1 jane {OLD_KEY_ID} Inactive"
    )));
    assert_eq!(
        keys_of_jane(&host),
        [
            (OLD_KEY_ID.to_string(), AccessKeyStatus::Inactive),
            (KEY_ID.to_string(), AccessKeyStatus::Active)
        ]
    );
}

#[test]
fn delete_old_deletes_the_old_key_instead() {
    let request = RotateRequest {
        delete_old: true,
        ..request()
    };
    let (report, host) = rotate_and_finish(world(), &request, false);
    assert_eq!(report.old_key_outcome, OldKeyOutcome::Deleted);
    assert_eq!(keys_of_jane(&host), [(KEY_ID.to_string(), AccessKeyStatus::Active)]);
}

#[test]
fn a_user_with_two_keys_gets_nothing_created_and_the_other_key_named() {
    let mut world = world();
    world.access_keys.get_mut("jane").unwrap().push(AccessKey {
        status: AccessKeyStatus::Inactive,
        ..key(OTHER_KEY_ID, 400)
    });
    world
        .last_used
        .insert(OTHER_KEY_ID.into(), "2026-01-05T10:00:00Z".into());
    let mut host = ScriptedHost::new(world);
    let Err(ConfigureError::Aws(failure)) = rotate(&mut host, &request()) else {
        panic!("two keys must stop the rotation");
    };
    for part in [
        "already has two access keys",
        OTHER_KEY_ID,
        "inactive",
        "400 day(s)",
        "last used 2026-01-05T10:00:00Z",
        "delete-access-key",
    ] {
        assert!(failure.message.contains(part), "{part}: {}", failure.message);
    }
    assert!(!host.transcript.iter().any(|l| l.contains("create-access-key")));
    assert_eq!(keys_of_jane(&host).len(), 2);
}

#[test]
fn a_new_key_that_sts_never_accepts_is_deleted_again_after_a_bounded_wait() {
    let mut world = world();
    world.new_key_rejections = u32::MAX;
    let mut host = ScriptedHost::new(world);
    let Err(ConfigureError::Aws(failure)) = rotate(&mut host, &request()) else {
        panic!("an unusable new key must fail the rotation");
    };
    assert!(
        failure.message.contains("still rejected the new key after 15 s"),
        "{}",
        failure.message
    );
    assert!(failure.message.contains("was deleted again"), "{}", failure.message);
    let waits: Vec<_> = host.transcript.iter().filter(|l| l.starts_with("aws.wait")).collect();
    assert_eq!(waits.len(), 6, "{:?}", host.transcript);
    // Each wait is shown to the user.
    assert_eq!(
        host.transcript
            .iter()
            .filter(|l| l.contains("does not accept the new key yet"))
            .count(),
        6
    );
    assert!(host
        .transcript
        .contains(&format!("aws.delete-access-key {OLD_KEY_ID} us-east-1 jane {KEY_ID}")));
    assert_eq!(keys_of_jane(&host), [(OLD_KEY_ID.to_string(), AccessKeyStatus::Active)]);
}

#[test]
fn a_new_key_that_sts_accepts_after_a_while_is_used() {
    let mut world = world();
    world.new_key_rejections = 2;
    let mut host = ScriptedHost::new(world);
    let rotation = rotate(&mut host, &request()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(rotation.report.new_key_id.as_deref(), Some(KEY_ID));
    let waits: Vec<_> = host
        .transcript
        .iter()
        .filter(|l| l.starts_with("aws.wait"))
        .cloned()
        .collect();
    assert_eq!(waits, ["aws.wait 1000", "aws.wait 2000"]);
}

#[test]
fn a_failed_write_deletes_the_new_key_with_the_old_keys() {
    let (report, host) = rotate_and_finish(world(), &request(), true);
    assert_eq!(report.new_key, NewKeyOutcome::DeletedAgain);
    assert_eq!(report.old_key_outcome, OldKeyOutcome::StillActive);
    assert!(
        report.warnings[0].contains("could not be written (permission denied)"),
        "{report:?}"
    );
    assert!(host
        .transcript
        .contains(&format!("aws.delete-access-key {OLD_KEY_ID} us-east-1 jane {KEY_ID}")));
    assert_eq!(keys_of_jane(&host), [(OLD_KEY_ID.to_string(), AccessKeyStatus::Active)]);
}

#[test]
fn a_failed_write_whose_undo_fails_names_the_command_that_deletes_the_new_key() {
    let mut world = world();
    world.failing.insert(
        "iam:DeleteAccessKey".into(),
        AwsError {
            kind: AwsErrorKind::AccessDenied,
            code: Some("AccessDenied".into()),
            message: "AccessDenied: no".into(),
        },
    );
    let (report, _) = rotate_and_finish(world, &request(), true);
    assert_eq!(report.new_key, NewKeyOutcome::LeftInIam);
    assert_eq!(report.to_do.len(), 1);
    assert!(report.to_do[0].contains(&format!(
        "aws iam delete-access-key --user-name jane --access-key-id {KEY_ID}"
    )));
}

#[test]
fn a_failed_deactivation_leaves_the_new_key_written_and_says_how_to_deactivate_the_old_one() {
    let mut world = world();
    world.failing.insert(
        "iam:UpdateAccessKey".into(),
        AwsError {
            kind: AwsErrorKind::AccessDenied,
            code: Some("AccessDenied".into()),
            message: "AccessDenied: not allowed to call iam:UpdateAccessKey".into(),
        },
    );
    let (report, host) = rotate_and_finish(world, &request(), false);
    assert_eq!(report.new_key, NewKeyOutcome::Written);
    assert_eq!(report.old_key_outcome, OldKeyOutcome::StillActive);
    assert!(report.warnings[0].contains(&format!("the old key {OLD_KEY_ID} is still active")));
    assert_eq!(
        report.to_do,
        [format!(
            "AWS_SHARED_CREDENTIALS_FILE={AWS_ROOT}/bb/credentials AWS_CONFIG_FILE={AWS_ROOT}/bb/config aws iam update-access-key --user-name jane --access-key-id {OLD_KEY_ID} --status Inactive --profile bb-management"
        )]
    );
    assert!(host.scenario.files[&credentials_path()].contains(KEY_ID));
}

#[test]
fn dry_run_makes_no_call_that_changes_anything() {
    let request = RotateRequest {
        dry_run: true,
        ..request()
    };
    let mut host = ScriptedHost::new(world());
    let rotation = rotate(&mut host, &request).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(rotation.plan.changes.is_empty());
    assert!(rotation.state.is_none());
    assert_eq!(rotation.report.new_key, NewKeyOutcome::WouldCreate);
    assert_eq!(rotation.report.old_key_outcome, OldKeyOutcome::WouldDeactivate);
    assert_eq!(rotation.report.old_key.access_key_id, OLD_KEY_ID);
    for line in aws_lines(&host.transcript) {
        assert!(
            line.starts_with("aws.call-all") || line.starts_with("aws.get-caller") || line.starts_with("aws.list-"),
            "{line}"
        );
    }
}

#[test]
fn a_profile_without_keys_names_configure() {
    let mut world = world();
    world.files.remove(&credentials_path());
    let mut host = ScriptedHost::new(world);
    let Err(ConfigureError::InvalidInput(e)) = rotate(&mut host, &request()) else {
        panic!("no keys must be an error");
    };
    assert!(
        e.message.contains("leverage credentials configure --type MANAGEMENT"),
        "{}",
        e.message
    );
    assert!(aws_lines(&host.transcript).is_empty());
}

#[test]
fn keys_of_an_assumed_role_or_root_cannot_be_rotated() {
    for arn in [
        "arn:aws:sts::111111111111:assumed-role/DevOps/jane",
        "arn:aws:iam::111111111111:root",
    ] {
        let mut world = world();
        world.identities.insert(
            OLD_KEY_ID.into(),
            Ok(CallerIdentity {
                account: CALLER_ACCOUNT.into(),
                arn: arn.into(),
                user_id: "X".into(),
            }),
        );
        let mut host = ScriptedHost::new(world);
        let Err(ConfigureError::InvalidInput(e)) = rotate(&mut host, &request()) else {
            panic!("{arn} must be refused");
        };
        assert!(e.message.contains("not an IAM user"), "{}", e.message);
        assert!(!host.transcript.iter().any(|l| l.contains("create-access-key")));
    }
}

#[test]
fn rejected_old_keys_stop_before_anything_is_created() {
    let mut world = world();
    world.identities.remove(OLD_KEY_ID);
    let mut host = ScriptedHost::new(world);
    let Err(ConfigureError::Aws(failure)) = rotate(&mut host, &request()) else {
        panic!("rejected keys must stop the rotation");
    };
    assert_eq!(failure.operation, "sts:GetCallerIdentity");
    assert!(!host.transcript.iter().any(|l| l.contains("create-access-key")));
}

#[test]
fn a_malformed_new_key_from_iam_is_deleted_again() {
    let mut world = world();
    world.new_keys[0].secret_access_key = "short".into();
    let mut host = ScriptedHost::new(world);
    let Err(ConfigureError::Aws(failure)) = rotate(&mut host, &request()) else {
        panic!("a malformed key must fail the rotation");
    };
    assert!(
        failure.message.contains("not an access key id and secret"),
        "{}",
        failure.message
    );
    assert!(failure.message.contains("was deleted again"), "{}", failure.message);
    assert_eq!(keys_of_jane(&host), [(OLD_KEY_ID.to_string(), AccessKeyStatus::Active)]);
}
