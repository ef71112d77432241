//! "Let tablets join": the web app and a sync endpoint for browsers, served
//! by a node on the LAN (the facilitator's laptop).
//!
//! - `GET /` and the app's files: the same Yew UI the desktop app shows,
//!   which in a browser runs its own node in the page ([`WebAssets`] says
//!   where the files come from: a folder, or the desktop app's embedded
//!   copy).
//! - `GET /api/challenge`: a one-time challenge (valid [`CHALLENGE_TTL`]).
//! - `POST /api/knock`: a browser that joined by invitation presents its
//!   join records; the node appends them if the domain admits the join
//!   (the same judgement as a LAN knock).
//! - `GET /sync?member=..&challenge=..&sig=..`: the automerge-repo protocol
//!   over WebSocket. The browser proves it holds its member key by signing
//!   the challenge; samod then holds the connection to the peer id
//!   `web:<member>`, and the node's share policy lets that member sync only
//!   the documents of spaces it belongs to.
//!
//! Bodies and messages are bounded; every refusal has a plain reason.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use yoriai_crdt::sync_client::{verify_challenge, web_peer_id};
use yoriai_crdt::{DocId, MemberId};

use crate::{Node, NodeError};

/// How long a challenge may be answered.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(60);
/// Largest knock body.
const MAX_KNOCK_BYTES: usize = 64 * 1024;
/// Largest sync message from a browser.
const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
/// Challenges outstanding at once (older ones are dropped).
const MAX_CHALLENGES: usize = 1024;

/// Looks up one of the app's files by path: its bytes and content type.
pub type AssetLookup = Arc<dyn Fn(&str) -> Option<(Vec<u8>, String)> + Send + Sync>;

/// Where the web app's files come from.
#[derive(Clone)]
pub enum WebAssets {
    /// A folder laid out by `scripts/build-ui.sh` (`ui/dist`).
    Dir(PathBuf),
    /// A lookup by path (the desktop app's embedded assets).
    Lookup(AssetLookup),
}

impl std::fmt::Debug for WebAssets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebAssets::Dir(d) => write!(f, "WebAssets::Dir({})", d.display()),
            WebAssets::Lookup(_) => f.write_str("WebAssets::Lookup"),
        }
    }
}

/// The content type of a file the app ships.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

impl WebAssets {
    /// The app's folder in this source tree (`ui/dist`), or
    /// `$YORIAI_WEB_DIR` when set.
    pub fn default_dir() -> PathBuf {
        std::env::var_os("YORIAI_WEB_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/dist")))
    }

    /// A file of the app (`path` without the leading slash).
    pub fn get(&self, path: &str) -> Option<(Vec<u8>, String)> {
        // Only plain file names inside the folder.
        let ok = !path.is_empty()
            && path
                .split('/')
                .all(|p| !p.is_empty() && p != ".." && p != "." && !p.contains('\\'));
        if !ok {
            return None;
        }
        match self {
            WebAssets::Dir(dir) => {
                let bytes = std::fs::read(dir.join(path)).ok()?;
                Some((bytes, content_type(path).to_string()))
            }
            WebAssets::Lookup(f) => f(path),
        }
    }

    /// Whether the app is there to serve (its page and its wasm).
    pub fn check(&self) -> Result<(), String> {
        for f in ["index.html", "yoriai_ui_bg.wasm"] {
            if self.get(f).is_none() {
                return Err(match self {
                    WebAssets::Dir(d) => format!(
                        "the web app is not built: no {f} in {} (run scripts/build-ui.sh)",
                        d.display()
                    ),
                    WebAssets::Lookup(_) => format!("the web app has no {f}"),
                });
            }
        }
        Ok(())
    }
}

/// What the tablets server needs.
#[derive(Debug, Clone)]
pub struct WebOptions {
    /// Where to listen (a LAN address and port; `0.0.0.0:0` picks a port).
    pub listen: SocketAddr,
    /// The app's files.
    pub assets: WebAssets,
}

#[derive(Clone)]
struct AppState {
    node: Arc<Node>,
    assets: WebAssets,
    acceptor: samod::AcceptorHandle,
    challenges: Arc<Mutex<HashMap<String, Instant>>>,
    knocks: Arc<Mutex<std::collections::VecDeque<Instant>>>,
}

