//! The `prompt` import: questions on the terminal.

use std::io::IsTerminal;

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Input, Password, Select};

use crate::engine::leverage::credentials::prompt::Host;
use crate::engine::PromptError;

pub struct Terminal {
    /// `--non-interactive`: never ask.
    pub non_interactive: bool,
}

impl Terminal {
    fn check(&self, question: &str) -> Result<(), PromptError> {
        if self.non_interactive {
            return Err(PromptError::Unavailable(format!("`{question}` must be asked, and --non-interactive forbids asking")));
        }
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Err(PromptError::Unavailable(format!(
                "`{question}` must be asked, but there is no terminal; run with --non-interactive and supply the answer with a flag (see --help)"
            )));
        }
        Ok(())
    }
}

fn outcome<T>(result: dialoguer::Result<T>) -> Result<T, PromptError> {
    // dialoguer reports Ctrl-C and end of input as I/O errors.
    result.map_err(|_| PromptError::Cancelled)
}

impl Host for Terminal {
    fn text(&mut self, question: String, default: Option<String>) -> Result<String, PromptError> {
        self.check(&question)?;
        let theme = ColorfulTheme::default();
        let mut input = Input::<String>::with_theme(&theme).with_prompt(question);
        if let Some(default) = default {
            input = input.default(default);
        }
        outcome(input.interact_text())
    }

    fn secret(&mut self, question: String) -> Result<String, PromptError> {
        self.check(&question)?;
        outcome(Password::with_theme(&ColorfulTheme::default()).with_prompt(question).interact())
    }

    fn select(&mut self, question: String, choices: Vec<String>, default: u32) -> Result<u32, PromptError> {
        self.check(&question)?;
        let chosen = outcome(
            Select::with_theme(&ColorfulTheme::default())
                .with_prompt(question)
                .items(&choices)
                .default(default as usize)
                .interact_opt(),
        )?;
        chosen.map(|i| i as u32).ok_or(PromptError::Cancelled)
    }
}
