//! The `accounts` map and the `<name>_account_id` attributes: the entries
//! and ids the write-back adds, laid out like their neighbours.

use super::*;

// --- `<name>_account_id` attributes -----------------------------------------

/// `key = "id"` with the `=` at column `eq_col` when the key leaves room.
pub(super) fn attribute_line(indent: &str, key: &str, eq_col: Option<usize>, value: &str) -> String {
    let natural = width(indent) + width(key) + 1;
    let pad = eq_col.filter(|&col| col > natural).map_or(1, |col| col - natural + 1);
    format!("{indent}{key}{} = {value}", " ".repeat(pad - 1))
}

pub(super) fn insert_after_attribute(
    src: &str,
    attr: &Attribute,
    missing: &[(String, &str)],
    eol: &str,
) -> Result<Edit, InputError> {
    let span = span_of(attr)?;
    let key_span = span_of(&attr.key)?;
    let value_span = span_of(&attr.value)?;
    let indent = indent_before(src, key_span.start).unwrap_or("");
    let eq_col = src
        .get(key_span.end..value_span.start)
        .and_then(|between| between.find('='))
        .map(|i| column_of(src, key_span.end + i));
    let lines: Vec<String> = missing
        .iter()
        .map(|(key, id)| attribute_line(indent, key, eq_col, &quote(id)))
        .collect();
    Ok(match after_line_end(src, span.end) {
        Some(at) => Edit::insert(at, lines.iter().map(|l| format!("{l}{eol}")).collect()),
        // The attribute ends the file without a line end: keep it that way.
        None => Edit::insert(src.len(), lines.iter().map(|l| format!("{eol}{l}")).collect()),
    })
}

/// The text that appends `blocks` to the end of the file, a blank line before each.
pub(super) fn tail_text(src: &str, blocks: &[String], eol: &str) -> String {
    let mut out = String::new();
    if !src.is_empty() && !src.ends_with('\n') {
        out.push_str(eol);
    }
    let last_line_blank = src.is_empty() || {
        let without_end = src.strip_suffix('\n').unwrap_or(src);
        let last = without_end
            .get(line_start(without_end, without_end.len())..)
            .unwrap_or_default();
        last.trim().is_empty()
    };
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 || !last_line_blank {
            out.push_str(eol);
        }
        out.push_str(block);
        out.push_str(eol);
    }
    out
}

// --- The `accounts` map -----------------------------------------------------

/// How the entries of the map are laid out, copied from its last entry.
pub(super) struct MapStyle {
    /// For the entries of the map.
    pub(super) entries: Layout,
    /// For the items inside a new entry.
    pub(super) entry: Layout,
    /// Entry names are quoted even when they need not be.
    pub(super) quote_keys: bool,
}

impl MapStyle {
    /// The layout of the reference architecture's `accounts` map, for a map
    /// with no entry to copy from (indented from `base_indent`):
    ///
    /// ```hcl
    /// accounts = {
    ///   shared = {
    ///     email = "...",
    ///     id    = "..."
    ///   }
    /// }
    /// ```
    pub(super) fn standard(base_indent: &str) -> MapStyle {
        let entry_indent = format!("{base_indent}  ");
        MapStyle {
            entries: Layout {
                multiline: true,
                indent: entry_indent.clone(),
                close_indent: base_indent.to_string(),
                sep_comma: true,
                last_comma: false,
                align: false,
                brace_space: true,
            },
            entry: Layout {
                multiline: true,
                indent: format!("{entry_indent}  "),
                close_indent: entry_indent,
                sep_comma: true,
                last_comma: false,
                align: true,
                brace_space: true,
            },
            quote_keys: false,
        }
    }

