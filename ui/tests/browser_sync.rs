//! The browser's node ([`yoriai_ui::local::Engine`] with the sync client of
//! `yoriai_crdt::sync_client`) against real servers: a laptop's tablets
//! server (samod, with its challenge and knock), `yoriai-relay`, and the
//! stock JavaScript automerge-repo (tests/interop/server.mjs). The bytes
//! travel over tokio-tungstenite here, over the browser's WebSocket in the
//! page; everything else is the code the page runs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use yoriai_crdt::api::{Request, Response, SyncSummary};
use yoriai_crdt::automerge::transaction::Transactable;
use yoriai_crdt::automerge::{Automerge, ReadDoc, ROOT};
use yoriai_crdt::command::NewInvitation;
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::sync_client::{Received, SyncClient};
use yoriai_crdt::{DocId, ProjectCommand, Role};
use yoriai_node::web::{WebAssets, WebOptions};
use yoriai_node::Node;
use yoriai_ui::local::Engine;

mod support;
use support::{laptop_node, member_named};

const T: Duration = Duration::from_secs(20);

fn ask(engine: &mut Engine, r: Request) -> Response {
    engine.handle(r).expect("the engine answers").0
}

/// A folder standing in for ui/dist (what is served is not under test here).
fn assets() -> (tempfile::TempDir, WebAssets) {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Yoriai</title>",
    )
    .expect("write");
    std::fs::write(dir.path().join("yoriai_ui_bg.wasm"), b"\0asm").expect("write");
    let a = WebAssets::Dir(dir.path().to_path_buf());
    (dir, a)
}

/// A laptop: a node with a space, a project whose ideas phase is open, and
/// its tablets server on 127.0.0.1.
struct Laptop {
    _home: tempfile::TempDir,
    _assets: tempfile::TempDir,
    node: Arc<Node>,
    server: yoriai_node::web::WebServer,
    space: DocId,
    project: DocId,
}

async fn laptop() -> Laptop {
    let (home, node, space, project) = laptop_node(&[
        (PhaseKind::Ideas, "Ideas"),
        (PhaseKind::Discussion, "Discussion"),
    ])
    .await;
    let (dir, assets) = assets();
    let server = yoriai_node::web::serve(
        node.clone(),
        WebOptions {
            listen: "127.0.0.1:0".parse().expect("addr"),
            assets,
        },
    )
    .await
    .expect("tablets server");
    Laptop {
        _home: home,
        _assets: dir,
        node,
        server,
        space,
        project,
    }
}

