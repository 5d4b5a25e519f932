//! Tests of the `access_keys` module.

use super::*;

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const PASSWORD: &str = "Pa$$w0rd-Hunter2-PASSWORD";

fn ok(text: &str) -> AccessKeys {
    match parse_csv(text) {
        Ok(keys) => keys,
        Err(e) => panic!("unexpected error for {text:?}: {e}"),
    }
}

fn err(text: &str) -> InputError {
    match parse_csv(text) {
        Ok(keys) => panic!("expected an error for {text:?}, got {keys:?}"),
        Err(e) => e,
    }
}

fn assert_example(keys: &AccessKeys) {
    assert_eq!(keys.access_key_id, ID);
    assert_eq!(keys.secret_access_key.expose(), SECRET);
}

/// (bad-input corpus `csv-cr-only-bad-key`): with old Mac line
/// ends (a lone `\r`) the error named line 1 for the second row.
#[test]
fn lone_cr_line_ends_count_as_lines() {
    let e = err(&format!("Access key ID,Secret access key\rAKIA,{SECRET}\r"));
    assert_eq!(e.line, Some(2), "{e}");
    let e = err(&format!("Access key ID,Secret access key\r\r\nAKIA,{SECRET}\r\n"));
    assert_eq!(e.line, Some(3), "{e}");
    let e = err(&format!("Access key ID,Secret access key\r\nAKIA,{SECRET}\r\n"));
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn current_layout_with_bom_and_crlf() {
    assert_example(&ok(&format!(
        "\u{feff}Access key ID,Secret access key\r\n{ID},{SECRET}\r\n"
    )));
}

#[test]
fn current_layout_without_bom_lf_and_no_final_newline() {
    assert_example(&ok(&format!("Access key ID,Secret access key\n{ID},{SECRET}")));
}

#[test]
fn legacy_layout() {
    let text = format!(
        "User name,Password,Access key ID,Secret access key,Console login link\n\
             jane.doe,{PASSWORD},{ID},{SECRET},https://123456789012.signin.aws.amazon.com/console\n"
    );
    assert_example(&ok(&text));
}

#[test]
fn legacy_layout_with_empty_password() {
    let text = format!(
        "User name,Password,Access key ID,Secret access key,Console login link\r\n\
             jane.doe,,{ID},{SECRET},https://123456789012.signin.aws.amazon.com/console\r\n"
    );
    assert_example(&ok(&text));
}

#[test]
fn quoted_fields() {
    let text = format!(
        "\"User name\",\"Password\",\"Access key ID\",\"Secret access key\"\n\
             \"doe, jane\",\"a\"\"b,c\",\"{ID}\",\"{SECRET}\"\n"
    );
    assert_example(&ok(&text));
}

#[test]
fn reordered_and_extra_columns() {
    let text = format!("Note,Secret access key,Created,Access key ID\nmine,{SECRET},2024-01-01,{ID}\n");
    assert_example(&ok(&text));
}

#[test]
fn header_names_are_case_insensitive_and_trimmed() {
    let text = format!("  ACCESS KEY ID , secret ACCESS key\t\n{ID},{SECRET}\n");
    assert_example(&ok(&text));
}

#[test]
fn values_are_trimmed() {
    let text = format!("Access key ID,Secret access key\n  {ID}\t,\"  {SECRET} \"\n");
    assert_example(&ok(&text));
    let text = format!("Access key ID,Secret access key\r\n\"{ID} \",  {SECRET}  \r\n");
    assert_example(&ok(&text));
}

#[test]
fn blank_lines_and_rows_are_skipped() {
    let text = format!("\r\nAccess key ID,Secret access key\r\n\r\n , \r\n{ID},{SECRET}\r\n\r\n\r\n,\r\n");
    assert_example(&ok(&text));
}

#[test]
fn first_data_row_is_taken() {
    let text = format!(
            "Access key ID,Secret access key\n{ID},{SECRET}\nAKIAZZZZZZZZZZZZZZZZ,zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n"
        );
    assert_example(&ok(&text));
}

#[test]
fn the_secret_is_redacted_in_debug_output() {
    let keys = ok(&format!("Access key ID,Secret access key\n{ID},{SECRET}\n"));
    assert!(!format!("{keys:?}").contains(SECRET));
}

// ---- errors ----

#[test]
fn empty_file() {
    for text in ["", "\u{feff}", "\r\n\r\n", "  \n", ",\n , \n"] {
        let e = err(text);
        assert!(e.message.contains("empty"), "{text:?}: {e}");
        assert_eq!(e.line, None);
    }
}

#[test]
fn missing_secret_column() {
    let e = err(&format!("User name,Access key ID\njane,{ID}\n"));
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("no `Secret access key` column"), "{e}");
}

