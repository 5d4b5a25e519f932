//! Leverage's `project.yaml`: reading the values the command needs, and
//! writing account ids back into `organization.accounts` without disturbing
//! anything else in the file.
//!
//! Reading uses `serde_yaml` (libyaml); its errors carry a position, which
//! becomes the error's line. Every value we read must have the right type: a
//! `short_name: 12` or `email: [a]` is an error naming the line rather than a
//! value silently converted. Unknown keys are ignored; `key:` with nothing
//! (null) counts as absent. An account `id` may be any scalar (a YAML
//! integer is formatted in decimal): the caller decides whether it is an id
//! or a placeholder to replace; a list or mapping there is an error.
//!
//! Writing never re-serializes the document (that would drop comments and
//! reformat the file). Instead `yaml-rust2`'s event parser locates, inside
//! `organization.accounts`, each entry's `id` value (or where a new `id` key
//! goes) and the text is spliced at those byte offsets:
//!
//! - an existing id value is replaced, exactly its own span, by `"<id>"`
//!   (double quotes: a YAML integer would lose leading zeros);
//! - `id:` with no value gets ` "<id>"` after its colon;
//! - a block mapping entry without `id` gets a new line `id: "<id>"` after
//!   the line where the entry's last value ends, indented like the entry's
//!   keys and ended like that line (LF or CRLF); when the entry ends with
//!   a block scalar (`|`, `>`), whose end the events do not give and whose
//!   content may look like a comment, the line goes before that key instead;
//! - a flow mapping entry `{name: x, email: y}` gets `, id: "<id>"` after
//!   its last value.
//!
//! yaml-rust2's `Marker::index` is documented as a byte index but counts
//! characters (and, inside block scalars, bytes); its line (1-based) and
//! column (0-based, characters) are reliable at token starts, so positions
//! are converted from line and column. yaml-rust2 does not understand a
//! UTF-8 byte order mark: it is set aside while editing and put back.
//!
//! Markers only give where a token starts; where a scalar ends is found by
//! scanning the text with the scalar's style (and, for plain scalars, checked
//! against the parsed value). After editing, the result is parsed again and
//! must equal the original document with exactly the requested ids set;
//! otherwise the edit is refused with an error instead of writing something
//! wrong.

use crate::model::{DeclaredAccount, InputError};
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::Deserialize;
use std::fmt;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The values of a project.yaml that the command uses. Every field is `None`
/// when the key is absent or null.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectYaml {
    /// As written; the caller validates the pattern.
    pub short_name: Option<String>,
    pub project_name: Option<String>,
    pub region: Option<String>,
    pub region_primary: Option<String>,
    pub primary_region: Option<String>,
    pub secondary_region: Option<String>,
    /// `organization.accounts`, in file order.
    pub accounts: Option<Vec<DeclaredAccount>>,
}

/// The result of [`set_account_ids`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdUpdate {
    /// The whole new file content (equal to the input when nothing changed).
    pub text: String,
    /// Names of the accounts whose id changed, in file order.
    pub updated: Vec<String>,
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(expecting = "a mapping of project settings")]
struct RawProject {
    short_name: Option<Text>,
    project_name: Option<Text>,
    region: Option<Text>,
    region_primary: Option<Text>,
    primary_region: Option<Text>,
    secondary_region: Option<Text>,
    organization: Option<RawOrganization>,
}

#[derive(Deserialize)]
#[serde(expecting = "a mapping")]
struct RawOrganization {
    accounts: Option<Vec<RawAccount>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a mapping with the account's name, email and id")]
struct RawAccount {
    name: Name,
    email: Option<Text>,
    id: Option<AccountId>,
}

/// A value that must be a YAML string (not a number or boolean converted
/// to one).
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An account name: a non-empty string.
struct Name(String);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-empty string (the account name)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name, E> {
                if v.is_empty() {
                    return Err(E::invalid_value(Unexpected::Str(v), &self));
                }
                Ok(Name(v.to_owned()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// What an account id holds: any scalar, as text (a YAML integer in
/// decimal). Whether it is a usable id is the caller's decision: a template's
/// placeholder (`XXXXXXXXXXXX`, `""`, `0`) is what the run replaces.
struct AccountId(String);

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = AccountId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an account id (digits, best written as a quoted string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AccountId, E> {
                Ok(AccountId(v.to_owned()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// libyaml misreads some files that start with a byte order mark (with
/// CRLF line ends the first key keeps the mark): parse without it.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn is_digits(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
}

/// `error` from parsing `text`, with its line.
fn from_serde(error: &serde_yaml::Error, text: &str) -> InputError {
    let message = error.to_string();
    match error.location() {
        Some(location) => {
            // The line goes into the error itself; a second position in the
            // message (where a construct started) is kept.
            let position = format!(" at line {} column {}", location.line(), location.column());
            // libyaml also ends a line at U+0085, U+2028 and U+2029, which
            // editors (and the line numbers of our other errors) do not:
            // the line is counted again up to the error's byte offset.
            let line = line_at_offset(text, location.index()).unwrap_or(location.line());
            InputError::at(to_u32(line), message.replacen(&position, "", 1))
        }
        None => InputError::new(message),
    }
}

/// The 1-based line of byte `offset`, lines ending at `\n`, `\r\n` or a lone `\r`.
fn line_at_offset(text: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let before = bytes.get(..offset)?;
    let breaks = before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    Some(breaks + 1)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Reads the values the command needs from project.yaml text. An empty file
/// or one with only comments gives all `None`.
pub fn read(text: &str) -> Result<ProjectYaml, InputError> {
    let text = without_bom(text);
    check_nesting(text)?;
    let raw: Option<RawProject> = serde_yaml::from_str(text).map_err(|e| {
        let mut error = from_serde(&e, text);
        // serde_yaml places a duplicate key at the start of its mapping:
        // name the line of the second occurrence instead.
        if error.message.contains("duplicate") {
            if let Some(line) = duplicate_key_line(text) {
                error.line = Some(line);
            }
        }
        error
    })?;
    Ok(from_raw(raw))
}

/// The values the command needs, from a parsed document.
fn from_raw(raw: Option<RawProject>) -> ProjectYaml {
    let Some(raw) = raw else {
        return ProjectYaml::default();
    };
    let accounts = raw.organization.and_then(|o| o.accounts).map(|list| {
        list.into_iter()
            .map(|a| DeclaredAccount {
                name: a.name.0,
                email: a.email.map(|t| t.0),
                id: a.id.map(|i| i.0),
            })
            .collect()
    });
    ProjectYaml {
        short_name: raw.short_name.map(|t| t.0),
        project_name: raw.project_name.map(|t| t.0),
        region: raw.region.map(|t| t.0),
        region_primary: raw.region_primary.map(|t| t.0),
        primary_region: raw.primary_region.map(|t| t.0),
        secondary_region: raw.secondary_region.map(|t| t.0),
        accounts,
    }
}

// ---------------------------------------------------------------------------
// Locating things in the text
// ---------------------------------------------------------------------------

/// Byte offsets of line starts, with `\n`, `\r\n` and a lone `\r` as line
/// breaks (as yaml-rust2 counts them).
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes.get(i) {
                Some(b'\n') => starts.push(i + 1),
                Some(b'\r') => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        Lines { text, starts }
    }

    /// The byte offset of a marker (line 1-based, column in characters).
    fn offset(&self, mark: &Marker) -> Result<usize, InputError> {
        let bad = || InputError::at(to_u32(mark.line()), "cannot locate a YAML token in the text");
        let line = mark.line().checked_sub(1).ok_or_else(bad)?;
        // At the end of a text without a final line break, yaml-rust2 puts
        // its last markers at column 0 of the line after the last.
        if line >= self.starts.len() && mark.col() == 0 {
            return Ok(self.text.len());
        }
        let start = *self.starts.get(line).ok_or_else(bad)?;
        let rest = self.text.get(start..).ok_or_else(bad)?;
        let mut chars = rest.char_indices();
        for _ in 0..mark.col() {
            chars.next().ok_or_else(bad)?;
        }
        Ok(start + chars.next().map_or(rest.len(), |(i, _)| i))
    }

    /// Index (0-based) of the line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The line's content without its line break, and the break.
    fn line(&self, index: usize) -> (&'a str, &'a str) {
        let start = self.starts.get(index).copied().unwrap_or(self.text.len());
        let end = self.starts.get(index + 1).copied().unwrap_or(self.text.len());
        let full = self.text.get(start..end).unwrap_or("");
        let content = full.trim_end_matches(['\r', '\n']);
        (content, full.get(content.len()..).unwrap_or(""))
    }
}

#[derive(Debug)]
enum Kind {
    Scalar { value: String, style: TScalarStyle },
    Alias,
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A node of the document with its position in the text.
#[derive(Debug)]
struct Node {
    kind: Kind,
    /// Byte offset where the node's token starts.
    start: usize,
    /// 1-based line of `start`.
    line: u32,
    /// Byte offset just after the node when known: scalars other than block
    /// scalars, aliases, and flow collections (after the closing bracket).
    end: Option<usize>,
    /// For a block collection: the offset of the token that ends it (the
    /// next token after it, or the end of the text).
    block_end: usize,
    flow: bool,
}

/// How deeply collections may nest: far more than any project.yaml needs
/// (`organization.accounts[].id` is three levels), and few enough that no
/// parser's work can blow up (libyaml's grows with the square of the depth:
/// 100,000 levels took 50 s).
const MAX_DEPTH: usize = 64;

/// Refuses a document whose collections nest more than [`MAX_DEPTH`]
/// levels, naming the line of the first one too deep, before libyaml sees
/// it. yaml-rust2 produces events as it scans, so this stops at that line.
/// Syntax errors are left to the reader, which names them better.
fn check_nesting(text: &str) -> Result<(), InputError> {
    let too_deep = |line: usize| {
        InputError::at(
            to_u32(line),
            format!("nested more than {MAX_DEPTH} levels deep; no project.yaml needs that many"),
        )
    };
    // Deep flow collections first, by a scan of the text: yaml-rust2 (like
    // libyaml) looks ahead to the end of a flow collection before its first
    // event, which for `[[[…]]]` is the whole of it, in quadratic time.
    if let Some(line) = flow_too_deep(text) {
        return Err(too_deep(line));
    }
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        let Ok((event, mark)) = parser.next_token() else {
            return Ok(());
        };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(mark.line()));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            Event::StreamEnd => return Ok(()),
            _ => {}
        }
    }
}

/// The line of the first flow collection (`[`, `{`) nested more than
/// [`MAX_DEPTH`] deep, by a scan that knows where YAML's brackets are not
/// brackets: in comments, quoted scalars, block scalars (`|`, `>`) and
/// plain scalars (`a[b`). A quote starts a quoted scalar only where a scalar
/// may start (after indentation, `[`, `{`, `,`, `: `, `- `, `? `, a tag or an
/// anchor), so the apostrophe of `it's` quotes nothing.
fn flow_too_deep(text: &str) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Normal,
        Double,
        Single,
    }
    let bytes = text.as_bytes();
    let mut state = State::Normal;
    let (mut depth, mut line, mut i) = (0usize, 1usize, 0usize);
    // Where a scalar (or a quote) may start; the indentation of the line.
    let (mut may_start, mut indent, mut line_start) = (true, 0usize, true);
    let blank = |b: u8| b == b' ' || b == b'\t';
    let ends_token = |at: usize| bytes.get(at).is_none_or(|&b| blank(b) || b == b'\n' || b == b'\r');
    while let Some(&b) = bytes.get(i) {
        match state {
            State::Double => match b {
                b'\\' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        line += 1;
                    }
                    i += 1;
                }
                b'"' => state = State::Normal,
                b'\n' => line += 1,
                _ => {}
            },
            State::Single => match b {
                b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 1,
                b'\'' => state = State::Normal,
                b'\n' => line += 1,
                _ => {}
            },
            State::Normal if line_start => {
                // Measure the indentation, then read the line's first token.
                let start = i;
                while bytes.get(i).is_some_and(|&c| c == b' ') {
                    i += 1;
                }
                indent = i - start;
                line_start = false;
                may_start = true;
                continue;
            }
            State::Normal => match b {
                b'\n' => {
                    line += 1;
                    line_start = true;
                }
                b'#' if i == 0 || blank(bytes[i - 1]) || bytes[i - 1] == b'\n' => {
                    while bytes.get(i + 1).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                }
                b'[' | b'{' if may_start || depth > 0 => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(line);
                    }
                    may_start = true;
                }
                b']' | b'}' if depth > 0 => {
                    depth -= 1;
                    may_start = false;
                }
                b',' if depth > 0 => may_start = true,
                b'"' if may_start => state = State::Double,
                b'\'' if may_start => state = State::Single,
                b':' | b'-' | b'?' if ends_token(i + 1) => may_start = true,
                b'&' | b'!' if may_start => {
                    while !ends_token(i + 1) && !matches!(bytes.get(i + 1), Some(b',' | b']' | b'}')) {
                        i += 1;
                    }
                }
                b'|' | b'>' if may_start && depth == 0 => {
                    // A block scalar: its lines are those indented more than
                    // this one (and blank lines), whatever they hold.
                    while bytes.get(i).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                    loop {
                        let next = i + 1;
                        let rest = bytes.get(next..).unwrap_or_default();
                        let spaces = rest.iter().take_while(|&&c| c == b' ').count();
                        let after = rest.get(spaces).copied();
                        let inside = matches!(after, Some(b'\n' | b'\r')) || (after.is_some() && spaces > indent);
                        if !inside {
                            break;
                        }
                        line += 1;
                        i = next + spaces;
                        while bytes.get(i).is_some_and(|&c| c != b'\n') {
                            i += 1;
                        }
                    }
                    continue;
                }
                _ if blank(b) || b == b'\r' => {}
                _ => may_start = false,
            },
        }
        i += 1;
    }
    None
}

