//! Tests of the `ini` module.

use super::*;
use proptest::prelude::*;

fn parse(text: &str) -> IniDocument {
    match IniDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => panic!("parse failed: {e}"),
    }
}

fn parse_err(text: &str) -> InputError {
    match IniDocument::parse(text) {
        Ok(doc) => panic!("expected an error, parsed {doc:?}"),
        Err(e) => e,
    }
}

fn set(doc: &mut IniDocument, section: &str, key: &str, value: &str) -> bool {
    match doc.set(section, key, value) {
        Ok(changed) => changed,
        Err(e) => panic!("set failed: {e}"),
    }
}

fn edited(text: &str, section: &str, key: &str, value: &str) -> String {
    let mut doc = parse(text);
    set(&mut doc, section, key, value);
    doc.render()
}

#[test]
fn renders_what_it_parsed() {
    for text in [
        "",
        "\n",
        "# only a comment",
        "[default]\r\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\r\n",
        "[a]\rk = v\r",
        "; c\n\n[profile x]\n  region   =  us-east-1 \ns3 =\n    max_concurrent_requests = 10\n",
        "[default]\nregion = x",
    ] {
        assert_eq!(parse(text).render(), text);
        assert_eq!(
            text.parse::<IniDocument>().map(|d| d.to_string()).ok().as_deref(),
            Some(text)
        );
    }
}

#[test]
fn parse_errors_name_the_line() {
    let cases: &[(&str, u32, &str)] = &[
        ("region = x\n[default]\n", 1, "before any section"),
        ("# c\n\n  k = v\n", 3, "before any section"),
        ("[default]\nregion = x\njust words\n", 3, "expected `key = value`"),
        ("[default]\n= x\n", 2, "no key name"),
        ("[default]\n : x\n", 2, "no key name before ':'"),
        ("[default]\n[oops\n", 2, "closing ']'"),
        ("[default]\n[abc = 1\n", 2, "closing ']'"),
        ("[]\n", 1, "empty section header"),
        ("[a]b]\n", 1, "more than one ']'"),
        ("[a]\nk=1\n\n[b]\n[a]\n", 5, "first on line 1"),
        ("[a]\r\nk=1\r\nK = 2\r\n", 3, "appears twice"),
        ("[a]\rk=1\rK = 2\r", 3, "appears twice"),
        ("[a]\ns3 =\n    max = 10\n    oops\n", 4, "nested value"),
        ("[a]\nk = v\n  [b]\n", 3, "looks like a section header"),
        ("[DEFAULT]\nk=1\n[DEFAULT]\n", 3, "second time"),
    ];
    for (text, line, fragment) in cases {
        let error = parse_err(text);
        assert_eq!(error.line, Some(*line), "{text:?}: {error}");
        assert!(error.message.contains(fragment), "{text:?}: {error}");
    }
}

#[test]
fn accepts_what_botocore_accepts() {
    // Continuations, blank lines inside values, indented keys and
    // headers, colon delimiters, trailing text after a header.
    let doc = parse(
            "[a] # note\nk = v\n  more\n\n  still\nother: 1\n[a0]\n\ty = 2\n\t[b]\n\tx = 1\n[c]\ns3 =\n\n  a = 1\n  # c\n  b=2\n[d]\nk = v\n  [x\n",
        );
    assert_eq!(doc.get("a", "k"), Some("v\nmore\n\nstill"));
    assert_eq!(doc.get("a", "OTHER"), Some("1"));
    assert_eq!(doc.get("b", "x"), Some("1"));
    assert_eq!(doc.get("c", "s3"), Some("\n\na = 1\nb=2"));
    assert_eq!(doc.get("d", "k"), Some("v\n[x"));
}

