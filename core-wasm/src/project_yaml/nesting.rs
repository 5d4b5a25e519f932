//! The nesting limit, checked on the text before any parser sees it.

use super::*;

/// How deeply collections may nest: far more than any project.yaml needs
/// (`organization.accounts[].id` is three levels), and few enough that no
/// parser's work can blow up (libyaml's grows with the square of the depth:
/// 100,000 levels took 50 s).
pub(super) const MAX_DEPTH: usize = 64;

/// Refuses a document whose collections nest more than [`MAX_DEPTH`]
/// levels, naming the line of the first one too deep, before libyaml sees
/// it. yaml-rust2 produces events as it scans, so this stops at that line.
/// Syntax errors are left to the reader, which names them better.
pub(super) fn check_nesting(text: &str) -> Result<(), InputError> {
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
pub(super) fn flow_too_deep(text: &str) -> Option<usize> {
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