impl Laptop {
    fn base(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    async fn invite(&self) -> String {
        self.node
            .invite(
                self.space,
                NewInvitation {
                    role: Role::Resident,
                    max_uses: None,
                    note: "tablets".into(),
                    relays: vec![],
                },
            )
            .await
            .expect("invite")
            .to_link()
    }

    async fn stop(self) {
        self.server.shutdown().await;
        self.node.close().await;
    }
}

/// The page's dial: knock and sign the challenge where the server hands
/// one out, then the WebSocket.
async fn dial(
    engine: &Engine,
    base: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let http = reqwest::Client::new();
    let ws_base = base.replacen("http://", "ws://", 1);
    let mut url = format!("{ws_base}/sync");
    let challenge = http
        .get(format!("{base}/api/challenge"))
        .send()
        .await
        .expect("reachable");
    if challenge.status() == 200 {
        let c = challenge.text().await.expect("text").trim().to_string();
        for (space, records) in engine.knocks() {
            let body = serde_json::json!({
                "space": space,
                "records": records.iter().map(hex::encode).collect::<Vec<_>>(),
            });
            let r = http
                .post(format!("{base}/api/knock"))
                .json(&body)
                .send()
                .await
                .expect("knock");
            assert_eq!(
                r.status(),
                200,
                "knock: {}",
                r.text().await.unwrap_or_default()
            );
        }
        url = format!(
            "{url}?member={}&challenge={c}&sig={}",
            engine.member(),
            engine.sign_challenge(&c)
        );
    }
    tokio_tungstenite::connect_async(url)
        .await
        .expect("the sync endpoint accepts")
        .0
}

/// One connection: sync until `done` holds (or fail after [`T`]).
async fn sync_until(engine: &mut Engine, base: &str, done: impl Fn(&mut Engine) -> bool) {
    let ws = dial(engine, base).await;
    let (mut tx, mut rx) = ws.split();
    tx.send(Message::Binary(engine.connection_opened().into()))
        .await
        .expect("send");
    let deadline = tokio::time::Instant::now() + T;
    loop {
        if engine.all_in_sync() && done(engine) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not in sync within {T:?}: {:?}",
            engine.sync_status()
        );
        match tokio::time::timeout(Duration::from_millis(200), rx.next()).await {
            Ok(Some(Ok(Message::Binary(b)))) => {
                let (replies, _) = engine.receive(&b).expect("a message the engine takes");
                for r in replies {
                    tx.send(Message::Binary(r.into())).await.expect("send");
                }
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => panic!("connection failed: {e}"),
            Ok(None) => panic!("the server closed the connection"),
            Err(_) => {
                for m in engine.outgoing() {
                    tx.send(Message::Binary(m.into())).await.expect("send");
                }
            }
        }
    }
    let _ = tx.close().await;
    engine.connection_closed(None);
}

fn project_page(engine: &mut Engine, project: DocId) -> Option<yoriai_crdt::api::ProjectPage> {
    match engine.handle(Request::Project {
        project,
        sort: IdeaSort::Newest,
    }) {
        Ok((Response::Project(p), _)) => Some(*p),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_joins_a_laptop_by_invitation_and_syncs_both_ways_across_reconnects() {
    let laptop = laptop().await;
    let link = laptop.invite().await;
    let mut engine = Engine::create().expect("engine");
    ask(
        &mut engine,
        Request::SetDisplayName {
            name: "Aiko".into(),
        },
    );
    // Joining works offline; the space is awaited.
    match ask(&mut engine, Request::JoinSpace { link }) {
        Response::Opened(o) => {
            assert_eq!(o.space, laptop.space);
            assert!(!o.arrived);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(engine.sync_status().state, SyncSummary::Offline);

    // The laptop admits the knock; the space and its project arrive.
    let project = laptop.project;
    sync_until(&mut engine, &laptop.base(), |e| {
        project_page(e, project).is_some()
    })
    .await;
    let (space, _) = laptop.node.project(project).await.expect("held");
    assert!(
        space.current_role(&engine.member()).is_some(),
        "the laptop counts the browser as a member"
    );

    // An idea from the browser reaches the laptop.
    let idea = match ask(
        &mut engine,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::PostIdea {
                title: "A shaded playground".into(),
                body: "Trees along the south side.".into(),
            },
        },
    ) {
        Response::Recorded(id) => id,
        other => panic!("{other:?}"),
    };
    sync_until(&mut engine, &laptop.base(), |_| true).await;
    let (_, snap) = laptop.node.show(project).await.expect("show");
    let card = snap
        .ideas
        .iter()
        .find(|i| i.card.id == idea)
        .map(|i| &i.card)
        .expect("the laptop has the browser's idea");
    assert_eq!(card.title, "A shaded playground");
    assert_eq!(card.author, engine.member());

    // The laptop's support arrives in the browser on the next connection.
    laptop
        .node
        .project_command(
            project,
            ProjectCommand::Support {
                idea,
                support: true,
            },
        )
        .await
        .expect("support");
    sync_until(&mut engine, &laptop.base(), |e| {
        project_page(e, project)
            .and_then(|p| p.ideas.into_iter().find(|i| i.id == idea))
            .is_some_and(|i| i.supports == 1)
    })
    .await;

    // Work made offline goes out when the browser is back.
    ask(
        &mut engine,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::PostIdea {
                title: "Made offline".into(),
                body: String::new(),
            },
        },
    );
    assert_eq!(engine.sync_status().state, SyncSummary::Offline);
    sync_until(&mut engine, &laptop.base(), |_| true).await;
    let (_, snap) = laptop.node.show(project).await.expect("show");
    assert!(snap.ideas.iter().any(|i| i.card.title == "Made offline"));

    // And everything survives a save and a load (the page's IndexedDB).
    let (docs, meta) = engine.take_dirty();
    assert!(!docs.is_empty());
    let meta = meta.expect("meta changed");
    let (mut again, problems) = Engine::load(meta, docs).expect("loads");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(again.member(), engine.member());
    let page = project_page(&mut again, project).expect("the project is kept");
    assert!(page.ideas.iter().any(|i| i.title == "Made offline"));
    laptop.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_laptop_refuses_strangers_forgeries_and_replays() {
    let laptop = laptop().await;
    let base = laptop.base();
    let ws = base.replacen("http://", "ws://", 1);
    let http = reqwest::Client::new();
    let stranger = Engine::create().expect("engine");

    // No proof, a wrong signature, a replayed challenge: refused before
    // any sync.
    let refused = |url: String| async move {
        match tokio_tungstenite::connect_async(url).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => r.status().as_u16(),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => 200,
        }
    };
    assert_eq!(refused(format!("{ws}/sync")).await, 401);
    let c = http
        .get(format!("{base}/api/challenge"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let c = c.trim();
    let other = Engine::create().expect("engine");
    let forged = format!(
        "{ws}/sync?member={}&challenge={c}&sig={}",
        stranger.member(),
        other.sign_challenge(c)
    );
    assert_eq!(refused(forged).await, 401);
    let c2 = http
        .get(format!("{base}/api/challenge"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let c2 = c2.trim();
    let good = format!(
        "{ws}/sync?member={}&challenge={c2}&sig={}",
        stranger.member(),
        stranger.sign_challenge(c2)
    );
    let (conn, _) = tokio_tungstenite::connect_async(good.clone())
        .await
        .expect("a proven browser connects");
    assert_eq!(refused(good).await, 401, "a challenge is used once");

    // Proven but not a member: the space is not shared with it.
    let (mut tx, mut rx) = conn.split();
    let mut client = SyncClient::new(yoriai_crdt::sync_client::web_peer_id(&stranger.member()));
    let mut held: HashMap<DocId, Automerge> = HashMap::new();
    tx.send(Message::Binary(client.join().into()))
        .await
        .expect("send");
    let mut unavailable = false;
    let deadline = tokio::time::Instant::now() + T;
    while tokio::time::Instant::now() < deadline && !unavailable {
        let Ok(Some(Ok(Message::Binary(b)))) =
            tokio::time::timeout(Duration::from_secs(1), rx.next()).await
        else {
            continue;
        };
        let (what, replies) = client.receive(&b, &mut held).expect("valid");
        match what {
            Received::Connected { .. } => {
                let r = client.request(laptop.space).expect("request");
                tx.send(Message::Binary(r.into())).await.expect("send");
            }
            Received::Unavailable(d) => {
                assert_eq!(d, laptop.space);
                unavailable = true;
            }
            Received::Arrived(..) => panic!("a stranger received the space"),
            _ => {}
        }
        for r in replies {
            tx.send(Message::Binary(r.into())).await.expect("send");
        }
    }
    assert!(unavailable, "the laptop said the space is unavailable");

    // A browser calling itself another member is cut off by samod.
    let c3 = http
        .get(format!("{base}/api/challenge"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let c3 = c3.trim();
    let (conn, _) = tokio_tungstenite::connect_async(format!(
        "{ws}/sync?member={}&challenge={c3}&sig={}",
        stranger.member(),
        stranger.sign_challenge(c3)
    ))
    .await
    .expect("connects");
    let (mut tx, mut rx) = conn.split();
    let impostor = SyncClient::new(yoriai_crdt::sync_client::web_peer_id(&other.member()));
    tx.send(Message::Binary(impostor.join().into()))
        .await
        .expect("send");
    let answer = tokio::time::timeout(T, rx.next()).await.expect("an answer");
    let accepted = matches!(&answer, Some(Ok(Message::Binary(b)))
        if matches!(yoriai_crdt::sync_client::WireMessage::decode(b), Ok(yoriai_crdt::sync_client::WireMessage::Peer { .. })));
    assert!(
        !accepted,
        "samod must not accept a mismatched peer id: {answer:?}"
    );

    // Knocks: malformed, oversized, forged.
    let post = |body: Vec<u8>| {
        let http = http.clone();
        let url = format!("{base}/api/knock");
        async move {
            http.post(url)
                .body(body)
                .send()
                .await
                .expect("post")
                .status()
                .as_u16()
        }
    };
    assert_eq!(post(b"{not json".to_vec()).await, 400);
    assert_eq!(post(vec![b' '; 100 * 1024]).await, 413);
    let garbage = serde_json::json!({"space": laptop.space, "records": ["00ff"]});
    assert_eq!(post(garbage.to_string().into_bytes()).await, 400);
    // A join made with an invitation of another space does not admit.
    let elsewhere = laptop
        .node
        .create_space("Another ward", &["ja".into()])
        .await
        .expect("space");
    let inv = laptop
        .node
        .invite(
            elsewhere,
            NewInvitation {
                role: Role::Resident,
                max_uses: None,
                note: String::new(),
                relays: vec![],
            },
        )
        .await
        .expect("invite")
        .to_link();
    let mut joiner = Engine::create().expect("engine");
    ask(&mut joiner, Request::JoinSpace { link: inv });
    let (_, records) = joiner.knocks().remove(0);
    let wrong = serde_json::json!({
        "space": laptop.space,
        "records": records.iter().map(hex::encode).collect::<Vec<_>>(),
    });
    assert_eq!(post(wrong.to_string().into_bytes()).await, 403);
    let (space, _) = laptop.node.project(laptop.project).await.expect("held");
    assert!(space.current_role(&joiner.member()).is_none());

    // The page itself, and nothing outside the app's folder.
    let page = http.get(&base).send().await.expect("get");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("text").contains("Yoriai"));
    let up = http
        .get(format!("{base}/..%2f..%2fetc%2fpasswd"))
        .send()
        .await
        .expect("get");
    assert_eq!(up.status(), 404);
    laptop.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_at_home_syncs_through_the_relay_that_serves_the_app() {
    let laptop = laptop().await;
    let data = tempfile::tempdir().expect("tmp");
    let (web_dir, web) = assets();
    let relay = yoriai_relay::serve(yoriai_relay::RelayConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data: data.path().to_path_buf(),
        open: true,
        host_spaces: vec![],
        limits: Default::default(),
        web: Some(web),
    })
    .await
    .expect("relay");
    let base = format!("http://{}", relay.addr());
    // The relay serves the page (compressed where the file has a .gz copy).
    let page = reqwest::get(&base).await.expect("get");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("text").contains("Yoriai"));
    std::fs::write(web_dir.path().join("yoriai_ui.js"), "export default 1;").expect("write");
    let js = reqwest::get(format!("{base}/yoriai_ui.js"))
        .await
        .expect("get");
    assert_eq!(
        js.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/javascript; charset=utf-8")
    );

    // The laptop puts the space on the relay; a resident at home joins.
    laptop
        .node
        .sync_once(&relay.url(), T)
        .await
        .expect("laptop to relay");
    let link = laptop.invite().await;
    laptop
        .node
        .sync_once(&relay.url(), T)
        .await
        .expect("laptop to relay");
    let mut engine = Engine::create().expect("engine");
    ask(&mut engine, Request::SetDisplayName { name: "Ren".into() });
    ask(&mut engine, Request::JoinSpace { link });
    let project = laptop.project;
    sync_until(&mut engine, &base, |e| project_page(e, project).is_some()).await;
    ask(
        &mut engine,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::PostIdea {
                title: "From home".into(),
                body: String::new(),
            },
        },
    );
    sync_until(&mut engine, &base, |_| true).await;
    laptop
        .node
        .sync_once(&relay.url(), T)
        .await
        .expect("relay to laptop");
    let (space, snap) = laptop.node.show(project).await.expect("show");
    assert!(snap.ideas.iter().any(|i| i.card.title == "From home"));
    member_named(&space, "Ren");
    relay.shutdown().await;
    laptop.stop().await;
}

fn interop_dir() -> PathBuf {
    PathBuf::from(
        &std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../tests/interop")
}

/// `node client.mjs find ws://… automerge:…` against the JavaScript server.
fn js_find(port: u16, doc: DocId) -> serde_json::Value {
    let out = std::process::Command::new("node")
        .current_dir(interop_dir())
        .args([
            "client.mjs",
            "find",
            &format!("ws://127.0.0.1:{port}"),
            &format!("automerge:{doc}"),
        ])
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "client.mjs find: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// One connection of the bare client to the JavaScript server, until `done`.
async fn js_session(
    port: u16,
    held: &mut HashMap<DocId, Automerge>,
    want: &[DocId],
    done: impl Fn(&HashMap<DocId, Automerge>, &SyncClient) -> bool,
) {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}"))
        .await
        .expect("connects");
    let (mut tx, mut rx) = ws.split();
    let mut client = SyncClient::new("web:interop-test");
    tx.send(Message::Binary(client.join().into()))
        .await
        .expect("send");
    let deadline = tokio::time::Instant::now() + T;
    loop {
        if client.connected_to().is_some() && done(held, &client) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no sync within {T:?}"
        );
        let mut out = Vec::new();
        match tokio::time::timeout(Duration::from_millis(200), rx.next()).await {
            Ok(Some(Ok(Message::Binary(b)))) => {
                let (what, replies) = client.receive(&b, held).expect("a valid message");
                if let Received::Arrived(id, doc) = what {
                    held.insert(id, *doc);
                }
                out.extend(replies);
            }
            Ok(Some(Ok(_))) => {}
            Ok(other) => panic!("connection ended: {other:?}"),
            Err(_) => {
                let ids: Vec<DocId> = held.keys().copied().collect();
                for id in ids {
                    out.extend(client.offer(id, held.get_mut(&id).expect("held")));
                }
                for id in want {
                    if !held.contains_key(id) {
                        out.extend(client.request(*id));
                    }
                }
            }
        }
        for m in out {
            tx.send(Message::Binary(m.into())).await.expect("send");
        }
    }
    let _ = tx.close().await;
}

/// A string the JavaScript side wrote at the root (JavaScript writes strings
/// as collaborative text; a plain string is read too).
fn text_at(doc: &Automerge, key: &str) -> Option<String> {
    match doc.get(ROOT, key).expect("read")? {
        (yoriai_crdt::automerge::Value::Object(_), id) => Some(doc.text(&id).expect("text")),
        (v, _) => v.into_string().ok(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn javascript_automerge_repo_and_the_browser_client_sync_both_ways_across_reconnects() {
    use std::io::{BufRead, Write};
    let dir = interop_dir();
    assert!(
        dir.join("node_modules/@automerge/automerge-repo").exists(),
        "the JavaScript automerge-repo is not installed: run `npm install` in {} (scripts/test.sh does)",
        dir.display()
    );
    let mut server = std::process::Command::new("node")
        .current_dir(&dir)
        .arg("server.mjs")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut lines = std::io::BufReader::new(server.stdout.take().expect("stdout")).lines();
    let mut port = 0u16;
    let mut js_doc = None;
    for line in lines.by_ref().take(2) {
        let line = line.expect("line");
        if let Some(p) = line.strip_prefix("PORT ") {
            port = p.parse().expect("port");
        }
        if let Some(d) = line.strip_prefix("DOC ") {
            js_doc = Some(d.parse::<DocId>().expect("a document id"));
        }
    }
    let js_doc = js_doc.expect("the server made a document");
    assert_ne!(port, 0);

    // Ours goes there; theirs comes here.
    let ours = DocId([0x5a; 16]);
    let mut doc = Automerge::new();
    {
        let mut tx = doc.transaction();
        tx.put(ROOT, "greeting", "from the browser client")
            .expect("put");
        tx.commit();
    }
    let mut held = HashMap::from([(ours, doc)]);
    js_session(port, &mut held, &[js_doc], |h, c| {
        h.contains_key(&js_doc) && c.in_sync(&ours, &h[&ours]) && c.in_sync(&js_doc, &h[&js_doc])
    })
    .await;
    assert_eq!(
        text_at(&held[&js_doc], "greeting").as_deref(),
        Some("from JavaScript")
    );
    let seen = tokio::task::spawn_blocking(move || js_find(port, ours))
        .await
        .expect("join");
    assert_eq!(seen["greeting"], "from the browser client");

    // An edit made while disconnected reaches JavaScript on a new connection.
    {
        let d = held.get_mut(&ours).expect("held");
        let mut tx = d.transaction();
        tx.put(ROOT, "offline", "kept").expect("put");
        tx.commit();
    }
    js_session(port, &mut held, &[], |h, c| c.in_sync(&ours, &h[&ours])).await;
    let seen = tokio::task::spawn_blocking(move || js_find(port, ours))
        .await
        .expect("join");
    assert_eq!(seen["offline"], "kept");

    // And an edit made on the JavaScript side between connections reaches
    // the client on the next one.
    let mut stdin = server.stdin.take().expect("stdin");
    writeln!(stdin, "SET later written while you were away").expect("tell the server");
    let answer = lines.next().expect("the server answers").expect("line");
    assert_eq!(answer, "SET later");
    let later = |h: &HashMap<DocId, Automerge>| text_at(&h[&js_doc], "later");
    assert_eq!(later(&held), None, "not before a connection");
    js_session(port, &mut held, &[], |h, c| {
        later(h).is_some() && c.in_sync(&js_doc, &h[&js_doc])
    })
    .await;
    assert_eq!(later(&held).as_deref(), Some("written while you were away"));
    drop(stdin);
    let _ = server.wait();
}
