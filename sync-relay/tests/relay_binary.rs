//! The `yoriai-relay` binary: starts, serves, stops on SIGTERM with its
//! storage flushed, and starts again with everything.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use yoriai_crdt::ProjectCommand;
use yoriai_node::Node;

const T: Duration = Duration::from_secs(20);

fn start(data: &std::path::Path) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yoriai-relay"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--open", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .spawn()
        .expect("relay starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut line)
        .expect("banner");
    assert!(line.contains("listening on"), "{line}");
    (child, format!("ws://127.0.0.1:{port}"))
}

fn sigterm(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    child.wait().expect("wait")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_flushes_and_a_restart_keeps_everything() {
    let data = tempfile::tempdir().expect("tmp");
    let a_dir = tempfile::tempdir().expect("tmp");
    let (mut relay, url) = start(data.path());
    let a = Node::open(a_dir.path()).await.expect("a");
    let (space, project) = yoriai_node::demo::seed(&a).await.expect("demo");
    a.project_command(
        project,
        ProjectCommand::PostIdea {
            title: "Last one before the restart".into(),
            body: String::new(),
        },
    )
    .await
    .expect("idea");
    assert_eq!(a.sync_once(&url, T).await.expect("sync").synced, 2);
    let status = sigterm(&mut relay);
    assert!(status.success(), "graceful stop: {status:?}");

    let (mut relay, url) = start(data.path());
    let b_dir = tempfile::tempdir().expect("tmp");
    let b = Node::open(b_dir.path()).await.expect("b");
    let link = a
        .invite(
            space,
            yoriai_crdt::command::NewInvitation {
                role: yoriai_crdt::Role::Resident,
                max_uses: Some(1),
                note: String::new(),
                relays: vec![],
            },
        )
        .await
        .expect("invite")
        .to_link();
    a.sync_once(&url, T).await.expect("a pushes the invitation");
    b.join(&link, Some("Bob")).await.expect("join");
    let report = b.sync_once(&url, T).await.expect("b syncs");
    assert_eq!(report.fetched, 2, "{report:?}");
    let (_, on_a) = a.show(project).await.expect("show");
    let (_, on_b) = b.show(project).await.expect("show");
    assert_eq!(on_b.ideas.len(), 4);
    assert_eq!(on_b.ideas, on_a.ideas);
    assert!(sigterm(&mut relay).success());
    a.close().await;
    b.close().await;
}

#[test]
fn settings_come_from_a_config_file_and_flags_win() {
    let dir = tempfile::tempdir().expect("tmp");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let config = dir.path().join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:1\"\ndata = \"{}\"\nopen = true\nmax-messages-per-second = 50\n",
            dir.path().join("data").display()
        ),
    )
    .expect("write");
    // --listen on the command line wins over the file's.
    let mut child = Command::new(env!("CARGO_BIN_EXE_yoriai-relay"))
        .arg("--config")
        .arg(&config)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut line)
        .expect("banner");
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    assert!(
        dir.path().join("data/relay.db").exists(),
        "data came from the file"
    );
    assert!(sigterm(&mut child).success());

    // Mistakes are named.
    std::fs::write(&config, "lisen = \"127.0.0.1:9\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_yoriai-relay"))
        .arg("--config")
        .arg(&config)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lisen"));
    let out = Command::new(env!("CARGO_BIN_EXE_yoriai-relay"))
        .args(["--open"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data"));
}