struct TreeBuilder<'a, 'b> {
    parser: Parser<std::str::Chars<'a>>,
    lines: &'b Lines<'a>,
}

fn scan_error(e: &yaml_rust2::scanner::ScanError) -> InputError {
    InputError::at(to_u32(e.marker().line()), format!("cannot be edited: {}", e.info()))
}

impl<'a> TreeBuilder<'a, '_> {
    fn next(&mut self) -> Result<(Event, Marker), InputError> {
        self.parser.next_token().map_err(|e| scan_error(&e))
    }

    /// The document's root node, `None` for an empty stream.
    fn root(&mut self) -> Result<Option<Node>, InputError> {
        loop {
            let (event, mark) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentStart | Event::Nothing => {}
                Event::StreamEnd | Event::DocumentEnd => return Ok(None),
                other => return self.node(other, mark, false, 0).map(Some),
            }
        }
    }

    fn node(&mut self, event: Event, mark: Marker, in_flow: bool, depth: usize) -> Result<Node, InputError> {
        let line = to_u32(mark.line());
        if depth > MAX_DEPTH {
            return Err(InputError::at(
                line,
                format!("nested more than {MAX_DEPTH} levels deep; no project.yaml needs that many"),
            ));
        }
        let start = self.lines.offset(&mark)?;
        let text = self.lines.text;
        match event {
            Event::Scalar(value, style, _, _) => {
                let end = scalar_end(self.lines, start, &value, style, in_flow);
                Ok(Node {
                    kind: Kind::Scalar { value, style },
                    start,
                    line,
                    end,
                    block_end: start,
                    flow: false,
                })
            }
            Event::Alias(_) => {
                let end = alias_end(text, start);
                Ok(Node {
                    kind: Kind::Alias,
                    start,
                    line,
                    end,
                    block_end: start,
                    flow: false,
                })
            }
            Event::SequenceStart(..) => {
                let opens_flow = text.get(start..).is_some_and(|s| s.starts_with('['));
                let mut items = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::SequenceEnd {
                        let close = self.lines.offset(&mark)?;
                        let end = if opens_flow {
                            closing_bracket(text, close, ']')
                        } else {
                            None
                        };
                        let flow = end.is_some();
                        return Ok(Node {
                            kind: Kind::Seq(items),
                            start,
                            line,
                            end,
                            block_end: close,
                            flow,
                        });
                    }
                    items.push(self.node(event, mark, in_flow || opens_flow, depth + 1)?);
                }
            }
            Event::MappingStart(..) => {
                let opens_flow = text.get(start..).is_some_and(|s| s.starts_with('{'));
                let mut entries = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::MappingEnd {
                        let close = self.lines.offset(&mark)?;
                        let end = if opens_flow {
                            closing_bracket(text, close, '}')
                        } else {
                            None
                        };
                        let flow = end.is_some();
                        return Ok(Node {
                            kind: Kind::Map(entries),
                            start,
                            line,
                            end,
                            block_end: close,
                            flow,
                        });
                    }
                    let key = self.node(event, mark, in_flow || opens_flow, depth + 1)?;
                    let (event, mark) = self.next()?;
                    let value = self.node(event, mark, in_flow || opens_flow, depth + 1)?;
                    entries.push((key, value));
                }
            }
            _ => Err(InputError::at(line, "unexpected YAML structure")),
        }
    }
}

