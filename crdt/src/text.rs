//! Co-written proposal text: a sequence CRDT over signed edit records.
//!
//! Automerge's own text would merge just as well, but its operations carry no
//! member signature: any peer (or a relay) could rewrite a proposal and
//! nobody could tell who did. Here each edit is a signed record of
//! [`TextOp`]s whose inserted characters are named by
//! `(record, op, offset)`, and the text is an RGA (replicated growable array):
//! a character sits after the character it was inserted after; characters
//! inserted after the same one are ordered newest first by
//! `(lamport, record id, op)`. Deletes leave tombstones, so concurrent edits
//! anchored on deleted characters still land.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::id::RecordId;

/// One character's name: which insert made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CharId {
    /// The record whose op inserted it.
    pub record: RecordId,
    /// The op's index in that record (the idea's body is op 0 of the idea).
    pub op: u16,
    /// Its index in the op's inserted text, in characters.
    pub offset: u32,
}

/// One change to a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextOp {
    /// Insert `text` after a character (`None`: at the start).
    Insert {
        /// The character it goes after.
        after: Option<CharId>,
        /// What to insert.
        text: String,
    },
    /// Delete `len` consecutive characters of one insert, from `start`.
    Delete {
        /// The first character.
        start: CharId,
        /// How many (all within the same insert).
        len: u32,
    },
}

/// Why ops do not fit a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextOpError {
    UnknownAnchor,
    Empty,
}

type RunKey = (RecordId, u16);

#[derive(Debug, Clone)]
struct Run {
    chars: Vec<char>,
    deleted: Vec<bool>,
    /// Sibling order: higher sorts first.
    rank: (u64, RecordId, u16),
}

/// A text built from its initial body and accepted edits.
#[derive(Debug, Clone, Default)]
pub struct Text {
    runs: HashMap<RunKey, Run>,
    anchored: HashMap<Option<CharId>, Vec<RunKey>>,
    visible_len: usize,
}

impl Text {
    /// A text whose first content is `body`, made by record `origin`.
    pub fn new(origin: RecordId, lamport: u64, body: &str) -> Self {
        let mut text = Text::default();
        let op = TextOp::Insert {
            after: None,
            text: body.to_string(),
        };
        // A body with no characters is simply an empty text.
        let _ = text.apply(origin, lamport, std::slice::from_ref(&op));
        text
    }

    /// Check that `ops` (of record `record`) fit this text without applying them.
    pub(crate) fn check(&self, record: RecordId, ops: &[TextOp]) -> Result<(), TextOpError> {
        let mut scratch_runs: HashMap<RunKey, usize> = HashMap::new();
        for (i, op) in ops.iter().enumerate() {
            let len_of = |c: &CharId| -> Option<usize> {
                self.runs
                    .get(&(c.record, c.op))
                    .map(|r| r.chars.len())
                    .or_else(|| scratch_runs.get(&(c.record, c.op)).copied())
            };
            match op {
                TextOp::Insert { after, text } => {
                    if text.is_empty() {
                        return Err(TextOpError::Empty);
                    }
                    if let Some(a) = after {
                        match len_of(a) {
                            Some(n) if (a.offset as usize) < n => {}
                            _ => return Err(TextOpError::UnknownAnchor),
                        }
                    }
                    let key = (record, i as u16);
                    if i > u16::MAX as usize || self.runs.contains_key(&key) {
                        return Err(TextOpError::UnknownAnchor);
                    }
                    scratch_runs.insert(key, text.chars().count());
                }
                TextOp::Delete { start, len } => {
                    if *len == 0 {
                        return Err(TextOpError::Empty);
                    }
                    match len_of(start) {
                        Some(n) if (start.offset as usize) + (*len as usize) <= n => {}
                        _ => return Err(TextOpError::UnknownAnchor),
                    }
                }
            }
        }
        Ok(())
    }

