//! The flow through the scripted host: every branch of SPEC's flow, asserting
//! the plan and the calls made (issues 3, 4, 5).

use leverage_core::scenarios::{self, *};
use leverage_core::scripted::{Answer, Scenario, ScriptedHost};
use leverage_core::*;

fn run(request: &ConfigureRequest, scenario: Scenario) -> (Result<Plan, ConfigureError>, Vec<String>) {
    let mut host = ScriptedHost::new(scenario);
    let result = configure(&mut host, request);
    (result, host.transcript)
}

fn scenario(name: &str) -> (ConfigureRequest, Scenario) {
    scenarios::table()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, r, s)| (r, s))
        .expect("a scenario")
}

fn plan_of(name: &str) -> (Plan, Vec<String>) {
    let (request, world) = scenario(name);
    let (result, transcript) = run(&request, world);
    (result.unwrap_or_else(|e| panic!("{name}: {e:?}")), transcript)
}

fn change<'a>(plan: &'a Plan, suffix: &str) -> &'a FileChange {
    plan.changes
        .iter()
        .find(|c| c.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("no change to {suffix}"))
}

fn no_secret_in(transcript: &[String]) {
    for line in transcript {
        for secret in [SECRET, OLD_SECRET, BOOT_SECRET] {
            assert!(!line.contains(secret), "a secret reached the transcript: {line}");
        }
    }
}

#[test]
fn management_first_run_writes_keys_then_profiles() {
    let (plan, transcript) = plan_of("management-first-run");
    no_secret_in(&transcript);
    let credentials = change(&plan, "/bb/credentials");
    assert_eq!(credentials.before, None);
    assert_eq!(
        credentials.after,
        format!("[bb-management]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
    );
    assert!(credentials.holds_secrets);
    assert!(!credentials.masked_after.contains(SECRET));
    let config = &change(&plan, "/bb/config").after;
    assert!(config.contains("[profile bb-security-oaar]\noutput = json\nregion = us-east-1\nrole_arn = arn:aws:iam::222222222222:role/OrganizationAccountAccessRole\nsource_profile = bb-management\n"), "{config}");
    // Ids from the organization, leading zero kept; undeclared accounts ignored.
    assert!(config.contains("arn:aws:iam::033333333333:role"), "{config}");
    assert!(!config.contains("sandbox"), "{config}");
    let names: Vec<_> = plan.report.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["bb-management-oaar", "bb-security-oaar", "bb-shared-oaar"]);
    // The keys are checked and the organization read in one batch of calls.
    let aws: Vec<_> = transcript.iter().filter(|l| l.starts_with("aws.")).collect();
    assert_eq!(
        aws,
        [
            "aws.call-all 2 call(s)",
            &format!("aws.get-caller-identity {KEY_ID} us-east-1"),
            &format!("aws.list-accounts {KEY_ID} us-east-1")
        ]
    );
    // build.env is created, and the ids land in project.yaml.
    assert_eq!(change(&plan, "/build.env").after, "PROJECT=bb\n");
    let yaml = &change(&plan, "/project.yaml").after;
    assert!(yaml.contains("id: \"033333333333\""), "{yaml}");
}

