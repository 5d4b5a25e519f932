//! The run, step by step: decide everything, write nothing, return a plan.

use crate::host::*;
use crate::ini::IniDocument;
use crate::model::{AccessKeys, DeclaredAccount, InputError, Secret};
use crate::project::{self, join, Project};
use crate::{access_keys, accounts, aws_calls, mask, profiles, project_yaml, tfvars, validate};

/// The run's context: the host and the request.
pub struct Ctx<'a> {
    pub host: &'a mut dyn Host,
    pub request: &'a ConfigureRequest,
}

impl Ctx<'_> {
    pub fn log(&mut self, level: Level, message: &str) {
        self.host.log(level, &printable(message));
    }

    /// Read a file; a file that cannot be read is invalid input naming it.
    pub fn read(&mut self, path: &str) -> Result<Option<String>, ConfigureError> {
        self.host.read_file(path).map_err(|e| file_error(path, e))
    }

    /// Ask for a line of text until `check` accepts it. Non-interactive runs
    /// fail naming `needed`, which says what supplies the answer.
    pub fn ask_validated(
        &mut self,
        question: &str,
        default: Option<&str>,
        needed: &str,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> Result<String, ConfigureError> {
        if self.request.non_interactive {
            return Err(ConfigureError::AnswerNeeded(format!(
                "{needed} is needed and --non-interactive forbids asking"
            )));
        }
        loop {
            let answer = self.host.prompt_text(question, default).map_err(prompt_error)?;
            let mut answer = answer.trim().to_string();
            // The WIT contract says hosts give the default for an empty
            // answer; do not depend on every embedder getting that right.
            if answer.is_empty() {
                answer = default.unwrap_or_default().to_string();
            }
            match check(&answer) {
                Ok(()) => return Ok(answer),
                Err(why) => self.log(Level::Warn, &why),
            }
        }
    }

    fn select(&mut self, question: &str, choices: &[&str], needed: &str) -> Result<u32, ConfigureError> {
        self.select_from(question, choices, 0, needed)
    }

    /// [`Ctx::select`] with the cursor starting on choice `default`.
    fn select_from(
        &mut self,
        question: &str,
        choices: &[&str],
        default: u32,
        needed: &str,
    ) -> Result<u32, ConfigureError> {
        if self.request.non_interactive {
            return Err(ConfigureError::AnswerNeeded(needed.to_string()));
        }
        let owned: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
        let chosen = self
            .host
            .prompt_select(question, &owned, default)
            .map_err(prompt_error)?;
        if (chosen as usize) < choices.len() {
            Ok(chosen)
        } else {
            Err(ConfigureError::Host(format!(
                "the prompt answered choice {chosen} of {}",
                choices.len()
            )))
        }
    }
}

/// `text` with every control character escaped (`\n`, `\r`, `\u{1b}`...).
/// Messages quote names and values from files and from AWS replies: raw, a
/// line break would split the one-line error, and a `\r` or an escape
/// sequence would rewind or repaint the user's terminal.
pub fn printable(text: &str) -> String {
    if !text.contains(char::is_control) {
        return text.to_string();
    }
    text.chars().fold(String::with_capacity(text.len() + 8), |mut out, c| {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        out
    })
}

pub fn input_error(file: &str, e: InputError) -> ConfigureError {
    ConfigureError::InvalidInput(WitInputError {
        file: Some(file.to_string()),
        line: e.line,
        message: printable(&e.message),
    })
}

fn answer_error(message: impl Into<String>) -> ConfigureError {
    ConfigureError::InvalidInput(WitInputError {
        file: None,
        line: None,
        message: printable(&message.into()),
    })
}

pub fn file_error(path: &str, e: FilesError) -> ConfigureError {
    let message = match e {
        FilesError::IsDirectory => "is a directory, not a file".to_string(),
        FilesError::PermissionDenied => "cannot be read: permission denied".to_string(),
        FilesError::NotText => "is not UTF-8 text".to_string(),
        FilesError::Other(why) => format!("cannot be read: {}", printable(&why)),
    };
    ConfigureError::InvalidInput(WitInputError {
        file: Some(path.to_string()),
        line: None,
        message,
    })
}

fn prompt_error(e: PromptError) -> ConfigureError {
    match e {
        PromptError::Cancelled => ConfigureError::Cancelled,
        PromptError::Unavailable(why) => ConfigureError::AnswerNeeded(why),
    }
}

pub fn aws_failure(operation: &str, error: AwsError, message: String) -> ConfigureError {
    ConfigureError::Aws(AwsFailure {
        operation: operation.to_string(),
        error: AwsError {
            kind: error.kind,
            code: error.code.map(|c| printable(&c)),
            message: printable(&error.message),
        },
        message: printable(&message),
    })
}