#[test]
fn get_follows_botocore() {
    let doc =
        parse("[DEFAULT]\nregion = eu-west-1\n[profile \"my profile\"]\nOutput = json\n[x]\nregion=  us-east-1  \n");
    assert_eq!(doc.get("profile my profile", "output"), Some("json"));
    assert_eq!(doc.get("profile my profile", "region"), Some("eu-west-1"));
    assert_eq!(doc.get("x", "region"), Some("us-east-1"));
    assert_eq!(doc.get("y", "region"), None);
    assert!(doc.has_section("profile my profile"));
    assert!(!doc.has_section("profile other"));
    assert_eq!(
        doc.section_names().collect::<Vec<_>>(),
        ["DEFAULT", "profile \"my profile\"", "x"]
    );
}

#[test]
fn set_replaces_in_place_as_key_equals_value() {
    assert_eq!(edited("[a]\nk=1\nj  :  2\n", "a", "j", "3"), "[a]\nk=1\nj = 3\n");
    assert_eq!(edited("[a]\n  k   =  1  \n", "a", "k", "2"), "[a]\nk = 2\n");
}

#[test]
fn set_inserts_after_last_key_line() {
    // Middle section: right after the last key line.
    assert_eq!(
        edited("[a]\nk = 1\n# c\n\n[b]\n", "a", "j", "2"),
        "[a]\nk = 1\nj = 2\n# c\n\n[b]\n"
    );
    // A comment with ':' or '=' counts as a key line for the writer.
    assert_eq!(
        edited("[a]\nk = 1\n# see: x\n\n[b]\n", "a", "j", "2"),
        "[a]\nk = 1\n# see: x\nj = 2\n\n[b]\n"
    );
    // Last section: one line lower.
    assert_eq!(
        edited("[a]\nk = 1\n# c1\n# c2\n", "a", "j", "2"),
        "[a]\nk = 1\n# c1\nj = 2\n# c2\n"
    );
    assert_eq!(edited("[a]\n\n", "a", "j", "2"), "[a]\n\nj = 2\n");
    assert_eq!(edited("[a]\n", "a", "j", "2"), "[a]\nj = 2\n");
    // Nested values are key lines too.
    assert_eq!(
        edited("[a]\ns3 =\n    max = 10\n[b]\n", "a", "region", "x"),
        "[a]\ns3 =\n    max = 10\nregion = x\n[b]\n"
    );
}

#[test]
fn set_appends_new_sections() {
    assert_eq!(edited("", "default", "k", "v"), "[default]\nk = v\n");
    assert_eq!(edited("[a]\nk = 1", "b", "k", "v"), "[a]\nk = 1\n[b]\nk = v\n");
    assert_eq!(edited("# c\n", "b", "k", "v"), "# c\n[b]\nk = v\n");
    // Append keeps CRLF; a trailing lone CR gets its LF.
    assert_eq!(
        edited("[a]\r\nk = 1\r\n", "b", "k", "v"),
        "[a]\r\nk = 1\r\n[b]\nk = v\n"
    );
    assert_eq!(edited("[a]\rk = 1\r", "b", "k", "v"), "[a]\rk = 1\r\n[b]\nk = v\n");
}

#[test]
fn set_in_existing_section_rewrites_line_ends() {
    assert_eq!(edited("[a]\r\nk = 1\r\n[b]\r\n", "a", "k", "1"), "[a]\nk = 1\n[b]\n");
    let mut doc = parse("[a]\r\nk = 1\r\n");
    assert!(set(&mut doc, "a", "k", "1"));
    assert!(!set(&mut doc, "a", "k", "1"));
}

#[test]
fn missing_final_newline() {
    // The writer's own results.
    assert_eq!(edited("[a]\nk = 1", "a", "j", "2"), "[a]\nk = 1\nj = 2\n");
    assert_eq!(edited("[a]", "a", "j", "2"), "[a]\nj = 2\n");
    assert_eq!(
        edited("[a]\nk = 1\n# c1\n# c2", "a", "j", "2"),
        "[a]\nk = 1\n# c1\nj = 2\n# c2\n"
    );
    assert_eq!(edited("[a]\nk = 1", "a", "k", "2"), "[a]\nk = 2\n");
    // The writer would glue the line to "# c" here ("# cj = 2\n\n").
    assert_eq!(edited("[a]\nk = 1\n# c", "a", "j", "2"), "[a]\nk = 1\n# c\nj = 2\n");
    // ... and here ("   j = 2\n\n", which its next run un-indents).
    assert_eq!(edited("[a]\n   ", "a", "j", "2"), "[a]\n   \nj = 2\n");
}

