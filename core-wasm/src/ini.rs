//! A line-preserving editor for the AWS CLI's `credentials` and `config`
//! files.
//!
//! Two programs define what these files mean, and this module follows both:
//!
//! - **The reader** is botocore's `raw_config_parse`: Python's
//!   `configparser.RawConfigParser` in its default *strict* mode (duplicate
//!   sections and duplicate keys are errors), keys case-insensitive, values
//!   continued on more-indented lines, and a value that starts on the next
//!   line (`s3 =` followed by indented `name = value` lines) parsed as nested
//!   values, each of which must contain `=`. [`IniDocument::parse`] accepts
//!   what botocore accepts, with the few stricter rules listed below, and
//!   [`IniDocument::get`] answers as botocore would.
//! - **The writer** is `aws configure set`
//!   (`awscli/customizations/configure/writer.py`, the same in v1 and v2).
//!   [`IniDocument::set`] reproduces its output byte for byte:
//!   - the section is the first header written exactly `[name]` from the
//!     start of the line (or `[first "rest"]` for a name `first rest`);
//!   - any line of that section with `:` or `=` counts as a key line,
//!     comments and indented nested values included; the first whose key is
//!     the one being set is rewritten as `key = value` (indentation and
//!     spacing dropped), and the section's other lines are left alone;
//!   - otherwise `key = value` is inserted after the section's last key line,
//!     except in the file's last section, where the writer inserts it one
//!     line further down (below the line that follows the last key line);
//!   - a new section is appended at the end as `[name]` and `key = value`,
//!     with no blank line before it; a file not ending in `\n` gets one first;
//!   - the writer reads and rewrites the whole file in Python's text mode when
//!     it edits an existing section, which turns every `\r\n` and lone `\r`
//!     into `\n`; when it appends a new section it leaves the existing bytes
//!     alone, CRLF included.
//!
//! Where the writer's output would be a different file than intended, this
//! module does not copy it:
//!
//! - adding a key to the last section of a file that does not end in a
//!   newline, when the last line directly follows the section's last key
//!   line: the writer glues `key = value` to the end of that last line (it
//!   inserts between the line and the `\n` it appends) and adds a blank line
//!   after it. Glued to a comment or text, the key is lost; glued to a
//!   blank-looking line (spaces), it reads right but is indented, so the
//!   writer's own next run rewrites it. Here the last line is terminated
//!   first, then the writer's rule applies, which keeps `set` idempotent; in
//!   every other case of a missing final newline the result is the writer's.
//! - every other edit whose result botocore would read differently than "the
//!   old section with this one key set" is refused with an error that names
//!   the line, and the document is left unchanged. This happens when the
//!   section already has the key in another letter case (the writer would add
//!   a duplicate), when the first line with that key name is a nested value
//!   under `s3 =`, when the new line would land between a key and its
//!   indented continuation, and when the section's header is indented (the
//!   writer does not recognise it and would add a second one).
//!
//! Stricter than botocore, because such files cannot be edited safely or are
//! almost surely mistakes: a non-indented line starting with `[` that is not a
//! complete header (botocore reads `[abc = 1` as the key `[abc`); a header
//! with more than one `]` (botocore names `[a]b]` `a]b`, the writer `a`); an
//! indented continuation line that looks like a header (the writer takes it
//! for one); a repeated `[DEFAULT]` header (configparser merges repeats of
//! that one special section).
//!
//! Errors name the line and, at most, section and key names: values may be
//! secrets and never appear in an error.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::model::InputError;

mod edit;
mod reader;
mod remove;

use reader::*;
/// Name → position, for lookups.
type NameMap<V> = BTreeMap<String, V>;

/// How a line ends. Python reads these files with universal newlines, so
/// `\r\n`, `\r` and `\n` all end a line (and count for line numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Eol {
    /// The last line of a file that does not end with a line break.
    None,
    Lf,
    CrLf,
    Cr,
}

impl Eol {
    fn as_str(self) -> &'static str {
        match self {
            Eol::None => "",
            Eol::Lf => "\n",
            Eol::CrLf => "\r\n",
            Eol::Cr => "\r",
        }
    }
}

/// One line exactly as written: its text without the line break, and the
/// line break.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    text: String,
    eol: Eol,
}

impl Line {
    fn lf(text: String) -> Line {
        Line { text, eol: Eol::Lf }
    }
}

/// A key as botocore reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    /// The name in lower case (configparser's `optionxform`).
    name: String,
    /// The name as written, for error messages.
    written: String,
    /// The value: the text after the delimiter and the continuation lines,
    /// joined with `\n`, stripped as configparser does.
    value: String,
    /// Index of the key's line in its section's body.
    at: usize,
}

