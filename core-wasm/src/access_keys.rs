//! Reading the access keys CSV that the AWS console downloads.
//!
//! Two layouts exist: the current per-key download
//! (`Access key ID,Secret access key`, UTF-8 with a byte order mark, CRLF) and
//! the older create-user download (`User name,Password,Access key ID,Secret
//! access key,Console login link`). Columns are found by name in the header
//! row (case-insensitive, surrounding spaces ignored), so any order and extra
//! columns are accepted. The first data row that is not blank holds the keys.
//!
//! No error message carries the secret, the password or the key id: they say
//! what is wrong with a value, never what the value is.

use crate::model::{AccessKeys, InputError, Secret};
use crate::validate;

const KEY_ID_COLUMN: &str = "Access key ID";
const SECRET_COLUMN: &str = "Secret access key";
const EXPECTED_HEADER: &str = "`Access key ID,Secret access key`";

/// Parses the CSV text and returns the first row's keys, validated against
/// The patterns access keys must match.
pub fn parse_csv(text: &str) -> Result<AccessKeys, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Rows::new(text);

    let Some((header_line, header)) = rows.next_non_blank()? else {
        return Err(InputError::new(format!(
            "the file is empty; expected the access keys CSV downloaded from the AWS console, \
             which starts with the header row {EXPECTED_HEADER}"
        )));
    };
    let key_id_index = find_column(&header, KEY_ID_COLUMN, header_line);
    let secret_index = find_column(&header, SECRET_COLUMN, header_line);
    let (key_id_index, secret_index) = match (key_id_index, secret_index) {
        (Ok(Some(k)), Ok(Some(s))) => (k, s),
        (Err(e), _) | (_, Err(e)) => return Err(e),
        (k, s) => {
            return Err(missing_columns(
                &header,
                header_line,
                k.ok().flatten(),
                s.ok().flatten(),
            ))
        }
    };

    let Some((line, row)) = rows.next_non_blank()? else {
        return Err(InputError::new(format!(
            "the file has a header row but no row with the keys under it \
             (expected a second row with the `{KEY_ID_COLUMN}` and `{SECRET_COLUMN}` values)"
        )));
    };
    if row.len() != header.len() {
        return Err(at(
            line,
            format!(
                "this row has {} field(s) but the header row has {}; a value that contains a comma \
                 must be in double quotes",
                row.len(),
                header.len()
            ),
        ));
    }
    let key_id = row.get(key_id_index).unwrap_or("").trim();
    let secret = row.get(secret_index).unwrap_or("").trim();

    let key_id_ok = validate::is_access_key_id(key_id);
    let secret_ok = validate::is_secret_access_key(secret);
    if !key_id_ok && !secret_ok && validate::is_access_key_id(secret) && validate::is_secret_access_key(key_id) {
        return Err(at(
            line,
            format!(
                "the `{KEY_ID_COLUMN}` and `{SECRET_COLUMN}` values are swapped: \
                 the header row does not match the columns"
            ),
        ));
    }
    if !key_id_ok {
        return Err(at(
            line,
            format!(
                "the access key id {}",
                describe(key_id, 20, "upper-case letters or digits", |c| {
                    c.is_ascii_uppercase() || c.is_ascii_digit()
                })
            ),
        ));
    }
    if !secret_ok {
        return Err(at(
            line,
            format!(
                "the secret access key {}",
                describe(secret, 40, "letters, digits, `/` or `+`", |c| {
                    c.is_ascii_alphanumeric() || c == '/' || c == '+'
                })
            ),
        ));
    }
    Ok(AccessKeys {
        access_key_id: key_id.to_string(),
        secret_access_key: Secret::new(secret),
    })
}

