//! The bundle reader on arbitrary bytes: it must refuse or accept, never
//! panic, hang or allocate without bound; and what it accepts must write
//! back to an equal bundle.
//!
//! Random bytes almost never carry a valid SHA-256 trailer, so each input
//! is also read with its trailer recomputed: that reaches the manifest,
//! document and record checks behind the checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use yoriai_crdt::bundle;

fn check(data: &[u8]) {
    if let Ok(b) = bundle::read(data) {
        let again = bundle::write(
            b.manifest.created_ms,
            b.manifest.space,
            b.manifest.project,
            &b.documents,
        );
        let reread = bundle::read(&again).expect("a written bundle reads");
        assert_eq!(reread.manifest, b.manifest);
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.len() >= 32 {
        let mut fixed = data.to_vec();
        let body = fixed.len() - 32;
        let sum = Sha256::digest(&fixed[..body]);
        fixed[body..].copy_from_slice(&sum);
        check(&fixed);
    }
});
