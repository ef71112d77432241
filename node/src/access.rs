//! Who may sync which document with this node: the samod share policy.
//!
//! Peers reached over iroh are authenticated: the QUIC handshake proves the
//! remote holds the secret of its endpoint id, which is the device's ed25519
//! member key, and the samod handshake is bound to it (the peer must call
//! itself `iroh:<member id>`). Such a peer may sync a document only if that
//! member belongs, now, to the document's space; or, for a space this
//! device awaits after a join, if the peer accepted our knock. Everyone else
//! gets nothing, and the refusal is logged.
//!
//! Browsers reach the node's tablets server ([`crate::web`]) and prove
//! their member key by signing a challenge; samod then holds the
//! connection to the peer id `web:<member id>`, judged the same way.
//!
//! A connection whose peer id is neither can only be one this node dialled
//! itself (a relay the user named): the node accepts nothing but iroh
//! connections and authenticated browsers, so such peers get every
//! document this node holds.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use samod::{DocumentId, PeerId, ShareConfig};
use tokio::sync::watch;
use yoriai_crdt::{DocId, MemberId};

/// The prefix of peer ids bound to an iroh endpoint id.
pub const IROH_PEER_PREFIX: &str = "iroh:";

/// The samod peer id of a member's device on iroh.
pub fn iroh_peer_id(member: &MemberId) -> PeerId {
    PeerId::from(format!("{IROH_PEER_PREFIX}{member}"))
}

/// The member behind an `iroh:` or `web:` peer id, if it is one.
pub fn member_of_peer(peer: &PeerId) -> Option<MemberId> {
    let s = peer.as_str();
    s.strip_prefix(IROH_PEER_PREFIX)
        .or_else(|| s.strip_prefix(yoriai_crdt::sync_client::WEB_PEER_PREFIX))
        .and_then(|m| m.parse().ok())
}

/// Whether a peer id claims to be bound to a member (and so must be one).
fn is_member_bound(peer: &PeerId) -> bool {
    let s = peer.as_str();
    s.starts_with(IROH_PEER_PREFIX) || s.starts_with(yoriai_crdt::sync_client::WEB_PEER_PREFIX)
}

/// What the policy knows: filled by [`crate::Node::refresh_access`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AccessTable {
    /// Each known document's space (spaces map to themselves).
    pub doc_space: HashMap<DocumentId, DocId>,
    /// Each held space's current members.
    pub members: HashMap<DocId, HashSet<MemberId>>,
    /// Awaited spaces and the peers that accepted our knock for them.
    pub awaited: HashMap<DocumentId, HashSet<MemberId>>,
}

impl AccessTable {
    /// Whether `member` may sync `doc`.
    pub fn admits(&self, doc: &DocumentId, member: &MemberId) -> bool {
        if let Some(space) = self.doc_space.get(doc) {
            if self.members.get(space).is_some_and(|m| m.contains(member)) {
                return true;
            }
        }
        self.awaited
            .get(doc)
            .is_some_and(|peers| peers.contains(member))
    }

    /// The spaces `member` belongs to.
    pub fn spaces_of(&self, member: &MemberId) -> Vec<DocId> {
        let mut out: Vec<DocId> = self
            .members
            .iter()
            .filter(|(_, m)| m.contains(member))
            .map(|(s, _)| *s)
            .collect();
        out.sort();
        out
    }
}

/// One refused request, for `yoriai peers` and the log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    /// Who asked (a peer id).
    pub peer: String,
    /// For which document.
    pub document: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// The share policy given to samod.
#[derive(Debug, Clone)]
pub struct MemberPolicy {
    table: watch::Receiver<Arc<AccessTable>>,
    refusals: Arc<Mutex<Vec<Refusal>>>,
}

/// Keep at most this many refusals in memory.
const MAX_REFUSALS: usize = 256;

impl MemberPolicy {
    /// A policy and the sender that updates what it knows.
    pub fn new() -> (Self, watch::Sender<Arc<AccessTable>>) {
        let (tx, rx) = watch::channel(Arc::new(AccessTable::default()));
        (
            MemberPolicy {
                table: rx,
                refusals: Arc::new(Mutex::new(Vec::new())),
            },
            tx,
        )
    }

