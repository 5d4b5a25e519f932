//! Reading the values the command needs, each of the right type or an
//! error naming its line.

use super::*;

#[derive(Deserialize)]
#[serde(expecting = "a mapping of project settings")]
pub(super) struct RawProject {
    pub(super) short_name: Option<Text>,
    pub(super) project_name: Option<Text>,
    pub(super) region: Option<Text>,
    pub(super) region_primary: Option<Text>,
    pub(super) primary_region: Option<Text>,
    pub(super) secondary_region: Option<Text>,
    pub(super) organization: Option<RawOrganization>,
}

#[derive(Deserialize)]
#[serde(expecting = "a mapping")]
pub(super) struct RawOrganization {
    pub(super) accounts: Option<Vec<RawAccount>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a mapping with the account's name, email and id")]
pub(super) struct RawAccount {
    pub(super) name: Name,
    pub(super) email: Option<Text>,
    pub(super) id: Option<AccountId>,
}

/// A value that must be a YAML string (not a number or boolean converted
/// to one).
pub(super) struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An account name: a non-empty string.
pub(super) struct Name(String);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-empty string (the account name)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name, E> {
                if v.is_empty() {
                    return Err(E::invalid_value(Unexpected::Str(v), &self));
                }
                Ok(Name(v.to_owned()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// What an account id holds: any scalar, as text (a YAML integer in
/// decimal). Whether it is a usable id is the caller's decision: a template's
/// placeholder (`XXXXXXXXXXXX`, `""`, `0`) is what the run replaces.
pub(super) struct AccountId(String);

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = AccountId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an account id (digits, best written as a quoted string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<AccountId, E> {
                Ok(AccountId(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AccountId, E> {
                Ok(AccountId(v.to_owned()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// libyaml misreads some files that start with a byte order mark (with
/// CRLF line ends the first key keeps the mark): parse without it.
pub(super) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

pub(super) fn is_digits(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
}

/// `error` from parsing `text`, with its line.
pub(super) fn from_serde(error: &serde_norway::Error, text: &str) -> InputError {
    let message = error.to_string();
    match error.location() {
        Some(location) => {
            // The line goes into the error itself; a second position in the
            // message (where a construct started) is kept.
            let position = format!(" at line {} column {}", location.line(), location.column());
            // libyaml also ends a line at U+0085, U+2028 and U+2029, which
            // editors (and the line numbers of our other errors) do not:
            // the line is counted again up to the error's byte offset.
            let line = line_at_offset(text, location.index()).unwrap_or(location.line());
            InputError::at(to_u32(line), message.replacen(&position, "", 1))
        }
        None => InputError::new(message),
    }
}

/// The 1-based line of byte `offset`, lines ending at `\n`, `\r\n` or a lone `\r`.
pub(super) fn line_at_offset(text: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let before = bytes.get(..offset)?;
    let breaks = before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    Some(breaks + 1)
}

pub(super) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Reads the values the command needs from project.yaml text. An empty file
/// or one with only comments gives all `None`.
pub fn read(text: &str) -> Result<ProjectYaml, InputError> {
    let text = without_bom(text);
    check_nesting(text)?;
    let raw: Option<RawProject> = serde_norway::from_str(text).map_err(|e| {
        let mut error = from_serde(&e, text);
        // serde_norway places a duplicate key at the start of its mapping:
        // name the line of the second occurrence instead.
        if error.message.contains("duplicate") {
            if let Some(line) = duplicate_key_line(text) {
                error.line = Some(line);
            }
        }
        error
    })?;
    Ok(from_raw(raw))
}

/// The values the command needs, from a parsed document.
pub(super) fn from_raw(raw: Option<RawProject>) -> ProjectYaml {
    let Some(raw) = raw else {
        return ProjectYaml::default();
    };
    let accounts = raw.organization.and_then(|o| o.accounts).map(|list| {
        list.into_iter()
            .map(|a| DeclaredAccount {
                name: a.name.0,
                email: a.email.map(|t| t.0),
                id: a.id.map(|i| i.0),
            })
            .collect()
    });
    ProjectYaml {
        short_name: raw.short_name.map(|t| t.0),
        project_name: raw.project_name.map(|t| t.0),
        region: raw.region.map(|t| t.0),
        region_primary: raw.region_primary.map(|t| t.0),
        primary_region: raw.primary_region.map(|t| t.0),
        secondary_region: raw.secondary_region.map(|t| t.0),
        accounts,
    }
}
