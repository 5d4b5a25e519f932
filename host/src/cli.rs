//! The command line (clap). Flag names and meanings follow the original
//! `leverage credentials configure`; the rest are marked in their help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
pub enum CredentialsCommand {
    /// Set up the keys of a credentials type and one assumable-role profile per account.
    #[command(after_long_help = EXAMPLES)]
    Configure(ConfigureArgs),
}

const EXAMPLES: &str = "\
Examples:
  First bootstrap of a new organization (keys of the root account's first user):
    leverage credentials configure --type BOOTSTRAP --credentials-file ~/Downloads/bootstrap_accessKeys.csv

  A new engineer's management keys, with MFA on every account profile:
    leverage credentials configure --type MANAGEMENT --credentials-file keys.csv --fetch-mfa-device

  Security keys (after MANAGEMENT keys exist, which read the organization):
    leverage credentials configure --type SECURITY --credentials-file security.csv

  Key rotation (backups of the old files are kept):
    leverage credentials configure --type MANAGEMENT --credentials-file new.csv --overwrite-existing-credentials

  Adding MFA later, keeping the keys:
    leverage credentials configure --type MANAGEMENT --skip-access-keys-setup --fetch-mfa-device

  CI (no prompts; keys from the environment):
    LEVERAGE_AWS_ACCESS_KEY_ID=... LEVERAGE_AWS_SECRET_ACCESS_KEY=... \\
      leverage credentials configure --type MANAGEMENT --non-interactive --output json

  See what would change, without writing:
    leverage credentials configure --type MANAGEMENT --skip-access-keys-setup --dry-run";

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

    /// Print the changes as diffs (secrets masked) and write nothing. [better]
    #[arg(long)]
    pub dry_run: bool,

    /// Never prompt: a missing answer is an error naming the flag or variable that supplies it. [better]
    #[arg(long)]
    pub non_interactive: bool,

    /// Output format. [better]
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub output: OutputFormat,

    /// Role the account profiles assume, instead of OrganizationAccountAccessRole / DevOps. [better]
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,

    /// A profile for every account of the organization, not only the declared ones. [better]
    #[arg(long)]
    pub all_accounts: bool,

    /// Which MFA device to use when the user has several (an ARN). [better]
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,

    /// Show each AWS call and other details.
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Show only errors.
    #[arg(short, long)]
    pub quiet: bool,
}
