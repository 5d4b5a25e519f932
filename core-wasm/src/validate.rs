//! The validation patterns, each anchored to the whole value. Written by
//! hand rather than with `regex` to keep the component small; the tests below
//! pin each pattern's edges.

fn all(value: &str, allowed: impl Fn(char) -> bool) -> bool {
    value.chars().all(allowed)
}

/// `[a-z]{2,4}`
pub fn is_short_name(value: &str) -> bool {
    (2..=4).contains(&value.len()) && all(value, |c| c.is_ascii_lowercase())
}

const DIRECTIONS: &[&str] = &[
    "central",
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "secret",
    "topsecret",
];

/// `[a-z]{2}-(gov-)?(central|north|...|topsecret)-[1-4]` (the original's
/// character class around `gov-` was a bug; this is the intended pattern).
pub fn is_region(value: &str) -> bool {
    let Some((area, rest)) = value.split_once('-') else {
        return false;
    };
    if area.len() != 2 || !all(area, |c| c.is_ascii_lowercase()) {
        return false;
    }
    let rest = rest.strip_prefix("gov-").unwrap_or(rest);
    let Some((direction, number)) = rest.rsplit_once('-') else {
        return false;
    };
    DIRECTIONS.contains(&direction) && matches!(number, "1" | "2" | "3" | "4")
}

/// `[A-Z0-9]{20}`
pub fn is_access_key_id(value: &str) -> bool {
    value.len() == 20 && all(value, |c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// `[a-zA-Z0-9/+]{40}`
pub fn is_secret_access_key(value: &str) -> bool {
    value.len() == 40 && all(value, |c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
}

/// `[0-9]{12}`
pub fn is_account_id(value: &str) -> bool {
    value.len() == 12 && all(value, |c| c.is_ascii_digit())
}

/// An account id a project may declare: 12 digits, and not a dummy of
/// zeros (`000000000000`), which templates use as a placeholder and which no
/// AWS account has.
pub fn is_usable_account_id(value: &str) -> bool {
    is_account_id(value) && value.bytes().any(|b| b != b'0')
}

/// `[a-zA-Z0-9+,=.@_-]{1,64}`
pub fn is_iam_user_name(value: &str) -> bool {
    (1..=64).contains(&value.len()) && all(value, |c| c.is_ascii_alphanumeric() || "+,=.@_-".contains(c))
}

/// `arn:aws:iam::<account id>:mfa/<path and name>`: a virtual MFA device,
/// the only kind that can sign STS calls from the AWS CLI.
pub fn is_mfa_serial(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("arn:aws:iam::") else {
        return false;
    };
    let Some((account, resource)) = rest.split_once(':') else {
        return false;
    };
    let Some(name) = resource.strip_prefix("mfa/") else {
        return false;
    };
    is_account_id(account)
        && !name.is_empty()
        && !name.ends_with('/')
        && all(name, |c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dummy_of_zeros_is_not_a_usable_account_id() {
        assert!(is_usable_account_id("012345678901") && is_usable_account_id("000000000001"));
        for bad in ["000000000000", "XXXXXXXXXXXX", "", "12345678901", "1234567890123"] {
            assert!(!is_usable_account_id(bad), "{bad}");
        }
    }

    #[test]
    fn short_names() {
        for ok in ["bb", "abc", "leve"] {
            assert!(is_short_name(ok), "{ok}");
        }
        for bad in ["", "b", "abcde", "BB", "b1", "b-b", " bb"] {
            assert!(!is_short_name(bad), "{bad}");
        }
    }

    #[test]
    fn regions() {
        for ok in ["us-east-1", "us-gov-west-1", "eu-central-2", "ap-southeast-4"] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "us-east-5",
            "us-east",
            "useast-1",
            "us-gov-1",
            "US-EAST-1",
            "us-middle-1",
            "us-east-1 ",
            "u-east-1",
            "us-gov-gov-west-1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    #[test]
    fn keys_and_ids() {
        assert!(is_access_key_id("AKIAIOSFODNN7EXAMPLE"));
        assert!(!is_access_key_id("AKIAIOSFODNN7EXAMPL"));
        assert!(!is_access_key_id("akiaiosfodnn7example"));
        assert!(is_secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(!is_secret_access_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE"));
        assert!(!is_secret_access_key("wJalrXUtnFEMI-K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(is_account_id("012345678901"));
        assert!(!is_account_id("12345678901"));
        assert!(is_iam_user_name("jane.doe@example.com"));
        assert!(!is_iam_user_name("jane doe"));
        assert!(!is_iam_user_name(&"a".repeat(65)));
    }

    #[test]
    fn mfa_serials() {
        assert!(is_mfa_serial("arn:aws:iam::123456789012:mfa/jane"));
        assert!(is_mfa_serial("arn:aws:iam::123456789012:mfa/path/to/jane"));
        assert!(!is_mfa_serial("arn:aws:iam::123456789012:u2f/user/jane/key-1"));
        assert!(!is_mfa_serial("arn:aws:iam::12345678901:mfa/jane"));
        assert!(!is_mfa_serial("arn:aws:iam::123456789012:mfa/"));
        assert!(!is_mfa_serial("GAHT12345678"));
    }
}
