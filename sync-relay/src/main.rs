//! `yoriai-relay --listen 127.0.0.1:8080 --data DIR --open`
//!
//! Settings come from flags, then environment variables, then an optional
//! TOML file (`--config FILE`), then defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser};
use serde::Deserialize;
use yoriai_relay::{serve, Limits, RelayConfig};

#[derive(Parser, Debug)]
#[command(
    name = "yoriai-relay",
    version,
    about = "Yoriai relay: syncs spaces between devices over WebSocket"
)]
struct Args {
    /// A TOML file with any of the settings below (flags and environment win).
    #[arg(long, env = "YORIAI_RELAY_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "YORIAI_RELAY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory for the relay's store.
    #[arg(long, env = "YORIAI_RELAY_DATA")]
    data: Option<PathBuf>,
    /// Host any document (a workshop relay, or a test).
    #[arg(long, env = "YORIAI_RELAY_OPEN")]
    open: bool,
    /// Host this space and its projects (repeatable).
    #[arg(
        long = "host-space",
        env = "YORIAI_RELAY_HOST_SPACES",
        value_delimiter = ','
    )]
    host_spaces: Vec<yoriai_crdt::DocId>,
    /// The web app's folder (`ui/dist`, built by scripts/build-ui.sh),
    /// served to browsers at `/`.
    #[arg(long, env = "YORIAI_RELAY_WEB")]
    web: Option<PathBuf>,
    /// Do not serve the web app (sync only).
    #[arg(long, env = "YORIAI_RELAY_NO_WEB")]
    no_web: bool,
    /// Largest sync message accepted, in bytes.
    #[arg(long, env = "YORIAI_RELAY_MAX_MESSAGE_BYTES", default_value_t = Limits::default().max_message_bytes)]
    max_message_bytes: usize,
    /// Messages one connection may send per second.
    #[arg(long, env = "YORIAI_RELAY_MAX_MESSAGES_PER_SECOND", default_value_t = Limits::default().max_messages_per_second)]
    max_messages_per_second: u32,
    /// Open connections allowed from one address.
    #[arg(long, env = "YORIAI_RELAY_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = Limits::default().max_connections_per_address)]
    max_connections_per_address: usize,
    /// Stored bytes of one document; beyond it the document is read-only.
    #[arg(long, env = "YORIAI_RELAY_MAX_DOCUMENT_BYTES", default_value_t = Limits::default().max_document_bytes)]
    max_document_bytes: u64,
    /// Log format: text or json.
    #[arg(long, env = "YORIAI_RELAY_LOG_FORMAT", default_value = "text")]
    log_format: String,
}

/// The config file: the same settings, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    listen: Option<SocketAddr>,
    data: Option<PathBuf>,
    open: Option<bool>,
    host_spaces: Option<Vec<String>>,
    max_message_bytes: Option<usize>,
    max_messages_per_second: Option<u32>,
    max_connections_per_address: Option<usize>,
    max_document_bytes: Option<u64>,
    log_format: Option<String>,
    web: Option<PathBuf>,
    no_web: Option<bool>,
}

fn settings() -> Result<(Args, PathBuf), String> {
    let matches = Args::command().get_matches();
    let mut args = Args::from_arg_matches(&matches).map_err(|e| e.to_string())?;
    let given = |id: &str| {
        matches!(
            matches.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    };
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file: FileConfig =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if let (false, Some(v)) = (given("listen"), file.listen) {
            args.listen = v;
        }
        if let (false, Some(v)) = (given("data"), file.data) {
            args.data = Some(v);
        }
        if let (false, Some(v)) = (given("open"), file.open) {
            args.open = v;
        }
        if let (false, Some(v)) = (given("host_spaces"), file.host_spaces) {
            args.host_spaces = v
                .iter()
                .map(|s| {
                    s.parse()
                        .map_err(|e| format!("{}: host-spaces: {e}", path.display()))
                })
                .collect::<Result<_, _>>()?;
        }
        if let (false, Some(v)) = (given("max_message_bytes"), file.max_message_bytes) {
            args.max_message_bytes = v;
        }
        if let (false, Some(v)) = (
            given("max_messages_per_second"),
            file.max_messages_per_second,
        ) {
            args.max_messages_per_second = v;
        }
        if let (false, Some(v)) = (
            given("max_connections_per_address"),
            file.max_connections_per_address,
        ) {
            args.max_connections_per_address = v;
        }
        if let (false, Some(v)) = (given("max_document_bytes"), file.max_document_bytes) {
            args.max_document_bytes = v;
        }
        if let (false, Some(v)) = (given("log_format"), file.log_format) {
            args.log_format = v;
        }
        if let (false, Some(v)) = (given("web"), file.web) {
            args.web = Some(v);
        }
        if let (false, Some(v)) = (given("no_web"), file.no_web) {
            args.no_web = v;
        }
    }
    let data = args
        .data
        .clone()
        .ok_or("say where to keep the store: --data DIR (or data = \"DIR\" in the config file)")?;
    Ok((args, data))
}

#[tokio::main]
async fn main() {
    let (args, data) = match settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("yoriai-relay: {e}");
            std::process::exit(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    match args.log_format.as_str() {
        "json" => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
        "text" => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
        other => {
            eprintln!("yoriai-relay: unknown log format '{other}' (text or json)");
            std::process::exit(2);
        }
    }
    let web = if args.no_web {
        None
    } else {
        let assets = yoriai_node::web::WebAssets::Dir(
            args.web
                .clone()
                .unwrap_or_else(yoriai_node::web::WebAssets::default_dir),
        );
        match assets.check() {
            Ok(()) => Some(assets),
            Err(e) => {
                // Syncing matters more than the page: start without it.
                tracing::warn!("not serving the web app: {e}");
                None
            }
        }
    };
    let relay = match serve(RelayConfig {
        listen: args.listen,
        data: data.clone(),
        open: args.open,
        host_spaces: args.host_spaces.clone(),
        limits: Limits {
            max_message_bytes: args.max_message_bytes,
            max_messages_per_second: args.max_messages_per_second,
            max_connections_per_address: args.max_connections_per_address,
            max_document_bytes: args.max_document_bytes,
        },
        web,
    })
    .await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("yoriai-relay: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "yoriai-relay listening on {} (store in {})",
        relay.url(),
        data.display()
    );
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("yoriai-relay: cannot watch for SIGTERM: {e}");
            std::process::exit(1);
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("stopping: flushing storage");
    relay.shutdown().await;
}
