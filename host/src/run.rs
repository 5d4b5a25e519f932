//! One `credentials configure` run: resolve paths, take the lock, run the
//! core, then show or apply its plan.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::aws::AwsClient;
use crate::cli::{ConfigureArgs, CredentialsTypeArg, OutputFormat, VerbosityArgs};
use crate::engine::*;
use crate::files::FileReader;
use crate::log::{LogImport, Logger, Verbosity};
use crate::prompt::Terminal;
use crate::render::{self, PathStyle};

/// HOME unusable: the AWS files live under it. Typed, so that `main` gives
/// its hint without reading the message.
#[derive(Debug)]
pub enum HomeError {
    NotSet,
    NotADirectory(PathBuf),
}

impl std::fmt::Display for HomeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HomeError::NotSet => write!(f, "HOME is not set: it is needed to find ~/.aws"),
            HomeError::NotADirectory(home) => write!(
                f,
                "HOME ({}) is not a directory: it is needed to find ~/.aws",
                home.display()
            ),
        }
    }
}

impl std::error::Error for HomeError {}

impl From<CredentialsTypeArg> for CredentialsType {
    fn from(arg: CredentialsTypeArg) -> Self {
        match arg {
            CredentialsTypeArg::Bootstrap => CredentialsType::Bootstrap,
            CredentialsTypeArg::Management => CredentialsType::Management,
            CredentialsTypeArg::Security => CredentialsType::Security,
        }
    }
}

impl HomeError {
    pub const HINT: &'static str = "set HOME to your home directory; the AWS files live under $HOME/.aws";
}