/// What is wrong with a value that fails its pattern, without the value.
fn describe(value: &str, length: usize, kinds: &str, allowed: impl Fn(char) -> bool) -> String {
    let count = value.chars().count();
    if count == 0 {
        "is empty".to_string()
    } else if count != length {
        format!("is not {length} {kinds}: it has {count} characters")
    } else if value.chars().any(|c| !allowed(c)) {
        format!("is not {length} {kinds}: it contains another character")
    } else {
        format!("is not {length} {kinds}")
    }
}

fn line_u32(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

fn at(line: Option<u64>, message: String) -> InputError {
    InputError {
        line: line.map(line_u32),
        message,
    }
}

/// The records of the file with the line each starts on, skipping rows whose
/// fields are all blank.
struct Rows<'a> {
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
}

impl<'a> Rows<'a> {
    fn new(text: &'a str) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            // Field counts are checked by the caller, so that blank rows can
            // be skipped and the error can say what a short or long row means.
            .flexible(true)
            .from_reader(text.as_bytes());
        Rows {
            text,
            reader,
            record: csv::StringRecord::new(),
        }
    }

    /// The 1-based line of the record whose reading began at byte `start`.
    /// The csv crate's own line count is taken before the previous record's
    /// `\n` (after a `\r`) and the empty lines it skips, so it is computed
    /// here: the record starts after any line ends at `start`. A lone `\r`
    /// ends a line too (the csv crate reads it so, as do old Mac editors).
    fn line_at(&self, start: u64) -> Option<u64> {
        let start = usize::try_from(start).ok()?;
        let bytes = self.text.as_bytes();
        let skipped = bytes
            .get(start..)?
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let scanned = bytes.get(..start + skipped)?;
        let line_ends = scanned
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count();
        u64::try_from(line_ends).ok().map(|n| n + 1)
    }

    fn next_non_blank(&mut self) -> Result<Option<(Option<u64>, csv::StringRecord)>, InputError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    if self.record.iter().all(|field| field.trim().is_empty()) {
                        continue;
                    }
                    let line = self.record.position().and_then(|p| self.line_at(p.byte()));
                    return Ok(Some((line, self.record.clone())));
                }
                // The csv crate's own messages are not used: some kinds can
                // quote field content.
                Err(e) => {
                    let line = e.position().and_then(|p| self.line_at(p.byte()));
                    return Err(at(line, "the file is not valid CSV".to_string()));
                }
            }
        }
    }
}

fn normalize(name: &str) -> String {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_lowercase()
}

/// The index of the column named `name`; an error when two columns have it.
fn find_column(header: &csv::StringRecord, name: &str, line: Option<u64>) -> Result<Option<usize>, InputError> {
    let wanted = name.to_lowercase();
    let mut found = header
        .iter()
        .enumerate()
        .filter(|(_, field)| normalize(field) == wanted)
        .map(|(i, _)| i);
    let first = found.next();
    if first.is_some() && found.next().is_some() {
        return Err(at(line, format!("the header row has more than one `{name}` column")));
    }
    Ok(first)
}

fn missing_columns(
    header: &csv::StringRecord,
    line: Option<u64>,
    key_id: Option<usize>,
    secret: Option<usize>,
) -> InputError {
    let missing = match (key_id, secret) {
        (None, None) => format!("the header row has neither an `{KEY_ID_COLUMN}` nor a `{SECRET_COLUMN}` column"),
        (None, Some(_)) => format!("the header row has no `{KEY_ID_COLUMN}` column"),
        _ => format!("the header row has no `{SECRET_COLUMN}` column"),
    };
    // The header's own fields are not quoted: a file without a header row
    // would put the keys themselves in the message.
    let looks_like_keys = header
        .iter()
        .any(|f| validate::is_access_key_id(f.trim()) || validate::is_secret_access_key(f.trim()));
    let hint = if looks_like_keys {
        format!("; the first row looks like keys rather than a header: the file must start with the header row {EXPECTED_HEADER}")
    } else {
        format!("; expected the header row {EXPECTED_HEADER} of the file the AWS console downloads")
    };
    at(line, format!("{missing}{hint}"))
}

#[cfg(test)]
mod tests;
