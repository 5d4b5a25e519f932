//! Account profiles from the organization: four member accounts the AWS CLI
//! can use, every page of ListAccounts, SECURITY reading the organization
//! with the management keys, and the declared ids when the organization
//! cannot be read.

use super::*;

/// A project.yaml declaring the management account and four members.
const FOUR_MEMBERS_YAML: &str =
    leverage_test_support::project_yaml!("management", "security", "shared", "network", "apps-devstg");
/// An organization of four member accounts; MANAGEMENT keys from a
/// CSV give one `-oaar` profile per declared account, and the AWS CLI uses
/// each to reach its member account.
#[test]
fn four_member_accounts_get_profiles_the_aws_cli_can_use() {
    let moto = Moto::start();
    let members = ["security", "shared", "network", "apps-devstg"];
    let state = organization(&moto, &names(&members), json!([{ "name": "jane" }]));
    let mut project = Project::new();
    project.write("project.yaml", FOUR_MEMBERS_YAML);

    let out = configure_with_keys(&mut project, &moto, &state, "jane", "MANAGEMENT", &[]);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    // moto lists the management account as `master`: the declared
    // `management` has no id anywhere, so it gets no profile, and says so.
    assert!(out.stderr.contains("account `management` has no id"), "{}", out.stderr);

    let config = project.read_aws("bb", "config");
    let names: Vec<String> = sections(&config).into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "bb-management",
            "bb-security-oaar",
            "bb-shared-oaar",
            "bb-network-oaar",
            "bb-apps-devstg-oaar"
        ]
        .map(|p| format!("profile {p}")),
        "{config}"
    );
    for member in members {
        let name = format!("bb-{member}-oaar");
        assert_eq!(
            profile(&config, &name),
            role_profile(org_id(&state, member), OAAR, "bb-management", None),
            "{config}"
        );
    }
    // The AWS CLI starts slowly: the four run at once.
    std::thread::scope(|scope| {
        let runs: Vec<_> = members
            .iter()
            .map(|member| {
                let name = format!("bb-{member}-oaar");
                let (project, moto) = (&project, &moto);
                (member, scope.spawn(move || caller_identity(project, moto, &name, "").0))
            })
            .collect();
        for (member, run) in runs {
            let identity = run.join().expect("the AWS CLI run");
            let id = org_id(&state, member);
            assert_eq!(
                identity["Account"], id,
                "bb-{member}-oaar reached the wrong account: {identity}"
            );
            assert!(
                text(&identity, "/Arn").starts_with(&format!("arn:aws:sts::{id}:assumed-role/{OAAR}/")),
                "{identity}"
            );
        }
    });
    // The ids learned from the organization went into project.yaml.
    let ids = yaml_ids(&yaml(&project.root.join("project.yaml")));
    for member in members {
        assert_eq!(ids[member], org_id(&state, member));
    }
    assert_eq!(ids["management"], Value::Null);
}

/// ListAccounts is read to the last page (the host asks for 20 a
/// page); `--all-accounts` writes a profile for every organization account.
#[test]
fn all_accounts_reads_every_page_of_250_accounts() {
    let moto = Moto::start();
    let mut members = vec!["security".to_string(), "shared".to_string()];
    members.extend((3..=250).map(|i| format!("member-{i:03}")));
    let refs: Vec<&str> = members.iter().map(String::as_str).collect();
    let state = organization(&moto, &names(&refs), json!([{ "name": "jane" }]));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);

    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "jane",
        "MANAGEMENT",
        &["--all-accounts", "--verbose"],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    // 250 members and the management account, 20 a page.
    assert!(
        out.stderr.contains("ListAccounts: 251 account(s) in 13 page(s)"),
        "{}",
        out.stderr
    );

    let config = project.read_aws("bb", "config");
    let role_profiles: Vec<(String, Vec<(String, String)>)> = sections(&config)
        .into_iter()
        .filter(|(name, _)| name.ends_with("-oaar"))
        .collect();
    assert_eq!(role_profiles.len(), 251, "{config}");
    // Declared accounts first (management has no id), then the rest of the
    // organization in its order.
    assert_eq!(role_profiles[0].0, "profile bb-security-oaar");
    assert_eq!(role_profiles[1].0, "profile bb-shared-oaar");
    for member in &members {
        let name = format!("bb-{member}-oaar");
        assert_eq!(
            profile(&config, &name),
            role_profile(org_id(&state, member), OAAR, "bb-management", None),
            "{name}"
        );
    }
    let management = text(&state, "/management_account_id");
    assert_eq!(
        profile(&config, "bb-master-oaar"),
        role_profile(management, OAAR, "bb-management", None)
    );

    // A profile from the last page works.
    let (identity, _) = caller_identity(&project, &moto, "bb-member-250-oaar", "");
    assert_eq!(identity["Account"], org_id(&state, "member-250"));
}

