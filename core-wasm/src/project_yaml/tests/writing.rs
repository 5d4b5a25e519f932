//! Writing account ids into project.yaml: every layout an entry can have.

use super::*;

const TEMPLATE: &str =
    "project_name: example\nshort_name: ex\nprimary_region: us-east-1\norganization:\n  accounts:\n  \
- name: management\n    email: management-aws@example.com\n  - name: security\n    email: security-aws@example.com\n  \
organizational_units:\n  - name: security\n    accounts:\n    - security\n";

#[test]
fn inserts_ids_in_block_entries() {
    let u = set(
        TEMPLATE,
        &[("management", "012345678901"), ("security", "123456789012")],
    );
    assert_eq!(u.updated, vec!["management", "security"]);
    assert_eq!(
        u.text,
        TEMPLATE
            .replace(
                "management-aws@example.com\n",
                "management-aws@example.com\n    id: \"012345678901\"\n"
            )
            .replace(
                "security-aws@example.com\n",
                "security-aws@example.com\n    id: \"123456789012\"\n"
            )
    );
}

#[test]
fn indentless_and_indented_sequences_and_comments() {
    let text = "organization:\n  accounts:\n  # the payer\n  - name: management # root\n    email: m@example.com # mail\n    # no id yet\n  - name: apps\n";
    let u = set(text, &[("management", "111111111111")]);
    assert_eq!(u.text, text.replace("# mail\n", "# mail\n    id: \"111111111111\"\n"));
    let text = "organization:\n  accounts:\n      - name: a\n        email: a@example.com\n      - name: b\n";
    let u = set(text, &[("a", "1"), ("b", "2")]);
    assert_eq!(
            u.text,
            "organization:\n  accounts:\n      - name: a\n        email: a@example.com\n        id: \"1\"\n      - name: b\n        id: \"2\"\n"
        );
    let text = "accounts:\n- name: a\norganization:\n  accounts:\n  - name: a\n";
    let u = set(text, &[("a", "1")]);
    assert_eq!(
        u.text,
        "accounts:\n- name: a\norganization:\n  accounts:\n  - name: a\n    id: \"1\"\n"
    );
}

#[test]
fn replaces_existing_ids_exactly() {
    let text = "organization:\n  accounts:\n  - name: a\n    id: 123 # old\n    email: a@x\n  - name: b\n    id: '0042'\n  - name: c\n    id: \"7\"\n";
    let u = set(text, &[("a", "000000000123"), ("b", "5"), ("c", "8")]);
    assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    id: \"000000000123\" # old\n    email: a@x\n  - name: b\n    id: \"5\"\n  - name: c\n    id: \"8\"\n"
        );
    assert_eq!(u.updated, vec!["a", "b", "c"]);
}

#[test]
fn equal_ids_are_left_as_written() {
    let text = "organization:\n  accounts:\n  - name: a\n    id: 123456789012\n  - name: b\n    id: '000000000042'\n";
    let u = set(text, &[("a", "123456789012"), ("b", "000000000042")]);
    assert_eq!(
        u,
        IdUpdate {
            text: text.to_owned(),
            updated: vec![]
        }
    );
}

#[test]
fn null_id_gets_a_value() {
    let text = "organization:\n  accounts:\n  - name: a\n    id: # later\n    email: e\n  - {name: b, id: }\n  - {name: c, id}\n";
    let u = set(text, &[("a", "1"), ("b", "2"), ("c", "3")]);
    assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    id: \"1\" # later\n    email: e\n  - {name: b, id: \"2\" }\n  - {name: c, id: \"3\"}\n"
        );
}

#[test]
fn flow_entries() {
    let text = "organization:\n  accounts: [{name: a, email: a@x}, {name: b, }, {name: c, email: },\n    {name: d,\n     email: d@x}  ]\n";
    let u = set(text, &[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]);
    assert_eq!(
            u.text,
            "organization:\n  accounts: [{name: a, email: a@x, id: \"1\"}, {name: b, id: \"2\", }, {name: c, email: , id: \"3\"},\n    {name: d,\n     email: d@x, id: \"4\"}  ]\n"
        );
    let text = "organization:\n  accounts:\n  - {name: a, email: \"a@x\"}   # first\n  - {name: b, id: 99}\n";
    let u = set(text, &[("a", "1"), ("b", "2")]);
    assert_eq!(
        u.text,
        "organization:\n  accounts:\n  - {name: a, email: \"a@x\", id: \"1\"}   # first\n  - {name: b, id: \"2\"}\n"
    );
}

