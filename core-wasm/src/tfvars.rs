//! `config/common.tfvars`: read the values the command needs, and write the
//! account ids back.
//!
//! Reading uses `hcl-edit`'s parser. Writing never re-encodes the document:
//! the parser gives every key and value its byte span in the original text,
//! and the write-back splices new text into those spans (a value replaced, a
//! line inserted), so every byte it does not mean to change stays as it was.
//! Before writing, the file must round-trip through `hcl-edit` (parse, then
//! print) unchanged, apart from CRLF line ends which its printer turns into LF:
//! a file it cannot reproduce is refused with an error rather than edited.
//! After writing, the result is parsed again and planned again: a second
//! write-back must find nothing to do, or the result is refused too.

use crate::model::{DeclaredAccount, InputError};
use hcl_edit::expr::{Expression, Object, ObjectKey, ObjectValueTerminator};
use hcl_edit::structure::{Attribute, Body};
use hcl_edit::{Ident, Span};
use std::ops::Range;

/// What `common.tfvars` says about the project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TfvarsConfig {
    pub project: Option<String>,
    pub project_long: Option<String>,
    pub region: Option<String>,
    pub region_primary: Option<String>,
    pub region_secondary: Option<String>,
    /// The `accounts` map, in file order. An id written as a number
    /// (`id = 111111111111`) is returned as the digits written, any other
    /// value that is not a string as its source text (`true`, `[]`): ids are
    /// checked by the caller, which treats what is not an id as a
    /// placeholder to replace.
    pub accounts: Vec<DeclaredAccount>,
    /// Every top-level `<name>_account_id = "<id>"` attribute, in file order,
    /// as (`<name>`, `<id>`), e.g. `("shared", "333333333333")`; values as
    /// for `accounts`.
    pub account_id_attributes: Vec<(String, String)>,
}

/// The text after a write-back and what changed in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteBack {
    pub text: String,
    /// The attributes set or added, e.g. `shared_account_id`,
    /// `accounts.shared.id`, `accounts.shared.email`, `accounts.newacct`
    /// (a new entry). Empty when the text is unchanged.
    pub attributes: Vec<String>,
}

const ACCOUNT_ID_SUFFIX: &str = "_account_id";

/// Read the values of `common.tfvars`.
///
/// Empty strings and `null` count as absent. Errors name the 1-based line:
/// HCL syntax errors, and values of the wrong type (`project` not a string,
/// `accounts` or one of its entries not an object, ...). Ids are returned
/// as written, whatever they hold (see [`TfvarsConfig::accounts`]).
pub fn read(text: &str) -> Result<TfvarsConfig, InputError> {
    let (_, src) = split_bom(text);
    let body = parse(src)?;
    let mut config = TfvarsConfig::default();
    for attr in body.attributes() {
        let key = attr.key.as_str();
        let slot = match key {
            "project" => Some(&mut config.project),
            "project_long" => Some(&mut config.project_long),
            "region" => Some(&mut config.region),
            "region_primary" => Some(&mut config.region_primary),
            "region_secondary" => Some(&mut config.region_secondary),
            _ => None,
        };
        if let Some(slot) = slot {
            *slot = plain_string(src, &attr.value, key)?;
        } else if key == "accounts" {
            config.accounts = read_accounts(src, &attr.value)?;
        } else if let Some(name) = account_id_attribute_name(key) {
            if let Some(id) = account_id(src, &attr.value) {
                config.account_id_attributes.push((name.to_string(), id));
            }
        }
    }
    Ok(config)
}

/// Write the accounts into `common.tfvars`, patching the
/// text in place:
///
/// - for every account with an id and a name that makes a valid HCL
///   identifier, `<name>_account_id = "<id>"`: an existing value is replaced
///   in place (the whitespace around it and a trailing comment stay); a
///   missing attribute is added on a new line after the last existing
///   `*_account_id` attribute (aligned on its `=`); a file without any
///   top-level `*_account_id` does not use that style and gets none (the
///   `accounts` map replaced it);
/// - the `accounts` map gets one entry `<name> = { email = "...", id = "..." }`
///   per account that has an email or an id, in the order given: existing
///   entries (which keep their place) get `id` and `email` replaced in place,
///   or added (`email` before `id`, else after the last item); missing
///   entries are appended after the last entry, laid out like the existing
///   ones (indentation, one line or several, commas, quoted names, `=`
///   alignment); a missing `email` or `id` is left out, never written as
///   `"None"`; a missing `accounts` is added at the end of the file. Names
///   that are not identifiers (`Log Archive`) are quoted.
///
/// A value that is already right is left untouched, even an id written as a
/// number; any other value in an id's place (a template's `"XXXXXXXXXXXX"`,
/// `""`, `0`, `true`) is replaced when the account's id is known. Nothing else in the text changes. Applying the result again
/// changes nothing.
pub fn write_back(text: &str, accounts: &[DeclaredAccount]) -> Result<WriteBack, InputError> {
    let (bom, src) = split_bom(text);
    let body = parse(src)?;
    let wanted = wanted_accounts(accounts);
    let planned = plan(src, &body, &wanted)?;
    if planned.edits.is_empty() {
        return Ok(WriteBack {
            text: text.to_string(),
            attributes: Vec::new(),
        });
    }
    if !round_trips(&body, src) {
        return Err(InputError::new(
            "the HCL editor (hcl-edit 0.10) cannot reproduce this file byte for byte (it would \
             rewrite some of it, e.g. a `\\u` escape or a tab inside a string), so it is left \
             unchanged; set the account ids in it by hand",
        ));
    }
    let new_src = apply(src, &planned.edits)?;

    // Check the result: it parses, and a second write-back finds nothing to do.
    let check = parse(&new_src)
        .and_then(|body| plan(&new_src, &body, &wanted))
        .map_err(|e| internal(&format!("the edited text does not check out ({e})")))?;
    if !check.edits.is_empty() {
        return Err(internal("the edited text does not hold the values written"));
    }
    Ok(WriteBack {
        text: format!("{bom}{new_src}"),
        attributes: planned.attributes,
    })
}

