//! `yoriai-relay --listen 127.0.0.1:8080 --data DIR --open`

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use yoriai_relay::{serve, RelayConfig};

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
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let relay = match serve(RelayConfig {
        listen: args.listen,
        data: args.data.clone(),
        open: args.open,
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
    println!("yoriai-relay: stopping (flushing storage)");
    relay.shutdown().await;
}