/// Knocks judged per minute, in all (as on the LAN: a room joining at
/// once fits; a stranger cannot keep the laptop busy judging forgeries).
const KNOCKS_PER_MINUTE: usize = 60;

/// A running tablets server. Stop it with [`WebServer::shutdown`].
#[derive(Debug)]
pub struct WebServer {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl WebServer {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop serving (open connections close).
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Start serving the web app and the browser sync endpoint.
pub async fn serve(node: Arc<Node>, options: WebOptions) -> Result<WebServer, NodeError> {
    options.assets.check().map_err(NodeError::Web)?;
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| NodeError::Web(format!("cannot listen on {}: {e}", options.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| NodeError::Web(e.to_string()))?;
    let url =
        url::Url::parse(&format!("ws://{addr}/sync")).map_err(|e| NodeError::Web(e.to_string()))?;
    let acceptor = node
        .repo()
        .make_acceptor(url)
        .map_err(|_| NodeError::Stopped)?;
    let state = AppState {
        node,
        assets: options.assets,
        acceptor: acceptor.clone(),
        challenges: Arc::default(),
        knocks: Arc::default(),
    };
    let app = Router::new()
        .route("/", get(index))
        .route("/api/challenge", get(challenge))
        .route("/api/knock", post(knock))
        .route("/sync", get(sync_socket))
        .route("/{*path}", get(file))
        .with_state(state);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tracing::info!(%addr, "serving the web app to tablets");
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "web server error");
        }
        acceptor.close();
    });
    Ok(WebServer {
        addr,
        shutdown: Some(tx),
        task,
    })
}

/// A plain-text answer.
pub fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    let mut t = text.into();
    t.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        t,
    )
        .into_response()
}

/// A file of the web app as an HTTP response (its gzip copy where the
/// browser accepts one: the wasm is a third of its size compressed). The
/// relay serves the app with this too.
pub fn file_response(assets: &WebAssets, path: &str, headers: &axum::http::HeaderMap) -> Response {
    let gzip_ok = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mime = content_type(path).to_string();
    if gzip_ok {
        if let Some((bytes, _)) = assets.get(&format!("{path}.gz")) {
            return (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CONTENT_ENCODING, "gzip".to_string()),
                    (header::VARY, "accept-encoding".to_string()),
                    (header::CACHE_CONTROL, "no-cache".to_string()),
                ],
                bytes,
            )
                .into_response();
        }
    }
    match assets.get(path) {
        // The service worker decides what is cached; the network copy is
        // always checked.
        Some((bytes, mime)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::VARY, "accept-encoding".to_string()),
                (header::CACHE_CONTROL, "no-cache".to_string()),
            ],
            bytes,
        )
            .into_response(),
        None => plain(StatusCode::NOT_FOUND, format!("no such file: /{path}")),
    }
}

async fn index(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    file_response(&state.assets, "index.html", &headers)
}

async fn file(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    file_response(&state.assets, &path, &headers)
}

async fn challenge(State(state): State<AppState>) -> Response {
    let Ok(bytes) = crate::identity::random::<16>() else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "no randomness");
    };
    let c = hex_encode(&bytes);
    let mut map = state.challenges.lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, at| at.elapsed() < CHALLENGE_TTL);
    if map.len() >= MAX_CHALLENGES {
        // Drop the oldest: a flood of requests cannot grow memory.
        if let Some(oldest) = map
            .iter()
            .min_by_key(|(_, at)| **at)
            .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
    }
    map.insert(c.clone(), Instant::now());
    plain(StatusCode::OK, c)
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A browser's join records for a space, hex-encoded.
#[derive(Debug, Serialize, Deserialize)]
pub struct WebKnock {
    /// The space.
    pub space: DocId,
    /// The invite and join records (hex of their bytes).
    pub records: Vec<String>,
}

