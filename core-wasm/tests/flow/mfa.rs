//! MFA devices: one or several, `--mfa-serial` checked against the devices
//! (or used with a warning when it cannot be), no device, the picker, and a
//! serial kept in the file.

use super::*;

#[test]
fn mfa_one_device_goes_on_every_profile() {
    let (plan, transcript) = plan_of("mfa-one-device");
    // Without a user name: IAM lists the caller's own devices, so the call need not wait for STS.
    assert!(transcript.contains(&format!("aws.list-mfa-devices {KEY_ID} us-east-1 -")));
    assert!(plan
        .report
        .profiles
        .iter()
        .all(|p| p.mfa_serial.as_deref() == Some("arn:aws:iam::111111111111:mfa/jane")));
    let config = &change(&plan, "/bb/config").after;
    assert!(
        config.contains("source_profile = bb-management\nmfa_serial = arn:aws:iam::111111111111:mfa/jane\n"),
        "{config}"
    );
}

#[test]
fn mfa_several_devices_asks_and_ignores_u2f() {
    let (plan, transcript) = plan_of("mfa-several-devices");
    let question = transcript
        .iter()
        .find(|l| l.starts_with("prompt.select Which MFA device"))
        .unwrap();
    assert!(!question.contains("u2f"), "{question}");
    assert_eq!(
        plan.report.profiles[0].mfa_serial.as_deref(),
        Some("arn:aws:iam::111111111111:mfa/jane-laptop")
    );
}

#[test]
fn mfa_serial_flag_must_be_one_of_the_devices() {
    let (mut request, world) = scenario("mfa-several-devices");
    request.mfa_serial = Some("arn:aws:iam::111111111111:mfa/someone-else".into());
    let (result, _) = run(&request, world.clone());
    let Err(ConfigureError::InvalidInput(e)) = result else {
        panic!("{result:?}")
    };
    assert!(
        e.message.contains("jane-phone") && e.message.contains("jane-laptop"),
        "{}",
        e.message
    );

    request.mfa_serial = Some("arn:aws:iam::111111111111:mfa/jane-phone".into());
    let (result, transcript) = run(&request, world.clone());
    assert_eq!(
        result.unwrap().report.profiles[0].mfa_serial.as_deref(),
        Some("arn:aws:iam::111111111111:mfa/jane-phone")
    );
    assert!(!transcript.iter().any(|l| l.starts_with("prompt.select Which")));

    request.mfa_serial = None;
    request.non_interactive = true;
    let (result, _) = run(&request, world);
    let Err(ConfigureError::AnswerNeeded(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        message.contains("--mfa-serial") && message.contains("jane-phone"),
        "{message}"
    );
}

#[test]
fn mfa_with_no_device_is_an_error() {
    let (request, mut world) = scenario("mfa-one-device");
    world.mfa_devices.clear();
    let (result, _) = run(&request, world);
    let Err(ConfigureError::InvalidInput(e)) = result else {
        panic!("{result:?}")
    };
    assert!(e.message.contains("no MFA device found for user jane"), "{}", e.message);
}

/// `--mfa-serial` without `--fetch-mfa-device` is checked against the
/// user's devices when the keys may list them.
#[test]
fn mfa_serial_without_fetch_is_checked_against_the_devices() {
    let (mut request, world) = scenario("mfa-several-devices");
    request.fetch_mfa_device = false;
    request.mfa_serial = Some("arn:aws:iam::111111111111:mfa/jane-phone".into());
    let (result, transcript) = run(&request, world.clone());
    let plan = result.unwrap_or_else(|e| panic!("{e:?}"));
    assert!(transcript.iter().any(|l| l.starts_with("aws.list-mfa-devices")));
    assert!(plan.report.warnings.is_empty(), "{:?}", plan.report.warnings);
    assert_eq!(
        plan.report.profiles[0].mfa_serial.as_deref(),
        Some("arn:aws:iam::111111111111:mfa/jane-phone")
    );

    request.mfa_serial = Some("arn:aws:iam::111111111111:mfa/someone-else".into());
    let (result, _) = run(&request, world);
    let Err(ConfigureError::InvalidInput(e)) = result else {
        panic!("{result:?}")
    };
    assert!(
        e.message.contains("is not one of the MFA devices of jane"),
        "{}",
        e.message
    );
}

/// When the keys may not list MFA devices, `--mfa-serial` is used as given
/// and the report says it was not checked.
#[test]
fn mfa_serial_that_cannot_be_checked_is_used_with_a_warning() {
    let (mut request, world) = scenario("management-first-run");
    request.mfa_serial = Some("arn:aws:iam::111111111111:mfa/jane".into());
    struct DenyMfa(ScriptedHost);
    impl Host for DenyMfa {
        fn call_all(&mut self, calls: &[Call]) -> Vec<Result<Reply, AwsError>> {
            let mut answers = self.0.call_all(calls);
            for (call, answer) in calls.iter().zip(answers.iter_mut()) {
                if matches!(call.request, Request::ListMfaDevices(_)) {
                    *answer = Err(AwsError {
                        kind: AwsErrorKind::AccessDenied,
                        code: Some("AccessDenied".into()),
                        message: "AccessDenied: not allowed to call iam:ListMFADevices".into(),
                    });
                }
            }
            answers
        }
        fn wait(&mut self, milliseconds: u32) {
            self.0.wait(milliseconds)
        }
        fn read_file(&mut self, path: &str) -> Result<Option<String>, FilesError> {
            self.0.read_file(path)
        }
        fn read_stdin(&mut self) -> Result<String, FilesError> {
            self.0.read_stdin()
        }
        fn prompt_text(&mut self, q: &Question, d: Option<&str>) -> Result<String, PromptError> {
            self.0.prompt_text(q, d)
        }
        fn prompt_secret(&mut self, q: &Question) -> Result<String, PromptError> {
            self.0.prompt_secret(q)
        }
        fn prompt_select(&mut self, q: &Question, c: &[String], d: u32) -> Result<u32, PromptError> {
            self.0.prompt_select(q, c, d)
        }
        fn log(&mut self, level: Level, message: &str) {
            self.0.log(level, message)
        }
    }
    let mut host = DenyMfa(ScriptedHost::new(world));
    let plan = configure(&mut host, &request).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        plan.report
            .warnings
            .iter()
            .any(|w| w.contains("was not checked") && w.contains("AccessDenied")),
        "{:?}",
        plan.report.warnings
    );
    assert!(plan
        .report
        .profiles
        .iter()
        .all(|p| p.mfa_serial.as_deref() == Some("arn:aws:iam::111111111111:mfa/jane")));
}

