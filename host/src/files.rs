//! The `files` import: read-only access to the file system.
//!
//! Every read is bounded: only regular files are read (a named pipe would
//! block forever, a device such as `/dev/zero` never ends), and no input may
//! be larger than [`MAX_INPUT_BYTES`], far more than any real project file,
//! AWS file or access-keys CSV holds.

use std::fs::File;
use std::io::{ErrorKind, Read};

use std::os::unix::fs::FileTypeExt;

use rustix::fs::{Mode, OFlags};

use crate::engine::leverage::credentials::files::Host;
use crate::engine::FilesError;

/// The most any input (a file or standard input) may hold: 16 MiB. An AWS
/// config file with a profile for each of 10,000 accounts is about 2 MiB.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// The limit as people read it.
const MAX_INPUT_SHOWN: &str = "16 MiB";

#[derive(Default)]
pub struct FileReader {
    stdin: Option<String>,
}

/// What a path holds when it is not a regular file, as people say it.
fn kind_name(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_fifo() {
        "a named pipe (FIFO)"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_dir() {
        "a directory"
    } else {
        "something other than a file"
    }
}

/// Why `path`, which exists, may not be read or written as a file: it is
/// not a regular file (after following links). `None` for a regular file.
pub fn not_a_regular_file(meta: &std::fs::Metadata) -> Option<String> {
    if meta.is_file() {
        return None;
    }
    Some(format!("it is {}, not a regular file", kind_name(meta.file_type())))
}

fn too_large() -> FilesError {
    FilesError::Other(format!(
        "it is larger than {MAX_INPUT_SHOWN}, the limit for any file this tool reads"
    ))
}

/// The content of the regular file at `path` (links followed), `None` when
/// nothing is there. Anything else there (a directory, a FIFO, a device, a
/// socket) is refused before it is opened, and again after (it may have been
/// swapped meanwhile): the open never blocks, since it is non-blocking.
pub fn read_text(path: &str) -> Result<Option<String>, FilesError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Err(FilesError::IsDirectory),
        Ok(meta) => {
            if let Some(why) = not_a_regular_file(&meta) {
                return Err(FilesError::Other(why));
            }
            if meta.len() > MAX_INPUT_BYTES {
                return Err(too_large());
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(e)),
    }
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let file = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => File::from(fd),
        Err(e) if std::io::Error::from(e).kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(e.into())),
    };
    let meta = file.metadata().map_err(io_error)?;
    if meta.is_dir() {
        return Err(FilesError::IsDirectory);
    }
    if let Some(why) = not_a_regular_file(&meta) {
        return Err(FilesError::Other(why));
    }
    let bytes = read_bounded(file).map_err(io_error)?.ok_or_else(too_large)?;
    String::from_utf8(bytes).map(Some).map_err(|_| FilesError::NotText)
}

/// All of `source`, or `None` when it holds more than [`MAX_INPUT_BYTES`]
/// (reading stops just past the limit).
fn read_bounded(source: impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    source.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_INPUT_BYTES).then_some(bytes))
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
        let bytes = read_bounded(std::io::stdin().lock())
            .map_err(io_error)?
            .ok_or_else(|| {
                FilesError::Other(format!(
                    "more than {MAX_INPUT_SHOWN} arrived, the limit for standard input (an access-keys CSV is a \
                     few hundred bytes)"
                ))
            })?;
        let text = String::from_utf8(bytes).map_err(|_| FilesError::NotText)?;
        self.stdin = Some(text.clone());
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_just_past_the_limit() {
        let endless = std::io::repeat(b'y');
        assert_eq!(read_bounded(endless).unwrap(), None);
        let exact = std::io::repeat(b'y').take(MAX_INPUT_BYTES);
        assert_eq!(
            read_bounded(exact).unwrap().map(|b| b.len() as u64),
            Some(MAX_INPUT_BYTES)
        );
    }
}