/// An INI file the run may rewrite.
struct IniFile {
    path: String,
    before: Option<String>,
    doc: IniDocument,
}

impl IniFile {
    fn load(ctx: &mut Ctx<'_>, path: String) -> Result<Self, ConfigureError> {
        let before = ctx.read(&path)?;
        let doc = IniDocument::parse(before.as_deref().unwrap_or("")).map_err(|e| input_error(&path, e))?;
        Ok(IniFile { path, before, doc })
    }

    fn keys(&self, section: &str) -> Option<AccessKeys> {
        let id = self.doc.get(section, "aws_access_key_id")?.trim();
        let secret = self.doc.get(section, "aws_secret_access_key")?.trim();
        (!id.is_empty() && !secret.is_empty()).then(|| AccessKeys {
            access_key_id: id.to_string(),
            secret_access_key: Secret::new(secret),
        })
    }

    fn set(&mut self, section: &str, key: &str, value: &str) -> Result<(), ConfigureError> {
        match self.doc.set(section, key, value) {
            Ok(_) => Ok(()),
            Err(e) => Err(input_error(&self.path, e)),
        }
    }
}

/// Plan `leverage credentials configure`.
pub fn configure(host: &mut dyn Host, request: &ConfigureRequest) -> Result<Plan, ConfigureError> {
    check_flags(request)?;
    let mut ctx = Ctx { host, request };
    if request.skip_access_keys_setup && request.skip_assumable_roles_setup {
        ctx.log(
            Level::Info,
            "Nothing to do: both the access keys and the assumable roles setup are skipped.",
        );
        return Ok(Plan {
            changes: Vec::new(),
            report: empty_report(String::new()),
        });
    }

    let project = project::load(&mut ctx)?;
    project::describe(&mut ctx, &project);
    let aws_dir = join(&request.aws_root, &project.short_name);
    let profile = profiles::keys_profile(&project.short_name, request.credentials_type);
    let mut report = empty_report(profile.clone());

    let mut credentials = IniFile::load(&mut ctx, join(&aws_dir, "credentials"))?;
    let mut config = IniFile::load(&mut ctx, join(&aws_dir, "config"))?;
    let configured_before = credentials.keys(&profile).is_some();

    // Steps 2 and 3: the keys.
    let write_keys = if request.skip_access_keys_setup {
        false
    } else if configured_before && !request.overwrite_existing_credentials {
        let choice = ctx.select(
            &format!("Credentials already configured for {profile}"),
            &[
                "Skip credentials configuration. Continue on with assumable roles setup.",
                "Overwrite current credentials. Backups will be made.",
            ],
            &format!(
                "{profile} already has keys: pass --overwrite-existing-credentials to replace them or --skip-access-keys-setup to keep them"
            ),
        )?;
        if choice == 0 && request.skip_assumable_roles_setup {
            ctx.log(
                Level::Info,
                "Nothing to do: the keys are kept and the assumable roles setup is skipped.",
            );
            return Ok(Plan {
                changes: Vec::new(),
                report,
            });
        }
        choice == 1
    } else {
        true
    };

    let new_keys = if write_keys { Some(obtain_keys(&mut ctx)?) } else { None };
    let own_keys = new_keys.clone().or_else(|| credentials.keys(&profile));
    // Step 4: the first bootstrap writes no account profiles.
    let first_bootstrap =
        request.credentials_type == CredentialsType::Bootstrap && !configured_before && new_keys.is_some();
    let wants_profiles = !request.skip_assumable_roles_setup && !first_bootstrap;
    let org_reader = if wants_profiles {
        organization_reader(request, &project.short_name, &profile, &credentials, own_keys.as_ref())
    } else {
        None
    };
    let mfa_keys = own_keys
        .as_ref()
        .filter(|_| wants_profiles && (request.fetch_mfa_device || request.mfa_serial.is_some()));

    // Every AWS call of the run, at once.
    if new_keys.is_some() {
        ctx.log(Level::Info, "Checking the keys with AWS...");
    }
    if let Some((reader, _)) = &org_reader {
        ctx.log(
            Level::Info,
            &format!("Reading the organization's accounts with {reader}..."),
        );
    }
    if mfa_keys.is_some() {
        ctx.log(Level::Info, &format!("Looking up the MFA devices of {profile}..."));
    }
    let answers = aws_calls::call(
        &mut ctx,
        &project.primary_region,
        aws_calls::Wanted {
            identity: new_keys.as_ref().or(mfa_keys),
            accounts: org_reader.as_ref().map(|(_, keys)| keys),
            mfa_devices: mfa_keys,
        },
    )?;

    // An identity that fails stops the run when it checks new keys or names
    // the user whose MFA device is fetched; when it only serves to check
    // `--mfa-serial`, that check is skipped with a warning instead.
    let identity_is_needed = new_keys.is_some() || request.fetch_mfa_device;
    let mut mfa_answer = answers.mfa_devices;
    let own_identity = match answers.identity {
        None => None,
        Some(Ok(identity)) if validate::is_account_id(&identity.account) => Some(identity),
        Some(Ok(_)) => {
            return Err(aws_failure(
                "sts:GetCallerIdentity",
                AwsError::new(AwsErrorKind::Other, "unexpected reply"),
                "AWS answered GetCallerIdentity without a valid account id".into(),
            ))
        }
        Some(Err(e)) if identity_is_needed => return Err(rejected_keys(e)),
        Some(Err(e)) => {
            mfa_answer = Some(Err(e));
            None
        }
    };
    if let Some(identity) = &own_identity {
        report.caller_account = Some(identity.account.clone());
    }
    if let (Some(keys), Some(identity)) = (&new_keys, &own_identity) {
        ctx.log(
            Level::Info,
            &format!("The keys belong to {} in account {}.", identity.arn, identity.account),
        );
        credentials.set(&profile, "aws_access_key_id", &keys.access_key_id)?;
        credentials.set(&profile, "aws_secret_access_key", keys.secret_access_key.expose())?;
        let section = profiles::config_section(&profile);
        config.set(&section, "output", "json")?;
        config.set(&section, "region", &project.primary_region)?;
        report.keys_written = true;
    }

    let mut accounts = project.accounts.clone();
    let mut learned: Vec<AccountId> = Vec::new();

    if let (true, Some(identity)) = (first_bootstrap, &own_identity) {
        learn(&mut accounts, &mut learned, "management", &identity.account);
        ctx.log(
            Level::Info,
            "First bootstrap: account profiles are set up with MANAGEMENT keys later.",
        );
    } else if wants_profiles {
        let aws = AwsAnswers {
            org_reader: org_reader.map(|(name, _)| name),
            organization: answers.accounts,
            own_keys: own_keys.is_some(),
            identity: own_identity,
            mfa_devices: mfa_answer,
        };
        let mut run = ProfilesRun {
            project: &project,
            profile: &profile,
            config: &mut config,
            accounts: &mut accounts,
            learned: &mut learned,
            report: &mut report,
        };
        account_profiles(&mut ctx, &mut run, aws)?;
    }

    report.accounts_learned = learned.clone();
    let mut changes = Vec::new();
    if let Some((path, content)) = &project.new_build_env {
        changes.push(new_change(path, FileKind::BuildEnv, None, content.clone(), false, &[]));
    }
    let secret = new_keys
        .as_ref()
        .map(|k| k.secret_access_key.expose().to_string())
        .unwrap_or_default();
    for (file, kind) in [(&credentials, FileKind::AwsCredentials), (&config, FileKind::AwsConfig)] {
        let after = file.doc.render();
        if file.before.as_deref() != Some(after.as_str()) && !(file.before.is_none() && after.is_empty()) {
            changes.push(new_change(
                &file.path,
                kind,
                file.before.clone(),
                after,
                true,
                &[&secret],
            ));
        }
    }
    // Keys-only runs (roles skipped) leave the project files alone unless
    // they learned something.
    if !request.skip_assumable_roles_setup || !learned.is_empty() {
        let written = write_back(&project, &accounts, &mut changes, &mut report)?;
        for warning in placeholder_warnings(request, &project, &accounts, &written) {
            warn(&mut ctx, &mut report, warning);
        }
    }
    Ok(Plan { changes, report })
}

