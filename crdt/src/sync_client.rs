//! A small client of the automerge-repo sync protocol, without IO.
//!
//! samod (the Rust automerge-repo the node and relay run) cannot run in a
//! browser, so the browser client speaks the protocol itself: a `join` /
//! `peer` handshake, then `request`, `sync` and `doc-unavailable` messages,
//! each a CBOR map, each carrying one Automerge sync message for one
//! document. This module encodes and decodes those messages and keeps one
//! [`automerge::sync::State`] per document for one connection; the caller
//! carries the bytes (a WebSocket in the browser, tokio-tungstenite in the
//! tests) and owns the documents.
//!
//! A new connection starts with [`SyncClient::reset`]: sync states are per
//! connection (the other side forgets ours when the socket closes).

use std::collections::{HashMap, HashSet};

use automerge::sync::{self, SyncDoc};
use automerge::Automerge;

use crate::id::DocId;

/// The protocol version this client speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// Messages larger than this are refused before decoding (a whole project
/// of 10,000 comments is a few MB; this is far beyond it).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// One protocol message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireMessage {
    /// The dialling side introduces itself.
    Join {
        /// Its peer id.
        sender: String,
        /// Protocol versions it speaks.
        versions: Vec<String>,
    },
    /// The answering side accepts.
    Peer {
        /// Its peer id.
        sender: String,
        /// The dialling side.
        target: String,
        /// The version chosen.
        version: String,
    },
    /// Sync for a document the sender does not have yet.
    Request {
        /// The document.
        doc: DocId,
        /// Sender.
        sender: String,
        /// Receiver.
        target: String,
        /// An encoded Automerge sync message.
        data: Vec<u8>,
    },
    /// Sync for a document.
    Sync {
        /// The document.
        doc: DocId,
        /// Sender.
        sender: String,
        /// Receiver.
        target: String,
        /// An encoded Automerge sync message.
        data: Vec<u8>,
    },
    /// The sender does not have the document (or will not share it).
    DocUnavailable {
        /// The document.
        doc: DocId,
        /// Sender.
        sender: String,
        /// Receiver.
        target: String,
    },
    /// The sender is closing.
    Leave {
        /// Sender.
        sender: String,
    },
    /// The other side reports a protocol error.
    Error {
        /// Its words.
        message: String,
    },
    /// A message this client does not act on (ephemeral messages, remote
    /// heads): named by its type.
    Other {
        /// The `type` field.
        kind: String,
    },
}

/// Why a message could not be read or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Not a CBOR map of the protocol.
    #[error("malformed sync message: {0}")]
    Malformed(String),
    /// Too large to read.
    #[error("sync message of {0} bytes is larger than the limit of {MAX_MESSAGE_BYTES}")]
    TooLarge(usize),
    /// A document id that is not one of ours (16 bytes, base58check).
    #[error("'{0}' is not a document id")]
    BadDocId(String),
    /// The Automerge sync message inside could not be applied.
    #[error("document {doc}: {reason}")]
    Document {
        /// Which.
        doc: DocId,
        /// Automerge's words.
        reason: String,
    },
    /// The other side speaks no version this client knows.
    #[error("the server chose protocol version '{0}'; this client speaks {PROTOCOL_VERSION}")]
    Version(String),
    /// A document message before the handshake finished.
    #[error("the server sent '{0}' before accepting the connection")]
    BeforeHandshake(&'static str),
}

fn malformed(e: impl std::fmt::Display) -> WireError {
    WireError::Malformed(e.to_string())
}

/// A value of one field, as far as this protocol needs.
enum Field {
    Str(String),
    Bytes(Vec<u8>),
    Strs(Vec<String>),
}

fn decode_doc_id(s: &str) -> Result<DocId, WireError> {
    s.parse().map_err(|_| WireError::BadDocId(s.to_string()))
}