#[test]
fn set_finds_sections_as_the_writer_does() {
    assert_eq!(
        edited("[profile \"x y\"]\nk=1\n", "profile x y", "k", "2"),
        "[profile \"x y\"]\nk = 2\n"
    );
    assert_eq!(edited("[a] # main\nk=1\n", "a", "k", "2"), "[a] # main\nk = 2\n");
    assert_eq!(edited("[A]\nk=1\n", "a", "k", "2"), "[A]\nk=1\n[a]\nk = 2\n");
}

#[test]
fn setting_the_same_value_again_changes_nothing() {
    let mut doc = parse("[a]\nk=1\n");
    assert!(set(&mut doc, "a", "k", "1"));
    let once = doc.render();
    assert_eq!(once, "[a]\nk = 1\n");
    assert!(!set(&mut doc, "a", "k", "1"));
    assert_eq!(doc.render(), once);
    assert!(set(&mut doc, "b", "k", "1"));
    assert!(!set(&mut doc, "b", "k", "1"));
    assert_eq!(doc.get("b", "k"), Some("1"));
}

#[test]
fn rejects_bad_names_and_values() {
    let mut doc = parse("[a]\nk = 1\n");
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    for (section, key, value) in [
        ("a\nb", "k", "v"),
        ("a\r", "k", "v"),
        ("", "k", "v"),
        ("a]b", "k", "v"),
        ("a", "k\n", "v"),
        ("a", "k=j", "v"),
        ("a", "k:j", "v"),
        ("a", "[k", "v"),
        ("a", "#k", "v"),
        ("a", " k", "v"),
        ("a", "", "v"),
    ] {
        assert!(doc.set(section, key, value).is_err(), "{section:?} {key:?}");
    }
    for value in [format!("{secret}\n"), format!("x\r{secret}")] {
        let error = doc
            .set("a", "k", &value)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("line breaks"), "{error}");
        assert!(!error.contains(secret));
    }
    assert_eq!(doc.render(), "[a]\nk = 1\n");
}

#[test]
fn refuses_edits_botocore_would_misread() {
    let cases: &[(&str, &str, u32, &str)] = &[
        // The writer matches names exactly and would add a duplicate.
        ("[a]\nAWS_ACCESS_KEY_ID = x\n", "aws_access_key_id", 2, "two `"),
        // The writer would replace the nested `region` under s3.
        ("[a]\ns3 =\n    region = x\nregion = y\n", "region", 3, "two `"),
        ("[a]\ns3 =\n    region = x\n", "region", 2, "`s3`"),
        // The new line would take over the continuation of `k`.
        ("[a]\nk = v\n  more\n[b]\n", "j", 2, "`k`"),
        // The writer cannot find an indented header.
        ("  [a]\nk = v\n", "j", 1, "indented"),
    ];
    for (text, key, line, fragment) in cases {
        let mut doc = parse(text);
        match doc.set("a", key, "new") {
            Ok(_) => panic!("{text:?}: expected a refusal, got {:?}", doc.render()),
            Err(e) => {
                assert_eq!(e.line, Some(*line), "{text:?}: {e}");
                assert!(e.message.contains(fragment), "{text:?}: {e}");
            }
        }
        assert_eq!(doc.render(), *text);
    }
}

#[test]
fn many_sections_stay_fast() {
    let mut doc = IniDocument::new();
    for i in 0..5000 {
        let section = format!("profile p{i}");
        for key in ["output", "region", "role_arn", "source_profile", "mfa_serial"] {
            set(&mut doc, &section, key, "v");
        }
    }
    // Then, as in a second run, on the parsed file: replace and add.
    let mut doc = parse(&doc.render());
    for i in 0..5000 {
        let section = format!("profile p{i}");
        set(&mut doc, &section, "region", "w");
        set(&mut doc, &section, "sso_session", "s");
    }
    let text = doc.render();
    assert_eq!(text.lines().count(), 5000 * 7);
    assert_eq!(parse(&text).get("profile p4999", "region"), Some("w"));
}