    /// Apply `ops` of record `record` (checked first; nothing applied on error).
    pub(crate) fn apply(
        &mut self,
        record: RecordId,
        lamport: u64,
        ops: &[TextOp],
    ) -> Result<(), TextOpError> {
        self.check(record, ops)?;
        for (i, op) in ops.iter().enumerate() {
            match op {
                TextOp::Insert { after, text } => {
                    let chars: Vec<char> = text.chars().collect();
                    let key = (record, i as u16);
                    self.visible_len += chars.len();
                    self.anchored.entry(*after).or_default().push(key);
                    self.runs.insert(
                        key,
                        Run {
                            deleted: vec![false; chars.len()],
                            chars,
                            rank: (lamport, record, i as u16),
                        },
                    );
                }
                TextOp::Delete { start, len } => {
                    if let Some(run) = self.runs.get_mut(&(start.record, start.op)) {
                        let from = start.offset as usize;
                        for d in &mut run.deleted[from..from + *len as usize] {
                            if !*d {
                                *d = true;
                                self.visible_len -= 1;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Number of visible characters.
    pub fn len(&self) -> usize {
        self.visible_len
    }

    /// Whether no character is visible.
    pub fn is_empty(&self) -> bool {
        self.visible_len == 0
    }

    /// The visible characters with their names, in order.
    pub fn visible(&self) -> Vec<(CharId, char)> {
        let mut out = Vec::with_capacity(self.visible_len);
        // Explicit stack: a long run would overflow a recursive walk.
        let mut stack: Vec<CharId> = Vec::new();
        let push_children = |stack: &mut Vec<CharId>, anchor: Option<CharId>| {
            let mut kids: Vec<(&(u64, RecordId, u16), CharId)> = Vec::new();
            if let Some(runs) = self.anchored.get(&anchor) {
                for key in runs {
                    let run = &self.runs[key];
                    kids.push((
                        &run.rank,
                        CharId {
                            record: key.0,
                            op: key.1,
                            offset: 0,
                        },
                    ));
                }
            }
            if let Some(a) = anchor {
                let run = &self.runs[&(a.record, a.op)];
                if (a.offset as usize) + 1 < run.chars.len() {
                    kids.push((
                        &run.rank,
                        CharId {
                            offset: a.offset + 1,
                            ..a
                        },
                    ));
                }
            }
            // Highest rank is visited first, so pushed last.
            kids.sort_by(|x, y| x.0.cmp(y.0));
            stack.extend(kids.into_iter().map(|(_, c)| c));
        };
        push_children(&mut stack, None);
        while let Some(c) = stack.pop() {
            let run = &self.runs[&(c.record, c.op)];
            if !run.deleted[c.offset as usize] {
                out.push((c, run.chars[c.offset as usize]));
            }
            push_children(&mut stack, Some(c));
        }
        out
    }

    /// The visible text.
    pub fn to_text(&self) -> String {
        self.visible().into_iter().map(|(_, c)| c).collect()
    }

    /// The characters that `ops` would delete, as text (for showing an
    /// amendment), in document order.
    pub fn deleted_by(&self, ops: &[TextOp]) -> String {
        let mut ids = std::collections::HashSet::new();
        for op in ops {
            if let TextOp::Delete { start, len } = op {
                for k in 0..*len {
                    ids.insert(CharId {
                        offset: start.offset + k,
                        ..*start
                    });
                }
            }
        }
        self.visible()
            .into_iter()
            .filter(|(id, _)| ids.contains(id))
            .map(|(_, c)| c)
            .collect()
    }

    /// The ops that turn the current text into `target`: one delete per
    /// affected insert and one insert, around the common prefix and suffix.
    pub fn diff_to(&self, target: &str) -> Vec<TextOp> {
        let current = self.visible();
        let new: Vec<char> = target.chars().collect();
        let prefix = current
            .iter()
            .zip(&new)
            .take_while(|((_, a), b)| a == *b)
            .count();
        let max_suffix = (current.len() - prefix).min(new.len() - prefix);
        let suffix = current
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take(max_suffix)
            .take_while(|((_, a), b)| a == *b)
            .count();
        // Readable edits in scripts that separate words: a pure insertion
        // or deletion slides left to a word start (the same edit, so merges
        // stay minimal: "and add benches " rather than "nd add benches a");
        // a replacement widens to whole words ("trees" -> "bushes").
        let wordy = |c: char| c.is_alphanumeric() && (c as u32) < 0x2E80;
        let mut prefix = prefix;
        let mut suffix = suffix;
        let mut inserted: Vec<char> = new[prefix..new.len() - suffix].to_vec();
        let removed_len = current.len() - suffix - prefix;
        if removed_len == 0 && !inserted.is_empty() {
            while prefix > 0
                && wordy(current[prefix - 1].1)
                && inserted.last() == Some(&current[prefix - 1].1)
            {
                inserted.rotate_right(1);
                prefix -= 1;
                suffix += 1;
            }
        } else if removed_len > 0 && inserted.is_empty() {
            while prefix > 0
                && wordy(current[prefix - 1].1)
                && current[prefix - 1].1 == current[prefix + removed_len - 1].1
            {
                prefix -= 1;
                suffix += 1;
            }
        } else if removed_len > 0 {
            while prefix > 0 && wordy(current[prefix - 1].1) && wordy(current[prefix].1) {
                prefix -= 1;
            }
            while suffix > 0
                && wordy(current[current.len() - suffix].1)
                && wordy(current[current.len() - suffix - 1].1)
            {
                suffix -= 1;
            }
            inserted = new[prefix..new.len() - suffix].to_vec();
        }
        let mut ops = Vec::new();
        let removed = &current[prefix..current.len() - suffix];
        let mut i = 0;
        while i < removed.len() {
            let start = removed[i].0;
            let mut len = 1u32;
            while i + (len as usize) < removed.len() {
                let next = removed[i + len as usize].0;
                if next.record == start.record
                    && next.op == start.op
                    && next.offset == start.offset + len
                {
                    len += 1;
                } else {
                    break;
                }
            }
            ops.push(TextOp::Delete { start, len });
            i += len as usize;
        }
        let inserted: String = inserted.into_iter().collect();
        if !inserted.is_empty() {
            ops.push(TextOp::Insert {
                after: prefix.checked_sub(1).map(|p| current[p].0),
                text: inserted,
            });
        }
        ops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rid(n: u8) -> RecordId {
        RecordId([n; 32])
    }

    #[test]
    fn diff_then_apply_gives_the_target() {
        let mut t = Text::new(rid(1), 1, "The park needs benches.");
        let ops = t.diff_to("The park needs shaded benches and water.");
        t.apply(rid(2), 2, &ops).expect("fits");
        assert_eq!(t.to_text(), "The park needs shaded benches and water.");
        let ops = t.diff_to("公園にはベンチが必要です。");
        t.apply(rid(3), 3, &ops).expect("fits");
        assert_eq!(t.to_text(), "公園にはベンチが必要です。");
        assert_eq!(t.len(), 13);
    }

    #[test]
    fn diffs_keep_whole_words() {
        let t = Text::new(rid(1), 1, "Plant trees along the path.");
        let ops = t.diff_to("Plant trees and benches along the path.");
        assert_eq!(t.deleted_by(&ops), "");
        assert!(matches!(&ops[..], [TextOp::Insert { text, .. }] if text == "and benches "));
        let ops = t.diff_to("Plant bushes along the path.");
        assert_eq!(t.deleted_by(&ops), "trees");
        let mut t2 = t.clone();
        t2.apply(rid(2), 2, &ops).expect("fits");
        assert_eq!(t2.to_text(), "Plant bushes along the path.");
    }

    #[test]
    fn concurrent_edits_both_land_in_either_order() {
        let base = Text::new(rid(1), 1, "ab");
        let left = base.diff_to("aXb");
        let right = base.diff_to("abY");
        let mut one = base.clone();
        one.apply(rid(2), 2, &left).expect("fits");
        one.apply(rid(3), 2, &right).expect("fits");
        let mut two = base.clone();
        two.apply(rid(3), 2, &right).expect("fits");
        two.apply(rid(2), 2, &left).expect("fits");
        assert_eq!(one.to_text(), "aXbY");
        assert_eq!(two.to_text(), "aXbY");
    }

    #[test]
    fn an_insert_after_a_deleted_character_still_lands() {
        let base = Text::new(rid(1), 1, "abc");
        let delete_b = base.diff_to("ac");
        let after_b = vec![TextOp::Insert {
            after: Some(CharId {
                record: rid(1),
                op: 0,
                offset: 1,
            }),
            text: "Z".into(),
        }];
        let mut t = base.clone();
        t.apply(rid(2), 2, &delete_b).expect("fits");
        t.apply(rid(3), 2, &after_b).expect("fits");
        assert_eq!(t.to_text(), "aZc");
    }

    #[test]
    fn ops_naming_unknown_characters_are_refused_whole() {
        let mut t = Text::new(rid(1), 1, "abc");
        let bad = vec![
            TextOp::Insert {
                after: None,
                text: "ok".into(),
            },
            TextOp::Delete {
                start: CharId {
                    record: rid(1),
                    op: 0,
                    offset: 2,
                },
                len: 5,
            },
        ];
        assert_eq!(t.apply(rid(2), 2, &bad), Err(TextOpError::UnknownAnchor));
        assert_eq!(t.to_text(), "abc", "nothing applied");
    }

    #[test]
    fn a_long_text_does_not_overflow_the_stack() {
        let long: String = "あ".repeat(200_000);
        let t = Text::new(rid(1), 1, &long);
        assert_eq!(t.visible().len(), 200_000);
    }
}
