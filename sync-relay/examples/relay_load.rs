//! Relay benchmark (issue #3). Run with `bench/relay.sh`.
//!
//! 1. A fresh client fetches a Yoriai project of 10,000 changes (one signed
//!    comment each) through the relay.
//! 2. N clients each make 6 changes a second to one shared document while
//!    an observer client measures how long each change takes to reach it
//!    (p50/p99). N grows until p99 passes 100 ms.
//!
//! Relay and clients run in this one process on this machine (loopback),
//! so the figures include the clients' own work.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use samod::Repo;
use yoriai_crdt::automerge::transaction::Transactable;
use yoriai_crdt::automerge::{ActorId, Automerge, ReadDoc, ScalarValue, ROOT};
use yoriai_crdt::command::{self, apply_project, NewPhase, NewProject};
use yoriai_crdt::comment::Stance;
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::{Actor, DeviceKey, ProjectCommand, ProjectState, SpaceState};
use yoriai_relay::{serve, Limits, RelayConfig};

/// A client repo connected to the relay, and its dialer.
async fn connect(url: &str) -> (Repo, samod::DialerHandle<std::convert::Infallible>) {
    let repo = Repo::build_tokio().load().await;
    let d = repo
        .dial_websocket(
            url::Url::parse(url).expect("url"),
            samod::BackoffConfig::default(),
        )
        .expect("dial");
    d.established().await.expect("connected");
    (repo, d)
}

async fn client(url: &str) -> Repo {
    connect(url).await.0
}

