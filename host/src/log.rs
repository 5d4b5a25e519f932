//! The `log` import: progress lines on standard error.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use crate::engine::leverage::credentials::log::Host;
use crate::engine::Level;

/// How much to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug)]
struct Settings {
    verbosity: Verbosity,
    color: bool,
}

/// Writes progress lines to standard error. Cheap to clone; shared by the
/// imports that report progress.
#[derive(Clone, Debug)]
pub struct Logger(Arc<Settings>);

impl Logger {
    pub fn new(verbosity: Verbosity) -> Self {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Logger(Arc::new(Settings { verbosity, color }))
    }

    pub fn color(&self) -> bool {
        self.0.color
    }

    pub fn line(&self, level: Level, message: &str) {
        let shown = match level {
            Level::Debug => self.0.verbosity == Verbosity::Verbose,
            Level::Info => self.0.verbosity != Verbosity::Quiet,
            Level::Warn => self.0.verbosity != Verbosity::Quiet,
        };
        if !shown {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = match (level, self.0.color) {
            (Level::Warn, true) => writeln!(err, "\x1b[33mwarning:\x1b[0m {message}"),
            (Level::Warn, false) => writeln!(err, "warning: {message}"),
            (Level::Debug, true) => writeln!(err, "\x1b[2m{message}\x1b[0m"),
            _ => writeln!(err, "{message}"),
        };
    }

    pub fn info(&self, message: &str) {
        self.line(Level::Info, message);
    }

    pub fn debug(&self, message: &str) {
        self.line(Level::Debug, message);
    }
}

/// The import itself.
pub struct LogImport(pub Logger);

impl Host for LogImport {
    fn line(&mut self, level: Level, message: String) {
        self.0.line(level, &message);
    }
}
