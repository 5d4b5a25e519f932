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

    /// The writer's path when the section exists: rewrite the key's line or
    /// insert a new one, then (as the writer rewrites the whole file in text
    /// mode) turn all line ends into `\n`.
    fn update_section(&mut self, index: usize, key: &str, value: &str) -> Result<bool, InputError> {
        let is_last = index + 1 == self.sections.len();
        let Some(section) = self.sections.get(index) else {
            return Err(InputError::new("internal error: section index out of range"));
        };
        if section.header.text.starts_with(|c: char| is_py_space(c)) {
            return Err(InputError::at(
                line_number(self.header_line(index)),
                format!(
                    "the header [{}] is indented: `aws configure set` does not recognise an indented \
                     header and would add a second [{}] at the end, which botocore rejects; \
                     remove the spaces before '['",
                    section.name, section.name
                ),
            ));
        }

        let mut changed = match self.plain_edit(index, key, value) {
            Some(plain) => self.apply_plain_edit(index, is_last, plain, key, value),
            None => self.apply_checked_edit(index, is_last, key, value)?,
        };
        if self.has_cr {
            changed |= self.normalize_line_ends();
        }
        Ok(changed)
    }

    /// The writer's edit of any section, re-read with botocore's rules
    /// ([`check_edit`](Self::check_edit)) before it is applied. Returns
    /// whether the section's text changed.
    fn apply_checked_edit(&mut self, index: usize, is_last: bool, key: &str, value: &str) -> Result<bool, InputError> {
        let Some(section) = self.sections.get(index) else {
            return Err(InputError::new("internal error: section index out of range"));
        };
        let edit = writer_edit(section, is_last, key, value);
        let entries = self.check_edit(index, &edit, key, value)?;
        let Edit { body, header_eol, .. } = edit;

        let Some(section) = self.sections.get_mut(index) else {
            return Err(InputError::new("internal error: section index out of range"));
        };
        let changed = header_eol != section.header.eol || body != section.body;
        section.header.eol = header_eol;
        section.body = body;
        section.entries = entries;
        Ok(changed)
    }

    /// The writer's edit of a *plain* section, found without re-reading it
    /// (the flow sets thousands of keys, nearly all in sections it
    /// has just made). A section is plain when each of its body lines is one
    /// key of its own: `name = value` or `name: value`, not indented, ending
    /// in `\n`; when it is not `[DEFAULT]`; and when the next header is not
    /// indented. In such a section the writer's key of a line is exactly the
    /// name botocore reads there (as written), so the writer rewrites the
    /// line whose key is `key` or, failing that, appends `key = value` after
    /// the last line (the last key line, and in the last section also the
    /// last line), and botocore reads the result as the old keys plus this
    /// one. Returns `None` when the section is not plain, or when it holds
    /// the key in another letter case (the full check then names the line).
    fn plain_edit(&self, index: usize, key: &str, value: &str) -> Option<PlainEdit> {
        let section = self.sections.get(index)?;
        let next_indented = self
            .sections
            .get(index + 1)
            .is_some_and(|next| next.header.text.starts_with(is_py_space));
        if section.name == "DEFAULT"
            || next_indented
            || section.header.eol != Eol::Lf
            || section.entries.len() != section.body.len()
        {
            return None;
        }
        let plain = section
            .body
            .iter()
            .zip(&section.entries)
            .enumerate()
            .all(|(i, (line, entry))| entry.at == i && line.eol == Eol::Lf && !line.text.starts_with(is_py_space));
        if !plain {
            return None;
        }
        if let Some(at) = section.entries.iter().position(|e| e.written == key) {
            return Some(PlainEdit {
                entry: Entry::of_key_line(key, value, at),
                replace: true,
            });
        }
        let entry = Entry::of_key_line(key, value, section.body.len());
        if section.entries.iter().any(|e| e.name == entry.name) {
            return None;
        }
        Some(PlainEdit { entry, replace: false })
    }

    /// Applies what [`plain_edit`](Self::plain_edit) found; returns whether
    /// the section's text changed. Debug builds (the tests) also run the full
    /// edit-and-reread on the section and check that both agree.
    fn apply_plain_edit(&mut self, index: usize, is_last: bool, plain: PlainEdit, key: &str, value: &str) -> bool {
        let line = key_line(key, value);
        #[cfg(debug_assertions)]
        let full = self.sections.get(index).map(|section| {
            let edit = writer_edit(section, is_last, key, value);
            let entries = self.check_edit(index, &edit, key, value);
            (edit.body, edit.header_eol, entries)
        });
        #[cfg(not(debug_assertions))]
        let _ = is_last;
        let Some(section) = self.sections.get_mut(index) else {
            return false;
        };
        let PlainEdit { entry, replace } = plain;
        let at = entry.at;
        let mut changed = true;
        if replace {
            if let (Some(old_line), Some(old_entry)) = (section.body.get_mut(at), section.entries.get_mut(at)) {
                changed = *old_line != line;
                *old_line = line;
                *old_entry = entry;
            }
        } else {
            section.body.push(line);
            section.entries.push(entry);
        }
        #[cfg(debug_assertions)]
        if let Some((body, header_eol, entries)) = full {
            assert_eq!(
                body, section.body,
                "the plain edit of [{}] differs from the writer's",
                section.name
            );
            assert_eq!(header_eol, section.header.eol);
            assert_eq!(
                entries.ok().as_ref(),
                Some(&section.entries),
                "botocore would read [{}] otherwise",
                section.name
            );
        }
        changed
    }

    /// Re-reads an edited section body with botocore's rules and compares it
    /// with the section before the edit plus `key = value`. Returns the new
    /// entries, or an error naming the line that makes the edit unsafe.
    fn check_edit(&self, index: usize, edit: &Edit, key: &str, value: &str) -> Result<Vec<Entry>, InputError> {
        let Some(section) = self.sections.get(index) else {
            return Err(InputError::new("internal error: section index out of range"));
        };
        let inserted_at = edit.inserted_at;
        // Line numbers cost a walk over the sections before this one: only
        // errors need them.
        let header_line = || self.header_line(index);
        // Line number, in the document before the edit, of a body line
        // after the edit (the inserted line is numbered as the line it
        // pushed down).
        let old_line = |at: usize| -> u32 {
            let old_at = match inserted_at {
                Some(i) if at > i => at - 1,
                _ => at,
            };
            line_number(header_line() + 1 + old_at)
        };
        // Only errors need it: not formatted for every key set.
        let what = || format!("setting `{key}` in [{}] as `aws configure set` does", section.name);
        // The next header belongs to the check: after an indented header,
        // configparser reads it as part of the last value when the line
        // before it is less indented.
        let next_header = self.sections.get(index + 1).map(|s| &s.header);
        let in_default = section.name == "DEFAULT";
        let entries = read_body(&edit.body, section.indent, in_default, next_header).map_err(|e| match e.kind {
            ReadErrorKind::Duplicate { ref name, first } => {
                // One of the two is the written line; name the other.
                let existing = if Some(first) == inserted_at { e.pos } else { first };
                InputError::at(
                    old_line(existing),
                    format!(
                        "{} would leave two `{name}` keys in the section (key names are \
                         case-insensitive for botocore, which then rejects the file); rename or \
                         remove this line first",
                        what()
                    ),
                )
            }
            _ => InputError::at(
                old_line(e.pos),
                format!(
                    "{} would make this line unreadable for botocore ({}); edit the section by hand",
                    what(),
                    e.kind.message()
                ),
            ),
        })?;

        let wanted_name = py_lower(key);
        let wanted_value = py_strip(value);
        let mut expected: BTreeMap<&str, &str> = section
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str()))
            .collect();
        expected.insert(wanted_name.as_str(), wanted_value);
        let got: BTreeMap<&str, &Entry> = entries.iter().map(|e| (e.name.as_str(), e)).collect();
        // The first key botocore would read differently, before or after;
        // another key than the one set is the more telling.
        let lost = |old: &&Entry| {
            got.get(old.name.as_str()).map(|e| e.value.as_str()) != expected.get(old.name.as_str()).copied()
        };
        let differs = section
            .entries
            .iter()
            .filter(|old| old.name != wanted_name)
            .find(lost)
            .or_else(|| section.entries.iter().find(lost))
            .map(|old| (old.written.as_str(), line_number(header_line() + 1 + old.at)))
            .or_else(|| {
                entries
                    .iter()
                    .find(|new| expected.get(new.name.as_str()).copied() != Some(new.value.as_str()))
                    .map(|new| (new.written.as_str(), old_line(new.at)))
            })
            .or_else(|| (entries.len() != expected.len()).then(|| (key, line_number(header_line()))));
        if let Some((name, line)) = differs {
            return Err(InputError::at(
                line,
                format!(
                    "{} would change how botocore reads `{name}`: an indented line next to the edit \
                     would become part of another value; edit the section by hand",
                    what()
                ),
            ));
        }
        Ok(entries)
    }

    /// The writer's path when the section does not exist: append `[name]`
    /// and `key = value`, after adding a final `\n` if the file lacks one.
    /// Existing line ends are kept (the writer opens the file for appending).
    fn append_section(&mut self, section: &str, key: &str, value: &str) -> bool {
        if let Some(last) = self.last_line_mut() {
            // The writer checks the last byte: a file ending in a lone "\r"
            // gets "\n" after it, which makes that line end "\r\n".
            last.eol = match last.eol {
                Eol::None => Eol::Lf,
                Eol::Cr => Eol::CrLf,
                other => other,
            };
        }
        let entry = Entry::of_key_line(key, value, 0);
        self.has_quoted |= section.contains('"');
        self.by_name.insert(section.to_string(), self.sections.len());
        self.sections.push(Section {
            name: section.to_string(),
            header: Line::lf(["[", section, "]"].concat()),
            indent: 0,
            body: vec![key_line(key, value)],
            entries: vec![entry],
        });
        true
    }

    /// Rewrites every line end as `\n`; returns whether any changed.
    fn normalize_line_ends(&mut self) -> bool {
        let mut changed = false;
        let lines = self.preamble.iter_mut().chain(
            self.sections
                .iter_mut()
                .flat_map(|s| std::iter::once(&mut s.header).chain(s.body.iter_mut())),
        );
        for line in lines {
            if line.eol == Eol::CrLf || line.eol == Eol::Cr {
                line.eol = Eol::Lf;
                changed = true;
            }
        }
        self.has_cr = false;
        changed
    }
}