/// A section: its header line and the lines up to the next header.
#[derive(Clone, Debug)]
struct Section {
    /// The text between the brackets, as configparser names it.
    name: String,
    header: Line,
    /// Indentation of the header (configparser compares continuation lines
    /// with it).
    indent: usize,
    body: Vec<Line>,
    entries: Vec<Entry>,
}

/// A parsed `credentials` or `config` file that renders back to the same
/// bytes, and that [`set`](IniDocument::set) edits as `aws configure set`
/// does.
///
/// Lines are stored per section and sections are found through a map, so a
/// `set` costs time in proportion to its section only, and adding a section
/// is constant time: the flow sets a few keys in each of thousands of
/// sections of one document.
#[derive(Clone, Debug, Default)]
pub struct IniDocument {
    /// Blank and comment lines before the first header.
    preamble: Vec<Line>,
    sections: Vec<Section>,
    /// Section name → index in `sections`.
    by_name: NameMap<usize>,
    /// Whether some section name holds a `"`: only then can a name with a
    /// space be written `[first "rest"]`.
    has_quoted: bool,
    /// Whether some line ends in `\r\n` or `\r`: the writer turns these into
    /// `\n` the first time it edits an existing section.
    has_cr: bool,
    /// The section the last `set` found or made, and its index: callers set
    /// several keys of one section in a row, and a lookup compares long
    /// names. Sections never move, and a section found stays the
    /// first match, so the index stays right.
    last_set: Option<(String, usize)>,
}

impl IniDocument {
    /// An empty document (a file that does not exist yet).
    pub fn new() -> IniDocument {
        IniDocument::default()
    }

    /// Parses the text of a credentials or config file. Anything botocore
    /// would refuse (and the few stricter cases in the module documentation)
    /// is an error naming the 1-based line.
    pub fn parse(text: &str) -> Result<IniDocument, InputError> {
        if text.starts_with('\u{feff}') {
            // Python keeps the mark as a character, so botocore finds no
            // header on line 1.
            return Err(InputError::at(
                1,
                "the file starts with a UTF-8 byte order mark, which botocore cannot read; save it without one",
            ));
        }
        let mut doc = IniDocument::default();
        let mut reader = Reader::new();
        // Line index of each section's header, for "first on line N".
        let mut header_at: Vec<usize> = Vec::new();
        for (index, line) in split_lines(text).enumerate() {
            if line.eol == Eol::CrLf || line.eol == Eol::Cr {
                doc.has_cr = true;
            }
            let kind = reader.feed(&line.text, index).map_err(|e| e.at_line(|pos| pos + 1))?;
            match kind {
                Kind::Header { name, indent } => {
                    let in_default = doc.sections.last().is_some_and(|s| s.name == "DEFAULT");
                    let previous = reader
                        .finish_section(in_default)
                        .map_err(|e| e.at_line(|pos| pos + 1))?;
                    if let Some(section) = doc.sections.last_mut() {
                        section.entries = rebase(previous, header_at.last().copied().unwrap_or(0) + 1);
                    }
                    if let Some(&first) = doc.by_name.get(&name) {
                        // configparser in strict mode (botocore's) raises
                        // DuplicateSectionError, except for [DEFAULT], whose
                        // repeats it merges; the AWS CLI would edit only the
                        // first of two.
                        let first_line = header_at.get(first).copied().unwrap_or(0) + 1;
                        let why = if name == "DEFAULT" {
                            "the AWS CLI would edit only the first one"
                        } else {
                            "botocore rejects a file with a repeated section"
                        };
                        return Err(InputError::at(
                            line_number(index + 1),
                            format!("section [{name}] appears a second time (first on line {first_line}); {why}"),
                        ));
                    }
                    doc.has_quoted |= name.contains('"');
                    doc.by_name.insert(name.clone(), doc.sections.len());
                    header_at.push(index);
                    doc.sections.push(Section {
                        name,
                        header: line,
                        indent,
                        body: Vec::new(),
                        entries: Vec::new(),
                    });
                }
                _ => match doc.sections.last_mut() {
                    Some(section) => section.body.push(line),
                    None => doc.preamble.push(line),
                },
            }
        }
        let in_default = doc.sections.last().is_some_and(|s| s.name == "DEFAULT");
        let last = reader
            .finish_section(in_default)
            .map_err(|e| e.at_line(|pos| pos + 1))?;
        if let Some(section) = doc.sections.last_mut() {
            section.entries = rebase(last, header_at.last().copied().unwrap_or(0) + 1);
        }
        Ok(doc)
    }

