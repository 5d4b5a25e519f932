//! The flow through the scripted host: every branch of `configure`, asserting
//! the plan and the calls made.

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
            "aws.call-all 3 call(s)",
            &format!("aws.get-caller-identity {KEY_ID} us-east-1"),
            &format!("aws.list-accounts {KEY_ID} us-east-1"),
            &format!("aws.list-access-keys {KEY_ID} us-east-1 -")
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
        tfvars.contains(&format!(
            "  management = {{\n    email = \"aws+management@example.com\",\n    id    = \"{CALLER_ACCOUNT}\"\n  }}"
        )),
        "{tfvars}"
    );
    // The file has no `*_account_id` attribute: that style is not brought in.
    assert!(!tfvars.contains("_account_id"), "{tfvars}");
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

/// A value in an id's place that is not an account id (a template's
/// placeholder) is no error: it is replaced by the organization's id, with
/// one warning naming the file, the attribute and the old value.
#[test]
fn a_placeholder_id_is_replaced_with_one_warning_naming_it() {
    for (file, text, attribute, old, written) in [
        (
            "config/common.tfvars",
            "shared_account_id = \"XXXXXXXXXXXX\"\n",
            "shared_account_id",
            "XXXXXXXXXXXX",
            "shared_account_id = \"033333333333\"",
        ),
        (
            "config/common.tfvars",
            "accounts = {\n  shared = { id = \"12345\" }\n}\n",
            "accounts.shared.id",
            "12345",
            "id = \"033333333333\" }",
        ),
        (
            "config/common.tfvars",
            "accounts = {\n  shared = {\n    id = 0\n  }\n}\n",
            "accounts.shared.id",
            "0",
            "id = \"033333333333\"",
        ),
        (
            "config/common.tfvars",
            "security_account_id = \"222222222222\"\nshared_account_id = \"000000000000\"\n",
            "shared_account_id",
            "000000000000",
            "shared_account_id = \"033333333333\"",
        ),
        (
            "project.yaml",
            "project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - name: shared\n    id: \"\"\n",
            "organization.accounts[shared].id",
            "",
            "id: \"033333333333\"",
        ),
        (
            "project.yaml",
            "project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - name: shared\n    id: XXXXXXXXXXXX\n",
            "organization.accounts[shared].id",
            "XXXXXXXXXXXX",
            "id: \"033333333333\"",
        ),
    ] {
        let (request, mut world) = scenario("management-first-run");
        world.files.insert(format!("{ROOT}/{file}"), text.into());
        let (result, _) = run(&request, world);
        let plan = result.unwrap_or_else(|e| panic!("{file} {text:?}: {e:?}"));
        let after = &change(&plan, &format!("/{file}")).after;
        assert!(after.contains(written), "{file}: {after}");
        let about: Vec<&String> = plan.report.warnings.iter().filter(|w| w.contains(attribute)).collect();
        assert_eq!(
            about,
            [&format!(
                "{file}: `{attribute}` was `{old}`, which is not an account id; it is now 033333333333"
            )],
            "{:?}",
            plan.report.warnings
        );
        let profile = plan.report.profiles.iter().find(|p| p.account == "shared").unwrap();
        assert_eq!(profile.account_id, "033333333333");
    }
}

/// A placeholder for an account nobody knows the id of stays, said once;
/// the account gets no profile (its id is unknown), and nothing else stops.
#[test]
fn a_placeholder_without_a_known_id_is_left_and_said() {
    let (request, mut world) = scenario("management-first-run");
    world.files.insert(
        format!("{ROOT}/config/common.tfvars"),
        "accounts = {\n  shared = { id = \"XXXXXXXXXXXX\" }\n  data = { id = \"XXXXXXXXXXXX\" }\n}\n".into(),
    );
    let (result, _) = run(&request, world);
    let plan = result.unwrap();
    assert!(plan.report.warnings.contains(
        &"config/common.tfvars: `accounts.data.id` is `XXXXXXXXXXXX`, which is not an account id; it is left as it is (no id is known for account `data`)".to_string()
    ), "{:?}", plan.report.warnings);
    let tfvars = &change(&plan, "/config/common.tfvars").after;
    assert!(tfvars.contains("data = { id = \"XXXXXXXXXXXX\" }"), "{tfvars}");
    assert!(tfvars.contains("id = \"033333333333\" }"), "{tfvars}");
    assert!(!plan.report.profiles.iter().any(|p| p.account == "data"));
}

