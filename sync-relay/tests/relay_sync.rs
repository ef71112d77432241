//! Two nodes and a relay on 127.0.0.1, all in one process.

use std::time::Duration;

use yoriai_crdt::command::{NewInvitation, NewPhase, NewProject};
use yoriai_crdt::comment::Stance;
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::vote::{BallotChoice, ConsentChoice, VoteMethod};
use yoriai_crdt::{ProjectCommand, Role};
use yoriai_node::Node;
use yoriai_relay::{serve, RelayConfig};

mod common;

use common::T;

async fn relay(dir: &std::path::Path) -> yoriai_relay::Relay {
    serve(RelayConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data: dir.to_path_buf(),
        open: true,
        host_spaces: vec![],
        web: None,
        limits: Default::default(),
    })
    .await
    .expect("relay starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_joins_by_link_through_the_relay_and_offline_edits_converge() {
    let relay_dir = tempfile::tempdir().expect("tmp");
    let a_dir = tempfile::tempdir().expect("tmp");
    let b_dir = tempfile::tempdir().expect("tmp");
    let relay = relay(relay_dir.path()).await;
    let url = relay.url();

    let a = Node::open(a_dir.path()).await.expect("a");
    a.set_display_name("Aiko").expect("name");
    let space = a
        .create_space("Sakura-chō", &["ja".into(), "en".into()])
        .await
        .expect("space");
    let project = a
        .create_project(
            space,
            &NewProject {
                title: "Park".into(),
                description: "How should the park change?".into(),
                phases: vec![
                    NewPhase {
                        kind: PhaseKind::Ideas,
                        title: "Ideas".into(),
                    },
                    NewPhase {
                        kind: PhaseKind::Decision,
                        title: "Decision".into(),
                    },
                ],
            },
        )
        .await
        .expect("project");
    let shade = a
        .project_command(
            project,
            ProjectCommand::PostIdea {
                title: "Shade".into(),
                body: "Trees on the south side".into(),
            },
        )
        .await
        .expect("idea");
    a.project_command(
        project,
        ProjectCommand::Comment {
            target: Some(shade),
            reply_to: None,
            stance: Stance::For,
            text: "Too hot in summer".into(),
            official: false,
        },
    )
    .await
    .expect("comment");
    let (_, state) = a.project(project).await.expect("state");
    let decision = state.phases()[1].id;
    a.project_command(
        project,
        ProjectCommand::SetPhaseState {
            phase: decision,
            state: PhaseState::Open,
        },
    )
    .await
    .expect("open");
    let vote = a
        .project_command(
            project,
            ProjectCommand::OpenVote {
                phase: None,
                title: "Adopt?".into(),
                method: VoteMethod::Consent,
                options: vec![],
            },
        )
        .await
        .expect("vote");
    let link = a
        .invite(
            space,
            NewInvitation {
                role: Role::Resident,
                max_uses: Some(1),
                note: String::new(),
                relays: vec![url.clone()],
            },
        )
        .await
        .expect("invite")
        .to_link();
    let report = a.sync_once(&url, T).await.expect("a syncs");
    assert_eq!(report.synced, 2, "{report:?}");

    // B joins with nothing but the link, then syncs.
    let b = Node::open(b_dir.path()).await.expect("b");
    assert!(!b.join(&link, Some("Bob")).await.expect("join").completed);
    let report = b.sync_once(&url, T).await.expect("b syncs");
    assert_eq!(
        report.fetched, 2,
        "the space and its project arrive: {report:?}"
    );
    assert!(report.unfinished.is_empty(), "{report:?}");
    let (space_b, on_b) = b.show(project).await.expect("b shows");
    assert!(space_b
        .members
        .iter()
        .any(|m| m.id == b.member() && m.role == Role::Resident));
    assert_eq!(on_b.ideas[0].card.title, "Shade");
    assert_eq!(
        on_b.ideas[0].comments[0].text.as_deref(),
        Some("Too hot in summer")
    );

    // A sees B as a member once it syncs again.
    a.sync_once(&url, T).await.expect("a syncs");
    assert!(a
        .space_overview(space)
        .await
        .expect("space")
        .members
        .iter()
        .any(|m| m.display_name == "Bob"));

    // Both edit while disconnected.
    b.project_command(
        project,
        ProjectCommand::PostIdea {
            title: "Benches".into(),
            body: String::new(),
        },
    )
    .await
    .expect("b idea");
    b.project_command(
        project,
        ProjectCommand::CastBallot {
            vote,
            choice: BallotChoice::Consent(ConsentChoice::Agree),
        },
    )
    .await
    .expect("b votes");
    a.project_command(
        project,
        ProjectCommand::PostIdea {
            title: "Lights".into(),
            body: String::new(),
        },
    )
    .await
    .expect("a idea");
    a.project_command(
        project,
        ProjectCommand::CastBallot {
            vote,
            choice: BallotChoice::Consent(ConsentChoice::Abstain),
        },
    )
    .await
    .expect("a votes");
    b.sync_once(&url, T).await.expect("b syncs");
    a.sync_once(&url, T).await.expect("a syncs");
    b.sync_once(&url, T).await.expect("b syncs");
    let (_, on_a) = a.show(project).await.expect("show");
    let (_, on_b) = b.show(project).await.expect("show");
    assert_eq!(on_a, on_b, "both replicas show the same");
    assert_eq!(on_a.ideas.len(), 3);
    assert_eq!(on_a.votes[0].ballots, 2);
    assert!(on_a.rejected.is_empty(), "{:?}", on_a.rejected);
    a.close().await;
    b.close().await;

    // The relay restarts with everything: a third device fetches it all.
    relay.shutdown().await;
    let relay = serve(RelayConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data: relay_dir.path().to_path_buf(),
        open: true,
        host_spaces: vec![],
        web: None,
        limits: Default::default(),
    })
    .await
    .expect("restart");
    let c_dir = tempfile::tempdir().expect("tmp");
    let c = Node::open(c_dir.path()).await.expect("c");
    let a = Node::open(a_dir.path()).await.expect("a again");
    let link = a
        .invite(
            space,
            NewInvitation {
                role: Role::Resident,
                max_uses: None,
                note: String::new(),
                relays: vec![],
            },
        )
        .await
        .expect("invite")
        .to_link();
    a.sync_once(&relay.url(), T).await.expect("a syncs");
    c.join(&link, Some("Chie")).await.expect("join");
    let report = c.sync_once(&relay.url(), T).await.expect("c syncs");
    assert_eq!(report.fetched, 2, "{report:?}");
    let (_, on_c) = c.show(project).await.expect("show");
    assert_eq!(on_c.ideas.len(), 3);
    assert_eq!(on_c.votes, on_a.votes);
    a.close().await;
    c.close().await;
    relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_relay_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = Node::open(dir.path()).await.expect("a");
    let space = a.create_space("S", &[]).await.expect("space");
    let before = a.document_bytes(space).await.expect("bytes");
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let err = a
        .sync_once(&format!("ws://127.0.0.1:{port}"), Duration::from_secs(3))
        .await
        .expect_err("unreachable");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
    assert!(matches!(
        a.sync_once("http://example.org", T).await,
        Err(yoriai_node::NodeError::Sync { .. })
    ));
    assert_eq!(a.document_bytes(space).await.expect("bytes"), before);
    a.close().await;
}