#[test]
fn bom_before_the_organization() {
    let text = "\u{feff}organization:\r\n  accounts:\r\n  - name: a\r\n";
    let u = set(text, &[("a", "1")]);
    assert_eq!(
        u.text,
        "\u{feff}organization:\r\n  accounts:\r\n  - name: a\r\n    id: \"1\"\r\n"
    );
}

#[test]
fn crlf_and_bom_and_missing_final_newline() {
    let text = "\u{feff}organization:\r\n  accounts:\r\n  - name: a\r\n    email: a@x\r\n  - name: b\r\n    email: b@x";
    let u = set(text, &[("a", "1"), ("b", "2")]);
    assert_eq!(
            u.text,
            "\u{feff}organization:\r\n  accounts:\r\n  - name: a\r\n    email: a@x\r\n    id: \"1\"\r\n  - name: b\r\n    email: b@x\r\n    id: \"2\""
        );
}

#[test]
fn nested_and_block_scalar_values_last() {
    let text = "organization:\n  accounts:\n  - name: a\n    tags:\n      - x\n      - y\n    # after tags\n  - name: b\n    note: |\n      line one\n      # not a comment\n\n    # a comment\n  - name: c\n    note: >-\n      héllo\n      wörld";
    let u = set(text, &[("a", "1"), ("b", "2"), ("c", "3")]);
    assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    tags:\n      - x\n      - y\n    id: \"1\"\n    # after tags\n  - name: b\n    id: \"2\"\n    note: |\n      line one\n      # not a comment\n\n    # a comment\n  - name: c\n    id: \"3\"\n    note: >-\n      héllo\n      wörld"
        );
}

#[test]
fn block_scalar_name_only() {
    let text = "organization:\n  accounts:\n  - name: >-\n      a\n    # comment\n\n  - name: b\n";
    let u = set(text, &[("a", "1")]);
    assert_eq!(
        u.text,
        "organization:\n  accounts:\n  - name: >-\n      a\n    id: \"1\"\n    # comment\n\n  - name: b\n"
    );
    // Keep chomping: the trailing blank line belongs to the name, so a
    // line cannot go after the name without changing it.
    let text = "organization:\n  accounts:\n  - name: |+\n      a\n\n  - name: b\n";
    assert!(set_account_ids(text, &ids(&[("a\n\n", "1")])).is_err());
}

#[test]
fn multi_line_plain_and_quoted_values_last() {
    let text = "organization:\n  accounts:\n  - name: a\n    note: a long\n      plain text\n  - name: b\n    note: \"quoted \\\"and\n      folded\"\n  - name: c\n";
    let u = set(text, &[("a", "1"), ("b", "2")]);
    assert_eq!(
            u.text,
            "organization:\n  accounts:\n  - name: a\n    note: a long\n      plain text\n    id: \"1\"\n  - name: b\n    note: \"quoted \\\"and\n      folded\"\n    id: \"2\"\n  - name: c\n"
        );
}

#[test]
fn non_ascii_before_the_id() {
    let text = "project_name: «ñandú»\norganization:\n  accounts:\n  - {name: ñandú, email: \"é@x\", id: 1}\n  - name: 名前\n    email: 名前@x # ü\n    id: 2 # ü\n";
    let u = set(text, &[("ñandú", "10"), ("名前", "20")]);
    assert_eq!(
            u.text,
            "project_name: «ñandú»\norganization:\n  accounts:\n  - {name: ñandú, email: \"é@x\", id: \"10\"}\n  - name: 名前\n    email: 名前@x # ü\n    id: \"20\" # ü\n"
        );
}

#[test]
fn unknown_names_and_files_without_accounts_are_untouched() {
    let u = set(TEMPLATE, &[("nobody", "1")]);
    assert_eq!(
        u,
        IdUpdate {
            text: TEMPLATE.to_owned(),
            updated: vec![]
        }
    );
    for text in [
        "",
        "# nothing\n",
        "short_name: ex\n",
        "organization:\n  organizational_units: []\n",
        "organization:\n  accounts:\n",
    ] {
        let u = set(text, &[("management", "1")]);
        assert_eq!(
            u,
            IdUpdate {
                text: text.to_owned(),
                updated: vec![]
            }
        );
    }
    let u = set("organization:\n  accounts: []\n", &[("management", "1")]);
    assert!(u.updated.is_empty());
}

#[test]
fn keys_other_than_name_first_and_quoted_keys() {
    let text = "organization:\n  accounts:\n  - email: a@x\n    \"name\": a\n  -\n    'name': b\n";
    let u = set(text, &[("a", "1"), ("b", "2")]);
    assert_eq!(u.text, "organization:\n  accounts:\n  - email: a@x\n    \"name\": a\n    id: \"1\"\n  -\n    'name': b\n    id: \"2\"\n");
}