/// A file that cannot be parsed is still an error naming it.
#[test]
fn an_unparseable_file_is_still_an_error() {
    let (request, mut world) = scenario("management-first-run");
    world.files.insert(
        format!("{ROOT}/config/common.tfvars"),
        "accounts = {\n  shared = \n".into(),
    );
    let (result, transcript) = run(&request, world);
    let Err(ConfigureError::InvalidInput(e)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(e.file.as_deref(), Some(format!("{ROOT}/config/common.tfvars").as_str()));
    assert!(!transcript.iter().any(|l| l.starts_with("aws.")));
}

/// The organization meets the declarations: a declared id the organization
/// lacks, two declared accounts with one id, two organization accounts with
/// one name; an ambiguous name never replaces a declared id, and a declared
/// id that is one of the matches is kept.
#[test]
fn the_organization_and_the_declarations_disagreeing_are_warned_about() {
    let (request, mut world) = scenario("management-first-run");
    world.files.insert(
        format!("{ROOT}/config/common.tfvars"),
        "accounts = {\n  security = { id = \"555555555555\" }\n  apps = { id = \"555555555555\" }\n  \
         shared = { id = \"044444444444\" }\n  network = { id = \"777777777777\" }\n}\n"
            .into(),
    );
    let org = world.organizations.get_mut(KEY_ID).unwrap().as_mut().unwrap();
    // A second `shared`, whose id is the declared one.
    org.push(OrganizationAccount {
        id: "044444444444".into(),
        name: "shared".into(),
        email: "shared2@example.com".into(),
    });
    let (result, _) = run(&request, world);
    let plan = result.unwrap();
    let warnings = plan.report.warnings.join("\n");
    for needed in [
        "accounts `security` and `apps` are declared with the same id 555555555555",
        "account `security` is declared with id 555555555555, but the organization's `security` is 222222222222",
        "the organization has 2 accounts named `shared` (033333333333, 044444444444); the declared id 044444444444 is one of them and is kept",
        "account `network` is declared with id 777777777777, which is not an account of the organization",
    ] {
        assert!(warnings.contains(needed), "missing `{needed}` in:\n{warnings}");
    }
    let id_of = |name: &str| {
        plan.report
            .profiles
            .iter()
            .find(|p| p.account == name)
            .map(|p| p.account_id.clone())
    };
    assert_eq!(id_of("shared").as_deref(), Some("044444444444"));
    assert_eq!(id_of("security").as_deref(), Some("222222222222"));
    assert_eq!(id_of("network").as_deref(), Some("777777777777"));
    let tfvars = &change(&plan, "/config/common.tfvars").after;
    assert!(tfvars.contains("id = \"044444444444\" }"), "{tfvars}");
}

/// An ambiguous name with no declared id takes none, and `--all-accounts`
/// makes no profile for an undeclared ambiguous name.
#[test]
fn an_ambiguous_organization_name_is_never_guessed() {
    let (mut request, mut world) = scenario("management-first-run");
    request.all_accounts = true;
    let org = world.organizations.get_mut(KEY_ID).unwrap().as_mut().unwrap();
    for (name, id) in [
        ("shared", "044444444444"),
        ("twin", "055555555555"),
        ("twin", "066666666666"),
    ] {
        org.push(OrganizationAccount {
            id: id.into(),
            name: name.into(),
            email: format!("{id}@example.com"),
        });
    }
    let (result, _) = run(&request, world);
    let plan = result.unwrap();
    assert!(!plan
        .report
        .profiles
        .iter()
        .any(|p| p.account == "shared" || p.account == "twin"));
    let warnings = plan.report.warnings.join("\n");
    assert!(warnings.contains("no id is taken from the organization"), "{warnings}");
    assert!(warnings.contains("several accounts named `twin`"), "{warnings}");
    assert!(!plan.report.accounts_learned.iter().any(|a| a.name == "shared"));
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
/// one batch: the identity, the organization, the MFA devices and the keys' age.
#[test]
fn every_aws_call_of_a_run_is_asked_for_at_once() {
    let (_plan, transcript) = plan_of("mfa-one-device");
    let aws: Vec<_> = transcript.iter().filter(|l| l.starts_with("aws.")).collect();
    assert_eq!(
        aws,
        [
            "aws.call-all 4 call(s)",
            &format!("aws.get-caller-identity {KEY_ID} us-east-1"),
            &format!("aws.list-accounts {KEY_ID} us-east-1"),
            &format!("aws.list-mfa-devices {KEY_ID} us-east-1 -"),
            &format!("aws.list-access-keys {KEY_ID} us-east-1 -"),
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

/// A region that came from the prompt: the exact line that makes it
/// permanent is said; without a terminal, the error names that line.
#[test]
fn an_asked_region_says_the_line_that_keeps_it() {
    let (request, mut world) = scenario("management-first-run");
    let yaml = PROJECT_YAML.replace("primary_region: us-east-1\n", "");
    world.files.insert(format!("{ROOT}/project.yaml"), yaml.clone());
    world.answers = vec![Answer::Text("eu-west-1".into())];
    let (result, transcript) = run(&request, world);
    result.unwrap();
    let at = transcript
        .iter()
        .position(|l| {
            l == "log.level::info to use eu-west-1 without being asked next time, add this line to project.yaml:"
        })
        .unwrap_or_else(|| panic!("{transcript:#?}"));
    assert_eq!(transcript[at + 1], "log.level::info   primary_region: eu-west-1");

    // Only common.tfvars: the line for it.
    let (request, mut world) = scenario("management-first-run");
    world.files.remove(&format!("{ROOT}/project.yaml"));
    world
        .files
        .insert(format!("{ROOT}/config/common.tfvars"), "project = \"bb\"\n".into());
    world.answers = vec![Answer::Text(String::new())];
    let (result, transcript) = run(&request, world);
    result.unwrap();
    assert!(
        transcript.contains(&"log.level::info   region_primary = \"us-east-1\"".to_string()),
        "{transcript:#?}"
    );

    let (mut request, mut world) = scenario("management-first-run");
    request.non_interactive = true;
    world.files.insert(format!("{ROOT}/project.yaml"), yaml);
    let (result, _) = run(&request, world);
    let Err(ConfigureError::AnswerNeeded(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        message.contains("add the line `primary_region: us-east-1` to project.yaml"),
        "{message}"
    );
}

/// A path typed at the prompt may start with `~` or `$HOME`, and a relative
/// one is relative to the current directory.
#[test]
fn a_typed_path_understands_the_home_directory() {
    for (typed, cwd) in [
        ("~/keys.csv", ROOT),
        ("$HOME/keys.csv", ROOT),
        ("${HOME}/keys.csv", ROOT),
        ("keys.csv", "/home/user"),
        ("/home/user/keys.csv", ROOT),
    ] {
        let (mut request, mut world) = scenario("management-first-run");
        request.credentials_file = None;
        request.current_dir = cwd.into();
        world.answers = vec![Answer::Select(0), Answer::Text(typed.into())];
        let (result, transcript) = run(&request, world);
        let plan = result.unwrap_or_else(|e| panic!("{typed}: {e:?}\n{transcript:#?}"));
        assert!(plan.report.keys_written, "{typed}");
        assert!(
            transcript.contains(&"files.read /home/user/keys.csv".to_string()),
            "{typed}: {transcript:#?}"
        );
    }
    // No home directory known: `~` is refused with the reason, and asked again.
    let (mut request, mut world) = scenario("management-first-run");
    request.credentials_file = None;
    request.home_dir = None;
    world.answers = vec![
        Answer::Select(0),
        Answer::Text("~/keys.csv".into()),
        Answer::Text("/home/user/keys.csv".into()),
    ];
    let (result, transcript) = run(&request, world);
    result.unwrap();
    assert!(
        transcript
            .iter()
            .any(|l| l.starts_with("log.level::warn `~/keys.csv` starts with the home directory")),
        "{transcript:#?}"
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

/// Every question the core asks carries what answers it without a prompt
/// (the CLI names exactly that when it cannot ask: tests/bad-input's
/// `answer-*-no-terminal` cases); checked over every question the scenario
/// table asks.
#[test]
fn every_question_carries_what_answers_it_without_a_prompt() {
    let expected = [
        ("Credentials already configured for", "--skip-access-keys-setup"),
        ("Select the means", "--credentials-file"),
        ("Path to the access keys file", "--credentials-file"),
        ("Access key ID", "LEVERAGE_AWS_ACCESS_KEY_ID"),
        ("Secret access key", "LEVERAGE_AWS_SECRET_ACCESS_KEY"),
        ("Project short name", "PROJECT="),
        ("Primary region", "region"),
        ("Which MFA device", "--mfa-serial"),
        ("These keys are of account", "--skip-account-check"),
    ];
    let mut asked = std::collections::BTreeSet::new();
    for (name, request, world) in scenarios::table() {
        let mut host = ScriptedHost::new(world);
        let _ = configure(&mut host, &request);
        for question in &host.questions {
            let (start, flag) = expected
                .iter()
                .find(|(start, _)| question.text.starts_with(start))
                .unwrap_or_else(|| panic!("{name}: a question this test does not know: {question:?}"));
            assert!(
                question.answered_by.contains(flag),
                "{name}: `{}` is answered by {:?}",
                question.text,
                question.answered_by
            );
            asked.insert(*start);
        }
    }
    for start in [
        "Credentials already configured for",
        "Select the means",
        "Which MFA device",
    ] {
        assert!(asked.contains(start), "no scenario asks `{start}...`: {asked:?}");
    }
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