/// Security users cannot read the organization, so SECURITY
/// reads it with the management keys configured before, and writes `-devops`
/// profiles sourced from its own keys, management excepted.
#[test]
fn security_reads_the_organization_with_the_management_keys() {
    let moto = Moto::start();
    let state = organization(
        &moto,
        &names(&["security", "shared"]),
        json!([
            { "name": "jane" },
            { "name": "sam", "deny_organizations": true, "account": "binbash-security" }
        ]),
    );
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let out = configure_with_keys(&mut project, &moto, &state, "jane", "MANAGEMENT", &[]);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let management_config = project.read_aws("bb", "config");

    let out = configure_with_keys(&mut project, &moto, &state, "sam", "SECURITY", &[]);
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr
            .contains("Reading the organization's accounts with bb-management"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);

    let config = project.read_aws("bb", "config");
    // The management run's profiles are untouched; the security ones follow.
    assert!(config.starts_with(&management_config), "{config}");
    let added: Vec<String> = sections(&config[management_config.len()..])
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        added,
        [
            "profile bb-security",
            "profile bb-security-devops",
            "profile bb-shared-devops"
        ],
        "{config}"
    );
    for member in ["security", "shared"] {
        let keys = role_profile(org_id(&state, member), "DevOps", "bb-security", None);
        assert_eq!(profile(&config, &format!("bb-{member}-devops")), keys);
    }
    let credentials = project.read_aws("bb", "credentials");
    let key_profiles: Vec<String> = sections(&credentials).into_iter().map(|(name, _)| name).collect();
    assert_eq!(key_profiles, ["bb-management", "bb-security"]);

    let (identity, _) = caller_identity(&project, &moto, "bb-shared-devops", "");
    assert_eq!(identity["Account"], org_id(&state, "shared"));
    assert!(text(&identity, "/Arn").contains(":assumed-role/DevOps/"), "{identity}");
}

/// Keys that may not read the organization (AccessDenied on
/// ListAccounts) give a warning, and the profiles use the declared ids.
#[test]
fn access_denied_on_list_accounts_uses_the_declared_ids() {
    let moto = Moto::start();
    let state = organization(
        &moto,
        &names(&["security", "shared"]),
        json!([{ "name": "dan", "deny_organizations": true }]),
    );
    let mut project = Project::new();
    let tfvars = project.write(
        "config/common.tfvars",
        "project      = \"bb\"\nproject_long = \"binbash\"\nregion_primary = \"us-east-1\"\n\naccounts = {\n  \
         management = { email = \"aws+management@example.com\", id = \"111111111111\" }\n  \
         security   = { email = \"aws+security@example.com\", id = \"222222222222\" }\n  \
         shared     = { email = \"aws+shared@example.com\", id = \"033333333333\" }\n}\n",
    );

    // The file declares management as 111111111111, an account moto does not have.
    let out = configure_with_keys(
        &mut project,
        &moto,
        &state,
        "dan",
        "MANAGEMENT",
        &["--skip-account-check"],
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning: could not read the organization with bb-management"),
        "no warning about the organization:\n{}",
        out.stderr
    );
    let config = project.read_aws("bb", "config");
    let names: Vec<String> = sections(&config).into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "bb-management",
            "bb-management-oaar",
            "bb-security-oaar",
            "bb-shared-oaar"
        ]
        .map(|p| format!("profile {p}"))
    );
    for (member, id) in [
        ("management", "111111111111"),
        ("security", "222222222222"),
        ("shared", "033333333333"),
    ] {
        assert_eq!(
            profile(&config, &format!("bb-{member}-oaar")),
            role_profile(id, OAAR, "bb-management", None)
        );
    }
    // The organization's ids were never seen, so the declared ones stay.
    let terraform = hcl(&tfvars);
    assert_eq!(terraform["accounts"]["shared"]["id"], "033333333333");
    assert_ne!(org_id(&state, "shared"), "033333333333");
}
