//! The `files` import: read-only access to the file system.

use std::io::{ErrorKind, Read};

use crate::engine::leverage::credentials::files::Host;
use crate::engine::FilesError;

#[derive(Default)]
pub struct FileReader {
    stdin: Option<String>,
}

pub fn read_text(path: &str) -> Result<Option<String>, FilesError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Err(FilesError::IsDirectory),
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(e)),
    }
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| FilesError::NotText),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(e)),
    }
}

fn io_error(e: std::io::Error) -> FilesError {
    match e.kind() {
        ErrorKind::PermissionDenied => FilesError::PermissionDenied,
        ErrorKind::IsADirectory => FilesError::IsDirectory,
        ErrorKind::InvalidData => FilesError::NotText,
        _ => FilesError::Other(e.to_string()),
    }
}

impl Host for FileReader {
    fn read(&mut self, path: String) -> Result<Option<String>, FilesError> {
        read_text(&path)
    }

    fn read_stdin(&mut self) -> Result<String, FilesError> {
        if let Some(text) = &self.stdin {
            return Ok(text.clone());
        }
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(io_error)?;
        let text = String::from_utf8(bytes).map_err(|_| FilesError::NotText)?;
        self.stdin = Some(text.clone());
        Ok(text)
    }
}
