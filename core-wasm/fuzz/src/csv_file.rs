//! The access keys CSV: the `csv` target's property.

use super::*;

use leverage_core::{access_keys, validate};

/// `access_keys::parse_csv`: keys that come back are valid and were in the
/// text; errors never repeat a long secret-like run of the text.
pub fn csv(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match access_keys::parse_csv(&text) {
        Ok(keys) => {
            assert!(
                validate::is_access_key_id(&keys.access_key_id),
                "an invalid key id was accepted"
            );
            assert!(
                validate::is_secret_access_key(keys.secret_access_key.expose()),
                "an invalid secret was accepted"
            );
            assert!(text.contains(&keys.access_key_id) && text.contains(keys.secret_access_key.expose()));
        }
        Err(error) => {
            check_error_line("csv", &text, &error);
            for run in secret_like_runs(&text) {
                assert!(
                    !error.message.contains(run),
                    "a CSV error repeats a value of the file: {}",
                    error.message
                );
            }
        }
    }
}
