//! Errors of the node library.

use std::path::PathBuf;

use thiserror::Error;

/// The store could not be opened or used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Not a Yoriai store.
    #[error("{} is not a Yoriai store ({detail}); choose another --home or move the file away", path.display())]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What it seems to be.
        detail: String,
    },
    /// Damaged or truncated.
    #[error("{} is damaged ({detail}). It was left as it is: move it aside, start again, and sync the spaces back from a peer, the relay or a bundle", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's words.
        detail: String,
    },
    /// Written by a newer Yoriai.
    #[error("{} was written by a newer version of Yoriai (schema {found}); update Yoriai", path.display())]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i32,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// SQLite failed (a full disk, a locked file...).
    #[error("the store {} failed: {source}", path.display())]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

/// The device key could not be read or made.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key file exists but is not a key.
    #[error("{} is not a Yoriai device key ({detail}); it was left as it is", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The file could not be read or written.
    #[error("cannot use the device key file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// No randomness from the operating system.
    #[error("the operating system gave no random bytes for a new key: {0}")]
    Random(String),
}

/// What a node operation can fail with.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NodeError {
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The device key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The domain refused.
    #[error(transparent)]
    Command(#[from] yoriai_crdt::CommandError),
    /// A document could not be read.
    #[error("{what} {id}: {source}")]
    Document {
        /// "space" or "project".
        what: &'static str,
        /// Its id.
        id: String,
        /// Why.
        source: yoriai_crdt::DocumentError,
    },
    /// Not on this device.
    #[error("{what} {id} is not on this device; sync with a peer or import a bundle that has it")]
    Missing {
        /// "space" or "project".
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// An invitation link.
    #[error(transparent)]
    Invitation(#[from] yoriai_crdt::invitation::InvitationError),
    /// A name on the command line did not match.
    #[error("{0}")]
    NotFound(String),
    /// A sync with a relay failed.
    #[error("sync with {relay} failed: {detail}")]
    Sync {
        /// The relay address.
        relay: String,
        /// What went wrong.
        detail: String,
    },
    /// The sync engine stopped.
    #[error("the sync engine stopped unexpectedly")]
    Stopped,
    /// Randomness.
    #[error("the operating system gave no random bytes: {0}")]
    Random(String),
    /// Another process uses this home.
    #[error("{} is in use by another Yoriai process{}; stop it first (two processes on one store could lose edits)", home.display(), pid.as_ref().map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Busy {
        /// The home directory.
        home: PathBuf,
        /// The other process, if it wrote its pid.
        pid: Option<String>,
    },
    /// A bundle file was refused (nothing was imported from it).
    #[error(transparent)]
    Bundle(#[from] yoriai_crdt::bundle::BundleError),
    /// Local-network sync could not start or failed.
    #[error("local network: {0}")]
    Lan(String),
    /// The tablets server (web app and browser sync) could not start.
    #[error("tablets server: {0}")]
    Web(String),
}
