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

/// What the relay allows now.
#[derive(Debug, Clone, Default)]
pub struct Allowed {
    /// Hosted documents; `None`: any (`--open`).
    pub hosted: Option<HashSet<DocumentId>>,
    /// Documents over the size limit (read-only).
    pub over_quota: HashSet<DocumentId>,
}

/// The share policy of a relay.
#[derive(Clone, Debug)]
pub struct Hosting {
    /// What is allowed now.
    pub allowed: watch::Receiver<Arc<Allowed>>,
    /// For counting refusals.
    pub metrics: Arc<Metrics>,
}

impl SharePolicy for Hosting {
    fn share(
        &self,
        doc: DocumentId,
        peer: PeerId,
    ) -> impl futures::Stream<Item = ShareConfig> + Send + 'static {
        let rx = self.allowed.clone();
        let metrics = self.metrics.clone();
        futures::stream::unfold((rx, true), move |(mut rx, first)| {
            let doc = doc.clone();
            let peer = peer.clone();
            let metrics = metrics.clone();
            async move {
                if !first && rx.changed().await.is_err() {
                    return None;
                }
                let allowed = rx.borrow().clone();
                let hosted = allowed.hosted.as_ref().is_none_or(|h| h.contains(&doc));
                let decision = if !hosted {
                    metrics.count_refusal("not-hosted");
                    tracing::warn!(document = %doc, peer = %peer, "document refused: not in a hosted space");
                    ShareConfig::none()
                } else if allowed.over_quota.contains(&doc) {
                    ShareConfig::read_only()
                } else {
                    ShareConfig::read_write()
                };
                Some((decision, (rx, false)))
            }
        })
    }
}

/// Mark documents over `max_bytes` as read-only, checking every `every`.
pub(crate) fn watch_sizes(
    store: Store,
    max_bytes: u64,
    every: Duration,
    tx: Arc<watch::Sender<Arc<Allowed>>>,
    metrics: Arc<Metrics>,
) {
    tokio::spawn(async move {
        loop {
            if let Ok(sizes) = store.sizes() {
                let over: HashSet<DocumentId> = sizes
                    .into_iter()
                    .filter(|(_, bytes)| *bytes > max_bytes)
                    .filter_map(|(id, bytes)| {
                        let doc = id.parse::<DocumentId>().ok()?;
                        Some((doc, bytes))
                    })
                    .map(|(doc, bytes)| {
                        if !tx.borrow().over_quota.contains(&doc) {
                            metrics.count_refusal("document-too-large");
                            tracing::warn!(document = %doc, bytes, limit = max_bytes, "document over the size limit: read-only from now on");
                        }
                        doc
                    })
                    .collect();
                tx.send_if_modified(|allowed| {
                    if allowed.over_quota == over {
                        return false;
                    }
                    let mut next = (**allowed).clone();
                    next.over_quota = over;
                    *allowed = Arc::new(next);
                    true
                });
            }
            if tx.is_closed() {
                return;
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// Keep `tx` up to date with the hosted spaces and the projects they list.
pub(crate) fn watch_spaces(
    repo: Repo,
    store: Store,
    spaces: Vec<DocId>,
    tx: Arc<watch::Sender<Arc<Allowed>>>,
) {
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
                    let Some(hosted) = &allowed.hosted else {
                        return false;
                    };
                    let missing: Vec<DocumentId> = listed
                        .iter()
                        .filter(|p| !hosted.contains(*p))
                        .cloned()
                        .collect();
                    if missing.is_empty() {
                        return false;
                    }
                    let mut next = (**allowed).clone();
                    if let Some(h) = next.hosted.as_mut() {
                        h.extend(missing);
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(n: u8) -> DocumentId {
        DocumentId::try_from(vec![n; 16]).expect("id")
    }

    async fn first(policy: &Hosting, d: DocumentId) -> ShareConfig {
        let mut s = Box::pin(policy.share(d, PeerId::from("peer")));
        s.next().await.expect("a decision")
    }

    #[tokio::test]
    async fn decisions_follow_hosting_and_quota_and_change_live() {
        let metrics = Arc::new(Metrics::default());
        let allowed = Allowed {
            hosted: Some([doc(1)].into_iter().collect()),
            over_quota: [doc(2)].into_iter().collect(),
        };
        let (tx, rx) = watch::channel(Arc::new(allowed));
        let policy = Hosting {
            allowed: rx,
            metrics: metrics.clone(),
        };
        assert_eq!(first(&policy, doc(1)).await, ShareConfig::read_write());
        assert_eq!(first(&policy, doc(3)).await, ShareConfig::none());
        // Open hosting, with a document over quota: read-only.
        tx.send_modify(|a| {
            let mut next = (**a).clone();
            next.hosted = None;
            *a = Arc::new(next);
        });
        assert_eq!(first(&policy, doc(3)).await, ShareConfig::read_write());
        assert_eq!(first(&policy, doc(2)).await, ShareConfig::read_only());
        // A live subscription sees a document go over quota.
        let mut live = Box::pin(policy.share(doc(1), PeerId::from("peer")));
        assert_eq!(live.next().await, Some(ShareConfig::read_write()));
        tx.send_modify(|a| {
            let mut next = (**a).clone();
            next.over_quota.insert(doc(1));
            *a = Arc::new(next);
        });
        assert_eq!(live.next().await, Some(ShareConfig::read_only()));
        let refused = metrics
            .refusals
            .get_or_create(&crate::guard::Reason {
                reason: "not-hosted".into(),
            })
            .get();
        assert_eq!(refused, 1);
    }

    #[tokio::test]
    async fn documents_over_the_limit_are_marked() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("relay.db")).expect("store");
        let big = doc(7);
        let small = doc(8);
        for (d, n) in [(&big, 3usize), (&small, 1)] {
            for i in 0..n {
                let key = samod::storage::StorageKey::from_parts([
                    d.to_string(),
                    "incremental".into(),
                    i.to_string(),
                ])
                .expect("key");
                store.put(&key, &vec![1u8; 1000]).expect("put");
            }
        }
        let metrics = Arc::new(Metrics::default());
        let (tx, mut rx) = watch::channel(Arc::new(Allowed::default()));
        watch_sizes(
            store,
            2000,
            Duration::from_millis(20),
            Arc::new(tx),
            metrics.clone(),
        );
        tokio::time::timeout(Duration::from_secs(5), rx.changed())
            .await
            .expect("in time")
            .expect("sender alive");
        let over = rx.borrow().over_quota.clone();
        assert!(over.contains(&big));
        assert!(!over.contains(&small));
        let counted = metrics
            .refusals
            .get_or_create(&crate::guard::Reason {
                reason: "document-too-large".into(),
            })
            .get();
        assert_eq!(counted, 1);
    }
}