    /// Requests refused so far (the latest [`MAX_REFUSALS`]).
    pub fn refusals(&self) -> Vec<Refusal> {
        self.refusals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn decide(table: &AccessTable, doc: &DocumentId, peer: &PeerId) -> ShareConfig {
        match member_of_peer(peer) {
            Some(member) if table.admits(doc, &member) => ShareConfig::read_write(),
            Some(_) => ShareConfig::none(),
            None if is_member_bound(peer) => ShareConfig::none(),
            None => ShareConfig::read_write(),
        }
    }
}

impl samod::SharePolicy for MemberPolicy {
    fn share(
        &self,
        doc_id: DocumentId,
        peer_id: PeerId,
    ) -> impl futures::Stream<Item = ShareConfig> + Send + 'static {
        let refusals = self.refusals.clone();
        let rx = self.table.clone();
        futures::stream::unfold((rx, None::<ShareConfig>), move |(mut rx, last)| {
            let doc_id = doc_id.clone();
            let peer_id = peer_id.clone();
            let refusals = refusals.clone();
            async move {
                if last.is_some() && rx.changed().await.is_err() {
                    return None;
                }
                let (decision, stranger) = {
                    let table = rx.borrow_and_update();
                    let stranger =
                        member_of_peer(&peer_id).is_none_or(|m| table.spaces_of(&m).is_empty());
                    (Self::decide(&table, &doc_id, &peer_id), stranger)
                };
                let denied = decision.access == samod::ShareAccess::None;
                // A browser that opened the tablets page but has not joined
                // yet: samod asks about every document for any connected
                // peer, so this is no request of its own to report.
                let joining_browser = stranger
                    && peer_id
                        .as_str()
                        .starts_with(yoriai_crdt::sync_client::WEB_PEER_PREFIX);
                if denied && !stranger {
                    // A member offering a document this device does not
                    // know yet (a project just listed): allowed as soon as
                    // the table catches up.
                    tracing::debug!(peer = %peer_id, document = %doc_id, "not yet known here");
                } else if denied && joining_browser {
                    tracing::debug!(peer = %peer_id, document = %doc_id,
                        "not shared with a browser that has not joined");
                } else if denied && last != Some(decision) {
                    tracing::warn!(peer = %peer_id, document = %doc_id,
                            "refused: the peer is not a member of this document's space");
                    let mut log = refusals.lock().unwrap_or_else(|p| p.into_inner());
                    if log.len() >= MAX_REFUSALS {
                        log.remove(0);
                    }
                    log.push(Refusal {
                        peer: peer_id.to_string(),
                        document: doc_id.to_string(),
                        at_ms: crate::now_ms(),
                    });
                }
                Some((decision, (rx, Some(decision))))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(n: u8) -> MemberId {
        yoriai_crdt::DeviceKey::from_secret([n; 32]).member()
    }

    fn doc(n: u8) -> DocumentId {
        DocumentId::try_from(vec![n; 16]).expect("16 bytes")
    }

    #[test]
    fn members_only_and_knocked_peers_for_awaited_spaces() {
        let space = DocId([1; 16]);
        let mut t = AccessTable::default();
        t.doc_space.insert(doc(1), space);
        t.doc_space.insert(doc(2), space);
        t.members.insert(space, [member(1)].into());
        t.awaited.insert(doc(9), [member(3)].into());
        let p = |m: u8| iroh_peer_id(&member(m));
        let d = MemberPolicy::decide;
        assert_eq!(d(&t, &doc(2), &p(1)), ShareConfig::read_write());
        assert_eq!(d(&t, &doc(2), &p(2)), ShareConfig::none());
        assert_eq!(d(&t, &doc(9), &p(3)), ShareConfig::read_write());
        assert_eq!(d(&t, &doc(9), &p(1)), ShareConfig::none());
        // Unknown documents are refused to every iroh peer.
        assert_eq!(d(&t, &doc(7), &p(1)), ShareConfig::none());
        // A malformed iroh id is refused, never read as a relay.
        assert_eq!(
            d(&t, &doc(1), &PeerId::from("iroh:not-a-key")),
            ShareConfig::none()
        );
        // A relay this node dialled.
        assert_eq!(
            d(&t, &doc(1), &PeerId::from("relay-abc")),
            ShareConfig::read_write()
        );
        assert_eq!(t.spaces_of(&member(1)), vec![space]);
        assert!(t.spaces_of(&member(2)).is_empty());
    }

    #[test]
    fn a_stranger_on_the_lan_is_logged_a_browser_not_joined_yet_is_not() {
        use futures::StreamExt;
        use samod::SharePolicy;
        let space = DocId([1; 16]);
        let mut t = AccessTable::default();
        t.doc_space.insert(doc(1), space);
        t.members.insert(space, [member(1)].into());
        let (policy, tx) = MemberPolicy::new();
        tx.send(Arc::new(t)).expect("the policy listens");
        let first = |peer: PeerId| {
            futures::executor::block_on(Box::pin(policy.share(doc(1), peer)).next())
                .expect("a decision")
        };
        let browser = PeerId::from(yoriai_crdt::sync_client::web_peer_id(&member(2)).as_str());
        assert_eq!(first(browser), ShareConfig::none());
        assert!(policy.refusals().is_empty(), "{:?}", policy.refusals());
        assert_eq!(first(iroh_peer_id(&member(3))), ShareConfig::none());
        let refused = policy.refusals();
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(refused[0].peer.starts_with("iroh:"), "{refused:?}");
        // A member's browser is shared with, and nothing is logged.
        let member_browser =
            PeerId::from(yoriai_crdt::sync_client::web_peer_id(&member(1)).as_str());
        assert_eq!(first(member_browser), ShareConfig::read_write());
        assert_eq!(policy.refusals().len(), 1);
    }
}
