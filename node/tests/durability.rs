//! Acknowledged changes survive `kill -9`.
//!
//! A writer process posts ideas one command at a time; each command prints
//! the idea's id only after the node has flushed it. The test kills writers
//! with SIGKILL at random moments, over and over, then checks that every
//! acknowledged idea is there and that SQLite's integrity check passes.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn yoriai(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yoriai"));
    c.arg("--home").arg(home).arg("--json");
    c
}

fn id_of(stdout: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(stdout).ok()?;
    v["id"].as_str().map(str::to_string)
}

#[test]
fn every_acknowledged_change_survives_sigkill() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let out = yoriai(home)
        .args(["space", "create", "S"])
        .output()
        .expect("run");
    let space = id_of(&out.stdout).expect("space id");
    let out = yoriai(home)
        .args(["project", "create", &space, "P", "--phases", "ideas"])
        .output()
        .expect("run");
    let project = id_of(&out.stdout).expect("project id");

    let mut acknowledged: HashSet<String> = HashSet::new();
    let mut killed = 0;
    // A cheap deterministic sequence of kill delays (ms).
    let mut delay = 7u64;
    let started = Instant::now();
    for round in 0..40 {
        let mut child = yoriai(home)
            .args(["idea", "add", &project, &format!("idea number {round}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        delay = (delay * 37 + 11) % 60;
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let status = child.wait().expect("wait");
        let mut stdout = Vec::new();
        if let Some(mut s) = child.stdout.take() {
            s.read_to_end(&mut stdout).expect("read");
        }
        if status.success() {
            acknowledged.insert(id_of(&stdout).expect("an acknowledged change prints its id"));
        }
        if started.elapsed() > Duration::from_secs(120) {
            break;
        }
    }
    assert!(killed > 0, "the test must actually kill writers");
    assert!(!acknowledged.is_empty(), "some writes must complete");

    let out = yoriai(home)
        .args(["show", &project])
        .output()
        .expect("show");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let present: HashSet<String> = shown["project"]["ideas"]
        .as_array()
        .expect("ideas")
        .iter()
        .filter_map(|i| i["card"]["id"].as_str().map(str::to_string))
        .collect();
    let lost: Vec<&String> = acknowledged.difference(&present).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    let check = rusqlite_integrity(&home.join("yoriai.db"));
    assert_eq!(check, "ok");
    eprintln!(
        "durability: {} acknowledged, {killed} killed, {} present",
        acknowledged.len(),
        present.len()
    );
}

fn rusqlite_integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check")
}
