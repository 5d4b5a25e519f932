//! Tests of the `project_yaml` module.

use super::*;

fn acc(name: &str, email: Option<&str>, id: Option<&str>) -> DeclaredAccount {
    DeclaredAccount {
        name: name.into(),
        email: email.map(Into::into),
        id: id.map(Into::into),
    }
}

fn ids(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, i)| ((*n).to_owned(), (*i).to_owned())).collect()
}

fn set(text: &str, pairs: &[(&str, &str)]) -> IdUpdate {
    let update = match set_account_ids(text, &ids(pairs)) {
        Ok(u) => u,
        Err(e) => panic!("set_account_ids failed: {e}\n{text}"),
    };
    // Setting the same ids again changes nothing.
    let again = set_account_ids(&update.text, &ids(pairs));
    assert_eq!(
        again,
        Ok(IdUpdate {
            text: update.text.clone(),
            updated: vec![]
        }),
        "not idempotent"
    );
    update
}

/// The check of an edit reads the accounts from its parse of the edited
/// text; where a parsed value is stricter than the text (here a null
/// mapping key, which `read` skips as an unknown field), it reads the
/// text, and the ids are still written.
#[test]
fn ids_are_written_beside_a_null_key() {
    let text = "organization:\n  accounts:\n  - name: security\n    ~: odd\n";
    assert!(
        Option::<RawProject>::deserialize(&serde_norway::from_str::<serde_norway::Value>(text).unwrap()).is_err(),
        "this test needs a document that only reads through the text"
    );
    let update = set(text, &[("security", "111111111111")]);
    let accounts = read(&update.text).unwrap().accounts.unwrap();
    assert_eq!(accounts[0].id.as_deref(), Some("111111111111"), "{}", update.text);
}

/// `set_account_ids` reads the accounts from its parsed document; that
/// must give what `read` gives whenever `read` accepts the text.
#[test]
fn the_document_reads_as_the_text_does() {
    let texts = [
        "short_name: ex\norganization:\n  accounts:\n  - name: a\n    id: 012345678901\n  - {name: b, id: \"1\"}\n",
        "organization:\n  accounts:\n  - &x\n    name: a\n    email: a@x.com\n  - *x\n",
        "base: &b {name: shared}\norganization:\n  accounts:\n  - <<: *b\n    id: 12\n  - name: c\n",
        "organization:\n  accounts:\n  - name: !!str 12\n    id: !!str 0123\n",
        "organization:\n  accounts:\n  - name: security\n    ~: odd\n    7: seven\n",
        "other: {k: 1, k: 2}\nshort_name: ex\n",
        "\u{feff}region: us-east-1 # c\n\norganization: {accounts: [{name: a, email: ~}]}\n",
        "project_name: !custom x\n",
        "organization:\n  accounts:\n  - name: a\n    id: 0x1F\n",
        "organization:\n  accounts:\n  - name: \"a\\u0041\"\n    extra: |\n      text\n",
        "# only a comment\n",
        "",
        "organization:\n  accounts: ~\n",
    ];
    for text in texts {
        match read(text) {
            Ok(values) => {
                let (from_document, _) = read_document(text).unwrap();
                assert_eq!(from_document, values, "{text:?}");
            }
            Err(error) => assert_eq!(read_document(text).err(), Some(error), "{text:?}"),
        }
    }
}

/// Template placeholders in an id's place read as written: the caller
/// replaces them, and `set_account_ids` writes over them.
#[test]
fn any_scalar_id_reads_as_written_and_is_replaced() {
    for (written, read_as) in [
        ("XXXXXXXXXXXX", "XXXXXXXXXXXX"),
        ("\"\"", ""),
        ("-5", "-5"),
        ("1.5", "1.5"),
        ("true", "true"),
        ("\"12 34\"", "12 34"),
    ] {
        let text = format!("organization:\n  accounts:\n  - name: a\n    id: {written}\n");
        let values = read(&text).unwrap_or_else(|e| panic!("{written}: {e}"));
        assert_eq!(values.accounts.unwrap()[0].id.as_deref(), Some(read_as), "{written}");
        let u = set(&text, &[("a", "123456789012")]);
        assert_eq!(
            u.text, "organization:\n  accounts:\n  - name: a\n    id: \"123456789012\"\n",
            "{written}"
        );
    }
}

