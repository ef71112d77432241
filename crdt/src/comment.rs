//! Comments: stances and the threaded view.

use serde::{Deserialize, Serialize};

use crate::id::{MemberId, RecordId};

/// Where a comment stands on what it discusses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stance {
    /// In favour.
    For,
    /// Against.
    Against,
    /// Neither, or a question.
    Neutral,
}

impl std::str::FromStr for Stance {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "for" => Ok(Stance::For),
            "against" => Ok(Stance::Against),
            "neutral" => Ok(Stance::Neutral),
            other => Err(format!(
                "unknown stance '{other}' (expected for, against or neutral)"
            )),
        }
    }
}

/// A comment in a thread, as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentNode {
    /// The `Comment` record.
    pub id: RecordId,
    /// Who wrote it.
    pub author: MemberId,
    /// Their display name.
    pub author_name: String,
    /// Its stance.
    pub stance: Stance,
    /// The latest text; `None` while hidden by staff.
    pub text: Option<String>,
    /// Why staff hid it, if they did.
    pub hidden_reason: Option<String>,
    /// An official answer from staff.
    pub official: bool,
    /// Whether the author edited it.
    pub edited: bool,
    /// When written (author's clock).
    pub time_ms: i64,
    /// Replies, oldest first.
    pub replies: Vec<CommentNode>,
}

/// How many comments take each stance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StanceCounts {
    /// For.
    pub for_: u64,
    /// Against.
    pub against: u64,
    /// Neutral.
    pub neutral: u64,
}