/// The edit of a plain section: the entry written, at its body index, and
/// whether it rewrites the line there or is appended.
struct PlainEdit {
    entry: Entry,
    replace: bool,
}

/// A section body as the writer leaves it.
#[derive(Debug)]
struct Edit {
    body: Vec<Line>,
    header_eol: Eol,
    /// Where a line was inserted, if one was.
    inserted_at: Option<usize>,
}

/// What `aws configure set` does to a section that exists: the first line
/// whose key (as the writer sees keys) is `key` becomes `key = value`;
/// otherwise `key = value` goes after the last key line, or, in the last
/// section, one line further down.
fn writer_edit(section: &Section, is_last: bool, key: &str, value: &str) -> Edit {
    let new_line = key_line(key, value);
    let mut body = section.body.clone();
    let mut header_eol = section.header.eol;
    let mut last_key_line: Option<usize> = None;
    for (i, line) in body.iter_mut().enumerate() {
        if let Some(name) = writer_key(&line.text) {
            last_key_line = Some(i);
            if name == key {
                *line = new_line;
                return Edit {
                    body,
                    header_eol,
                    inserted_at: None,
                };
            }
        }
    }
    let at = if is_last {
        // The writer reached the end of the file. It inserts at (index of
        // the last key line) + 2 in its list of lines: one line lower than
        // in a section followed by another. A file without a final "\n"
        // gets one first; the writer appends it as a separate list item,
        // so when the insertion point falls on that item the new line is
        // glued to the end of the last line. Terminating the last line
        // itself gives the writer's result everywhere else.
        match body.last_mut() {
            Some(last) if last.eol == Eol::None => last.eol = Eol::Lf,
            Some(_) => {}
            None if header_eol == Eol::None => header_eol = Eol::Lf,
            None => {}
        }
        last_key_line.map_or(1, |i| i + 2).min(body.len())
    } else {
        last_key_line.map_or(0, |i| i + 1)
    };
    body.insert(at, new_line);
    Edit {
        body,
        header_eol,
        inserted_at: Some(at),
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

// ---------------------------------------------------------------------------
// The reader: configparser's line-by-line state machine, plus botocore's
// nested values.

/// What a line is, for configparser.
#[derive(Debug)]
enum Kind {
    Blank,
    Comment,
    Continuation,
    Header { name: String, indent: usize },
    Key,
}

#[derive(Debug)]
enum ReadErrorKind {
    NoSection,
    NotKeyValue,
    EmptyKey(char),
    Unterminated,
    EmptyHeader,
    BracketInHeader,
    HeaderInValue { key: String },
    Duplicate { name: String, first: usize },
    NestedWithoutEquals { key: String, in_default: bool },
    HeaderInBody,
    HeaderSwallowed,
}

impl ReadErrorKind {
    fn message(&self) -> String {
        match self {
            ReadErrorKind::NoSection => {
                "this line comes before any section header; a file must start with a header such as [default]".into()
            }
            ReadErrorKind::NotKeyValue => {
                "expected `key = value`, a [section] header, a comment starting with # or ;, or a blank line".into()
            }
            ReadErrorKind::EmptyKey(delimiter) => format!("no key name before '{delimiter}'"),
            ReadErrorKind::Unterminated => "section header without a closing ']'".into(),
            ReadErrorKind::EmptyHeader => "empty section header []".into(),
            ReadErrorKind::BracketInHeader => {
                "section header with more than one ']' (botocore and the AWS CLI would disagree on its name)".into()
            }
            ReadErrorKind::HeaderInValue { key } => format!(
                "an indented line that looks like a section header continues the value of `{key}`; the AWS CLI \
                 would take it for a header, botocore for part of the value: remove the indentation or the brackets"
            ),
            ReadErrorKind::Duplicate { name, .. } => format!(
                "key `{name}` appears twice in the section (key names are case-insensitive); botocore rejects \
                 a repeated key"
            ),
            ReadErrorKind::NestedWithoutEquals { key, in_default } => format!(
                "this line under `{key} =` is not `name = value`; botocore rejects a nested value without '='{}",
                if *in_default {
                    " (in [DEFAULT], as soon as the file has another section)"
                } else {
                    ""
                }
            ),
            ReadErrorKind::HeaderInBody => "unexpected section header".into(),
            ReadErrorKind::HeaderSwallowed => {
                "the indented header that follows would read as part of the new value".into()
            }
        }
    }
}

#[derive(Debug)]
struct ReadError {
    /// Position of the line, as given to [`Reader::feed`].
    pos: usize,
    kind: ReadErrorKind,
}

impl ReadError {
    fn at_line(self, line_of: impl Fn(usize) -> usize) -> InputError {
        let mut message = self.kind.message();
        if let ReadErrorKind::Duplicate { first, .. } = self.kind {
            message = format!("{message} (first on line {})", line_of(first));
        }
        InputError::at(line_number(line_of(self.pos)), message)
    }
}

/// A key being read: its name and the pieces of its value.
#[derive(Debug)]
struct PendingKey {
    name: String,
    written: String,
    at: usize,
    /// The stripped text after the delimiter, on the key's own line (`at`).
    first: String,
    /// (position, stripped text) of each continuation line (blank lines
    /// inside the value as empty pieces); none for nearly every key.
    more: Vec<(usize, String)>,
}

/// configparser's `_read` state, one section at a time.
#[derive(Debug)]
struct Reader {
    in_section: bool,
    /// Indentation of the last header or key line: a deeper line continues
    /// the current key's value.
    indent_level: usize,
    /// Index in `keys` of the key whose value continuation lines extend.
    current: Option<usize>,
    keys: Vec<PendingKey>,
    /// Cleared for each section, keeping its capacity.
    by_name: NameMap<usize>,
}

impl Reader {
    fn new() -> Reader {
        Reader {
            in_section: false,
            indent_level: 0,
            current: None,
            keys: Vec::new(),
            by_name: NameMap::default(),
        }
    }

    /// A reader positioned just after a header with this indentation.
    fn after_header(indent: usize) -> Reader {
        Reader {
            in_section: true,
            indent_level: indent,
            ..Reader::new()
        }
    }

    fn feed(&mut self, text: &str, pos: usize) -> Result<Kind, ReadError> {
        let error = |kind| ReadError { pos, kind };
        let stripped = py_strip(text);
        if stripped.starts_with(['#', ';']) {
            // A full-line comment, wherever it is: it neither ends nor
            // extends a value.
            return Ok(Kind::Comment);
        }
        if stripped.is_empty() {
            if let Some(key) = self.current.and_then(|i| self.keys.get_mut(i)) {
                key.more.push((pos, String::new()));
            }
            return Ok(Kind::Blank);
        }
        let indent = text.chars().take_while(|&c| is_py_space(c)).count();
        if let Some(key) = self.current.and_then(|i| self.keys.get_mut(i)) {
            if self.in_section && indent > self.indent_level {
                if looks_like_header_to_writer(text) {
                    return Err(error(ReadErrorKind::HeaderInValue {
                        key: key.written.clone(),
                    }));
                }
                key.more.push((pos, stripped.to_string()));
                return Ok(Kind::Continuation);
            }
        }
        self.indent_level = indent;
        if let Some(inner) = stripped.strip_prefix('[') {
            // configparser's SECTCRE, `\[(?P<header>.+)\]`, matched at the
            // start: the name runs to the last ']', text after it is ignored.
            return match inner.rfind(']') {
                None => Err(error(ReadErrorKind::Unterminated)),
                Some(0) => Err(error(ReadErrorKind::EmptyHeader)),
                Some(end) => {
                    let name = inner.get(..end).unwrap_or_default();
                    if name.contains(']') {
                        return Err(error(ReadErrorKind::BracketInHeader));
                    }
                    self.in_section = true;
                    self.current = None;
                    Ok(Kind::Header {
                        name: name.to_string(),
                        indent,
                    })
                }
            };
        }
        if !self.in_section {
            return Err(error(ReadErrorKind::NoSection));
        }
        // configparser's OPTCRE: the key runs to the first '=' or ':'.
        let Some(delimiter_at) = stripped.find(['=', ':']) else {
            return Err(error(ReadErrorKind::NotKeyValue));
        };
        let written = py_rstrip(stripped.get(..delimiter_at).unwrap_or_default());
        if written.is_empty() {
            let delimiter = stripped
                .get(delimiter_at..)
                .and_then(|s| s.chars().next())
                .unwrap_or('=');
            return Err(error(ReadErrorKind::EmptyKey(delimiter)));
        }
        let value = py_strip(stripped.get(delimiter_at + 1..).unwrap_or_default());
        let name = py_lower(written);
        if let Some(&first) = self.by_name.get(&name) {
            let first = self.keys.get(first).map_or(pos, |k| k.at);
            return Err(error(ReadErrorKind::Duplicate {
                name: written.to_string(),
                first,
            }));
        }
        self.by_name.insert(name.clone(), self.keys.len());
        self.current = Some(self.keys.len());
        self.keys.push(PendingKey {
            name,
            written: written.to_string(),
            at: pos,
            first: value.to_string(),
            more: Vec::new(),
        });
        Ok(Kind::Key)
    }

    /// Ends the current section: joins the values as configparser does and
    /// checks nested values as botocore does. The reader is ready for the
    /// next section.
    ///
    /// botocore checks the nested values of `[DEFAULT]` only when the file
    /// has another section (it reads them as part of each section); this
    /// checks them always, `in_default` only changes the message.
    fn finish_section(&mut self, in_default: bool) -> Result<Vec<Entry>, ReadError> {
        self.by_name.clear();
        self.current = None;
        let keys = std::mem::take(&mut self.keys);
        let mut entries = Vec::with_capacity(keys.len());
        for key in keys {
            let value = if key.more.is_empty() {
                // A value on one line (nearly all of them): it is stripped
                // already, so joining and stripping change nothing.
                debug_assert_eq!(py_rstrip(&key.first), key.first);
                key.first
            } else {
                let pieces: Vec<(usize, &str)> = std::iter::once((key.at, key.first.as_str()))
                    .chain(key.more.iter().map(|(pos, piece)| (*pos, piece.as_str())))
                    .collect();
                let joined: Vec<&str> = pieces.iter().map(|&(_, piece)| piece).collect();
                let value = py_rstrip(&joined.join("\n")).to_string();
                if value.starts_with('\n') {
                    // botocore's _parse_nested: every non-blank line needs '='.
                    let bad = pieces.iter().find(|(_, piece)| {
                        piece
                            .split(is_py_line_break)
                            .any(|part| !py_strip(part).is_empty() && !part.contains('='))
                    });
                    if let Some(&(pos, _)) = bad {
                        return Err(ReadError {
                            pos,
                            kind: ReadErrorKind::NestedWithoutEquals {
                                key: key.written,
                                in_default,
                            },
                        });
                    }
                }
                value
            };
            entries.push(Entry {
                name: key.name,
                written: key.written,
                value,
                at: key.at,
            });
        }
        Ok(entries)
    }
}

/// Reads a section body (the lines after a header with this indentation)
/// and, if given, the next section's header, which must still read as one.
fn read_body(
    body: &[Line],
    header_indent: usize,
    in_default: bool,
    next_header: Option<&Line>,
) -> Result<Vec<Entry>, ReadError> {
    let mut reader = Reader::after_header(header_indent);
    for (pos, line) in body.iter().enumerate() {
        if let Kind::Header { .. } = reader.feed(&line.text, pos)? {
            return Err(ReadError {
                pos,
                kind: ReadErrorKind::HeaderInBody,
            });
        }
    }
    if let Some(header) = next_header {
        let pos = body.len();
        match reader.feed(&header.text, pos) {
            Ok(Kind::Header { .. }) => {}
            Ok(_)
            | Err(ReadError {
                kind: ReadErrorKind::HeaderInValue { .. },
                ..
            }) => {
                return Err(ReadError {
                    pos,
                    kind: ReadErrorKind::HeaderSwallowed,
                });
            }
            Err(error) => return Err(error),
        }
    }
    reader.finish_section(in_default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> IniDocument {
        match IniDocument::parse(text) {
            Ok(doc) => doc,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    fn parse_err(text: &str) -> InputError {
        match IniDocument::parse(text) {
            Ok(doc) => panic!("expected an error, parsed {doc:?}"),
            Err(e) => e,
        }
    }

    fn set(doc: &mut IniDocument, section: &str, key: &str, value: &str) -> bool {
        match doc.set(section, key, value) {
            Ok(changed) => changed,
            Err(e) => panic!("set failed: {e}"),
        }
    }

    fn edited(text: &str, section: &str, key: &str, value: &str) -> String {
        let mut doc = parse(text);
        set(&mut doc, section, key, value);
        doc.render()
    }

    #[test]
    fn renders_what_it_parsed() {
        for text in [
            "",
            "\n",
            "# only a comment",
            "[default]\r\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\r\n",
            "[a]\rk = v\r",
            "; c\n\n[profile x]\n  region   =  us-east-1 \ns3 =\n    max_concurrent_requests = 10\n",
            "[default]\nregion = x",
        ] {
            assert_eq!(parse(text).render(), text);
            assert_eq!(
                text.parse::<IniDocument>().map(|d| d.to_string()).ok().as_deref(),
                Some(text)
            );
        }
    }

    #[test]
    fn parse_errors_name_the_line() {
        let cases: &[(&str, u32, &str)] = &[
            ("region = x\n[default]\n", 1, "before any section"),
            ("# c\n\n  k = v\n", 3, "before any section"),
            ("[default]\nregion = x\njust words\n", 3, "expected `key = value`"),
            ("[default]\n= x\n", 2, "no key name"),
            ("[default]\n : x\n", 2, "no key name before ':'"),
            ("[default]\n[oops\n", 2, "closing ']'"),
            ("[default]\n[abc = 1\n", 2, "closing ']'"),
            ("[]\n", 1, "empty section header"),
            ("[a]b]\n", 1, "more than one ']'"),
            ("[a]\nk=1\n\n[b]\n[a]\n", 5, "first on line 1"),
            ("[a]\r\nk=1\r\nK = 2\r\n", 3, "appears twice"),
            ("[a]\rk=1\rK = 2\r", 3, "appears twice"),
            ("[a]\ns3 =\n    max = 10\n    oops\n", 4, "nested value"),
            ("[a]\nk = v\n  [b]\n", 3, "looks like a section header"),
            ("[DEFAULT]\nk=1\n[DEFAULT]\n", 3, "second time"),
        ];
        for (text, line, fragment) in cases {
            let error = parse_err(text);
            assert_eq!(error.line, Some(*line), "{text:?}: {error}");
            assert!(error.message.contains(fragment), "{text:?}: {error}");
        }
    }

    #[test]
    fn accepts_what_botocore_accepts() {
        // Continuations, blank lines inside values, indented keys and
        // headers, colon delimiters, trailing text after a header.
        let doc = parse(
            "[a] # note\nk = v\n  more\n\n  still\nother: 1\n[a0]\n\ty = 2\n\t[b]\n\tx = 1\n[c]\ns3 =\n\n  a = 1\n  # c\n  b=2\n[d]\nk = v\n  [x\n",
        );
        assert_eq!(doc.get("a", "k"), Some("v\nmore\n\nstill"));
        assert_eq!(doc.get("a", "OTHER"), Some("1"));
        assert_eq!(doc.get("b", "x"), Some("1"));
        assert_eq!(doc.get("c", "s3"), Some("\n\na = 1\nb=2"));
        assert_eq!(doc.get("d", "k"), Some("v\n[x"));
    }

    #[test]
    fn get_follows_botocore() {
        let doc = parse(
            "[DEFAULT]\nregion = eu-west-1\n[profile \"my profile\"]\nOutput = json\n[x]\nregion=  us-east-1  \n",
        );
        assert_eq!(doc.get("profile my profile", "output"), Some("json"));
        assert_eq!(doc.get("profile my profile", "region"), Some("eu-west-1"));
        assert_eq!(doc.get("x", "region"), Some("us-east-1"));
        assert_eq!(doc.get("y", "region"), None);
        assert!(doc.has_section("profile my profile"));
        assert!(!doc.has_section("profile other"));
        assert_eq!(
            doc.section_names().collect::<Vec<_>>(),
            ["DEFAULT", "profile \"my profile\"", "x"]
        );
    }

    #[test]
    fn set_replaces_in_place_as_key_equals_value() {
        assert_eq!(edited("[a]\nk=1\nj  :  2\n", "a", "j", "3"), "[a]\nk=1\nj = 3\n");
        assert_eq!(edited("[a]\n  k   =  1  \n", "a", "k", "2"), "[a]\nk = 2\n");
    }

    #[test]
    fn set_inserts_after_last_key_line() {
        // Middle section: right after the last key line.
        assert_eq!(
            edited("[a]\nk = 1\n# c\n\n[b]\n", "a", "j", "2"),
            "[a]\nk = 1\nj = 2\n# c\n\n[b]\n"
        );
        // A comment with ':' or '=' counts as a key line for the writer.
        assert_eq!(
            edited("[a]\nk = 1\n# see: x\n\n[b]\n", "a", "j", "2"),
            "[a]\nk = 1\n# see: x\nj = 2\n\n[b]\n"
        );
        // Last section: one line lower.
        assert_eq!(
            edited("[a]\nk = 1\n# c1\n# c2\n", "a", "j", "2"),
            "[a]\nk = 1\n# c1\nj = 2\n# c2\n"
        );
        assert_eq!(edited("[a]\n\n", "a", "j", "2"), "[a]\n\nj = 2\n");
        assert_eq!(edited("[a]\n", "a", "j", "2"), "[a]\nj = 2\n");
        // Nested values are key lines too.
        assert_eq!(
            edited("[a]\ns3 =\n    max = 10\n[b]\n", "a", "region", "x"),
            "[a]\ns3 =\n    max = 10\nregion = x\n[b]\n"
        );
    }

    #[test]
    fn set_appends_new_sections() {
        assert_eq!(edited("", "default", "k", "v"), "[default]\nk = v\n");
        assert_eq!(edited("[a]\nk = 1", "b", "k", "v"), "[a]\nk = 1\n[b]\nk = v\n");
        assert_eq!(edited("# c\n", "b", "k", "v"), "# c\n[b]\nk = v\n");
        // Append keeps CRLF; a trailing lone CR gets its LF.
        assert_eq!(
            edited("[a]\r\nk = 1\r\n", "b", "k", "v"),
            "[a]\r\nk = 1\r\n[b]\nk = v\n"
        );
        assert_eq!(edited("[a]\rk = 1\r", "b", "k", "v"), "[a]\rk = 1\r\n[b]\nk = v\n");
    }

    #[test]
    fn set_in_existing_section_rewrites_line_ends() {
        assert_eq!(edited("[a]\r\nk = 1\r\n[b]\r\n", "a", "k", "1"), "[a]\nk = 1\n[b]\n");
        let mut doc = parse("[a]\r\nk = 1\r\n");
        assert!(set(&mut doc, "a", "k", "1"));
        assert!(!set(&mut doc, "a", "k", "1"));
    }

    #[test]
    fn missing_final_newline() {
        // The writer's own results.
        assert_eq!(edited("[a]\nk = 1", "a", "j", "2"), "[a]\nk = 1\nj = 2\n");
        assert_eq!(edited("[a]", "a", "j", "2"), "[a]\nj = 2\n");
        assert_eq!(
            edited("[a]\nk = 1\n# c1\n# c2", "a", "j", "2"),
            "[a]\nk = 1\n# c1\nj = 2\n# c2\n"
        );
        assert_eq!(edited("[a]\nk = 1", "a", "k", "2"), "[a]\nk = 2\n");
        // The writer would glue the line to "# c" here ("# cj = 2\n\n").
        assert_eq!(edited("[a]\nk = 1\n# c", "a", "j", "2"), "[a]\nk = 1\n# c\nj = 2\n");
        // ... and here ("   j = 2\n\n", which its next run un-indents).
        assert_eq!(edited("[a]\n   ", "a", "j", "2"), "[a]\n   \nj = 2\n");
    }

    #[test]
    fn set_finds_sections_as_the_writer_does() {
        assert_eq!(
            edited("[profile \"x y\"]\nk=1\n", "profile x y", "k", "2"),
            "[profile \"x y\"]\nk = 2\n"
        );
        assert_eq!(edited("[a] # main\nk=1\n", "a", "k", "2"), "[a] # main\nk = 2\n");
        assert_eq!(edited("[A]\nk=1\n", "a", "k", "2"), "[A]\nk=1\n[a]\nk = 2\n");
    }

    #[test]
    fn setting_the_same_value_again_changes_nothing() {
        let mut doc = parse("[a]\nk=1\n");
        assert!(set(&mut doc, "a", "k", "1"));
        let once = doc.render();
        assert_eq!(once, "[a]\nk = 1\n");
        assert!(!set(&mut doc, "a", "k", "1"));
        assert_eq!(doc.render(), once);
        assert!(set(&mut doc, "b", "k", "1"));
        assert!(!set(&mut doc, "b", "k", "1"));
        assert_eq!(doc.get("b", "k"), Some("1"));
    }

    #[test]
    fn rejects_bad_names_and_values() {
        let mut doc = parse("[a]\nk = 1\n");
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        for (section, key, value) in [
            ("a\nb", "k", "v"),
            ("a\r", "k", "v"),
            ("", "k", "v"),
            ("a]b", "k", "v"),
            ("a", "k\n", "v"),
            ("a", "k=j", "v"),
            ("a", "k:j", "v"),
            ("a", "[k", "v"),
            ("a", "#k", "v"),
            ("a", " k", "v"),
            ("a", "", "v"),
        ] {
            assert!(doc.set(section, key, value).is_err(), "{section:?} {key:?}");
        }
        for value in [format!("{secret}\n"), format!("x\r{secret}")] {
            let error = doc
                .set("a", "k", &value)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.contains("line breaks"), "{error}");
            assert!(!error.contains(secret));
        }
        assert_eq!(doc.render(), "[a]\nk = 1\n");
    }

    #[test]
    fn refuses_edits_botocore_would_misread() {
        let cases: &[(&str, &str, u32, &str)] = &[
            // The writer matches names exactly and would add a duplicate.
            ("[a]\nAWS_ACCESS_KEY_ID = x\n", "aws_access_key_id", 2, "two `"),
            // The writer would replace the nested `region` under s3.
            ("[a]\ns3 =\n    region = x\nregion = y\n", "region", 3, "two `"),
            ("[a]\ns3 =\n    region = x\n", "region", 2, "`s3`"),
            // The new line would take over the continuation of `k`.
            ("[a]\nk = v\n  more\n[b]\n", "j", 2, "`k`"),
            // The writer cannot find an indented header.
            ("  [a]\nk = v\n", "j", 1, "indented"),
        ];
        for (text, key, line, fragment) in cases {
            let mut doc = parse(text);
            match doc.set("a", key, "new") {
                Ok(_) => panic!("{text:?}: expected a refusal, got {:?}", doc.render()),
                Err(e) => {
                    assert_eq!(e.line, Some(*line), "{text:?}: {e}");
                    assert!(e.message.contains(fragment), "{text:?}: {e}");
                }
            }
            assert_eq!(doc.render(), *text);
        }
    }

    #[test]
    fn many_sections_stay_fast() {
        let mut doc = IniDocument::new();
        for i in 0..5000 {
            let section = format!("profile p{i}");
            for key in ["output", "region", "role_arn", "source_profile", "mfa_serial"] {
                set(&mut doc, &section, key, "v");
            }
        }
        // Then, as in a second run, on the parsed file: replace and add.
        let mut doc = parse(&doc.render());
        for i in 0..5000 {
            let section = format!("profile p{i}");
            set(&mut doc, &section, "region", "w");
            set(&mut doc, &section, "sso_session", "s");
        }
        let text = doc.render();
        assert_eq!(text.lines().count(), 5000 * 7);
        assert_eq!(parse(&text).get("profile p4999", "region"), Some("w"));
    }

    #[test]
    fn python_whitespace() {
        assert!(is_py_space('\u{1c}') && is_py_space('\u{a0}') && is_py_space('\u{3000}'));
        assert!(!is_py_space('\u{200b}') && !is_py_space('\u{feff}'));
        assert_eq!(writer_key("# see: x"), Some("# see"));
        assert_eq!(writer_key("==a = b"), Some("a"));
        assert_eq!(writer_key("no delimiter"), None);
        assert_eq!(writer_key("a="), Some("a"));
    }

    // -- property tests ------------------------------------------------------

    fn line_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => ("[a-e]", "[a-zA-Z0-9/+]{0,6}", prop_oneof![Just(" = "), Just("="), Just("   =  "), Just(": "), Just("\t=\t")])
                .prop_map(|(k, v, sep)| format!("{k}{sep}{v}")),
            1 => "[#;][ a-z:=]{0,8}",
            1 => Just(String::new()),
            1 => Just("  \t".to_string()),
            1 => ("[a-e]", "[a-z]{1,3}").prop_map(|(k, v)| format!("s3 =\n    {k} = {v}")),
            1 => "    [a-z]{1,5}",
        ]
    }

    fn document_strategy() -> impl Strategy<Value = String> {
        let section = ("[a-d]", prop::collection::vec(line_strategy(), 0..6));
        (
            prop::collection::vec("[#;] [a-z ]{0,6}", 0..2),
            prop::collection::vec(section, 0..4),
            any::<bool>(),
        )
            .prop_map(|(preamble, sections, final_newline)| {
                let mut text = String::new();
                for line in preamble {
                    text.push_str(&line);
                    text.push('\n');
                }
                for (name, lines) in sections {
                    text.push_str(&format!("[{name}]\n"));
                    for line in lines {
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
                if !final_newline && text.ends_with('\n') {
                    text.pop();
                }
                text
            })
    }

    /// Splits text after each '\n' (each piece keeps it).
    fn pieces(text: &str) -> Vec<&str> {
        text.split_inclusive('\n').collect()
    }

    /// Whether one set can have made `after` from `before`: one line
    /// replaced by `written`, or `written` (with `header` before it, for a
    /// new section) inserted at one point, and nothing else but an
    /// unterminated last line gaining its "\n".
    fn one_edit(before: &str, after: &str, key: &str, written: &str, header: &str) -> bool {
        let mut candidates = vec![before.to_string()];
        if !before.is_empty() && !before.ends_with('\n') {
            candidates.push(format!("{before}\n"));
        }
        candidates.iter().any(|before| {
            let (old, new) = (pieces(before), pieces(after));
            let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
            let max_suffix = old.len().min(new.len()) - prefix;
            let suffix = old
                .iter()
                .rev()
                .zip(new.iter().rev())
                .take(max_suffix)
                .take_while(|(a, b)| a == b)
                .count();
            match (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]) {
                ([], []) => true,
                ([], [l]) => *l == written,
                ([], [h, l]) => *h == header && *l == written,
                ([o], [l]) => writer_key(o) == Some(key) && *l == written,
                _ => false,
            }
        })
    }
    proptest! {
        // No failure file: shrunk failures are printed, and belong in the
        // unit tests above.
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        /// One set touches one line (replaced) or adds its line(s) at one
        /// point, plus at most the final newline; setting the same value
        /// again changes nothing; botocore reads back the value.
        #[test]
        fn set_is_local_and_idempotent(
            text in document_strategy(),
            section in "[a-e]",
            key in "[a-f]",
            value in "[a-zA-Z0-9/+ ]{0,8}",
        ) {
            let Ok(mut doc) = IniDocument::parse(&text) else { return Ok(()); };
            match doc.set(&section, &key, &value) {
                Err(_) => prop_assert_eq!(doc.render(), text.clone()),
                Ok(_) => {
                    let after = doc.render();
                    let written = format!("{key} = {value}\n");
                    let header = format!("[{section}]\n");
                    prop_assert!(one_edit(&text, &after, &key, &written, &header), "before {:?}\nafter {:?}", text, after);
                    prop_assert_eq!(doc.get(&section, &key), Some(value.trim()));
                    let reparsed = IniDocument::parse(&after);
                    prop_assert!(reparsed.is_ok(), "{:?}", reparsed.err());
                    // Setting the same value again changes nothing.
                    prop_assert_eq!(doc.set(&section, &key, &value), Ok(false));
                    prop_assert_eq!(doc.render(), after);
                }
            }
        }

        /// With CRLF line ends, a set gives the LF document's result (the
        /// writer rewrites the file in text mode), except that appending a
        /// section keeps the old lines' CRLF.
        #[test]
        fn crlf_documents_edit_like_lf_ones(
            text in document_strategy(),
            section in "[a-e]",
            key in "[a-f]",
            value in "[a-z]{0,3}",
        ) {
            let crlf = text.replace('\n', "\r\n");
            let (Ok(mut lf_doc), Ok(mut crlf_doc)) = (IniDocument::parse(&text), IniDocument::parse(&crlf)) else {
                return Ok(());
            };
            let existed = crlf_doc.has_section(&section);
            let (lf_result, crlf_result) = (lf_doc.set(&section, &key, &value), crlf_doc.set(&section, &key, &value));
            prop_assert_eq!(lf_result.is_ok(), crlf_result.is_ok());
            if existed || crlf_result.is_err() {
                let want = if crlf_result.is_ok() { lf_doc.render() } else { crlf.clone() };
                prop_assert_eq!(crlf_doc.render(), want);
            } else {
                prop_assert_eq!(crlf_doc.render().replace("\r\n", "\n"), lf_doc.render());
                prop_assert!(crlf_doc.render().starts_with(&crlf));
            }
        }

        /// Parsing then rendering gives back the text, whatever the line ends.
        #[test]
        fn parse_render_round_trip(text in document_strategy(), crlf in any::<bool>()) {
            let text = if crlf { text.replace('\n', "\r\n") } else { text };
            if let Ok(doc) = IniDocument::parse(&text) {
                prop_assert_eq!(doc.render(), text);
            }
        }

        /// Neither parse nor set panics on arbitrary input.
        #[test]
        fn no_panics(text in "[\\[\\]a-c =:#;\t\r\n\u{1c}\u{a0}]{0,40}", key in "[a-c]", value in "[a-c ]{0,3}") {
            if let Ok(mut doc) = IniDocument::parse(&text) {
                let before = doc.render();
                prop_assert_eq!(&before, &text);
                if doc.set("a", &key, &value).is_err() {
                    prop_assert_eq!(doc.render(), before);
                }
            }
        }
    }
}
