//! The command line (clap). Flag names and meanings follow the original
//! `leverage credentials configure`; the others extend it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "leverage",
    version,
    about = "Configure AWS CLI credentials for a binbash Leverage project",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Manage the AWS CLI credentials of the project.
    Credentials {
        #[command(subcommand)]
        command: CredentialsCommand,
    },
    /// Print a shell completion script to standard output.
    #[command(after_long_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the WIT package of the embedded credentials core, or write the core (a WebAssembly
    /// component) for embedding it in another program.
    #[command(after_long_help = COMPONENT_HELP)]
    Component {
        /// Write the component to this file (`-`: standard output) instead of printing its WIT package.
        #[arg(long, value_name = "FILE")]
        write: Option<PathBuf>,
    },
    /// Print the manual page of `leverage credentials configure` (roff) to standard output.
    Man {
        /// Write every page (leverage.1, leverage-credentials.1, leverage-credentials-configure.1,
        /// leverage-credentials-rotate.1, leverage-credentials-restore.1, leverage-completions.1, leverage-component.1) into this directory instead.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

const COMPLETIONS_HELP: &str = "\
Examples:
  bash:  leverage completions bash > ~/.local/share/bash-completion/completions/leverage
  zsh:   leverage completions zsh > \"${fpath[1]}/_leverage\"
  fish:  leverage completions fish > ~/.config/fish/completions/leverage.fish";

const COMPONENT_HELP: &str = "\
The core plans `leverage credentials configure`; any runtime that runs WebAssembly
components (wasmtime in Rust or Python, jco in Node) can embed it. The WIT package
printed names the contract it implements. See wit/README.md in the source repository.

Examples:
  leverage component                        # e.g. leverage:credentials@0.4.0
  leverage component --write core.wasm";

#[derive(Subcommand, Debug)]
pub enum CredentialsCommand {
    /// Set up the keys of a credentials type and one assumable-role profile per account.
    #[command(after_long_help = EXAMPLES)]
    Configure(ConfigureArgs),
    /// Replace the access key of a credentials type by a new one: create it, check it, write it,
    /// then deactivate (or delete) the old one.
    #[command(after_long_help = ROTATE_HELP)]
    Rotate(RotateArgs),
    /// Undo a run: put the files a configure, rotate or restore run wrote back as they were
    /// before it, from its backups.
    #[command(after_long_help = RESTORE_HELP)]
    Restore(RestoreArgs),
}

/// How `restore` works, for `--help` and the man page.
pub const RESTORE_HELP: &str = "\
Every configure, rotate or restore run that writes files records them in
~/.aws/leverage-runs/<UTC time>.json: each file, where its previous content was backed up, and
a hash of what the run wrote. Restoring a run is one transaction, like configure's: the current
content of every file is backed up first, each file the run changed gets its backup back, and
each file the run created is removed (its content kept as a backup too); the restore records
itself, so it can be undone the same way. A file changed since the run (its content is not what
the run wrote) is restored only when the answer to a question says so: --non-interactive
refuses it, naming the file. --dry-run shows the diffs, secrets masked. Restoring a rotate run
puts the old key back in the file; rotate deactivated it in IAM, so reactivate it there too.

Examples:
  leverage credentials restore --list
  leverage credentials restore
  leverage credentials restore --run 20261129T101500Z --dry-run";

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// List the recorded runs, newest first, with their files; change nothing.
    #[arg(long, conflicts_with_all = ["run", "dry_run"])]
    pub list: bool,

    /// The run to undo, by its timestamp as --list shows it (default: the newest).
    #[arg(long, value_name = "TIMESTAMP")]
    pub run: Option<String>,

    /// Show what would change, as diffs (secrets masked); write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Never prompt: a file changed since the run is refused, naming it.
    #[arg(long)]
    pub non_interactive: bool,

    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}

