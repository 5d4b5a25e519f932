//! A parser for dotenv files such as Leverage's `build.env`.
//!
//! The original reads `build.env` with python-dotenv; this parser accepts the
//! same one-line forms:
//!
//! - `KEY=value`, with spaces or tabs tolerated around `=` and before `KEY`;
//! - an optional `export ` prefix;
//! - blank lines and `# comment` lines;
//! - an unquoted value ends at ` #` (whitespace then `#`: an inline comment)
//!   and has its trailing whitespace trimmed; `KEY=a#b` keeps the `#`;
//! - `'single quoted'` values are literal;
//! - `"double quoted"` values understand `\"`, `\\`, `\'`, `\n`, `\r` and
//!   `\t`; any other backslash is kept as written;
//! - after a closing quote only whitespace and a comment may follow;
//! - CRLF line ends and a leading UTF-8 byte order mark.
//!
//! Differences from python-dotenv, chosen for clear errors: a line without
//! `=` is an error (python-dotenv silently reads it as a key without a value),
//! keys are restricted to `[A-Za-z_][A-Za-z0-9_.]*`, a quoted value must be
//! closed on its own line (multi-line values are rejected), single quotes take
//! no escapes, and `KEY= # note` is an empty value followed by a comment (as a
//! shell reads it; python-dotenv reads `# note` as the value).
//!
//! Errors name the line and at most the variable name: values may be secrets
//! and never appear in an error.

use crate::model::InputError;

/// Parses dotenv text into `(key, value)` pairs in file order. A key defined
/// twice appears twice; the caller takes the last.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut pairs = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(pair) = parse_line(line).map_err(|message| InputError::at(line_no, message))? {
            pairs.push(pair);
        }
    }
    Ok(pairs)
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_key_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// One line: `Ok(None)` for a blank or comment line.
fn parse_line(line: &str) -> Result<Option<(String, String)>, String> {
    let body = line.trim_start_matches(is_blank);
    if body.is_empty() || body.starts_with('#') {
        return Ok(None);
    }
    // `export KEY=value`; but `export=value` and `export = value` define a
    // variable named `export`.
    let body = match body.strip_prefix("export") {
        Some(rest) if rest.starts_with(is_blank) => {
            let rest = rest.trim_start_matches(is_blank);
            if rest.is_empty() || rest.starts_with('=') {
                body
            } else {
                rest
            }
        }
        _ => body,
    };
    let Some((key_part, value_part)) = body.split_once('=') else {
        return Err("expected `NAME=value`, but the line has no `=` (write `# ...` for a comment)".to_string());
    };
    let key = key_part.trim_end_matches(is_blank);
    check_key(key)?;
    let value = parse_value(key, value_part)?;
    Ok(Some((key.to_string(), value)))
}

fn check_key(key: &str) -> Result<(), String> {
    let mut chars = key.chars();
    let Some(first) = chars.next() else {
        return Err("there is no variable name before `=`".to_string());
    };
    let bad = if is_key_start(first) {
        chars.find(|&c| !is_key_char(c))
    } else {
        Some(first)
    };
    let Some(bad) = bad else { return Ok(()) };
    // The name is quoted only when it cannot be a pasted secret (secrets hold
    // `/` or `+` and are 40 characters long).
    let shown = if key.chars().count() <= 32 && !key.contains(['/', '+']) {
        format!("`{key}` is not a valid variable name")
    } else {
        "the variable name is not valid".to_string()
    };
    let bad = if bad.is_whitespace() {
        "a space".to_string()
    } else {
        format!("`{bad}`")
    };
    Err(format!(
        "{shown}: it contains {bad}; a name is letters, digits, `_` and `.`, not starting with a digit"
    ))
}

/// The text after `=`.
fn parse_value(key: &str, after_equals: &str) -> Result<String, String> {
    let value = after_equals.trim_start_matches(is_blank);
    let skipped_blank = value.len() != after_equals.len();
    if let Some(rest) = value.strip_prefix('\'') {
        let Some((inner, after)) = rest.split_once('\'') else {
            return Err(unclosed(key, "single"));
        };
        check_after_quote(key, after)?;
        return Ok(inner.to_string());
    }
    if let Some(rest) = value.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.char_indices();
        loop {
            let Some((i, c)) = chars.next() else {
                return Err(unclosed(key, "double"));
            };
            match c {
                '"' => {
                    check_after_quote(key, rest.get(i + 1..).unwrap_or(""))?;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, e @ ('"' | '\\' | '\''))) => out.push(e),
                    Some((_, other)) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => return Err(unclosed(key, "double")),
                },
                other => out.push(other),
            }
        }
    }
    if value.starts_with('#') && skipped_blank {
        // `KEY= # note`: an empty value, then a comment.
        return Ok(String::new());
    }
    let end = value
        .char_indices()
        .find(|&(i, c)| c == '#' && value.get(..i).is_some_and(|before| before.ends_with(is_blank)))
        .map_or(value.len(), |(i, _)| i);
    Ok(value.get(..end).unwrap_or(value).trim_end_matches(is_blank).to_string())
}

fn unclosed(key: &str, kind: &str) -> String {
    format!(
        "the value of `{key}` opens a {kind} quote that is not closed on the same line \
         (values spanning several lines are not supported)"
    )
}

fn check_after_quote(key: &str, after: &str) -> Result<(), String> {
    let after = after.trim_start_matches(is_blank);
    if after.is_empty() || after.starts_with('#') {
        Ok(())
    } else {
        Err(format!(
            "unexpected text after the closing quote of `{key}`'s value \
             (only a `# comment` may follow it)"
        ))
    }
}

#[cfg(test)]
mod tests;