fn project_of(changes: usize) -> Automerge {
    let key = DeviceKey::from_secret([1; 32]);
    let actor = Actor {
        key: &key,
        now_ms: 1_764_000_000_000,
    };
    let (space_id, mut space_doc) = command::create_space(
        &actor,
        ActorId::from([1u8; 16]),
        "Bench",
        "Aiko",
        &[],
        [1; 16],
    )
    .expect("space");
    let space = SpaceState::from_doc(&space_doc, space_id).expect("space");
    let (pid, mut doc) = command::create_project(
        &mut space_doc,
        &space,
        &actor,
        ActorId::from([2u8; 16]),
        &NewProject {
            title: "Bench".into(),
            description: String::new(),
            phases: vec![NewPhase {
                kind: PhaseKind::Discussion,
                title: "Discussion".into(),
            }],
        },
        [2; 16],
    )
    .expect("project");
    let space = SpaceState::from_doc(&space_doc, space_id).expect("space");
    let mut state = ProjectState::from_doc(&doc, pid, &space).expect("state");
    for i in 0..changes {
        let actor = Actor {
            key: &key,
            now_ms: 1_764_000_000_000 + i as i64,
        };
        apply_project(
            &mut doc,
            &space,
            &mut state,
            &actor,
            ProjectCommand::Comment {
                target: None,
                reply_to: None,
                stance: Stance::Neutral,
                text: format!(
                    "Comment number {i}: the park needs more shade and benches near the pond."
                ),
                official: false,
            },
        )
        .expect("comment");
    }
    doc
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let data = std::env::temp_dir().join(format!("yoriai-relay-bench-{}", std::process::id()));
    let relay = serve(RelayConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data: data.clone(),
        open: true,
        host_spaces: vec![],
        web: None,
        limits: Limits {
            max_connections_per_address: 10_000,
            // Each client acknowledges every message it receives, so its
            // rate grows with the number of writers: measure the relay, not
            // the per-connection limit.
            max_messages_per_second: 1_000_000,
            ..Limits::default()
        },
    })
    .await
    .expect("relay");
    let url = relay.url();

    // 1. Fetch a 10,000-change project.
    let built = Instant::now();
    let doc = project_of(10_000);
    let bytes = doc.save().len();
    println!(
        "fetch: built a project of {} changes ({} bytes saved) in {:.1} s",
        doc.get_changes(&[]).len(),
        bytes,
        built.elapsed().as_secs_f64()
    );
    let (writer, dialer) = connect(&url).await;
    let handle = writer.create(doc).await.expect("create");
    let conn = dialer.connection_id().expect("connection");
    let pushed = Instant::now();
    handle.they_have_our_changes(conn).await;
    println!(
        "fetch: upload to the relay took {:.0} ms",
        pushed.elapsed().as_secs_f64() * 1e3
    );
    let reader = client(&url).await;
    let started = Instant::now();
    let got = reader
        .find(handle.document_id().clone())
        .await
        .expect("running")
        .expect("found");
    let n = got.with_document(|d| d.get_changes(&[]).len());
    println!(
        "fetch: a fresh client fetched {n} changes through the relay in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    writer.stop().await;
    reader.stop().await;

    // 2. Propagation latency under load.
    let base = Instant::now();
    let mut sustained = 0;
    for clients in [5usize, 10, 15, 20, 25, 50, 100] {
        let (owner, owner_dialer) = connect(&url).await;
        let shared = owner.create(Automerge::new()).await.expect("shared");
        let id = shared.document_id().clone();
        // Others can find it once the relay has it.
        shared
            .they_have_our_changes(owner_dialer.connection_id().expect("connection"))
            .await;
        let observer = client(&url).await;
        let seen = observer
            .find(id.clone())
            .await
            .expect("running")
            .expect("found");
        let mut writers = Vec::new();
        for _ in 0..clients {
            let r = client(&url).await;
            let h = r.find(id.clone()).await.expect("running").expect("found");
            writers.push((r, h));
        }
        let latencies = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let latencies = latencies.clone();
            let seen = seen.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut changes = seen.changes();
                let mut last: std::collections::HashMap<String, i64> = Default::default();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if tokio::time::timeout(Duration::from_millis(200), changes.next())
                        .await
                        .is_err()
                    {
                        continue;
                    }
                    let now = base.elapsed().as_micros() as i64;
                    let values: Vec<(String, i64)> = seen.with_document(|d| {
                        d.map_range(ROOT, ..)
                            .filter_map(|item| match item.value {
                                yoriai_crdt::automerge::ValueRef::Scalar(
                                    yoriai_crdt::automerge::ScalarValueRef::Int(v),
                                ) => Some((item.key.to_string(), v)),
                                _ => None,
                            })
                            .collect()
                    });
                    let mut l = latencies.lock().expect("lock");
                    for (k, v) in values {
                        if last.get(&k) != Some(&v) {
                            last.insert(k, v);
                            l.push((now - v) as f64 / 1000.0);
                        }
                    }
                }
            })
        };
        let mut tasks = Vec::new();
        for (i, (_, h)) in writers.iter().enumerate() {
            let h = h.clone();
            let stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                // Spread the writers over the first 1/6 s.
                tokio::time::sleep(Duration::from_micros((i as u64 * 166_000) / clients as u64))
                    .await;
                let mut tick = tokio::time::interval(Duration::from_micros(166_667));
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    tick.tick().await;
                    let now = base.elapsed().as_micros() as i64;
                    h.with_document(|d| {
                        let mut tx = d.transaction();
                        let _ = tx.put(ROOT, format!("w{i}"), ScalarValue::Int(now));
                        tx.commit();
                    });
                }
            }));
        }
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        let _ = watcher.await;
        let mut l = latencies.lock().expect("lock").clone();
        l.sort_by(|a, b| a.total_cmp(b));
        let expected = clients as f64 * 6.0 * seconds as f64;
        let (p50, p99) = (percentile(&l, 0.5), percentile(&l, 0.99));
        println!(
            "load: {clients:>4} clients x 6 changes/s: {} of ~{:.0} changes observed, p50 {:.1} ms, p99 {:.1} ms",
            l.len(),
            expected,
            p50,
            p99
        );
        for (r, _) in writers {
            r.stop().await;
        }
        observer.stop().await;
        owner.stop().await;
        if p99 < 100.0 {
            sustained = clients;
        } else {
            break;
        }
    }
    println!("load: largest N with p99 < 100 ms: {sustained}");
    relay.shutdown().await;
    let _ = std::fs::remove_dir_all(&data);
}