#[test]
fn duplicate_names_all_get_the_id() {
    let text = "organization:\n  accounts:\n  - name: a\n  - name: a\n    id: 5\n";
    let u = set(text, &[("a", "5")]);
    assert_eq!(
        u.text,
        "organization:\n  accounts:\n  - name: a\n    id: \"5\"\n  - name: a\n    id: 5\n"
    );
    assert_eq!(u.updated, vec!["a"]);
}

#[test]
fn bad_input_is_an_error() {
    assert!(set_account_ids(TEMPLATE, &ids(&[("management", "12a")])).is_err());
    assert!(set_account_ids(TEMPLATE, &ids(&[("management", "")])).is_err());
    let e = set_account_ids("organization:\n  accounts: 5\n", &ids(&[("a", "1")]));
    assert_eq!(e.err().and_then(|e| e.line), Some(2));
    let e = set_account_ids(
        "organization:\n  accounts:\n  - name: a\n    id: |\n      12\n",
        &ids(&[("a", "1")]),
    );
    assert_eq!(e.err().and_then(|e| e.line), Some(4));
}

#[test]
fn json_style_file() {
    let text = "{\"short_name\": \"js\", \"organization\": {\"accounts\": [{\"name\": \"a\"}, {\"name\": \"b\", \"id\": \"1\"}]}}\n";
    let u = set(text, &[("a", "2"), ("b", "3")]);
    assert_eq!(
            u.text,
            "{\"short_name\": \"js\", \"organization\": {\"accounts\": [{\"name\": \"a\", id: \"2\"}, {\"name\": \"b\", \"id\": \"3\"}]}}\n"
        );
}

#[test]
fn tabs_and_tags() {
    let text = "organization:\n  accounts:\n  - name: a\n    id:\t!!str 0123\t# tagged\n  - name: b\t# tab\n";
    let u = set(text, &[("a", "4"), ("b", "5")]);
    assert_eq!(
        u.text,
        "organization:\n  accounts:\n  - name: a\n    id:\t!!str \"4\"\t# tagged\n  - name: b\t# tab\n    id: \"5\"\n"
    );
    // libyaml reads `name:<tab>b`, yaml-rust2 does not: a clear error
    // with the line, nothing written.
    let text = "organization:\n  accounts:\n  - name: a\n  - name:\tb\n";
    assert_eq!(read(text).map(|p| p.accounts.map(|a| a.len())), Ok(Some(2)));
    let e = set_account_ids(text, &ids(&[("a", "1")])).err();
    assert_eq!(e.and_then(|e| e.line), Some(4));
}

#[test]
fn aliases() {
    let text = "base: &id 42\norganization:\n  accounts:\n  - name: a\n    id: *id\n";
    let u = set(text, &[("a", "1")]);
    assert_eq!(
        u.text,
        "base: &id 42\norganization:\n  accounts:\n  - name: a\n    id: \"1\"\n"
    );
}

