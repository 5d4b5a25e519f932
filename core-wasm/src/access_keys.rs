//! Reading the access keys CSV that the AWS console downloads.
//!
//! Two layouts exist: the current per-key download
//! (`Access key ID,Secret access key`, UTF-8 with a byte order mark, CRLF) and
//! the older create-user download (`User name,Password,Access key ID,Secret
//! access key,Console login link`). Columns are found by name in the header
//! row (case-insensitive, surrounding spaces ignored), so any order and extra
//! columns are accepted. The first data row that is not blank holds the keys.
//!
//! No error message carries the secret, the password or the key id: they say
//! what is wrong with a value, never what the value is.

use crate::model::{AccessKeys, InputError, Secret};
use crate::validate;

const KEY_ID_COLUMN: &str = "Access key ID";
const SECRET_COLUMN: &str = "Secret access key";
const EXPECTED_HEADER: &str = "`Access key ID,Secret access key`";

/// Parses the CSV text and returns the first row's keys, validated against
/// The patterns access keys must match.
pub fn parse_csv(text: &str) -> Result<AccessKeys, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Rows::new(text);

    let Some((header_line, header)) = rows.next_non_blank()? else {
        return Err(InputError::new(format!(
            "the file is empty; expected the access keys CSV downloaded from the AWS console, \
             which starts with the header row {EXPECTED_HEADER}"
        )));
    };
    let key_id_index = find_column(&header, KEY_ID_COLUMN, header_line);
    let secret_index = find_column(&header, SECRET_COLUMN, header_line);
    let (key_id_index, secret_index) = match (key_id_index, secret_index) {
        (Ok(Some(k)), Ok(Some(s))) => (k, s),
        (Err(e), _) | (_, Err(e)) => return Err(e),
        (k, s) => {
            return Err(missing_columns(
                &header,
                header_line,
                k.ok().flatten(),
                s.ok().flatten(),
            ))
        }
    };

    let Some((line, row)) = rows.next_non_blank()? else {
        return Err(InputError::new(format!(
            "the file has a header row but no row with the keys under it \
             (expected a second row with the `{KEY_ID_COLUMN}` and `{SECRET_COLUMN}` values)"
        )));
    };
    if row.len() != header.len() {
        return Err(at(
            line,
            format!(
                "this row has {} field(s) but the header row has {}; a value that contains a comma \
                 must be in double quotes",
                row.len(),
                header.len()
            ),
        ));
    }
    let key_id = row.get(key_id_index).unwrap_or("").trim();
    let secret = row.get(secret_index).unwrap_or("").trim();

    let key_id_ok = validate::is_access_key_id(key_id);
    let secret_ok = validate::is_secret_access_key(secret);
    if !key_id_ok && !secret_ok && validate::is_access_key_id(secret) && validate::is_secret_access_key(key_id) {
        return Err(at(
            line,
            format!(
                "the `{KEY_ID_COLUMN}` and `{SECRET_COLUMN}` values are swapped: \
                 the header row does not match the columns"
            ),
        ));
    }
    if !key_id_ok {
        return Err(at(
            line,
            format!(
                "the access key id {}",
                describe(key_id, 20, "upper-case letters or digits", |c| {
                    c.is_ascii_uppercase() || c.is_ascii_digit()
                })
            ),
        ));
    }
    if !secret_ok {
        return Err(at(
            line,
            format!(
                "the secret access key {}",
                describe(secret, 40, "letters, digits, `/` or `+`", |c| {
                    c.is_ascii_alphanumeric() || c == '/' || c == '+'
                })
            ),
        ));
    }
    Ok(AccessKeys {
        access_key_id: key_id.to_string(),
        secret_access_key: Secret::new(secret),
    })
}

/// What is wrong with a value that fails its pattern, without the value.
fn describe(value: &str, length: usize, kinds: &str, allowed: impl Fn(char) -> bool) -> String {
    let count = value.chars().count();
    if count == 0 {
        "is empty".to_string()
    } else if count != length {
        format!("is not {length} {kinds}: it has {count} characters")
    } else if value.chars().any(|c| !allowed(c)) {
        format!("is not {length} {kinds}: it contains another character")
    } else {
        format!("is not {length} {kinds}")
    }
}

fn line_u32(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

fn at(line: Option<u64>, message: String) -> InputError {
    InputError {
        line: line.map(line_u32),
        message,
    }
}

/// The records of the file with the line each starts on, skipping rows whose
/// fields are all blank.
struct Rows<'a> {
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
}