/// The offset just after the bracket closing a flow collection. yaml-rust2
/// marks the end of a flow collection at its closing bracket, or at a
/// trailing comma before it: step over commas, blanks and comments.
fn closing_bracket(text: &str, from: usize, bracket: char) -> Option<usize> {
    let mut chars = text.get(from..)?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == bracket => return Some(from + i + 1),
            ',' | ' ' | '\t' | '\r' | '\n' => {}
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            _ => return None,
        }
    }
    None
}

/// The line of the first key that repeats an earlier key of its mapping.
fn duplicate_key_line(text: &str) -> Option<u32> {
    fn walk(node: &Node) -> Option<u32> {
        match &node.kind {
            Kind::Map(entries) => {
                for (i, (key, value)) in entries.iter().enumerate() {
                    if let Some(k) = scalar_value(key) {
                        if entries.iter().take(i).any(|(other, _)| scalar_value(other) == Some(k)) {
                            return Some(key.line);
                        }
                    }
                    if let Some(line) = walk(key).or_else(|| walk(value)) {
                        return Some(line);
                    }
                }
                None
            }
            Kind::Seq(items) => items.iter().find_map(walk),
            _ => None,
        }
    }
    let lines = Lines::new(text);
    let root = TreeBuilder {
        parser: Parser::new_from_str(text),
        lines: &lines,
    }
    .root()
    .ok()??;
    walk(&root)
}

fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

/// Where a scalar starting at `start` ends, by scanning the text; `None` for
/// block scalars and when the text does not match what the parser read.
fn scalar_end(lines: &Lines, start: usize, value: &str, style: TScalarStyle, in_flow: bool) -> Option<usize> {
    let rest = lines.text.get(start..)?;
    match style {
        TScalarStyle::DoubleQuoted => {
            let mut chars = rest.char_indices();
            if chars.next()?.1 != '"' {
                return None;
            }
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next()?;
                    }
                    '"' => return Some(start + i + 1),
                    _ => {}
                }
            }
            None
        }
        TScalarStyle::SingleQuoted => {
            let mut chars = rest.char_indices().peekable();
            if chars.next()?.1 != '\'' {
                return None;
            }
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().map(|&(_, c)| c) == Some('\'') {
                        chars.next();
                    } else {
                        return Some(start + i + 1);
                    }
                }
            }
            None
        }
        TScalarStyle::Plain if value.is_empty() => Some(start),
        TScalarStyle::Plain => plain_end(lines, start, value, in_flow),
        TScalarStyle::Literal | TScalarStyle::Folded => None,
    }
}

/// The part of one line that a plain scalar can occupy from `from`: up to a
/// line break, a ` #` comment, a `: ` value indicator or (in flow context) a
/// flow indicator; trailing blanks excluded. Returns (content end, whether
/// the scalar certainly stops here).
fn plain_line(text: &str, from: usize, in_flow: bool) -> (usize, bool) {
    let rest = text.get(from..).unwrap_or("");
    let mut prev_ws = true;
    let mut end = from;
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' || c == '\r' {
            return (end, false);
        }
        if c == '#' && prev_ws {
            return (end, true);
        }
        if c == ':' {
            let next = chars.peek().map(|&(_, n)| n);
            let stops = match next {
                None => true,
                Some(n) => is_ws(n) || n == '\n' || n == '\r' || (in_flow && is_flow_indicator(n)),
            };
            if stops {
                return (end, true);
            }
        }
        if in_flow && is_flow_indicator(c) {
            return (end, true);
        }
        prev_ws = is_ws(c);
        if !prev_ws {
            end = from + i + c.len_utf8();
        }
    }
    (end, true)
}

/// The end of a plain scalar, which may continue on following lines (folded
/// with spaces, blank lines giving newlines); checked against the value.
fn plain_end(lines: &Lines, start: usize, value: &str, in_flow: bool) -> Option<usize> {
    let text = lines.text;
    let (end, stops) = plain_line(text, start, in_flow);
    let mut folded = text.get(start..end)?.to_owned();
    if folded == value {
        return Some(end);
    }
    if stops || !value.starts_with(&folded) {
        return None;
    }
    let mut index = lines.line_of(start);
    let mut blank_lines = 0usize;
    for _ in 0..10_000 {
        index += 1;
        let line_start = *lines.starts.get(index)?;
        let (content, _) = lines.line(index);
        let trimmed = content.trim_start_matches(is_ws);
        if trimmed.is_empty() {
            blank_lines += 1;
            continue;
        }
        if trimmed.starts_with('#') {
            return None;
        }
        let from = line_start + (content.len() - trimmed.len());
        let (end, stops) = plain_line(text, from, in_flow);
        let piece = text.get(from..end)?;
        if blank_lines == 0 {
            folded.push(' ');
        } else {
            folded.push_str(&"\n".repeat(blank_lines));
        }
        blank_lines = 0;
        folded.push_str(piece);
        if folded == value {
            return Some(end);
        }
        if stops || !value.starts_with(&folded) {
            return None;
        }
    }
    None
}

fn alias_end(text: &str, start: usize) -> Option<usize> {
    let rest = text.get(start..)?;
    if !rest.starts_with('*') {
        return None;
    }
    let len = rest
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c.is_whitespace() || is_flow_indicator(c))
        .map_or(rest.len(), |(i, _)| i);
    Some(start + len)
}

/// Where the content of a node ends in the text.
enum LastEnd {
    Known(usize),
    /// Ends with a block scalar: its end is not known from the events.
    Unknown,
    /// Nothing written (an empty value).
    Empty,
}

fn last_end(node: &Node) -> LastEnd {
    match &node.kind {
        Kind::Scalar {
            value,
            style: TScalarStyle::Plain,
        } if value.is_empty() => LastEnd::Empty,
        Kind::Scalar {
            style: TScalarStyle::Literal | TScalarStyle::Folded,
            ..
        } => LastEnd::Unknown,
        _ if node.flow || matches!(node.kind, Kind::Scalar { .. } | Kind::Alias) => {
            node.end.map_or(LastEnd::Unknown, LastEnd::Known)
        }
        // A block sequence ending with an empty item (a `-` and nothing
        // more) ends on that `-`'s line, which no event gives: unknown, not
        // the end of an earlier item (found by fuzzing).
        Kind::Seq(items) => match items.last().map(last_end) {
            Some(LastEnd::Empty) => LastEnd::Unknown,
            Some(end) => end,
            None => LastEnd::Empty,
        },
        Kind::Map(entries) => entries
            .iter()
            .rev()
            .flat_map(|(k, v)| [v, k])
            .map(last_end)
            .find(|e| !matches!(e, LastEnd::Empty))
            .unwrap_or(LastEnd::Empty),
        _ => LastEnd::Unknown,
    }
}

fn scalar_value(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar { value, .. } => Some(value),
        _ => None,
    }
}

fn map_get<'n>(node: &'n Node, key: &str) -> Option<&'n (Node, Node)> {
    match &node.kind {
        Kind::Map(entries) => entries.iter().find(|(k, _)| scalar_value(k) == Some(key)),
        _ => None,
    }
}

/// The line break to use for a new line inserted after line `index`.
fn line_break_after(lines: &Lines, index: usize) -> String {
    let (_, brk) = lines.line(index);
    if !brk.is_empty() {
        return brk.to_owned();
    }
    let text = lines.text;
    match text.find(['\n', '\r']) {
        Some(i) if text.get(i..).is_some_and(|s| s.starts_with("\r\n")) => "\r\n".to_owned(),
        Some(i) if text.get(i..).is_some_and(|s| s.starts_with('\r')) => "\r".to_owned(),
        _ => "\n".to_owned(),
    }
}

/// One splice: replace `text[start..end]` by `insert`.
struct Edit {
    start: usize,
    end: usize,
    insert: String,
}

/// An edit inserting `line` (without line break) as a new line after line
/// `index`.
fn insert_line_after(lines: &Lines, index: usize, line: &str) -> Edit {
    let brk = line_break_after(lines, index);
    match lines.starts.get(index + 1) {
        Some(&at) => Edit {
            start: at,
            end: at,
            insert: format!("{line}{brk}"),
        },
        None => {
            let at = lines.text.len();
            Edit {
                start: at,
                end: at,
                insert: format!("{brk}{line}"),
            }
        }
    }
}

/// For a block entry whose last value is a block scalar: the last line of
/// the entry, found by going back from the token after the entry over blank
/// lines and comment lines indented no deeper than the entry's keys (block
/// scalar content is always indented deeper).
fn block_entry_last_line(lines: &Lines, entry: &Node, key_indent: usize) -> usize {
    let first = lines.line_of(entry.start);
    let end_line = lines.line_of(entry.block_end);
    let end_line_start = lines.starts.get(end_line).copied().unwrap_or(0);
    let before_end = lines.text.get(end_line_start..entry.block_end).unwrap_or("");
    let mut index = if before_end.trim_matches(is_ws).is_empty() {
        end_line.saturating_sub(1)
    } else {
        end_line
    };
    while index > first {
        let (content, _) = lines.line(index);
        let trimmed = content.trim_start_matches(' ');
        let indent = content.len() - trimmed.len();
        let trimmed = trimmed.trim_matches(is_ws);
        if trimmed.is_empty() || (trimmed.starts_with('#') && indent <= key_indent) {
            index -= 1;
        } else {
            break;
        }
    }
    index
}