#[tokio::test]
async fn the_relay_answers_health_checks_and_needs_a_policy() {
    let dir = tempfile::tempdir().expect("tmp");
    assert!(matches!(
        serve(RelayConfig {
            listen: "127.0.0.1:0".parse().expect("addr"),
            data: dir.path().to_path_buf(),
            open: false,
            host_spaces: vec![],
            web: None,
            limits: Default::default(),
        })
        .await,
        Err(yoriai_relay::RelayError::NoPolicy)
    ));
    let relay = relay(dir.path()).await;
    let mut stream = tokio::net::TcpStream::connect(relay.addr())
        .await
        .expect("connect");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok\n"), "{response}");
    relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_hosting_one_space_refuses_the_documents_of_others() {
    let relay_dir = tempfile::tempdir().expect("tmp");
    let a_dir = tempfile::tempdir().expect("tmp");
    let m_dir = tempfile::tempdir().expect("tmp");
    let a = Node::open(a_dir.path()).await.expect("a");
    let (space, project) = yoriai_node::demo::seed(&a).await.expect("demo");
    let relay = serve(RelayConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data: relay_dir.path().to_path_buf(),
        open: false,
        host_spaces: vec![space],
        web: None,
        limits: Default::default(),
    })
    .await
    .expect("relay");
    let url = relay.url();

    // The hosted space and the project it lists go through (the project
    // once the relay has read the space's list: a second round at most).
    let mut report = a.sync_once(&url, T).await.expect("a syncs");
    for _ in 0..5 {
        if report.synced == 2 {
            break;
        }
        report = a
            .sync_once(&url, Duration::from_secs(5))
            .await
            .expect("a syncs");
    }
    assert_eq!(report.synced, 2, "{report:?}");

    // Another space is refused: it never finishes, and the relay keeps none of it.
    let m = Node::open(m_dir.path()).await.expect("m");
    let other = m.create_space("Not hosted here", &[]).await.expect("space");
    let report = m
        .sync_once(&url, Duration::from_secs(3))
        .await
        .expect("m syncs");
    assert_eq!(report.synced, 0, "{report:?}");
    assert_eq!(report.unfinished, vec![other.to_string()]);

    // A new device gets the hosted space and project.
    let (b, _b_dir) = common::join_through_relay(&a, space, &url, "Bob").await;
    assert_eq!(b.show(project).await.expect("show").1.ideas.len(), 3);
    a.close().await;
    b.close().await;
    m.close().await;
    relay.shutdown().await;
    let store = yoriai_node::store::Store::open(&relay_dir.path().join("relay.db")).expect("store");
    assert_eq!(
        store.stats().expect("stats").0,
        2,
        "only the hosted space and its project are stored"
    );
}

