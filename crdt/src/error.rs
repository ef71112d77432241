//! Errors of the domain crate. Each names what went wrong and carries what a
//! person needs to act on it.

use thiserror::Error;

use crate::id::{MemberId, RecordId};

/// A text that should have been an id was not.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("'{input}' is not a valid {kind} id")]
pub struct ParseIdError {
    /// "record", "document" or "member".
    pub kind: &'static str,
    /// What was given.
    pub input: String,
}

impl ParseIdError {
    pub(crate) fn new(kind: &'static str, input: &str) -> Self {
        let input = input.chars().take(80).collect();
        ParseIdError { kind, input }
    }
}

/// Stored record bytes that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Shorter than a version byte, a body and a signature.
    #[error("record is truncated ({size} bytes)")]
    Truncated {
        /// Its length.
        size: usize,
    },
    /// Larger than [`crate::record::MAX_RECORD_BYTES`].
    #[error("record is too large ({size} bytes)")]
    TooLarge {
        /// Its length.
        size: usize,
    },
    /// A format version this build does not know (made by a newer Yoriai?).
    #[error("record format version {version} is not supported by this version of Yoriai")]
    UnsupportedVersion {
        /// The version byte.
        version: u8,
    },
    /// The body does not decode (or is a record kind from a newer version).
    #[error("record body is malformed: {reason}")]
    Malformed {
        /// The decoder's words.
        reason: String,
    },
    /// The body decodes but is not in its one canonical byte form.
    #[error("record body is not in canonical form")]
    NonCanonical,
    /// The signature does not verify against the author's key.
    #[error("record signature does not verify")]
    BadSignature,
    /// Asked to sign a body whose author is another key.
    #[error("a device can only sign records it authors")]
    AuthorMismatch,
}

/// An Automerge document that is not a readable Yoriai document.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The bytes are not an Automerge document.
    #[error("not an Automerge document: {reason}")]
    NotAutomerge {
        /// Automerge's words.
        reason: String,
    },
    /// An Automerge document without the Yoriai header.
    #[error("not a Yoriai document (no 'yoriai' header)")]
    NotYoriai,
    /// A space where a project was expected, or the reverse.
    #[error("expected a {expected} document, found a {found} document")]
    WrongKind {
        /// What the caller asked for.
        expected: &'static str,
        /// What the header says.
        found: String,
    },
    /// Written by a newer schema than this build reads.
    #[error("document schema {found} is newer than this version of Yoriai reads ({supported}); update Yoriai")]
    NewerSchema {
        /// Schema in the document.
        found: u64,
        /// Newest schema this build reads.
        supported: u64,
    },
    /// The founding record is missing (the document has not fully arrived).
    #[error("the document's founding record has not arrived yet")]
    NoGenesis,
    /// Automerge refused a change.
    #[error("document change failed: {reason}")]
    Change {
        /// Automerge's words.
        reason: String,
    },
}

/// Why a command was refused. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The acting key is not a member of the space.
    #[error("you are not a member of this space")]
    NotMember,
    /// The acting member lacks the role.
    #[error("this needs the {needed} role")]
    Forbidden {
        /// "staff" or "admin", or "author".
        needed: &'static str,
    },
    /// The phase this needs is not open.
    #[error("the {kind} phase is not open")]
    PhaseNotOpen {
        /// The phase kind needed.
        kind: &'static str,
    },
    /// A vote or survey is already closed.
    #[error("{what} is closed")]
    Closed {
        /// "the vote" or "the survey".
        what: &'static str,
    },
    /// A text is longer than allowed.
    #[error("{field} is too long ({len} characters, at most {max})")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A required text is empty.
    #[error("{field} must not be empty")]
    Empty {
        /// Which field.
        field: &'static str,
    },
    /// A referenced thing does not exist (or is not visible).
    #[error("no {what} with id {id}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// The id given.
        id: String,
    },
    /// A ballot or answer that does not fit its vote or survey.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// "ballot", "answer", "position"...
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The invitation cannot be used.
    #[error("invitation cannot be used: {reason}")]
    Invitation {
        /// Why.
        reason: String,
    },
    /// The member is already in the space.
    #[error("member {0:?} is already in this space")]
    AlreadyMember(MemberId),
    /// The record was made but could not be signed or stored.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The document could not be read or changed.
    #[error(transparent)]
    Document(#[from] DocumentError),
}

impl CommandError {
    pub(crate) fn not_found(what: &'static str, id: &RecordId) -> Self {
        CommandError::NotFound {
            what,
            id: id.to_string(),
        }
    }
}
