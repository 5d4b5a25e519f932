//! The `prompt` import: questions at the terminal, with inquire.
//!
//! - text with a default (shown in parentheses; Enter takes it);
//! - the secret masked: the typed characters never reach the screen;
//! - select lists with the arrow keys (or j/k) and one-key shortcuts: the
//!   first letter of a choice when no other choice starts with it, e.g. `s`
//!   skip / `o` overwrite as in the original; the key narrows the list to that
//!   choice and Enter takes it. Other typing filters the list.
//!
//! Esc, Ctrl-C and Ctrl-D cancel. inquire reads keys in raw mode (so Ctrl-C
//! is a key, not a signal that would kill the process mid-prompt) and puts
//! the terminal back as it was, echo and cursor included, on every way out.
//!
//! When the core rejects an answer it logs a warning and asks again; the
//! logger shows that warning as the prompt's validation message (see
//! [`Logger::prompt_answered`]).

use std::fmt;
use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::os::fd::{AsFd, OwnedFd};

use inquire::error::InquireError;
use inquire::list_option::ListOption;
use inquire::ui::{Color, RenderConfig, StyleSheet, Styled};
use inquire::{Password, PasswordDisplayMode, Select, Text};

use crate::engine::leverage::credentials::prompt::{Host, Question};
use crate::engine::PromptError;
use crate::log::Logger;

pub struct Terminal {
    /// `--non-interactive`: never ask.
    non_interactive: bool,
    logger: Logger,
}

/// Where a prompt is shown: standard error when it is the terminal, else
/// the controlling terminal (`/dev/tty`), as git and gh ask, so that
/// `leverage ... 2>&1 | tee log` still asks. While the guard lives, standard
/// error is the terminal (the prompt library draws on standard error, and
/// reads keys from the terminal itself); dropping it puts standard error back.
struct OnTerminal {
    saved_stderr: Option<OwnedFd>,
}

impl OnTerminal {
    /// `None`: there is no terminal to ask on.
    fn open(logger: &Logger) -> Option<OnTerminal> {
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            return Some(OnTerminal { saved_stderr: None });
        }
        let tty = OpenOptions::new().read(true).write(true).open("/dev/tty").ok()?;
        let saved = std::io::stderr().as_fd().try_clone_to_owned().ok()?;
        rustix::stdio::dup2_stderr(&tty).ok()?;
        logger.prompt_terminal(tty.try_clone().ok());
        Some(OnTerminal {
            saved_stderr: Some(saved),
        })
    }
}

impl Drop for OnTerminal {
    fn drop(&mut self) {
        if let Some(saved) = self.saved_stderr.take() {
            let _ = rustix::stdio::dup2_stderr(&saved);
        }
    }
}

impl Terminal {
    pub fn new(non_interactive: bool, logger: Logger) -> Self {
        Terminal {
            non_interactive,
            logger,
        }
    }

    /// The terminal to ask `question` on, or why there is none: the error
    /// names what the core says answers the question without a prompt.
    fn check(&self, question: &Question) -> Result<OnTerminal, PromptError> {
        let Question { text, answered_by } = question;
        if self.non_interactive {
            return Err(PromptError::Unavailable(format!(
                "`{text}` needs an answer and --non-interactive forbids asking; give it with {answered_by}"
            )));
        }
        OnTerminal::open(&self.logger).ok_or_else(|| {
            PromptError::Unavailable(format!(
                "cannot ask `{text}`: there is no terminal to ask on; run with --non-interactive \
                 and give the answer with {answered_by}"
            ))
        })
    }

