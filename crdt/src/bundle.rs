//! Bundle files: a space (or one project of it) carried on a USB stick.
//!
//! ```text
//! magic "YORIAI\0B" (8) | format u16 LE | manifest length u32 LE
//! | manifest (JSON) | each document's saved Automerge bytes, in manifest order
//! | SHA-256 of everything before it (32)
//! ```
//!
//! [`read`] checks everything before handing out a single document: the
//! magic (a foreign file), the format (a newer Yoriai), the checksum (a
//! damaged or truncated copy), the manifest, each document's own hash, that
//! each document loads as the kind the manifest says, and that its id is
//! certified by its founding record. A file that fails any check yields no
//! documents, so an import either takes all of it or none.
//!
//! Importing never overwrites: the node merges each document into its copy
//! (Automerge merge is a union), so importing twice changes nothing.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::document::{load_document, raw_records, DocKind};
use crate::id::DocId;
use crate::record::SignedRecord;

/// The first bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"YORIAI\0B";
/// The format this build writes and the newest it reads.
pub const FORMAT: u16 = 1;
/// The largest bundle read (1 GiB).
pub const MAX_BUNDLE_BYTES: usize = 1 << 30;
/// The largest manifest read.
pub const MAX_MANIFEST_BYTES: usize = 4 << 20;
/// The most documents in one bundle.
pub const MAX_DOCUMENTS: usize = 10_000;

const HEADER: usize = 8 + 2 + 4;
const CHECKSUM: usize = 32;

/// What a bundle says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The format (same as the header's).
    pub format: u16,
    /// When it was written (ms since the Unix epoch, the writer's clock).
    pub created_ms: i64,
    /// The space it carries.
    pub space: DocId,
    /// Set when only one project of the space was exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<DocId>,
    /// The documents, in the order their bytes follow.
    pub documents: Vec<Entry>,
}

/// One document in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its id.
    pub id: DocId,
    /// "space" or "project".
    pub kind: String,
    /// Length of its saved bytes.
    pub bytes: u64,
    /// SHA-256 of those bytes, hex.
    pub sha256: String,
}

/// A document taken out of a bundle, already checked.
#[derive(Debug, Clone)]
pub struct BundleDoc {
    /// Its id (certified by its founding record).
    pub id: DocId,
    /// What it is.
    pub kind: DocKind,
    /// Its saved Automerge bytes.
    pub bytes: Vec<u8>,
}

/// A bundle that passed every check.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// What it says about itself.
    pub manifest: Manifest,
    /// Its documents, in manifest order.
    pub documents: Vec<BundleDoc>,
}

/// Why a file is not a bundle this build can import.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The file does not start with the bundle magic.
    #[error("this is not a Yoriai space file")]
    Foreign,
    /// Written by a newer Yoriai.
    #[error("this space file uses format {found}, newer than this Yoriai reads ({FORMAT}); update Yoriai to import it")]
    Newer {
        /// The file's format.
        found: u16,
    },
    /// Shorter than its header says.
    #[error("this space file is truncated ({size} bytes); copy it again")]
    Truncated {
        /// Its length.
        size: usize,
    },
    /// Too large to read.
    #[error("this space file is too large ({size} bytes; at most {MAX_BUNDLE_BYTES})")]
    TooLarge {
        /// Its length.
        size: usize,
    },
    /// The bytes are damaged.
    #[error("this space file is damaged ({reason}); copy it again")]
    Corrupt {
        /// What check failed.
        reason: String,
    },
}

