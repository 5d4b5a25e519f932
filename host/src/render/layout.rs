//! Laying text out for a terminal of a given width: wrapped words and
//! lists, tables that fit, shell commands cut between words.

use std::fmt::Write as _;

/// `text` cut into lines of at most `width` columns at `, ` boundaries,
/// every line after the first indented by `indent`.
pub(super) fn wrap_list(items: &[String], width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut column = 0;
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        if column > 0 && column + 1 + piece.chars().count() > width {
            out.push('\n');
            out.push_str(indent);
            column = indent.len();
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        column += piece.chars().count();
        out.push_str(&piece);
    }
    out
}

/// [`table`] when it fits in `width` columns. Otherwise the last column
/// goes on a line of its own under each row (indented to the second
/// column), and when the other columns are still too wide, every cell after
/// the first does: no line is cut, and no cell is broken. A last cell wider
/// than its line (a long path) stays under its row and overflows: folding
/// the whole table would not make one word fit, only make it harder to read.
pub(super) fn fit_table(rows: &[Vec<String>], indent: &str, width: usize) -> String {
    let full = table(rows, indent);
    if widest(&full) <= width {
        return full;
    }
    let first_width = rows
        .iter()
        .filter_map(|r| r.first())
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    let under = format!("{indent}{}", " ".repeat(first_width + 2));
    let heads: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r[..r.len().saturating_sub(1).max(1).min(r.len())].to_vec())
        .collect();
    let heads_table = table(&heads, indent);
    if widest(&heads_table) <= width {
        let mut out = String::new();
        for (line, row) in heads_table.lines().zip(rows) {
            let _ = writeln!(out, "{line}");
            if row.len() > 1 {
                if let Some(last) = row.last().filter(|c| !c.is_empty()) {
                    let _ = writeln!(out, "{under}{last}");
                }
            }
        }
        return out;
    }
    let mut out = String::new();
    for row in rows {
        let _ = writeln!(out, "{indent}{}", row.first().map(String::as_str).unwrap_or(""));
        for cell in row.iter().skip(1).filter(|c| !c.is_empty()) {
            let _ = writeln!(out, "{indent}    {cell}");
        }
    }
    out
}

pub(super) fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Prose cut into lines of at most `width` columns between words, lines
/// after the first starting with `indent`; a word wider than a line keeps a
/// line of its own. The result ends with a line break.
pub(super) fn wrap_words(text: &str, width: usize, indent: &str) -> String {
    let leading: String = text.chars().take_while(|c| *c == ' ').collect();
    let mut out = String::new();
    let mut line = leading.clone();
    let mut fresh = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let extra = if fresh { 0 } else { 1 };
        if !fresh && line.chars().count() + extra + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// A command line cut into lines of at most `width` columns at spaces, each
/// line but the last ending with ` \` so that the whole still pastes as one
/// command. A word is never cut: a word wider than `width` gets a line of
/// its own.
pub(super) fn shell_lines(words: &[String], indent: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in words {
        let candidate = if current.is_empty() {
            format!("{indent}{word}")
        } else {
            format!("{current} {word}")
        };
        // Room for the ` \` that ends every line but the last.
        if !current.is_empty() && candidate.chars().count() + 2 > width {
            lines.push(std::mem::take(&mut current));
            current = format!("{indent}{word}");
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    let mut out = lines.join(" \\\n");
    out.push('\n');
    out
}

/// Columns padded to their widest cell, two spaces apart, no trailing blanks.
pub(super) fn table(rows: &[Vec<String>], indent: &str) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = indent.to_string();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