impl WireMessage {
    /// Encode as the CBOR map the protocol sends.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = minicbor::Encoder::new(Vec::<u8>::new());
        // Writing to a Vec cannot fail.
        let _ = self.encode_into(&mut e);
        e.into_writer()
    }

    fn encode_into(
        &self,
        e: &mut minicbor::Encoder<Vec<u8>>,
    ) -> Result<(), minicbor::encode::Error<core::convert::Infallible>> {
        match self {
            WireMessage::Join { sender, versions } => {
                e.map(4)?;
                e.str("type")?.str("join")?;
                e.str("senderId")?.str(sender)?;
                e.str("supportedProtocolVersions")?
                    .array(versions.len() as u64)?;
                for v in versions {
                    e.str(v)?;
                }
                // A browser's storage is not announced to peers.
                e.str("peerMetadata")?.map(1)?;
                e.str("isEphemeral")?.bool(false)?;
            }
            WireMessage::Peer {
                sender,
                target,
                version,
            } => {
                e.map(4)?;
                e.str("type")?.str("peer")?;
                e.str("senderId")?.str(sender)?;
                e.str("selectedProtocolVersion")?.str(version)?;
                e.str("targetId")?.str(target)?;
            }
            WireMessage::Request {
                doc,
                sender,
                target,
                data,
            }
            | WireMessage::Sync {
                doc,
                sender,
                target,
                data,
            } => {
                let kind = if matches!(self, WireMessage::Request { .. }) {
                    "request"
                } else {
                    "sync"
                };
                e.map(5)?;
                e.str("type")?.str(kind)?;
                e.str("documentId")?.str(&doc.to_string())?;
                e.str("senderId")?.str(sender)?;
                e.str("targetId")?.str(target)?;
                e.str("data")?.bytes(data)?;
            }
            WireMessage::DocUnavailable {
                doc,
                sender,
                target,
            } => {
                e.map(4)?;
                e.str("type")?.str("doc-unavailable")?;
                e.str("senderId")?.str(sender)?;
                e.str("targetId")?.str(target)?;
                e.str("documentId")?.str(&doc.to_string())?;
            }
            WireMessage::Leave { sender } => {
                e.map(2)?;
                e.str("type")?.str("leave")?;
                e.str("senderId")?.str(sender)?;
            }
            WireMessage::Error { message } => {
                e.map(2)?;
                e.str("type")?.str("error")?;
                e.str("message")?.str(message)?;
            }
            WireMessage::Other { kind } => {
                e.map(1)?;
                e.str("type")?.str(kind)?;
            }
        }
        Ok(())
    }

    /// Decode one message (unknown fields are skipped, as the protocol
    /// allows; JavaScript peers may write indefinite-length maps).
    pub fn decode(bytes: &[u8]) -> Result<WireMessage, WireError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(WireError::TooLarge(bytes.len()));
        }
        let mut d = minicbor::Decoder::new(bytes);
        let len = d.map().map_err(malformed)?;
        let mut fields: HashMap<String, Field> = HashMap::new();
        let mut read = 0u64;
        loop {
            match len {
                Some(n) if read >= n => break,
                None if d.datatype().map_err(malformed)? == minicbor::data::Type::Break => {
                    break;
                }
                _ => {}
            }
            read += 1;
            let key = d.str().map_err(malformed)?.to_string();
            use minicbor::data::Type;
            let value = match (key.as_str(), d.datatype().map_err(malformed)?) {
                (_, Type::String) => Some(Field::Str(d.str().map_err(malformed)?.to_string())),
                ("data" | "documentId", Type::Bytes) => {
                    Some(Field::Bytes(d.bytes().map_err(malformed)?.to_vec()))
                }
                ("supportedProtocolVersions", Type::Array | Type::ArrayIndef) => {
                    let mut out = Vec::new();
                    for s in d.array_iter::<&str>().map_err(malformed)? {
                        out.push(s.map_err(malformed)?.to_string());
                    }
                    Some(Field::Strs(out))
                }
                _ => {
                    d.skip().map_err(malformed)?;
                    None
                }
            };
            if let Some(v) = value {
                fields.insert(key, v);
            }
        }
        let str_of = |k: &str| -> Result<String, WireError> {
            match fields.get(k) {
                Some(Field::Str(s)) => Ok(s.clone()),
                _ => Err(WireError::Malformed(format!("no '{k}'"))),
            }
        };
        let doc_of = || -> Result<DocId, WireError> {
            match fields.get("documentId") {
                Some(Field::Str(s)) => decode_doc_id(s),
                Some(Field::Bytes(b)) => b
                    .as_slice()
                    .try_into()
                    .map(DocId)
                    .map_err(|_| WireError::BadDocId(format!("{} bytes", b.len()))),
                _ => Err(WireError::Malformed("no 'documentId'".into())),
            }
        };
        let data_of = || -> Result<Vec<u8>, WireError> {
            match fields.get("data") {
                Some(Field::Bytes(b)) => Ok(b.clone()),
                _ => Err(WireError::Malformed("no 'data'".into())),
            }
        };
        let kind = str_of("type")?;
        Ok(match kind.as_str() {
            "join" => WireMessage::Join {
                sender: str_of("senderId")?,
                versions: match fields.get("supportedProtocolVersions") {
                    Some(Field::Strs(v)) => v.clone(),
                    _ => return Err(malformed("no 'supportedProtocolVersions'")),
                },
            },
            "peer" => WireMessage::Peer {
                sender: str_of("senderId")?,
                target: str_of("targetId")?,
                version: str_of("selectedProtocolVersion")?,
            },
            "request" | "sync" => {
                let (doc, sender, target, data) = (
                    doc_of()?,
                    str_of("senderId")?,
                    str_of("targetId")?,
                    data_of()?,
                );
                if kind == "request" {
                    WireMessage::Request {
                        doc,
                        sender,
                        target,
                        data,
                    }
                } else {
                    WireMessage::Sync {
                        doc,
                        sender,
                        target,
                        data,
                    }
                }
            }
            "doc-unavailable" => WireMessage::DocUnavailable {
                doc: doc_of()?,
                sender: str_of("senderId")?,
                target: str_of("targetId")?,
            },
            "leave" => WireMessage::Leave {
                sender: str_of("senderId")?,
            },
            "error" => WireMessage::Error {
                message: str_of("message").unwrap_or_default(),
            },
            _ => WireMessage::Other { kind },
        })
    }
}