#[test]
fn python_whitespace() {
    assert!(is_py_space('\u{1c}') && is_py_space('\u{a0}') && is_py_space('\u{3000}'));
    assert!(!is_py_space('\u{200b}') && !is_py_space('\u{feff}'));
    assert_eq!(writer_key("# see: x"), Some("# see"));
    assert_eq!(writer_key("==a = b"), Some("a"));
    assert_eq!(writer_key("no delimiter"), None);
    assert_eq!(writer_key("a="), Some("a"));
}

// -- property tests ------------------------------------------------------

fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => ("[a-e]", "[a-zA-Z0-9/+]{0,6}", prop_oneof![Just(" = "), Just("="), Just("   =  "), Just(": "), Just("\t=\t")])
            .prop_map(|(k, v, sep)| format!("{k}{sep}{v}")),
        1 => "[#;][ a-z:=]{0,8}",
        1 => Just(String::new()),
        1 => Just("  \t".to_string()),
        1 => ("[a-e]", "[a-z]{1,3}").prop_map(|(k, v)| format!("s3 =\n    {k} = {v}")),
        1 => "    [a-z]{1,5}",
    ]
}

fn document_strategy() -> impl Strategy<Value = String> {
    let section = ("[a-d]", prop::collection::vec(line_strategy(), 0..6));
    (
        prop::collection::vec("[#;] [a-z ]{0,6}", 0..2),
        prop::collection::vec(section, 0..4),
        any::<bool>(),
    )
        .prop_map(|(preamble, sections, final_newline)| {
            let mut text = String::new();
            for line in preamble {
                text.push_str(&line);
                text.push('\n');
            }
            for (name, lines) in sections {
                text.push_str(&format!("[{name}]\n"));
                for line in lines {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            if !final_newline && text.ends_with('\n') {
                text.pop();
            }
            text
        })
}

/// Splits text after each '\n' (each piece keeps it).
fn pieces(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Whether one set can have made `after` from `before`: one line
/// replaced by `written`, or `written` (with `header` before it, for a
/// new section) inserted at one point, and nothing else but an
/// unterminated last line gaining its "\n".
fn one_edit(before: &str, after: &str, key: &str, written: &str, header: &str) -> bool {
    let mut candidates = vec![before.to_string()];
    if !before.is_empty() && !before.ends_with('\n') {
        candidates.push(format!("{before}\n"));
    }
    candidates.iter().any(|before| {
        let (old, new) = (pieces(before), pieces(after));
        let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let max_suffix = old.len().min(new.len()) - prefix;
        let suffix = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take(max_suffix)
            .take_while(|(a, b)| a == b)
            .count();
        match (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]) {
            ([], []) => true,
            ([], [l]) => *l == written,
            ([], [h, l]) => *h == header && *l == written,
            ([o], [l]) => writer_key(o) == Some(key) && *l == written,
            _ => false,
        }
    })
}
proptest! {
    // No failure file: shrunk failures are printed, and belong in the
    // unit tests above.
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// One set touches one line (replaced) or adds its line(s) at one
    /// point, plus at most the final newline; setting the same value
    /// again changes nothing; botocore reads back the value.
    #[test]
    fn set_is_local_and_idempotent(
        text in document_strategy(),
        section in "[a-e]",
        key in "[a-f]",
        value in "[a-zA-Z0-9/+ ]{0,8}",
    ) {
        let Ok(mut doc) = IniDocument::parse(&text) else { return Ok(()); };
        match doc.set(&section, &key, &value) {
            Err(_) => prop_assert_eq!(doc.render(), text.clone()),
            Ok(_) => {
                let after = doc.render();
                let written = format!("{key} = {value}\n");
                let header = format!("[{section}]\n");
                prop_assert!(one_edit(&text, &after, &key, &written, &header), "before {:?}\nafter {:?}", text, after);
                prop_assert_eq!(doc.get(&section, &key), Some(value.trim()));
                let reparsed = IniDocument::parse(&after);
                prop_assert!(reparsed.is_ok(), "{:?}", reparsed.err());
                // Setting the same value again changes nothing.
                prop_assert_eq!(doc.set(&section, &key, &value), Ok(false));
                prop_assert_eq!(doc.render(), after);
            }
        }
    }

    /// With CRLF line ends, a set gives the LF document's result (the
    /// writer rewrites the file in text mode), except that appending a
    /// section keeps the old lines' CRLF.
    #[test]
    fn crlf_documents_edit_like_lf_ones(
        text in document_strategy(),
        section in "[a-e]",
        key in "[a-f]",
        value in "[a-z]{0,3}",
    ) {
        let crlf = text.replace('\n', "\r\n");
        let (Ok(mut lf_doc), Ok(mut crlf_doc)) = (IniDocument::parse(&text), IniDocument::parse(&crlf)) else {
            return Ok(());
        };
        let existed = crlf_doc.has_section(&section);
        let (lf_result, crlf_result) = (lf_doc.set(&section, &key, &value), crlf_doc.set(&section, &key, &value));
        prop_assert_eq!(lf_result.is_ok(), crlf_result.is_ok());
        if existed || crlf_result.is_err() {
            let want = if crlf_result.is_ok() { lf_doc.render() } else { crlf.clone() };
            prop_assert_eq!(crlf_doc.render(), want);
        } else {
            prop_assert_eq!(crlf_doc.render().replace("\r\n", "\n"), lf_doc.render());
            prop_assert!(crlf_doc.render().starts_with(&crlf));
        }
    }

    /// Parsing then rendering gives back the text, whatever the line ends.
    #[test]
    fn parse_render_round_trip(text in document_strategy(), crlf in any::<bool>()) {
        let text = if crlf { text.replace('\n', "\r\n") } else { text };
        if let Ok(doc) = IniDocument::parse(&text) {
            prop_assert_eq!(doc.render(), text);
        }
    }

    /// Neither parse nor set panics on arbitrary input.
    #[test]
    fn no_panics(text in "[\\[\\]a-c =:#;\t\r\n\u{1c}\u{a0}]{0,40}", key in "[a-c]", value in "[a-c ]{0,3}") {
        if let Ok(mut doc) = IniDocument::parse(&text) {
            let before = doc.render();
            prop_assert_eq!(&before, &text);
            if doc.set("a", &key, &value).is_err() {
                prop_assert_eq!(doc.render(), before);
            }
        }
    }
}

/// A removed section takes its header, its keys and the blank lines right
/// after them; comments after its keys and every other byte stay,
/// CRLF line ends included.
#[test]
fn remove_section_keeps_every_other_byte() {
    let text = "# top\r\n[a]\r\nk = 1\r\n\r\n# about b\r\n[b]\r\nk = 2\r\n[c]\r\nk = 3";
    let mut doc = IniDocument::parse(text).unwrap();
    assert!(doc.remove_section("a"));
    assert_eq!(doc.render(), "# top\r\n# about b\r\n[b]\r\nk = 2\r\n[c]\r\nk = 3");
    assert!(doc.remove_section("c"));
    assert_eq!(doc.render(), "# top\r\n# about b\r\n[b]\r\nk = 2\r\n");
    assert!(!doc.remove_section("c"));
    // Still editable as the writer edits, found by name after the removal.
    doc.set("b", "k", "4").unwrap();
    assert_eq!(doc.get("b", "k"), Some("4"));
    assert!(!doc.has_section("a"));
}

/// A section a person annotated or reshaped is not plain, and is never removed.
#[test]
fn only_plain_sections_are_removed() {
    for text in [
        "[a]\n# note\nk = 1\n",
        "[a]\nk = 1\n  continued\n",
        "[a]\n  k = 1\n",
        "[a]  \nk = 1\n",
        "[a]\n",
    ] {
        let mut doc = IniDocument::parse(text).unwrap();
        assert!(!doc.is_plain_section("a"), "{text:?}");
        assert!(!doc.remove_section("a"), "{text:?}");
        assert_eq!(doc.render(), text);
    }
}
