//! Setting a key as the AWS CLI's `aws configure set` writer does: the
//! line rewritten or inserted where the writer puts it, and the result
//! read back to check that it means what was set.

use super::*;

impl IniDocument {
    /// The writer's path when the section exists: rewrite the key's line or
    /// insert a new one, then (as the writer rewrites the whole file in text
    /// mode) turn all line ends into `\n`.
    pub(super) fn update_section(&mut self, index: usize, key: &str, value: &str) -> Result<bool, InputError> {
        let is_last = index + 1 == self.sections.len();
        let Some(section) = self.sections.get(index) else {
            return Err(InputError::new("internal error: section index out of range"));
        };
        if section.header.text.starts_with(|c: char| is_py_space(c)) {
            return Err(InputError::at(
                line_number(self.header_line(index)),
                format!(
                    "the header [{}] is indented: `aws configure set` does not recognise an indented \
                     header and would add a second [{}] at the end, which botocore rejects; \
                     remove the spaces before '['",
                    section.name, section.name
                ),
            ));
        }

        let mut changed = match self.plain_edit(index, key, value) {
            Some(plain) => self.apply_plain_edit(index, is_last, plain, key, value),
            None => self.apply_checked_edit(index, is_last, key, value)?,
        };
        if self.has_cr {
            changed |= self.normalize_line_ends();
        }
        Ok(changed)
    }

    /// The writer's edit of any section, re-read with botocore's rules
    /// ([`check_edit`](Self::check_edit)) before it is applied. Returns
    /// whether the section's text changed.
    pub(super) fn apply_checked_edit(
        &mut self,
        index: usize,
        is_last: bool,
        key: &str,
        value: &str,
    ) -> Result<bool, InputError> {
        let Some(section) = self.sections.get(index) else {
            return Err(InputError::new("internal error: section index out of range"));
        };
        let edit = writer_edit(section, is_last, key, value);
        let entries = self.check_edit(index, &edit, key, value)?;
        let Edit { body, header_eol, .. } = edit;

        let Some(section) = self.sections.get_mut(index) else {
            return Err(InputError::new("internal error: section index out of range"));
        };
        let changed = header_eol != section.header.eol || body != section.body;
        section.header.eol = header_eol;
        section.body = body;
        section.entries = entries;
        Ok(changed)
    }

    /// The writer's edit of a *plain* section, found without re-reading it
    /// (the flow sets thousands of keys, nearly all in sections it
    /// has just made). A section is plain when each of its body lines is one
    /// key of its own: `name = value` or `name: value`, not indented, ending
    /// in `\n`; when it is not `[DEFAULT]`; and when the next header is not
    /// indented. In such a section the writer's key of a line is exactly the
    /// name botocore reads there (as written), so the writer rewrites the
    /// line whose key is `key` or, failing that, appends `key = value` after
    /// the last line (the last key line, and in the last section also the
    /// last line), and botocore reads the result as the old keys plus this
    /// one. Returns `None` when the section is not plain, or when it holds
    /// the key in another letter case (the full check then names the line).
    pub(super) fn plain_edit(&self, index: usize, key: &str, value: &str) -> Option<PlainEdit> {
        let section = self.sections.get(index)?;
        let next_indented = self
            .sections
            .get(index + 1)
            .is_some_and(|next| next.header.text.starts_with(is_py_space));
        if section.name == "DEFAULT"
            || next_indented
            || section.header.eol != Eol::Lf
            || section.entries.len() != section.body.len()
        {
            return None;
        }
        let plain = section
            .body
            .iter()
            .zip(&section.entries)
            .enumerate()
            .all(|(i, (line, entry))| entry.at == i && line.eol == Eol::Lf && !line.text.starts_with(is_py_space));
        if !plain {
            return None;
        }
        if let Some(at) = section.entries.iter().position(|e| e.written == key) {
            return Some(PlainEdit {
                entry: Entry::of_key_line(key, value, at),
                replace: true,
            });
        }
        let entry = Entry::of_key_line(key, value, section.body.len());
        if section.entries.iter().any(|e| e.name == entry.name) {
            return None;
        }
        Some(PlainEdit { entry, replace: false })
    }