#[test]
fn missing_key_id_column() {
    let e = err(&format!("\n\nUser name,Secret access key\njane,{SECRET}\n"));
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("no `Access key ID` column"), "{e}");
}

#[test]
fn missing_both_columns() {
    let e = err("User name,Password\njane,secret\n");
    assert!(
        e.message
            .contains("neither an `Access key ID` nor a `Secret access key`"),
        "{e}"
    );
}

#[test]
fn no_header_row() {
    let e = err(&format!("{ID},{SECRET}\n"));
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("looks like keys"), "{e}");
}

#[test]
fn duplicate_column() {
    let e = err(&format!(
        "Access key ID,Secret access key,access key id\n{ID},{SECRET},{ID}\n"
    ));
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("more than one `Access key ID`"), "{e}");
}

#[test]
fn no_data_row() {
    for text in [
        "\u{feff}Access key ID,Secret access key\r\n",
        "Access key ID,Secret access key",
        "Access key ID,Secret access key\n\n,\n \n",
    ] {
        let e = err(text);
        assert!(e.message.contains("no row with the keys"), "{text:?}: {e}");
    }
}

#[test]
fn short_row() {
    let e = err(&format!("Access key ID,Secret access key\r\n{ID}\r\n"));
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("1 field(s) but the header row has 2"), "{e}");
}

#[test]
fn short_legacy_row_missing_key_columns() {
    let e = err(&format!(
        "User name,Password,Access key ID,Secret access key\njane,{PASSWORD}\n"
    ));
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("2 field(s) but the header row has 4"), "{e}");
}

#[test]
fn long_row_from_an_unquoted_comma() {
    let e = err(&format!(
        "User name,Password,Access key ID,Secret access key\njane,Pa,ss,{ID},{SECRET}\n"
    ));
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("5 field(s) but the header row has 4"), "{e}");
}

#[test]
fn unterminated_quote() {
    let e = err(&format!("Access key ID,Secret access key\n\"{ID},{SECRET}\n"));
    assert_eq!(e.line, Some(2));
}

#[test]
fn bad_key_id() {
    let cases = [
        ("AKIAIOSFODNN7EXAMPL", "it has 19 characters"),
        ("akiaiosfodnn7example", "another character"),
        ("AKIAIOSFODNN7EXAMPLE1", "it has 21 characters"),
        ("AKIA-OSFODNN7EXAMPLE", "another character"),
    ];
    for (id, why) in cases {
        let e = err(&format!("Access key ID,Secret access key\n{id},{SECRET}\n"));
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("access key id is not 20 upper-case letters or digits"),
            "{e}"
        );
        assert!(e.message.contains(why), "{e}");
    }
}

#[test]
fn empty_key_id() {
    let e = err(&format!("Access key ID,Secret access key\n,{SECRET}\n"));
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("access key id is empty"), "{e}");
}

#[test]
fn bad_secret() {
    let cases = [
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE", "it has 39 characters"),
        ("wJalrXUtnFEMI-K7MDENG/bPxRfiCYEXAMPLEKEY", "another character"),
        ("", "is empty"),
    ];
    for (secret, why) in cases {
        let e = err(&format!("Access key ID,Secret access key\n{ID},{secret}\n"));
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("secret access key"), "{e}");
        assert!(e.message.contains(why), "{e}");
    }
}

#[test]
fn swapped_values() {
    let e = err(&format!("Access key ID,Secret access key\n{SECRET},{ID}\n"));
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("swapped"), "{e}");
}

#[test]
fn line_numbers_follow_multi_line_quoted_fields() {
    let e = err(&format!(
        "User name,Password,Access key ID,Secret access key\n\"jane\ndoe\",{PASSWORD},{ID}x,{SECRET}\n"
    ));
    assert_eq!(e.line, Some(2));
}

#[test]
fn line_numbers_count_skipped_blank_lines_with_crlf_and_lf() {
    for eol in ["\r\n", "\n"] {
        let text = format!("{eol}{eol}Access key ID,Secret access key{eol}{eol} , {eol}{eol}{ID}X,{SECRET}{eol}");
        let e = err(&text);
        assert_eq!(e.line, Some(7), "{eol:?}: {e}");
        let text = format!("\u{feff}{eol}User name,Access key ID{eol}jane,{ID}{eol}");
        assert_eq!(err(&text).line, Some(2), "{eol:?}");
    }
}

