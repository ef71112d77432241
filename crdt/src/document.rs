//! The Automerge container of a Yoriai document.
//!
//! A document is `{ yoriai: { kind, schema }, records: [bytes, ...] }`: a
//! header and an append-only list of signed records. Automerge merges the
//! list; the records carry all meaning and all trust. Every replica starts
//! from the *same* first change (fixed actor, fixed time), so two devices
//! that create the skeleton of one document independently still merge into
//! one `records` list instead of two conflicting ones.
//!
//! The functions take `&Automerge`/`&mut Automerge` so that the node can
//! call them inside samod's `with_document`.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, Automerge, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT,
};
use autosurgeon::{hydrate_prop, reconcile_prop, Hydrate, Reconcile};

use crate::error::DocumentError;
use crate::record::{Head, SignedRecord};

/// The schema version this build writes and the newest it reads.
pub const SCHEMA_VERSION: u64 = 1;

/// What a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// A space: members, roles, invitations, the list of projects.
    Space,
    /// A project: phases and everything residents write in it.
    Project,
}

impl DocKind {
    /// Its name in the header.
    pub fn name(self) -> &'static str {
        match self {
            DocKind::Space => "space",
            DocKind::Project => "project",
        }
    }
}

/// The document header, kept with autosurgeon.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
struct Header {
    kind: String,
    schema: u64,
}

/// A new document of `kind`: the shared skeleton, then `actor` for what
/// this device writes next.
pub fn new_document(kind: DocKind, actor: ActorId) -> Automerge {
    let mut doc = Automerge::new();
    doc.set_actor(ActorId::from([0u8; 16]));
    let mut tx = doc.transaction();
    let header = Header {
        kind: kind.name().to_string(),
        schema: SCHEMA_VERSION,
    };
    // Reconciling a fresh struct into an empty document cannot fail.
    if reconcile_prop(&mut tx, ROOT, "yoriai", &header).is_ok() {
        let _ = tx.put_object(ROOT, "records", ObjType::List);
    }
    tx.commit_with(CommitOptions::default().with_time(0));
    doc.set_actor(actor);
    doc
}

/// Check that `doc` is a Yoriai document of `kind` this build can read.
pub fn check_header(doc: &Automerge, kind: DocKind) -> Result<(), DocumentError> {
    let header: Option<Header> =
        hydrate_prop(doc, ROOT, "yoriai").map_err(|_| DocumentError::NotYoriai)?;
    let header = header.ok_or(DocumentError::NotYoriai)?;
    if header.kind != kind.name() {
        return Err(DocumentError::WrongKind {
            expected: kind.name(),
            found: header.kind,
        });
    }
    if header.schema > SCHEMA_VERSION {
        return Err(DocumentError::NewerSchema {
            found: header.schema,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Load saved bytes as a document of `kind`.
pub fn load_document(bytes: &[u8], kind: DocKind) -> Result<Automerge, DocumentError> {
    let doc = Automerge::load(bytes).map_err(|e| DocumentError::NotAutomerge {
        reason: e.to_string(),
    })?;
    check_header(&doc, kind)?;
    Ok(doc)
}

fn records_list(doc: &Automerge) -> Result<ObjId, DocumentError> {
    match doc.get(ROOT, "records") {
        Ok(Some((Value::Object(ObjType::List), id))) => Ok(id),
        _ => Err(DocumentError::NotYoriai),
    }
}

/// The raw bytes of every record in the document, in list order
/// (duplicates included: a peer may have inserted the same record twice).
pub fn raw_records(doc: &Automerge) -> Result<Vec<Vec<u8>>, DocumentError> {
    let list = records_list(doc)?;
    Ok(collect_bytes(
        doc.list_range(&list, ..).map(|item| item.value),
    ))
}

/// The raw records as they were at `heads` (for a closing record's pin).
/// `None` when some of `heads` have not arrived yet.
pub fn raw_records_at(
    doc: &Automerge,
    heads: &[Head],
) -> Result<Option<Vec<Vec<u8>>>, DocumentError> {
    let heads: Vec<ChangeHash> = heads.iter().map(|h| ChangeHash(*h)).collect();
    if heads.iter().any(|h| doc.get_change_by_hash(h).is_none()) {
        return Ok(None);
    }
    let list = records_list(doc)?;
    Ok(Some(collect_bytes(
        doc.list_range_at(&list, .., &heads).map(|item| item.value),
    )))
}

fn collect_bytes<'a>(values: impl Iterator<Item = automerge::ValueRef<'a>>) -> Vec<Vec<u8>> {
    values
        .filter_map(|v| match v {
            automerge::ValueRef::Scalar(automerge::ScalarValueRef::Bytes(b)) => Some(b.to_vec()),
            // Anything else in the list is junk a peer wrote; it is ignored
            // here and cannot be a record.
            _ => None,
        })
        .collect()
}

/// Append records in one change (one storage write, one sync round).
pub fn append_records(
    doc: &mut Automerge,
    records: &[SignedRecord],
    time_ms: i64,
) -> Result<(), DocumentError> {
    let raw: Vec<&[u8]> = records.iter().map(|r| r.bytes.as_slice()).collect();
    append_raw(doc, &raw, time_ms)
}

/// Append record bytes as they are, unchecked, in one change: for records
/// that arrive from elsewhere (an invitation link, a bundle). Readers judge
/// them like everything else.
pub fn append_raw(
    doc: &mut Automerge,
    records: &[&[u8]],
    time_ms: i64,
) -> Result<(), DocumentError> {
    if records.is_empty() {
        return Ok(());
    }
    let list = records_list(doc)?;
    let mut tx = doc.transaction();
    let start = tx.length(&list);
    for (at, record) in (start..).zip(records) {
        tx.insert(&list, at, ScalarValue::Bytes(record.to_vec()))
            .map_err(|e| DocumentError::Change {
                reason: e.to_string(),
            })?;
    }
    tx.commit_with(CommitOptions::default().with_time(time_ms / 1000));
    Ok(())
}

/// The document's current heads, as pinned by closing records.
pub fn heads(doc: &Automerge) -> Vec<Head> {
    doc.get_heads().into_iter().map(|h| h.0).collect()
}