    /// The value botocore reads for `key` (case-insensitive) in `section`
    /// (the header text, e.g. `default`, `bb-management` or
    /// `profile bb-shared-oaar`), falling back to a `[DEFAULT]` section as
    /// configparser does. A nested value (`s3 =` and indented lines) is
    /// returned as configparser joins it: starting with `\n`.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        let index = self.find_section(section)?;
        let key = py_lower(key);
        let own = self.sections.get(index).and_then(|s| find_entry(s, &key));
        let from_default = || {
            let default = self.by_name.get("DEFAULT").and_then(|&i| self.sections.get(i))?;
            find_entry(default, &key)
        };
        own.or_else(from_default).map(|entry| entry.value.as_str())
    }

    /// Whether the section exists, found as `aws configure set` finds it.
    pub fn has_section(&self, section: &str) -> bool {
        self.find_section(section).is_some()
    }

    /// The keys of a section in file order, in lower case as botocore names
    /// them (without those a `[DEFAULT]` section adds).
    pub fn keys(&self, section: &str) -> impl Iterator<Item = &str> {
        let section = self.find_section(section).and_then(|i| self.sections.get(i));
        section
            .into_iter()
            .flat_map(|s| s.entries.iter().map(|e| e.name.as_str()))
    }

    /// The section names in file order.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|s| s.name.as_str())
    }

    /// Sets `key` to `value` in `section` exactly as `aws configure set`
    /// would (see the module documentation), creating the section if needed.
    /// Returns whether the text changed. Setting the value a key already has
    /// changes nothing, except that the writer rewrites the line as
    /// `key = value` and, in a file with CRLF line ends, rewrites every line
    /// end as `\n`; setting it once more then changes nothing.
    ///
    /// A section name, key or value containing a line break is rejected, as
    /// is a key containing `=`, `:` or `[`, starting with `#` or `;`, or with
    /// spaces around it, and a section name containing `]`. An edit that
    /// botocore would read differently than intended is refused; on any error
    /// the document is unchanged.
    pub fn set(&mut self, section: &str, key: &str, value: &str) -> Result<bool, InputError> {
        check_section_name(section)?;
        check_key(key)?;
        check_value(key, value)?;
        let found = match &self.last_set {
            Some((name, index)) if name == section => Some(*index),
            _ => self.find_section(section),
        };
        let result = match found {
            Some(index) => self.update_section(index, key, value),
            None => Ok(self.append_section(section, key, value)),
        };
        if result.is_ok() && !matches!(&self.last_set, Some((name, _)) if name == section) {
            let index = found.or_else(|| self.sections.len().checked_sub(1));
            self.last_set = index.map(|i| (section.to_string(), i));
        }
        result
    }

    /// The text of the document.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.approximate_len());
        let lines = self.preamble.iter().chain(
            self.sections
                .iter()
                .flat_map(|s| std::iter::once(&s.header).chain(&s.body)),
        );
        for line in lines {
            out.push_str(&line.text);
            out.push_str(line.eol.as_str());
        }
        out
    }

    fn approximate_len(&self) -> usize {
        let count = |lines: &[Line]| lines.iter().map(|l| l.text.len() + 2).sum::<usize>();
        count(&self.preamble)
            + self
                .sections
                .iter()
                .map(|s| s.header.text.len() + 2 + count(&s.body))
                .sum::<usize>()
    }

    /// The writer's section lookup: the first header that reads `[name]` or,
    /// for a name with a space, `[first "rest"]`.
    fn find_section(&self, name: &str) -> Option<usize> {
        let exact = self.by_name.get(name).copied();
        let quoted = name
            .split_once(' ')
            .filter(|_| self.has_quoted)
            .and_then(|(first, rest)| self.by_name.get(&format!("{first} \"{rest}\"")).copied());
        match (exact, quoted) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// 1-based line number of a section's header. Linear in the number of
    /// sections: for error messages only.
    fn header_line(&self, index: usize) -> usize {
        self.preamble.len()
            + self
                .sections
                .iter()
                .take(index)
                .map(|s| 1 + s.body.len())
                .sum::<usize>()
            + 1
    }

    /// The last line of the document, if any.
    fn last_line_mut(&mut self) -> Option<&mut Line> {
        match self.sections.last_mut() {
            Some(section) => Some(section.body.last_mut().unwrap_or(&mut section.header)),
            None => self.preamble.last_mut(),
        }
    }
}

impl fmt::Display for IniDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl FromStr for IniDocument {
    type Err = InputError;

    fn from_str(text: &str) -> Result<IniDocument, InputError> {
        IniDocument::parse(text)
    }
}

fn find_entry<'a>(section: &'a Section, lower_key: &str) -> Option<&'a Entry> {
    section.entries.iter().find(|e| e.name == lower_key)
}

/// Entries read during `parse` carry document line indices; make them
/// relative to their section's body, which starts at `body_start`.
fn rebase(mut entries: Vec<Entry>, body_start: usize) -> Vec<Entry> {
    for entry in &mut entries {
        entry.at = entry.at.saturating_sub(body_start);
    }
    entries
}