#[test]
fn plain_scalar_scanning() {
    let end = |text: &str, start, value, flow| plain_end(&Lines::new(text), start, value, flow);
    assert_eq!(end("a: b c # x\n", 3, "b c", false), Some(6));
    assert_eq!(end("{a: b, c: d}", 4, "b", true), Some(5));
    assert_eq!(end("a: b\n  c\n\n  d\ne: f", 3, "b c\nd", false), Some(13));
    assert_eq!(end("a: b\n  c\n", 3, "zzz", false), None);
    assert_eq!(end("a: b\n  c # x\n  d\n", 3, "b c d", false), None);
    assert_eq!(alias_end("x: *abc, y", 3), Some(7));
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    struct Entry {
        flow: bool,
        email: bool,
        /// 0 none, 1 plain integer, 2 single quoted, 3 double quoted, 4 empty, 5 `~`
        id_style: u8,
        id_first: bool,
        comment: bool,
        comment_after: bool,
        set: Option<u64>,
    }

    fn entry() -> impl Strategy<Value = Entry> {
        (
            any::<bool>(),
            any::<bool>(),
            0u8..6,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0u64..1_000_000_000_000),
        )
            .prop_map(|(flow, email, id_style, id_first, comment, comment_after, set)| Entry {
                flow,
                email,
                id_style,
                id_first,
                comment,
                comment_after,
                set,
            })
    }

    fn render(entries: &[Entry], indent: usize, crlf: bool, final_newline: bool) -> String {
        let pad = " ".repeat(indent);
        let mut lines = vec![
            "short_name: pt".to_owned(),
            "organization:".to_owned(),
            "  accounts:".to_owned(),
        ];
        for (i, e) in entries.iter().enumerate() {
            let id = match e.id_style {
                1 => Some(format!("{}", 100 + i)),
                2 => Some(format!("'{:012}'", i)),
                3 => Some(format!("\"{:012}\"", i)),
                4 => Some(String::new()),
                5 => Some("~".to_owned()),
                _ => None,
            };
            let mut keys = vec![format!("name: acc{i}")];
            if e.email {
                keys.push(format!("email: acc{i}@example.com"));
            }
            if let Some(id) = id {
                let kv = if id.is_empty() {
                    "id:".to_owned()
                } else {
                    format!("id: {id}")
                };
                if e.id_first {
                    keys.insert(0, kv);
                } else {
                    keys.push(kv);
                }
            }
            let comment = if e.comment { "  # note" } else { "" };
            if e.flow {
                let body = keys
                    .iter()
                    .map(|k| if k == "id:" { "id: ".to_owned() } else { k.clone() })
                    .collect::<Vec<_>>()
                    .join(", ");
                lines.push(format!("{pad}- {{{body}}}{comment}"));
            } else {
                for (j, k) in keys.iter().enumerate() {
                    let lead = if j == 0 { format!("{pad}- ") } else { format!("{pad}  ") };
                    lines.push(format!("{lead}{k}{comment}"));
                }
            }
            if e.comment_after {
                lines.push(format!("{pad}  # after acc{i}"));
            }
        }
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = lines.join(eol);
        if final_newline {
            text.push_str(eol);
        }
        text
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn sets_exactly_the_requested_ids(
            entries in proptest::collection::vec(entry(), 1..6),
            indent in 2usize..5,
            crlf in any::<bool>(),
            final_newline in any::<bool>(),
        ) {
            let text = render(&entries, indent, crlf, final_newline);
            let pairs: Vec<(String, String)> = entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| e.set.map(|id| (format!("acc{i}"), format!("{id:012}"))))
                .collect();
            let result = set_account_ids(&text, &pairs);
            prop_assert!(result.is_ok(), "{:?}\n{}", result, text);
            let update = result.unwrap_or_else(|_| IdUpdate { text: String::new(), updated: vec![] });
            let accounts = read(&update.text).ok().and_then(|p| p.accounts).unwrap_or_default();
            prop_assert_eq!(accounts.len(), entries.len());
            for (name, id) in &pairs {
                let got = accounts.iter().find(|a| &a.name == name).and_then(|a| a.id.clone());
                prop_assert_eq!(got.as_ref(), Some(id));
            }
            prop_assert_eq!(update.text.matches('\r').count() > 0, crlf && (update.text.contains('\n')));
            let again = set_account_ids(&update.text, &pairs);
            prop_assert_eq!(again, Ok(IdUpdate { text: update.text.clone(), updated: vec![] }));
        }
    }
}

/// Nesting limits.
mod nesting {
    use super::super::*;

    fn deep(open: &str, close: &str, n: usize) -> String {
        format!("{}{}", open.repeat(n), close.repeat(n))
    }

    #[test]
    fn flow_nesting_over_the_limit_is_refused_at_its_line() {
        let text = format!("short_name: bb\n# a comment\nx: {}\n", deep("[", "]", 65));
        assert_eq!(flow_too_deep(&text), Some(3));
        let text = format!("short_name: bb\nx: {}\n", deep("{a: ", "}", 65));
        assert_eq!(flow_too_deep(&text), Some(2));
        assert_eq!(flow_too_deep(&format!("x: {}\n", deep("[", "]", 64))), None);
    }

    /// Brackets that are not YAML's count for nothing: in comments, quoted
    /// and block scalars, and plain scalars.
    #[test]
    fn brackets_inside_text_are_not_nesting() {
        let many = "[".repeat(100);
        for text in [
            format!("# {many}\nshort_name: bb\n"),
            format!("x: \"{many}\"\n"),
            format!("x: '{many}'\n"),
            format!("x: 'it''s {many}'\n"),
            format!("x: \"a \\\" {many}\"\n"),
            format!("x: a{many}\n"),
            format!("x: it's {many}\n"),
            format!("x: |\n  {many}\n\n  {many}\ny: 1\n"),
            format!("- >-\n    {many}\n- b\n"),
            format!("x: [a, b] # {many}\n"),
        ] {
            assert_eq!(flow_too_deep(&text), None, "{text:?}");
        }
    }

    /// After a block scalar the scan goes on, with the right line.
    #[test]
    fn the_scan_resumes_after_a_block_scalar() {
        let text = format!("x: |\n  [[[\ny: {}\n", deep("[", "]", 65));
        assert_eq!(flow_too_deep(&text), Some(3));
    }
}