#[test]
fn configured_profile_asks_skip_or_overwrite() {
    let (skip, transcript) = plan_of("management-configured-skip");
    assert!(transcript
        .iter()
        .any(|l| l.starts_with("prompt.select Credentials already configured for bb-management")));
    assert!(
        !skip.changes.iter().any(|c| c.path.ends_with("/credentials")),
        "skip must keep the keys"
    );
    // The old keys still read the organization.
    assert!(transcript.contains(&format!("aws.list-accounts {OLD_KEY_ID} us-east-1")));

    let (overwrite, _) = plan_of("management-configured-overwrite");
    let credentials = change(&overwrite, "/bb/credentials");
    assert_eq!(
        credentials.after,
        format!("# mine\n[bb-management]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
    );
    assert!(!credentials.masked_before.as_deref().unwrap().contains(OLD_SECRET));
}

#[test]
fn non_interactive_question_names_both_flags() {
    let (request, world) = scenario("management-configured-non-interactive");
    let (result, transcript) = run(&request, world);
    let Err(ConfigureError::AnswerNeeded(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        message.contains("--overwrite-existing-credentials") && message.contains("--skip-access-keys-setup"),
        "{message}"
    );
    assert!(
        !transcript.iter().any(|l| l.starts_with("prompt.")),
        "a non-interactive run prompted"
    );
}

#[test]
fn first_bootstrap_learns_the_management_id_and_skips_profiles() {
    let (plan, transcript) = plan_of("bootstrap-first-time");
    assert!(plan.report.profiles.is_empty());
    assert!(!transcript.iter().any(|l| l.starts_with("aws.list-accounts")));
    assert_eq!(
        plan.report.accounts_learned,
        vec![AccountId {
            name: "management".into(),
            id: CALLER_ACCOUNT.into()
        }]
    );
    let yaml = &change(&plan, "/project.yaml").after;
    assert!(
        yaml.contains(&format!(
            "  - name: management\n    email: aws+management@example.com\n    id: \"{CALLER_ACCOUNT}\"\n"
        )),
        "{yaml}"
    );
    let tfvars = &change(&plan, "/config/common.tfvars").after;
    assert!(
        tfvars.contains(&format!("management_account_id = \"{CALLER_ACCOUNT}\"")),
        "{tfvars}"
    );
    assert!(tfvars.starts_with("project = \"bb\"\n"), "{tfvars}");
}

#[test]
fn security_reads_the_organization_with_bootstrap_keys() {
    let (plan, transcript) = plan_of("security-reads-org-with-bootstrap");
    assert!(
        transcript.contains(&format!("aws.list-accounts {BOOT_KEY_ID} us-east-1")),
        "{transcript:#?}"
    );
    let names: Vec<_> = plan.report.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["bb-security-devops", "bb-shared-devops"],
        "management is skipped for SECURITY"
    );
    let config = &change(&plan, "/bb/config").after;
    assert!(
        config.contains("role_arn = arn:aws:iam::222222222222:role/DevOps\nsource_profile = bb-security\n"),
        "{config}"
    );
}

#[test]
fn security_with_no_reader_warns_and_uses_declared_ids() {
    let (mut request, mut world) = scenario("security-reads-org-with-bootstrap");
    world.files.remove(&format!("{AWS_ROOT}/bb/credentials"));
    world
        .files
        .insert(format!("{ROOT}/config/common.tfvars"), TFVARS.into());
    request.credentials_type = CredentialsType::Security;
    let (result, transcript) = run(&request, world);
    let plan = result.unwrap();
    assert!(!transcript.iter().any(|l| l.starts_with("aws.list-accounts")));
    assert!(
        plan.report
            .warnings
            .iter()
            .any(|w| w.contains("configure MANAGEMENT or BOOTSTRAP keys first")),
        "{:?}",
        plan.report.warnings
    );
    // security has no declared id, management is skipped: nothing to write but a warning.
    assert!(plan.report.profiles.is_empty(), "{:?}", plan.report.profiles);
}

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

#[test]
fn access_denied_on_the_organization_is_a_warning() {
    let (plan, _) = plan_of("organization-access-denied");
    assert!(
        plan.report
            .warnings
            .iter()
            .any(|w| w.contains("could not read the organization")),
        "{:?}",
        plan.report.warnings
    );
    // management's id comes from the tfvars map; shared has no id anywhere.
    let names: Vec<_> = plan.report.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["bb-management-oaar"]);
    assert!(plan.report.warnings.iter().any(|w| w.contains("`shared` has no id")));
}

#[test]
fn malformed_project_yaml_names_file_and_line_and_plans_nothing() {
    let (request, world) = scenario("malformed-project-yaml");
    let (result, transcript) = run(&request, world);
    let Err(ConfigureError::InvalidInput(e)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(e.file.as_deref(), Some("/work/project/project.yaml"));
    assert!(e.line.is_some(), "{e:?}");
    assert!(!transcript.iter().any(|l| l.starts_with("aws.")));
}

#[test]
fn all_accounts_and_role_name() {
    let (plan, _) = plan_of("all-accounts-with-role-and-tfvars");
    let names: Vec<_> = plan.report.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "bb-management-administrator",
            "bb-security-administrator",
            "bb-shared-administrator",
            "bb-sandbox-administrator"
        ]
    );
    assert!(plan
        .report
        .profiles
        .iter()
        .all(|p| p.role_arn.ends_with(":role/Administrator")));
    let tfvars = &change(&plan, "/config/common.tfvars").after;
    assert!(tfvars.contains("222222222222"), "{tfvars}");
    assert!(!plan.report.terraform_attributes.is_empty());
}

#[test]
fn manual_keys_are_reasked_until_valid() {
    let (plan, transcript) = plan_of("manual-keys-reasked");
    no_secret_in(&transcript);
    assert_eq!(
        transcript
            .iter()
            .filter(|l| l.starts_with("prompt.text Access key ID"))
            .count(),
        2
    );
    assert_eq!(transcript.iter().filter(|l| l.starts_with("prompt.secret")).count(), 2);
    assert!(change(&plan, "/bb/credentials").after.contains(SECRET));
    assert!(plan.report.profiles.is_empty(), "roles were skipped");
}

#[test]
fn cancelling_a_prompt_plans_nothing() {
    let (request, mut world) = scenario("manual-keys-reasked");
    world.answers = vec![Answer::Select(1), Answer::Cancel];
    let (result, _) = run(&request, world);
    assert_eq!(result, Err(ConfigureError::Cancelled));
}