impl<'a> Rows<'a> {
    fn new(text: &'a str) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            // Field counts are checked by the caller, so that blank rows can
            // be skipped and the error can say what a short or long row means.
            .flexible(true)
            .from_reader(text.as_bytes());
        Rows {
            text,
            reader,
            record: csv::StringRecord::new(),
        }
    }

    /// The 1-based line of the record whose reading began at byte `start`.
    /// The csv crate's own line count is taken before the previous record's
    /// `\n` (after a `\r`) and the empty lines it skips, so it is computed
    /// here: the record starts after any line ends at `start`. A lone `\r`
    /// ends a line too (the csv crate reads it so, as do old Mac editors).
    fn line_at(&self, start: u64) -> Option<u64> {
        let start = usize::try_from(start).ok()?;
        let bytes = self.text.as_bytes();
        let skipped = bytes
            .get(start..)?
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let scanned = bytes.get(..start + skipped)?;
        let line_ends = scanned
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count();
        u64::try_from(line_ends).ok().map(|n| n + 1)
    }

    fn next_non_blank(&mut self) -> Result<Option<(Option<u64>, csv::StringRecord)>, InputError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    if self.record.iter().all(|field| field.trim().is_empty()) {
                        continue;
                    }
                    let line = self.record.position().and_then(|p| self.line_at(p.byte()));
                    return Ok(Some((line, self.record.clone())));
                }
                // The csv crate's own messages are not used: some kinds can
                // quote field content.
                Err(e) => {
                    let line = e.position().and_then(|p| self.line_at(p.byte()));
                    return Err(at(line, "the file is not valid CSV".to_string()));
                }
            }
        }
    }
}

fn normalize(name: &str) -> String {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_lowercase()
}

/// The index of the column named `name`; an error when two columns have it.
fn find_column(header: &csv::StringRecord, name: &str, line: Option<u64>) -> Result<Option<usize>, InputError> {
    let wanted = name.to_lowercase();
    let mut found = header
        .iter()
        .enumerate()
        .filter(|(_, field)| normalize(field) == wanted)
        .map(|(i, _)| i);
    let first = found.next();
    if first.is_some() && found.next().is_some() {
        return Err(at(line, format!("the header row has more than one `{name}` column")));
    }
    Ok(first)
}

fn missing_columns(
    header: &csv::StringRecord,
    line: Option<u64>,
    key_id: Option<usize>,
    secret: Option<usize>,
) -> InputError {
    let missing = match (key_id, secret) {
        (None, None) => format!("the header row has neither an `{KEY_ID_COLUMN}` nor a `{SECRET_COLUMN}` column"),
        (None, Some(_)) => format!("the header row has no `{KEY_ID_COLUMN}` column"),
        _ => format!("the header row has no `{SECRET_COLUMN}` column"),
    };
    // The header's own fields are not quoted: a file without a header row
    // would put the keys themselves in the message.
    let looks_like_keys = header
        .iter()
        .any(|f| validate::is_access_key_id(f.trim()) || validate::is_secret_access_key(f.trim()));
    let hint = if looks_like_keys {
        format!("; the first row looks like keys rather than a header: the file must start with the header row {EXPECTED_HEADER}")
    } else {
        format!("; expected the header row {EXPECTED_HEADER} of the file the AWS console downloads")
    };
    at(line, format!("{missing}{hint}"))
}

#[cfg(test)]
mod tests {
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
        let current = include_str!("../../tests/fixtures/csv/current.csv");
        assert!(current.starts_with('\u{feff}') && current.contains("\r\n"));
        assert_example(&ok(current));
        assert_example(&ok(include_str!("../../tests/fixtures/csv/legacy.csv")));
        let no_data = err(include_str!("../../tests/fixtures/csv/no-data-row.csv"));
        assert!(no_data.message.contains("no row with the keys"), "{no_data}");
        let missing = err(include_str!("../../tests/fixtures/csv/missing-secret-column.csv"));
        assert!(missing.message.contains("no `Secret access key` column"), "{missing}");
        let bad = err(include_str!("../../tests/fixtures/csv/bad-key-id.csv"));
        assert_eq!(bad.line, Some(2));
        assert!(bad.message.contains("access key id"), "{bad}");
        let empty = err(include_str!("../../tests/fixtures/csv/empty.csv"));
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
}