/// How `rotate` works and what it guarantees, for `--help` and the man page.
pub const ROTATE_HELP: &str = "\
The profile <short>-<type> must already hold an IAM user's keys (see `leverage credentials
configure`). The steps: check the keys with STS and list the user's keys (AWS allows two: with
two, nothing is created); create a new key; wait until STS accepts it (up to 15 s); write it into
the credentials file with a backup, as `configure` does; deactivate the old key (--delete-old:
delete it). If the new key cannot be checked or written it is deleted again and the old key stays
in use; if the old key cannot be deactivated, the new key is kept and the summary gives the
command that deactivates the old one. Ctrl-C ends in one of those states, never between them.
The new secret never appears in any output.

Examples:
  leverage credentials rotate --type MANAGEMENT
  leverage credentials rotate --type SECURITY --delete-old
  leverage credentials rotate --type MANAGEMENT --dry-run
  leverage credentials rotate --type MANAGEMENT --non-interactive --output json";

#[derive(Args, Debug)]
pub struct RotateArgs {
    /// Type of the credentials whose key is replaced.
    #[arg(long = "type", value_name = "TYPE", ignore_case = true)]
    pub credentials_type: CredentialsTypeArg,

    /// Delete the old key instead of deactivating it.
    #[arg(long)]
    pub delete_old: bool,

    /// Check the keys and show what would be done; create, write and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Never prompt: a missing answer is an error naming the flag or variable that supplies it.
    #[arg(long)]
    pub non_interactive: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub output: OutputFormat,

    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}

/// The journeys, as `--help` and the man page show them. Every command here
/// is parsed by a test, so a renamed flag cannot leave an example behind.
pub const EXAMPLES: &str = "\
Examples:
  First bootstrap of a new project (keys of the root account's first IAM user):
    leverage credentials configure --type BOOTSTRAP \\
      --credentials-file ~/Downloads/bootstrap_accessKeys.csv

  A new engineer's MANAGEMENT keys, with MFA on every account profile:
    leverage credentials configure --type MANAGEMENT \\
      --credentials-file management_accessKeys.csv --fetch-mfa-device

  A new engineer's SECURITY keys (the profiles assume the DevOps role):
    leverage credentials configure --type SECURITY \\
      --credentials-file security_accessKeys.csv --fetch-mfa-device

  Replacing the keys with new ones from a CSV (`leverage credentials rotate` also creates
  them and deactivates the old key; previous files are kept as timestamped backups):
    leverage credentials configure --type MANAGEMENT \\
      --credentials-file new_accessKeys.csv --overwrite-existing-credentials

  Adding MFA later, keeping the keys:
    leverage credentials configure --type MANAGEMENT \\
      --skip-access-keys-setup --fetch-mfa-device

  CI (never prompts; keys from the environment; a JSON report on stdout):
    LEVERAGE_AWS_ACCESS_KEY_ID=... LEVERAGE_AWS_SECRET_ACCESS_KEY=... \\
      leverage credentials configure --type MANAGEMENT \\
      --non-interactive --output json

  See what would change, without writing anything:
    leverage credentials configure --type MANAGEMENT \\
      --skip-access-keys-setup --dry-run";

/// The man page's ENVIRONMENT section.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "LEVERAGE_AWS_ACCESS_KEY_ID, LEVERAGE_AWS_SECRET_ACCESS_KEY",
        "The access keys, when no --credentials-file is given (for CI).",
    ),
    (
        "AWS_ENDPOINT_URL",
        "Send every AWS call to this endpoint instead of AWS's own (e.g. a local emulator).",
    ),
    ("HOME", "The AWS files are written under $HOME/.aws/<short name>/."),
    (
        "NO_COLOR",
        "When set and not empty, no colour is used. Colour is only ever used on a terminal.",
    ),
];

/// The man page's FILES section.
const FILES: &[(&str, &str)] = &[
    (
        "~/.aws/<short>/credentials",
        "The access keys, in the profile <short>-<type> (mode 0600).",
    ),
    (
        "~/.aws/<short>/config",
        "The profile <short>-<type> and one assumable-role profile per account (mode 0600).",
    ),
    (
        "<file>.<UTC time>.bak",
        "The previous content of every file changed, kept beside it; never overwritten.",
    ),
    (
        "~/.aws/leverage-runs/<UTC time>.json",
        "What each run wrote, for `leverage credentials restore` (mode 0600).",
    ),
    (
        "project.yaml, build.env, config/common.tfvars",
        "The project's settings, read from the git top-level; account ids are written back into them.",
    ),
];

/// The man page's EXIT STATUS section.
const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Done, or nothing to do."),
    ("1", "An error; nothing was written."),
    (
        "130",
        "Cancelled (Ctrl-C, Esc or Ctrl-D at a prompt, or Ctrl-C while waiting); nothing was written.",
    ),
    (
        "2",
        "A usage error (unknown or contradictory flags); nothing was written.",
    ),
];

/// Text for roff: backslashes and hyphens escaped, no line starting a request.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

fn roff_list(out: &mut dyn Write, title: &str, items: &[(&str, &str)]) -> io::Result<()> {
    writeln!(out, ".SH \"{title}\"")?;
    for (term, text) in items {
        writeln!(out, ".TP\n\\fB{}\\fR\n{}", roff_text(term), roff_text(text))?;
    }
    Ok(())
}

/// The `leverage credentials configure` command as clap built it (with its
/// full name, `leverage-credentials-configure`, for the man page).
fn configure_command() -> clap::Command {
    let mut cli = Cli::command();
    cli.build();
    cli.find_subcommand("credentials")
        .and_then(|c| c.find_subcommand("configure"))
        .cloned()
        .unwrap_or(cli)
}

/// The manual page of `leverage credentials configure`, generated from the
/// same clap definitions as `--help`, with the examples kept as written.
pub fn man_page(out: &mut dyn Write) -> io::Result<()> {
    let man = clap_mangen::Man::new(configure_command())
        .source(format!("leverage {}", env!("CARGO_PKG_VERSION")))
        .manual("Leverage CLI");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    writeln!(out, ".SH EXAMPLES\n.nf")?;
    for line in EXAMPLES.lines().skip(1) {
        writeln!(out, "{}", roff_text(line))?;
    }
    writeln!(out, ".fi")?;
    roff_list(out, "ENVIRONMENT", ENVIRONMENT)?;
    roff_list(out, "FILES", FILES)?;
    roff_list(out, "EXIT STATUS", EXIT_STATUS)?;
    man.render_version_section(out)?;
    writeln!(
        out,
        ".SH \"SEE ALSO\"\n\\fBaws\\fR(1), \\fBleverage\\-completions\\fR(1)"
    )
}

/// Every page into `dir`: clap_mangen's for each command, and ours for
/// `leverage credentials configure`.
pub fn write_man_pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)?;
    let configure = dir.join("leverage-credentials-configure.1");
    let mut page = Vec::new();
    man_page(&mut page)?;
    std::fs::write(&configure, page)?;
    let mut written: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "1"))
        .collect();
    written.sort();
    Ok(written)
}

/// `-v` / `-q`, the same for every command.
#[derive(Args, Debug, Clone, Copy)]
pub struct VerbosityArgs {
    /// Show more details, such as each AWS call.
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Show only errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The credentials types, case-insensitive on the command line.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
#[value(rename_all = "UPPER")]
pub enum CredentialsTypeArg {
    Bootstrap,
    Management,
    Security,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Progress and a summary for people, on standard error.
    #[default]
    Text,
    /// One JSON document on standard output (progress stays on standard error).
    Json,
}

#[derive(Args, Debug)]
pub struct ConfigureArgs {
    /// Type of the credentials to set.
    #[arg(long = "type", value_name = "TYPE", ignore_case = true)]
    pub credentials_type: CredentialsTypeArg,

    /// Access keys CSV as downloaded from the AWS console (`-` reads standard input).
    #[arg(long, value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,

    /// Look up the user's MFA device and put its serial on every account profile.
    #[arg(long)]
    pub fetch_mfa_device: bool,

    /// Replace keys already configured for this type (backups are made).
    #[arg(long, conflicts_with = "skip_access_keys_setup")]
    pub overwrite_existing_credentials: bool,

    /// Leave the keys alone and go on to the account profiles.
    #[arg(long)]
    pub skip_access_keys_setup: bool,

    /// Configure the keys only, no account profiles.
    #[arg(long)]
    pub skip_assumable_roles_setup: bool,

    /// Print the changes as diffs (secrets masked) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Never prompt: a missing answer is an error naming the flag or variable that supplies it.
    #[arg(long)]
    pub non_interactive: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub output: OutputFormat,

    /// Role the account profiles assume, instead of OrganizationAccountAccessRole / DevOps.
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,

    /// A profile for every account of the organization, not only the declared ones.
    #[arg(long)]
    pub all_accounts: bool,

    /// Which MFA device to use when the user has several (an ARN).
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,

    /// Remove the account profiles this tool wrote whose account is in neither the organization
    /// nor the project (a run that reads the organization lists them as warnings).
    #[arg(long)]
    pub prune: bool,

    /// Use keys whose account is not the one the type belongs to (the management account for
    /// BOOTSTRAP and MANAGEMENT, the security account for SECURITY) without asking.
    #[arg(long)]
    pub skip_account_check: bool,

    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}