#[test]
fn rejected_keys_plan_nothing() {
    let (request, mut world) = scenario("management-first-run");
    world.identities.insert(
        KEY_ID.into(),
        Err(AwsError {
            kind: AwsErrorKind::InvalidCredentials,
            code: Some("InvalidClientTokenId".into()),
            message: "InvalidClientTokenId: The security token included in the request is invalid".into(),
        }),
    );
    let (result, _) = run(&request, world);
    let Err(ConfigureError::Aws(failure)) = result else {
        panic!("{result:?}")
    };
    assert!(
        failure.message.contains("the keys were rejected by AWS"),
        "{}",
        failure.message
    );
}

#[test]
fn rerun_with_nothing_new_changes_nothing() {
    let (request, world) = scenario("management-first-run");
    let (first, _) = run(&request, world.clone());
    let mut again = world;
    for change in first.unwrap().changes {
        again.files.insert(change.path, change.after);
    }
    let mut request = request;
    request.skip_access_keys_setup = true;
    let (second, _) = run(&request, again);
    let plan = second.unwrap();
    assert!(
        plan.changes.is_empty(),
        "{:#?}",
        plan.changes.iter().map(|c| &c.path).collect::<Vec<_>>()
    );
}

#[test]
fn overwrite_with_skip_is_a_usage_error() {
    let mut request = scenarios::request(CredentialsType::Management);
    request.overwrite_existing_credentials = true;
    request.skip_access_keys_setup = true;
    let (result, transcript) = run(&request, base_world());
    assert!(matches!(result, Err(ConfigureError::Usage(_))));
    assert!(transcript.is_empty(), "a usage error read something: {transcript:?}");
}

#[test]
fn a_declared_id_that_is_not_12_digits_is_an_error_naming_the_file() {
    for (file, text) in [
        (
            "config/common.tfvars",
            "accounts = {\n  shared = { id = \"12345\" }\n}\n",
        ),
        ("config/common.tfvars", "shared_account_id = \"arn:aws:iam::1\"\n"),
        (
            "project.yaml",
            "short_name: bb\norganization:\n  accounts:\n  - name: shared\n    id: \"1234\"\n",
        ),
    ] {
        let (request, mut world) = scenario("management-first-run");
        world.files.insert(format!("{ROOT}/{file}"), text.into());
        let (result, transcript) = run(&request, world);
        let Err(ConfigureError::InvalidInput(e)) = result else {
            panic!("{file}: {result:?}")
        };
        assert_eq!(e.file.as_deref(), Some(format!("{ROOT}/{file}").as_str()));
        assert!(e.message.contains("12 digits"), "{}", e.message);
        assert!(!transcript.iter().any(|l| l.starts_with("aws.")));
    }
}

#[test]
fn project_yaml_catches_up_with_ids_already_in_tfvars() {
    let (request, mut world) = scenario("organization-access-denied");
    world.organizations.clear();
    let (result, _) = run(&request, world);
    let plan = result.unwrap();
    assert!(plan.report.accounts_learned.is_empty());
    let yaml = &change(&plan, "/project.yaml").after;
    assert!(
        yaml.contains("  - name: management\n    email: aws+management@example.com\n    id: \"111111111111\"\n"),
        "{yaml}"
    );
}

/// Every AWS call of a MANAGEMENT run with `--fetch-mfa-device` goes out in
/// one batch: the identity, the organization and the MFA devices.
#[test]
fn every_aws_call_of_a_run_is_asked_for_at_once() {
    let (_plan, transcript) = plan_of("mfa-one-device");
    let aws: Vec<_> = transcript.iter().filter(|l| l.starts_with("aws.")).collect();
    assert_eq!(
        aws,
        [
            "aws.call-all 3 call(s)",
            &format!("aws.get-caller-identity {KEY_ID} us-east-1"),
            &format!("aws.list-accounts {KEY_ID} us-east-1"),
            &format!("aws.list-mfa-devices {KEY_ID} us-east-1 -"),
        ]
    );
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
        fn read_file(&mut self, path: &str) -> Result<Option<String>, FilesError> {
            self.0.read_file(path)
        }
        fn read_stdin(&mut self) -> Result<String, FilesError> {
            self.0.read_stdin()
        }
        fn prompt_text(&mut self, q: &str, d: Option<&str>) -> Result<String, PromptError> {
            self.0.prompt_text(q, d)
        }
        fn prompt_secret(&mut self, q: &str) -> Result<String, PromptError> {
            self.0.prompt_secret(q)
        }
        fn prompt_select(&mut self, q: &str, c: &[String], d: u32) -> Result<u32, PromptError> {
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