fn quoted(id: &str) -> String {
    format!("\"{id}\"")
}

/// The edit setting the id of one account entry.
fn entry_edit(lines: &Lines, entry: &Node, name: &str, id: &str) -> Result<Edit, InputError> {
    let text = lines.text;
    let cannot = |line: u32, why: &str| InputError::at(line, format!("cannot set the id of account `{name}`: {why}"));
    let Kind::Map(entries) = &entry.kind else {
        return Err(cannot(entry.line, "the entry is not a mapping"));
    };
    if let Some((key, value)) = map_get(entry, "id") {
        return match &value.kind {
            Kind::Scalar {
                value: v,
                style: TScalarStyle::Plain,
            } if v.is_empty() => {
                // `id:` without a value: put it after the colon.
                let key_end = key
                    .end
                    .ok_or_else(|| cannot(key.line, "the `id` key is not on one line"))?;
                let after = text.get(key_end..).unwrap_or("");
                let blanks = after.len() - after.trim_start_matches(is_ws).len();
                if after.get(blanks..).is_some_and(|s| s.starts_with(':')) {
                    let at = key_end + blanks + 1;
                    // `id: &anchor` or `id: !tag` is an empty value with
                    // something written after the colon: a value put right
                    // after the colon would not parse (found by
                    // fuzzing).
                    let rest = text.get(at..).unwrap_or("");
                    let rest = rest.split(['\n', '\r']).next().unwrap_or("").trim_matches(is_ws);
                    if rest.starts_with(['&', '!']) {
                        return Err(cannot(
                            key.line,
                            "its `id:` has an anchor or a tag but no value; write it as `id: \"<digits>\"`",
                        ));
                    }
                    Ok(Edit {
                        start: at,
                        end: at,
                        insert: format!(" {}", quoted(id)),
                    })
                } else {
                    Ok(Edit {
                        start: key_end,
                        end: key_end,
                        insert: format!(": {}", quoted(id)),
                    })
                }
            }
            Kind::Scalar {
                style: TScalarStyle::Literal | TScalarStyle::Folded,
                ..
            } => Err(cannot(
                key.line,
                "the id is a block scalar; write it as `id: \"<digits>\"`",
            )),
            Kind::Scalar { .. } | Kind::Alias => {
                let end = value
                    .end
                    .ok_or_else(|| cannot(value.line, "the end of the id value cannot be located"))?;
                Ok(Edit {
                    start: value.start,
                    end,
                    insert: quoted(id),
                })
            }
            _ => Err(cannot(value.line, "the id is not a single value")),
        };
    }
    let (first_key, _) = entries
        .first()
        .ok_or_else(|| cannot(entry.line, "the entry is empty"))?;
    if entry.flow {
        let at = match last_end(entry_content(entry)) {
            LastEnd::Known(end) => end,
            _ => return Err(cannot(entry.line, "the end of the entry cannot be located")),
        };
        // Step over the `:` of a trailing key without value (`{a: b, c: }`).
        let after = text.get(at..).unwrap_or("");
        let blanks = after.len() - after.trim_start_matches(is_ws).len();
        let at = if after.get(blanks..).is_some_and(|s| s.starts_with(':')) {
            let after_colon = text.get(at + blanks + 1..).unwrap_or("");
            at + blanks + 1 + (after_colon.len() - after_colon.trim_start_matches(is_ws).len())
        } else {
            at
        };
        let space = if text.get(..at).is_some_and(|s| s.ends_with(':')) {
            " "
        } else {
            ""
        };
        return Ok(Edit {
            start: at,
            end: at,
            insert: format!("{space}, id: {}", quoted(id)),
        });
    }
    let key_line = lines.line_of(first_key.start);
    let key_line_start = lines.starts.get(key_line).copied().unwrap_or(0);
    let key_indent = text
        .get(key_line_start..first_key.start)
        .map_or(0, |s| s.chars().count());
    let new_line = format!("{}id: {}", " ".repeat(key_indent), quoted(id));
    let last_line = match last_end(entry) {
        LastEnd::Known(end) => lines.line_of(end.saturating_sub(1).max(first_key.start)),
        LastEnd::Unknown => {
            // The entry ends with a block scalar (`|`, `>`), whose end the
            // events do not give and whose content may look like comments
            // or end without a line break: put the id line before the key
            // holding it, when that key starts its own line.
            let last_key = entries
                .iter()
                .rev()
                .find(|(k, v)| !matches!(last_end(v), LastEnd::Empty) || !matches!(last_end(k), LastEnd::Empty))
                .map(|(k, _)| k);
            if let Some(key) = last_key.filter(|k| k.start != first_key.start) {
                let line = lines.line_of(key.start);
                let line_start = lines.starts.get(line).copied().unwrap_or(0);
                if text.get(line_start..key.start).is_some_and(|s| s.chars().all(is_ws)) && line > 0 {
                    let brk = line_break_after(lines, line - 1);
                    return Ok(Edit {
                        start: line_start,
                        end: line_start,
                        insert: format!("{new_line}{brk}"),
                    });
                }
            }
            block_entry_last_line(lines, entry, key_indent)
        }
        LastEnd::Empty => return Err(cannot(entry.line, "the end of the entry cannot be located")),
    };
    Ok(insert_line_after(lines, last_line, &new_line))
}

/// A flow mapping's content for [`last_end`]: the mapping itself would
/// answer with its closing bracket.
fn entry_content(entry: &Node) -> &Node {
    struct_last_child(entry).unwrap_or(entry)
}

fn struct_last_child(entry: &Node) -> Option<&Node> {
    let Kind::Map(entries) = &entry.kind else {
        return None;
    };
    entries
        .iter()
        .rev()
        .flat_map(|(k, v)| [v, k])
        .find(|n| !matches!(last_end(n), LastEnd::Empty))
}

/// Sets the `id` of the accounts named in `ids` (pairs of name and id, ids
/// being strings of digits) in project.yaml's `organization.accounts`,
/// changing nothing else in the text. Names not in the file are ignored; an
/// id that already has the given value is left as written. A file without
/// `organization.accounts` is returned unchanged.
pub fn set_account_ids(text: &str, ids: &[(String, String)]) -> Result<IdUpdate, InputError> {
    for (name, id) in ids {
        if !is_digits(id) {
            return Err(InputError::new(format!(
                "the id given for account `{name}` is not a string of digits"
            )));
        }
    }
    let unchanged = || IdUpdate {
        text: text.to_owned(),
        updated: Vec::new(),
    };
    // One parse of the original serves both reading its accounts and, in
    // `verify`, the comparison with the edited text (a 5,000-account file
    // costs a few milliseconds a parse).
    let (before, original) = read_document(text)?;
    let Some(accounts) = before.accounts else {
        return Ok(unchanged());
    };
    // The last id given for a name wins. A map, not a search per account:
    // that is quadratic for thousands of accounts.
    let wanted_ids: std::collections::BTreeMap<&str, &str> =
        ids.iter().map(|(n, id)| (n.as_str(), id.as_str())).collect();
    let wanted = |name: &str| wanted_ids.get(name).copied();
    let mut changes: Vec<(usize, &str)> = Vec::new();
    for (index, account) in accounts.iter().enumerate() {
        if let Some(id) = wanted(&account.name) {
            if account.id.as_deref() != Some(id) {
                changes.push((index, id));
            }
        }
    }
    if changes.is_empty() {
        return Ok(unchanged());
    }

    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let lines = Lines::new(body);
    let root = TreeBuilder {
        parser: Parser::new_from_str(body),
        lines: &lines,
    }
    .root()?;
    let not_found = || InputError::new("cannot locate organization.accounts for editing");
    let root = root.ok_or_else(not_found)?;
    let (_, organization) = map_get(&root, "organization").ok_or_else(not_found)?;
    let (_, list) = map_get(organization, "accounts").ok_or_else(not_found)?;
    let Kind::Seq(items) = &list.kind else {
        return Err(InputError::at(
            list.line,
            "cannot edit organization.accounts: it is not written as a list here",
        ));
    };
    if items.len() != accounts.len() {
        return Err(InputError::at(
            list.line,
            "cannot edit organization.accounts: the parsers disagree on its entries",
        ));
    }

    let mut edits = Vec::new();
    let mut updated: Vec<String> = Vec::new();
    let mut updated_names: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for &(index, id) in &changes {
        let (Some(item), Some(account)) = (items.get(index), accounts.get(index)) else {
            return Err(not_found());
        };
        let name_here = map_get(item, "name").and_then(|(_, v)| scalar_value(v));
        if name_here != Some(account.name.as_str()) {
            return Err(InputError::at(
                item.line,
                "cannot edit organization.accounts: the parsers disagree on an entry's name",
            ));
        }
        edits.push(entry_edit(&lines, item, &account.name, id)?);
        if updated_names.insert(account.name.as_str()) {
            updated.push(account.name.clone());
        }
    }

    edits.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(text.len() + 32 * edits.len());
    out.push_str(bom);
    let mut at = 0;
    for edit in &edits {
        if edit.start < at || edit.end < edit.start {
            return Err(InputError::new("cannot edit organization.accounts: overlapping edits"));
        }
        out.push_str(body.get(at..edit.start).ok_or_else(not_found)?);
        out.push_str(&edit.insert);
        at = edit.end;
    }
    out.push_str(body.get(at..).ok_or_else(not_found)?);

    verify(original?, &out, &accounts, &changes)?;
    Ok(IdUpdate { text: out, updated })
}