fn err_line(text: &str) -> (Option<u32>, String) {
    match read(text) {
        Ok(v) => panic!("expected an error for {text:?}, got {v:?}"),
        Err(e) => (e.line, e.message),
    }
}

// Reading.

#[test]
fn reads_every_key() {
    let text = "project_name: example\nshort_name: ex\nregion: us-east-2\nregion_primary: us-east-1\n\
primary_region: eu-west-1\nsecondary_region: us-west-2\norganization:\n  accounts:\n  - name: management\n    \
email: management-aws@example.com\n    id: \"012345678901\"\n  - name: security\n    email: security-aws@example.com\n    \
id: 123456789012\n  - name: shared\n  organizational_units:\n  - name: security\n    policy:\n    - aws_policy_name\n";
    let p = read(text).unwrap_or_default();
    assert_eq!(
        p,
        ProjectYaml {
            short_name: Some("ex".into()),
            project_name: Some("example".into()),
            region: Some("us-east-2".into()),
            region_primary: Some("us-east-1".into()),
            primary_region: Some("eu-west-1".into()),
            secondary_region: Some("us-west-2".into()),
            accounts: Some(vec![
                acc("management", Some("management-aws@example.com"), Some("012345678901")),
                acc("security", Some("security-aws@example.com"), Some("123456789012")),
                acc("shared", None, None),
            ]),
        }
    );
}

/// (fuzzing, target `project_yaml_set` in strict mode): an entry
/// whose last value is a block sequence ending with an empty item got
/// its `id` line between the key and the items, and the edit was refused.
#[test]
fn entry_ending_with_an_empty_sequence_item() {
    for (text, expected) in [
            (
                "organization:\n  accounts:\n  - name: management\n    tags:\n      - ",
                "organization:\n  accounts:\n  - name: management\n    id: \"111111111111\"\n    tags:\n      - ",
            ),
            (
                "organization:\n  accounts:\n  - name: management\n    tags:\n      - a\n      -\n  - name: b\n",
                "organization:\n  accounts:\n  - name: management\n    id: \"111111111111\"\n    tags:\n      - a\n      -\n  - name: b\n",
            ),
        ] {
            assert_eq!(set(text, &[("management", "111111111111")]).text, expected);
        }
}

/// `id:` with an anchor or a tag and no value: writing the id between the
/// colon and the anchor would not parse, so it is a clear error on its
/// line (found by the fuzz target `project_yaml_set` in strict mode).
#[test]
fn empty_id_with_an_anchor_or_tag_is_a_clear_error() {
    for text in [
        "organization:\n  accounts:\n  - name: apps\n    id: &a\n",
        "organization:\n  accounts:\n  - name: apps\n    id: &a # later\n",
    ] {
        let error = match set_account_ids(text, &ids(&[("apps", "111111111111")])) {
            Ok(update) => panic!("expected an error, got {}", update.text),
            Err(e) => e,
        };
        assert_eq!(error.line, Some(4), "{error}");
        assert!(error.message.contains("anchor or a tag"), "{error}");
    }
    // A comment after an empty `id:` is no obstacle.
    let text = "organization:\n  accounts:\n  - name: apps\n    id: # later\n";
    assert_eq!(
        set(text, &[("apps", "111111111111")]).text,
        text.replace("id: #", "id: \"111111111111\" #")
    );
}

/// (fuzzing, target `project_yaml_read`): libyaml counts U+0085,
/// U+2028 and U+2029 as line breaks, so an error after one named a line
/// past the end of the file.
#[test]
fn error_lines_count_only_cr_and_lf_line_breaks() {
    assert_eq!(err_line("\u{e9}: 1\u{85}b: 1\u{2028}c: [\n").0, Some(2));
    assert_eq!(err_line("a: 1\r\nb: 1\rc: 'x\u{2029}\n").0, Some(4));
    assert_eq!(err_line("short_name: bb\nregion: [1]\n").0, Some(2));
}

#[test]
fn empty_and_comment_only_files_have_nothing() {
    for text in ["", "\n\n", "# just a comment\n", "---\n", "\u{feff}", "# a\n\n  # b"] {
        assert_eq!(read(text), Ok(ProjectYaml::default()), "{text:?}");
    }
}

