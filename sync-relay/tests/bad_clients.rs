//! Clients that break the rules are refused, counted and logged; everyone
//! else carries on and nothing stored is lost.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use yoriai_crdt::automerge::transaction::Transactable;
use yoriai_crdt::automerge::{Automerge, ROOT};
use yoriai_crdt::ProjectCommand;
use yoriai_node::Node;
use yoriai_relay::{serve, Limits, RelayConfig};

mod common;

use common::T;

async fn metrics(addr: std::net::SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    out
}

fn refusals(text: &str, reason: &str) -> u64 {
    let needle = format!("yoriai_relay_refusals_total{{reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&needle))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Wait until the server closes the connection (or fail).
async fn closed_by_server(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) {
    let ended = tokio::time::timeout(T, async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the relay should close this connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_breakers_are_refused_and_the_others_carry_on() {
    let data = tempfile::tempdir().expect("tmp");
    let relay = serve(RelayConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data: data.path().to_path_buf(),
        open: true,
        host_spaces: vec![],
        web: None,
        limits: Limits {
            max_message_bytes: 64 * 1024,
            max_messages_per_second: 20,
            max_connections_per_address: 4,
            max_document_bytes: 64 * 1024 * 1024,
        },
    })
    .await
    .expect("relay");
    let url = relay.url();

    // A good device stores a space and a project.
    let a_dir = tempfile::tempdir().expect("tmp");
    let a = Node::open(a_dir.path()).await.expect("a");
    let (space, project) = yoriai_node::demo::seed(&a).await.expect("demo");
    assert_eq!(a.sync_once(&url, T).await.expect("a syncs").synced, 2);

    // Oversized message.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    ws.send(Message::Binary(vec![7u8; 100 * 1024].into()))
        .await
        .expect("send");
    closed_by_server(&mut ws).await;
    // Text frame.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    ws.send(Message::Text("hello relay".into()))
        .await
        .expect("send");
    closed_by_server(&mut ws).await;
    // Garbage that is not the sync protocol.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    ws.send(Message::Binary(vec![0xff, 0x00, 0x13, 0x37].into()))
        .await
        .expect("send");
    closed_by_server(&mut ws).await;

    // A flood of real changes from an automerge-repo client.
    let flooder = samod::Repo::build_tokio().load().await;
    let dialer = flooder
        .dial_websocket(
            url::Url::parse(&url).expect("url"),
            samod::BackoffConfig::default(),
        )
        .expect("dial");
    tokio::time::timeout(T, dialer.established())
        .await
        .expect("in time")
        .expect("connected");
    let handle = flooder.create(Automerge::new()).await.expect("doc");
    for i in 0..400 {
        handle.with_document(|d| {
            let mut tx = d.transaction();
            tx.put(ROOT, "n", i as i64).expect("put");
            tx.commit();
        });
        // Spaced just enough that each change goes out as its own message.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let flood_refused = tokio::time::timeout(T, async {
        loop {
            if refusals(&metrics(relay.addr()).await, "rate") > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(
        flood_refused.is_ok(),
        "the flood is refused: {}",
        metrics(relay.addr()).await
    );
    dialer.close();
    flooder.stop().await;

    // Too many connections from one address.
    let mut held = Vec::new();
    let mut refused_http = false;
    for _ in 0..6 {
        match tokio_tungstenite::connect_async(&url).await {
            Ok((ws, _)) => held.push(ws),
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                assert_eq!(r.status().as_u16(), 429);
                refused_http = true;
            }
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert!(
        refused_http,
        "the fifth connection from one address is refused"
    );
    assert!(held.len() <= 4);
    drop(held);

    let text = metrics(relay.addr()).await;
    assert!(refusals(&text, "message-too-large") >= 1, "{text}");
    assert!(refusals(&text, "malformed") >= 1, "{text}");
    assert!(refusals(&text, "connections-per-address") >= 1, "{text}");
    assert!(text.contains("yoriai_relay_documents "), "{text}");

    // Slots come back once those connections are gone, and a second good
    // device gets everything the first one stored.
    a.project_command(
        project,
        ProjectCommand::PostIdea {
            title: "After the storm".into(),
            body: String::new(),
        },
    )
    .await
    .expect("idea");
    let synced = tokio::time::timeout(T, async {
        loop {
            match a.sync_once(&url, Duration::from_secs(5)).await {
                Ok(r) if r.unfinished.is_empty() => return r,
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    })
    .await
    .expect("a syncs again");
    assert_eq!(synced.synced, 2);
    let (b, _b_dir) = common::join_through_relay(&a, space, &url, "Bob").await;
    let (_, on_a) = a.show(project).await.expect("show");
    let (_, on_b) = b.show(project).await.expect("show");
    assert_eq!(on_b.ideas, on_a.ideas);
    assert_eq!(on_b.ideas.len(), 4);
    a.close().await;
    b.close().await;
    relay.shutdown().await;
}
