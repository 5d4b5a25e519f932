//! The AWS credentials and config files: the `ini_parse` and `ini_set`
//! targets' properties.

use super::*;

use leverage_core::ini::IniDocument;

/// `IniDocument::parse`: what parses renders back byte for byte, and every
/// key a section lists can be read.
pub fn ini_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match IniDocument::parse(&text) {
        Ok(doc) => {
            assert_eq!(doc.render(), text.as_ref(), "parse then render is not the identity");
            for section in doc.section_names() {
                for key in doc.keys(section) {
                    assert!(
                        doc.get(section, key).is_some(),
                        "[{section}] lists `{key}` but get() has no value"
                    );
                }
            }
        }
        Err(error) => check_error_line("ini", &text, &error),
    }
}

const NEW_SECTIONS: &[&str] = &[
    "default",
    "bb-management",
    "profile bb-shared-oaar",
    "profile a b",
    "DEFAULT",
    "sso-session x",
];
const KEYS: &[&str] = &[
    "aws_access_key_id",
    "region",
    "output",
    "role_arn",
    "source_profile",
    "mfa_serial",
    "Region",
    "s3",
    "k",
];
const VALUES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "us-east-1",
    "json",
    "arn:aws:iam::123456789012:role/x",
    "a b",
    "v=1",
    "#x",
    "x ; y",
    "",
    "é",
];

/// `IniDocument::set`: the value set is read back (also after rendering and
/// parsing again), every other key of every section reads the same, setting
/// it again changes nothing, a refused edit leaves the document as it was,
/// and the text changes in one window of at most one old and two new lines.
pub fn ini_set(data: &[u8]) {
    let (params, text) = Params::split(data);
    let Ok(mut doc) = IniDocument::parse(&text) else { return };
    let before = doc.clone();
    let existing: Vec<String> = doc.section_names().map(str::to_string).collect();
    let section: String = if params.byte(0) < 160 && !existing.is_empty() {
        existing[usize::from(params.byte(0)) % existing.len()].clone()
    } else {
        params.pick(0, NEW_SECTIONS).to_string()
    };
    let key = params.pick(1, KEYS);
    let value = params.pick(2, VALUES);

    let changed = match doc.set(&section, key, value) {
        Ok(changed) => changed,
        Err(error) => {
            assert_eq!(doc.render(), text.as_ref(), "a refused edit changed the document");
            check_error_line("ini edit", &text, &error);
            return;
        }
    };
    assert_eq!(
        doc.get(&section, key),
        Some(value),
        "[{section}] {key} does not read back"
    );
    let out = doc.render();
    assert_eq!(
        changed,
        out != text.as_ref(),
        "set() returned {changed} for the text changing"
    );
    let reread = match IniDocument::parse(&out) {
        Ok(reread) => reread,
        Err(e) => panic!("the edited file does not parse: {e}\n--- before\n{text}\n--- after\n{out}"),
    };
    assert_eq!(
        reread.get(&section, key),
        Some(value),
        "[{section}] {key} does not read back after parsing again:\n{out}"
    );

    // Every other value reads as before. A value in [DEFAULT] shows through
    // every section that lacks the key, so that key is skipped then.
    let lower = key.to_lowercase();
    let quoted = section.split_once(' ').map(|(a, b)| format!("{a} \"{b}\""));
    for name in before.section_names() {
        let same_section = name == section || Some(name) == quoted.as_deref();
        for k in before.keys(name) {
            if (same_section || section == "DEFAULT") && k == lower {
                continue;
            }
            assert_eq!(
                reread.get(name, k),
                before.get(name, k),
                "[{name}] {k} changed when setting [{section}] {key}:\n{out}"
            );
        }
    }

    // Setting it again changes nothing, except that the AWS CLI's writer
    // turns `\r\n` and `\r` into `\n` when it edits an existing section.
    let mut again = reread.clone();
    match again.set(&section, key, value) {
        Ok(false) => {}
        Ok(true) => assert!(
            out.contains('\r') && again.render() == normalize_eol(&out),
            "setting the same value twice changed the text:\n--- once\n{out}\n--- twice\n{}",
            again.render()
        ),
        Err(e) => panic!("setting the same value twice failed: {e}\n{out}"),
    }

    // Outside one window the lines are the same (line ends aside: editing
    // a CRLF file rewrites them all as the AWS CLI does).
    let old = normalize_eol(&text);
    let new = normalize_eol(&out);
    let (old_lines, new_lines) = (lines(&old), lines(&new));
    let prefix = old_lines.iter().zip(&new_lines).take_while(|(a, b)| a == b).count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_window = old_lines.len() - prefix - suffix;
    let new_window = new_lines.len() - prefix - suffix;
    assert!(
        old_window <= 1 && new_window <= 2,
        "setting one key changed {old_window} line(s) into {new_window}:\n--- before\n{text}\n--- after\n{out}"
    );
}
