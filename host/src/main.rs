//! `leverage`: configure AWS CLI credentials for a binbash Leverage project.
//!
//! `main` parses, `run` does the work and returns the exit code: 0 done,
//! 1 error, 2 usage, 130 cancelled. Every error is shown in one style:
//! `Error: …`, then `Caused by:` lines, then a `Hint:` where one helps.

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};
use leverage_cli::cli::{Cli, Command, CredentialsCommand};
use leverage_cli::render::Failure;
use leverage_cli::run::HomeError;

fn main() -> ExitCode {
    no_core_dumps();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => failure_of(&error).print(),
    }
}

/// The process holds secrets in memory: a crash must not write them into a
/// core file (in the current directory, often the project), and other
/// processes of the same user may not attach to read them, as ssh-agent and
/// gpg-agent do. Best effort: where a call is refused the run goes on.
fn no_core_dumps() {
    use rustix::process::{setrlimit, Resource, Rlimit};
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    );
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Credentials {
            command: CredentialsCommand::Configure(args),
        } => leverage_cli::run::configure(args),
        Command::Credentials {
            command: CredentialsCommand::Rotate(args),
        } => leverage_cli::rotate::rotate(args),
        Command::Credentials {
            command: CredentialsCommand::Restore(args),
        } => leverage_cli::restore::restore(args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "leverage", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Component { write: None } => {
            println!("{}", leverage_cli::component::wit_package());
            Ok(ExitCode::SUCCESS)
        }
        Command::Component { write: Some(path) } => {
            leverage_cli::component::write(&path)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out_dir: None } => {
            leverage_cli::cli::man_page(&mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out_dir: Some(dir) } => {
            for page in leverage_cli::cli::write_man_pages(&dir)? {
                println!("{}", page.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// An error from outside the core (the file system, the lock, the apply).
fn failure_of(error: &anyhow::Error) -> Failure {
    let mut failure = Failure::new(error.to_string());
    failure.causes = error.chain().skip(1).map(|cause| cause.to_string()).collect();
    if error.chain().any(|e| e.is::<HomeError>()) {
        failure = failure.hint(HomeError::HINT);
    }
    failure
}

/// clap's errors in our style: `Error:` first, clap's usage line, and its
/// suggestions as `Hint:` lines, read from the error's typed context. Help and
/// version go out as clap prints them.
fn usage_error(error: &clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(error.exit_code().clamp(0, 255) as u8);
    }
    let mut failure = Failure {
        exit_code: error.exit_code().clamp(1, 255) as u8,
        ..Failure::new(usage_message(error))
    };
    if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
        let usage = usage.to_string();
        let usage = usage.trim();
        failure.usage = Some(usage.strip_prefix("Usage:").unwrap_or(usage).trim().to_string());
    }
    failure.hint = Some(usage_hints(error).join("; "));
    failure.print()
}

/// The message of a usage error: the first paragraph clap writes, without
/// its `error: ` label; a list after a colon (e.g. the required arguments
/// missing) joins the line it completes.
fn usage_message(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let paragraph = rendered.trim().split("\n\n").next().unwrap_or_default();
    let mut lines = paragraph.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    if first.ends_with(':') {
        format!("{first} {}", lines.collect::<Vec<_>>().join(", "))
    } else {
        first.to_string()
    }
}

/// The hints of a usage error, from clap's context: the valid values, the
/// similar names and tips clap suggests, and where the full help is.
fn usage_hints(error: &clap::Error) -> Vec<String> {
    let mut hints = Vec::new();
    if let Some(ContextValue::Strings(values)) = error.get(ContextKind::ValidValue) {
        hints.push(format!("possible values: {}", values.join(", ")));
    }
    for (kind, what) in [
        (ContextKind::SuggestedSubcommand, "subcommand"),
        (ContextKind::SuggestedArg, "argument"),
        (ContextKind::SuggestedValue, "value"),
    ] {
        let similar: Vec<String> = match error.get(kind) {
            Some(ContextValue::String(one)) => vec![one.clone()],
            Some(ContextValue::Strings(several)) => several.clone(),
            _ => continue,
        };
        let quoted: Vec<String> = similar.iter().map(|s| format!("'{s}'")).collect();
        hints.push(match quoted.as_slice() {
            [one] => format!("a similar {what} exists: {one}"),
            several => format!("some similar {what}s exist: {}", several.join(", ")),
        });
    }
    if let Some(ContextValue::StyledStrs(tips)) = error.get(ContextKind::Suggested) {
        hints.extend(tips.iter().map(|tip| tip.to_string()));
    }
    // Every command of this CLI has `--help`.
    hints.push(format!("see `{} --help`", command_named_by_argv()));
    hints
}

/// The (sub)command the command line names, e.g. `leverage credentials
/// configure`: the leading words of argv that are subcommands.
fn command_named_by_argv() -> String {
    let mut command = Cli::command();
    let mut words = vec!["leverage".to_string()];
    for arg in std::env::args().skip(1) {
        let Some(sub) = command.find_subcommand(&arg).cloned() else {
            break;
        };
        words.push(arg);
        command = sub;
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The HOME hint follows the error's type, wherever it is in the chain,
    /// and never a message that merely reads alike.
    #[test]
    fn the_home_hint_comes_from_the_home_error_not_from_its_wording() {
        let home = anyhow::Error::from(HomeError::NotSet).context("configuring");
        assert_eq!(failure_of(&home).hint.as_deref(), Some(HomeError::HINT));
        let alike = anyhow::anyhow!("HOME is not set: it is needed to find ~/.aws");
        assert_eq!(failure_of(&alike).hint, None);
    }

    /// clap's suggestions reach the hint from its typed context.
    #[test]
    fn usage_hints_name_the_valid_values_and_the_similar_flag() {
        let error = Cli::try_parse_from(["leverage", "credentials", "configure", "--type", "ADMIN"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidValue);
        let hints = usage_hints(&error);
        assert_eq!(hints[0], "possible values: BOOTSTRAP, MANAGEMENT, SECURITY");
        let error = Cli::try_parse_from([
            "leverage",
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--dry-ru",
        ])
        .unwrap_err();
        assert!(
            usage_hints(&error).contains(&"a similar argument exists: '--dry-run'".to_string()),
            "{:?}",
            usage_hints(&error)
        );
    }
}
