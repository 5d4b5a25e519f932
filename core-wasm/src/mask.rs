//! Masking secrets out of file contents, so that a plan can be shown.

/// What every secret value is replaced with.
pub const MASK: &str = "****************";

/// INI keys whose values are secrets.
const SECRET_KEYS: &[&str] = &["aws_secret_access_key", "aws_session_token", "aws_security_token"];

/// `text` with the value of every secret key replaced by [`MASK`], and every
/// occurrence of each of `secrets` replaced too (belt and braces: a secret
/// typed into the wrong place must not show either). Line structure and line
/// endings are kept, so a diff of masked texts lines up with the real one.
pub fn mask_ini(text: &str, secrets: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        push_masked_line(&mut out, line);
    }
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if out.contains(secret) {
            out = out.replace(secret, MASK);
        }
    }
    out
}

/// Appends `line`, with its value masked when its key is a secret one.
fn push_masked_line(out: &mut String, line: &str) {
    let secret_at = line.find('=').filter(|&eq| {
        let key = line[..eq].trim();
        SECRET_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k))
    });
    let Some(eq) = secret_at else {
        out.push_str(line);
        return;
    };
    let body_end = line.trim_end_matches(['\r', '\n']).len();
    let value = &line[eq + 1..body_end];
    let lead = value.len() - value.trim_start().len();
    out.push_str(&line[..=eq]);
    out.push_str(&value[..lead]);
    out.push_str(MASK);
    out.push_str(&line[body_end..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_keys_and_keeps_layout() {
        let text = "[a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\naws_secret_access_key=abc\r\nAWS_SESSION_TOKEN =  tok\nregion = x";
        let masked = mask_ini(text, &[]);
        assert_eq!(
            masked,
            "[a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\naws_secret_access_key=****************\r\nAWS_SESSION_TOKEN =  ****************\nregion = x"
        );
    }

    #[test]
    fn masks_known_secrets_anywhere() {
        assert_eq!(
            mask_ini("note = s3cr3t here\n", &["s3cr3t"]),
            "note = **************** here\n"
        );
    }
}