/// The app's service keeps syncing through a relay once one is set: a
/// tablet that joined by link receives the space, and its idea reaches the
/// facilitator's laptop; both show the relay as reachable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_service_syncs_through_the_relay_and_says_so() {
    use std::sync::Arc;
    use yoriai_crdt::api::{Request, Response, SyncSummary};
    use yoriai_crdt::project::IdeaSort;
    use yoriai_node::service::{Service, ServiceOptions};

    let dir = tempfile::tempdir().expect("tmp");
    let relay = relay(&dir.path().join("relay")).await;
    let url = relay.url();
    let start = |home: std::path::PathBuf| async move {
        let node = Node::open(&home).await.expect("open");
        Service::start(Arc::new(node), ServiceOptions::default()).await
    };
    let ask = |s: Arc<Service>, r: Request| async move {
        s.handle(r.clone())
            .await
            .unwrap_or_else(|e| panic!("{r:?}: {e}"))
    };
    let laptop = start(dir.path().join("laptop")).await;
    let tablet = start(dir.path().join("tablet")).await;
    let Response::Opened(demo) = ask(laptop.clone(), Request::LoadDemo).await else {
        panic!()
    };
    let project = demo.project.expect("demo project");
    let Response::Invitation(inv) = ask(
        laptop.clone(),
        Request::Invite {
            space: demo.space,
            role: Role::Resident,
            max_uses: Some(1),
            note: String::new(),
        },
    )
    .await
    else {
        panic!()
    };
    for s in [&laptop, &tablet] {
        ask(
            s.clone(),
            Request::SetRelay {
                relay: Some(url.clone()),
            },
        )
        .await;
    }
    ask(
        tablet.clone(),
        Request::SetDisplayName { name: "Ben".into() },
    )
    .await;
    ask(tablet.clone(), Request::JoinSpace { link: inv.link }).await;

    // The tablet receives the space and the project through the relay.
    let deadline = tokio::time::Instant::now() + T;
    loop {
        ask(laptop.clone(), Request::SyncNow).await;
        ask(tablet.clone(), Request::SyncNow).await;
        let got = tablet
            .handle(Request::Project {
                project,
                sort: IdeaSort::Newest,
            })
            .await;
        if got.is_ok() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the project never arrived: {got:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let status = tablet.sync_status();
    let r = status.relay.clone().expect("relay");
    assert!(r.reachable && r.last_ok_ms.is_some(), "{status:?}");
    assert_eq!(status.state, SyncSummary::UpToDate);

    // The tablet's idea reaches the laptop.
    ask(
        tablet.clone(),
        Request::ProjectCommand {
            project,
            command: ProjectCommand::PostIdea {
                title: "A water fountain".into(),
                body: String::new(),
            },
        },
    )
    .await;
    let deadline = tokio::time::Instant::now() + T;
    loop {
        ask(tablet.clone(), Request::SyncNow).await;
        ask(laptop.clone(), Request::SyncNow).await;
        let Response::Project(page) = ask(
            laptop.clone(),
            Request::Project {
                project,
                sort: IdeaSort::Newest,
            },
        )
        .await
        else {
            panic!()
        };
        if page.ideas.iter().any(|i| i.title == "A water fountain") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idea never reached the laptop"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    for s in [laptop, tablet] {
        s.shutdown().await.close().await;
    }
    relay.shutdown().await;
}