fn empty_report(profile: String) -> Report {
    Report {
        profile,
        keys_written: false,
        caller_account: None,
        profiles: Vec::new(),
        accounts_learned: Vec::new(),
        terraform_attributes: Vec::new(),
        warnings: Vec::new(),
    }
}

fn check_flags(request: &ConfigureRequest) -> Result<(), ConfigureError> {
    if request.overwrite_existing_credentials && request.skip_access_keys_setup {
        return Err(ConfigureError::Usage(
            "--overwrite-existing-credentials and --skip-access-keys-setup cannot be used together".into(),
        ));
    }
    if let Some(role) = &request.role_name {
        if !validate::is_iam_user_name(role) {
            return Err(ConfigureError::Usage(format!(
                "--role-name `{role}` is not a valid IAM role name (1 to 64 of letters, digits and +=,.@_-)"
            )));
        }
    }
    if let Some(serial) = &request.mfa_serial {
        if !validate::is_mfa_serial(serial) {
            return Err(ConfigureError::Usage(format!(
                "--mfa-serial `{serial}` is not an MFA device ARN like arn:aws:iam::123456789012:mfa/name"
            )));
        }
    }
    Ok(())
}

fn rejected_keys(error: AwsError) -> ConfigureError {
    let why = &error.message;
    let message = match (error.kind, error.code.as_deref()) {
        (_, Some("SignatureDoesNotMatch")) => {
            "the keys were rejected by AWS (SignatureDoesNotMatch): the secret access key does not belong to this access key id; check that you copied both from the same key".to_string()
        }
        (_, Some("InvalidClientTokenId")) => {
            "the keys were rejected by AWS (InvalidClientTokenId): this access key id does not exist or was deleted; create a new access key in IAM".to_string()
        }
        (AwsErrorKind::InvalidCredentials, Some(code)) => {
            format!("the keys were rejected by AWS ({code}): check that you copied the current access key id and secret access key")
        }
        (AwsErrorKind::InvalidCredentials, None) => {
            "the keys were rejected by AWS: check that you copied the current access key id and secret access key"
                .to_string()
        }
        (AwsErrorKind::Network, _) => format!("could not reach AWS to check the keys: {why}"),
        (AwsErrorKind::Throttled, _) => format!("AWS kept throttling the check of the keys: {why}"),
        _ => format!("AWS could not check the keys: {why}"),
    };
    aws_failure("sts:GetCallerIdentity", error, message)
}

