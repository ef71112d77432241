//! `yoriai-relay --listen 127.0.0.1:8080 --data DIR --open`

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use yoriai_relay::{serve, Limits, RelayConfig};

#[derive(Parser, Debug)]
#[command(
    name = "yoriai-relay",
    version,
    about = "Yoriai relay: syncs spaces between devices over WebSocket"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "YORIAI_RELAY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory for the relay's store.
    #[arg(long, env = "YORIAI_RELAY_DATA")]
    data: PathBuf,
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
    /// Largest sync message accepted, in bytes.
    #[arg(long, env = "YORIAI_RELAY_MAX_MESSAGE_BYTES", default_value_t = Limits::default().max_message_bytes)]
    max_message_bytes: usize,
    /// Messages one connection may send per second.
    #[arg(long, env = "YORIAI_RELAY_MAX_MESSAGES_PER_SECOND", default_value_t = Limits::default().max_messages_per_second)]
    max_messages_per_second: u32,
    /// Open connections allowed from one address.
    #[arg(long, env = "YORIAI_RELAY_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = Limits::default().max_connections_per_address)]
    max_connections_per_address: usize,
    /// Log format: text or json.
    #[arg(long, env = "YORIAI_RELAY_LOG_FORMAT", default_value = "text")]
    log_format: String,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
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
            eprintln!("yoriai-relay: unknown --log-format '{other}' (text or json)");
            std::process::exit(2);
        }
    }
    let relay = match serve(RelayConfig {
        listen: args.listen,
        data: args.data.clone(),
        open: args.open,
        host_spaces: args.host_spaces.clone(),
        limits: Limits {
            max_message_bytes: args.max_message_bytes,
            max_messages_per_second: args.max_messages_per_second,
            max_connections_per_address: args.max_connections_per_address,
        },
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
        args.data.display()
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
