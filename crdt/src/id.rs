//! Identifiers: what names a record, a document and a member.
//!
//! All three are derived from cryptographic material, never chosen freely:
//! a [`RecordId`] is the hash of a record's signed bytes, a [`DocId`] is the
//! prefix of the id of the record that founded the document, a [`MemberId`]
//! is an ed25519 public key. That makes them self-certifying: nobody can make
//! a second record with an existing id, or a second founding record for an
//! existing document.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::error::ParseIdError;

/// The id of a signed record: SHA-256 of its stored bytes.
///
/// A replayed or duplicated record has the same bytes, so it is the same record.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(pub [u8; 32]);

impl RecordId {
    /// The id of the given stored record bytes.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        RecordId(Sha256::digest(bytes).into())
    }

    /// A short form for people: the first 12 hex digits.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..6])
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({})", self.short())
    }
}

impl FromStr for RecordId {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = hex::decode(s.trim()).map_err(|_| ParseIdError::new("record", s))?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| ParseIdError::new("record", s))?;
        Ok(RecordId(arr))
    }
}

/// The id of a document (a space or a project).
///
/// It is the first 16 bytes of the id of the document's founding record, so
/// the founding record certifies the document: a forged founding record would
/// need a SHA-256 second preimage. Written like automerge-repo document ids
/// (base58check), so the same string names the document in a sync URL.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub [u8; 16]);

impl DocId {
    /// The document id certified by a founding record.
    pub fn from_genesis(genesis: &RecordId) -> Self {
        let mut id = [0u8; 16];
        id.copy_from_slice(&genesis.0[..16]);
        DocId(id)
    }

    /// Whether `genesis` is the founding record of this document.
    pub fn is_certified_by(&self, genesis: &RecordId) -> bool {
        genesis.0[..16] == self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocId({self})")
    }
}

impl FromStr for DocId {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|_| ParseIdError::new("document", s))?;
        let arr: [u8; 16] = bytes
            .try_into()
            .map_err(|_| ParseIdError::new("document", s))?;
        Ok(DocId(arr))
    }
}

/// A member: the ed25519 public key of one device.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemberId(pub [u8; 32]);

impl MemberId {
    /// A short form for people: the first 8 characters of the base58 key.
    pub fn short(&self) -> String {
        self.to_string().chars().take(8).collect()
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).into_string())
    }
}

impl fmt::Debug for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemberId({})", self.short())
    }
}

impl FromStr for MemberId {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = bs58::decode(s.trim())
            .into_vec()
            .map_err(|_| ParseIdError::new("member", s))?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| ParseIdError::new("member", s))?;
        Ok(MemberId(arr))
    }
}

/// Ids are text in human-readable formats (JSON for screens and the CLI)
/// and raw bytes in binary ones (postcard, inside signed records), so the
/// signed bytes are the same as a derived implementation would write.
macro_rules! id_serde {
    ($ty:ident, $n:expr) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.collect_str(self)
                } else {
                    s.serialize_newtype_struct(stringify!($ty), &self.0)
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if d.is_human_readable() {
                    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                    text.parse().map_err(serde::de::Error::custom)
                } else {
                    struct Visitor;
                    impl<'de> serde::de::Visitor<'de> for Visitor {
                        type Value = $ty;
                        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                            f.write_str(concat!("a ", stringify!($ty)))
                        }
                        fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                            self,
                            d: D,
                        ) -> Result<$ty, D::Error> {
                            <[u8; $n] as serde::Deserialize>::deserialize(d).map($ty)
                        }
                    }
                    d.deserialize_newtype_struct(stringify!($ty), Visitor)
                }
            }
        }
    };
}

id_serde!(RecordId, 32);
id_serde!(DocId, 16);
id_serde!(MemberId, 32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let r = RecordId::of_bytes(b"hello");
        assert_eq!(r.to_string().parse::<RecordId>().ok(), Some(r));
        let d = DocId::from_genesis(&r);
        assert!(d.is_certified_by(&r));
        assert_eq!(d.to_string().parse::<DocId>().ok(), Some(d));
        assert_eq!(
            format!("automerge:{d}").parse::<DocId>().ok(),
            Some(d),
            "automerge-repo URLs name the same document"
        );
        let m = MemberId([7; 32]);
        assert_eq!(m.to_string().parse::<MemberId>().ok(), Some(m));
    }

    #[test]
    fn ids_are_text_in_json_and_bytes_in_postcard() {
        let r = RecordId([0xab; 32]);
        let json = serde_json::to_string(&r).expect("json");
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        assert_eq!(serde_json::from_str::<RecordId>(&json).expect("back"), r);
        let bin = postcard::to_allocvec(&r).expect("postcard");
        assert_eq!(bin, vec![0xab; 32], "no length prefix, no text");
        assert_eq!(postcard::from_bytes::<RecordId>(&bin).expect("back"), r);
        let d = DocId([1; 16]);
        assert_eq!(postcard::to_allocvec(&d).expect("postcard"), vec![1; 16]);
        assert_eq!(
            serde_json::from_str::<DocId>(&serde_json::to_string(&d).expect("json")).expect("back"),
            d
        );
        assert!(serde_json::from_str::<MemberId>("\"not-an-id\"").is_err());
    }

    #[test]
    fn malformed_ids_are_refused() {
        assert!("zz".parse::<RecordId>().is_err());
        assert!("abcd".parse::<RecordId>().is_err());
        let mut d = DocId([1; 16]).to_string();
        d.pop();
        d.push('x');
        assert!(d.parse::<DocId>().is_err(), "checksum must be verified");
        assert!("0OIl".parse::<MemberId>().is_err());
    }
}
