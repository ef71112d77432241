//! Interop: the stock JavaScript automerge-repo (npm `@automerge/automerge-repo`
//! with its WebSocket adapter, run by Node 20 from `tests/interop/`) and a
//! plain samod client exchange documents through `yoriai-relay`, both ways.
//! `scripts/test.sh` installs the npm packages (`npm ci`).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use samod::{DocumentId, Repo};
use yoriai_crdt::automerge::transaction::Transactable;
use yoriai_crdt::automerge::{Automerge, ObjType, ReadDoc, Value, ROOT};
use yoriai_relay::{serve, RelayConfig};

const T: Duration = Duration::from_secs(20);

fn interop_dir() -> PathBuf {
    PathBuf::from(
        // At run time: a build cache shared with a checkout elsewhere may
        // hold a binary compiled there.
        &std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../tests/interop")
}

fn js(args: &[&str]) -> String {
    let dir = interop_dir();
    assert!(
        dir.join("node_modules/@automerge/automerge-repo").exists(),
        "the JavaScript client is not installed: run `npm ci` in {} (scripts/test.sh does)",
        dir.display()
    );
    let out = Command::new("node")
        .current_dir(&dir)
        .arg("client.mjs")
        .args(args)
        .output()
        .expect("node runs (Node 20)");
    assert!(
        out.status.success(),
        "node client.mjs {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

/// A string field, whether written as a plain string or (JavaScript
/// automerge 3) as a Text object.
fn text_field(doc: &Automerge, key: &str) -> Option<String> {
    match doc.get(ROOT, key).ok()?? {
        (Value::Scalar(s), _) => s.as_str().map(str::to_string),
        (Value::Object(ObjType::Text), id) => doc.text(&id).ok(),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn javascript_automerge_repo_and_samod_sync_through_the_relay_both_ways() {
    let data = tempfile::tempdir().expect("tmp");
    let relay = serve(RelayConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data: data.path().to_path_buf(),
        open: true,
        host_spaces: vec![],
        web: None,
        limits: Default::default(),
    })
    .await
    .expect("relay");
    let url = relay.url();

    // JavaScript writes, Rust reads.
    let js_url = tokio::task::spawn_blocking({
        let url = url.clone();
        move || js(&["create", &url, "こんにちは from JavaScript"])
    })
    .await
    .expect("js create");
    let id: DocumentId = js_url
        .trim_start_matches("automerge:")
        .parse()
        .expect("a document id");
    let rust = Repo::build_tokio().load().await;
    let dialer = rust
        .dial_websocket(
            url::Url::parse(&url).expect("url"),
            samod::BackoffConfig::default(),
        )
        .expect("dial");
    tokio::time::timeout(T, dialer.established())
        .await
        .expect("in time")
        .expect("connected");
    let handle = tokio::time::timeout(T, rust.find(id))
        .await
        .expect("in time")
        .expect("running")
        .expect("the relay has the JavaScript document");
    let greeting = handle.with_document(|d| text_field(d, "greeting"));
    assert_eq!(greeting.as_deref(), Some("こんにちは from JavaScript"));

    // Rust writes, JavaScript reads.
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, "greeting", "hello from samod").expect("put");
    tx.commit();
    let mine = rust.create(doc).await.expect("create");
    let conn = dialer.connection_id().expect("connected");
    tokio::time::timeout(T, mine.they_have_our_changes(conn))
        .await
        .expect("the relay has it");
    let doc_url = format!("automerge:{}", mine.document_id());
    let seen = tokio::task::spawn_blocking({
        let url = url.clone();
        move || js(&["find", &url, &doc_url])
    })
    .await
    .expect("js find");
    let value: serde_json::Value = serde_json::from_str(&seen).expect("json from the client");
    assert_eq!(value["greeting"], "hello from samod", "{seen}");

    dialer.close();
    rust.stop().await;
    relay.shutdown().await;
}
