//! Account ids: placeholders in an id's place, an unparseable file, the
//! organization and the declarations disagreeing, ambiguous names, and
//! project.yaml catching up with the ids already in common.tfvars.

use super::*;

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
