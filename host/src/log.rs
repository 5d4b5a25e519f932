//! The `log` import: progress lines on standard error.
//!
//! One short line per step (the core's `info` lines), `warning:` lines,
//! and with `--verbose` the `debug` lines (each AWS call, never a secret).
//! `--quiet` keeps only errors, which are not printed here. Colour only when
//! standard error is a terminal and `NO_COLOR` is unset or empty. While the
//! process waits on AWS, a terminal shows a spinner ([`Logger::waiting`]).

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::leverage::credentials::log::Host;
use crate::engine::Level;

/// How much to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// What the logger remembers between lines.
#[derive(Debug, Default)]
struct State {
    /// A prompt was just answered: a warning that follows at once is the
    /// core rejecting that answer before it asks again, shown as the prompt's validation message.
    after_prompt: bool,
    /// The spinner on screen, if any: lines are printed above it.
    spinner: Option<ProgressBar>,
    /// The terminal the last prompt was shown on, when standard error is
    /// not that terminal: a rejected answer is said where it was typed.
    prompt_tty: Option<std::fs::File>,
}

#[derive(Debug)]
struct Settings {
    verbosity: Verbosity,
    color: bool,
    terminal: bool,
    state: Mutex<State>,
}

/// Writes progress lines to standard error. Cheap to clone; shared by the
/// imports that report progress.
#[derive(Clone, Debug)]
pub struct Logger(Arc<Settings>);

/// Whether standard error gets colour: a terminal, and `NO_COLOR` unset or
/// empty (<https://no-color.org>).
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// ANSI styles, or nothing when colour is off.
#[derive(Clone, Copy, Debug)]
pub struct Paint(pub bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
    pub fn red(self, text: &str) -> String {
        self.wrap("1;31", text)
    }
    pub fn yellow(self, text: &str) -> String {
        self.wrap("1;33", text)
    }
    pub fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }
    pub fn cyan(self, text: &str) -> String {
        self.wrap("1;36", text)
    }
}

impl Logger {
    pub fn new(verbosity: Verbosity) -> Self {
        Logger(Arc::new(Settings {
            verbosity,
            color: stderr_color(),
            terminal: std::io::stderr().is_terminal(),
            state: Mutex::new(State::default()),
        }))
    }

    pub fn color(&self) -> bool {
        self.0.color
    }

    pub fn paint(&self) -> Paint {
        Paint(self.0.color)
    }

    pub fn verbosity(&self) -> Verbosity {
        self.0.verbosity
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while printing cannot leave the state inconsistent.
        self.0.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn line(&self, level: Level, message: &str) {
        let mut state = self.state();
        let rejection = std::mem::take(&mut state.after_prompt) && level == Level::Warn;
        let paint = self.paint();
        let mut text = if rejection {
            // Shown even with --quiet: the person is answering prompts.
            format!("  {} {message}", paint.red("✘"))
        } else {
            let shown = match level {
                Level::Debug => self.0.verbosity == Verbosity::Verbose,
                Level::Info | Level::Warn => self.0.verbosity != Verbosity::Quiet,
            };
            if !shown {
                return;
            }
            match level {
                Level::Warn => format!("{} {message}", paint.yellow("warning:")),
                Level::Debug => paint.dim(message),
                Level::Info => message.to_string(),
            }
        };
        // One write per line (standard error is unbuffered, and `writeln!`
        // would write the text and the line break apart): a line is never
        // split by another process's output, and a reader is woken once.
        text.push('\n');
        if rejection {
            if let Some(tty) = state.prompt_tty.as_mut() {
                let _ = tty.write_all(text.as_bytes());
                return;
            }
        }
        let print = || {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        };
        match &state.spinner {
            Some(spinner) => spinner.suspend(print),
            None => print(),
        }
    }

    pub fn info(&self, message: &str) {
        self.line(Level::Info, message);
    }

    pub fn warn(&self, message: &str) {
        self.line(Level::Warn, message);
    }

    pub fn debug(&self, message: &str) {
        self.line(Level::Debug, message);
    }

    /// Prompts are shown on `tty`, not on standard error (see [`State::prompt_tty`]).
    pub fn prompt_terminal(&self, tty: Option<std::fs::File>) {
        self.state().prompt_tty = tty;
    }

    /// The person just answered a prompt (see [`State::after_prompt`]).
    pub fn prompt_answered(&self) {
        self.state().after_prompt = true;
    }

    /// Show a spinner saying what we wait for until the guard is dropped.
    /// Only on a terminal and not with `--quiet`; elsewhere this does nothing,
    /// so logs and pipes get plain lines only.
    pub fn waiting(&self, what: &str) -> Waiting {
        let mut state = self.state();
        state.after_prompt = false;
        if !self.0.terminal || self.0.verbosity == Verbosity::Quiet || state.spinner.is_some() {
            return Waiting(None);
        }
        let template = if self.0.color {
            "{spinner:.cyan} {msg} {elapsed:.dim}"
        } else {
            "{spinner} {msg} {elapsed}"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ");
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style)
            .with_message(one_row(
                format!("Waiting for AWS ({what})"),
                crate::render::terminal_columns(),
            ));
        spinner.enable_steady_tick(Duration::from_millis(80));
        state.spinner = Some(spinner.clone());
        Waiting(Some((self.clone(), spinner)))
    }
}

impl Logger {
    /// Take the spinner off the screen now (the run is ending on a signal
    /// while it spins); later lines and drops of its guard draw nothing.
    pub fn clear_spinner(&self) {
        if let Some(spinner) = self.state().spinner.take() {
            spinner.finish_and_clear();
        }
    }
}

/// A spinner on screen; dropping it clears the line.
#[must_use = "the spinner stops when this is dropped"]
pub struct Waiting(Option<(Logger, ProgressBar)>);

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some((logger, spinner)) = self.0.take() {
            spinner.finish_and_clear();
            logger.state().spinner = None;
        }
    }
}

/// The import itself.
pub struct LogImport(pub Logger);

impl Host for LogImport {
    fn line(&mut self, level: Level, message: String) {
        self.0.line(level, &message);
    }
}

/// Columns of the spinner's line besides its message: the spinner, two
/// spaces, the elapsed time (up to four: `59s`, `10m`) and one to spare.
const SPINNER_FRAME: usize = 8;

/// `message` cut (ending in `…`) so that the spinner's line fits on one row
/// of a terminal `columns` wide. A line that wrapped would be cleared only
/// in part once something else moved the cursor, such as the `^C` the
/// terminal echoes on Ctrl-C, leaving a stale spinner row on the screen.
fn one_row(message: String, columns: Option<usize>) -> String {
    let Some(columns) = columns else {
        return message;
    };
    let room = columns.saturating_sub(SPINNER_FRAME).max(1);
    if message.chars().count() <= room {
        return message;
    }
    let mut cut: String = message.chars().take(room - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spinner_message_is_cut_to_one_row() {
        let message = "Waiting for AWS (sts:GetCallerIdentity, organizations:ListAccounts)".to_string();
        assert_eq!(one_row(message.clone(), None), message);
        assert_eq!(one_row(message.clone(), Some(200)), message);
        let cut = one_row(message.clone(), Some(40));
        assert_eq!(cut.chars().count(), 40 - SPINNER_FRAME);
        assert!(
            cut.ends_with('…') && message.starts_with(cut.trim_end_matches('…')),
            "{cut}"
        );
        assert_eq!(one_row(message, Some(3)), "…");
    }
}
