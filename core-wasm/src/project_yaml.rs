//! Leverage's `project.yaml`: reading the values the command needs, and
//! writing account ids back into `organization.accounts` without disturbing
//! anything else in the file.
//!
//! Reading uses `serde_norway` (libyaml); its errors carry a position, which
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

mod nesting;
mod reading;
mod tree;

use nesting::*;
pub use reading::read;
use reading::*;
use tree::*;

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
type Document = Result<serde_norway::Value, InputError>;

/// [`read`], also giving the parsed document, or why the text does not
/// parse as one: a document is stricter than `read` in a few corners, such
/// as a duplicate key inside a value `read` ignores. The values are read
/// from the document when there is one; where a parsed value is stricter
/// than the text (a null or non-string mapping key, a custom tag), from the
/// text, as `read` does.
fn read_document(text: &str) -> Result<(ProjectYaml, Document), InputError> {
    let body = without_bom(text);
    check_nesting(body)?;
    match serde_norway::from_str::<serde_norway::Value>(body) {
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
    mut want: serde_norway::Value,
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
            serde_norway::Value::String("id".to_owned()),
            serde_norway::Value::String(id.to_owned()),
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
mod tests;
