//! `leverage`: configure AWS CLI credentials for a binbash Leverage project.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use leverage_cli::cli::{Cli, Command, CredentialsCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("Error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("Caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Credentials { command: CredentialsCommand::Configure(args) } => leverage_cli::run::configure(args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "leverage", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}
