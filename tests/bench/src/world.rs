//! The large planning input (bench row 4): an organization of
//! thousands of accounts and a config file of about 1 MiB, planned by the
//! native core ([`leverage_core::configure`] with a [`ScriptedHost`]) and by
//! the component in wasmtime ([`leverage_cli::engine::Core`] with
//! [`InMemory`]), from the same data.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use leverage_cli::engine as host;
use leverage_cli::engine::leverage::credentials::{aws, files, log, prompt};
use leverage_core::scenarios::{self, AWS_ROOT, CALLER_ACCOUNT, KEY_ID, ROOT, SECRET};
use leverage_core::scripted::{Scenario, ScriptedHost};
use leverage_core::{CallerIdentity, ConfigureError, CredentialsType, OrganizationAccount, Plan};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub const MFA_SERIAL: &str = "arn:aws:iam::111111111111:mfa/jane";

/// Between the core's and the host's generated types (same serde form).
/// Used only when building inputs, never inside a timed region.
fn convert<A: Serialize, B: DeserializeOwned>(value: &A) -> B {
    let json = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    match serde_json::from_value(json) {
        Ok(v) => v,
        Err(e) => panic!("the core's and the host's types differ: {e}"),
    }
}

/// Which accounts the project declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Declared {
    /// project.yaml declares the management account and two others; no
    /// common.tfvars.
    Few,
    /// project.yaml declares every account (without ids: all are learned
    /// and written back); no common.tfvars.
    AllInProjectYaml,
    /// Every account in project.yaml and in common.tfvars's `accounts` map
    /// (without ids: written back to both, with one `<name>_account_id`
    /// attribute each).
    AllInProjectYamlAndTfvars,
}

/// One planning input, ready for both sides.
#[derive(Clone)]
pub struct LargeInput {
    pub request: leverage_core::ConfigureRequest,
    pub scenario: Scenario,
    pub host_request: host::ConfigureRequest,
    pub backend: InMemory,
    pub config_len: usize,
    pub project_yaml_len: usize,
}

/// `members` organization accounts (plus the management account) and an
/// existing config file of at least `config_bytes`: the organization's
/// profiles from an earlier run (in another region, without MFA, so every
/// profile changes) after the user's own profiles. MANAGEMENT keys already
/// configured, `--skip-access-keys-setup --fetch-mfa-device --all-accounts
/// --non-interactive`; the project declares `declared`.
pub fn large_input(members: usize, config_bytes: usize, declared: Declared) -> LargeInput {
    let names: Vec<String> = (0..members).map(|i| format!("acct-{i:05}")).collect();
    let ids: Vec<String> = (0..members)
        .map(|i| format!("{:012}", 100_000_000_000u64 + i as u64))
        .collect();

    let mut organization = vec![OrganizationAccount {
        id: CALLER_ACCOUNT.into(),
        name: "binbash-management".into(),
        email: "aws+management@example.com".into(),
    }];
    organization.extend(names.iter().zip(&ids).map(|(name, id)| OrganizationAccount {
        id: id.clone(),
        name: format!("binbash-{name}"),
        email: format!("aws+{name}@example.com"),
    }));

    let mut yaml = String::from("project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - name: management\n    email: aws+management@example.com\n");
    let in_yaml = if declared == Declared::Few {
        members.min(2)
    } else {
        members
    };
    for name in &names[..in_yaml] {
        let _ = write!(yaml, "  - name: {name}\n    email: aws+{name}@example.com\n");
    }

    // The Terraform side of a project that declares its accounts: the
    // `accounts` map without ids (the run writes them back, with one
    // `<name>_account_id` attribute each).
    let tfvars = (declared == Declared::AllInProjectYamlAndTfvars).then(|| {
        let mut text = String::from("# Common variables\nproject      = \"bb\"\nproject_long = \"binbash\"\nregion_primary = \"us-east-1\"\n\naccounts = {\n  management = {\n    email = \"aws+management@example.com\"\n  }\n");
        for name in &names {
            let _ = write!(text, "  {name} = {{\n    email = \"aws+{name}@example.com\"\n  }}\n");
        }
        text.push_str("}\n");
        text
    });

    let mut leverage_profiles = String::from("[profile bb-management]\noutput = json\nregion = us-east-1\n");
    for (name, id) in names.iter().zip(&ids) {
        let _ = write!(
            leverage_profiles,
            "[profile bb-{name}-oaar]\noutput = json\nregion = us-west-2\nrole_arn = arn:aws:iam::{id}:role/OrganizationAccountAccessRole\nsource_profile = bb-management\n"
        );
    }
    let mut config = String::from("# Profiles of this machine's user\n[default]\nregion = eu-west-1\n");
    let mut i = 0;
    while config.len() + leverage_profiles.len() < config_bytes {
        let _ = write!(
            config,
            "[profile sso-{i:05}]\nsso_session = corp\nsso_account_id = {:012}\nsso_role_name = ReadOnlyAccess\nregion = eu-west-1\n\n",
            300_000_000_000u64 + i
        );
        i += 1;
    }
    config.push_str(&leverage_profiles);

    let credentials = format!("[bb-management]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n");

    let mut request = scenarios::request(CredentialsType::Management);
    request.credentials_file = None;
    request.skip_access_keys_setup = true;
    request.fetch_mfa_device = true;
    request.all_accounts = true;
    request.non_interactive = true;

    let identity = CallerIdentity {
        account: CALLER_ACCOUNT.into(),
        arn: format!("arn:aws:iam::{CALLER_ACCOUNT}:user/jane"),
        user_id: "AIDAEXAMPLEEXAMPLE".into(),
    };
    let mut scenario = Scenario::default();
    scenario.files.insert(format!("{ROOT}/project.yaml"), yaml.clone());
    if let Some(tfvars) = &tfvars {
        scenario
            .files
            .insert(format!("{ROOT}/config/common.tfvars"), tfvars.clone());
    }
    scenario.files.insert(format!("{AWS_ROOT}/bb/credentials"), credentials);
    scenario.files.insert(format!("{AWS_ROOT}/bb/config"), config.clone());
    scenario.identities.insert(KEY_ID.into(), Ok(identity.clone()));
    scenario.organizations.insert(KEY_ID.into(), Ok(organization.clone()));
    scenario.mfa_devices.insert("jane".into(), vec![MFA_SERIAL.into()]);

    let backend = InMemory {
        files: scenario.files.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        identity: convert(&identity),
        organization: convert(&organization),
        mfa_devices: vec![MFA_SERIAL.into()],
        log_lines: 0,
    };
    LargeInput {
        host_request: convert(&request),
        request,
        scenario,
        backend,
        config_len: config.len(),
        project_yaml_len: yaml.len(),
    }
}