// ---------------------------------------------------------------------------
// Parsing and reading

fn split_bom(text: &str) -> (&str, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    }
}

fn parse(src: &str) -> Result<Body, InputError> {
    hcl_edit::parser::parse_body(src).map_err(|e| {
        let location = e.location();
        let hint = if e.message() == "unexpected token" {
            " (look for a quote, bracket or brace left open, or a comment left unterminated, \
             from here on)"
        } else {
            ""
        };
        InputError::at(
            to_u32(location.line()),
            format!(
                "HCL syntax error at column {}: {}{hint}",
                location.column(),
                e.message()
            ),
        )
    })
}

/// `body` printed back gives `src`, line ends aside: its printer writes LF
/// where the file may have CRLF. Edits are spliced into `src`, so the line ends
/// of the file stay what they are.
fn round_trips(body: &Body, src: &str) -> bool {
    let printed = body.to_string();
    printed == src || (src.contains('\r') && printed.replace("\r\n", "\n") == src.replace("\r\n", "\n"))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The 1-based line of byte `offset`.
fn line_of(src: &str, offset: usize) -> u32 {
    let end = offset.min(src.len());
    let before = src.as_bytes().get(..end).unwrap_or_default();
    to_u32(before.iter().filter(|&&b| b == b'\n').count() + 1)
}

fn expr_line(src: &str, expr: &Expression) -> Option<u32> {
    expr.span().map(|span| line_of(src, span.start))
}

fn type_error(src: &str, expr: &Expression, message: String) -> InputError {
    InputError {
        line: expr_line(src, expr),
        message,
    }
}

fn internal(what: &str) -> InputError {
    InputError::new(format!(
        "internal error while editing the file: {what}; the file is left unchanged"
    ))
}

fn describe(expr: &Expression) -> &'static str {
    match expr {
        Expression::Null(_) => "null",
        Expression::Bool(_) => "a boolean",
        Expression::Number(_) => "a number",
        Expression::String(_) => "a string",
        Expression::Array(_) => "a list",
        Expression::Object(_) => "an object",
        Expression::StringTemplate(_) => "a string with `${...}` or `%{...}` in it",
        Expression::HeredocTemplate(_) => "a heredoc",
        _ => "an expression",
    }
}

/// A quoted string without interpolation; `null` and `""` give `None`.
fn plain_string(src: &str, expr: &Expression, what: &str) -> Result<Option<String>, InputError> {
    match expr {
        Expression::String(s) if s.value().is_empty() => Ok(None),
        Expression::String(s) => Ok(Some(s.value().clone())),
        Expression::Null(_) => Ok(None),
        other => Err(type_error(
            src,
            other,
            format!("`{what}` must be a quoted string, but it is {}", describe(other)),
        )),
    }
}

/// What an account id slot holds: a string (as written, even `""`), a
/// number (the digits as written), anything else its source text. `null`
/// gives `None`. Whether the value is a usable id is the caller's decision:
/// a template's placeholder (`"XXXXXXXXXXXX"`, `""`, `0`) is what the run is
/// meant to replace, not an error.
fn account_id(src: &str, expr: &Expression) -> Option<String> {
    match expr {
        Expression::Null(_) => None,
        Expression::String(s) => Some(s.value().clone()),
        other => Some(
            other
                .span()
                .and_then(|span| src.get(span))
                .unwrap_or_default()
                .trim()
                .to_string(),
        ),
    }
}

/// `<name>` of a `<name>_account_id` attribute key.
fn account_id_attribute_name(key: &str) -> Option<&str> {
    key.strip_suffix(ACCOUNT_ID_SUFFIX).filter(|name| !name.is_empty())
}

/// The name of an object key: an identifier or a literal.
fn key_name(src: &str, key: &ObjectKey, what: &str) -> Result<String, InputError> {
    match key {
        ObjectKey::Ident(ident) => Ok(ident.as_str().to_string()),
        ObjectKey::Expression(Expression::String(s)) => Ok(s.value().clone()),
        ObjectKey::Expression(Expression::Bool(b)) => Ok(b.value().to_string()),
        ObjectKey::Expression(Expression::Null(_)) => Ok("null".to_string()),
        ObjectKey::Expression(expr @ Expression::Number(_)) => Ok(expr
            .span()
            .and_then(|span| src.get(span))
            .unwrap_or_default()
            .to_string()),
        ObjectKey::Expression(other) => Err(type_error(
            src,
            other,
            format!(
                "a key in `{what}` must be a name or a quoted string, but it is {}",
                describe(other)
            ),
        )),
    }
}

fn read_accounts(src: &str, expr: &Expression) -> Result<Vec<DeclaredAccount>, InputError> {
    let object = match expr {
        Expression::Object(object) => object,
        Expression::Null(_) => return Ok(Vec::new()),
        other => {
            return Err(type_error(
                src,
                other,
                format!(
                    "`accounts` must be an object like `{{ shared = {{ email = \"...\", id = \"...\" }} }}`, \
                     but it is {}",
                    describe(other)
                ),
            ))
        }
    };
    let mut accounts = Vec::new();
    for (key, value) in object.iter() {
        let name = key_name(src, key, "accounts")?;
        let what = map_path(&name);
        let Expression::Object(entry) = value.expr() else {
            return Err(type_error(
                src,
                value.expr(),
                format!(
                    "`{what}` must be an object like `{{ email = \"...\", id = \"...\" }}`, but it is {}",
                    describe(value.expr())
                ),
            ));
        };
        let mut account = DeclaredAccount {
            name,
            email: None,
            id: None,
        };
        for (item_key, item_value) in entry.iter() {
            match key_name(src, item_key, &what)?.as_str() {
                "email" => account.email = plain_string(src, item_value.expr(), &format!("{what}.email"))?,
                "id" => account.id = account_id(src, item_value.expr()),
                _ => {}
            }
        }
        accounts.push(account);
    }
    Ok(accounts)
}

