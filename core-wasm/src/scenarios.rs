//! The shared scenario table: the same requests and scripted worlds run
//! through the native core, the component in wasmtime and the component in
//! Node, whose plans must be equal. Native-only (it is test data).

use crate::host::*;
use crate::scripted::{Answer, Scenario};

pub const ROOT: &str = "/work/project";
pub const HOME_DIR: &str = "/home/user";
pub const AWS_ROOT: &str = "/home/user/.aws";
pub const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const OLD_KEY_ID: &str = "AKIAOLDOLDOLDOLDOLD1";
pub const OLD_SECRET: &str = "oldoldoldoldoldoldoldoldoldoldoldoldold1";
pub const BOOT_KEY_ID: &str = "AKIABOOTBOOTBOOTBOOT";
pub const BOOT_SECRET: &str = "bootbootbootbootbootbootbootbootbootboot";
pub const CALLER_ACCOUNT: &str = "111111111111";

pub const PROJECT_YAML: &str = "\
project_name: binbash
short_name: bb
primary_region: us-east-1
organization:
  accounts:
  - name: management
    email: aws+management@example.com
  - name: security
    email: aws+security@example.com
  - name: shared
    email: aws+shared@example.com
";

pub fn csv(key_id: &str, secret: &str) -> String {
    format!("\u{feff}Access key ID,Secret access key\r\n{key_id},{secret}\r\n")
}

pub fn request(credentials_type: CredentialsType) -> ConfigureRequest {
    ConfigureRequest {
        credentials_type,
        credentials_file: Some("/home/user/keys.csv".into()),
        fetch_mfa_device: false,
        overwrite_existing_credentials: false,
        skip_access_keys_setup: false,
        skip_assumable_roles_setup: false,
        dry_run: false,
        non_interactive: false,
        role_name: None,
        all_accounts: false,
        mfa_serial: None,
        environment_keys: None,
        project_root: ROOT.into(),
        current_dir: ROOT.into(),
        aws_root: AWS_ROOT.into(),
        home_dir: Some(HOME_DIR.into()),
    }
}

fn identity(user: &str) -> CallerIdentity {
    CallerIdentity {
        account: CALLER_ACCOUNT.into(),
        arn: format!("arn:aws:iam::{CALLER_ACCOUNT}:user/{user}"),
        user_id: "AIDAEXAMPLEEXAMPLE".into(),
    }
}

fn org_account(name: &str, id: &str) -> OrganizationAccount {
    OrganizationAccount {
        id: id.into(),
        name: name.into(),
        email: format!("aws+{name}@example.com"),
    }
}

pub fn organization() -> Vec<OrganizationAccount> {
    vec![
        org_account("binbash-management", CALLER_ACCOUNT),
        org_account("binbash-security", "222222222222"),
        org_account("binbash-shared", "033333333333"),
        org_account("binbash-sandbox", "444444444444"),
    ]
}

/// A project with project.yaml and the user's new keys in a CSV.
pub fn base_world() -> Scenario {
    let mut s = Scenario::default();
    s.files.insert(format!("{ROOT}/project.yaml"), PROJECT_YAML.into());
    s.files.insert("/home/user/keys.csv".into(), csv(KEY_ID, SECRET));
    s.identities.insert(KEY_ID.into(), Ok(identity("jane")));
    s.organizations.insert(KEY_ID.into(), Ok(organization()));
    s
}

fn existing_credentials(s: &mut Scenario, text: &str) {
    s.files.insert(format!("{AWS_ROOT}/bb/credentials"), text.into());
}

pub const TFVARS: &str = "\
# Project (short name)
project         = \"bb\"

# Accounts
accounts = {
  management = {
    email = \"aws+management@example.com\",
    id    = \"111111111111\"
  },
  security = {
    email = \"aws+security@example.com\"
  }
}
";