/// The line the writer writes: `key = value`.
fn key_line(key: &str, value: &str) -> Line {
    Line::lf([key, " = ", value].concat())
}

impl Entry {
    /// What botocore reads from [`key_line`]`(key, value)` at body index `at`.
    fn of_key_line(key: &str, value: &str, at: usize) -> Entry {
        Entry {
            name: py_lower(key),
            written: key.to_string(),
            value: py_strip(value).to_string(),
            at,
        }
    }
}

fn line_number(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------
// Checks on what `set` is asked to write.

fn has_line_break(text: &str) -> bool {
    text.contains(['\n', '\r'])
}

fn check_section_name(section: &str) -> Result<(), InputError> {
    if section.is_empty() {
        return Err(InputError::new("a section name cannot be empty"));
    }
    if has_line_break(section) {
        return Err(InputError::new("invalid section name: line breaks are not allowed"));
    }
    if section.contains(']') {
        // `[a]b]` is `a]b` for botocore but `a` for the writer.
        return Err(InputError::new(format!(
            "invalid section name `{section}`: ']' is not allowed"
        )));
    }
    Ok(())
}

fn check_key(key: &str) -> Result<(), InputError> {
    if has_line_break(key) {
        return Err(InputError::new("invalid key: line breaks are not allowed"));
    }
    if key.is_empty() {
        return Err(InputError::new("a key cannot be empty"));
    }
    if key.contains(['=', ':', '[']) {
        return Err(InputError::new(format!(
            "invalid key `{key}`: '=', ':' and '[' are not allowed"
        )));
    }
    if key.starts_with(['#', ';']) {
        return Err(InputError::new(format!(
            "invalid key `{key}`: it would be read as a comment"
        )));
    }
    if key.starts_with(is_py_space) || key.ends_with(is_py_space) {
        return Err(InputError::new(format!(
            "invalid key `{key}`: spaces around a key are not allowed"
        )));
    }
    Ok(())
}

fn check_value(key: &str, value: &str) -> Result<(), InputError> {
    if has_line_break(value) {
        // Never echo the value: it may be a secret.
        return Err(InputError::new(format!(
            "invalid value for key `{key}`: line breaks are not allowed"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Python's notion of text, which both the reader and the writer use.

/// Python's `str.isspace()`, which `str.strip()` and the regex `\s` use:
/// Rust's `char::is_whitespace` plus the four separators U+001C..U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(text: &str) -> &str {
    text.trim_matches(is_py_space)
}

fn py_rstrip(text: &str) -> &str {
    text.trim_end_matches(is_py_space)
}

/// Python's `str.lower()`, configparser's `optionxform`.
fn py_lower(text: &str) -> String {
    if text.is_ascii() {
        // The same result for ASCII, without decoding characters.
        return text.to_ascii_lowercase();
    }
    text.to_lowercase()
}

/// The characters where Python's `str.splitlines()` breaks (botocore uses it
/// on nested values); `\n` and `\r` cannot occur inside a line here.
fn is_py_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Splits text into lines as Python's universal newlines do: `\r\n`, `\r`
/// and `\n` each end a line. Lazily: the lines move into their sections,
/// and a vector of them all would only double the parse's memory.
fn split_lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(end) = rest.find(['\n', '\r']) else {
            let line = Line {
                text: rest.to_string(),
                eol: Eol::None,
            };
            rest = "";
            return Some(line);
        };
        let (eol, width) = match rest.get(end..end + 2) {
            Some("\r\n") => (Eol::CrLf, 2),
            _ if rest.get(end..end + 1) == Some("\r") => (Eol::Cr, 1),
            _ => (Eol::Lf, 1),
        };
        let line = Line {
            text: rest.get(..end).unwrap_or_default().to_string(),
            eol,
        };
        rest = rest.get(end + width..).unwrap_or_default();
        Some(line)
    })
}

/// The key the writer sees on a line (its `OPTION_REGEX`, searched anywhere
/// in the line): the text before the first ':' or '=' that follows some
/// other character, stripped. Comments and nested-value lines count too.
fn writer_key(text: &str) -> Option<&str> {
    let start = text.find(|c: char| c != ':' && c != '=')?;
    let rest = text.get(start..)?;
    let end = rest.find([':', '='])?;
    Some(py_strip(rest.get(..end)?))
}

/// Whether the writer takes the line for a section header (its
/// `SECTION_REGEX`): optional spaces, '[', one or more characters other
/// than ']', then ']'.
fn looks_like_header_to_writer(text: &str) -> bool {
    let Some(inner) = text.trim_start_matches(is_py_space).strip_prefix('[') else {
        return false;
    };
    matches!(inner.find(']'), Some(end) if end > 0)
}

#[cfg(test)]
mod tests;