async fn knock(State(state): State<AppState>, body: Bytes) -> Response {
    if body.len() > MAX_KNOCK_BYTES {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "a knock is at most 64 KiB");
    }
    {
        let mut recent = state.knocks.lock().unwrap_or_else(|p| p.into_inner());
        while recent
            .front()
            .is_some_and(|t| t.elapsed() > Duration::from_secs(60))
        {
            recent.pop_front();
        }
        if recent.len() >= KNOCKS_PER_MINUTE {
            return plain(
                StatusCode::TOO_MANY_REQUESTS,
                "too many joins this minute; try again shortly",
            );
        }
        recent.push_back(Instant::now());
    }
    let knock: WebKnock = match serde_json::from_slice(&body) {
        Ok(k) => k,
        Err(e) => return plain(StatusCode::BAD_REQUEST, format!("malformed knock: {e}")),
    };
    let mut records = Vec::new();
    for h in &knock.records {
        match hex::decode(h) {
            Ok(b) => records.push(b),
            Err(_) => return plain(StatusCode::BAD_REQUEST, "a record is not hex"),
        }
    }
    // The join record's author is the device knocking: a forged or
    // replayed knock can only admit the device that signed it.
    let Some(author) = records
        .last()
        .and_then(|b| yoriai_crdt::record::SignedRecord::decode(b).ok())
        .map(|r| r.body.author)
    else {
        return plain(StatusCode::BAD_REQUEST, "no join record");
    };
    match crate::lan::admit_join(&state.node, author, knock.space, records).await {
        Ok(crate::lan::KnockReply::Admitted) => plain(StatusCode::OK, "admitted"),
        Ok(crate::lan::KnockReply::NotHere) => plain(
            StatusCode::NOT_FOUND,
            "this device does not hold that space",
        ),
        Ok(crate::lan::KnockReply::Refused { reason }) => plain(StatusCode::FORBIDDEN, reason),
        Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// The browser's proof of its key.
#[derive(Debug, Deserialize)]
struct SyncAuth {
    member: String,
    challenge: String,
    sig: String,
}

async fn sync_socket(
    State(state): State<AppState>,
    auth: Result<Query<SyncAuth>, axum::extract::rejection::QueryRejection>,
    ws: WebSocketUpgrade,
) -> Response {
    let Ok(Query(auth)) = auth else {
        return plain(
            StatusCode::UNAUTHORIZED,
            "sign a challenge from /api/challenge and pass member, challenge and sig",
        );
    };
    let Ok(member) = auth.member.parse::<MemberId>() else {
        return plain(StatusCode::BAD_REQUEST, "member is not a member id");
    };
    let fresh = {
        let mut map = state.challenges.lock().unwrap_or_else(|p| p.into_inner());
        // One use only.
        map.remove(&auth.challenge)
            .is_some_and(|at| at.elapsed() < CHALLENGE_TTL)
    };
    if !fresh {
        return plain(StatusCode::UNAUTHORIZED, "unknown or expired challenge");
    }
    if !verify_challenge(&member, &auth.challenge, &auth.sig) {
        tracing::warn!(member = %member.short(), "a browser's challenge signature did not verify");
        return plain(
            StatusCode::UNAUTHORIZED,
            "the signature does not match the member key",
        );
    }
    let peer = samod::PeerId::from(web_peer_id(&member));
    tracing::info!(member = %member.short(), "a browser connected");
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            // samod closes the connection if the browser calls itself
            // anything but the member it proved to be.
            let transport = samod::Transport::from_axum(socket).with_expected_peer_id(peer);
            if state.acceptor.accept(transport).is_err() {
                tracing::warn!("refused a browser: the sync engine is stopping");
            }
        })
}

/// The addresses tablets can open: `http://ADDR:PORT/#join=CODE` for each
/// of this machine's IPv4 addresses on the LAN when listening on all of
/// them (loopback last), or the one address listened on.
pub fn join_urls(
    listening: SocketAddr,
    invitation: &yoriai_crdt::invitation::Invitation,
) -> Vec<String> {
    let port = listening.port();
    let mut ips: Vec<std::net::IpAddr> = if listening.ip().is_unspecified() {
        let mut v: Vec<std::net::IpAddr> = netdev::get_interfaces()
            .into_iter()
            .flat_map(|i| i.ipv4.into_iter().map(|n| std::net::IpAddr::V4(n.addr())))
            .filter(|ip| !ip.is_loopback())
            .collect();
        v.push(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
        v
    } else {
        vec![listening.ip()]
    };
    ips.dedup();
    ips.into_iter()
        .map(|ip| {
            let host = match ip {
                std::net::IpAddr::V6(v6) => format!("[{v6}]"),
                v4 => v4.to_string(),
            };
            invitation.to_web_address(&format!("http://{host}:{port}"))
        })
        .collect()
}
