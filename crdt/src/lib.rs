//! # yoriai-crdt: the domain of Yoriai
//!
//! Everything Yoriai knows about spaces, projects, phases, ideas, comments,
//! proposal texts, surveys, votes, posts, milestones and moderation, as
//! **signed records in Automerge documents**, and the read models screens
//! show. It is the functional core: no tokio, no files, no network, no clock
//! or randomness it is not given; it builds for `wasm32-unknown-unknown` so
//! the browser runs the same rules as the desktop and the relay.
//!
//! ## Layout
//! - [`record`]: the signed record format ([`record::SignedRecord`],
//!   [`record::Payload`]) and its canonical encoding. Start here.
//! - [`document`]: the Automerge container (a header and a list of record
//!   bytes).
//! - [`space`]: membership and roles, judged causally ([`causal`]);
//!   [`invitation`] links.
//! - [`project`]: judges project records and builds the read models;
//!   [`phase`], [`text`] (co-written proposals), [`comment`], [`survey`],
//!   [`vote`] (tallies) hold each concept's rules.
//! - [`command`]: what members ask for, made into records.
//! - [`verdict`]: why a record does not count.
//! - [`sync_client`]: the automerge-repo sync protocol without IO (the
//!   browser client carries it over a WebSocket).
//!
//! ## Trust in one paragraph
//! Automerge lets any peer write anything, so nothing unsigned is believed.
//! A record counts only if its signature verifies, it is canonical, it names
//! this document, and its author held the needed role at the point of the
//! space's history the record names. Every replica reaches the same verdict
//! from the same records. See `docs/THREAT_MODEL.md`.

pub mod api;
pub mod bundle;
pub mod causal;
pub mod command;
pub mod comment;
pub mod document;
pub mod error;
pub mod id;
pub mod insight;
pub mod invitation;
pub mod key;
pub mod limits;
pub mod phase;
pub mod position;
pub mod project;
pub mod record;
pub mod space;
pub mod survey;
pub mod sync_client;
pub mod text;
pub mod topics;
pub mod verdict;
pub mod vote;

pub use automerge;
pub use command::{Actor, ProjectCommand, SpaceCommand};
pub use error::{CommandError, DocumentError, RecordError};
pub use id::{DocId, MemberId, RecordId};
pub use key::DeviceKey;
pub use project::ProjectState;
pub use space::{Role, SpaceState};