fn corrupt(reason: impl Into<String>) -> BundleError {
    BundleError::Corrupt {
        reason: reason.into(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Write a bundle of `documents` (the space first, then projects).
pub fn write(
    created_ms: i64,
    space: DocId,
    project: Option<DocId>,
    documents: &[BundleDoc],
) -> Vec<u8> {
    let manifest = Manifest {
        format: FORMAT,
        created_ms,
        space,
        project,
        documents: documents
            .iter()
            .map(|d| Entry {
                id: d.id,
                kind: d.kind.name().to_string(),
                bytes: d.bytes.len() as u64,
                sha256: sha256_hex(&d.bytes),
            })
            .collect(),
    };
    // Plain data with text keys: serialising it cannot fail.
    let json = serde_json::to_vec(&manifest).unwrap_or_default();
    let total: usize = documents.iter().map(|d| d.bytes.len()).sum();
    let mut out = Vec::with_capacity(HEADER + json.len() + total + CHECKSUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    for d in documents {
        out.extend_from_slice(&d.bytes);
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// Read and check a bundle; see the module docs for what is checked.
pub fn read(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let size = bytes.len();
    if size < MAGIC.len() {
        return Err(if MAGIC.starts_with(bytes) && size > 0 {
            BundleError::Truncated { size }
        } else {
            BundleError::Foreign
        });
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err(BundleError::Foreign);
    }
    if size > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge { size });
    }
    if size < HEADER + CHECKSUM {
        return Err(BundleError::Truncated { size });
    }
    let format = u16::from_le_bytes([bytes[8], bytes[9]]);
    if format > FORMAT {
        return Err(BundleError::Newer { found: format });
    }
    if format == 0 {
        return Err(corrupt("format 0"));
    }
    let manifest_len = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
    if manifest_len > MAX_MANIFEST_BYTES {
        return Err(corrupt(format!("manifest of {manifest_len} bytes")));
    }
    if size < HEADER + manifest_len + CHECKSUM {
        return Err(BundleError::Truncated { size });
    }
    let (body, sum) = bytes.split_at(size - CHECKSUM);
    if Sha256::digest(body).as_slice() != sum {
        return Err(corrupt("checksum mismatch"));
    }
    let manifest: Manifest = serde_json::from_slice(&body[HEADER..HEADER + manifest_len])
        .map_err(|e| corrupt(format!("manifest: {e}")))?;
    if manifest.format != format {
        return Err(corrupt("manifest and header disagree on the format"));
    }
    if manifest.documents.len() > MAX_DOCUMENTS {
        return Err(corrupt(format!(
            "{} documents listed",
            manifest.documents.len()
        )));
    }
    let mut rest = &body[HEADER + manifest_len..];
    let mut documents = Vec::with_capacity(manifest.documents.len());
    for entry in &manifest.documents {
        let len = usize::try_from(entry.bytes).unwrap_or(usize::MAX);
        if len > rest.len() {
            return Err(corrupt(format!("document {} runs past the end", entry.id)));
        }
        let (doc_bytes, tail) = rest.split_at(len);
        rest = tail;
        if sha256_hex(doc_bytes) != entry.sha256 {
            return Err(corrupt(format!(
                "document {} does not match its hash",
                entry.id
            )));
        }
        let kind = match entry.kind.as_str() {
            "space" => DocKind::Space,
            "project" => DocKind::Project,
            other => return Err(corrupt(format!("unknown document kind '{other}'"))),
        };
        check_document(entry.id, kind, doc_bytes)?;
        if documents.iter().any(|d: &BundleDoc| d.id == entry.id) {
            return Err(corrupt(format!("document {} listed twice", entry.id)));
        }
        documents.push(BundleDoc {
            id: entry.id,
            kind,
            bytes: doc_bytes.to_vec(),
        });
    }
    if !rest.is_empty() {
        return Err(corrupt(format!(
            "{} bytes after the last document",
            rest.len()
        )));
    }
    let has = |id: DocId, kind: DocKind| documents.iter().any(|d| d.id == id && d.kind == kind);
    if !has(manifest.space, DocKind::Space) {
        return Err(corrupt("the space document is missing"));
    }
    if let Some(project) = manifest.project {
        if !has(project, DocKind::Project) {
            return Err(corrupt("the project document is missing"));
        }
    }
    Ok(Bundle {
        manifest,
        documents,
    })
}

/// A document loads as `kind` and its founding record certifies `id`.
fn check_document(id: DocId, kind: DocKind, bytes: &[u8]) -> Result<(), BundleError> {
    let doc = load_document(bytes, kind)
        .map_err(|e| corrupt(format!("document {id} does not load: {e}")))?;
    let raw =
        raw_records(&doc).map_err(|e| corrupt(format!("document {id} does not load: {e}")))?;
    let certified = raw.iter().any(|b| {
        id.is_certified_by(&crate::id::RecordId::of_bytes(b)) && SignedRecord::decode(b).is_ok()
    });
    if !certified {
        return Err(corrupt(format!(
            "document {id} lacks the founding record its id names"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{create_space, Actor};
    use crate::key::DeviceKey;
    use automerge::ActorId;

    fn space(seed: u8) -> BundleDoc {
        let key = DeviceKey::from_secret([seed; 32]);
        let actor = Actor {
            key: &key,
            now_ms: 1_000,
        };
        let (id, doc) = create_space(
            &actor,
            ActorId::from([seed; 16]),
            "Town",
            "Aiko",
            &[],
            [seed; 16],
        )
        .expect("space");
        BundleDoc {
            id,
            kind: DocKind::Space,
            bytes: doc.save(),
        }
    }

    #[test]
    fn a_file_exported_by_an_earlier_build_still_reads() {
        // A real `yoriai export` (format 1), also the fuzzer's seed.
        let file = include_bytes!("../fuzz/corpus/bundle/seed-shelter.yoriai");
        let b = read(file).expect("reads");
        assert_eq!(b.manifest.format, 1);
        assert_eq!(b.documents.len(), 2);
        assert_eq!(b.documents[0].kind, DocKind::Space);
        assert_eq!(b.documents[1].kind, DocKind::Project);
        assert_eq!(b.manifest.space.to_string(), "2ybbyz1GHFJiyh5A19fCKhx1Sdp");
    }

    #[test]
    fn round_trip() {
        let s = space(1);
        let file = write(5, s.id, None, std::slice::from_ref(&s));
        let b = read(&file).expect("reads");
        assert_eq!(b.manifest.space, s.id);
        assert_eq!(b.manifest.created_ms, 5);
        assert_eq!(b.documents.len(), 1);
        assert_eq!(b.documents[0].bytes, s.bytes);
    }

    #[test]
    fn refuses_foreign_newer_truncated_and_damaged_files() {
        let s = space(2);
        let file = write(5, s.id, None, std::slice::from_ref(&s));
        assert_eq!(
            read(b"PK\x03\x04zipfile").expect_err("refused"),
            BundleError::Foreign
        );
        assert_eq!(read(b"").expect_err("refused"), BundleError::Foreign);
        let mut newer = file.clone();
        newer[8] = 2;
        assert_eq!(
            read(&newer).expect_err("refused"),
            BundleError::Newer { found: 2 }
        );
        for cut in 1..file.len() {
            let err = read(&file[..cut]).expect_err("a prefix is refused");
            assert!(
                matches!(
                    err,
                    BundleError::Truncated { .. } | BundleError::Corrupt { .. }
                ),
                "prefix of {cut}: {err:?}"
            );
        }
        for i in (HEADER..file.len()).step_by(7) {
            let mut bad = file.clone();
            bad[i] ^= 0x10;
            assert!(
                matches!(read(&bad), Err(BundleError::Corrupt { .. })),
                "flipped byte {i} accepted"
            );
        }
    }

    #[test]
    fn refuses_a_document_under_an_id_its_records_do_not_certify() {
        let a = space(3);
        let b = space(4);
        let forged = BundleDoc {
            id: a.id,
            kind: DocKind::Space,
            bytes: b.bytes.clone(),
        };
        let file = write(5, a.id, None, &[forged]);
        let err = read(&file).expect_err("forged id");
        assert!(err.to_string().contains("founding record"), "{err}");
        // The manifest must name the kind the bytes are.
        let as_project = BundleDoc {
            kind: DocKind::Project,
            ..a.clone()
        };
        let file = write(5, a.id, None, &[as_project]);
        assert!(matches!(read(&file), Err(BundleError::Corrupt { .. })));
    }
}