/// Step 3's sources: a CSV file (or standard input), the environment, or prompts.
fn obtain_keys(ctx: &mut Ctx<'_>) -> Result<AccessKeys, ConfigureError> {
    if let Some(path) = ctx.request.credentials_file.clone() {
        return keys_from_csv_path(ctx, &path);
    }
    if let Some(env) = &ctx.request.environment_keys {
        let keys = AccessKeys {
            access_key_id: env.access_key_id.trim().to_string(),
            secret_access_key: Secret::new(env.secret_access_key.trim()),
        };
        if !validate::is_access_key_id(&keys.access_key_id) {
            return Err(answer_error(
                "LEVERAGE_AWS_ACCESS_KEY_ID is not an access key id (20 upper-case letters or digits)",
            ));
        }
        if !validate::is_secret_access_key(keys.secret_access_key.expose()) {
            return Err(answer_error(
                "LEVERAGE_AWS_SECRET_ACCESS_KEY is not a secret access key (40 letters, digits, / or +)",
            ));
        }
        return Ok(keys);
    }
    let how = ctx.select(
        "Select the means by which you'll provide the programmatic keys",
        &["Path to an access keys file obtained from AWS", "Manually"],
        "access keys are needed: pass --credentials-file PATH (or - for standard input), or set LEVERAGE_AWS_ACCESS_KEY_ID and LEVERAGE_AWS_SECRET_ACCESS_KEY",
    )?;
    if how == 0 {
        loop {
            let home = ctx.request.home_dir.clone();
            let cwd = ctx.request.current_dir.clone();
            let typed = ctx.ask_validated("Path to the access keys file", None, "--credentials-file", |p| {
                typed_path(p, home.as_deref(), &cwd).map(|_| ())
            })?;
            let path = typed_path(&typed, home.as_deref(), &cwd).map_err(answer_error)?;
            match keys_from_csv_path(ctx, &path) {
                Ok(keys) => return Ok(keys),
                Err(ConfigureError::InvalidInput(e)) => ctx.log(Level::Warn, &e.message_with_file()),
                Err(other) => return Err(other),
            }
        }
    }
    let access_key_id = ctx.ask_validated("Access key ID", None, "--credentials-file", |v| {
        validate::is_access_key_id(v)
            .then_some(())
            .ok_or("an access key id is 20 upper-case letters or digits".to_string())
    })?;
    loop {
        let secret = Secret::new(
            ctx.host
                .prompt_secret("Secret access key")
                .map_err(prompt_error)?
                .trim(),
        );
        if validate::is_secret_access_key(secret.expose()) {
            return Ok(AccessKeys {
                access_key_id,
                secret_access_key: secret,
            });
        }
        ctx.log(Level::Warn, "a secret access key is 40 letters, digits, / or +");
    }
}