// ---------------------------------------------------------------------------
// Planning the write-back

/// One account to write: empty strings count as absent; names are unique.
struct Wanted<'a> {
    name: &'a str,
    email: Option<&'a str>,
    id: Option<&'a str>,
}

impl Wanted<'_> {
    fn has_something(&self) -> bool {
        self.email.is_some() || self.id.is_some()
    }
}

fn wanted_accounts(accounts: &[DeclaredAccount]) -> Vec<Wanted<'_>> {
    let mut wanted: Vec<Wanted<'_>> = Vec::new();
    // A set, not a search of `wanted` per account: quadratic for thousands
    // of accounts.
    let mut seen: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for account in accounts {
        if account.name.is_empty() || !seen.insert(account.name.as_str()) {
            continue;
        }
        wanted.push(Wanted {
            name: &account.name,
            email: account.email.as_deref().filter(|e| !e.is_empty()),
            id: account.id.as_deref().filter(|i| !i.is_empty()),
        });
    }
    wanted
}

/// Replace `range` of the text by `text` (an insertion when the range is empty).
#[derive(Debug)]
struct Edit {
    range: Range<usize>,
    text: String,
}

impl Edit {
    fn insert(at: usize, text: String) -> Self {
        Edit { range: at..at, text }
    }
}

struct Plan {
    edits: Vec<Edit>,
    attributes: Vec<String>,
}

fn apply(src: &str, edits: &[Edit]) -> Result<String, InputError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    // Stable: insertions at one place keep their order, and come before a
    // replacement starting there.
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(src.len() + 256);
    let mut cursor = 0;
    for edit in sorted {
        let kept = src
            .get(cursor..edit.range.start)
            .ok_or_else(|| internal("two changes overlap"))?;
        out.push_str(kept);
        out.push_str(&edit.text);
        cursor = edit.range.end;
    }
    out.push_str(
        src.get(cursor..)
            .ok_or_else(|| internal("a change ends past the text"))?,
    );
    Ok(out)
}

