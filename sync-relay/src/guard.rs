//! The relay's guard on each connection: limits, metrics and logs.
//!
//! Every accepted WebSocket becomes a samod transport through
//! [`guarded_transport`], which refuses text frames, oversized messages and
//! floods (closing that connection only, with a logged reason and a
//! counted refusal) and counts traffic. A connection's slot for its
//! address is released when samod drops the transport.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Per-connection and per-address limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest sync message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Messages a connection may send per second (averaged over 1 s).
    pub max_messages_per_second: u32,
    /// Open connections from one address.
    pub max_connections_per_address: usize,
    /// Stored bytes of one document; beyond it the document is read-only.
    pub max_document_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 16 * 1024 * 1024,
            // A client acknowledges every message it receives, so an honest
            // client's rate grows with the number of active writers on its
            // documents; this leaves room for a busy workshop.
            max_messages_per_second: 1_000,
            max_connections_per_address: 64,
            max_document_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Why a client was refused.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    /// `message-too-large`, `rate`, `malformed`, `connections-per-address`,
    /// `not-hosted`, `document-too-large`.
    pub reason: String,
}

/// The relay's metrics, exported at `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Open connections.
    pub connections: Gauge,
    /// Connections accepted since start.
    pub connections_total: Counter,
    /// Sync messages received.
    pub messages_in: Counter,
    /// Sync messages sent.
    pub messages_out: Counter,
    /// Bytes received in sync messages.
    pub bytes_in: Counter,
    /// Bytes sent in sync messages.
    pub bytes_out: Counter,
    /// Refused clients, by reason.
    pub refusals: Family<Reason, Counter>,
    /// Documents stored (set at scrape time).
    pub documents: Gauge,
    /// Bytes stored (set at scrape time).
    pub stored_bytes: Gauge,
}

impl Metrics {
    /// A registry holding these metrics.
    pub fn registry(self: &Arc<Self>) -> Registry {
        let mut r = Registry::with_prefix("yoriai_relay");
        r.register(
            "connections",
            "Open sync connections",
            self.connections.clone(),
        );
        r.register(
            "connections_accepted",
            "Sync connections accepted since start",
            self.connections_total.clone(),
        );
        r.register(
            "messages_in",
            "Sync messages received",
            self.messages_in.clone(),
        );
        r.register(
            "messages_out",
            "Sync messages sent",
            self.messages_out.clone(),
        );
        r.register(
            "bytes_in",
            "Bytes of sync messages received",
            self.bytes_in.clone(),
        );
        r.register(
            "bytes_out",
            "Bytes of sync messages sent",
            self.bytes_out.clone(),
        );
        r.register(
            "refusals",
            "Clients refused, by reason",
            self.refusals.clone(),
        );
        r.register("documents", "Documents stored", self.documents.clone());
        r.register("stored_bytes", "Bytes stored", self.stored_bytes.clone());
        r
    }

    /// Count a refusal.
    pub fn count_refusal(&self, reason: &str) {
        self.refusals
            .get_or_create(&Reason {
                reason: reason.to_string(),
            })
            .inc();
    }

    /// Count a refusal and log it.
    pub fn refuse(&self, peer: IpAddr, reason: &str, detail: &str) {
        self.refusals
            .get_or_create(&Reason {
                reason: reason.to_string(),
            })
            .inc();
        tracing::warn!(%peer, reason, detail, "client refused");
    }
}

/// Open connections per address.
#[derive(Debug, Default, Clone)]
pub struct Slots {
    by_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// A held connection slot; released on drop.
#[derive(Debug)]
pub struct Slot {
    slots: Slots,
    peer: IpAddr,
    metrics: Arc<Metrics>,
}

impl Slots {
    /// Take a slot for `peer`, or `None` when it has too many open.
    pub fn take(&self, peer: IpAddr, max: usize, metrics: &Arc<Metrics>) -> Option<Slot> {
        let mut map = self.by_address.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(peer).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        metrics.connections.inc();
        metrics.connections_total.inc();
        Some(Slot {
            slots: self.clone(),
            peer,
            metrics: metrics.clone(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self
            .slots
            .by_address
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.peer) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.peer);
            }
        }
        self.metrics.connections.dec();
        tracing::info!(peer = %self.peer, "connection closed");
    }
}

/// A refusal, ending the connection.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(String);

/// Turn an accepted socket into a samod transport with the guard around it.
pub fn guarded_transport(
    socket: WebSocket,
    peer: IpAddr,
    limits: Limits,
    metrics: Arc<Metrics>,
    slot: Slot,
) -> samod::Transport {
    let (sink, stream) = socket.split();
    let window = Arc::new(Mutex::new((Instant::now(), 0u32)));
    let refused = Arc::new(AtomicU64::new(0));
    let m_in = metrics.clone();
    let incoming = stream
        .filter_map(move |msg| {
            let metrics = m_in.clone();
            let window = window.clone();
            let refused = refused.clone();
            // Holding the slot here releases it when samod drops the stream.
            let _slot = &slot;
            let verdict: Option<Result<Vec<u8>, Refused>> = match msg {
                Err(e) => {
                    let text = e.to_string();
                    if text.contains("too long")
                        || text.contains("too big")
                        || text.contains("Space limit")
                    {
                        metrics.refuse(peer, "message-too-large", &text);
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Some(Err(Refused(format!("receive error: {text}"))))
                }
                Ok(Message::Binary(bytes)) => {
                    let mut w = window.lock().unwrap_or_else(|p| p.into_inner());
                    if w.0.elapsed() >= Duration::from_secs(1) {
                        *w = (Instant::now(), 0);
                    }
                    w.1 += 1;
                    if bytes.len() > limits.max_message_bytes {
                        let d = format!(
                            "message of {} bytes, limit {}",
                            bytes.len(),
                            limits.max_message_bytes
                        );
                        metrics.refuse(peer, "message-too-large", &d);
                        Some(Err(Refused(d)))
                    } else if w.1 > limits.max_messages_per_second {
                        let d = format!(
                            "more than {} messages in a second",
                            limits.max_messages_per_second
                        );
                        metrics.refuse(peer, "rate", &d);
                        Some(Err(Refused(d)))
                    } else {
                        metrics.messages_in.inc();
                        metrics.bytes_in.inc_by(bytes.len() as u64);
                        Some(Ok(bytes.to_vec()))
                    }
                }
                Ok(Message::Text(_)) => {
                    metrics.refuse(peer, "malformed", "text frame");
                    Some(Err(Refused(
                        "text frames are not part of the sync protocol".into(),
                    )))
                }
                Ok(Message::Close(_)) | Ok(Message::Ping(_)) | Ok(Message::Pong(_)) => None,
            };
            futures::future::ready(verdict)
        })
        .boxed();
    let m_out = metrics;
    let outgoing = sink
        .sink_map_err(|e| Refused(format!("send error: {e}")))
        .with(move |bytes: Vec<u8>| {
            m_out.messages_out.inc();
            m_out.bytes_out.inc_by(bytes.len() as u64);
            futures::future::ready(Ok::<_, Refused>(Message::Binary(bytes.into())))
        });
    samod::Transport::new(incoming, Box::pin(outgoing))
}
