//! Where things are in the source text, and the items of an HCL object:
//! what the write-back needs to insert text that looks hand-written.

use super::*;

// --- Text positions ---------------------------------------------------------

/// The byte offset where the line holding `offset` starts.
pub(super) fn line_start(src: &str, offset: usize) -> usize {
    src.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The indentation before `offset` when only spaces and tabs precede it on its line.
pub(super) fn indent_before(src: &str, offset: usize) -> Option<&str> {
    let indent = src.get(line_start(src, offset)..offset)?;
    indent.bytes().all(|b| b == b' ' || b == b'\t').then_some(indent)
}

/// Characters from the start of the line to `offset`.
pub(super) fn column_of(src: &str, offset: usize) -> usize {
    src.get(line_start(src, offset)..offset)
        .map_or(0, |s| s.chars().count())
}

pub(super) fn width(s: &str) -> usize {
    s.chars().count()
}

/// Skip spaces, tabs and `/* */` comments from `pos` (not line ends).
pub(super) fn skip_inline_trivia(src: &str, mut pos: usize) -> usize {
    let bytes = src.as_bytes();
    loop {
        match bytes.get(pos) {
            Some(b' ' | b'\t') => pos += 1,
            Some(b'/') if bytes.get(pos + 1) == Some(&b'*') => {
                match src.get(pos + 2..).and_then(|rest| rest.find("*/")) {
                    Some(i) => pos += 2 + i + 2,
                    None => return src.len(),
                }
            }
            _ => return pos,
        }
    }
}

/// Where the line holding the end of a construct at `pos` ends: just after its
/// line end, past any trailing comment. `None` at the end of a file that has
/// no final line end.
pub(super) fn after_line_end(src: &str, pos: usize) -> Option<usize> {
    let pos = skip_inline_trivia(src, pos);
    src.get(pos..)?.find('\n').map(|i| pos + i + 1)
}

// --- Objects ----------------------------------------------------------------

/// An item of an object as written.
pub(super) struct Item<'a> {
    pub(super) name: String,
    pub(super) key_start: usize,
    pub(super) expr: &'a Expression,
    pub(super) value: Range<usize>,
    pub(super) comma: bool,
    /// Only spaces and tabs before the key on its line.
    pub(super) indent: Option<&'a str>,
    /// Column of the `=` (or `:`).
    pub(super) eq_col: usize,
    /// The value spans more than one line.
    pub(super) multiline: bool,
    /// The key is a quoted string.
    pub(super) quoted_key: bool,
}

pub(super) fn items<'a>(src: &'a str, object: &'a Object, what: &str) -> Result<Vec<Item<'a>>, InputError> {
    let mut out = Vec::new();
    for (key, value) in object.iter() {
        let key_span = span_of(key)?;
        let value_span = span_of(value.expr())?;
        let eq_col = src
            .get(key_span.end..value_span.start)
            .and_then(|between| between.find(['=', ':']))
            .map_or(column_of(src, key_span.end) + 1, |i| column_of(src, key_span.end + i));
        out.push(Item {
            name: key_name(src, key, what)?,
            key_start: key_span.start,
            expr: value.expr(),
            multiline: src.get(value_span.clone()).is_some_and(|v| v.contains('\n')),
            value: value_span,
            comma: value.terminator() == ObjectValueTerminator::Comma,
            indent: indent_before(src, key_span.start),
            eq_col,
            quoted_key: matches!(key, ObjectKey::Expression(Expression::String(_))),
        });
    }
    Ok(out)
}

/// An item to add to an object: its key and its value as text.
pub(super) struct NewItem {
    pub(super) key: String,
    pub(super) value: String,
    /// The value spans lines (its `=` is then never aligned).
    pub(super) multiline: bool,
}

/// How items are laid out when an object gets new items and has none to copy.
#[derive(Clone)]
pub(super) struct Layout {
    /// One item per line.
    pub(super) multiline: bool,
    /// Indentation of items, and of the closing brace, on their own lines.
    pub(super) indent: String,
    pub(super) close_indent: String,
    /// A comma after items that are not the last, and after the last.
    pub(super) sep_comma: bool,
    pub(super) last_comma: bool,
    /// Align the `=` of one-line items on consecutive lines.
    pub(super) align: bool,
    /// `{ a = 1 }` rather than `{a = 1}`.
    pub(super) brace_space: bool,
}