/// The CLI's real imports: the AWS SDK, the file system, the terminal (or
/// none, with `non_interactive`), standard error.
pub(crate) fn cli_imports(
    non_interactive: bool,
    logger: &Logger,
) -> Imports<AwsClient, FileReader, Terminal, LogImport> {
    Imports {
        aws: AwsClient::new(logger.clone()),
        files: FileReader::default(),
        prompt: Terminal::new(non_interactive, logger.clone()),
        log: LogImport(logger.clone()),
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

/// Advisory locks on directories, held until dropped, so that two runs
/// never interleave their read-plan-write cycles. Nothing is created for
/// them (no lock file, no `~/.aws` before there is something to write in
/// it) and each directory is only opened for reading, so a run that fails,
/// or a dry run, leaves no trace and needs no write access.
///
/// The directories, in this order (always the same, so two runs never each
/// hold a lock the other waits for; one met twice is locked once):
/// - HOME, the parent of `~/.aws`: runs that find `~/.aws` missing queue
///   there too, so two first runs do not both create it;
/// - `~/.aws`, when it exists (it may be a link shared by several HOMEs);
/// - the project root, so that runs from two HOMEs on one project queue.
pub fn lock_run(home: &Path, aws_root: &Path, root: &Path, logger: &Logger, dry_run: bool) -> Result<Vec<File>> {
    let mut held: Vec<(File, (u64, u64))> = Vec::new();
    for dir in [home, aws_root, root] {
        if dir == aws_root && !aws_root.exists() {
            continue;
        }
        let file = match File::open(dir) {
            Ok(file) => file,
            // A dry run reads only: a directory it may not open is no reason
            // to stop (a real run then needs the lock, and says why).
            Err(_) if dry_run => continue,
            Err(e) => return Err(e).with_context(|| format!("opening {} to lock it", dir.display())),
        };
        let meta = file
            .metadata()
            .with_context(|| format!("opening {} to lock it", dir.display()))?;
        let id = (meta.dev(), meta.ino());
        // Locks are per open file: the same directory opened twice by one
        // process would wait for itself.
        if held.iter().any(|(_, held_id)| *held_id == id) {
            continue;
        }
        wait_for_lock(&file, dir, logger)?;
        held.push((file, id));
    }
    Ok(held.into_iter().map(|(file, _)| file).collect())
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
    if let Some(plan) = plan {
        forget_changes(&mut plan.changes);
    }
}

/// Wipe the contents `changes` hold: the WIT types hold plain strings, and
/// a credentials file's content holds secrets.
pub fn forget_changes(changes: &mut [FileChange]) {
    use zeroize::Zeroize;
    for change in changes {
        if let Some(before) = change.before.as_mut() {
            before.zeroize();
        }
        change.after.zeroize();
    }
}

pub fn print_failure(failure: &render::Failure) -> ExitCode {
    failure.print();
    ExitCode::from(failure.exit_code)
}

/// What every command starts from.
pub struct Start {
    /// The logger at the asked verbosity; a signal now cancels the run through it.
    pub logger: Logger,
    /// `$HOME`, which must be a directory.
    pub home_dir: PathBuf,
    /// `~/.aws`.
    pub aws_root: PathBuf,
    pub cwd: PathBuf,
    /// The project root of `cwd` (see [`project_root`]).
    pub root: PathBuf,
    /// How paths are shown: relative to the project root, or with `~`.
    pub paths: PathStyle,
}

/// The logger (with signals cancelling through it), HOME, `~/.aws`, the
/// current directory and its project root: the same for every command.
pub fn start(verbosity: VerbosityArgs) -> Result<Start> {
    let logger = Logger::new(match (verbosity.quiet, verbosity.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    });
    if let Err(e) = crate::signals::cancel_on_signals(logger.clone()) {
        logger.debug(&format!("signals keep their default action: {e}"));
    }
    let cwd = std::env::current_dir().context("finding the current directory")?;
    let root = project_root(&cwd);
    let Some(home_dir) = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from) else {
        return Err(HomeError::NotSet.into());
    };
    if !home_dir.is_dir() {
        return Err(HomeError::NotADirectory(home_dir).into());
    }
    let aws_root = home_dir.join(".aws");
    let paths = PathStyle {
        home: Some(home_dir.clone()),
        root: root.clone(),
    };
    Ok(Start {
        logger,
        home_dir,
        aws_root,
        cwd,
        root,
        paths,
    })
}

pub fn configure(args: ConfigureArgs) -> Result<ExitCode> {
    let Start {
        logger,
        home_dir,
        aws_root,
        cwd,
        root,
        paths,
    } = start(args.verbosity)?;

    let environment_keys = EnvironmentKeys::from_env();
    let mut request = ConfigureRequest {
        credentials_type: args.credentials_type.into(),
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
        non_interactive: args.non_interactive,
        role_name: args.role_name.clone(),
        all_accounts: args.all_accounts,
        mfa_serial: args.mfa_serial.clone(),
        prune: args.prune,
        skip_account_check: args.skip_account_check,
        environment_keys: environment_keys.as_ref().map(EnvironmentKeys::to_wit),
        project_root: root.display().to_string(),
        current_dir: cwd.display().to_string(),
        aws_root: aws_root.display().to_string(),
        home_dir: Some(home_dir.display().to_string()),
    };

    // Held from before the core reads anything until the apply ends.
    let _locks = lock_run(&home_dir, &aws_root, &root, &logger, args.dry_run)?;
    let core = Core::load()?;
    let imports = cli_imports(args.non_interactive, &logger);
    let outcome = core.configure(&request, imports).map(|(outcome, _imports)| outcome);
    forget_secrets(&mut request, None);
    let mut plan = match outcome? {
        Ok(plan) => plan,
        Err(error) => return Ok(print_failure(&render::failure(&error, &paths))),
    };

    if args.dry_run {
        // What the apply would refuse, the dry run refuses too.
        if let Err(error) = crate::apply::resolve_targets(&plan.changes, &root, &|p| paths.show(p)) {
            forget_secrets(&mut request, Some(&mut plan));
            return Err(error);
        }
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
    // A signal from here on waits until every file is new, or old again.
    let applied = crate::signals::defer_during(|| {
        let applied = crate::apply::apply_plan(&plan.changes, &private_dirs, &root, &|p| paths.show(p))?;
        // A run that wrote nothing leaves no record (and no ~/.aws).
        let recorded = if plan.changes.is_empty() {
            Ok(PathBuf::new())
        } else {
            crate::restore::record_run(&aws_root, "configure", &root, &plan.changes, &[], &applied)
        };
        Ok::<_, anyhow::Error>((applied, recorded))
    });
    forget_secrets(&mut request, Some(&mut plan));
    let applied = match applied {
        Ok((applied, recorded)) => {
            if let Err(error) = recorded {
                logger.warn(&format!(
                    "could not record this run, so `leverage credentials restore` cannot undo it: {error:#}"
                ));
            }
            applied
        }
        Err(error) if crate::signals::received() => {
            let mut failure = render::Failure::new(error.to_string());
            failure.causes = error.chain().skip(1).map(|cause| cause.to_string()).collect();
            failure.exit_code = crate::signals::CANCELLED_EXIT_CODE;
            return Ok(print_failure(&failure));
        }
        Err(error) => return Err(error),
    };
    match args.output {
        OutputFormat::Json => println!("{}", render::json(&plan, Some(&applied), false)),
        OutputFormat::Text => {
            if !args.verbosity.quiet {
                eprint!(
                    "{}",
                    render::summary(&plan, &applied, &paths, logger.paint(), render::summary_width())
                );
            }
        }
    }
    if crate::signals::received() {
        // Deferred until the apply finished: every file above is complete.
        logger.warn("interrupted while the files were being written; the writing was finished first");
        return Ok(ExitCode::from(crate::signals::CANCELLED_EXIT_CODE));
    }
    Ok(ExitCode::SUCCESS)
}