    /// Applies what [`plain_edit`](Self::plain_edit) found; returns whether
    /// the section's text changed. Debug builds (the tests) also run the full
    /// edit-and-reread on the section and check that both agree.
    pub(super) fn apply_plain_edit(
        &mut self,
        index: usize,
        is_last: bool,
        plain: PlainEdit,
        key: &str,
        value: &str,
    ) -> bool {
        let line = key_line(key, value);
        #[cfg(debug_assertions)]
        let full = self.sections.get(index).map(|section| {
            let edit = writer_edit(section, is_last, key, value);
            let entries = self.check_edit(index, &edit, key, value);
            (edit.body, edit.header_eol, entries)
        });
        #[cfg(not(debug_assertions))]
        let _ = is_last;
        let Some(section) = self.sections.get_mut(index) else {
            return false;
        };
        let PlainEdit { entry, replace } = plain;
        let at = entry.at;
        let mut changed = true;
        if replace {
            if let (Some(old_line), Some(old_entry)) = (section.body.get_mut(at), section.entries.get_mut(at)) {
                changed = *old_line != line;
                *old_line = line;
                *old_entry = entry;
            }
        } else {
            section.body.push(line);
            section.entries.push(entry);
        }
        #[cfg(debug_assertions)]
        if let Some((body, header_eol, entries)) = full {
            assert_eq!(
                body, section.body,
                "the plain edit of [{}] differs from the writer's",
                section.name
            );
            assert_eq!(header_eol, section.header.eol);
            assert_eq!(
                entries.ok().as_ref(),
                Some(&section.entries),
                "botocore would read [{}] otherwise",
                section.name
            );
        }
        changed
    }

    /// Re-reads an edited section body with botocore's rules and compares it
    /// with the section before the edit plus `key = value`. Returns the new
    /// entries, or an error naming the line that makes the edit unsafe.
    pub(super) fn check_edit(
        &self,
        index: usize,
        edit: &Edit,
        key: &str,
        value: &str,
    ) -> Result<Vec<Entry>, InputError> {
        let Some(section) = self.sections.get(index) else {
            return Err(InputError::new("internal error: section index out of range"));
        };
        let inserted_at = edit.inserted_at;
        // Line numbers cost a walk over the sections before this one: only
        // errors need them.
        let header_line = || self.header_line(index);
        // Line number, in the document before the edit, of a body line
        // after the edit (the inserted line is numbered as the line it
        // pushed down).
        let old_line = |at: usize| -> u32 {
            let old_at = match inserted_at {
                Some(i) if at > i => at - 1,
                _ => at,
            };
            line_number(header_line() + 1 + old_at)
        };
        // Only errors need it: not formatted for every key set.
        let what = || format!("setting `{key}` in [{}] as `aws configure set` does", section.name);
        // The next header belongs to the check: after an indented header,
        // configparser reads it as part of the last value when the line
        // before it is less indented.
        let next_header = self.sections.get(index + 1).map(|s| &s.header);
        let in_default = section.name == "DEFAULT";
        let entries = read_body(&edit.body, section.indent, in_default, next_header).map_err(|e| match e.kind {
            ReadErrorKind::Duplicate { ref name, first } => {
                // One of the two is the written line; name the other.
                let existing = if Some(first) == inserted_at { e.pos } else { first };
                InputError::at(
                    old_line(existing),
                    format!(
                        "{} would leave two `{name}` keys in the section (key names are \
                         case-insensitive for botocore, which then rejects the file); rename or \
                         remove this line first",
                        what()
                    ),
                )
            }
            _ => InputError::at(
                old_line(e.pos),
                format!(
                    "{} would make this line unreadable for botocore ({}); edit the section by hand",
                    what(),
                    e.kind.message()
                ),
            ),
        })?;

        let wanted_name = py_lower(key);
        let wanted_value = py_strip(value);
        let mut expected: BTreeMap<&str, &str> = section
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str()))
            .collect();
        expected.insert(wanted_name.as_str(), wanted_value);
        let got: BTreeMap<&str, &Entry> = entries.iter().map(|e| (e.name.as_str(), e)).collect();
        // The first key botocore would read differently, before or after;
        // another key than the one set is the more telling.
        let lost = |old: &&Entry| {
            got.get(old.name.as_str()).map(|e| e.value.as_str()) != expected.get(old.name.as_str()).copied()
        };
        let differs = section
            .entries
            .iter()
            .filter(|old| old.name != wanted_name)
            .find(lost)
            .or_else(|| section.entries.iter().find(lost))
            .map(|old| (old.written.as_str(), line_number(header_line() + 1 + old.at)))
            .or_else(|| {
                entries
                    .iter()
                    .find(|new| expected.get(new.name.as_str()).copied() != Some(new.value.as_str()))
                    .map(|new| (new.written.as_str(), old_line(new.at)))
            })
            .or_else(|| (entries.len() != expected.len()).then(|| (key, line_number(header_line()))));
        if let Some((name, line)) = differs {
            return Err(InputError::at(
                line,
                format!(
                    "{} would change how botocore reads `{name}`: an indented line next to the edit \
                     would become part of another value; edit the section by hand",
                    what()
                ),
            ));
        }
        Ok(entries)
    }

    /// The writer's path when the section does not exist: append `[name]`
    /// and `key = value`, after adding a final `\n` if the file lacks one.
    /// Existing line ends are kept (the writer opens the file for appending).
    pub(super) fn append_section(&mut self, section: &str, key: &str, value: &str) -> bool {
        if let Some(last) = self.last_line_mut() {
            // The writer checks the last byte: a file ending in a lone "\r"
            // gets "\n" after it, which makes that line end "\r\n".
            last.eol = match last.eol {
                Eol::None => Eol::Lf,
                Eol::Cr => Eol::CrLf,
                other => other,
            };
        }
        let entry = Entry::of_key_line(key, value, 0);
        self.has_quoted |= section.contains('"');
        self.by_name.insert(section.to_string(), self.sections.len());
        self.sections.push(Section {
            name: section.to_string(),
            header: Line::lf(["[", section, "]"].concat()),
            indent: 0,
            body: vec![key_line(key, value)],
            entries: vec![entry],
        });
        true
    }

    /// Rewrites every line end as `\n`; returns whether any changed.
    pub(super) fn normalize_line_ends(&mut self) -> bool {
        let mut changed = false;
        let lines = self.preamble.iter_mut().chain(
            self.sections
                .iter_mut()
                .flat_map(|s| std::iter::once(&mut s.header).chain(s.body.iter_mut())),
        );
        for line in lines {
            if line.eol == Eol::CrLf || line.eol == Eol::Cr {
                line.eol = Eol::Lf;
                changed = true;
            }
        }
        self.has_cr = false;
        changed
    }
}