/// The file's line end: CRLF when its first line ends so, else LF.
fn line_end(src: &str) -> &'static str {
    match src.find('\n') {
        Some(i) if i > 0 && src.as_bytes().get(i - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

fn plan(src: &str, body: &Body, wanted: &[Wanted<'_>]) -> Result<Plan, InputError> {
    let eol = line_end(src);
    let attrs: Vec<&Attribute> = body.attributes().collect();
    // Key → its first attribute, built once: a search per account is
    // quadratic for thousands of accounts.
    let attr_by_key: std::collections::BTreeMap<&str, &Attribute> =
        attrs.iter().rev().map(|a| (a.key.as_str(), *a)).collect();
    let mut plan = Plan {
        edits: Vec::new(),
        attributes: Vec::new(),
    };
    // Blocks of lines to add at the end of the file.
    let mut tail: Vec<String> = Vec::new();

    // `<name>_account_id` attributes: set where they exist, and added only to
    // a file that already uses that style (the `accounts` map replaced it).
    let uses_attribute_style = attrs
        .iter()
        .any(|a| account_id_attribute_name(a.key.as_str()).is_some());
    let mut missing: Vec<(String, &str)> = Vec::new();
    for w in wanted {
        let Some(id) = w.id else { continue };
        if !is_ident(w.name) {
            // `Log Archive_account_id` cannot be an attribute name.
            continue;
        }
        let key = format!("{}{ACCOUNT_ID_SUFFIX}", w.name);
        match attr_by_key.get(key.as_str()) {
            Some(attr) if !id_matches(src, &attr.value, id) => {
                plan.edits.push(Edit {
                    range: span_of(&attr.value)?,
                    text: quote(id),
                });
                plan.attributes.push(key);
            }
            Some(_) => {}
            None if uses_attribute_style => {
                plan.attributes.push(key.clone());
                missing.push((key, id));
            }
            None => {}
        }
    }
    if !missing.is_empty() {
        let last_existing = attrs
            .iter()
            .rev()
            .find(|a| account_id_attribute_name(a.key.as_str()).is_some());
        if let Some(attr) = last_existing {
            plan.edits.push(insert_after_attribute(src, attr, &missing, eol)?);
        }
    }

    // The `accounts` map.
    match attrs.iter().find(|a| a.key.as_str() == "accounts") {
        Some(attr) => match &attr.value {
            Expression::Object(map) => patch_map(src, attr, map, wanted, eol, &mut plan)?,
            Expression::Null(_) => {
                if wanted.iter().any(Wanted::has_something) {
                    let base = indent_before(src, span_of(*attr)?.start).unwrap_or("");
                    let text = fresh_map(wanted, base, eol, &mut plan.attributes);
                    plan.edits.push(Edit {
                        range: span_of(&attr.value)?,
                        text,
                    });
                }
            }
            other => {
                return Err(type_error(
                    src,
                    other,
                    format!("`accounts` must be an object, but it is {}", describe(other)),
                ))
            }
        },
        None => {
            if wanted.iter().any(Wanted::has_something) {
                tail.push(format!(
                    "accounts = {}",
                    fresh_map(wanted, "", eol, &mut plan.attributes)
                ));
            }
        }
    }

    if !tail.is_empty() {
        plan.edits.push(Edit::insert(src.len(), tail_text(src, &tail, eol)));
    }
    Ok(plan)
}

fn span_of(node: &impl Span) -> Result<Range<usize>, InputError> {
    node.span()
        .ok_or_else(|| internal("the parser gave no position for a value"))
}

/// An id already in the file equals `id`. A number equals it when its digits
/// do, unless it starts with 0: Terraform would read `012...` as `12...`.
fn id_matches(src: &str, expr: &Expression, id: &str) -> bool {
    match expr {
        Expression::String(s) => s.value() == id,
        Expression::Number(_) => {
            let raw = expr.span().and_then(|span| src.get(span)).unwrap_or_default();
            raw == id && !(raw.len() > 1 && raw.starts_with('0'))
        }
        _ => false,
    }
}

fn is_ident(name: &str) -> bool {
    Ident::try_new(name).is_ok()
}

/// An object key for `name`: bare when it is an identifier that cannot be
/// taken for something else, quoted otherwise.
fn object_key(name: &str) -> String {
    if is_ident(name) && !matches!(name, "true" | "false" | "null" | "for") {
        name.to_string()
    } else {
        quote(name)
    }
}

/// `accounts.<name>` as a traversal a reader of the report recognises.
pub(crate) fn map_path(name: &str) -> String {
    if is_ident(name) {
        format!("accounts.{name}")
    } else {
        format!("accounts[{}]", quote(name))
    }
}

/// An HCL quoted string.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `${` and `%{` would start a template sequence.
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// --- Text positions ---------------------------------------------------------

/// The byte offset where the line holding `offset` starts.
fn line_start(src: &str, offset: usize) -> usize {
    src.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The indentation before `offset` when only spaces and tabs precede it on its line.
fn indent_before(src: &str, offset: usize) -> Option<&str> {
    let indent = src.get(line_start(src, offset)..offset)?;
    indent.bytes().all(|b| b == b' ' || b == b'\t').then_some(indent)
}

/// Characters from the start of the line to `offset`.
fn column_of(src: &str, offset: usize) -> usize {
    src.get(line_start(src, offset)..offset)
        .map_or(0, |s| s.chars().count())
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Skip spaces, tabs and `/* */` comments from `pos` (not line ends).
fn skip_inline_trivia(src: &str, mut pos: usize) -> usize {
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
fn after_line_end(src: &str, pos: usize) -> Option<usize> {
    let pos = skip_inline_trivia(src, pos);
    src.get(pos..)?.find('\n').map(|i| pos + i + 1)
}

// --- `<name>_account_id` attributes -----------------------------------------

/// `key = "id"` with the `=` at column `eq_col` when the key leaves room.
fn attribute_line(indent: &str, key: &str, eq_col: Option<usize>, value: &str) -> String {
    let natural = width(indent) + width(key) + 1;
    let pad = eq_col.filter(|&col| col > natural).map_or(1, |col| col - natural + 1);
    format!("{indent}{key}{} = {value}", " ".repeat(pad - 1))
}

fn insert_after_attribute(
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
fn tail_text(src: &str, blocks: &[String], eol: &str) -> String {
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

// --- Objects ----------------------------------------------------------------

/// An item of an object as written.
struct Item<'a> {
    name: String,
    key_start: usize,
    expr: &'a Expression,
    value: Range<usize>,
    comma: bool,
    /// Only spaces and tabs before the key on its line.
    indent: Option<&'a str>,
    /// Column of the `=` (or `:`).
    eq_col: usize,
    /// The value spans more than one line.
    multiline: bool,
    /// The key is a quoted string.
    quoted_key: bool,
}

fn items<'a>(src: &'a str, object: &'a Object, what: &str) -> Result<Vec<Item<'a>>, InputError> {
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
struct NewItem {
    key: String,
    value: String,
    /// The value spans lines (its `=` is then never aligned).
    multiline: bool,
}

/// How items are laid out when an object gets new items and has none to copy.
#[derive(Clone)]
struct Layout {
    /// One item per line.
    multiline: bool,
    /// Indentation of items, and of the closing brace, on their own lines.
    indent: String,
    close_indent: String,
    /// A comma after items that are not the last, and after the last.
    sep_comma: bool,
    last_comma: bool,
    /// Align the `=` of one-line items on consecutive lines.
    align: bool,
    /// `{ a = 1 }` rather than `{a = 1}`.
    brace_space: bool,
}

impl Layout {
    /// The same layout for an object whose closing brace is indented by
    /// `close_indent`: items one indentation step deeper.
    fn rebased(&self, close_indent: &str) -> Layout {
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
fn item_lines(
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
fn fresh_object(new: &[NewItem], layout: &Layout, eol: &str) -> String {
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
fn insert_items(
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
fn insert_before(src: &str, item: &Item<'_>, multiline: bool, new: &NewItem, comma: bool, eol: &str) -> Edit {
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

// --- The `accounts` map -----------------------------------------------------

/// How the entries of the map are laid out, copied from its last entry.
struct MapStyle {
    /// For the entries of the map.
    entries: Layout,
    /// For the items inside a new entry.
    entry: Layout,
    /// Entry names are quoted even when they need not be.
    quote_keys: bool,
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
    fn standard(base_indent: &str) -> MapStyle {
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
    fn of(src: &str, entries: &[Item<'_>], base_indent: &str) -> Result<MapStyle, InputError> {
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
fn entry_items(w: &Wanted<'_>) -> Vec<NewItem> {
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

fn new_entry(w: &Wanted<'_>, style: &MapStyle, eol: &str) -> NewItem {
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
fn fresh_map(wanted: &[Wanted<'_>], base_indent: &str, eol: &str, changed: &mut Vec<String>) -> String {
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

fn patch_map(
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

fn patch_entry(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(name: &str, email: Option<&str>, id: Option<&str>) -> DeclaredAccount {
        DeclaredAccount {
            name: name.into(),
            email: email.map(Into::into),
            id: id.map(Into::into),
        }
    }

    fn read_ok(text: &str) -> TfvarsConfig {
        match read(text) {
            Ok(config) => config,
            Err(e) => panic!("unexpected error for {text:?}: {e}"),
        }
    }

    fn write_ok(text: &str, accounts: &[DeclaredAccount]) -> WriteBack {
        let out = match write_back(text, accounts) {
            Ok(out) => out,
            Err(e) => panic!("unexpected error for {text:?}: {e}"),
        };
        // Every write-back is idempotent and parses.
        match write_back(&out.text, accounts) {
            Ok(again) => {
                assert_eq!(again.text, out.text, "not idempotent");
                assert!(again.attributes.is_empty(), "second run changed {:?}", again.attributes);
            }
            Err(e) => panic!("the result does not take a second write-back: {e}\n{}", out.text),
        }
        out
    }

    const MODERN: &str = r#"# Project (short name)
project         = "bb"

# Project (long name)
project_long    = "binbash"

# AWS primary region
region_primary = "us-east-1"
region         = "us-west-2"

# AWS Region for DR replication
region_secondary      = "us-east-2"

# Accounts
accounts = {
  management = {
    email = "aws+root@binbash.com.ar",
    id    = 111111111111
  },
  security = {
    email = "binbash-security@binbash.com.ar",
    id    = "222222222222"
  }
  "apps-devstg" = { id = "555555555555" }
  empty = {}
}

shared_account_id = "333333333333"
# External Accounts Integration
external_accounts = {
  drata = {
    aws_account_id  = ""
  }
}
"#;

    #[test]
    fn reads_every_key() {
        let config = read_ok(MODERN);
        assert_eq!(config.project.as_deref(), Some("bb"));
        assert_eq!(config.project_long.as_deref(), Some("binbash"));
        assert_eq!(config.region.as_deref(), Some("us-west-2"));
        assert_eq!(config.region_primary.as_deref(), Some("us-east-1"));
        assert_eq!(config.region_secondary.as_deref(), Some("us-east-2"));
        assert_eq!(
            config.accounts,
            vec![
                acct("management", Some("aws+root@binbash.com.ar"), Some("111111111111")),
                acct(
                    "security",
                    Some("binbash-security@binbash.com.ar"),
                    Some("222222222222")
                ),
                acct("apps-devstg", None, Some("555555555555")),
                acct("empty", None, None),
            ]
        );
        // Nested `aws_account_id` is not a top-level attribute.
        assert_eq!(
            config.account_id_attributes,
            vec![("shared".to_string(), "333333333333".to_string())]
        );
    }

    #[test]
    fn reads_the_2022_layout() {
        let text = "project = \"bb\"\n\n# Account IDs\nroot_account_id       = \"111111111111\"\n\
                    security_account_id   = 222222222222\nappsdevstg_account_id = \"555555555555\" # apps\n\
                    unset_account_id = \"\"\n";
        let config = read_ok(text);
        assert!(config.accounts.is_empty());
        let ids: Vec<(&str, &str)> = config
            .account_id_attributes
            .iter()
            .map(|(n, i)| (n.as_str(), i.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("root", "111111111111"),
                ("security", "222222222222"),
                ("appsdevstg", "555555555555"),
                // Read as written: the caller treats it as a placeholder.
                ("unset", "")
            ]
        );
    }

    #[test]
    fn ids_written_as_numbers_keep_their_digits() {
        let config = read_ok("accounts = {\n  a = { id = 012345678901 }\n  b = { id = 111111111111 }\n}\n");
        assert_eq!(config.accounts[0].id.as_deref(), Some("012345678901"));
        assert_eq!(config.accounts[1].id.as_deref(), Some("111111111111"));
    }

    #[test]
    fn empty_strings_and_null_are_absent() {
        let config = read_ok("project = \"\"\nregion = null\naccounts = {\n  a = { email = \"\", id = null }\n}\n");
        assert_eq!(config.project, None);
        assert_eq!(config.region, None);
        assert_eq!(config.accounts, vec![acct("a", None, None)]);
        assert!(read_ok("accounts = null\n").accounts.is_empty());
        assert_eq!(read_ok(""), TfvarsConfig::default());
    }

    #[test]
    fn reads_crlf_a_bom_comments_and_heredocs() {
        let text = "\u{feff}# c\r\nproject = \"bb\" // short\r\n/* block\r\n comment */\r\nnote = <<EOT\r\n\
                    project = \"no\"\r\nEOT\r\naccounts = {\r\n  a = { id = \"1\" } # x\r\n}\r\n";
        let config = read_ok(text);
        assert_eq!(config.project.as_deref(), Some("bb"));
        assert_eq!(config.accounts, vec![acct("a", None, Some("1"))]);
    }

    #[test]
    fn unescapes_strings() {
        let config = read_ok("project_long = \"bin\\\"bash\\\" $${x}\"\n");
        assert_eq!(config.project_long.as_deref(), Some("bin\"bash\" ${x}"));
    }

    #[test]
    fn malformed_files_give_the_line() {
        let cases: &[(&str, u32, &str)] = &[
            // Syntax errors.
            ("x = 1\nproject = \"bb\ny = 2\n", 2, "syntax"),
            ("project \"bb\"\n", 1, "syntax"),
            ("x = 1\naccounts = {\n  shared = {\n    id = \"1\"\n  }\n", 2, "syntax"),
            (
                "accounts = {\n  a = { email = \"x\" id = \"1\" }\n}\n",
                2,
                "expected `}`, `,` or newline",
            ),
            ("x = 1\n/* never closed\n", 2, "syntax"),
            ("x = 1\n}\n", 2, "syntax"),
            ("x = 1\n\nproject = \"a\"\nproject = \"b\"\n", 4, "redefined attribute"),
            ("accounts = {\n  a = {}\n  a = {}\n}\n", 3, "redefined object key"),
            // Wrong types.
            ("x = 1\n\naccounts = [\"a\"]\n", 3, "`accounts` must be an object"),
            ("accounts = \"shared\"\n", 1, "`accounts` must be an object"),
            (
                "x = 1\nproject = 123\n",
                2,
                "`project` must be a quoted string, but it is a number",
            ),
            (
                "region_primary = [\"us-east-1\"]\n",
                1,
                "`region_primary` must be a quoted string",
            ),
            ("region = \"${var.region}\"\n", 1, "`region` must be a quoted string"),
            ("project_long = <<EOT\nbinbash\nEOT\n", 1, "heredoc"),
            (
                "accounts = {\n  shared = \"x\"\n}\n",
                2,
                "`accounts.shared` must be an object",
            ),
            (
                "accounts = {\n  shared = {\n\n    email = 42\n  }\n}\n",
                4,
                "`accounts.shared.email` must be a quoted string",
            ),
            ("accounts = {\n  (var.x) = {}\n}\n", 2, "a key in `accounts`"),
        ];
        for (text, line, fragment) in cases {
            match read(text) {
                Ok(config) => panic!("expected an error for {text:?}, got {config:?}"),
                Err(e) => {
                    assert_eq!(e.line, Some(*line), "line for {text:?}: {e}");
                    let fragment = if *fragment == "syntax" {
                        "HCL syntax error"
                    } else {
                        fragment
                    };
                    assert!(e.message.contains(fragment), "message for {text:?}: {e}");
                }
            }
        }
        assert!(cases.len() >= 10);
    }

    #[test]
    fn write_back_replaces_values_in_place() {
        let text =
            "# ids\nroot_account_id       = \"111111111111\" # the root\nshared_account_id     = \"000000000000\"\n";
        let out = write_ok(
            text,
            &[
                acct("root", None, Some("999999999999")),
                acct("shared", None, Some("000000000000")),
            ],
        );
        assert_eq!(
            out.text,
            "# ids\nroot_account_id       = \"999999999999\" # the root\nshared_account_id     = \"000000000000\"\n\n\
             accounts = {\n  root = {\n    id = \"999999999999\"\n  },\n  shared = {\n    id = \"000000000000\"\n  }\n}\n"
        );
        assert_eq!(out.attributes, ["root_account_id", "accounts.root", "accounts.shared"]);
    }

    #[test]
    fn write_back_adds_missing_attributes_after_the_last_one_aligned() {
        let text = "project = \"bb\"\n\n# Account IDs\nroot_account_id       = \"111111111111\"\n\
                    appsprd_account_id    = \"666666666666\" // prd\n\n# Vault\nvault_address = \"x\"\n\
                    accounts = {}\n";
        let out = write_ok(
            text,
            &[
                acct("root", None, Some("111111111111")),
                acct("net", None, Some("444444444444")),
                acct("security-long-name", None, Some("222222222222")),
            ],
        );
        assert!(
            out.text.starts_with(
                "project = \"bb\"\n\n# Account IDs\nroot_account_id       = \"111111111111\"\n\
             appsprd_account_id    = \"666666666666\" // prd\nnet_account_id        = \"444444444444\"\n\
             security-long-name_account_id = \"222222222222\"\n\n# Vault\n"
            ),
            "{}",
            out.text
        );
        assert_eq!(out.attributes[..2], ["net_account_id", "security-long-name_account_id"]);
    }

    #[test]
    fn a_file_with_only_the_accounts_map_gets_no_account_id_attributes() {
        let text = "accounts = {\n  shared = { id = \"3\" }\n}\n# end";
        let out = write_ok(text, &[acct("shared", None, Some("3")), acct("apps", None, Some("55"))]);
        assert_eq!(
            out.text,
            "accounts = {\n  shared = { id = \"3\" }\n  apps   = { id = \"55\" }\n}\n# end"
        );
        assert_eq!(out.attributes, ["accounts.apps"]);
        // Nested `aws_account_id` attributes (as in `external_accounts`) are
        // not the top-level style either.
        let text = "external = {\n  drata = {\n    aws_account_id = \"\"\n  }\n}\n";
        let out = write_ok(text, &[acct("shared", None, Some("3"))]);
        assert!(!out.text.contains("shared_account_id"), "{}", out.text);
    }

    #[test]
    fn placeholders_in_id_places_are_replaced() {
        let text = "security_account_id = \"XXXXXXXXXXXX\"\nshared_account_id   = \"\"\nnet_account_id      = 0\n\
                    accounts = {\n  security = {\n    id = \"XXXXXXXXXXXX\"\n  }\n  net = {\n    id = true\n  }\n}\n";
        let config = read_ok(text);
        assert_eq!(config.accounts[0].id.as_deref(), Some("XXXXXXXXXXXX"));
        assert_eq!(config.accounts[1].id.as_deref(), Some("true"));
        let out = write_ok(
            text,
            &[
                acct("security", None, Some("222222222222")),
                acct("shared", None, Some("333333333333")),
                acct("net", None, Some("444444444444")),
            ],
        );
        assert_eq!(
            out.text,
            "security_account_id = \"222222222222\"\nshared_account_id   = \"333333333333\"\nnet_account_id      = \"444444444444\"\n\
             accounts = {\n  security = {\n    id = \"222222222222\"\n  }\n  net = {\n    id = \"444444444444\"\n  }\n  \
             shared = {\n    id = \"333333333333\"\n  }\n}\n"
        );
    }

    #[test]
    fn equal_ids_are_untouched_even_as_numbers() {
        let text = "accounts = {\n  root = {\n    email = \"r@x\",\n    id    = 111111111111\n  }\n}\n\
                    root_account_id = 111111111111\n";
        let out = write_ok(text, &[acct("root", Some("r@x"), Some("111111111111"))]);
        assert_eq!(out.text, text);
        assert!(out.attributes.is_empty());
        // A number with a leading zero loses it in Terraform: rewritten as a string.
        let text = "zero_account_id = 012345678901\n";
        let out = write_ok(text, &[acct("zero", None, Some("012345678901"))]);
        assert!(
            out.text.starts_with("zero_account_id = \"012345678901\"\n"),
            "{}",
            out.text
        );
    }

    #[test]
    fn write_back_patches_inside_entries() {
        let text =
            "accounts = {\n  # the org root\n  management = {\n    email = \"old@x\", # old\n    id    = \"1\"\n  },\n\
                    \x20 security = {\n    email = \"s@x\"\n  }\n  shared = { email = \"sh@x\" }\n}\n";
        let out = write_ok(
            text,
            &[
                acct("management", Some("new@x"), Some("1")),
                acct("security", None, Some("222222222222")),
                acct("shared", None, Some("333333333333")),
            ],
        );
        assert!(out.text.starts_with(
            "accounts = {\n  # the org root\n  management = {\n    email = \"new@x\", # old\n    id    = \"1\"\n  },\n\
             \x20 security = {\n    email = \"s@x\"\n    id    = \"222222222222\"\n  }\n\
             \x20 shared = { email = \"sh@x\", id = \"333333333333\" }\n}\n"
        ), "{}", out.text);
        assert_eq!(
            out.attributes,
            [
                "accounts.management.email",
                "accounts.security.id",
                "accounts.shared.id"
            ]
        );
        assert!(!out.text.contains("_account_id"), "{}", out.text);
    }

    #[test]
    fn new_entries_copy_the_last_entry() {
        // The 2024 layout: commas between entries, none after the last; ids as numbers.
        let text = "accounts = {\n  root = {\n    email = \"r@x\",\n    id    = 111111111111\n  },\n\
                    \x20 apps-prd = {\n    email = \"p@x\",\n    id    = 666666666666\n  }\n}";
        let out = write_ok(
            text,
            &[
                acct("root", None, None),
                acct("new", Some("n@x"), Some("777777777777")),
                acct("no-email", None, Some("888888888888")),
            ],
        );
        assert!(
            out.text.starts_with(
                "accounts = {\n  root = {\n    email = \"r@x\",\n    id    = 111111111111\n  },\n\
             \x20 apps-prd = {\n    email = \"p@x\",\n    id    = 666666666666\n  }\n\
             \x20 new = {\n    email = \"n@x\",\n    id    = \"777777777777\"\n  }\n\
             \x20 no-email = {\n    id = \"888888888888\"\n  }\n}"
            ),
            "{}",
            out.text
        );
        assert!(!out.text.contains("None"));
        // Trailing commas everywhere, four spaces, no alignment.
        let text = "accounts = {\n    a = {\n        email = \"a@x\",\n        id = \"1\",\n    },\n}\n";
        let out = write_ok(text, &[acct("b", Some("b@x"), Some("2"))]);
        assert!(
            out.text.starts_with(
                "accounts = {\n    a = {\n        email = \"a@x\",\n        id = \"1\",\n    },\n\
             \x20   b = {\n        email = \"b@x\",\n        id = \"2\",\n    },\n}\n"
            ),
            "{}",
            out.text
        );
        // A one-line map.
        let text = "accounts = { a = { id = \"1\" } }\n";
        let out = write_ok(text, &[acct("b", Some("b@x"), None)]);
        assert!(
            out.text
                .starts_with("accounts = { a = { id = \"1\" }, b = { email = \"b@x\" } }\n"),
            "{}",
            out.text
        );
    }

    #[test]
    fn accounts_is_added_only_when_there_is_something_to_write() {
        let text = "project = \"bb\"\n";
        assert_eq!(write_ok(text, &[]).text, text);
        assert_eq!(write_ok(text, &[acct("a", None, None)]).text, text);
        let out = write_ok(text, &[acct("a", Some("a@x"), None), acct("b", None, None)]);
        assert_eq!(
            out.text,
            "project = \"bb\"\n\naccounts = {\n  a = {\n    email = \"a@x\"\n  }\n}\n"
        );
        assert_eq!(out.attributes, ["accounts.a"]);
        // Empty strings are nothing either.
        assert_eq!(write_ok(text, &[acct("a", Some(""), Some(""))]).text, text);
    }

    #[test]
    fn names_that_are_not_identifiers() {
        let text = "accounts = {\n  a = {\n    id = \"1\"\n  }\n}\n";
        let out = write_ok(
            text,
            &[
                acct("Log Archive", None, Some("121212121212")),
                acct("true", None, Some("2")),
            ],
        );
        assert_eq!(
            out.text,
            "accounts = {\n  a = {\n    id = \"1\"\n  }\n  \"Log Archive\" = {\n    id = \"121212121212\"\n  }\n\
             \x20 \"true\" = {\n    id = \"2\"\n  }\n}\n"
        );
        assert_eq!(out.attributes, ["accounts[\"Log Archive\"]", "accounts.true"]);
        let names: Vec<String> = read_ok(&out.text).accounts.into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["a", "Log Archive", "true"]);
    }

    #[test]
    fn strings_are_escaped() {
        let email = "we\"ird${x}%{y}\\@x";
        let out = write_ok("", &[acct("a", Some(email), None)]);
        assert_eq!(read_ok(&out.text).accounts[0].email.as_deref(), Some(email));
    }

    #[test]
    fn duplicates_first_one_wins() {
        let out = write_ok("", &[acct("a", None, Some("1")), acct("a", None, Some("2"))]);
        assert_eq!(read_ok(&out.text).accounts, vec![acct("a", None, Some("1"))]);
    }

    #[test]
    fn crlf_and_bom_are_kept() {
        let text = "\u{feff}x = 1\r\nshared_account_id = \"1\"\r\naccounts = {\r\n  a = {\r\n    email = \"a@x\"\r\n  }\r\n}\r\n";
        let out = write_ok(text, &[acct("a", None, Some("7")), acct("shared", None, Some("1"))]);
        assert_eq!(
            out.text,
            "\u{feff}x = 1\r\nshared_account_id = \"1\"\r\na_account_id      = \"7\"\r\naccounts = {\r\n  a = {\r\n    \
             email = \"a@x\"\r\n    id    = \"7\"\r\n  }\r\n  shared = {\r\n    id = \"1\"\r\n  }\r\n}\r\n"
        );
    }

    #[test]
    fn a_file_the_editor_cannot_reproduce_is_refused() {
        // hcl-edit prints `\u00e9` as `é`: refuse rather than risk rewriting the file.
        let text = "project_long = \"caf\\u00e9\"\n";
        match write_back(text, &[acct("a", None, Some("1"))]) {
            Ok(out) => panic!("expected an error, got {:?}", out.text),
            Err(e) => assert!(e.message.contains("cannot reproduce this file byte for byte"), "{e}"),
        }
        // With nothing to change there is nothing to refuse.
        assert_eq!(write_ok(text, &[]).text, text);
    }

    #[test]
    fn write_back_reports_bad_input() {
        let err = |text: &str| match write_back(text, &[acct("a", None, Some("1"))]) {
            Ok(out) => panic!("expected an error for {text:?}, got {:?}", out.text),
            Err(e) => e,
        };
        assert_eq!(err("x = 1\naccounts = [1]\n").line, Some(2));
        assert_eq!(err("accounts = {\n  a = \"1\"\n}\n").line, Some(2));
        assert_eq!(err("x = \"unterminated\n").line, Some(1));
    }

    #[test]
    fn quote_and_identifiers() {
        // `$${` is HCL for a literal `${`: `$` then `${` gives `$` then `$${`.
        assert_eq!(quote("a\"b\\c\n$${"), "\"a\\\"b\\\\c\\n$$${\"");
        assert_eq!(object_key("apps-devstg"), "apps-devstg");
        assert_eq!(object_key("1st"), "\"1st\"");
        assert_eq!(object_key("null"), "\"null\"");
        assert!(is_ident("apps-devstg_account_id"));
        assert!(!is_ident("Log Archive"));
    }

    const BASES: &[&str] = &[
        MODERN,
        "",
        "# only a comment",
        "project = \"bb\"\n\n# Account IDs\nroot_account_id       = \"111111111111\"\nshared_account_id     = 333333333333 # s\n",
        "accounts = {\n  management = {\n    email = \"m@x\",\n    id    = 111111111111\n  },\n  shared = {\n    email = \"s@x\",\n    id    = 333333333333\n  }\n}",
        "accounts = { management = { email = \"m@x\", id = \"1\" } }\n",
        "accounts = {\r\n  a = { id = \"1\" } // one\r\n  /* b = {} */\r\n}\r\nnote = <<EOT\r\naccounts = {}\r\nEOT\r\n",
        "accounts = {\n\tmanagement = {\n\t}\n\tshared = {}\n}\n",
    ];

    fn account_strategy() -> impl proptest::strategy::Strategy<Value = DeclaredAccount> {
        use proptest::strategy::Strategy;
        (
            proptest::sample::select(vec![
                "management",
                "shared",
                "apps-devstg",
                "Log Archive",
                "new",
                "true",
                "a",
                "1st",
            ]),
            proptest::option::of("[a-z+.\"${}%\\@ -]{0,12}"),
            proptest::option::of("[0-9]{12}"),
        )
            .prop_map(|(name, email, id)| DeclaredAccount {
                name: name.to_string(),
                email,
                id,
            })
    }

    proptest::proptest! {
        /// Whatever the accounts, the write-back succeeds, is idempotent (see
        /// `write_ok`), and the file then holds every id and email written.
        #[test]
        fn write_back_holds_what_it_wrote(
            base in 0..BASES.len(),
            accounts in proptest::collection::vec(account_strategy(), 0..6),
        ) {
            let text = BASES.get(base).copied().unwrap_or_default();
            let out = write_ok(text, &accounts);
            let config = read_ok(&out.text);
            let mut seen = Vec::new();
            for account in &accounts {
                if seen.contains(&account.name) {
                    continue;
                }
                seen.push(account.name.clone());
                let email = account.email.clone().filter(|e| !e.is_empty());
                let id = account.id.clone().filter(|i| !i.is_empty());
                let entry = config.accounts.iter().find(|a| a.name == account.name);
                if let Some(id) = &id {
                    proptest::prop_assert_eq!(entry.and_then(|e| e.id.as_ref()), Some(id));
                    // `<name>_account_id` only in a file that uses that style.
                    let style = !read_ok(text).account_id_attributes.is_empty();
                    let attribute = config.account_id_attributes.iter().find(|(n, _)| *n == account.name);
                    if is_ident(&account.name) && style {
                        proptest::prop_assert_eq!(attribute.map(|(_, v)| v), Some(id));
                    } else if !style {
                        proptest::prop_assert_eq!(attribute, None);
                    }
                }
                if let Some(email) = &email {
                    proptest::prop_assert_eq!(entry.and_then(|e| e.email.as_ref()), Some(email));
                }
            }
        }

        #[test]
        fn read_never_panics(text in "\\PC*") {
            let _ = read(&text);
        }

        #[test]
        fn never_panics_on_tfvars_like_text(text in "[a-z_ ={}\"#/*,\n\r\t0-9<>-]{0,60}") {
            let _ = read(&text);
            if let Err(e) = write_back(&text, &[acct("a", Some("a@x"), Some("1")), acct("b c", None, Some("2"))]) {
                proptest::prop_assert!(!e.message.contains("internal error"), "{:?}: {}", text, e);
            }
        }
    }
}
