//! Verdicts: which records count, and why the others do not.
//!
//! Every replica reaches the same verdict on the same records, so a rejected
//! record is rejected everywhere. Staff can list rejected records with their
//! reason; a record whose dependencies have not arrived is pending, not
//! rejected.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::id::{DocId, MemberId, RecordId};
use crate::record::SignedRecord;

/// Why a record does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum RejectReason {
    /// The bytes do not decode, or not canonically.
    Malformed {
        /// The decoder's words.
        detail: String,
    },
    /// The signature does not verify.
    BadSignature,
    /// The same bytes again: a replay or a duplicate insert.
    Duplicate,
    /// Signed for another document (a replay across documents).
    WrongDocument,
    /// A second founding record, or one that does not certify this document.
    ForeignGenesis,
    /// The author was not a member at the point the record was made.
    NotMember,
    /// The author lacked the role at the point the record was made.
    Forbidden {
        /// The role or relation needed ("staff", "admin", "author").
        needed: String,
    },
    /// A join whose invitation is unknown, revoked, exhausted or unproven.
    InvalidInvitation {
        /// What is wrong.
        detail: String,
    },
    /// It refers to something that does not exist or is of the wrong kind.
    BadReference {
        /// What is wrong.
        detail: String,
    },
    /// Its content breaks a rule (too long, a ballot that does not fit).
    Invalid {
        /// What is wrong.
        detail: String,
    },
}

/// A record that does not count, for the staff's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// The record's id (hash of its bytes, even when they do not decode).
    pub id: RecordId,
    /// Its kind, when it decodes.
    pub kind: Option<String>,
    /// Its claimed author, when it decodes.
    pub author: Option<MemberId>,
    /// Why it does not count.
    pub reason: RejectReason,
}

/// The decoded, signature-checked records of one document, duplicates and
/// undecodable bytes already set aside.
#[derive(Debug, Clone, Default)]
pub struct RecordSet {
    /// Records whose signatures verify, in document order, each once.
    pub records: Vec<SignedRecord>,
    /// Bytes that failed to decode or verify, and duplicates.
    pub rejected: Vec<Rejected>,
}

impl RecordSet {
    /// Decode and verify raw record bytes. Records signed for a document
    /// other than `doc` are rejected (founding records name none).
    pub fn decode(raw: &[Vec<u8>], doc: Option<DocId>) -> Self {
        Self::decode_reusing(raw, doc, &HashMap::new(), &HashSet::new())
    }

    /// Like [`RecordSet::decode`], taking records already verified from
    /// `verified`, and not checking again the signatures of records whose
    /// ids are in `trusted` (ids this device verified before and kept in its
    /// own storage: an id is the hash of the bytes, so the bytes cannot
    /// differ). Canonical form is checked either way.
    pub fn decode_reusing(
        raw: &[Vec<u8>],
        doc: Option<DocId>,
        verified: &HashMap<RecordId, SignedRecord>,
        trusted: &HashSet<RecordId>,
    ) -> Self {
        let mut seen = HashSet::with_capacity(raw.len());
        let mut keys = crate::key::KeyCache::default();
        let mut set = RecordSet::default();
        for bytes in raw {
            let id = RecordId::of_bytes(bytes);
            if !seen.insert(id) {
                set.rejected.push(Rejected {
                    id,
                    kind: None,
                    author: None,
                    reason: RejectReason::Duplicate,
                });
                continue;
            }
            let decoded = match verified.get(&id) {
                Some(known) => Ok(known.clone()),
                None if trusted.contains(&id) => {
                    SignedRecord::decode_unverified(bytes).map(|(body, id)| SignedRecord {
                        id,
                        body,
                        bytes: bytes.clone(),
                    })
                }
                None => SignedRecord::decode_with(bytes, &mut keys),
            };
            match decoded {
                Ok(record) => {
                    if let (Some(doc), Some(claimed)) = (doc, record.body.doc) {
                        if claimed != doc {
                            set.rejected
                                .push(rejected(&record, RejectReason::WrongDocument));
                            continue;
                        }
                    }
                    set.records.push(record);
                }
                Err(crate::error::RecordError::BadSignature) => {
                    let claimed = SignedRecord::decode_unverified(bytes).ok();
                    set.rejected.push(Rejected {
                        id,
                        kind: claimed
                            .as_ref()
                            .map(|(b, _)| b.payload.kind_name().to_string()),
                        author: claimed.map(|(b, _)| b.author),
                        reason: RejectReason::BadSignature,
                    });
                }
                Err(e) => set.rejected.push(Rejected {
                    id,
                    kind: None,
                    author: None,
                    reason: RejectReason::Malformed {
                        detail: e.to_string(),
                    },
                }),
            }
        }
        set
    }
}

/// A [`Rejected`] entry for a decoded record.
pub(crate) fn rejected(record: &SignedRecord, reason: RejectReason) -> Rejected {
    Rejected {
        id: record.id,
        kind: Some(record.body.payload.kind_name().to_string()),
        author: Some(record.body.author),
        reason,
    }
}