impl LargeInput {
    /// Plans natively: the core as a Rust library.
    pub fn plan_native(&self, scenario: Scenario) -> Result<Plan, ConfigureError> {
        leverage_core::configure(&mut ScriptedHost::new(scenario), &self.request)
    }

    /// Plans through the component in wasmtime (a fresh store and instance,
    /// as every run of the CLI makes).
    pub fn plan_component(
        &self,
        core: &host::Core,
        backend: InMemory,
    ) -> anyhow::Result<Result<host::Plan, host::ConfigureError>> {
        Ok(core.configure(&self.host_request, host::Imports::all(backend))?.0)
    }

    /// Whether both sides plan the same thing (compared through serde).
    pub fn same_plans(&self, core: &host::Core) -> anyhow::Result<bool> {
        let native = self.plan_native(self.scenario.clone());
        let component = self.plan_component(core, self.backend.clone())?;
        Ok(serde_json::to_value(&native)? == serde_json::to_value(&component)?)
    }
}

/// Serves the component's imports from memory, with the host's own types,
/// so that no conversion runs inside the timed region.
#[derive(Clone)]
pub struct InMemory {
    pub files: HashMap<String, String>,
    pub identity: host::CallerIdentity,
    pub organization: Vec<host::OrganizationAccount>,
    pub mfa_devices: Vec<String>,
    pub log_lines: usize,
}

impl InMemory {
    /// A backend that serves nothing (for timing instantiation alone).
    pub fn empty() -> InMemory {
        InMemory {
            files: HashMap::new(),
            identity: host::CallerIdentity {
                account: String::new(),
                arn: String::new(),
                user_id: String::new(),
            },
            organization: Vec::new(),
            mfa_devices: Vec::new(),
            log_lines: 0,
        }
    }
}

impl aws::Host for InMemory {
    fn call_all(&mut self, calls: Vec<aws::Call>) -> Vec<Result<aws::Reply, host::AwsError>> {
        calls
            .iter()
            .map(|call| match call.request {
                aws::Request::GetCallerIdentity => Ok(aws::Reply::CallerIdentity(self.identity.clone())),
                aws::Request::ListAccounts => Ok(aws::Reply::Accounts(self.organization.clone())),
                aws::Request::ListMfaDevices(_) => Ok(aws::Reply::MfaDevices(self.mfa_devices.clone())),
                // The benchmarked runs only configure: no key has an age, none is changed.
                aws::Request::ListAccessKeys(_) => Ok(aws::Reply::AccessKeys(Vec::new())),
                _ => Err(host::AwsError {
                    kind: host::AwsErrorKind::Other,
                    code: None,
                    message: "the benchmark world changes no keys".into(),
                }),
            })
            .collect()
    }

    fn wait(&mut self, _milliseconds: u32) {}
}

impl files::Host for InMemory {
    fn read(&mut self, path: String) -> Result<Option<String>, host::FilesError> {
        Ok(self.files.get(&path).cloned())
    }
    fn read_stdin(&mut self) -> Result<String, host::FilesError> {
        Ok(String::new())
    }
}

impl prompt::Host for InMemory {
    fn text(&mut self, _: host::Question, _: Option<String>) -> Result<String, host::PromptError> {
        Err(host::PromptError::Unavailable("no prompts in a benchmark".into()))
    }
    fn secret(&mut self, _: host::Question) -> Result<String, host::PromptError> {
        Err(host::PromptError::Unavailable("no prompts in a benchmark".into()))
    }
    fn select(&mut self, _: host::Question, _: Vec<String>, _: u32) -> Result<u32, host::PromptError> {
        Err(host::PromptError::Unavailable("no prompts in a benchmark".into()))
    }
}

impl log::Host for InMemory {
    fn line(&mut self, _: host::Level, _: String) {
        self.log_lines += 1;
    }
}

/// The files a plan writes, by path (for checks).
pub fn plan_files(plan: &Plan) -> BTreeMap<String, String> {
    plan.changes.iter().map(|c| (c.path.clone(), c.after.clone())).collect()
}
