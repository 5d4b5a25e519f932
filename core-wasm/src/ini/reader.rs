//! The reader: configparser's line-by-line state machine, plus botocore's
//! nested values.

use super::*;

/// What a line is, for configparser.
#[derive(Debug)]
pub(super) enum Kind {
    Blank,
    Comment,
    Continuation,
    Header { name: String, indent: usize },
    Key,
}

#[derive(Debug)]
pub(super) enum ReadErrorKind {
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
    pub(super) fn message(&self) -> String {
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
pub(super) struct ReadError {
    /// Position of the line, as given to [`Reader::feed`].
    pub(super) pos: usize,
    pub(super) kind: ReadErrorKind,
}

impl ReadError {
    pub(super) fn at_line(self, line_of: impl Fn(usize) -> usize) -> InputError {
        let mut message = self.kind.message();
        if let ReadErrorKind::Duplicate { first, .. } = self.kind {
            message = format!("{message} (first on line {})", line_of(first));
        }
        InputError::at(line_number(line_of(self.pos)), message)
    }
}

/// A key being read: its name and the pieces of its value.
#[derive(Debug)]
pub(super) struct PendingKey {
    pub(super) name: String,
    pub(super) written: String,
    pub(super) at: usize,
    /// The stripped text after the delimiter, on the key's own line (`at`).
    pub(super) first: String,
    /// (position, stripped text) of each continuation line (blank lines
    /// inside the value as empty pieces); none for nearly every key.
    pub(super) more: Vec<(usize, String)>,
}

/// configparser's `_read` state, one section at a time.
#[derive(Debug)]
pub(super) struct Reader {
    pub(super) in_section: bool,
    /// Indentation of the last header or key line: a deeper line continues
    /// the current key's value.
    pub(super) indent_level: usize,
    /// Index in `keys` of the key whose value continuation lines extend.
    pub(super) current: Option<usize>,
    pub(super) keys: Vec<PendingKey>,
    /// Cleared for each section, keeping its capacity.
    pub(super) by_name: NameMap<usize>,
}

impl Reader {
    pub(super) fn new() -> Reader {
        Reader {
            in_section: false,
            indent_level: 0,
            current: None,
            keys: Vec::new(),
            by_name: NameMap::default(),
        }
    }

    /// A reader positioned just after a header with this indentation.
    pub(super) fn after_header(indent: usize) -> Reader {
        Reader {
            in_section: true,
            indent_level: indent,
            ..Reader::new()
        }
    }

    pub(super) fn feed(&mut self, text: &str, pos: usize) -> Result<Kind, ReadError> {
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
    pub(super) fn finish_section(&mut self, in_default: bool) -> Result<Vec<Entry>, ReadError> {
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
pub(super) fn read_body(
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