/// The documents the caller holds, as the client needs them.
pub trait HeldDocs {
    /// A held document, to apply sync to.
    fn doc_mut(&mut self, id: &DocId) -> Option<&mut Automerge>;
}

impl HeldDocs for HashMap<DocId, Automerge> {
    fn doc_mut(&mut self, id: &DocId) -> Option<&mut Automerge> {
        self.get_mut(id)
    }
}

/// What one received message meant.
#[derive(Debug)]
pub enum Received {
    /// The server accepted the connection: documents may sync now.
    Connected {
        /// Its peer id.
        peer: String,
    },
    /// A held document took in changes.
    Changed(DocId),
    /// A document asked for arrived, with its first changes. The caller
    /// checks it (its kind, its founding record) and holds it from now on,
    /// or drops it.
    Arrived(DocId, Box<Automerge>),
    /// The server does not have (or will not share) a document asked for.
    Unavailable(DocId),
    /// Nothing new (an acknowledgement, a message this client ignores).
    Nothing,
    /// The server reported an error or is leaving.
    Closed(String),
}

/// One connection's protocol state.
#[derive(Debug)]
pub struct SyncClient {
    me: String,
    peer: Option<String>,
    states: HashMap<DocId, sync::State>,
    /// Documents asked for and not held: their copy so far.
    asked: HashMap<DocId, Automerge>,
    unavailable: HashSet<DocId>,
}

impl SyncClient {
    /// A client calling itself `peer_id`.
    pub fn new(peer_id: impl Into<String>) -> Self {
        SyncClient {
            me: peer_id.into(),
            peer: None,
            states: HashMap::new(),
            asked: HashMap::new(),
            unavailable: HashSet::new(),
        }
    }

    /// This client's peer id.
    pub fn peer_id(&self) -> &str {
        &self.me
    }

    /// Forget the last connection (call on every new one).
    pub fn reset(&mut self) {
        self.peer = None;
        self.states.clear();
        self.asked.clear();
        self.unavailable.clear();
    }

    /// The first message of a connection.
    pub fn join(&self) -> Vec<u8> {
        WireMessage::Join {
            sender: self.me.clone(),
            versions: vec![PROTOCOL_VERSION.to_string()],
        }
        .encode()
    }

    /// The server's peer id, once it accepted.
    pub fn connected_to(&self) -> Option<&str> {
        self.peer.as_deref()
    }

    /// What to send for a held document now (`None`: nothing new for the
    /// other side, or not connected yet).
    pub fn offer(&mut self, id: DocId, doc: &mut Automerge) -> Option<Vec<u8>> {
        let target = self.peer.clone()?;
        let state = self.states.entry(id).or_default();
        let msg = doc.generate_sync_message(state)?;
        Some(
            WireMessage::Sync {
                doc: id,
                sender: self.me.clone(),
                target,
                data: msg.encode(),
            }
            .encode(),
        )
    }

    /// Ask for a document not held (once per connection; `None` if asked
    /// already, found unavailable, or not connected yet).
    pub fn request(&mut self, id: DocId) -> Option<Vec<u8>> {
        let target = self.peer.clone()?;
        if self.asked.contains_key(&id) || self.unavailable.contains(&id) {
            return None;
        }
        let doc = Automerge::new();
        let state = self.states.entry(id).or_default();
        let msg = doc.generate_sync_message(state)?;
        self.asked.insert(id, doc);
        Some(
            WireMessage::Request {
                doc: id,
                sender: self.me.clone(),
                target,
                data: msg.encode(),
            }
            .encode(),
        )
    }

    /// Whether the other side has told us it holds exactly what we hold of
    /// `doc` (and we have nothing left to send).
    pub fn in_sync(&self, id: &DocId, doc: &Automerge) -> bool {
        let Some(state) = self.states.get(id) else {
            return false;
        };
        let mut ours = doc.get_heads();
        ours.sort();
        match &state.their_heads {
            Some(theirs) => {
                let mut theirs = theirs.clone();
                theirs.sort();
                theirs == ours
            }
            None => false,
        }
    }

