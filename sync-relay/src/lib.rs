//! # yoriai-relay: a Yoriai node with a server policy
//!
//! Serves the automerge-repo sync protocol over WebSocket at `/` (where
//! automerge-repo clients expect it) and `/healthz`, storing documents in
//! the node's SQLite store. [`serve`] starts it and returns a [`Relay`]
//! handle; `main.rs` is the command line around it.
//!
//! This first version hosts any document (`--open`, as a standard
//! automerge-repo sync server does, for a workshop or a test). Hosting only
//! chosen spaces, limits, metrics and structured logs come next
//! (issue #3); until then the relay refuses to start without `--open`
//! rather than pretend to filter.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use samod::{AcceptorHandle, Repo};
use yoriai_node::store::Store;

/// What the relay needs to start.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Address to listen on (127.0.0.1:0 picks a free port).
    pub listen: SocketAddr,
    /// Directory of its store.
    pub data: PathBuf,
    /// Host any document.
    pub open: bool,
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
    #[error("choose what to host: --open hosts any document (hosting chosen spaces only is not available yet)")]
    NoPolicy,
    /// The sync engine stopped.
    #[error("the sync engine stopped")]
    Stopped,
}

#[derive(Clone)]
struct AppState {
    acceptor: AcceptorHandle,
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
    if !config.open {
        return Err(RelayError::NoPolicy);
    }
    std::fs::create_dir_all(&config.data).map_err(|source| RelayError::Data {
        path: config.data.clone(),
        source,
    })?;
    let store = Store::open(&config.data.join("relay.db"))?;
    let repo = Repo::build_tokio().with_storage(store).load().await;
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
    let app = Router::new()
        .route("/", get(sync_socket))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(AppState { acceptor });
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            eprintln!("yoriai-relay: server error: {e}");
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

async fn sync_socket(ws: WebSocketUpgrade, State(state): State<AppState>) -> impl IntoResponse {
    ws.on_upgrade(move |socket| async move {
        // samod's I/O loop owns the socket from here on.
        if state.acceptor.accept_axum(socket, None).is_err() {
            eprintln!("yoriai-relay: refused a connection: the sync engine is stopping");
        }
    })
}
