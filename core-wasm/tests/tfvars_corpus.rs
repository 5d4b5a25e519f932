//! The `common.tfvars` write-back corpus: every directory under
//! `tests/fixtures/tfvars/` holds `input.tfvars`, `accounts.json` (the accounts
//! given to `write_back`) and `expected.tfvars` (the hand-checked result).

// In a module named after the file, so that `cargo test tfvars` runs these too.
mod tfvars_corpus {
    use leverage_core::model::DeclaredAccount;
    use leverage_core::tfvars;

    use std::fs;
    use std::path::{Path, PathBuf};

    struct Case {
        name: String,
        input: String,
        expected: String,
        accounts: Vec<DeclaredAccount>,
    }

    /// How many cases the corpus holds.
    const CASES: usize = 14;

    fn corpus_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/tfvars")
    }

    fn read_text(path: &Path) -> String {
        fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn read_accounts(path: &Path) -> Vec<DeclaredAccount> {
        let value: serde_json::Value =
            serde_json::from_str(&read_text(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let list = value
            .as_array()
            .unwrap_or_else(|| panic!("{}: not a list", path.display()));
        list.iter()
            .map(|a| DeclaredAccount {
                name: a["name"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: an account has no name", path.display()))
                    .into(),
                email: a.get("email").and_then(|v| v.as_str()).map(Into::into),
                id: a.get("id").and_then(|v| v.as_str()).map(Into::into),
            })
            .collect()
    }

    fn cases() -> Vec<Case> {
        let dir = corpus_dir();
        let mut dirs: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_dir())
            .collect();
        dirs.sort();
        let cases: Vec<Case> = dirs
            .iter()
            .map(|path| Case {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                input: read_text(&path.join("input.tfvars")),
                expected: read_text(&path.join("expected.tfvars")),
                accounts: read_accounts(&path.join("accounts.json")),
            })
            .collect();
        // Exactly the cases committed, so that none can vanish unnoticed.
        assert_eq!(
            cases.len(),
            CASES,
            "tests/fixtures/tfvars has {} cases, not {CASES}: update CASES when adding or removing one",
            cases.len()
        );
        cases
    }

    fn write_back(case: &Case, text: &str) -> tfvars::WriteBack {
        tfvars::write_back(text, &case.accounts).unwrap_or_else(|e| panic!("{}: {e}", case.name))
    }

    #[test]
    fn write_back_gives_the_expected_bytes() {
        for case in cases() {
            let out = write_back(&case, &case.input);
            assert!(
                out.text == case.expected,
                "{}: the result differs from expected.tfvars\n--- got ---\n{}\n--- expected ---\n{}",
                case.name,
                out.text,
                case.expected
            );
            assert_eq!(
                out.attributes.is_empty(),
                case.input == case.expected,
                "{}: {:?}",
                case.name,
                out.attributes
            );
        }
    }

    #[test]
    fn write_back_is_idempotent() {
        for case in cases() {
            let once = write_back(&case, &case.input);
            let twice = write_back(&case, &once.text);
            assert!(
                twice.text == once.text,
                "{}: a second write-back changed the text",
                case.name
            );
            assert!(
                twice.attributes.is_empty(),
                "{}: a second write-back changed {:?}",
                case.name,
                twice.attributes
            );
        }
    }

    #[test]
    fn nothing_to_write_changes_nothing() {
        for case in cases() {
            for text in [&case.input, &case.expected] {
                let out = tfvars::write_back(text, &[]).unwrap_or_else(|e| panic!("{}: {e}", case.name));
                assert!(out.text == *text && out.attributes.is_empty(), "{}", case.name);
            }
        }
    }

    /// Lines of `a` that a longest common subsequence with `b` keeps.
    fn kept_lines(a: &[&str], b: &[&str]) -> Vec<bool> {
        let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                table[i][j] = if a[i] == b[j] {
                    table[i + 1][j + 1] + 1
                } else {
                    table[i + 1][j].max(table[i][j + 1])
                };
            }
        }
        let mut kept = vec![false; a.len()];
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] == b[j] {
                kept[i] = true;
                i += 1;
                j += 1;
            } else if table[i + 1][j] >= table[i][j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
        kept
    }

    fn is_ident_char(c: char) -> bool {
        c.is_alphanumeric() || c == '_' || c == '-'
    }

    /// `line` holds `word` as a key: `word =` or `word:`, `word` not part of a longer name
    /// (a `suffix` word such as `_account_id` may end a longer name).
    fn holds_key(line: &str, word: &str, suffix: bool) -> bool {
        line.match_indices(word).any(|(at, _)| {
            let before_ok = suffix || !line[..at].chars().next_back().is_some_and(is_ident_char);
            let rest = line[at + word.len()..].trim_start();
            before_ok && (rest.starts_with('=') || rest.starts_with(':'))
        })
    }

    /// A line a write-back may change: it holds an id or an email, or an empty
    /// object that receives new entries.
    fn may_change(line: &str) -> bool {
        holds_key(line, "_account_id", true)
            || holds_key(line, "id", false)
            || holds_key(line, "email", false)
            || line.contains("{}")
            || line.contains("{ }")
    }

    #[test]
    fn lines_without_an_id_an_email_or_a_new_entry_are_unchanged() {
        for case in cases() {
            let input: Vec<&str> = case.input.lines().collect();
            let output: Vec<&str> = case.expected.lines().collect();
            for (line, kept) in input.iter().zip(kept_lines(&input, &output)) {
                assert!(kept || may_change(line), "{}: the line {line:?} changed", case.name);
            }
            // And the same against what write_back gives, in case expected.tfvars is off.
            let got = write_back(&case, &case.input).text;
            let got: Vec<&str> = got.lines().collect();
            for (line, kept) in input.iter().zip(kept_lines(&input, &got)) {
                assert!(kept || may_change(line), "{}: the line {line:?} changed", case.name);
            }
        }
    }

    /// hcl-edit gives back every corpus file byte for byte (line ends aside:
    /// it prints LF, and the write-back keeps the file's CRLF itself).
    #[test]
    fn every_corpus_file_round_trips_through_hcl_edit() {
        for case in cases() {
            for (which, text) in [("input", &case.input), ("expected", &case.expected)] {
                let src = text.strip_prefix('\u{feff}').unwrap_or(text);
                let body = hcl_edit::parser::parse_body(src).unwrap_or_else(|e| panic!("{} {which}: {e}", case.name));
                let printed = body.to_string();
                if src.contains('\r') {
                    assert_eq!(
                        printed.replace("\r\n", "\n"),
                        src.replace("\r\n", "\n"),
                        "{} {which}",
                        case.name
                    );
                } else {
                    assert!(
                        printed == src,
                        "{} {which}: hcl-edit prints it differently:\n{printed}",
                        case.name
                    );
                }
            }
        }
    }

    #[test]
    fn expected_files_hold_the_accounts() {
        for case in cases() {
            let config = tfvars::read(&case.expected).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            // `<name>_account_id` attributes only in a file that had that style.
            let attribute_style = tfvars::read(&case.input)
                .map(|c| !c.account_id_attributes.is_empty())
                .unwrap_or(false);
            if !attribute_style {
                assert!(
                    config.account_id_attributes.is_empty(),
                    "{}: `_account_id` attributes added to a file without them",
                    case.name
                );
            }
            for account in &case.accounts {
                let entry = config.accounts.iter().find(|a| a.name == account.name);
                if account.id.is_none() && account.email.is_none() {
                    continue;
                }
                let entry = entry.unwrap_or_else(|| panic!("{}: no entry for {}", case.name, account.name));
                if account.id.is_some() {
                    assert_eq!(entry.id, account.id, "{}: accounts.{}.id", case.name, account.name);
                }
                if account.email.is_some() {
                    assert_eq!(
                        entry.email, account.email,
                        "{}: accounts.{}.email",
                        case.name, account.name
                    );
                }
                if let (Some(id), false, true) = (&account.id, account.name.contains(' '), attribute_style) {
                    assert!(
                        config
                            .account_id_attributes
                            .iter()
                            .any(|(name, value)| *name == account.name && value == id),
                        "{}: no {}_account_id = \"{id}\"",
                        case.name,
                        account.name
                    );
                }
            }
            assert!(!case.expected.contains("\"None\""), "{}", case.name);
        }
    }

    /// HashiCorp's own HCL parser (the one Terraform uses, through `pygohcl`,
    /// which `.ci/setup` installs from tests/requirements.txt) reads every
    /// input and expected file of the corpus, and finds in each expected file
    /// the ids and emails its `accounts.json` gives (`check_hcl.py`).
    #[test]
    fn hashicorps_parser_reads_every_expected_file_with_its_ids() {
        let script = corpus_dir().join("check_hcl.py");
        let out = std::process::Command::new("python3")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("python3 {}: {e}", script.display()));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("No module named 'pygohcl'"),
            "pygohcl is missing: bash .ci/setup (or pip install -r tests/requirements.txt)"
        );
        assert!(out.status.success(), "{}:\n{stdout}\n{stderr}", script.display());
        assert!(
            stdout.ends_with(&format!("{CASES} of {CASES} cases pass\n")),
            "{stdout}"
        );
    }
}