/// A parsed project.yaml, or why the text does not parse as one.
type Document = Result<serde_yaml::Value, InputError>;

/// [`read`], also giving the parsed document, or why the text does not
/// parse as one: a document is stricter than `read` in a few corners, such
/// as a duplicate key inside a value `read` ignores. The values are read
/// from the document when there is one; where a parsed value is stricter
/// than the text (a null or non-string mapping key, a custom tag), from the
/// text, as `read` does.
fn read_document(text: &str) -> Result<(ProjectYaml, Document), InputError> {
    let body = without_bom(text);
    check_nesting(body)?;
    match serde_yaml::from_str::<serde_yaml::Value>(body) {
        Ok(document) => {
            let values = match Option::<RawProject>::deserialize(&document) {
                Ok(raw) => from_raw(raw),
                Err(_) => read(text)?,
            };
            Ok((values, Ok(document)))
        }
        Err(e) => Ok((read(text)?, Err(from_serde(&e, body)))),
    }
}

/// Checks that `edited` reads as the `original` document with exactly the
/// requested ids set: the same accounts, and the same document in every
/// other value.
fn verify(
    mut want: serde_yaml::Value,
    edited: &str,
    accounts: &[DeclaredAccount],
    changes: &[(usize, &str)],
) -> Result<(), InputError> {
    let refuse = |why: &str| {
        InputError::new(format!(
            "refusing to write project.yaml: the edited text {why} (please report this; the file was left unchanged)"
        ))
    };
    let list = want
        .get_mut("organization")
        .and_then(|o| o.get_mut("accounts"))
        .and_then(|a| a.as_sequence_mut())
        .ok_or_else(|| refuse("cannot be compared"))?;
    for &(index, id) in changes {
        let entry = list
            .get_mut(index)
            .and_then(|e| e.as_mapping_mut())
            .ok_or_else(|| refuse("cannot be compared"))?;
        entry.insert(
            serde_yaml::Value::String("id".to_owned()),
            serde_yaml::Value::String(id.to_owned()),
        );
    }
    // The edited text is parsed once (a 5,000-account file costs a few
    // milliseconds a parse): its accounts are read from that parse
    // through the same `RawProject` as `read`, and the whole document is
    // compared below.
    let (after, got) = read_document(edited).map_err(|e| refuse(&format!("does not read back ({e})")))?;
    let got = got.map_err(|e| refuse(&format!("does not parse ({e})")))?;
    let mut expected: Vec<DeclaredAccount> = accounts.to_vec();
    for &(index, id) in changes {
        if let Some(account) = expected.get_mut(index) {
            account.id = Some(id.to_owned());
        }
    }
    if after.accounts.as_ref() != Some(&expected) {
        return Err(refuse("does not hold the expected account ids"));
    }
    if got != want {
        return Err(refuse("would change more than the account ids"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(name: &str, email: Option<&str>, id: Option<&str>) -> DeclaredAccount {
        DeclaredAccount {
            name: name.into(),
            email: email.map(Into::into),
            id: id.map(Into::into),
        }
    }

    fn ids(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, i)| ((*n).to_owned(), (*i).to_owned())).collect()
    }

    fn set(text: &str, pairs: &[(&str, &str)]) -> IdUpdate {
        let update = match set_account_ids(text, &ids(pairs)) {
            Ok(u) => u,
            Err(e) => panic!("set_account_ids failed: {e}\n{text}"),
        };
        // Setting the same ids again changes nothing.
        let again = set_account_ids(&update.text, &ids(pairs));
        assert_eq!(
            again,
            Ok(IdUpdate {
                text: update.text.clone(),
                updated: vec![]
            }),
            "not idempotent"
        );
        update
    }

    /// The check of an edit reads the accounts from its parse of the edited
    /// text; where a parsed value is stricter than the text (here a null
    /// mapping key, which `read` skips as an unknown field), it reads the
    /// text, and the ids are still written.
    #[test]
    fn ids_are_written_beside_a_null_key() {
        let text = "organization:\n  accounts:\n  - name: security\n    ~: odd\n";
        assert!(
            Option::<RawProject>::deserialize(&serde_yaml::from_str::<serde_yaml::Value>(text).unwrap()).is_err(),
            "this test needs a document that only reads through the text"
        );
        let update = set(text, &[("security", "111111111111")]);
        let accounts = read(&update.text).unwrap().accounts.unwrap();
        assert_eq!(accounts[0].id.as_deref(), Some("111111111111"), "{}", update.text);
    }

    /// `set_account_ids` reads the accounts from its parsed document; that
    /// must give what `read` gives whenever `read` accepts the text. (Checked
    /// also over the local fuzz corpus of both project.yaml targets, 44,648
    /// texts, when this was written.)
    #[test]
    fn the_document_reads_as_the_text_does() {
        let texts = [
            "short_name: ex\norganization:\n  accounts:\n  - name: a\n    id: 012345678901\n  - {name: b, id: \"1\"}\n",
            "organization:\n  accounts:\n  - &x\n    name: a\n    email: a@x.com\n  - *x\n",
            "base: &b {name: shared}\norganization:\n  accounts:\n  - <<: *b\n    id: 12\n  - name: c\n",
            "organization:\n  accounts:\n  - name: !!str 12\n    id: !!str 0123\n",
            "organization:\n  accounts:\n  - name: security\n    ~: odd\n    7: seven\n",
            "other: {k: 1, k: 2}\nshort_name: ex\n",
            "\u{feff}region: us-east-1 # c\n\norganization: {accounts: [{name: a, email: ~}]}\n",
            "project_name: !custom x\n",
            "organization:\n  accounts:\n  - name: a\n    id: 0x1F\n",
            "organization:\n  accounts:\n  - name: \"a\\u0041\"\n    extra: |\n      text\n",
            "# only a comment\n",
            "",
            "organization:\n  accounts: ~\n",
        ];
        for text in texts {
            match read(text) {
                Ok(values) => {
                    let (from_document, _) = read_document(text).unwrap();
                    assert_eq!(from_document, values, "{text:?}");
                }
                Err(error) => assert_eq!(read_document(text).err(), Some(error), "{text:?}"),
            }
        }
    }

    /// Template placeholders in an id's place read as written: the caller
    /// replaces them, and `set_account_ids` writes over them.
    #[test]
    fn any_scalar_id_reads_as_written_and_is_replaced() {
        for (written, read_as) in [
            ("XXXXXXXXXXXX", "XXXXXXXXXXXX"),
            ("\"\"", ""),
            ("-5", "-5"),
            ("1.5", "1.5"),
            ("true", "true"),
            ("\"12 34\"", "12 34"),
        ] {
            let text = format!("organization:\n  accounts:\n  - name: a\n    id: {written}\n");
            let values = read(&text).unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(values.accounts.unwrap()[0].id.as_deref(), Some(read_as), "{written}");
            let u = set(&text, &[("a", "123456789012")]);
            assert_eq!(
                u.text, "organization:\n  accounts:\n  - name: a\n    id: \"123456789012\"\n",
                "{written}"
            );
        }
    }

    fn err_line(text: &str) -> (Option<u32>, String) {
        match read(text) {
            Ok(v) => panic!("expected an error for {text:?}, got {v:?}"),
            Err(e) => (e.line, e.message),
        }
    }

    // ----- reading -----

    #[test]
    fn reads_every_key() {
        let text = "project_name: example\nshort_name: ex\nregion: us-east-2\nregion_primary: us-east-1\n\
primary_region: eu-west-1\nsecondary_region: us-west-2\norganization:\n  accounts:\n  - name: management\n    \
email: management-aws@example.com\n    id: \"012345678901\"\n  - name: security\n    email: security-aws@example.com\n    \
id: 123456789012\n  - name: shared\n  organizational_units:\n  - name: security\n    policy:\n    - aws_policy_name\n";
        let p = read(text).unwrap_or_default();
        assert_eq!(
            p,
            ProjectYaml {
                short_name: Some("ex".into()),
                project_name: Some("example".into()),
                region: Some("us-east-2".into()),
                region_primary: Some("us-east-1".into()),
                primary_region: Some("eu-west-1".into()),
                secondary_region: Some("us-west-2".into()),
                accounts: Some(vec![
                    acc("management", Some("management-aws@example.com"), Some("012345678901")),
                    acc("security", Some("security-aws@example.com"), Some("123456789012")),
                    acc("shared", None, None),
                ]),
            }
        );
    }

    /// (fuzzing, target `project_yaml_set` in strict mode): an entry
    /// whose last value is a block sequence ending with an empty item got
    /// its `id` line between the key and the items, and the edit was refused.
    #[test]
    fn entry_ending_with_an_empty_sequence_item() {
        for (text, expected) in [
            (
                "organization:\n  accounts:\n  - name: management\n    tags:\n      - ",
                "organization:\n  accounts:\n  - name: management\n    id: \"111111111111\"\n    tags:\n      - ",
            ),
            (
                "organization:\n  accounts:\n  - name: management\n    tags:\n      - a\n      -\n  - name: b\n",
                "organization:\n  accounts:\n  - name: management\n    id: \"111111111111\"\n    tags:\n      - a\n      -\n  - name: b\n",
            ),
        ] {
            assert_eq!(set(text, &[("management", "111111111111")]).text, expected);
        }
    }

    /// (fuzzing, target `project_yaml_set` in strict mode): `id:`
    /// with an anchor and no value got the id between the colon and the
    /// anchor, which does not parse (the edit was refused by the final
    /// check); it is now a clear error on its line.
    #[test]
    fn empty_id_with_an_anchor_or_tag_is_a_clear_error() {
        for text in [
            "organization:\n  accounts:\n  - name: apps\n    id: &a\n",
            "organization:\n  accounts:\n  - name: apps\n    id: &a # later\n",
        ] {
            let error = match set_account_ids(text, &ids(&[("apps", "111111111111")])) {
                Ok(update) => panic!("expected an error, got {}", update.text),
                Err(e) => e,
            };
            assert_eq!(error.line, Some(4), "{error}");
            assert!(error.message.contains("anchor or a tag"), "{error}");
        }
        // A comment after an empty `id:` is no obstacle.
        let text = "organization:\n  accounts:\n  - name: apps\n    id: # later\n";
        assert_eq!(
            set(text, &[("apps", "111111111111")]).text,
            text.replace("id: #", "id: \"111111111111\" #")
        );
    }

    /// (fuzzing, target `project_yaml_read`): libyaml counts U+0085,
    /// U+2028 and U+2029 as line breaks, so an error after one named a line
    /// past the end of the file.
    #[test]
    fn error_lines_count_only_cr_and_lf_line_breaks() {
        assert_eq!(err_line("\u{e9}: 1\u{85}b: 1\u{2028}c: [\n").0, Some(2));
        assert_eq!(err_line("a: 1\r\nb: 1\rc: 'x\u{2029}\n").0, Some(4));
        assert_eq!(err_line("short_name: bb\nregion: [1]\n").0, Some(2));
    }

    #[test]
    fn empty_and_comment_only_files_have_nothing() {
        for text in ["", "\n\n", "# just a comment\n", "---\n", "\u{feff}", "# a\n\n  # b"] {
            assert_eq!(read(text), Ok(ProjectYaml::default()), "{text:?}");
        }
    }

    #[test]
    fn absent_and_null_values_are_none() {
        let p = read("short_name:\nproject_name: ~\norganization:\nother: [1, 2]\n").unwrap_or_default();
        assert_eq!(p, ProjectYaml::default());
        let p = read("organization:\n  accounts:\n").unwrap_or_default();
        assert_eq!(p.accounts, None);
        let p = read("organization:\n  accounts: []\n").unwrap_or_default();
        assert_eq!(p.accounts, Some(vec![]));
        let p = read("organization:\n  accounts:\n  - name: a\n    id:\n    email: null\n").unwrap_or_default();
        assert_eq!(p.accounts, Some(vec![acc("a", None, None)]));
    }

    #[test]
    fn ids_are_strings_of_digits() {
        let text = "organization:\n  accounts:\n  - {name: a, id: 123456789012}\n  - {name: b, id: '000000000001'}\n  \
- {name: c, id: 012345678901}\n  - {name: d, id: !!str 42}\n";
        let p = read(text).unwrap_or_default();
        let got: Vec<Option<String>> = p.accounts.unwrap_or_default().into_iter().map(|a| a.id).collect();
        assert_eq!(
            got,
            vec![
                Some("123456789012".to_owned()),
                Some("000000000001".to_owned()),
                Some("012345678901".to_owned()),
                Some("42".to_owned())
            ]
        );
    }

    #[test]
    fn unknown_keys_and_crlf_and_bom_are_fine() {
        let text = "\u{feff}short_name: ex\r\nterraform_version: 1.5\r\norganization:\r\n  extra: {a: b}\r\n  accounts:\r\n  - name: x\r\n    tags: [1]\r\n";
        let p = read(text).unwrap_or_default();
        assert_eq!(p.short_name.as_deref(), Some("ex"));
        assert_eq!(p.accounts, Some(vec![acc("x", None, None)]));
    }

    #[test]
    fn malformed_files_name_the_line() {
        let org = "project_name: x\norganization:\n  accounts:\n";
        let cases: Vec<(String, u32, &str)> = vec![
            ("short_name: 12\n".into(), 1, "short_name"),
            ("project_name: x\nshort_name: [a, b]\n".into(), 2, "short_name"),
            ("a: 1\n\nproject_name: true\n".into(), 3, "project_name"),
            ("a: 1\nprimary_region: {x: 1}\n".into(), 2, "primary_region"),
            ("short_name: ex\norganization: 5\n".into(), 2, "organization"),
            ("short_name: ex\norganization:\n- a\n".into(), 3, "organization"),
            ("organization:\n  accounts: 5\n".into(), 2, "accounts"),
            ("organization:\n  accounts:\n    name: x\n".into(), 3, "accounts"),
            (
                format!("{org}  - name: a\n  - email: b@example.com\n"),
                5,
                "missing field `name`",
            ),
            (format!("{org}  - management\n"), 4, "accounts[0]"),
            (format!("{org}  - name: 5\n"), 4, "name"),
            (format!("{org}  - name: ''\n"), 4, "name"),
            (format!("{org}  - name: a\n    email: [x]\n"), 5, "email"),
            (format!("{org}  - name: a\n    id: {{x: 1}}\n"), 5, "id"),
            (format!("{org}  - name: a\n    id: [1]\n"), 5, "id"),
            ("a: [\n".into(), 2, ""),
            ("a: b\n  c: d\n".into(), 2, ""),
            ("a: 1\nb: 'unterminated\n".into(), 3, "quoted scalar at line 2 column 4"),
            ("- a\n- b\n".into(), 1, ""),
            ("a: 1\nshort_name: x\nshort_name: y\n".into(), 3, "duplicate"),
            ("a:\n\t- b\n".into(), 2, ""),
        ];
        for (text, line, needle) in &cases {
            let (got_line, message) = err_line(text);
            assert_eq!(got_line, Some(*line), "{text:?}: {message}");
            assert!(message.contains(needle), "{text:?}: {message}");
            assert!(!message.contains(&format!(" at line {line} ")), "{text:?}: {message}");
        }
    }

    #[test]
    fn error_display_names_the_line_once() {
        let e = read("organization:\n  accounts: 5\n")
            .err()
            .unwrap_or_else(|| InputError::new(""));
        assert_eq!(
            e.to_string(),
            "line 2: organization.accounts: invalid type: integer `5`, expected a sequence"
        );
    }

    // ----- writing -----

    const TEMPLATE: &str =
        "project_name: example\nshort_name: ex\nprimary_region: us-east-1\norganization:\n  accounts:\n  \
- name: management\n    email: management-aws@example.com\n  - name: security\n    email: security-aws@example.com\n  \
organizational_units:\n  - name: security\n    accounts:\n    - security\n";

    #[test]
    fn inserts_ids_in_block_entries() {
        let u = set(
            TEMPLATE,
            &[("management", "012345678901"), ("security", "123456789012")],
        );
        assert_eq!(u.updated, vec!["management", "security"]);
        assert_eq!(
            u.text,
            TEMPLATE
                .replace(
                    "management-aws@example.com\n",
                    "management-aws@example.com\n    id: \"012345678901\"\n"
                )
                .replace(
                    "security-aws@example.com\n",
                    "security-aws@example.com\n    id: \"123456789012\"\n"
                )
        );
    }

    #[test]
    fn indentless_and_indented_sequences_and_comments() {
        let text = "organization:\n  accounts:\n  # the payer\n  - name: management # root\n    email: m@example.com # mail\n    # no id yet\n  - name: apps\n";
        let u = set(text, &[("management", "111111111111")]);
        assert_eq!(u.text, text.replace("# mail\n", "# mail\n    id: \"111111111111\"\n"));
        let text = "organization:\n  accounts:\n      - name: a\n        email: a@example.com\n      - name: b\n";
        let u = set(text, &[("a", "1"), ("b", "2")]);
        assert_eq!(
            u.text,
            "organization:\n  accounts:\n      - name: a\n        email: a@example.com\n        id: \"1\"\n      - name: b\n        id: \"2\"\n"
        );
        let text = "accounts:\n- name: a\norganization:\n  accounts:\n  - name: a\n";
        let u = set(text, &[("a", "1")]);
        assert_eq!(
            u.text,
            "accounts:\n- name: a\norganization:\n  accounts:\n  - name: a\n    id: \"1\"\n"
        );
    }

    #[test]
    fn replaces_existing_ids_exactly() {
        let text = "organization:\n  accounts:\n  - name: a\n    id: 123 # old\n    email: a@x\n  - name: b\n    id: '0042'\n  - name: c\n    id: \"7\"\n";
        let u = set(text, &[("a", "000000000123"), ("b", "5"), ("c", "8")]);
        assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    id: \"000000000123\" # old\n    email: a@x\n  - name: b\n    id: \"5\"\n  - name: c\n    id: \"8\"\n"
        );
        assert_eq!(u.updated, vec!["a", "b", "c"]);
    }

    #[test]
    fn equal_ids_are_left_as_written() {
        let text =
            "organization:\n  accounts:\n  - name: a\n    id: 123456789012\n  - name: b\n    id: '000000000042'\n";
        let u = set(text, &[("a", "123456789012"), ("b", "000000000042")]);
        assert_eq!(
            u,
            IdUpdate {
                text: text.to_owned(),
                updated: vec![]
            }
        );
    }

    #[test]
    fn null_id_gets_a_value() {
        let text = "organization:\n  accounts:\n  - name: a\n    id: # later\n    email: e\n  - {name: b, id: }\n  - {name: c, id}\n";
        let u = set(text, &[("a", "1"), ("b", "2"), ("c", "3")]);
        assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    id: \"1\" # later\n    email: e\n  - {name: b, id: \"2\" }\n  - {name: c, id: \"3\"}\n"
        );
    }

    #[test]
    fn flow_entries() {
        let text = "organization:\n  accounts: [{name: a, email: a@x}, {name: b, }, {name: c, email: },\n    {name: d,\n     email: d@x}  ]\n";
        let u = set(text, &[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]);
        assert_eq!(
            u.text,
            "organization:\n  accounts: [{name: a, email: a@x, id: \"1\"}, {name: b, id: \"2\", }, {name: c, email: , id: \"3\"},\n    {name: d,\n     email: d@x, id: \"4\"}  ]\n"
        );
        let text = "organization:\n  accounts:\n  - {name: a, email: \"a@x\"}   # first\n  - {name: b, id: 99}\n";
        let u = set(text, &[("a", "1"), ("b", "2")]);
        assert_eq!(u.text, "organization:\n  accounts:\n  - {name: a, email: \"a@x\", id: \"1\"}   # first\n  - {name: b, id: \"2\"}\n");
    }

    #[test]
    fn bom_before_the_organization() {
        let text = "\u{feff}organization:\r\n  accounts:\r\n  - name: a\r\n";
        let u = set(text, &[("a", "1")]);
        assert_eq!(
            u.text,
            "\u{feff}organization:\r\n  accounts:\r\n  - name: a\r\n    id: \"1\"\r\n"
        );
    }

    #[test]
    fn crlf_and_bom_and_missing_final_newline() {
        let text =
            "\u{feff}organization:\r\n  accounts:\r\n  - name: a\r\n    email: a@x\r\n  - name: b\r\n    email: b@x";
        let u = set(text, &[("a", "1"), ("b", "2")]);
        assert_eq!(
            u.text,
            "\u{feff}organization:\r\n  accounts:\r\n  - name: a\r\n    email: a@x\r\n    id: \"1\"\r\n  - name: b\r\n    email: b@x\r\n    id: \"2\""
        );
    }

    #[test]
    fn nested_and_block_scalar_values_last() {
        let text = "organization:\n  accounts:\n  - name: a\n    tags:\n      - x\n      - y\n    # after tags\n  - name: b\n    note: |\n      line one\n      # not a comment\n\n    # a comment\n  - name: c\n    note: >-\n      héllo\n      wörld";
        let u = set(text, &[("a", "1"), ("b", "2"), ("c", "3")]);
        assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    tags:\n      - x\n      - y\n    id: \"1\"\n    # after tags\n  - name: b\n    id: \"2\"\n    note: |\n      line one\n      # not a comment\n\n    # a comment\n  - name: c\n    id: \"3\"\n    note: >-\n      héllo\n      wörld"
        );
    }

    #[test]
    fn block_scalar_name_only() {
        let text = "organization:\n  accounts:\n  - name: >-\n      a\n    # comment\n\n  - name: b\n";
        let u = set(text, &[("a", "1")]);
        assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: >-\n      a\n    id: \"1\"\n    # comment\n\n  - name: b\n"
        );
        // Keep chomping: the trailing blank line belongs to the name, so a
        // line cannot go after the name without changing it.
        let text = "organization:\n  accounts:\n  - name: |+\n      a\n\n  - name: b\n";
        assert!(set_account_ids(text, &ids(&[("a\n\n", "1")])).is_err());
    }

    #[test]
    fn multi_line_plain_and_quoted_values_last() {
        let text = "organization:\n  accounts:\n  - name: a\n    note: a long\n      plain text\n  - name: b\n    note: \"quoted \\\"and\n      folded\"\n  - name: c\n";
        let u = set(text, &[("a", "1"), ("b", "2")]);
        assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    note: a long\n      plain text\n    id: \"1\"\n  - name: b\n    note: \"quoted \\\"and\n      folded\"\n    id: \"2\"\n  - name: c\n"
        );
    }

    #[test]
    fn non_ascii_before_the_id() {
        let text = "project_name: «ñandú»\norganization:\n  accounts:\n  - {name: ñandú, email: \"é@x\", id: 1}\n  - name: 名前\n    email: 名前@x # ü\n    id: 2 # ü\n";
        let u = set(text, &[("ñandú", "10"), ("名前", "20")]);
        assert_eq!(
            u.text,
            "project_name: «ñandú»\norganization:\n  accounts:\n  - {name: ñandú, email: \"é@x\", id: \"10\"}\n  - name: 名前\n    email: 名前@x # ü\n    id: \"20\" # ü\n"
        );
    }

    #[test]
    fn unknown_names_and_files_without_accounts_are_untouched() {
        let u = set(TEMPLATE, &[("nobody", "1")]);
        assert_eq!(
            u,
            IdUpdate {
                text: TEMPLATE.to_owned(),
                updated: vec![]
            }
        );
        for text in [
            "",
            "# nothing\n",
            "short_name: ex\n",
            "organization:\n  organizational_units: []\n",
            "organization:\n  accounts:\n",
        ] {
            let u = set(text, &[("management", "1")]);
            assert_eq!(
                u,
                IdUpdate {
                    text: text.to_owned(),
                    updated: vec![]
                }
            );
        }
        let u = set("organization:\n  accounts: []\n", &[("management", "1")]);
        assert!(u.updated.is_empty());
    }

    #[test]
    fn keys_other_than_name_first_and_quoted_keys() {
        let text = "organization:\n  accounts:\n  - email: a@x\n    \"name\": a\n  -\n    'name': b\n";
        let u = set(text, &[("a", "1"), ("b", "2")]);
        assert_eq!(u.text, "organization:\n  accounts:\n  - email: a@x\n    \"name\": a\n    id: \"1\"\n  -\n    'name': b\n    id: \"2\"\n");
    }

    #[test]
    fn duplicate_names_all_get_the_id() {
        let text = "organization:\n  accounts:\n  - name: a\n  - name: a\n    id: 5\n";
        let u = set(text, &[("a", "5")]);
        assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    id: \"5\"\n  - name: a\n    id: 5\n"
        );
        assert_eq!(u.updated, vec!["a"]);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(set_account_ids(TEMPLATE, &ids(&[("management", "12a")])).is_err());
        assert!(set_account_ids(TEMPLATE, &ids(&[("management", "")])).is_err());
        let e = set_account_ids("organization:\n  accounts: 5\n", &ids(&[("a", "1")]));
        assert_eq!(e.err().and_then(|e| e.line), Some(2));
        let e = set_account_ids(
            "organization:\n  accounts:\n  - name: a\n    id: |\n      12\n",
            &ids(&[("a", "1")]),
        );
        assert_eq!(e.err().and_then(|e| e.line), Some(4));
    }

    #[test]
    fn json_style_file() {
        let text = "{\"short_name\": \"js\", \"organization\": {\"accounts\": [{\"name\": \"a\"}, {\"name\": \"b\", \"id\": \"1\"}]}}\n";
        let u = set(text, &[("a", "2"), ("b", "3")]);
        assert_eq!(
            u.text,
            "{\"short_name\": \"js\", \"organization\": {\"accounts\": [{\"name\": \"a\", id: \"2\"}, {\"name\": \"b\", \"id\": \"3\"}]}}\n"
        );
    }

    #[test]
    fn tabs_and_tags() {
        let text = "organization:\n  accounts:\n  - name: a\n    id:\t!!str 0123\t# tagged\n  - name: b\t# tab\n";
        let u = set(text, &[("a", "4"), ("b", "5")]);
        assert_eq!(u.text, "organization:\n  accounts:\n  - name: a\n    id:\t!!str \"4\"\t# tagged\n  - name: b\t# tab\n    id: \"5\"\n");
        // libyaml reads `name:<tab>b`, yaml-rust2 does not: a clear error
        // with the line, nothing written.
        let text = "organization:\n  accounts:\n  - name: a\n  - name:\tb\n";
        assert_eq!(read(text).map(|p| p.accounts.map(|a| a.len())), Ok(Some(2)));
        let e = set_account_ids(text, &ids(&[("a", "1")])).err();
        assert_eq!(e.and_then(|e| e.line), Some(4));
    }

    #[test]
    fn aliases() {
        let text = "base: &id 42\norganization:\n  accounts:\n  - name: a\n    id: *id\n";
        let u = set(text, &[("a", "1")]);
        assert_eq!(
            u.text,
            "base: &id 42\norganization:\n  accounts:\n  - name: a\n    id: \"1\"\n"
        );
    }

    #[test]
    fn plain_scalar_scanning() {
        let end = |text: &str, start, value, flow| plain_end(&Lines::new(text), start, value, flow);
        assert_eq!(end("a: b c # x\n", 3, "b c", false), Some(6));
        assert_eq!(end("{a: b, c: d}", 4, "b", true), Some(5));
        assert_eq!(end("a: b\n  c\n\n  d\ne: f", 3, "b c\nd", false), Some(13));
        assert_eq!(end("a: b\n  c\n", 3, "zzz", false), None);
        assert_eq!(end("a: b\n  c # x\n  d\n", 3, "b c d", false), None);
        assert_eq!(alias_end("x: *abc, y", 3), Some(7));
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        #[derive(Debug, Clone)]
        struct Entry {
            flow: bool,
            email: bool,
            /// 0 none, 1 plain integer, 2 single quoted, 3 double quoted, 4 empty, 5 `~`
            id_style: u8,
            id_first: bool,
            comment: bool,
            comment_after: bool,
            set: Option<u64>,
        }

        fn entry() -> impl Strategy<Value = Entry> {
            (
                any::<bool>(),
                any::<bool>(),
                0u8..6,
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                proptest::option::of(0u64..1_000_000_000_000),
            )
                .prop_map(|(flow, email, id_style, id_first, comment, comment_after, set)| Entry {
                    flow,
                    email,
                    id_style,
                    id_first,
                    comment,
                    comment_after,
                    set,
                })
        }

        fn render(entries: &[Entry], indent: usize, crlf: bool, final_newline: bool) -> String {
            let pad = " ".repeat(indent);
            let mut lines = vec![
                "short_name: pt".to_owned(),
                "organization:".to_owned(),
                "  accounts:".to_owned(),
            ];
            for (i, e) in entries.iter().enumerate() {
                let id = match e.id_style {
                    1 => Some(format!("{}", 100 + i)),
                    2 => Some(format!("'{:012}'", i)),
                    3 => Some(format!("\"{:012}\"", i)),
                    4 => Some(String::new()),
                    5 => Some("~".to_owned()),
                    _ => None,
                };
                let mut keys = vec![format!("name: acc{i}")];
                if e.email {
                    keys.push(format!("email: acc{i}@example.com"));
                }
                if let Some(id) = id {
                    let kv = if id.is_empty() {
                        "id:".to_owned()
                    } else {
                        format!("id: {id}")
                    };
                    if e.id_first {
                        keys.insert(0, kv);
                    } else {
                        keys.push(kv);
                    }
                }
                let comment = if e.comment { "  # note" } else { "" };
                if e.flow {
                    let body = keys
                        .iter()
                        .map(|k| if k == "id:" { "id: ".to_owned() } else { k.clone() })
                        .collect::<Vec<_>>()
                        .join(", ");
                    lines.push(format!("{pad}- {{{body}}}{comment}"));
                } else {
                    for (j, k) in keys.iter().enumerate() {
                        let lead = if j == 0 { format!("{pad}- ") } else { format!("{pad}  ") };
                        lines.push(format!("{lead}{k}{comment}"));
                    }
                }
                if e.comment_after {
                    lines.push(format!("{pad}  # after acc{i}"));
                }
            }
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = lines.join(eol);
            if final_newline {
                text.push_str(eol);
            }
            text
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
            #[test]
            fn sets_exactly_the_requested_ids(
                entries in proptest::collection::vec(entry(), 1..6),
                indent in 2usize..5,
                crlf in any::<bool>(),
                final_newline in any::<bool>(),
            ) {
                let text = render(&entries, indent, crlf, final_newline);
                let pairs: Vec<(String, String)> = entries
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| e.set.map(|id| (format!("acc{i}"), format!("{id:012}"))))
                    .collect();
                let result = set_account_ids(&text, &pairs);
                prop_assert!(result.is_ok(), "{:?}\n{}", result, text);
                let update = result.unwrap_or_else(|_| IdUpdate { text: String::new(), updated: vec![] });
                let accounts = read(&update.text).ok().and_then(|p| p.accounts).unwrap_or_default();
                prop_assert_eq!(accounts.len(), entries.len());
                for (name, id) in &pairs {
                    let got = accounts.iter().find(|a| &a.name == name).and_then(|a| a.id.clone());
                    prop_assert_eq!(got.as_ref(), Some(id));
                }
                prop_assert_eq!(update.text.matches('\r').count() > 0, crlf && (update.text.contains('\n')));
                let again = set_account_ids(&update.text, &pairs);
                prop_assert_eq!(again, Ok(IdUpdate { text: update.text.clone(), updated: vec![] }));
            }
        }
    }
}

