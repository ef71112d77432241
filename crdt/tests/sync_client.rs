//! The sync client's wire format and protocol state, against a server made
//! of plain Automerge sync in the test (the real servers, samod and the
//! JavaScript automerge-repo, are in sync-relay/tests/browser_client.rs).

use std::collections::HashMap;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};
use yoriai_crdt::sync_client::{Received, SyncClient, WireError, WireMessage};
use yoriai_crdt::DocId;

fn doc_with(key: &str, value: &str) -> Automerge {
    let mut d = Automerge::new();
    let mut tx = d.transaction();
    tx.put(ROOT, key, value).expect("put");
    tx.commit();
    d
}

/// A server holding documents, answering like automerge-repo does.
struct Server {
    docs: HashMap<DocId, Automerge>,
    states: HashMap<DocId, sync::State>,
}

impl Server {
    fn answer(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        match WireMessage::decode(bytes).expect("client message decodes") {
            WireMessage::Join { sender, versions } => {
                assert_eq!(versions, vec!["1".to_string()]);
                vec![WireMessage::Peer {
                    sender: "server".into(),
                    target: sender,
                    version: "1".into(),
                }
                .encode()]
            }
            WireMessage::Request {
                doc, sender, data, ..
            } if !self.docs.contains_key(&doc) => {
                let _ = data;
                vec![WireMessage::DocUnavailable {
                    doc,
                    sender: "server".into(),
                    target: sender,
                }
                .encode()]
            }
            WireMessage::Request {
                doc, sender, data, ..
            }
            | WireMessage::Sync {
                doc, sender, data, ..
            } => {
                // A sync for a document new here: take it.
                let d = self.docs.entry(doc).or_default();
                let st = self.states.entry(doc).or_default();
                d.receive_sync_message(st, sync::Message::decode(&data).expect("msg"))
                    .expect("apply");
                d.generate_sync_message(st)
                    .map(|m| {
                        WireMessage::Sync {
                            doc,
                            sender: "server".into(),
                            target: sender,
                            data: m.encode(),
                        }
                        .encode()
                    })
                    .into_iter()
                    .collect()
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Carry messages both ways until both sides are quiet; what the client
/// made of each.
fn pump(
    client: &mut SyncClient,
    server: &mut Server,
    held: &mut HashMap<DocId, Automerge>,
    first: Vec<Vec<u8>>,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut to_server = first;
    for _ in 0..50 {
        if to_server.is_empty() {
            break;
        }
        let to_client: Vec<Vec<u8>> = to_server
            .drain(..)
            .flat_map(|m| server.answer(&m))
            .collect();
        for m in to_client {
            let (what, replies) = client.receive(&m, held).expect("client takes it");
            match what {
                Received::Connected { peer } => seen.push(format!("connected {peer}")),
                Received::Changed(d) => seen.push(format!("changed {d}")),
                Received::Arrived(d, doc) => {
                    seen.push(format!("arrived {d}"));
                    held.insert(d, *doc);
                }
                Received::Unavailable(d) => seen.push(format!("unavailable {d}")),
                Received::Nothing => {}
                Received::Closed(why) => seen.push(format!("closed {why}")),
            }
            to_server.extend(replies);
        }
    }
    seen
}

#[test]
fn messages_round_trip_through_cbor() {
    let doc = DocId([7; 16]);
    for m in [
        WireMessage::Join {
            sender: "web:abc".into(),
            versions: vec!["1".into()],
        },
        WireMessage::Peer {
            sender: "s".into(),
            target: "c".into(),
            version: "1".into(),
        },
        WireMessage::Request {
            doc,
            sender: "c".into(),
            target: "s".into(),
            data: vec![1, 2, 3],
        },
        WireMessage::Sync {
            doc,
            sender: "c".into(),
            target: "s".into(),
            data: vec![],
        },
        WireMessage::DocUnavailable {
            doc,
            sender: "s".into(),
            target: "c".into(),
        },
        WireMessage::Leave { sender: "s".into() },
        WireMessage::Error {
            message: "no".into(),
        },
    ] {
        assert_eq!(WireMessage::decode(&m.encode()).expect("decodes"), m);
    }
}

#[test]
fn bad_bytes_are_refused_with_a_reason() {
    assert!(matches!(
        WireMessage::decode(b"not cbor"),
        Err(WireError::Malformed(_))
    ));
    assert!(matches!(
        WireMessage::decode(&[]),
        Err(WireError::Malformed(_))
    ));
    // A sync message with a document id that is not one.
    let mut e = minicbor::Encoder::new(Vec::new());
    (|| -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
        e.map(5)?;
        e.str("type")?.str("sync")?;
        e.str("documentId")?.str("not-an-id")?;
        e.str("senderId")?.str("s")?;
        e.str("targetId")?.str("c")?;
        e.str("data")?.bytes(&[])?;
        Ok(())
    })()
    .expect("encode");
    assert!(matches!(
        WireMessage::decode(&e.into_writer()),
        Err(WireError::BadDocId(_))
    ));
    // Truncated.
    let whole = WireMessage::Leave { sender: "s".into() }.encode();
    assert!(WireMessage::decode(&whole[..whole.len() - 2]).is_err());
    // Sync before the handshake, and garbage sync data, are errors too.
    let mut client = SyncClient::new("c");
    let mut held = HashMap::new();
    let early = WireMessage::Sync {
        doc: DocId([1; 16]),
        sender: "s".into(),
        target: "c".into(),
        data: vec![0x42],
    }
    .encode();
    assert!(matches!(
        client.receive(&early, &mut held),
        Err(WireError::BeforeHandshake(_))
    ));
    let peer = WireMessage::Peer {
        sender: "s".into(),
        target: "c".into(),
        version: "1".into(),
    };
    client.receive(&peer.encode(), &mut held).expect("peer");
    held.insert(DocId([1; 16]), Automerge::new());
    assert!(matches!(
        client.receive(&early, &mut held),
        Err(WireError::Document { .. })
    ));
    // A server speaking another version.
    let mut other = SyncClient::new("c");
    let v2 = WireMessage::Peer {
        sender: "s".into(),
        target: "c".into(),
        version: "2".into(),
    };
    assert!(matches!(
        other.receive(&v2.encode(), &mut held),
        Err(WireError::Version(_))
    ));
}

#[test]
fn documents_flow_both_ways_and_again_after_a_reconnect() {
    let ours = DocId([1; 16]);
    let theirs = DocId([2; 16]);
    let missing = DocId([3; 16]);
    let mut server = Server {
        docs: HashMap::from([(theirs, doc_with("from", "server"))]),
        states: HashMap::new(),
    };
    let mut held = HashMap::from([(ours, doc_with("from", "client"))]);
    let mut client = SyncClient::new("web:me");

    let join = vec![client.join()];
    let seen = pump(&mut client, &mut server, &mut held, join);
    assert_eq!(seen, vec!["connected server"]);
    assert_eq!(client.connected_to(), Some("server"));

    let mut first = Vec::new();
    first.extend(client.offer(ours, held.get_mut(&ours).expect("held")));
    first.extend(client.request(theirs));
    first.extend(client.request(missing));
    assert!(
        client.request(theirs).is_none(),
        "asked once per connection"
    );
    let seen = pump(&mut client, &mut server, &mut held, first);
    assert!(seen.contains(&format!("arrived {theirs}")), "{seen:?}");
    assert!(seen.contains(&format!("unavailable {missing}")), "{seen:?}");
    assert!(client.is_unavailable(&missing));
    let got = held.get(&theirs).expect("arrived");
    assert_eq!(
        got.get(ROOT, "from")
            .expect("read")
            .expect("set")
            .0
            .as_str(),
        Some("server")
    );
    let at_server = server.docs.get(&ours).expect("the server has ours");
    assert_eq!(
        at_server
            .get(ROOT, "from")
            .expect("read")
            .expect("set")
            .0
            .as_str(),
        Some("client")
    );
    assert!(client.in_sync(&ours, held.get(&ours).expect("held")));

    // Offline edit, then a new connection: states start over.
    {
        let d = held.get_mut(&ours).expect("held");
        let mut tx = d.transaction();
        tx.put(ROOT, "offline", "kept").expect("put");
        tx.commit();
    }
    client.reset();
    assert!(
        client
            .offer(ours, held.get_mut(&ours).expect("held"))
            .is_none(),
        "not connected"
    );
    let join = vec![client.join()];
    let seen = pump(&mut client, &mut server, &mut held, join);
    assert_eq!(seen, vec!["connected server"]);
    let first: Vec<Vec<u8>> = client
        .offer(ours, held.get_mut(&ours).expect("held"))
        .into_iter()
        .collect();
    assert_eq!(first.len(), 1);
    pump(&mut client, &mut server, &mut held, first);
    let at_server = server.docs.get(&ours).expect("held");
    assert_eq!(
        at_server
            .get(ROOT, "offline")
            .expect("read")
            .expect("set")
            .0
            .as_str(),
        Some("kept")
    );
    assert!(client.in_sync(&ours, held.get(&ours).expect("held")));
}

#[test]
fn a_challenge_signature_binds_the_member_and_the_challenge() {
    use yoriai_crdt::sync_client::{sign_challenge, verify_challenge};
    let key = yoriai_crdt::DeviceKey::from_secret([5; 32]);
    let other = yoriai_crdt::DeviceKey::from_secret([6; 32]);
    let sig = sign_challenge(&key, "abc123");
    assert!(verify_challenge(&key.member(), "abc123", &sig));
    assert!(!verify_challenge(&key.member(), "abc124", &sig));
    assert!(!verify_challenge(&other.member(), "abc123", &sig));
    assert!(!verify_challenge(&key.member(), "abc123", "zz"));
    assert!(!verify_challenge(&key.member(), "abc123", &sig[..100]));
}