    /// Whether `doc` was reported unavailable on this connection.
    pub fn is_unavailable(&self, id: &DocId) -> bool {
        self.unavailable.contains(id)
    }

    /// Take in one message: what it meant, and the replies to send.
    pub fn receive(
        &mut self,
        bytes: &[u8],
        held: &mut impl HeldDocs,
    ) -> Result<(Received, Vec<Vec<u8>>), WireError> {
        let msg = WireMessage::decode(bytes)?;
        match msg {
            WireMessage::Peer {
                sender, version, ..
            } => {
                if version != PROTOCOL_VERSION {
                    return Err(WireError::Version(version));
                }
                self.peer = Some(sender.clone());
                Ok((Received::Connected { peer: sender }, Vec::new()))
            }
            WireMessage::Sync { doc, data, .. } | WireMessage::Request { doc, data, .. } => {
                let Some(target) = self.peer.clone() else {
                    return Err(WireError::BeforeHandshake("sync"));
                };
                let message = sync::Message::decode(&data).map_err(|e| WireError::Document {
                    doc,
                    reason: e.to_string(),
                })?;
                let state = self.states.entry(doc).or_default();
                let (received, reply) = if let Some(d) = held.doc_mut(&doc) {
                    let before = d.get_heads();
                    d.receive_sync_message(state, message)
                        .map_err(|e| WireError::Document {
                            doc,
                            reason: e.to_string(),
                        })?;
                    let changed = d.get_heads() != before;
                    let reply = d.generate_sync_message(state);
                    (
                        if changed {
                            Received::Changed(doc)
                        } else {
                            Received::Nothing
                        },
                        reply,
                    )
                } else if let Some(mut d) = self.asked.remove(&doc) {
                    d.receive_sync_message(state, message)
                        .map_err(|e| WireError::Document {
                            doc,
                            reason: e.to_string(),
                        })?;
                    let reply = d.generate_sync_message(state);
                    if d.get_heads().is_empty() {
                        self.asked.insert(doc, d);
                        (Received::Nothing, reply)
                    } else {
                        (Received::Arrived(doc, Box::new(d)), reply)
                    }
                } else {
                    // Neither held nor asked for: not ours to take.
                    self.states.remove(&doc);
                    return Ok((Received::Nothing, Vec::new()));
                };
                let out = reply
                    .map(|m| {
                        WireMessage::Sync {
                            doc,
                            sender: self.me.clone(),
                            target,
                            data: m.encode(),
                        }
                        .encode()
                    })
                    .into_iter()
                    .collect();
                Ok((received, out))
            }
            WireMessage::DocUnavailable { doc, .. } => {
                if self.asked.remove(&doc).is_some() {
                    self.states.remove(&doc);
                    self.unavailable.insert(doc);
                    Ok((Received::Unavailable(doc), Vec::new()))
                } else {
                    Ok((Received::Nothing, Vec::new()))
                }
            }
            WireMessage::Error { message } => Ok((Received::Closed(message), Vec::new())),
            WireMessage::Leave { .. } => {
                Ok((Received::Closed("the server is leaving".into()), Vec::new()))
            }
            WireMessage::Join { .. } => Err(malformed("a server does not send join")),
            WireMessage::Other { .. } => Ok((Received::Nothing, Vec::new())),
        }
    }
}

/// What a browser signs to prove, to a laptop's sync endpoint, that it is
/// the device it names: the endpoint's one-time challenge, under a domain
/// separator so the signature means nothing anywhere else.
fn challenge_message(challenge: &str) -> Vec<u8> {
    let mut m = b"yoriai/web-sync/1\0".to_vec();
    m.extend_from_slice(challenge.as_bytes());
    m
}

/// Sign a sync endpoint's challenge (hex of the signature).
pub fn sign_challenge(key: &crate::DeviceKey, challenge: &str) -> String {
    hex::encode(key.sign(&challenge_message(challenge)))
}

/// Whether `signature` (hex) is `member`'s signature of `challenge`.
pub fn verify_challenge(member: &crate::MemberId, challenge: &str, signature: &str) -> bool {
    let Ok(bytes) = hex::decode(signature.trim()) else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    crate::key::verify(&member.0, &challenge_message(challenge), &sig)
}

/// The peer id a browser device uses: bound to its member key, so an
/// endpoint that checked the challenge can hold it to that name.
pub fn web_peer_id(member: &crate::MemberId) -> String {
    format!("{WEB_PEER_PREFIX}{member}")
}

/// The prefix of browser devices' peer ids.
pub const WEB_PEER_PREFIX: &str = "web:";