#[test]
fn absent_and_null_values_are_none() {
    let p = read("short_name:\nproject_name: ~\norganization:\nother: [1, 2]\n").unwrap_or_default();
    assert_eq!(p, ProjectYaml::default());
    let p = read("organization:\n  accounts:\n").unwrap_or_default();
    assert_eq!(p.accounts, None);
    let p = read("organization:\n  accounts: []\n").unwrap_or_default();
    assert_eq!(p.accounts, Some(vec![]));
    let p = read("organization:\n  accounts:\n  - name: a\n    id:\n    email: null\n").unwrap_or_default();
    assert_eq!(p.accounts, Some(vec![acc("a", None, None)]));
}

#[test]
fn ids_are_strings_of_digits() {
    let text = "organization:\n  accounts:\n  - {name: a, id: 123456789012}\n  - {name: b, id: '000000000001'}\n  \
- {name: c, id: 012345678901}\n  - {name: d, id: !!str 42}\n";
    let p = read(text).unwrap_or_default();
    let got: Vec<Option<String>> = p.accounts.unwrap_or_default().into_iter().map(|a| a.id).collect();
    assert_eq!(
        got,
        vec![
            Some("123456789012".to_owned()),
            Some("000000000001".to_owned()),
            Some("012345678901".to_owned()),
            Some("42".to_owned())
        ]
    );
}

#[test]
fn unknown_keys_and_crlf_and_bom_are_fine() {
    let text = "\u{feff}short_name: ex\r\nterraform_version: 1.5\r\norganization:\r\n  extra: {a: b}\r\n  accounts:\r\n  - name: x\r\n    tags: [1]\r\n";
    let p = read(text).unwrap_or_default();
    assert_eq!(p.short_name.as_deref(), Some("ex"));
    assert_eq!(p.accounts, Some(vec![acc("x", None, None)]));
}

#[test]
fn malformed_files_name_the_line() {
    let org = "project_name: x\norganization:\n  accounts:\n";
    let cases: Vec<(String, u32, &str)> = vec![
        ("short_name: 12\n".into(), 1, "short_name"),
        ("project_name: x\nshort_name: [a, b]\n".into(), 2, "short_name"),
        ("a: 1\n\nproject_name: true\n".into(), 3, "project_name"),
        ("a: 1\nprimary_region: {x: 1}\n".into(), 2, "primary_region"),
        ("short_name: ex\norganization: 5\n".into(), 2, "organization"),
        ("short_name: ex\norganization:\n- a\n".into(), 3, "organization"),
        ("organization:\n  accounts: 5\n".into(), 2, "accounts"),
        ("organization:\n  accounts:\n    name: x\n".into(), 3, "accounts"),
        (
            format!("{org}  - name: a\n  - email: b@example.com\n"),
            5,
            "missing field `name`",
        ),
        (format!("{org}  - management\n"), 4, "accounts[0]"),
        (format!("{org}  - name: 5\n"), 4, "name"),
        (format!("{org}  - name: ''\n"), 4, "name"),
        (format!("{org}  - name: a\n    email: [x]\n"), 5, "email"),
        (format!("{org}  - name: a\n    id: {{x: 1}}\n"), 5, "id"),
        (format!("{org}  - name: a\n    id: [1]\n"), 5, "id"),
        ("a: [\n".into(), 2, ""),
        ("a: b\n  c: d\n".into(), 2, ""),
        ("a: 1\nb: 'unterminated\n".into(), 3, "quoted scalar at line 2 column 4"),
        ("- a\n- b\n".into(), 1, ""),
        ("a: 1\nshort_name: x\nshort_name: y\n".into(), 3, "duplicate"),
        ("a:\n\t- b\n".into(), 2, ""),
    ];
    for (text, line, needle) in &cases {
        let (got_line, message) = err_line(text);
        assert_eq!(got_line, Some(*line), "{text:?}: {message}");
        assert!(message.contains(needle), "{text:?}: {message}");
        assert!(!message.contains(&format!(" at line {line} ")), "{text:?}: {message}");
    }
}

#[test]
fn error_display_names_the_line_once() {
    let e = read("organization:\n  accounts: 5\n")
        .err()
        .unwrap_or_else(|| InputError::new(""));
    assert_eq!(
        e.to_string(),
        "line 2: organization.accounts: invalid type: integer `5`, expected a sequence"
    );
}

mod writing;
