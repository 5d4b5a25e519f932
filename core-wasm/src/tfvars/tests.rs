//! Tests of the `tfvars` module.

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
    let text = "# ids\nroot_account_id       = \"111111111111\" # the root\nshared_account_id     = \"000000000000\"\n";
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
    assert!(
        out.text.starts_with(
            "accounts = {\n  # the org root\n  management = {\n    email = \"new@x\", # old\n    id    = \"1\"\n  },\n\
             \x20 security = {\n    email = \"s@x\"\n    id    = \"222222222222\"\n  }\n\
             \x20 shared = { email = \"sh@x\", id = \"333333333333\" }\n}\n"
        ),
        "{}",
        out.text
    );
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
    let text =
        "\u{feff}x = 1\r\nshared_account_id = \"1\"\r\naccounts = {\r\n  a = {\r\n    email = \"a@x\"\r\n  }\r\n}\r\n";
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
