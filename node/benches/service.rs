//! What the desktop app waits for (issue #5's targets), measured at the
//! node's API, in-process as the app runs it:
//! - cold start: open the node (SQLite home), start the service, answer
//!   the session and the space home of the demo space;
//! - opening a project of 10,000 comments on 500 ideas (the project page),
//!   and one idea's page (20 comments);
//! - its insight tab (topics and the quoted summary of 10,500 posts).
//!
//! Run: `cargo bench -p yoriai-node --bench service`. The webview's own
//! part (loading the wasm UI and drawing) is measured by `bench/app.sh`.
//! Results: `docs/benchmarks.md`.
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use yoriai_crdt::api::{Request, Response};
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::DocId;
use yoriai_node::service::{Service, ServiceOptions};
use yoriai_node::Node;

const IDEAS: usize = 500;
const COMMENTS: usize = 10_000;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

async fn big_project(node: &Node) -> (DocId, DocId, yoriai_crdt::RecordId) {
    let (space, project, idea) = yoriai_node::demo::big(node, IDEAS, COMMENTS)
        .await
        .expect("the big project");
    (space, project, idea.expect("an idea"))
}

fn bench(c: &mut Criterion) {
    let rt = rt();
    let dir = tempfile::tempdir().expect("dir");

    // The demo space, then cold starts on it.
    let demo_home = dir.path().join("demo");
    let demo_space = rt.block_on(async {
        let node = Node::open(&demo_home).await.expect("open");
        let (space, _) = yoriai_node::demo::seed(&node).await.expect("demo");
        node.close().await;
        space
    });
    c.bench_function("cold start: open, session, space home (demo)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let node = Arc::new(Node::open(&demo_home).await.expect("open"));
                let service = Service::start(node, ServiceOptions::default()).await;
                let s = service.handle(Request::Session).await.expect("session");
                assert!(matches!(s, Response::Session(_)));
                let home = service
                    .handle(Request::Space { space: demo_space })
                    .await
                    .expect("space home");
                assert!(matches!(home, Response::Space(_)));
                let node = service.shutdown().await;
                node.close().await;
            })
        })
    });

    let big_home = dir.path().join("big");
    let t = Instant::now();
    let (service, project, idea) = rt.block_on(async {
        let node = Arc::new(Node::open(&big_home).await.expect("open"));
        let (_, project, idea) = big_project(&node).await;
        (
            Service::start(node, ServiceOptions::default()).await,
            project,
            idea,
        )
    });
    eprintln!(
        "built {IDEAS} ideas and {COMMENTS} comments through the node in {:.1?}",
        t.elapsed()
    );
    let page = rt
        .block_on(service.handle(Request::Project {
            project,
            sort: IdeaSort::Supports,
        }))
        .expect("page");
    if let Response::Project(p) = &page {
        assert_eq!(p.ideas.len(), IDEAS);
        assert_eq!(p.overview.comments as usize, COMMENTS);
        eprintln!(
            "project page: {} bytes as JSON",
            serde_json::to_string(&page).map(|s| s.len()).unwrap_or(0)
        );
    }
    c.bench_function("project page, 10,000 comments", |b| {
        b.iter(|| {
            rt.block_on(service.handle(Request::Project {
                project,
                sort: IdeaSort::Supports,
            }))
            .expect("page")
        })
    });
    c.bench_function("idea page (20 comments) in a project of 10,000", |b| {
        b.iter(|| {
            rt.block_on(service.handle(Request::Idea { project, idea }))
                .expect("idea")
        })
    });
    c.bench_function("insight page (topics and summary of 10,500 posts)", |b| {
        b.iter(|| {
            rt.block_on(service.handle(Request::Insight { project }))
                .expect("insight")
        })
    });
    c.bench_function("project page as JSON (what crosses to the webview)", |b| {
        b.iter(|| serde_json::to_string(&page).map(|s| s.len()))
    });

    // The first open after the app starts: the home opened, the document
    // loaded from SQLite and judged (signatures verified before are
    // trusted, as the node remembers them), the page built.
    rt.block_on(async { service.shutdown().await.close().await });
    c.bench_function(
        "project page, first open after a restart (10,000 comments)",
        |b| {
            b.iter(|| {
                rt.block_on(async {
                    let node = Arc::new(Node::open(&big_home).await.expect("open"));
                    let service = Service::start(node, ServiceOptions::default()).await;
                    let page = service
                        .handle(Request::Project {
                            project,
                            sort: IdeaSort::Supports,
                        })
                        .await
                        .expect("page");
                    assert!(matches!(page, Response::Project(_)));
                    service.shutdown().await.close().await;
                })
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
