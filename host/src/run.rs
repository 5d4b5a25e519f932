//! One `credentials configure` run: resolve paths, take the lock, run the
//! core, then show or apply its plan.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::aws::AwsClient;
use crate::cli::{ConfigureArgs, CredentialsTypeArg, OutputFormat};
use crate::engine::leverage::credentials::{aws, files, log, prompt, types};
use crate::engine::*;
use crate::files::FileReader;
use crate::log::{LogImport, Logger, Verbosity};
use crate::prompt::Terminal;
use crate::render::{self, PathStyle};

/// The real imports: AWS SDK, file system, terminal, standard error.
pub struct CliBackend {
    pub aws: AwsClient,
    pub files: FileReader,
    pub prompt: Terminal,
    pub log: LogImport,
}

impl types::Host for CliBackend {}

impl aws::Host for CliBackend {
    fn call_all(&mut self, calls: Vec<aws::Call>) -> Vec<Result<aws::Reply, AwsError>> {
        self.aws.call_all(calls)
    }
}

impl files::Host for CliBackend {
    fn read(&mut self, path: String) -> Result<Option<String>, FilesError> {
        self.files.read(path)
    }
    fn read_stdin(&mut self) -> Result<String, FilesError> {
        self.files.read_stdin()
    }
}

impl prompt::Host for CliBackend {
    fn text(&mut self, question: String, default: Option<String>) -> Result<String, PromptError> {
        self.prompt.text(question, default)
    }
    fn secret(&mut self, question: String) -> Result<String, PromptError> {
        self.prompt.secret(question)
    }
    fn select(&mut self, question: String, choices: Vec<String>, default: u32) -> Result<u32, PromptError> {
        self.prompt.select(question, choices, default)
    }
}

impl log::Host for CliBackend {
    fn line(&mut self, level: Level, message: String) {
        self.log.line(level, message)
    }
}

/// The git top-level of `dir` (the nearest ancestor holding `.git`), else `dir`.
pub fn project_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

/// Waits for the advisory lock on `file`, saying so when another run holds it.
fn wait_for_lock(file: &File, what: &Path, logger: &Logger) -> Result<()> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => {
            logger.info("Waiting for another leverage run to finish...");
            file.lock().with_context(|| format!("locking {}", what.display()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("locking {}", what.display())),
    }
}

/// An advisory lock on the AWS directory (a lock file in it), held until
/// dropped, so that two runs never interleave their read-plan-write cycles.
/// A dry run writes nothing: when the AWS directory does not exist it is not
/// created for the lock (there is nothing in it to read either).
fn lock_aws_root(aws_root: &Path, logger: &Logger, dry_run: bool) -> Result<Option<File>> {
    if !aws_root.exists() {
        if dry_run {
            return Ok(None);
        }
        fs::create_dir_all(aws_root).with_context(|| format!("creating {}", aws_root.display()))?;
        fs::set_permissions(aws_root, fs::Permissions::from_mode(0o700))?;
    }
    let path = aws_root.join(".leverage.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("opening the lock file {}", path.display()))?;
    wait_for_lock(&file, &path, logger)?;
    Ok(Some(file))
}

/// An advisory lock on the project root directory itself (no lock file is
/// left in the user's repository), so that runs from two HOMEs on one
/// project queue too. Always taken after the AWS lock, so two runs can never
/// each hold the lock the other waits for.
fn lock_project_root(root: &Path, logger: &Logger) -> Result<File> {
    let dir = File::open(root).with_context(|| format!("opening {} to lock it", root.display()))?;
    wait_for_lock(&dir, root, logger)?;
    Ok(dir)
}

/// Keys from `LEVERAGE_AWS_ACCESS_KEY_ID` / `LEVERAGE_AWS_SECRET_ACCESS_KEY`,
/// held so that the secret is wiped from memory on drop and no `{:?}` can
/// print it.
struct EnvironmentKeys {
    access_key_id: String,
    secret_access_key: zeroize::Zeroizing<String>,
}

impl std::fmt::Debug for EnvironmentKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvironmentKeys")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

impl EnvironmentKeys {
    fn from_env() -> Option<EnvironmentKeys> {
        let id = std::env::var("LEVERAGE_AWS_ACCESS_KEY_ID")
            .ok()
            .filter(|v| !v.is_empty())?;
        let secret = zeroize::Zeroizing::new(std::env::var("LEVERAGE_AWS_SECRET_ACCESS_KEY").ok()?);
        if secret.is_empty() {
            return None;
        }
        Some(EnvironmentKeys {
            access_key_id: id,
            secret_access_key: secret,
        })
    }

    /// The WIT record the core takes (a plain string, wiped after the run:
    /// see `forget_secrets`).
    fn to_wit(&self) -> AwsCredentials {
        AwsCredentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.to_string(),
            session_token: None,
        }
    }
}

