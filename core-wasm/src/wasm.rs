//! The component build: adapts the generated imports to [`Host`] and
//! exports `configure`, `rotate` and `finish-rotation`.

use crate::bindings::leverage::credentials::{aws, files, log, prompt};
use crate::host::*;

struct Imports;

impl Host for Imports {
    fn call_all(&mut self, calls: &[Call]) -> Vec<Result<Reply, AwsError>> {
        aws::call_all(calls)
    }
    fn wait(&mut self, milliseconds: u32) {
        aws::wait(milliseconds)
    }
    fn read_file(&mut self, path: &str) -> Result<Option<String>, FilesError> {
        files::read(path)
    }
    fn read_stdin(&mut self) -> Result<String, FilesError> {
        files::read_stdin()
    }
    fn prompt_text(&mut self, question: &Question, default: Option<&str>) -> Result<String, PromptError> {
        prompt::text(question, default)
    }
    fn prompt_secret(&mut self, question: &Question) -> Result<String, PromptError> {
        prompt::secret(question)
    }
    fn prompt_select(&mut self, question: &Question, choices: &[String], default: u32) -> Result<u32, PromptError> {
        prompt::select(question, choices, default)
    }
    fn log(&mut self, level: Level, message: &str) {
        log::line(level, message)
    }
}

struct Component;

impl crate::bindings::Guest for Component {
    fn configure(request: ConfigureRequest) -> Result<Plan, ConfigureError> {
        // A panic would trap and lose its message: send it to the log first.
        // Panic messages never hold secrets: `Secret` redacts itself.
        std::panic::set_hook(Box::new(|info| {
            log::line(Level::Warn, &format!("internal error in the credentials core: {info}"));
        }));
        crate::flow::configure(&mut Imports, &request)
    }

    fn rotate(request: RotateRequest) -> Result<Rotation, ConfigureError> {
        std::panic::set_hook(Box::new(|info| {
            log::line(Level::Warn, &format!("internal error in the credentials core: {info}"));
        }));
        crate::rotate::rotate(&mut Imports, &request)
    }

    fn finish_rotation(state: RotationState, applied: Result<(), String>) -> RotateReport {
        std::panic::set_hook(Box::new(|info| {
            log::line(Level::Warn, &format!("internal error in the credentials core: {info}"));
        }));
        crate::rotate::finish_rotation(&mut Imports, &state, applied)
    }
}

crate::bindings::export!(Component with_types_in crate::bindings);
