//! The run's shared infrastructure: the context every step works through
//! (the host and the request), the INI files the run may rewrite, and the
//! constructors of the errors a run returns.

use crate::host::*;
use crate::ini::IniDocument;
use crate::model::{AccessKeys, InputError, Secret};

/// The run's context: the host and the request.
pub struct Ctx<'a> {
    pub host: &'a mut dyn Host,
    pub request: &'a ConfigureRequest,
}

impl Ctx<'_> {
    pub fn log(&mut self, level: Level, message: &str) {
        self.host.log(level, &printable(message));
    }

    /// Read a file; a file that cannot be read is invalid input naming it.
    pub fn read(&mut self, path: &str) -> Result<Option<String>, ConfigureError> {
        self.host.read_file(path).map_err(|e| file_error(path, e))
    }

    /// Ask for a line of text until `check` accepts it. Non-interactive runs
    /// fail naming `needed`, which says what supplies the answer.
    pub fn ask_validated(
        &mut self,
        question: &Question,
        default: Option<&str>,
        needed: &str,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> Result<String, ConfigureError> {
        if self.request.non_interactive {
            return Err(ConfigureError::AnswerNeeded(format!(
                "{needed} is needed and --non-interactive forbids asking"
            )));
        }
        loop {
            let answer = self.host.prompt_text(question, default).map_err(prompt_error)?;
            let mut answer = answer.trim().to_string();
            // The WIT contract says hosts give the default for an empty
            // answer; do not depend on every embedder getting that right.
            if answer.is_empty() {
                answer = default.unwrap_or_default().to_string();
            }
            match check(&answer) {
                Ok(()) => return Ok(answer),
                Err(why) => self.log(Level::Warn, &why),
            }
        }
    }

    pub fn select(&mut self, question: &Question, choices: &[&str], needed: &str) -> Result<u32, ConfigureError> {
        self.select_from(question, choices, 0, needed)
    }

    /// [`Ctx::select`] with the cursor starting on choice `default`.
    pub fn select_from(
        &mut self,
        question: &Question,
        choices: &[&str],
        default: u32,
        needed: &str,
    ) -> Result<u32, ConfigureError> {
        if self.request.non_interactive {
            return Err(ConfigureError::AnswerNeeded(needed.to_string()));
        }
        let owned: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
        let chosen = self
            .host
            .prompt_select(question, &owned, default)
            .map_err(prompt_error)?;
        if (chosen as usize) < choices.len() {
            Ok(chosen)
        } else {
            Err(ConfigureError::Host(format!(
                "the prompt answered choice {chosen} of {}",
                choices.len()
            )))
        }
    }
}

/// `text` with every control character escaped (`\n`, `\r`, `\u{1b}`...).
/// Messages quote names and values from files and from AWS replies: raw, a
/// line break would split the one-line error, and a `\r` or an escape
/// sequence would rewind or repaint the user's terminal.
pub fn printable(text: &str) -> String {
    if !text.contains(char::is_control) {
        return text.to_string();
    }
    text.chars().fold(String::with_capacity(text.len() + 8), |mut out, c| {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        out
    })
}

pub fn input_error(file: &str, e: InputError) -> ConfigureError {
    ConfigureError::InvalidInput(WitInputError {
        file: Some(file.to_string()),
        line: e.line,
        message: printable(&e.message),
    })
}

pub fn answer_error(message: impl Into<String>) -> ConfigureError {
    ConfigureError::InvalidInput(WitInputError {
        file: None,
        line: None,
        message: printable(&message.into()),
    })
}

pub fn file_error(path: &str, e: FilesError) -> ConfigureError {
    let message = match e {
        FilesError::IsDirectory => "is a directory, not a file".to_string(),
        FilesError::PermissionDenied => "cannot be read: permission denied".to_string(),
        FilesError::NotText => "is not UTF-8 text".to_string(),
        FilesError::Other(why) => format!("cannot be read: {}", printable(&why)),
    };
    ConfigureError::InvalidInput(WitInputError {
        file: Some(path.to_string()),
        line: None,
        message,
    })
}

pub fn prompt_error(e: PromptError) -> ConfigureError {
    match e {
        PromptError::Cancelled => ConfigureError::Cancelled,
        PromptError::Unavailable(why) => ConfigureError::AnswerNeeded(why),
    }
}

pub fn aws_failure(operation: &str, error: AwsError, message: String) -> ConfigureError {
    ConfigureError::Aws(AwsFailure {
        operation: operation.to_string(),
        error: AwsError {
            kind: error.kind,
            code: error.code.map(|c| printable(&c)),
            message: printable(&error.message),
        },
        message: printable(&message),
    })
}

/// Log a warning and keep it in the report.
pub fn warn(ctx: &mut Ctx<'_>, report: &mut Report, message: String) {
    let message = printable(&message);
    ctx.log(Level::Warn, &message);
    report.warnings.push(message);
}

impl WitInputError {
    /// The message as one line: `file:line: message`.
    pub fn message_with_file(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{f}:{l}: {}", self.message),
            (Some(f), None) => format!("{f}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// An INI file the run may rewrite.
pub struct IniFile {
    pub path: String,
    pub before: Option<String>,
    pub doc: IniDocument,
}

impl IniFile {
    pub fn load(ctx: &mut Ctx<'_>, path: String) -> Result<Self, ConfigureError> {
        let before = ctx.read(&path)?;
        let doc = IniDocument::parse(before.as_deref().unwrap_or("")).map_err(|e| input_error(&path, e))?;
        Ok(IniFile { path, before, doc })
    }

    pub fn keys(&self, section: &str) -> Option<AccessKeys> {
        let id = self.doc.get(section, "aws_access_key_id")?.trim();
        let secret = self.doc.get(section, "aws_secret_access_key")?.trim();
        (!id.is_empty() && !secret.is_empty()).then(|| AccessKeys {
            access_key_id: id.to_string(),
            secret_access_key: Secret::new(secret),
        })
    }

    pub fn set(&mut self, section: &str, key: &str, value: &str) -> Result<(), ConfigureError> {
        match self.doc.set(section, key, value) {
            Ok(_) => Ok(()),
            Err(e) => Err(input_error(&self.path, e)),
        }
    }
}