/// Wipe the copies of secrets that the generated WIT types hold as plain
/// strings: the keys in the request and the contents of the plan's changes.
fn forget_secrets(request: &mut ConfigureRequest, plan: Option<&mut Plan>) {
    use zeroize::Zeroize;
    // `as_mut`: zeroizing an `Option` would also make it `None`.
    if let Some(keys) = request.environment_keys.as_mut() {
        keys.secret_access_key.zeroize();
        if let Some(token) = keys.session_token.as_mut() {
            token.zeroize();
        }
    }
    for change in plan.into_iter().flat_map(|p| p.changes.iter_mut()) {
        if let Some(before) = change.before.as_mut() {
            before.zeroize();
        }
        change.after.zeroize();
    }
}

fn print_failure(failure: &render::Failure) -> ExitCode {
    failure.print();
    ExitCode::from(failure.exit_code)
}

pub fn configure(args: ConfigureArgs) -> Result<ExitCode> {
    let verbosity = match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let logger = Logger::new(verbosity);
    if args.skip_access_keys_setup && args.skip_assumable_roles_setup {
        logger.info("Nothing to do: both --skip-access-keys-setup and --skip-assumable-roles-setup were given.");
        return Ok(ExitCode::SUCCESS);
    }
    let cwd = std::env::current_dir().context("finding the current directory")?;
    let root = project_root(&cwd);
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    let Some(home_dir) = home.clone() else {
        anyhow::bail!("HOME is not set: it is needed to find ~/.aws");
    };
    let aws_root = home_dir.join(".aws");
    let paths = PathStyle {
        home,
        root: root.clone(),
    };

    let environment_keys = EnvironmentKeys::from_env();
    let mut request = ConfigureRequest {
        credentials_type: match args.credentials_type {
            CredentialsTypeArg::Bootstrap => CredentialsType::Bootstrap,
            CredentialsTypeArg::Management => CredentialsType::Management,
            CredentialsTypeArg::Security => CredentialsType::Security,
        },
        credentials_file: args.credentials_file.as_ref().map(|p| {
            if p.as_os_str() == "-" || p.is_absolute() {
                p.display().to_string()
            } else {
                cwd.join(p).display().to_string()
            }
        }),
        fetch_mfa_device: args.fetch_mfa_device,
        overwrite_existing_credentials: args.overwrite_existing_credentials,
        skip_access_keys_setup: args.skip_access_keys_setup,
        skip_assumable_roles_setup: args.skip_assumable_roles_setup,
        dry_run: args.dry_run,
        non_interactive: args.non_interactive,
        role_name: args.role_name.clone(),
        all_accounts: args.all_accounts,
        mfa_serial: args.mfa_serial.clone(),
        environment_keys: environment_keys.as_ref().map(EnvironmentKeys::to_wit),
        project_root: root.display().to_string(),
        current_dir: cwd.display().to_string(),
        aws_root: aws_root.display().to_string(),
        home_dir: Some(home_dir.display().to_string()),
    };

    // Held from before the core reads anything until the apply ends.
    let _aws_lock = lock_aws_root(&aws_root, &logger, args.dry_run)?;
    let _project_lock = lock_project_root(&root, &logger)?;
    let core = Core::load()?;
    let backend = CliBackend {
        aws: AwsClient::new(logger.clone()),
        files: FileReader::default(),
        prompt: Terminal::new(args.non_interactive, logger.clone()),
        log: LogImport(logger.clone()),
    };
    let outcome = core.configure(&request, backend).map(|(outcome, _backend)| outcome);
    forget_secrets(&mut request, None);
    let mut plan = match outcome? {
        Ok(plan) => plan,
        Err(error) => return Ok(print_failure(&render::failure(&error, &paths))),
    };

    if args.dry_run {
        match args.output {
            OutputFormat::Json => println!("{}", render::json(&plan, None, true)),
            OutputFormat::Text => {
                print!("{}", render::diffs(&plan, &paths));
                logger.info(&format!(
                    "Dry run: {} file(s) would change; nothing was written.",
                    plan.changes.len()
                ));
            }
        }
        forget_secrets(&mut request, Some(&mut plan));
        return Ok(ExitCode::SUCCESS);
    }

    let private_dirs: Vec<PathBuf> = plan
        .changes
        .iter()
        .filter(|c| c.holds_secrets)
        .filter_map(|c| Path::new(&c.path).parent().map(Path::to_path_buf))
        .collect();
    let applied = crate::apply::apply_plan(&plan.changes, &private_dirs);
    forget_secrets(&mut request, Some(&mut plan));
    let applied = applied?;
    match args.output {
        OutputFormat::Json => println!("{}", render::json(&plan, Some(&applied), false)),
        OutputFormat::Text => {
            if verbosity != Verbosity::Quiet {
                eprint!(
                    "{}",
                    render::summary(&plan, &applied, &paths, logger.paint(), render::summary_width())
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
