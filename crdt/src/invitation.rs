//! Invitation links: what a QR code or a message carries to admit someone.
//!
//! A link holds the space id, the signed `Invite` record (so a device that
//! has never seen the space can still make its join record offline), the
//! secret half of the invitation key (the capability: whoever holds the link
//! can join, until its uses run out or staff revoke it) and relay hints.
//! Written `yoriai://join/<base58check>`; [`Invitation::parse`] also takes a
//! web address whose fragment is `#join=<base58check>`.

use serde::{Deserialize, Serialize};

use crate::id::DocId;
use crate::record::{Payload, SignedRecord};

/// Longest link accepted, in bytes (a QR code holds about 2.9 kB).
pub const MAX_LINK_BYTES: usize = 4096;
const PREFIX: &str = "yoriai://join/";
const LINK_VERSION: u8 = 1;

/// A parsed invitation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Format version of the link.
    pub version: u8,
    /// The space to join.
    pub space: DocId,
    /// The signed `Invite` record.
    pub record: Vec<u8>,
    /// The secret half of the invitation key.
    pub secret: [u8; 32],
    /// Where the space can be synced from (relay or LAN addresses).
    pub relays: Vec<String>,
}

impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invitation")
            .field("space", &self.space)
            .field("relays", &self.relays)
            .finish_non_exhaustive()
    }
}

/// Why a link cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvitationError {
    /// Not a Yoriai invitation at all.
    #[error("this is not a Yoriai invitation link (it should start with {PREFIX})")]
    NotALink,
    /// Too long to be one of ours.
    #[error("the invitation link is too long ({0} bytes)")]
    TooLong(usize),
    /// Damaged: the checksum or the contents do not hold.
    #[error("the invitation link is damaged (copy it again in full)")]
    Damaged,
    /// From a newer version of Yoriai.
    #[error("the invitation link was made by a newer version of Yoriai; update this app")]
    NewerVersion,
    /// The record inside is not a valid invitation of that space.
    #[error("the invitation inside the link is not valid: {0}")]
    BadInvite(String),
}

impl Invitation {
    /// The web address that opens the app at `base` (`http://HOST:PORT`)
    /// and joins with this invitation.
    pub fn to_web_address(&self, base: &str) -> String {
        let link = self.to_link();
        let code = link.strip_prefix(PREFIX).unwrap_or(&link);
        format!("{}/#join={code}", base.trim_end_matches('/'))
    }

    /// Web addresses that open the app served by each of the invitation's
    /// relays and join with it: for residents at home, who open one in a
    /// browser with nothing to install (`ws://host:port` becomes
    /// `http://host:port/#join=…`, `wss://` becomes `https://`). Relays
    /// that are not WebSocket addresses are skipped.
    pub fn relay_web_addresses(&self) -> Vec<String> {
        self.relays
            .iter()
            .filter_map(|r| {
                let (scheme, rest) = if let Some(rest) = r.strip_prefix("wss://") {
                    ("https", rest)
                } else {
                    ("http", r.strip_prefix("ws://")?)
                };
                let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
                (!host.is_empty()).then(|| self.to_web_address(&format!("{scheme}://{host}")))
            })
            .collect()
    }

    /// The link text.
    pub fn to_link(&self) -> String {
        // Encoding our own plain struct cannot fail.
        let bytes = postcard::to_allocvec(self).unwrap_or_default();
        format!("{PREFIX}{}", bs58::encode(bytes).with_check().into_string())
    }

    /// Parse a link (or a web address carrying one in `#join=`), checking
    /// the invite record's signature and that the secret matches it.
    pub fn parse(link: &str) -> Result<Self, InvitationError> {
        let link = link.trim();
        if link.len() > MAX_LINK_BYTES {
            return Err(InvitationError::TooLong(link.len()));
        }
        let encoded = if let Some(rest) = link.strip_prefix(PREFIX) {
            rest
        } else if let Some(i) = link.find("#join=") {
            let rest = &link[i + "#join=".len()..];
            rest.strip_prefix(PREFIX).unwrap_or(rest)
        } else {
            return Err(InvitationError::NotALink);
        };
        let bytes = bs58::decode(encoded)
            .with_check(None)
            .into_vec()
            .map_err(|_| InvitationError::Damaged)?;
        let version = *bytes.first().ok_or(InvitationError::Damaged)?;
        if version > LINK_VERSION {
            return Err(InvitationError::NewerVersion);
        }
        let inv: Invitation = postcard::from_bytes(&bytes).map_err(|_| InvitationError::Damaged)?;
        let record = SignedRecord::decode(&inv.record)
            .map_err(|e| InvitationError::BadInvite(e.to_string()))?;
        match record.body.payload {
            Payload::Invite { invite_key, .. } if record.body.doc == Some(inv.space) => {
                let derived = crate::key::DeviceKey::from_secret(inv.secret).member();
                if derived.0 != invite_key {
                    return Err(InvitationError::BadInvite(
                        "the key in the link does not match the invitation".into(),
                    ));
                }
            }
            _ => {
                return Err(InvitationError::BadInvite(
                    "not an invitation to this space".into(),
                ))
            }
        }
        Ok(inv)
    }

    /// The decoded invite record (checked by [`Invitation::parse`]).
    pub fn invite_record(&self) -> Result<SignedRecord, InvitationError> {
        SignedRecord::decode(&self.record).map_err(|e| InvitationError::BadInvite(e.to_string()))
    }

    pub(crate) fn new(
        space: DocId,
        record: &SignedRecord,
        secret: [u8; 32],
        relays: Vec<String>,
    ) -> Self {
        Invitation {
            version: LINK_VERSION,
            space,
            record: record.bytes.clone(),
            secret,
            relays,
        }
    }
}
