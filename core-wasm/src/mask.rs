//! Masking secrets out of file contents, so that a plan can be shown.
//!
//! Lines are read as botocore reads the AWS files (Python's configparser):
//! the key is the text before the first `=` or `:`, whatever the spacing and
//! letter case, and a value goes on over the indented lines that follow it.

/// What every secret value is replaced with.
pub const MASK: &str = "****************";

/// Whether the value of `key` is a secret: the AWS keys that hold one
/// (`aws_secret_access_key`, `aws_session_token`, `aws_security_token`),
/// and, to be safe, any other key that names a secret or a token.
fn is_secret_key(key: &str) -> bool {
    let key = key.trim().to_ascii_lowercase();
    key.contains("secret") || key.ends_with("token")
}

/// `text` with the value of every secret key replaced by [`MASK`], and every
/// occurrence of each of `secrets` replaced too (belt and braces: a secret
/// typed into the wrong place must not show either). Line structure and line
/// endings are kept, so a diff of masked texts lines up with the real one.
pub fn mask_ini(text: &str, secrets: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    // Whether the indented lines that follow continue a secret's value.
    let mut in_secret = false;
    for line in text.split_inclusive('\n') {
        in_secret = push_masked_line(&mut out, line, in_secret);
    }
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if out.contains(secret) {
            out = out.replace(secret, MASK);
        }
    }
    out
}

/// Appends `line`, with its value masked when its key is a secret one, or
/// masked whole when it continues a secret's value (`in_secret`). Returns
/// whether the next line may continue a secret's value.
fn push_masked_line(out: &mut String, line: &str, in_secret: bool) -> bool {
    let body_end = line.trim_end_matches(['\r', '\n']).len();
    let body = &line[..body_end];
    let content = body.trim_start();
    let indent = body.len() - content.len();
    // An indented line under a key continues its value (configparser);
    // a blank line or a comment leaves it as it is.
    if indent > 0 && !content.is_empty() {
        if in_secret && !content.starts_with(['#', ';']) {
            out.push_str(&body[..indent]);
            out.push_str(MASK);
            out.push_str(&line[body_end..]);
            return true;
        }
        if in_secret {
            out.push_str(line);
            return true;
        }
    }
    if content.is_empty() || content.starts_with(['#', ';', '[']) {
        out.push_str(line);
        return false;
    }
    let Some(delimiter) = body.find(['=', ':']).filter(|&at| is_secret_key(&body[..at])) else {
        out.push_str(line);
        return false;
    };
    let value = &body[delimiter + 1..];
    let lead = value.len() - value.trim_start().len();
    out.push_str(&body[..=delimiter]);
    out.push_str(&value[..lead]);
    if !value.trim().is_empty() {
        out.push_str(MASK);
    }
    out.push_str(&line[body_end..]);
    true
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

    /// botocore reads `key: value` as `key = value`: a colon, with or
    /// without spaces, hides the value as well.
    #[test]
    fn masks_secrets_after_a_colon() {
        let text = "[other]\naws_secret_access_key: abc\naws_session_token:tok\nregion: us-east-1\n[x]\n  aws_security_token  :  x \n";
        assert_eq!(
            mask_ini(text, &[]),
            "[other]\naws_secret_access_key: ****************\naws_session_token:****************\nregion: us-east-1\n[x]\n  aws_security_token  :  ****************\n"
        );
    }

    /// The first delimiter decides: `=` before `:` or `:` before `=`.
    #[test]
    fn the_first_delimiter_ends_the_key() {
        assert_eq!(
            mask_ini("aws_secret_access_key:a=b\nregion=a:b\n", &[]),
            "aws_secret_access_key:****************\nregion=a:b\n"
        );
    }

    /// A value continued on indented lines is part of the secret.
    #[test]
    fn masks_a_secret_continued_on_indented_lines() {
        let text = "[a]\naws_secret_access_key =\n    abc\n\tdef\n# note\nregion = x\n    y\n";
        assert_eq!(
            mask_ini(text, &[]),
            "[a]\naws_secret_access_key =\n    ****************\n\t****************\n# note\nregion = x\n    y\n"
        );
    }

    #[test]
    fn other_keys_naming_secrets_or_tokens_are_masked() {
        assert_eq!(
            mask_ini("x_secret = a\nsso_token: b\noutput = json\n", &[]),
            "x_secret = ****************\nsso_token: ****************\noutput = json\n"
        );
    }
}
