//! Tests of the `dotenv` module.

use super::*;

fn pairs(text: &str) -> Vec<(String, String)> {
    match parse(text) {
        Ok(p) => p,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn one(text: &str) -> (String, String) {
    let p = pairs(text);
    assert_eq!(p.len(), 1, "{text:?} gave {p:?}");
    p.into_iter().next().unwrap_or_default()
}

fn value(text: &str) -> String {
    one(text).1
}

fn err(text: &str) -> InputError {
    match parse(text) {
        Ok(p) => panic!("expected an error for {text:?}, got {p:?}"),
        Err(e) => e,
    }
}

#[test]
fn simple_pairs_in_order_with_duplicates() {
    let p = pairs("PROJECT=bb\nMFA_ENABLED=false\nPROJECT=xyz\n");
    let expected: Vec<(String, String)> = [("PROJECT", "bb"), ("MFA_ENABLED", "false"), ("PROJECT", "xyz")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(p, expected);
}

#[test]
fn leverage_build_env() {
    let text = "# Project settings\nPROJECT=bb\n\n# General\nMFA_ENABLED=false\n\n# Terraform\nTERRAFORM_IMAGE_TAG=1.6.0-0.2.0\n";
    let p = pairs(text);
    assert_eq!(p.len(), 3);
    assert_eq!(p[0], ("PROJECT".to_string(), "bb".to_string()));
    assert_eq!(p[2], ("TERRAFORM_IMAGE_TAG".to_string(), "1.6.0-0.2.0".to_string()));
}

#[test]
fn empty_text_and_blank_and_comment_lines() {
    assert!(pairs("").is_empty());
    assert!(pairs("\n\n   \n\t\n# a comment\n   # indented comment\n").is_empty());
}

#[test]
fn empty_value() {
    assert_eq!(one("KEY="), ("KEY".to_string(), String::new()));
    assert_eq!(value("KEY=''"), "");
    assert_eq!(value("KEY=\"\""), "");
    assert_eq!(value("KEY=   "), "");
}

#[test]
fn inline_comments_after_unquoted_values() {
    assert_eq!(value("PROJECT=bb # short name"), "bb");
    assert_eq!(value("PROJECT=bb\t# tab before"), "bb");
    assert_eq!(value("PROJECT=b#b"), "b#b");
    assert_eq!(value("URL=http://x/#frag"), "http://x/#frag");
    assert_eq!(value("KEY= # only a comment"), "");
    assert_eq!(value("KEY=#notacomment"), "#notacomment");
}

#[test]
fn unquoted_value_keeps_inner_spaces_and_trims_the_end() {
    assert_eq!(value("NAME=hello world   "), "hello world");
    assert_eq!(value("NAME=it's \"fine\""), "it's \"fine\"");
}

#[test]
fn export_prefix() {
    assert_eq!(one("export PROJECT=bb"), ("PROJECT".to_string(), "bb".to_string()));
    assert_eq!(one("export\t  PROJECT=bb"), ("PROJECT".to_string(), "bb".to_string()));
    assert_eq!(one("export=1"), ("export".to_string(), "1".to_string()));
    assert_eq!(one("export = 1"), ("export".to_string(), "1".to_string()));
    assert_eq!(one("exported=1"), ("exported".to_string(), "1".to_string()));
}

#[test]
fn spaces_around_equals_and_indentation() {
    assert_eq!(one("PROJECT = bb"), ("PROJECT".to_string(), "bb".to_string()));
    assert_eq!(one("  PROJECT\t=\tbb"), ("PROJECT".to_string(), "bb".to_string()));
    assert_eq!(one("PROJECT =\"bb\""), ("PROJECT".to_string(), "bb".to_string()));
}

#[test]
fn single_quotes_are_literal() {
    assert_eq!(value(r"KEY='a \n b # not a comment \\'"), r"a \n b # not a comment \\");
    assert_eq!(value("KEY='with \"double\" inside'"), "with \"double\" inside");
    assert_eq!(value("KEY='x' # comment"), "x");
    assert_eq!(value("KEY='x'# comment"), "x");
}

#[test]
fn double_quote_escapes() {
    assert_eq!(value(r#"KEY="say \"hi\"""#), "say \"hi\"");
    assert_eq!(value(r#"KEY="back\\slash""#), "back\\slash");
    assert_eq!(value(r#"KEY="two\nlines""#), "two\nlines");
    assert_eq!(value(r#"KEY="tab\there""#), "tab\there");
    assert_eq!(value(r#"KEY="keep \d as is""#), "keep \\d as is");
    assert_eq!(value(r#"KEY="a # b" # comment"#), "a # b");
    assert_eq!(value(r#"KEY="it's""#), "it's");
    assert_eq!(value(r#"KEY="ünïcødé ✓""#), "ünïcødé ✓");
}

#[test]
fn crlf_and_bom() {
    let p = pairs("\u{feff}PROJECT=bb\r\n# c\r\nOTHER=\"x\"\r\nLAST='y'\r\n");
    let expected: Vec<(String, String)> = [("PROJECT", "bb"), ("OTHER", "x"), ("LAST", "y")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(p, expected);
}

#[test]
fn no_trailing_newline() {
    let p = pairs("A=1\nB=2");
    assert_eq!(p.len(), 2);
    assert_eq!(p[1].1, "2");
}

#[test]
fn key_characters() {
    assert_eq!(one("_private.name_2=v").0, "_private.name_2");
    assert_eq!(one("lower=v").0, "lower");
}

#[test]
fn value_with_equals_signs() {
    assert_eq!(value("OPTS=a=b=c"), "a=b=c");
    assert_eq!(value("OPTS=\"a=b\""), "a=b");
}

// ---- errors ----

#[test]
fn error_no_equals() {
    let e = err("A=1\nJUSTAKEY\n");
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("no `=`"), "{}", e.message);
}

#[test]
fn error_export_without_assignment() {
    let e = err("export PROJECT\n");
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("no `=`"), "{}", e.message);
}

#[test]
fn error_empty_key() {
    let e = err("# c\n\n=value\n");
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("no variable name"), "{}", e.message);
}

#[test]
fn error_key_starting_with_digit() {
    let e = err("A=1\nB=2\n1ABC=3\n");
    assert_eq!(e.line, Some(3));
    assert!(
        e.message.contains("`1ABC`") && e.message.contains("`1`"),
        "{}",
        e.message
    );
}

#[test]
fn error_key_with_dash() {
    let e = err("MY-KEY=1");
    assert_eq!(e.line, Some(1));
    assert!(
        e.message.contains("`MY-KEY`") && e.message.contains("`-`"),
        "{}",
        e.message
    );
}

#[test]
fn error_key_with_space() {
    let e = err("\r\nMY KEY=1\r\n");
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("a space"), "{}", e.message);
}

#[test]
fn error_unterminated_double_quote() {
    let e = err("A=1\nSECRET=\"abc\n");
    assert_eq!(e.line, Some(2));
    assert!(
        e.message.contains("`SECRET`") && e.message.contains("double quote"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("abc"));
}

#[test]
fn error_multiline_double_quoted_value() {
    let e = err("KEY=\"first\nsecond\"\n");
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("several lines"), "{}", e.message);
}

#[test]
fn error_backslash_before_end_of_line() {
    let e = err("KEY=\"abc\\\n");
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("double quote"), "{}", e.message);
}

#[test]
fn error_unterminated_single_quote() {
    let e = err("\n\n\nKEY='abc\n");
    assert_eq!(e.line, Some(4));
    assert!(e.message.contains("single quote"), "{}", e.message);
}

#[test]
fn error_text_after_closing_quote() {
    let e = err("KEY=\"abc\"def\n");
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("after the closing quote"), "{}", e.message);
    let e = err("A=1\nKEY='abc' def\n");
    assert_eq!(e.line, Some(2));
}

#[test]
fn error_line_numbers_count_crlf_and_bom_lines() {
    let e = err("\u{feff}A=1\r\nB=2\r\nbad line\r\n");
    assert_eq!(e.line, Some(3));
    assert!(e.to_string().starts_with("line 3: "), "{e}");
}

#[test]
fn errors_never_show_values() {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let cases = [
        secret.to_string(),
        format!("{secret}=x"),
        format!("KEY=\"{secret}"),
        format!("KEY='{secret}"),
        format!("KEY=\"{secret}\"{secret}"),
        format!("KEY='{secret}' {secret}"),
        format!("export {secret}"),
        format!("{secret} KEY=x"),
        format!("=\"{secret}\""),
    ];
    for case in cases {
        let e = err(&case);
        assert!(!e.message.contains("wJalr"), "{case:?} -> {}", e.message);
        assert!(!e.message.contains("EXAMPLEKEY"), "{case:?} -> {}", e.message);
    }
}

proptest::proptest! {
    #[test]
    fn never_panics(text in "\\PC*") {
        let _ = parse(&text);
    }

    #[test]
    fn never_panics_on_dotenv_like_text(text in "(export |[ \t])?[A-Za-z_0-9 .#=\"'\\\\\r\n\t-]{0,40}") {
        let _ = parse(&text);
    }

    /// Any value written double-quoted with its escapes reads back.
    #[test]
    fn double_quoted_values_round_trip(value in "[^\r\n]{0,40}") {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        let parsed = parse(&format!("KEY=\"{escaped}\" # c\n"));
        proptest::prop_assert_eq!(parsed, Ok(vec![("KEY".to_string(), value)]));
    }

    /// Any unquoted value without quotes, `#` or surrounding blanks reads back.
    #[test]
    fn unquoted_values_round_trip(value in "[A-Za-z0-9/+=:@._-]([A-Za-z0-9/+=:@._ -]{0,38}[A-Za-z0-9/+=:@._-])?") {
        let parsed = parse(&format!("KEY={value}\r\n"));
        proptest::prop_assert_eq!(parsed, Ok(vec![("KEY".to_string(), value)]));
    }
}