#[cfg(test)]
mod nesting_tests {
    use super::*;

    fn deep(open: &str, close: &str, n: usize) -> String {
        format!("{}{}", open.repeat(n), close.repeat(n))
    }

    #[test]
    fn flow_nesting_over_the_limit_is_refused_at_its_line() {
        let text = format!("short_name: bb\n# a comment\nx: {}\n", deep("[", "]", 65));
        assert_eq!(flow_too_deep(&text), Some(3));
        let text = format!("short_name: bb\nx: {}\n", deep("{a: ", "}", 65));
        assert_eq!(flow_too_deep(&text), Some(2));
        assert_eq!(flow_too_deep(&format!("x: {}\n", deep("[", "]", 64))), None);
    }

    /// Brackets that are not YAML's count for nothing: in comments, quoted
    /// and block scalars, and plain scalars.
    #[test]
    fn brackets_inside_text_are_not_nesting() {
        let many = "[".repeat(100);
        for text in [
            format!("# {many}\nshort_name: bb\n"),
            format!("x: \"{many}\"\n"),
            format!("x: '{many}'\n"),
            format!("x: 'it''s {many}'\n"),
            format!("x: \"a \\\" {many}\"\n"),
            format!("x: a{many}\n"),
            format!("x: it's {many}\n"),
            format!("x: |\n  {many}\n\n  {many}\ny: 1\n"),
            format!("- >-\n    {many}\n- b\n"),
            format!("x: [a, b] # {many}\n"),
        ] {
            assert_eq!(flow_too_deep(&text), None, "{text:?}");
        }
    }

    /// After a block scalar the scan goes on, with the right line.
    #[test]
    fn the_scan_resumes_after_a_block_scalar() {
        let text = format!("x: |\n  [[[\ny: {}\n", deep("[", "]", 65));
        assert_eq!(flow_too_deep(&text), Some(3));
    }
}
