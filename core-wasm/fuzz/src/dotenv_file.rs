//! build.env (dotenv): the `dotenv` target's property.

use super::*;

use leverage_core::dotenv;

/// A pair written back as `KEY="value"` with the escapes the parser knows.
fn dotenv_line(key: &str, value: &str) -> String {
    let mut out = format!("{key}=\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `dotenv::parse`: keys are valid names; the pairs, written back quoted
/// and escaped, parse to the same pairs; errors never repeat a value.
pub fn dotenv(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match dotenv::parse(&text) {
        Ok(pairs) => {
            for (key, _) in &pairs {
                let mut chars = key.chars();
                let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
                assert!(
                    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
                    "bad key {key:?}"
                );
            }
            let rewritten: Vec<String> = pairs.iter().map(|(k, v)| dotenv_line(k, v)).collect();
            let again = dotenv::parse(&rewritten.join("\n"));
            assert_eq!(again.as_ref().ok(), Some(&pairs), "quoted pairs do not read back");
        }
        Err(error) => {
            check_error_line("dotenv", &text, &error);
            // Values may be secrets; names are not (and may be long), so
            // only runs holding `/` or `+`, which no name has, are checked.
            let values = text.lines().filter_map(|l| l.split_once('=').map(|(_, v)| v));
            for run in values.flat_map(secret_like_runs).filter(|r| r.contains(['/', '+'])) {
                assert!(
                    !error.message.contains(run),
                    "a dotenv error repeats a value: {}",
                    error.message
                );
            }
        }
    }
}