/// The end-to-end suite's fixtures behave as their names say.
#[test]
fn fixture_files() {
    let current = include_str!("../../../tests/fixtures/csv/current.csv");
    assert!(current.starts_with('\u{feff}') && current.contains("\r\n"));
    assert_example(&ok(current));
    assert_example(&ok(include_str!("../../../tests/fixtures/csv/legacy.csv")));
    let no_data = err(include_str!("../../../tests/fixtures/csv/no-data-row.csv"));
    assert!(no_data.message.contains("no row with the keys"), "{no_data}");
    let missing = err(include_str!("../../../tests/fixtures/csv/missing-secret-column.csv"));
    assert!(missing.message.contains("no `Secret access key` column"), "{missing}");
    let bad = err(include_str!("../../../tests/fixtures/csv/bad-key-id.csv"));
    assert_eq!(bad.line, Some(2));
    assert!(bad.message.contains("access key id"), "{bad}");
    let empty = err(include_str!("../../../tests/fixtures/csv/empty.csv"));
    assert!(empty.message.contains("empty"), "{empty}");
}

/// Every failing input, with a recognizable secret, password and key id:
/// no message may contain any of them.
#[test]
fn errors_never_contain_secrets() {
    let bad_secret = format!("{SECRET}+");
    let legacy = "User name,Password,Access key ID,Secret access key,Console login link";
    let link = "https://123456789012.signin.aws.amazon.com/console";
    let cases = [
        // Missing columns, and no header at all.
        format!("User name,Password,Access key ID\njane,{PASSWORD},{ID}\n"),
        format!("User name,Password,Secret access key\njane,{PASSWORD},{SECRET}\n"),
        format!("{ID},{SECRET}\n"),
        format!("jane,{PASSWORD},{ID},{SECRET},{link}\n"),
        format!("{PASSWORD},{SECRET}\n"),
        // Duplicate column.
        format!("Access key ID,Secret access key,Secret access key\n{ID},{SECRET},{SECRET}\n"),
        // Field count.
        format!("{legacy}\njane,{PASSWORD}\n"),
        format!("{legacy}\njane,{PASSWORD},{ID},{SECRET},{link},extra\n"),
        format!("{legacy}\njane,{PASSWORD},{ID},{SECRET}\n"),
        format!("{legacy}\n\"jane,{PASSWORD},{ID},{SECRET},{link}\n"),
        // Values failing their pattern.
        format!("{legacy}\njane,{PASSWORD},{ID}X,{SECRET},{link}\n"),
        format!("{legacy}\njane,{PASSWORD},{ID},{bad_secret},{link}\n"),
        format!("{legacy}\njane,{PASSWORD},{ID}X,{bad_secret},{link}\n"),
        format!("{legacy}\njane,{PASSWORD},{SECRET},{ID},{link}\n"),
        format!("{legacy}\njane,{PASSWORD},{PASSWORD},{PASSWORD},{link}\n"),
        format!("Access key ID,Secret access key\n{ID},{SECRET}{SECRET}\n"),
        format!("Access key ID,Secret access key\n{ID}{ID},{SECRET}\n"),
        format!("Access key ID,Secret access key\n{SECRET},{SECRET}\n"),
        // No data row, empty file.
        format!("{legacy}\n"),
        String::new(),
    ];
    for case in &cases {
        let e = err(case);
        let shown = e.to_string();
        for needle in [SECRET, "wJalr", "EXAMPLEKEY", PASSWORD, "Hunter2", ID, "IOSFODNN"] {
            assert!(!shown.contains(needle), "{case:?} -> {shown}");
            assert!(!format!("{e:?}").contains(needle), "{case:?} -> {e:?}");
        }
    }
}

proptest::proptest! {
    #[test]
    fn never_panics(text in "\\PC*") {
        let _ = parse_csv(&text);
    }

    #[test]
    fn never_panics_on_csv_like_text(text in "[A-Za-z0-9 ,\"\r\n/+\u{feff}]{0,120}") {
        let _ = parse_csv(&text);
    }

    /// Whatever surrounds the secret, an error never shows it.
    #[test]
    fn errors_never_show_the_secret(
        prefix in "[A-Za-z ,\"\r\n]{0,30}",
        middle in "[A-Za-z0-9 ,\"\r\n]{0,30}",
        suffix in "[A-Za-z0-9 ,\"\r\n+]{0,10}",
    ) {
        let text = format!("Access key ID,Secret access key\n{prefix}{middle}{SECRET}{suffix}\n");
        if let Err(e) = parse_csv(&text) {
            proptest::prop_assert!(!e.to_string().contains("EXAMPLEKEY"), "{}", e);
        }
    }
}