/// The MFA picker starts on the device the account profiles use now, and
/// marks it.
#[test]
fn the_mfa_picker_marks_and_preselects_the_configured_device() {
    let (request, mut world) = scenario("mfa-several-devices");
    let laptop = format!("arn:aws:iam::{CALLER_ACCOUNT}:mfa/jane-laptop");
    world.files.insert(
        format!("{AWS_ROOT}/bb/config"),
        format!("[profile bb-security-oaar]\nregion = us-east-1\nmfa_serial = {laptop}\n"),
    );
    let (result, transcript) = run(&request, world);
    result.unwrap();
    let select = transcript
        .iter()
        .find(|l| l.starts_with("prompt.select Which MFA device"))
        .expect("the picker");
    assert!(
        select.contains(&format!("\"{laptop} (configured now)\"")) && select.ends_with("default=1"),
        "{select}"
    );
    // Without a configured device: nothing marked, the first one first.
    let (request, world) = scenario("mfa-several-devices");
    let (_, transcript) = run(&request, world);
    let select = transcript
        .iter()
        .find(|l| l.starts_with("prompt.select Which MFA device"))
        .unwrap();
    assert!(
        !select.contains("configured now") && select.ends_with("default=0"),
        "{select}"
    );
}

/// The report describes the file: an `mfa_serial` an earlier run wrote
/// stays in the profile, and the report says so, though this run fetched none.
#[test]
fn a_serial_kept_in_the_file_is_reported() {
    let (request, mut world) = scenario("management-first-run");
    let serial = format!("arn:aws:iam::{CALLER_ACCOUNT}:mfa/jane");
    world.files.insert(
        format!("{AWS_ROOT}/bb/config"),
        format!("[profile bb-shared-oaar]\nmfa_serial = {serial}\n"),
    );
    let (result, _) = run(&request, world);
    let plan = result.unwrap();
    let config = &change(&plan, "/bb/config").after;
    assert!(config.contains(&format!("mfa_serial = {serial}")), "{config}");
    let serial_of = |name: &str| {
        plan.report
            .profiles
            .iter()
            .find(|p| p.account == name)
            .and_then(|p| p.mfa_serial.clone())
    };
    assert_eq!(serial_of("shared"), Some(serial));
    assert_eq!(serial_of("security"), None);
}
