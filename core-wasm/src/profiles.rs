//! Naming rules for the profiles the tool writes.

use crate::host::CredentialsType;

/// `bootstrap`, `management` or `security`.
pub fn type_name(credentials_type: CredentialsType) -> &'static str {
    match credentials_type {
        CredentialsType::Bootstrap => "bootstrap",
        CredentialsType::Management => "management",
        CredentialsType::Security => "security",
    }
}

/// The profile that holds the keys: `<short>-<type>`.
pub fn keys_profile(short_name: &str, credentials_type: CredentialsType) -> String {
    format!("{short_name}-{}", type_name(credentials_type))
}

/// The role account profiles assume and the suffix of their names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRule {
    pub role: String,
    pub suffix: String,
}

/// BOOTSTRAP and MANAGEMENT assume `OrganizationAccountAccessRole` (suffix
/// `oaar`); SECURITY assumes `DevOps` (suffix `devops`). `--role-name`
/// overrides the role, and the suffix becomes the role name lower-cased.
pub fn role_rule(credentials_type: CredentialsType, role_override: Option<&str>) -> RoleRule {
    match (role_override, credentials_type) {
        (Some(role), _) => RoleRule {
            role: role.to_string(),
            suffix: role.to_ascii_lowercase(),
        },
        (None, CredentialsType::Security) => RoleRule {
            role: "DevOps".into(),
            suffix: "devops".into(),
        },
        (None, _) => RoleRule {
            role: "OrganizationAccountAccessRole".into(),
            suffix: "oaar".into(),
        },
    }
}

/// The config-file section of a profile: `[profile <name>]`, except `[default]`.
pub fn config_section(profile: &str) -> String {
    if profile == "default" {
        profile.to_string()
    } else {
        format!("profile {profile}")
    }
}

/// Why botocore (the AWS CLI's reader) would not read a `[profile <name>]`
/// header back as exactly `name`; `None` when it would.
///
/// botocore splits the header like a shell (`shlex.split`): quotes and
/// backslashes are taken out (`sha""red` reads as `shared`, and could take
/// over another profile), whitespace splits it into more words (the profile
/// is then silently dropped), an unbalanced quote makes it unreadable. A
/// control character, `[` or `]` would break the header line itself.
pub fn unreadable_profile_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.contains(|c: char| c.is_control() || c == '[' || c == ']') {
        Some("it holds a control character, `[` or `]`")
    } else if name.contains(['\'', '"']) {
        Some("the AWS CLI removes quotes from profile names")
    } else if name.contains('\\') {
        Some("the AWS CLI removes backslashes from profile names")
    } else if name.contains(char::is_whitespace) {
        Some("the AWS CLI ignores profile names with spaces")
    } else {
        None
    }
}

/// An organization account's name without the `<project name>-` prefix.
pub fn strip_project_prefix<'a>(name: &'a str, project_name: Option<&str>) -> &'a str {
    project_name
        .filter(|p| !p.is_empty())
        .and_then(|p| name.strip_prefix(p).and_then(|rest| rest.strip_prefix('-')))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// The IAM user name in a caller ARN `arn:aws:iam::<id>:user/<path/><name>`.
pub fn user_name_from_arn(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let path = resource.strip_prefix("user/")?;
    path.rsplit('/').next().filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_spec() {
        assert_eq!(keys_profile("bb", CredentialsType::Management), "bb-management");
        assert_eq!(role_rule(CredentialsType::Bootstrap, None).suffix, "oaar");
        assert_eq!(role_rule(CredentialsType::Security, None).role, "DevOps");
        assert_eq!(role_rule(CredentialsType::Security, Some("Auditor")).suffix, "auditor");
        assert_eq!(config_section("bb-x-oaar"), "profile bb-x-oaar");
        assert_eq!(config_section("default"), "default");
    }

    /// Each name botocore's `shlex.split` reads differently is refused
    /// (`sha""red` and `sha\red` both read as `shared`); names of the
    /// characters IAM and AWS accounts commonly use are kept.
    #[test]
    fn names_botocore_reads_differently_are_refused() {
        for name in [
            "bb-sha\"\"red-oaar",
            "bb-sha\\red-oaar",
            "bb-sha''red-oaar",
            "bb-my account-oaar",
            "bb-it's-oaar",
            "bb-tab\there-oaar",
            "bb-no\u{a0}break-oaar",
            "bb-a]b-oaar",
            "bb-a\u{1b}b-oaar",
            "",
        ] {
            assert!(unreadable_profile_name(name).is_some(), "{name:?}");
        }
        for name in [
            "bb-shared-oaar",
            "bb-apps-devstg-devops",
            "bb-a.b_c+d=e,f@g-oaar",
            "bb-café-oaar",
        ] {
            assert_eq!(unreadable_profile_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn strips_prefix_only_when_followed_by_a_dash() {
        assert_eq!(strip_project_prefix("binbash-shared", Some("binbash")), "shared");
        assert_eq!(strip_project_prefix("binbashshared", Some("binbash")), "binbashshared");
        assert_eq!(strip_project_prefix("binbash-", Some("binbash")), "binbash-");
        assert_eq!(strip_project_prefix("shared", None), "shared");
    }

    #[test]
    fn user_names_from_arns() {
        assert_eq!(user_name_from_arn("arn:aws:iam::123456789012:user/jane"), Some("jane"));
        assert_eq!(
            user_name_from_arn("arn:aws:iam::123456789012:user/ops/team/jane"),
            Some("jane")
        );
        assert_eq!(user_name_from_arn("arn:aws:iam::123456789012:root"), None);
        assert_eq!(user_name_from_arn("arn:aws:sts::123456789012:assumed-role/r/s"), None);
    }
}
