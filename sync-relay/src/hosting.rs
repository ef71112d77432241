//! Which documents the relay hosts.
//!
//! `--open` hosts any document. `--host-space ID` (repeatable) hosts those
//! spaces and the projects they list (a `ListProject` record that holds:
//! signed by staff of that space), and refuses everything else: a client
//! offering another document gets no sync for it, and the refusal is
//! logged and counted. The relay learns a space's projects by watching the
//! space document once it has arrived.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use samod::{DocumentId, PeerId, Repo, ShareConfig, SharePolicy};
use tokio::sync::watch;
use yoriai_crdt::{DocId, SpaceState};
use yoriai_node::store::Store;

use crate::guard::Metrics;

pub(crate) fn document_id(id: DocId) -> DocumentId {
    DocumentId::try_from(id.0.to_vec()).unwrap_or_else(|_| unreachable!("16-byte ids are valid"))
}

/// The share policy of a relay.
#[derive(Clone, Debug)]
pub enum Hosting {
    /// Any document.
    Open,
    /// The listed spaces and their projects.
    Spaces {
        /// Documents allowed now.
        allowed: watch::Receiver<Arc<HashSet<DocumentId>>>,
        /// For counting refusals.
        metrics: Arc<Metrics>,
    },
}

impl SharePolicy for Hosting {
    fn share(
        &self,
        doc: DocumentId,
        peer: PeerId,
    ) -> impl futures::Stream<Item = ShareConfig> + Send + 'static {
        let state = match self {
            Hosting::Open => None,
            Hosting::Spaces { allowed, metrics } => Some((allowed.clone(), metrics.clone())),
        };
        futures::stream::unfold((state, true, None::<bool>), move |(state, first, last)| {
            let doc = doc.clone();
            let peer = peer.clone();
            async move {
                let Some((mut rx, metrics)) = state else {
                    // Open: one decision, forever.
                    return first.then(|| (ShareConfig::read_write(), (None, false, Some(true))));
                };
                if !first && rx.changed().await.is_err() {
                    return None;
                }
                let ok = rx.borrow().contains(&doc);
                if !ok && last != Some(false) {
                    metrics
                        .refusals
                        .get_or_create(&crate::guard::Reason {
                            reason: "not-hosted".into(),
                        })
                        .inc();
                    tracing::warn!(document = %doc, peer = %peer, "document refused: not in a hosted space");
                }
                let decision = if ok {
                    ShareConfig::read_write()
                } else {
                    ShareConfig::none()
                };
                Some((decision, (Some((rx, metrics)), false, Some(ok))))
            }
        })
    }
}

/// Keep `tx` up to date with the hosted spaces and the projects they list.
pub(crate) fn watch_spaces(
    repo: Repo,
    store: Store,
    spaces: Vec<DocId>,
    tx: watch::Sender<Arc<HashSet<DocumentId>>>,
) {
    let tx = Arc::new(tx);
    for space in spaces {
        let repo = repo.clone();
        let store = store.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let did = document_id(space);
            // Wait until a client has brought the space: searching samod
            // for a document it lacks would be remembered as unavailable.
            let prefix = samod::storage::StorageKey::from_parts([did.to_string()]);
            loop {
                let here = prefix
                    .as_ref()
                    .ok()
                    .and_then(|p| store.range(p).ok())
                    .is_some_and(|m| !m.is_empty());
                if here {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let Ok(Some(handle)) = repo.find(did.clone()).await else {
                tracing::error!(space = %space, "a hosted space could not be opened");
                return;
            };
            let mut changes = handle.changes();
            loop {
                let listed: Vec<DocumentId> = handle
                    .with_document(|d| SpaceState::from_doc(d, space))
                    .map(|s| {
                        s.read_model()
                            .projects
                            .into_iter()
                            .map(|p| document_id(p.project))
                            .collect()
                    })
                    .unwrap_or_default();
                tx.send_if_modified(|allowed| {
                    let missing: Vec<&DocumentId> =
                        listed.iter().filter(|p| !allowed.contains(*p)).collect();
                    if missing.is_empty() {
                        return false;
                    }
                    let mut next = (**allowed).clone();
                    next.extend(missing.into_iter().cloned());
                    *allowed = Arc::new(next);
                    true
                });
                if changes.next().await.is_none() {
                    return;
                }
            }
        });
    }
}
