//! # yoriai-node: one device's local-first engine
//!
//! What the desktop app, the relay and the `yoriai` CLI share: the SQLite
//! [`store`] (samod's storage, plus the node's own tables), the device key
//! ([`identity`]), and [`node::Node`], which performs domain commands
//! from `yoriai-crdt` on documents held by samod (the Rust automerge-repo).
//!
//! Start with [`node::Node`]. This crate does IO; rules live in
//! `yoriai-crdt`. Sync transports (WebSocket, iroh) and bundles join here
//! with their issues.

pub mod access;
pub mod demo;
pub mod error;
pub mod identity;
pub mod lan;
pub mod llm;
pub mod node;
pub mod service;
pub mod store;
pub mod web;

pub use error::{KeyError, NodeError, StoreError};
pub use node::Node;

/// Milliseconds since the Unix epoch by this device's clock.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