/// A path typed at a prompt, as a shell would read it: a leading `~`,
/// `$HOME` or `${HOME}` is the home directory, and a relative path is
/// relative to the current directory. (`~user` is not expanded.)
fn typed_path(typed: &str, home: Option<&str>, cwd: &str) -> Result<String, String> {
    if typed.is_empty() {
        return Err("a path is needed".to_string());
    }
    let after_home = ["~", "${HOME}", "$HOME"].iter().find_map(|prefix| {
        typed
            .strip_prefix(prefix)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if let Some(rest) = after_home {
        let Some(home) = home.filter(|h| !h.is_empty()) else {
            return Err(format!(
                "`{typed}` starts with the home directory, which is not known (HOME is not set)"
            ));
        };
        let rest = rest.trim_start_matches('/');
        return Ok(if rest.is_empty() {
            home.to_string()
        } else {
            join(home, rest)
        });
    }
    if typed.starts_with('/') {
        Ok(typed.to_string())
    } else {
        Ok(join(cwd, typed))
    }
}

impl WitInputError {
    fn message_with_file(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{f}:{l}: {}", self.message),
            (Some(f), None) => format!("{f}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

fn keys_from_csv_path(ctx: &mut Ctx<'_>, path: &str) -> Result<AccessKeys, ConfigureError> {
    let (name, text) = if path == "-" {
        (
            "standard input".to_string(),
            ctx.host.read_stdin().map_err(|e| file_error("standard input", e))?,
        )
    } else {
        match ctx.read(path)? {
            Some(text) => (path.to_string(), text),
            None => {
                return Err(input_error(
                    path,
                    InputError::new("the access keys file does not exist"),
                ))
            }
        }
    };
    access_keys::parse_csv(&text).map_err(|e| input_error(&name, e))
}

/// Record that `name` has id `id`, when that is news.
fn learn(accounts: &mut Vec<DeclaredAccount>, learned: &mut Vec<AccountId>, name: &str, id: &str) {
    let position = accounts.iter().position(|a| a.name == name);
    learn_at(accounts, learned, position, name, id);
}

/// [`learn`], the account's position in `accounts` (if declared) being known.
fn learn_at(
    accounts: &mut Vec<DeclaredAccount>,
    learned: &mut Vec<AccountId>,
    position: Option<usize>,
    name: &str,
    id: &str,
) {
    match position.and_then(|i| accounts.get_mut(i)) {
        Some(account) if account.id.as_deref() == Some(id) => return,
        Some(account) => account.id = Some(id.to_string()),
        None => accounts.push(DeclaredAccount {
            name: name.to_string(),
            email: None,
            id: Some(id.to_string()),
        }),
    }
    learned.push(AccountId {
        name: name.to_string(),
        id: id.to_string(),
    });
}

/// Step 5: the keys that read the organization, and the profile holding
/// them. Security users cannot read it: SECURITY uses the management keys,
/// else the bootstrap keys, when the credentials file has them.
fn organization_reader(
    request: &ConfigureRequest,
    short_name: &str,
    profile: &str,
    credentials: &IniFile,
    own_keys: Option<&AccessKeys>,
) -> Option<(String, AccessKeys)> {
    if request.credentials_type == CredentialsType::Security {
        ["management", "bootstrap"].iter().find_map(|t| {
            let name = format!("{short_name}-{t}");
            credentials.keys(&name).map(|k| (name, k))
        })
    } else {
        own_keys.map(|k| (profile.to_string(), k.clone()))
    }
}

/// What AWS answered that the account profiles step uses.
struct AwsAnswers {
    /// The profile whose keys read the organization; none when no keys could.
    org_reader: Option<String>,
    organization: Option<Result<Vec<OrganizationAccount>, AwsError>>,
    /// Whether the profile being configured has keys (new or configured).
    own_keys: bool,
    identity: Option<CallerIdentity>,
    mfa_devices: Option<Result<Vec<String>, AwsError>>,
}

/// What the account profiles step reads and changes.
struct ProfilesRun<'a> {
    project: &'a Project,
    /// The profile holding the keys, the account profiles' `source_profile`.
    profile: &'a str,
    config: &'a mut IniFile,
    accounts: &'a mut Vec<DeclaredAccount>,
    learned: &'a mut Vec<AccountId>,
    report: &'a mut Report,
}

/// Step 6: one profile per account, from the organization's answer.
fn account_profiles(ctx: &mut Ctx<'_>, run: &mut ProfilesRun<'_>, aws: AwsAnswers) -> Result<(), ConfigureError> {
    let request = ctx.request;
    let project = run.project;
    let profile = run.profile;
    let report = &mut *run.report;
    let mut org_accounts: Vec<(String, OrganizationAccount)> = Vec::new();
    let mut org_read = false;
    match (aws.org_reader, aws.organization) {
        (Some(reader), Some(answer)) => match answer {
            Ok(list) => {
                org_read = true;
                for account in list {
                    if account.name.is_empty() || !validate::is_account_id(&account.id) {
                        warn(
                            ctx,
                            report,
                            format!(
                                "the organization listed an account without a usable name or id (`{}`); it is skipped",
                                account.id.chars().take(20).collect::<String>()
                            ),
                        );
                        continue;
                    }
                    let name =
                        profiles::strip_project_prefix(&account.name, project.project_name.as_deref()).to_string();
                    org_accounts.push((name, account));
                }
            }
            Err(e) => match e.kind {
                AwsErrorKind::AccessDenied | AwsErrorKind::OrganizationNotInUse | AwsErrorKind::InvalidCredentials => {
                    warn(
                        ctx,
                        report,
                        format!(
                            "could not read the organization with {reader} ({}); the ids declared in the project are used",
                            e.message
                        ),
                    )
                }
                _ => {
                    let message = format!("could not read the organization's accounts: {}", e.message);
                    return Err(aws_failure("organizations:ListAccounts", e, message));
                }
            },
        },
        _ => warn(
            ctx,
            report,
            format!(
                "no keys can read the organization ({}); the ids declared in the project are used",
                if request.credentials_type == CredentialsType::Security {
                    "configure MANAGEMENT or BOOTSTRAP keys first"
                } else {
                    "no keys are configured for this profile"
                }
            ),
        ),
    }
    let accounts = &mut *run.accounts;
    let learned = &mut *run.learned;
    let config = &mut *run.config;

    let org_list: Vec<accounts::OrgAccount> = org_accounts
        .iter()
        .map(|(name, account)| accounts::OrgAccount {
            name: name.clone(),
            id: account.id.clone(),
        })
        .collect();
    let resolution = accounts::resolve(accounts, &org_list, org_read);
    for warning in &resolution.warnings {
        warn(ctx, report, warning.clone());
    }
    for (position, id) in &resolution.learned {
        if let Some(name) = accounts.get(*position).map(|a| a.name.clone()) {
            learn_at(accounts, learned, Some(*position), &name, id);
        }
    }

    // Which accounts get a profile: the declared ones, and with
    // --all-accounts every organization account too.
    let mut targets: Vec<(String, Option<String>)> = accounts.iter().map(|a| (a.name.clone(), a.id.clone())).collect();
    if request.all_accounts {
        let mut known: std::collections::BTreeSet<String> = targets.iter().map(|(n, _)| n.clone()).collect();
        for (name, account) in &org_accounts {
            if !resolution.ambiguous.contains(name) && known.insert(name.clone()) {
                targets.push((name.clone(), Some(account.id.clone())));
            }
        }
    }
    if targets.is_empty() {
        ctx.log(
            Level::Info,
            "Neither the organization nor the project declares any account: no account profiles to write.",
        );
        return Ok(());
    }

    let rule = profiles::role_rule(request.credentials_type, request.role_name.as_deref());
    // The device the account profiles use now, if any: the picker starts on it.
    let configured_serial = targets.iter().find_map(|(name, _)| {
        let section = profiles::config_section(&format!("{}-{name}-{}", project.short_name, rule.suffix));
        config
            .doc
            .get(&section, "mfa_serial")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    });
    let mfa_serial = mfa_serial(
        ctx,
        report,
        aws.own_keys,
        aws.identity.as_ref(),
        aws.mfa_devices,
        configured_serial.as_deref(),
    )?;
    ctx.log(Level::Info, "Writing the account profiles...");
    for (name, id) in targets {
        if request.credentials_type == CredentialsType::Security && name == "management" {
            continue;
        }
        let Some(id) = id else {
            warn(
                ctx,
                report,
                format!("account `{name}` has no id in the organization or the project; no profile written for it"),
            );
            continue;
        };
        // A name from the organization (or a declaration) that the AWS CLI
        // would not read back as written is skipped: it could take over
        // another profile, or be silently ignored.
        let profile_name = format!("{}-{name}-{}", project.short_name, rule.suffix);
        if let Some(why) = profiles::unreadable_profile_name(&profile_name) {
            warn(
                ctx,
                report,
                format!("account `{name}` ({id}) cannot be part of a profile name ({why}); no profile written for it"),
            );
            continue;
        }
        let role_arn = format!("arn:aws:iam::{id}:role/{}", rule.role);
        let section = profiles::config_section(&profile_name);
        config.set(&section, "output", "json")?;
        config.set(&section, "region", &project.primary_region)?;
        config.set(&section, "role_arn", &role_arn)?;
        config.set(&section, "source_profile", profile)?;
        if let Some(serial) = &mfa_serial {
            config.set(&section, "mfa_serial", serial)?;
        }
        // The report describes the file: a serial an earlier run wrote stays
        // in the profile, and so in the report, when this run fetched none.
        let serial_in_file = mfa_serial.clone().or_else(|| {
            config
                .doc
                .get(&section, "mfa_serial")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        });
        report.profiles.push(AccountProfile {
            name: profile_name,
            account: name,
            account_id: id,
            role_arn,
            mfa_serial: serial_in_file,
        });
    }
    Ok(())
}

fn warn(ctx: &mut Ctx<'_>, report: &mut Report, message: String) {
    let message = printable(&message);
    ctx.log(Level::Warn, &message);
    report.warnings.push(message);
}

/// `--fetch-mfa-device` and `--mfa-serial`, from the answer of
/// ListMFADevices (asked for with the run's other AWS calls). Without
/// `--fetch-mfa-device`, a `--mfa-serial` is checked against the user's
/// devices when the keys could list them, and used unchecked, with a
/// warning, when they could not.
fn mfa_serial(
    ctx: &mut Ctx<'_>,
    report: &mut Report,
    own_keys: bool,
    identity: Option<&CallerIdentity>,
    devices: Option<Result<Vec<String>, AwsError>>,
    configured: Option<&str>,
) -> Result<Option<String>, ConfigureError> {
    let request = ctx.request;
    let user = identity.and_then(|i| profiles::user_name_from_arn(&i.arn).filter(|u| validate::is_iam_user_name(u)));
    if !request.fetch_mfa_device {
        let Some(wanted) = &request.mfa_serial else {
            return Ok(None);
        };
        let not_checked = |why: String| {
            format!("--mfa-serial {wanted} was not checked against the user's MFA devices ({why}); it is used as given")
        };
        match devices {
            None => {
                warn(
                    ctx,
                    report,
                    not_checked("no keys of this profile to list them with".into()),
                );
                return Ok(Some(wanted.clone()));
            }
            Some(Err(e)) => {
                warn(ctx, report, not_checked(e.message));
                return Ok(Some(wanted.clone()));
            }
            Some(Ok(list)) if list.contains(wanted) => return Ok(Some(wanted.clone())),
            Some(Ok(list)) => {
                let user = user.unwrap_or("the keys' user");
                let usable: Vec<&String> = list.iter().filter(|s| validate::is_mfa_serial(s)).collect();
                return Err(answer_error(if usable.is_empty() {
                    format!("--mfa-serial {wanted} is not an MFA device of {user}, who has none")
                } else {
                    format!(
                        "--mfa-serial {wanted} is not one of the MFA devices of {user}: {}",
                        usable.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    )
                }));
            }
        }
    }
    if !own_keys {
        return Err(answer_error(
            "--fetch-mfa-device needs the profile's own keys, and none are configured",
        ));
    }
    let Some(identity) = identity else {
        return Err(ConfigureError::Host(
            "the caller identity was not asked for with the MFA devices".into(),
        ));
    };
    let Some(user) = user else {
        return Err(answer_error(format!(
            "--fetch-mfa-device needs the keys of an IAM user, but they belong to `{}`",
            identity.arn
        )));
    };
    let devices = match devices {
        Some(Ok(devices)) => devices,
        Some(Err(e)) => {
            let message = format!("could not list the MFA devices of {user}: {}", e.message);
            return Err(aws_failure("iam:ListMFADevices", e, message));
        }
        None => return Err(ConfigureError::Host("the MFA devices were not asked for".into())),
    };
    // A serial of another shape (a hardware token's serial number, or
    // something no AWS sends) is named and skipped, never written.
    let (mut usable, unusable): (Vec<String>, Vec<String>) =
        devices.into_iter().partition(|s| validate::is_mfa_serial(s));
    // The same device listed twice is one device.
    let mut seen = std::collections::BTreeSet::new();
    usable.retain(|s| seen.insert(s.clone()));
    let unusable: Vec<String> = unusable
        .iter()
        .map(|s| format!("`{}`", s.chars().take(80).collect::<String>()))
        .collect();
    if !unusable.is_empty() {
        ctx.log(
            Level::Warn,
            &format!(
                "skipped MFA device(s) of {user} whose serial is not an MFA device ARN: {}",
                unusable.join(", ")
            ),
        );
    }
    match (usable.as_slice(), &request.mfa_serial) {
        ([], _) if !unusable.is_empty() => Err(answer_error(format!(
            "no MFA device found for user {user} (only {}, which is not an MFA device ARN like arn:aws:iam::123456789012:mfa/name)",
            unusable.join(", ")
        ))),
        ([], _) => Err(answer_error(format!("no MFA device found for user {user}"))),
        (_, Some(wanted)) if usable.contains(wanted) => Ok(Some(wanted.clone())),
        (_, Some(wanted)) => Err(answer_error(format!(
            "--mfa-serial {wanted} is not one of the MFA devices of {user}: {}",
            usable.join(", ")
        ))),
        ([only], None) => Ok(Some(only.clone())),
        (several, None) => pick_device(ctx, user, several, configured).map(Some),
    }
}

/// The MFA device picker: the device the profiles use now is marked and
/// the cursor starts on it, so Enter keeps it.
fn pick_device(
    ctx: &mut Ctx<'_>,
    user: &str,
    devices: &[String],
    configured: Option<&str>,
) -> Result<String, ConfigureError> {
    let current = configured.and_then(|c| devices.iter().position(|d| d == c));
    let labels: Vec<String> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if Some(i) == current {
                format!("{d} (configured now)")
            } else {
                d.clone()
            }
        })
        .collect();
    let choices: Vec<&str> = labels.iter().map(String::as_str).collect();
    let needed = format!(
        "{user} has several MFA devices; pick one with --mfa-serial: {}",
        devices.join(", ")
    );
    let default = current.and_then(|i| u32::try_from(i).ok()).unwrap_or(0);
    let chosen = ctx.select_from("Which MFA device should the profiles use?", &choices, default, &needed)?;
    devices
        .get(chosen as usize)
        .cloned()
        .ok_or_else(|| ConfigureError::Host(format!("the prompt answered choice {chosen} of {}", devices.len())))
}

fn new_change(
    path: &str,
    kind: FileKind,
    before: Option<String>,
    after: String,
    secrets: bool,
    known: &[&str],
) -> FileChange {
    let (masked_before, masked_after) = if secrets {
        (
            before.as_deref().map(|b| mask::mask_ini(b, known)),
            mask::mask_ini(&after, known),
        )
    } else {
        (before.clone(), after.clone())
    };
    FileChange {
        path: path.to_string(),
        kind,
        before,
        after,
        holds_secrets: secrets,
        masked_before,
        masked_after,
    }
}

/// What the write-back changed: the Terraform attributes set, and the
/// accounts whose id changed in project.yaml.
#[derive(Default)]
struct Written {
    terraform_attributes: Vec<String>,
    yaml_accounts: Vec<String>,
}

/// `path` as people name it: relative to the project root when inside it.
fn shown_path<'a>(request: &ConfigureRequest, path: &'a str) -> &'a str {
    let root = request.project_root.trim_end_matches('/');
    path.strip_prefix(root)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(path)
}

