//! A device's signing key.
//!
//! The key is made from 32 random bytes that the caller supplies (this crate
//! has no randomness of its own); `node/` keeps it in a file, the browser in
//! IndexedDB.

use std::fmt;

use ed25519_dalek::{Signer, SigningKey};

use crate::id::MemberId;

/// The ed25519 key a device signs its records with.
#[derive(Clone)]
pub struct DeviceKey {
    signing: SigningKey,
}

impl DeviceKey {
    /// The key whose secret is `secret` (32 random bytes from the caller).
    pub fn from_secret(secret: [u8; 32]) -> Self {
        DeviceKey {
            signing: SigningKey::from_bytes(&secret),
        }
    }

    /// The secret bytes, for the node to store (mode 0600) and nothing else.
    pub fn secret(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The member id: this key's public half.
    pub fn member(&self) -> MemberId {
        MemberId(self.signing.verifying_key().to_bytes())
    }

    /// Sign `message` (the caller adds the domain separation).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        f.debug_struct("DeviceKey")
            .field("member", &self.member())
            .finish()
    }
}

/// Verify an ed25519 signature strictly (no malleable or small-order forms).
pub(crate) fn verify(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    KeyCache::default().verify(public, message, signature)
}

/// Decompressed public keys, kept while a document's records are checked:
/// a project has far fewer authors than records, and decompressing a key
/// costs about as much as a third of a verification.
#[derive(Default)]
pub(crate) struct KeyCache {
    keys: std::collections::HashMap<[u8; 32], Option<ed25519_dalek::VerifyingKey>>,
}

impl KeyCache {
    /// [`verify`], reusing decompressed keys.
    pub(crate) fn verify(
        &mut self,
        public: &[u8; 32],
        message: &[u8],
        signature: &[u8; 64],
    ) -> bool {
        let key = self
            .keys
            .entry(*public)
            .or_insert_with(|| ed25519_dalek::VerifyingKey::from_bytes(public).ok());
        let Some(key) = key else {
            return false;
        };
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        key.verify_strict(message, &sig).is_ok()
    }
}
