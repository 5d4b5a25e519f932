//! Removing a whole section, for profiles this tool wrote and no longer
//! needs. Only a section laid out as the writer lays one out is removed, and
//! every byte outside it stays as it was.

use super::*;

impl IniDocument {
    /// Whether `section` is laid out as `aws configure set` writes one: its
    /// header exactly `[name]` at the start of the line, then one key per
    /// line (not indented, no continuation lines, no comment between the
    /// keys), then nothing but blank lines and comments that are not
    /// indented. A section a person has annotated or reshaped is not plain.
    pub fn is_plain_section(&self, section: &str) -> bool {
        self.by_name
            .get(section)
            .is_some_and(|&index| self.plain_section_at(index))
    }

    fn plain_section_at(&self, index: usize) -> bool {
        let Some(section) = self.sections.get(index) else {
            return false;
        };
        let next_indented = self
            .sections
            .get(index + 1)
            .is_some_and(|next| next.header.text.starts_with(is_py_space));
        if section.name == "DEFAULT"
            || next_indented
            || section.header.text != format!("[{}]", section.name)
            || section.entries.is_empty()
        {
            return false;
        }
        let keys = section.entries.len();
        let keys_first = section.entries.iter().enumerate().all(|(i, entry)| {
            entry.at == i
                && section
                    .body
                    .get(i)
                    .is_some_and(|line| !line.text.starts_with(is_py_space))
        });
        let rest_inert = section.body.iter().skip(keys).all(|line| {
            let text = line.text.as_str();
            py_strip(text).is_empty() || (text.starts_with(['#', ';']))
        });
        keys_first && rest_inert
    }

    /// Removes `section` when it is plain (see
    /// [`is_plain_section`](Self::is_plain_section)): its header, its key
    /// lines and the blank lines right after them. Comments after its keys
    /// stay where they are (they may describe what follows), as does every
    /// other line of the document. Returns whether the section was removed.
    pub fn remove_section(&mut self, section: &str) -> bool {
        let Some(&index) = self.by_name.get(section) else {
            return false;
        };
        if !self.plain_section_at(index) {
            return false;
        }
        let removed = self.sections.remove(index);
        let mut kept: Vec<Line> = removed.body.into_iter().skip(removed.entries.len()).collect();
        let blank = kept.iter().take_while(|l| py_strip(&l.text).is_empty()).count();
        kept.drain(..blank);
        match index.checked_sub(1).and_then(|i| self.sections.get_mut(i)) {
            Some(previous) => previous.body.extend(kept),
            None => self.preamble.extend(kept),
        }
        self.by_name.clear();
        for (i, s) in self.sections.iter().enumerate() {
            self.by_name.entry(s.name.clone()).or_insert(i);
        }
        self.has_quoted = self.sections.iter().any(|s| s.name.contains('"'));
        self.last_set = None;
        true
    }
}
