//! `leverage`: configure AWS CLI credentials for a binbash Leverage project.
//!
//! `main` parses, `run` does the work and returns the exit code: 0 done,
//! 1 error, 2 usage, 130 cancelled. Every error is shown in one style:
//! `Error: …`, then `Caused by:` lines, then a `Hint:` where one helps.

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use leverage_cli::cli::{Cli, Command, CredentialsCommand};
use leverage_cli::render::Failure;

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
    if error
        .chain()
        .any(|e| e.to_string().contains("it is needed to find ~/.aws"))
    {
        failure = failure.hint("set HOME to your home directory; the AWS files live under $HOME/.aws");
    }
    failure
}

/// clap's errors in our style: `Error:` first, clap's usage line, and its
/// tips as `Hint:` lines. Help and version go out as clap prints them.
fn usage_error(error: &clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(error.exit_code().clamp(0, 255) as u8);
    }
    let rendered = error.render().to_string();
    let mut failure = Failure {
        exit_code: error.exit_code().clamp(1, 255) as u8,
        ..Failure::new("")
    };
    let mut hints = Vec::new();
    let mut listed = Vec::new();
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(message) = line.strip_prefix("error: ") {
            failure.message = message.to_string();
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            hints.push(tip.to_string());
        } else if line.starts_with("For more information") {
            hints.push(format!("see `{} --help`", command_named_by_argv()));
        } else if let Some(values) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            hints.push(values.to_string());
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            failure.usage = Some(usage.to_string());
        } else if failure.message.ends_with(':') && failure.usage.is_none() {
            // A list after the message, e.g. the required arguments missing.
            listed.push(line.to_string());
        } else {
            failure.causes.push(line.to_string());
        }
    }
    if !listed.is_empty() {
        failure.message = format!("{} {}", failure.message, listed.join(", "));
    }
    if failure.message.is_empty() {
        failure.message = rendered.trim().to_string();
    }
    if !hints.is_empty() {
        failure.hint = Some(hints.join("; "));
    }
    failure.print()
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