impl Layout {
    /// The same layout for an object whose closing brace is indented by
    /// `close_indent`: items one indentation step deeper.
    pub(super) fn rebased(&self, close_indent: &str) -> Layout {
        let step = self
            .indent
            .strip_prefix(self.close_indent.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("  ");
        Layout {
            indent: format!("{close_indent}{step}"),
            close_indent: close_indent.to_string(),
            ..self.clone()
        }
    }
}

/// `key = value` lines for `new`, each with `indent`, `=` aligned on `eq_col`
/// (when given) or among themselves (when `align`), commas as asked.
pub(super) fn item_lines(
    new: &[NewItem],
    indent: &str,
    eq_col: Option<usize>,
    align: bool,
    comma: impl Fn(bool) -> bool,
) -> Vec<String> {
    let own_col = new
        .iter()
        .filter(|item| !item.multiline)
        .map(|item| width(indent) + width(&item.key) + 1)
        .max();
    let target = eq_col.or(if align { own_col } else { None });
    new.iter()
        .enumerate()
        .map(|(i, item)| {
            let col = if item.multiline { None } else { target };
            let line = attribute_line(indent, &item.key, col, &item.value);
            let comma = if comma(i + 1 == new.len()) { "," } else { "" };
            format!("{line}{comma}")
        })
        .collect()
}

/// A new object holding `new`, as `layout` says.
pub(super) fn fresh_object(new: &[NewItem], layout: &Layout, eol: &str) -> String {
    if layout.multiline {
        let lines = item_lines(new, &layout.indent, None, layout.align, |last| {
            if last {
                layout.last_comma
            } else {
                layout.sep_comma
            }
        });
        let mut out = format!("{{{eol}");
        for line in lines {
            out.push_str(&line);
            out.push_str(eol);
        }
        out.push_str(&layout.close_indent);
        out.push('}');
        out
    } else {
        let items: Vec<String> = new
            .iter()
            .map(|item| format!("{} = {}", item.key, item.value))
            .collect();
        let space = if layout.brace_space { " " } else { "" };
        let trailing = if layout.last_comma { "," } else { "" };
        format!("{{{space}{}{trailing}{space}}}", items.join(", "))
    }
}

/// The edit that adds `new` to `object` (at `span`, holding `existing`):
/// after the last item, in its style, or as `layout` says when there is none.
pub(super) fn insert_items(
    src: &str,
    span: Range<usize>,
    existing: &[Item<'_>],
    new: &[NewItem],
    layout: &Layout,
    eol: &str,
) -> Result<Edit, InputError> {
    let close = span
        .end
        .checked_sub(1)
        .filter(|&c| src.as_bytes().get(c) == Some(&b'}'));
    let close = close.ok_or_else(|| internal("an object does not end with `}`"))?;
    let open = span.start;
    let inner = src.get(open + 1..close).unwrap_or_default();
    let close_line = line_start(src, close);
    // The closing brace is alone on its line: new items go on lines before it.
    let close_alone = inner.contains('\n') && src.get(close_line..close).is_some_and(|s| s.trim().is_empty());

    let Some(last) = existing.last() else {
        if close_alone {
            let lines = item_lines(new, &layout.indent, None, layout.align, |last| {
                if last {
                    layout.last_comma
                } else {
                    layout.sep_comma
                }
            });
            return Ok(Edit::insert(
                close_line,
                lines.iter().map(|l| format!("{l}{eol}")).collect(),
            ));
        }
        if inner.trim().is_empty() {
            return Ok(Edit {
                range: span,
                text: fresh_object(new, layout, eol),
            });
        }
        // Only comments inside a one-line object: the items go before the brace.
        let items: Vec<String> = new
            .iter()
            .map(|item| format!("{} = {}", item.key, item.value))
            .collect();
        return Ok(Edit::insert(close, format!("{} ", items.join(", "))));
    };

    if close_alone {
        let indent = last.indent.unwrap_or(&layout.indent);
        let eq_col = (!last.multiline).then_some(last.eq_col);
        let lines = item_lines(new, indent, eq_col, false, |_| last.comma);
        return Ok(Edit::insert(
            close_line,
            lines.iter().map(|l| format!("{l}{eol}")).collect(),
        ));
    }
    // The object ends on the line of its last item: add the items on that line.
    let items = new.iter().map(|item| format!("{} = {}", item.key, item.value));
    if last.comma {
        let after = skip_inline_trivia(src, last.value.end);
        if src.as_bytes().get(after) == Some(&b',') {
            return Ok(Edit::insert(after + 1, items.map(|i| format!(" {i},")).collect()));
        }
    }
    Ok(Edit::insert(last.value.end, items.map(|i| format!(", {i}")).collect()))
}

/// The edit that adds `new` just before `item` of an object: on a line of its
/// own when `item` starts its line in an object of several lines.
pub(super) fn insert_before(
    src: &str,
    item: &Item<'_>,
    multiline: bool,
    new: &NewItem,
    comma: bool,
    eol: &str,
) -> Edit {
    match item.indent {
        Some(indent) if multiline => {
            let eq_col = (!item.multiline).then_some(item.eq_col);
            let line = attribute_line(indent, &new.key, eq_col, &new.value);
            let comma = if comma { "," } else { "" };
            Edit::insert(line_start(src, item.key_start), format!("{line}{comma}{eol}"))
        }
        _ => Edit::insert(item.key_start, format!("{} = {}, ", new.key, new.value)),
    }
}