    fn render_config(&self) -> RenderConfig<'static> {
        let config = if self.logger.color() {
            RenderConfig::default_colored()
                .with_canceled_prompt_indicator(Styled::new("cancelled").with_fg(Color::DarkRed))
                .with_help_message(StyleSheet::new().with_fg(Color::DarkGrey))
        } else {
            RenderConfig::empty().with_canceled_prompt_indicator(Styled::new("cancelled"))
        };
        config
            .with_prompt_prefix(Styled::new("?"))
            .with_answered_prompt_prefix(Styled::new(">"))
    }

    fn answered<T>(&self, result: Result<T, InquireError>) -> Result<T, PromptError> {
        let answer = outcome(result)?;
        self.logger.prompt_answered();
        Ok(answer)
    }

    /// Make room for a prompt of `rows` rows below the cursor and remember
    /// where it starts. The room means the prompt never scrolls the screen,
    /// so the remembered place stays where the prompt starts.
    fn reserve(&self, rows: usize) {
        let mut out = std::io::stderr().lock();
        let _ = write!(out, "{}\x1b[{rows}A\x1b7", "\n".repeat(rows));
        let _ = out.flush();
    }

    /// Esc and Ctrl-D let the prompt library redraw the prompt as cancelled;
    /// Ctrl-C stops it where it is, leaving the menu drawn. Clear from where
    /// the prompt started and draw the same cancelled line instead, so the
    /// three ways out look alike.
    fn ended<T>(&self, question: &str, result: Result<T, InquireError>) -> Result<T, PromptError> {
        if matches!(result, Err(InquireError::OperationInterrupted)) {
            let cancelled = if self.logger.color() {
                "\x1b[31mcancelled\x1b[0m"
            } else {
                "cancelled"
            };
            let mut out = std::io::stderr().lock();
            let _ = write!(out, "\x1b8\r\x1b[J? {question} {cancelled}\n");
            let _ = out.flush();
        }
        self.answered(result)
    }
}

/// Rows a prompt takes on a terminal `columns` wide: each line of `lines`
/// wrapped, and two spare rows for a long answer that wraps.
fn rows_for(lines: &[&str], columns: usize) -> usize {
    let columns = columns.max(1);
    let wrapped: usize = lines
        .iter()
        .map(|line| line.chars().count().div_ceil(columns).max(1))
        .sum();
    wrapped + 2
}

/// The terminal's width (standard error is the terminal while a prompt runs).
fn columns() -> usize {
    crate::render::terminal_columns().unwrap_or(80)
}

/// Choices shown at once in a select list.
const PAGE_SIZE: usize = 7;

/// Cancelling (Esc, Ctrl-C, Ctrl-D) and a terminal that went away both end
/// the run with nothing written.
fn outcome<T>(result: Result<T, InquireError>) -> Result<T, PromptError> {
    result.map_err(|error| match error {
        InquireError::NotTTY => PromptError::Unavailable("the terminal cannot be used for questions".into()),
        _ => PromptError::Cancelled,
    })
}

/// One choice of a select list and its shortcut key.
struct Choice {
    text: String,
    key: Option<char>,
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key {
            Some(key) => write!(f, "[{key}] {}", self.text),
            None => f.write_str(&self.text),
        }
    }
}

/// The shortcut of each choice: its first letter or digit, lower-cased,
/// when no other choice starts with the same one.
fn shortcuts(choices: &[String]) -> Vec<Option<char>> {
    let first = |c: &String| {
        c.chars()
            .find(|ch| ch.is_alphanumeric())
            .map(|ch| ch.to_ascii_lowercase())
    };
    let firsts: Vec<Option<char>> = choices.iter().map(first).collect();
    firsts
        .iter()
        .map(|&k| k.filter(|k| firsts.iter().filter(|o| **o == Some(*k)).count() == 1))
        .collect()
}

/// Which choices the typed text keeps: a shortcut key keeps its choice,
/// anything else keeps the choices that contain it.
fn keeps(input: &str, choice: &Choice, any_shortcut: impl Fn(char) -> bool) -> bool {
    let input = input.trim().to_lowercase();
    let mut chars = input.chars();
    match (chars.next(), chars.next()) {
        (None, _) => true,
        (Some(key), None) if any_shortcut(key) => choice.key == Some(key),
        _ => choice.text.to_lowercase().contains(&input),
    }
}

impl Host for Terminal {
    fn text(&mut self, question: Question, default: Option<String>) -> Result<String, PromptError> {
        let _terminal = self.check(&question)?;
        let question = question.text;
        let mut prompt = Text::new(&question).with_render_config(self.render_config());
        if let Some(default) = default.as_deref() {
            prompt = prompt.with_default(default);
        }
        let shown = format!("? {question} ({})", default.as_deref().unwrap_or(""));
        self.reserve(rows_for(&[&shown], columns()));
        let result = prompt.prompt();
        self.ended(&question, result)
    }

