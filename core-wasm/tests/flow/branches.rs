//! The main branches of `configure`: a first run; keys already configured
//! (skip, overwrite, no terminal); BOOTSTRAP and SECURITY; an organization
//! that cannot be read; malformed input; `--all-accounts` and a role name;
//! keys typed in, cancelled or rejected; a re-run; a usage error.

use super::*;

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
            "aws.call-all 4 call(s)",
            &format!("aws.get-caller-identity {KEY_ID} us-east-1"),
            &format!("aws.list-accounts {KEY_ID} us-east-1"),
            &format!("aws.describe-organization {KEY_ID} us-east-1"),
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
