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

mod map;
mod text;

use map::*;
use text::*;

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

#[cfg(test)]
mod tests;