/// One line per placeholder id of the project's files: replaced (with what),
/// or left because no id is known for its account.
fn placeholder_warnings(
    request: &ConfigureRequest,
    project: &Project,
    accounts: &[DeclaredAccount],
    written: &Written,
) -> Vec<String> {
    let tfvars_path = project.tfvars.as_ref().map(|f| f.path.as_str());
    project
        .placeholders
        .iter()
        .map(|placeholder| {
            let file = shown_path(request, &placeholder.file);
            let replaced = if Some(placeholder.file.as_str()) == tfvars_path {
                written.terraform_attributes.contains(&placeholder.attribute)
            } else {
                written.yaml_accounts.contains(&placeholder.account)
            };
            let id = accounts
                .iter()
                .find(|a| a.name == placeholder.account)
                .and_then(|a| a.id.as_deref());
            match id.filter(|_| replaced) {
                Some(id) => format!(
                    "{file}: `{}` was `{}`, which is not an account id; it is now {id}",
                    placeholder.attribute, placeholder.value
                ),
                None => format!(
                    "{file}: `{}` is `{}`, which is not an account id; it is left as it is (no id is known for account `{}`)",
                    placeholder.attribute, placeholder.value, placeholder.account
                ),
            }
        })
        .collect()
}

/// Step 7 and the bootstrap write-back: ids into common.tfvars and project.yaml.
fn write_back(
    project: &Project,
    accounts: &[DeclaredAccount],
    changes: &mut Vec<FileChange>,
    report: &mut Report,
) -> Result<Written, ConfigureError> {
    let mut written = Written::default();
    if let Some(file) = &project.tfvars {
        let result = tfvars::write_back(&file.text, accounts).map_err(|e| input_error(&file.path, e))?;
        if result.text != file.text {
            written.terraform_attributes = result.attributes.clone();
            report.terraform_attributes = result.attributes;
            changes.push(new_change(
                &file.path,
                FileKind::TerraformVars,
                Some(file.text.clone()),
                result.text,
                false,
                &[],
            ));
        }
    }
    if let Some(file) = &project.yaml {
        // Every known id, not only this run's news: project.yaml then catches
        // up with ids that reached common.tfvars some other way. Entries that
        // already hold the id are left untouched by the editor.
        if file.parsed.accounts.is_some() {
            let ids: Vec<(String, String)> = accounts
                .iter()
                .filter_map(|a| a.id.as_ref().map(|id| (a.name.clone(), id.clone())))
                .collect();
            let result = project_yaml::set_account_ids(&file.text, &ids).map_err(|e| input_error(&file.path, e))?;
            written.yaml_accounts = result.updated.clone();
            if result.text != file.text {
                changes.push(new_change(
                    &file.path,
                    FileKind::ProjectYaml,
                    Some(file.text.clone()),
                    result.text,
                    false,
                    &[],
                ));
            }
        }
    }
    Ok(written)
}
