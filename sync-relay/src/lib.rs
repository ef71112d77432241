//! # yoriai-relay: a Yoriai node with a server policy
//!
//! Serves the automerge-repo sync protocol over WebSocket at `/` (where
//! automerge-repo clients expect it) and `/sync` (where the web app dials
//! it), the web app itself to browsers (the same page a facilitator's
//! laptop serves), and `/healthz`, storing documents in the node's SQLite
//! store. [`serve`] starts it and returns a [`Relay`]
//! handle; `main.rs` is the command line around it.
//!
//! Each connection is guarded ([`guard`]): message size, message rate and
//! connections per address are limited, refusals are logged and counted,
//! and `/metrics` exports Prometheus text.
//!
//! What it hosts is [`hosting::Hosting`]: any document (`--open`, as a
//! standard automerge-repo sync server does, for a workshop or a test), or
//! chosen spaces and the projects they list (`--host-space`).

pub mod guard;
pub mod hosting;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use samod::{AcceptorHandle, Repo};
use yoriai_node::store::Store;

pub use guard::{Limits, Metrics};

/// What the relay needs to start.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Address to listen on (127.0.0.1:0 picks a free port).
    pub listen: SocketAddr,
    /// Directory of its store.
    pub data: PathBuf,
    /// Host any document.
    pub open: bool,
    /// Host these spaces and their projects (when not `open`).
    pub host_spaces: Vec<yoriai_crdt::DocId>,
    /// Per-connection and per-address limits.
    pub limits: Limits,
    /// Serve the web app (residents open the relay's address in a browser
    /// and sync from there); `None`: sync only.
    pub web: Option<yoriai_node::web::WebAssets>,
}

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// Its store.
    #[error(transparent)]
    Store(#[from] yoriai_node::StoreError),
    /// The address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// Its data directory.
    #[error("cannot use the data directory {}: {source}", path.display())]
    Data {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// No hosting policy chosen.
    #[error("choose what to host: --open hosts any document, --host-space ID hosts that space and its projects")]
    NoPolicy,
    /// The sync engine stopped.
    #[error("the sync engine stopped")]
    Stopped,
}

#[derive(Clone)]
struct AppState {
    acceptor: AcceptorHandle,
    limits: Limits,
    metrics: Arc<Metrics>,
    slots: guard::Slots,
    store: Store,
    registry: Arc<prometheus_client::registry::Registry>,
    web: Option<yoriai_node::web::WebAssets>,
}

/// A running relay.
#[derive(Debug)]
pub struct Relay {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The WebSocket URL clients dial.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Stop accepting, close connections, flush storage, and return.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Start a relay.
pub async fn serve(config: RelayConfig) -> Result<Relay, RelayError> {
    if !config.open && config.host_spaces.is_empty() {
        return Err(RelayError::NoPolicy);
    }
    std::fs::create_dir_all(&config.data).map_err(|source| RelayError::Data {
        path: config.data.clone(),
        source,
    })?;
    let store = Store::open(&config.data.join("relay.db"))?;
    let metrics = Arc::new(Metrics::default());
    let initial = hosting::Allowed {
        hosted: (!config.open).then(|| {
            config
                .host_spaces
                .iter()
                .map(|s| hosting::document_id(*s))
                .collect()
        }),
        over_quota: Default::default(),
    };
    let (tx, rx) = tokio::sync::watch::channel(Arc::new(initial));
    let tx = Arc::new(tx);
    let repo = Repo::build_tokio()
        .with_storage(store.clone())
        .with_share_policy(hosting::Hosting {
            allowed: rx,
            metrics: metrics.clone(),
        })
        .load()
        .await;
    if !config.open {
        hosting::watch_spaces(
            repo.clone(),
            store.clone(),
            config.host_spaces.clone(),
            tx.clone(),
        );
    }
    hosting::watch_sizes(
        store.clone(),
        config.limits.max_document_bytes,
        std::time::Duration::from_millis(500),
        tx,
        metrics.clone(),
    );
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| RelayError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| RelayError::Listen {
        addr: config.listen,
        source,
    })?;
    let url = url::Url::parse(&format!("ws://{addr}/")).map_err(|_| RelayError::Stopped)?;
    let acceptor = repo.make_acceptor(url).map_err(|_| RelayError::Stopped)?;
    let registry = Arc::new(metrics.registry());
    let app = Router::new()
        .route("/", get(root))
        .route("/sync", get(root))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_text))
        .route("/{*path}", get(web_file))
        .with_state(AppState {
            acceptor,
            limits: config.limits,
            metrics,
            slots: guard::Slots::default(),
            store,
            registry,
            web: config.web,
        });
    tracing::info!(%addr, data = %config.data.display(), "relay listening");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "server error");
        }
        // Storage is flushed before the relay reports it has stopped.
        repo.stop().await;
    });
    Ok(Relay {
        addr,
        shutdown: Some(tx),
        task,
    })
}

/// `/` and `/sync`: the sync protocol for a WebSocket, the web app's page
/// for a browser.
async fn root(
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
    peer: ConnectInfo<SocketAddr>,
    state: State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    match ws {
        Ok(ws) => sync_socket(ws, peer, state).await,
        Err(_) => web_page(&state, "index.html", &headers),
    }
}

fn web_page(
    state: &AppState,
    path: &str,
    headers: &axum::http::HeaderMap,
) -> axum::response::Response {
    match &state.web {
        Some(assets) => yoriai_node::web::file_response(assets, path, headers),
        None => yoriai_node::web::plain(
            StatusCode::NOT_FOUND,
            "this relay syncs Yoriai devices; it does not serve the web app",
        ),
    }
}

async fn web_file(
    state: State<AppState>,
    axum::extract::Path(path): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    web_page(&state, &path, &headers)
}

async fn sync_socket(
    ws: WebSocketUpgrade,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<AppState>,
) -> axum::response::Response {
    let peer = peer.ip();
    let Some(slot) = state.slots.take(
        peer,
        state.limits.max_connections_per_address,
        &state.metrics,
    ) else {
        state.metrics.refuse(
            peer,
            "connections-per-address",
            &format!(
                "more than {} open connections",
                state.limits.max_connections_per_address
            ),
        );
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many connections from your address\n",
        )
            .into_response();
    };
    tracing::info!(%peer, "connection opened");
    // Let oversized frames through up to twice the limit so the guard can
    // name the reason; beyond that the socket itself refuses them.
    let frame_limit = state.limits.max_message_bytes.saturating_mul(2);
    ws.max_message_size(frame_limit)
        .max_frame_size(frame_limit)
        .on_upgrade(move |socket| async move {
            let transport =
                guard::guarded_transport(socket, peer, state.limits, state.metrics.clone(), slot);
            // samod's I/O loop owns the socket from here on.
            if state.acceptor.accept(transport).is_err() {
                tracing::warn!(%peer, "refused a connection: the sync engine is stopping");
            }
        })
}

async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok((docs, bytes)) = state.store.stats() {
        state.metrics.documents.set(docs as i64);
        state.metrics.stored_bytes.set(bytes as i64);
    }
    let mut text = String::new();
    match prometheus_client::encoding::text::encode(&mut text, &state.registry) {
        Ok(()) => (
            StatusCode::OK,
            [(
                "content-type",
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
