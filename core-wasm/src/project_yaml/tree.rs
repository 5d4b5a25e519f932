//! Locating things in the text: the document as a tree of nodes with the
//! byte ranges they span, built from yaml-rust2's events.

use super::*;

/// Byte offsets of line starts, with `\n`, `\r\n` and a lone `\r` as line
/// breaks (as yaml-rust2 counts them).
pub(super) struct Lines<'a> {
    pub(super) text: &'a str,
    pub(super) starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
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
    pub(super) fn offset(&self, mark: &Marker) -> Result<usize, InputError> {
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
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The line's content without its line break, and the break.
    pub(super) fn line(&self, index: usize) -> (&'a str, &'a str) {
        let start = self.starts.get(index).copied().unwrap_or(self.text.len());
        let end = self.starts.get(index + 1).copied().unwrap_or(self.text.len());
        let full = self.text.get(start..end).unwrap_or("");
        let content = full.trim_end_matches(['\r', '\n']);
        (content, full.get(content.len()..).unwrap_or(""))
    }
}

#[derive(Debug)]
pub(super) enum Kind {
    Scalar { value: String, style: TScalarStyle },
    Alias,
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A node of the document with its position in the text.
#[derive(Debug)]
pub(super) struct Node {
    pub(super) kind: Kind,
    /// Byte offset where the node's token starts.
    pub(super) start: usize,
    /// 1-based line of `start`.
    pub(super) line: u32,
    /// Byte offset just after the node when known: scalars other than block
    /// scalars, aliases, and flow collections (after the closing bracket).
    pub(super) end: Option<usize>,
    /// For a block collection: the offset of the token that ends it (the
    /// next token after it, or the end of the text).
    pub(super) block_end: usize,
    pub(super) flow: bool,
}

pub(super) struct TreeBuilder<'a, 'b> {
    pub(super) parser: Parser<std::str::Chars<'a>>,
    pub(super) lines: &'b Lines<'a>,
}

pub(super) fn scan_error(e: &yaml_rust2::scanner::ScanError) -> InputError {
    InputError::at(to_u32(e.marker().line()), format!("cannot be edited: {}", e.info()))
}

impl<'a> TreeBuilder<'a, '_> {
    pub(super) fn next(&mut self) -> Result<(Event, Marker), InputError> {
        self.parser.next_token().map_err(|e| scan_error(&e))
    }

    /// The document's root node, `None` for an empty stream.
    pub(super) fn root(&mut self) -> Result<Option<Node>, InputError> {
        loop {
            let (event, mark) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentStart | Event::Nothing => {}
                Event::StreamEnd | Event::DocumentEnd => return Ok(None),
                other => return self.node(other, mark, false, 0).map(Some),
            }
        }
    }

    pub(super) fn node(&mut self, event: Event, mark: Marker, in_flow: bool, depth: usize) -> Result<Node, InputError> {
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
pub(super) fn closing_bracket(text: &str, from: usize, bracket: char) -> Option<usize> {
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
pub(super) fn duplicate_key_line(text: &str) -> Option<u32> {
    pub(super) fn walk(node: &Node) -> Option<u32> {
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

pub(super) fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

pub(super) fn is_flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

/// Where a scalar starting at `start` ends, by scanning the text; `None` for
/// block scalars and when the text does not match what the parser read.
pub(super) fn scalar_end(
    lines: &Lines,
    start: usize,
    value: &str,
    style: TScalarStyle,
    in_flow: bool,
) -> Option<usize> {
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
pub(super) fn plain_line(text: &str, from: usize, in_flow: bool) -> (usize, bool) {
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
pub(super) fn plain_end(lines: &Lines, start: usize, value: &str, in_flow: bool) -> Option<usize> {
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

pub(super) fn alias_end(text: &str, start: usize) -> Option<usize> {
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
pub(super) enum LastEnd {
    Known(usize),
    /// Ends with a block scalar: its end is not known from the events.
    Unknown,
    /// Nothing written (an empty value).
    Empty,
}

pub(super) fn last_end(node: &Node) -> LastEnd {
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

pub(super) fn scalar_value(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar { value, .. } => Some(value),
        _ => None,
    }
}

pub(super) fn map_get<'n>(node: &'n Node, key: &str) -> Option<&'n (Node, Node)> {
    match &node.kind {
        Kind::Map(entries) => entries.iter().find(|(k, _)| scalar_value(k) == Some(key)),
        _ => None,
    }
}

/// The line break to use for a new line inserted after line `index`.
pub(super) fn line_break_after(lines: &Lines, index: usize) -> String {
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