/// Every scenario: a name, a request and the world it runs in.
pub fn table() -> Vec<(&'static str, ConfigureRequest, Scenario)> {
    let mut out = Vec::new();

    out.push((
        "management-first-run",
        request(CredentialsType::Management),
        base_world(),
    ));

    let mut skip = base_world();
    existing_credentials(
        &mut skip,
        &format!("# mine\n[bb-management]\naws_access_key_id = {OLD_KEY_ID}\naws_secret_access_key = {OLD_SECRET}\n"),
    );
    skip.identities.insert(OLD_KEY_ID.into(), Ok(identity("jane")));
    skip.organizations.insert(OLD_KEY_ID.into(), Ok(organization()));
    skip.answers = vec![Answer::Select(0)];
    out.push((
        "management-configured-skip",
        request(CredentialsType::Management),
        skip.clone(),
    ));

    let mut overwrite = skip.clone();
    overwrite.answers = vec![Answer::Select(1)];
    out.push((
        "management-configured-overwrite",
        request(CredentialsType::Management),
        overwrite,
    ));

    let mut non_interactive = request(CredentialsType::Management);
    non_interactive.non_interactive = true;
    out.push(("management-configured-non-interactive", non_interactive, skip));

    let mut bootstrap = base_world();
    bootstrap
        .files
        .insert(format!("{ROOT}/config/common.tfvars"), "project = \"bb\"\n".into());
    out.push(("bootstrap-first-time", request(CredentialsType::Bootstrap), bootstrap));

    let mut security = base_world();
    existing_credentials(
        &mut security,
        &format!("[bb-bootstrap]\naws_access_key_id = {BOOT_KEY_ID}\naws_secret_access_key = {BOOT_SECRET}\n"),
    );
    security.organizations.remove(KEY_ID);
    security.organizations.insert(BOOT_KEY_ID.into(), Ok(organization()));
    out.push((
        "security-reads-org-with-bootstrap",
        request(CredentialsType::Security),
        security,
    ));

    let mut mfa_one = base_world();
    mfa_one
        .mfa_devices
        .insert("jane".into(), vec![format!("arn:aws:iam::{CALLER_ACCOUNT}:mfa/jane")]);
    let mut mfa_request = request(CredentialsType::Management);
    mfa_request.fetch_mfa_device = true;
    out.push(("mfa-one-device", mfa_request.clone(), mfa_one));

    let mut mfa_several = base_world();
    mfa_several.mfa_devices.insert(
        "jane".into(),
        vec![
            format!("arn:aws:iam::{CALLER_ACCOUNT}:u2f/user/jane/key"),
            format!("arn:aws:iam::{CALLER_ACCOUNT}:mfa/jane-phone"),
            format!("arn:aws:iam::{CALLER_ACCOUNT}:mfa/jane-laptop"),
        ],
    );
    mfa_several.answers = vec![Answer::Select(1)];
    out.push(("mfa-several-devices", mfa_request, mfa_several));

    let mut denied = base_world();
    denied.organizations.insert(
        KEY_ID.into(),
        Err(AwsError {
            kind: AwsErrorKind::AccessDenied,
            code: Some("AccessDeniedException".into()),
            message: "AccessDeniedException: not allowed".into(),
        }),
    );
    denied
        .files
        .insert(format!("{ROOT}/config/common.tfvars"), TFVARS.into());
    out.push((
        "organization-access-denied",
        request(CredentialsType::Management),
        denied,
    ));

    let mut malformed = base_world();
    malformed.files.insert(
        format!("{ROOT}/project.yaml"),
        "short_name: bb\norganization:\n  accounts: [\n".into(),
    );
    out.push((
        "malformed-project-yaml",
        request(CredentialsType::Management),
        malformed,
    ));

    let mut all = base_world();
    all.files.insert(format!("{ROOT}/config/common.tfvars"), TFVARS.into());
    let mut all_request = request(CredentialsType::Management);
    all_request.all_accounts = true;
    all_request.role_name = Some("Administrator".into());
    out.push(("all-accounts-with-role-and-tfvars", all_request, all));

    let mut manual = base_world();
    manual.files.remove("/home/user/keys.csv");
    manual.answers = vec![
        Answer::Select(1),
        Answer::Text("not-a-key".into()),
        Answer::Text(KEY_ID.into()),
        Answer::Secret("short".into()),
        Answer::Secret(SECRET.into()),
    ];
    let mut manual_request = request(CredentialsType::Management);
    manual_request.credentials_file = None;
    manual_request.skip_assumable_roles_setup = true;
    out.push(("manual-keys-reasked", manual_request, manual));

    out
}