    fn secret(&mut self, question: Question) -> Result<String, PromptError> {
        let _terminal = self.check(&question)?;
        let question = question.text;
        let prompt = Password::new(&question)
            .with_render_config(self.render_config())
            .with_display_mode(PasswordDisplayMode::Masked)
            .without_confirmation()
            .with_help_message("hidden as you type; paste it and press enter")
            .with_formatter(&|_| "(hidden)".to_string());
        self.reserve(rows_for(
            &[
                &format!("? {question} "),
                "[hidden as you type; paste it and press enter]",
            ],
            columns(),
        ));
        let result = prompt.prompt();
        self.ended(&question, result)
    }

    fn select(&mut self, question: Question, choices: Vec<String>, default: u32) -> Result<u32, PromptError> {
        let _terminal = self.check(&question)?;
        let question = question.text;
        if choices.is_empty() {
            return Err(PromptError::Unavailable(format!("`{question}` has no choices")));
        }
        let keys = shortcuts(&choices);
        let listed: Vec<String> = keys.iter().flatten().map(char::to_string).collect();
        let help = if listed.is_empty() {
            "↑↓ to move, type to filter, enter to choose, esc to cancel".to_string()
        } else {
            format!(
                "↑↓ to move, {} to pick, enter to choose, esc to cancel",
                listed.join("/")
            )
        };
        let options: Vec<Choice> = choices
            .into_iter()
            .zip(keys.iter().copied())
            .map(|(text, key)| Choice { text, key })
            .collect();
        let options_shown: Vec<String> = options.iter().map(Choice::to_string).collect();
        let start = (default as usize).min(options.len() - 1);
        let is_shortcut = |key: char| keys.contains(&Some(key));
        let scorer =
            |input: &str, choice: &Choice, _shown: &str, _index: usize| keeps(input, choice, is_shortcut).then_some(0);
        let prompt = Select::new(&question, options)
            .with_render_config(self.render_config())
            .with_page_size(PAGE_SIZE)
            .with_starting_cursor(start)
            .with_vim_mode(false)
            .with_help_message(&help)
            .with_scorer(&scorer)
            .with_formatter(&|chosen: ListOption<&Choice>| chosen.value.text.clone());
        let mut lines: Vec<String> = vec![format!("? {question} ")];
        lines.extend(options_shown.iter().take(PAGE_SIZE).map(|o| format!("> {o}")));
        lines.push(format!("[{help}]"));
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.reserve(rows_for(&lines, columns()));
        let result = prompt.raw_prompt();
        let chosen = self.ended(&question, result)?;
        Ok(chosen.index as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(text: &str, key: Option<char>) -> Choice {
        Choice { text: text.into(), key }
    }

    #[test]
    fn shortcuts_are_unique_first_letters() {
        let overwrite = [
            "Skip credentials configuration.".to_string(),
            "Overwrite current credentials.".to_string(),
        ];
        assert_eq!(shortcuts(&overwrite), [Some('s'), Some('o')]);
        let means = ["Path to an access keys file".to_string(), "Manually".to_string()];
        assert_eq!(shortcuts(&means), [Some('p'), Some('m')]);
        let devices = [
            "arn:aws:iam::1:mfa/a".to_string(),
            "arn:aws:iam::1:mfa/b".to_string(),
            "Other".to_string(),
        ];
        assert_eq!(shortcuts(&devices), [None, None, Some('o')]);
    }

    #[test]
    fn a_shortcut_keeps_only_its_choice_and_other_text_filters() {
        let skip = choice("Skip credentials configuration.", Some('s'));
        let overwrite = choice("Overwrite current credentials.", Some('o'));
        let is_key = |k: char| k == 's' || k == 'o';
        assert!(keeps("s", &skip, is_key) && !keeps("s", &overwrite, is_key));
        assert!(keeps("O", &overwrite, is_key) && !keeps("o", &skip, is_key));
        assert!(keeps("", &skip, is_key) && keeps("", &overwrite, is_key));
        // Not a shortcut: a plain filter on the text.
        assert!(keeps("cred", &skip, is_key) && keeps("cred", &overwrite, is_key));
        assert!(keeps("e", &skip, is_key) && keeps("e", &overwrite, is_key));
    }
}