/// The edit of a plain section: the entry written, at its body index, and
/// whether it rewrites the line there or is appended.
pub(super) struct PlainEdit {
    entry: Entry,
    replace: bool,
}

/// A section body as the writer leaves it.
#[derive(Debug)]
pub(super) struct Edit {
    body: Vec<Line>,
    header_eol: Eol,
    /// Where a line was inserted, if one was.
    inserted_at: Option<usize>,
}

/// What `aws configure set` does to a section that exists: the first line
/// whose key (as the writer sees keys) is `key` becomes `key = value`;
/// otherwise `key = value` goes after the last key line, or, in the last
/// section, one line further down.
pub(super) fn writer_edit(section: &Section, is_last: bool, key: &str, value: &str) -> Edit {
    let new_line = key_line(key, value);
    let mut body = section.body.clone();
    let mut header_eol = section.header.eol;
    let mut last_key_line: Option<usize> = None;
    for (i, line) in body.iter_mut().enumerate() {
        if let Some(name) = writer_key(&line.text) {
            last_key_line = Some(i);
            if name == key {
                *line = new_line;
                return Edit {
                    body,
                    header_eol,
                    inserted_at: None,
                };
            }
        }
    }
    let at = if is_last {
        // The writer reached the end of the file. It inserts at (index of
        // the last key line) + 2 in its list of lines: one line lower than
        // in a section followed by another. A file without a final "\n"
        // gets one first; the writer appends it as a separate list item,
        // so when the insertion point falls on that item the new line is
        // glued to the end of the last line. Terminating the last line
        // itself gives the writer's result everywhere else.
        match body.last_mut() {
            Some(last) if last.eol == Eol::None => last.eol = Eol::Lf,
            Some(_) => {}
            None if header_eol == Eol::None => header_eol = Eol::Lf,
            None => {}
        }
        last_key_line.map_or(1, |i| i + 2).min(body.len())
    } else {
        last_key_line.map_or(0, |i| i + 1)
    };
    body.insert(at, new_line);
    Edit {
        body,
        header_eol,
        inserted_at: Some(at),
    }
}
