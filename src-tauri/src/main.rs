//! # yoriai-app: the desktop app
//!
//! A Tauri 2 shell: it opens the device's node in-process (its SQLite home
//! in the platform data directory, or `YORIAI_HOME`), runs the node
//! [`Service`] (LAN sync, the relay loop, change events), and carries the
//! typed API of `yoriai_crdt::api` between the Yew UI and the service: one
//! command, `api`, and one event, `yoriai-event`.
//!
//! Environment: `YORIAI_HOME` (another home, e.g. for a second window on
//! one machine or for tests), `YORIAI_LAN=off` (no LAN sync),
//! `YORIAI_TABLETS_LISTEN` (where "Let tablets join" serves; default
//! `0.0.0.0:8480`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{Emitter, Manager};
use yoriai_crdt::api::{ApiError, Event, Request, Response};
use yoriai_node::lan::LanOptions;
use yoriai_node::service::{Service, ServiceOptions};
use yoriai_node::Node;

/// The event name the UI listens on (`yoriai_ui::transport::EVENT_NAME`).
const EVENT_NAME: &str = "yoriai-event";

struct AppState(Arc<Service>);

/// The one command: a request in, a read model (or an error) out.
#[tauri::command]
async fn api(state: tauri::State<'_, AppState>, request: Request) -> Result<Response, ApiError> {
    state.0.handle(request).await
}

fn home(app: &tauri::App) -> anyhow::Result<PathBuf> {
    if let Some(h) = std::env::var_os("YORIAI_HOME") {
        return Ok(PathBuf::from(h));
    }
    Ok(app.path().app_data_dir()?.join("home"))
}

fn start(app: &mut tauri::App) -> anyhow::Result<()> {
    let home = home(app)?;
    let lan = match std::env::var("YORIAI_LAN").as_deref() {
        Ok("off") => None,
        _ => Some(LanOptions::default()),
    };
    // "Let tablets join" serves the same UI this window shows, from the
    // copy embedded in the app.
    let resolver = app.asset_resolver();
    let web = yoriai_node::web::WebAssets::Lookup(Arc::new(move |path: &str| {
        resolver
            .get_for_scheme(format!("/{path}"), false)
            .map(|a| (a.bytes, yoriai_node::web::content_type(path).to_string()))
    }));
    let tablets_listen = match std::env::var("YORIAI_TABLETS_LISTEN") {
        Ok(a) => Some(
            a.parse()
                .map_err(|e| anyhow::anyhow!("YORIAI_TABLETS_LISTEN={a}: {e}"))?,
        ),
        Err(_) => None,
    };
    let service = tauri::async_runtime::block_on(async {
        let node = Node::open(&home).await?;
        anyhow::Ok(
            Service::start(
                Arc::new(node),
                ServiceOptions {
                    lan,
                    web: Some(web),
                    tablets_listen,
                },
            )
            .await,
        )
    })?;
    tracing::info!("node open in {}", home.display());
    app.manage(AppState(service.clone()));
    let handle = app.handle().clone();
    let mut events = service.subscribe();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            let event = match events.recv().await {
                Ok(e) => e,
                // Missed some: everything on screen may have changed.
                Err(RecvError::Lagged(_)) => Event::Changed { docs: Vec::new() },
                Err(RecvError::Closed) => break,
            };
            if let Err(e) = handle.emit(EVENT_NAME, event) {
                tracing::warn!("event not delivered: {e}");
            }
        }
    });
    Ok(())
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,yoriai=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let app = tauri::Builder::default()
        .setup(|app| {
            if let Err(e) = start(app) {
                // Said plainly in the terminal; the window never opens
                // half-working (a store in use, a damaged store, a full disk).
                eprintln!("yoriai-app: cannot start: {e:#}");
                std::process::exit(1);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![api])
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("yoriai-app: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            // Stop syncing and release the home's lock before the process ends.
            if let Some(state) = handle.try_state::<AppState>() {
                let service = state.0.clone();
                tauri::async_runtime::block_on(async move {
                    let node = service.shutdown().await;
                    node.close().await;
                });
            }
        }
    });
}