    /// The layout of an existing map, copied from its entries: from the last
    /// one that is not empty; commas between items and `=` alignment from the
    /// last one that has several items on lines of their own.
    pub(super) fn of(src: &str, entries: &[Item<'_>], base_indent: &str) -> Result<MapStyle, InputError> {
        let mut style = MapStyle::standard(base_indent);
        let Some(last) = entries.last() else { return Ok(style) };
        style.quote_keys = last.quoted_key;
        if let Some(indent) = last.indent {
            style.entries.indent = indent.to_string();
            style.entry = style.entry.rebased(indent);
        }
        let mut objects = Vec::new();
        for e in entries {
            if let Expression::Object(object) = e.expr {
                if !object.is_empty() {
                    objects.push((e, items(src, object, "accounts")?));
                }
            }
        }
        let Some((e, inner)) = objects.last() else {
            return Ok(style);
        };
        let entry = &mut style.entry;
        entry.multiline = e.multiline;
        entry.brace_space = src
            .as_bytes()
            .get(e.value.start + 1)
            .is_some_and(|b| *b == b' ' || *b == b'\t');
        if e.multiline {
            if let Some(indent) = e.indent {
                *entry = entry.rebased(indent);
            }
            if let Some(indent) = inner.first().and_then(|i| i.indent) {
                entry.indent = indent.to_string();
            }
            if let Some(indent) = indent_before(src, e.value.end.saturating_sub(1)) {
                entry.close_indent = indent.to_string();
            }
        }
        if let Some(item) = inner.last() {
            entry.last_comma = item.comma;
        }
        // (One-line objects always separate their items with commas.)
        let several = objects.iter().rev().find(|(e, inner)| e.multiline && inner.len() >= 2);
        if let Some((_, inner)) = several {
            entry.sep_comma = inner.first().is_some_and(|i| i.comma);
            entry.align = inner
                .windows(2)
                .all(|w| w.first().map(|i| i.eq_col) == w.last().map(|i| i.eq_col));
        }
        // One-line entries on consecutive lines get their `=` aligned.
        style.entries.align = !entry.multiline;
        Ok(style)
    }
}

/// The items of a new entry: `email` then `id`, those that are known.
pub(super) fn entry_items(w: &Wanted<'_>) -> Vec<NewItem> {
    let mut out = Vec::new();
    if let Some(email) = w.email {
        out.push(NewItem {
            key: "email".to_string(),
            value: quote(email),
            multiline: false,
        });
    }
    if let Some(id) = w.id {
        out.push(NewItem {
            key: "id".to_string(),
            value: quote(id),
            multiline: false,
        });
    }
    out
}

pub(super) fn new_entry(w: &Wanted<'_>, style: &MapStyle, eol: &str) -> NewItem {
    NewItem {
        key: if style.quote_keys {
            quote(w.name)
        } else {
            object_key(w.name)
        },
        value: fresh_object(&entry_items(w), &style.entry, eol),
        multiline: style.entry.multiline,
    }
}

/// A whole new `accounts` value (the text after `accounts = `).
pub(super) fn fresh_map(wanted: &[Wanted<'_>], base_indent: &str, eol: &str, changed: &mut Vec<String>) -> String {
    let style = MapStyle::standard(base_indent);
    let entries: Vec<NewItem> = wanted
        .iter()
        .filter(|w| w.has_something())
        .map(|w| {
            changed.push(map_path(w.name));
            new_entry(w, &style, eol)
        })
        .collect();
    fresh_object(&entries, &style.entries, eol)
}

pub(super) fn patch_map(
    src: &str,
    attr: &Attribute,
    map: &Object,
    wanted: &[Wanted<'_>],
    eol: &str,
    plan: &mut Plan,
) -> Result<(), InputError> {
    let entries = items(src, map, "accounts")?;
    let base_indent = indent_before(src, span_of(attr)?.start).unwrap_or("");
    let style = MapStyle::of(src, &entries, base_indent)?;
    let mut new_entries = Vec::new();
    // Name → its first entry (a search per account is quadratic).
    let entry_by_name: std::collections::BTreeMap<&str, &Item<'_>> =
        entries.iter().rev().map(|e| (e.name.as_str(), e)).collect();
    for w in wanted {
        match entry_by_name.get(w.name) {
            Some(entry) => patch_entry(src, entry, w, &style, eol, plan)?,
            None if w.has_something() => {
                plan.attributes.push(map_path(w.name));
                new_entries.push(new_entry(w, &style, eol));
            }
            None => {}
        }
    }
    if !new_entries.is_empty() {
        plan.edits.push(insert_items(
            src,
            span_of(map)?,
            &entries,
            &new_entries,
            &style.entries,
            eol,
        )?);
    }
    Ok(())
}

pub(super) fn patch_entry(
    src: &str,
    entry: &Item<'_>,
    w: &Wanted<'_>,
    style: &MapStyle,
    eol: &str,
    plan: &mut Plan,
) -> Result<(), InputError> {
    let path = map_path(w.name);
    let Expression::Object(object) = entry.expr else {
        return Err(type_error(
            src,
            entry.expr,
            format!(
                "`{path}` must be an object like `{{ email = \"...\", id = \"...\" }}`, but it is {}",
                describe(entry.expr)
            ),
        ));
    };
    let existing = items(src, object, &path)?;
    // An empty entry is laid out like a new one, indented from its own line.
    let layout = match indent_before(src, entry.key_start) {
        Some(indent) => style.entry.rebased(indent),
        None => style.entry.clone(),
    };
    let mut add = Vec::new();
    if let Some(email) = w.email {
        match (
            existing.iter().find(|i| i.name == "email"),
            existing.iter().find(|i| i.name == "id"),
        ) {
            (Some(item), _) => {
                if !matches!(item.expr, Expression::String(s) if s.value() == email) {
                    plan.edits.push(Edit {
                        range: item.value.clone(),
                        text: quote(email),
                    });
                    plan.attributes.push(format!("{path}.email"));
                }
            }
            // `email` goes before `id`, as in every entry the reference architecture has.
            (None, Some(id)) => {
                let item = NewItem {
                    key: "email".to_string(),
                    value: quote(email),
                    multiline: false,
                };
                plan.edits
                    .push(insert_before(src, id, entry.multiline, &item, layout.sep_comma, eol));
                plan.attributes.push(format!("{path}.email"));
            }
            (None, None) => {
                add.push(NewItem {
                    key: "email".to_string(),
                    value: quote(email),
                    multiline: false,
                });
                plan.attributes.push(format!("{path}.email"));
            }
        }
    }
    if let Some(id) = w.id {
        match existing.iter().find(|i| i.name == "id") {
            Some(item) => {
                if !id_matches(src, item.expr, id) {
                    plan.edits.push(Edit {
                        range: item.value.clone(),
                        text: quote(id),
                    });
                    plan.attributes.push(format!("{path}.id"));
                }
            }
            None => {
                add.push(NewItem {
                    key: "id".to_string(),
                    value: quote(id),
                    multiline: false,
                });
                plan.attributes.push(format!("{path}.id"));
            }
        }
    }
    if !add.is_empty() {
        plan.edits
            .push(insert_items(src, entry.value.clone(), &existing, &add, &layout, eol)?);
    }
    Ok(())
}
