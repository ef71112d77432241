//! The node service behind the app's screens: requests in, read models
//! and events out, bad input refused with a kind the screen can explain.

use std::sync::Arc;
use std::time::Duration;

use yoriai_crdt::api::{ErrorKind, Event, Request, Response, SyncSummary};
use yoriai_crdt::command::NewPhase;
use yoriai_crdt::comment::Stance;
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::{DocId, ProjectCommand, Role};
use yoriai_node::service::{Service, ServiceOptions};
use yoriai_node::Node;

async fn service(home: &std::path::Path) -> Arc<Service> {
    let node = Node::open(home).await.expect("open");
    Service::start(Arc::new(node), ServiceOptions::default()).await
}

async fn ask(s: &Service, r: Request) -> Response {
    s.handle(r.clone())
        .await
        .unwrap_or_else(|e| panic!("{r:?} failed: {e}"))
}

/// The next `Changed` event naming `doc` (ignoring others), or a panic.
async fn changed(events: &mut tokio::sync::broadcast::Receiver<Event>, doc: DocId) {
    let wait = async {
        loop {
            match events.recv().await {
                Ok(Event::Changed { docs }) if docs.contains(&doc) => return,
                Ok(_) => {}
                Err(e) => panic!("events stopped: {e}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("a Changed event for the document");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facilitator_runs_a_project_through_the_api() {
    let home = tempfile::tempdir().expect("tmp");
    let s = service(home.path()).await;
    let Response::Session(session) = ask(&s, Request::Session).await else {
        panic!("a session")
    };
    assert_eq!(session.display_name, None, "first start");
    assert!(session.spaces.is_empty());
    assert_eq!(session.sync.state, SyncSummary::Offline);

    ask(
        &s,
        Request::SetDisplayName {
            name: "  Aiko 愛子 ".into(),
        },
    )
    .await;
    let Response::Opened(opened) = ask(
        &s,
        Request::CreateSpace {
            name: "Sakura-chō".into(),
            languages: vec!["ja".into(), "en".into()],
        },
    )
    .await
    else {
        panic!("opened")
    };
    let space = opened.space;
    let Response::Space(home_page) = ask(&s, Request::Space { space }).await else {
        panic!("space home")
    };
    assert_eq!(home_page.my_role, Some(Role::Admin));
    assert!(home_page.can.manage && home_page.can.change_roles);
    assert_eq!(home_page.overview.members[0].display_name, "Aiko 愛子");

    let Response::Opened(opened) = ask(
        &s,
        Request::CreateProject {
            space,
            title: "Sakura Park".into(),
            description: "What should change?".into(),
            phases: vec![
                NewPhase {
                    kind: PhaseKind::Ideas,
                    title: "Ideas".into(),
                },
                NewPhase {
                    kind: PhaseKind::Decision,
                    title: "Decide".into(),
                },
            ],
        },
    )
    .await
    else {
        panic!("opened")
    };
    let project = opened.project.expect("a project");

    // A command pushes a Changed event for its document.
    let mut events = s.subscribe();
    let Response::Recorded(idea) = ask(
        &s,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::PostIdea {
                title: "Shade".into(),
                body: "Trees along the path".into(),
            },
        },
    )
    .await
    else {
        panic!("recorded")
    };
    changed(&mut events, project).await;
    ask(
        &s,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::Comment {
                target: Some(idea),
                reply_to: None,
                stance: Stance::For,
                text: "Yes".into(),
                official: false,
            },
        },
    )
    .await;
    ask(
        &s,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::Support {
                idea,
                support: true,
            },
        },
    )
    .await;

    let Response::Project(page) = ask(
        &s,
        Request::Project {
            project,
            sort: IdeaSort::Newest,
        },
    )
    .await
    else {
        panic!("page")
    };
    assert_eq!(page.ideas.len(), 1);
    assert_eq!(page.ideas[0].supports, 1);
    assert_eq!(page.my_supports, vec![idea]);
    assert_eq!(
        page.new_since_visit, 0,
        "a member's own idea and support are not news to them"
    );
    let Response::Idea(idea_page) = ask(&s, Request::Idea { project, idea }).await else {
        panic!("idea")
    };
    assert!(idea_page.i_support && idea_page.mine && idea_page.can_edit_text);
    assert_eq!(idea_page.detail.stances.for_, 1);

    // After a visit nothing is new, on the project page and the home.
    ask(&s, Request::Visited { project }).await;
    let Response::Project(page) = ask(
        &s,
        Request::Project {
            project,
            sort: IdeaSort::Newest,
        },
    )
    .await
    else {
        panic!("page")
    };
    assert_eq!(page.new_since_visit, 0);
    let Response::Space(home_page) = ask(&s, Request::Space { space }).await else {
        panic!("home")
    };
    assert_eq!(home_page.projects[0].new_since_visit, 0);
    assert_eq!(home_page.projects[0].ideas, 1);
    assert_eq!(
        home_page.projects[0].current_phase.as_ref().map(|p| p.kind),
        Some(PhaseKind::Ideas)
    );

    // An invitation link that another device can parse.
    let Response::Invitation(inv) = ask(
        &s,
        Request::Invite {
            space,
            role: Role::Resident,
            max_uses: Some(30),
            note: "workshop".into(),
        },
    )
    .await
    else {
        panic!("invitation")
    };
    let parsed = yoriai_crdt::invitation::Invitation::parse(&inv.link).expect("a valid link");
    assert_eq!(parsed.space, space);
    assert!(
        inv.web.is_empty(),
        "no relay, no web address: {:?}",
        inv.web
    );

    // Settings survive a restart.
    ask(
        &s,
        Request::SetRelay {
            relay: Some("ws://127.0.0.1:9".into()),
        },
    )
    .await;
    // With a relay, an invitation also opens in a browser on the relay.
    let Response::Invitation(inv) = ask(
        &s,
        Request::Invite {
            space,
            role: Role::Resident,
            max_uses: None,
            note: "newsletter".into(),
        },
    )
    .await
    else {
        panic!("invitation")
    };
    assert_eq!(inv.web.len(), 1, "{:?}", inv.web);
    assert!(
        inv.web[0].starts_with("http://127.0.0.1:9/#join="),
        "{:?}",
        inv.web
    );
    let parsed = yoriai_crdt::invitation::Invitation::parse(&inv.web[0]).expect("a valid address");
    assert_eq!(parsed.space, space);
    let node = s.shutdown().await;
    node.close().await;
    drop(node);
    let s = service(home.path()).await;
    let Response::Session(session) = ask(&s, Request::Session).await else {
        panic!("session")
    };
    assert_eq!(session.relay.as_deref(), Some("ws://127.0.0.1:9"));
    assert_eq!(session.display_name.as_deref(), Some("Aiko 愛子"));
    assert_eq!(session.spaces.len(), 1);
    assert_eq!(session.spaces[0].name.as_deref(), Some("Sakura-chō"));
    s.shutdown().await.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_with_a_kind_and_change_nothing() {
    let home = tempfile::tempdir().expect("tmp");
    let s = service(home.path()).await;
    let err = s
        .handle(Request::SetDisplayName { name: "   ".into() })
        .await
        .expect_err("an empty name");
    assert_eq!(err.kind, ErrorKind::Invalid, "{err}");
    let err = s
        .handle(Request::SetRelay {
            relay: Some("http://example.org".into()),
        })
        .await
        .expect_err("not a ws address");
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(err.detail.contains("ws://"), "{err}");
    let err = s
        .handle(Request::JoinSpace {
            link: "yoriai:not-a-link".into(),
        })
        .await
        .expect_err("a broken link");
    assert_eq!(err.kind, ErrorKind::Invalid, "{err}");
    let err = s
        .handle(Request::Space {
            space: DocId([7; 16]),
        })
        .await
        .expect_err("no such space");
    assert_eq!(err.kind, ErrorKind::NotFound);

    ask(
        &s,
        Request::SetDisplayName {
            name: "Aiko".into(),
        },
    )
    .await;
    let Response::Opened(o) = ask(
        &s,
        Request::CreateSpace {
            name: "S".into(),
            languages: vec![],
        },
    )
    .await
    else {
        panic!()
    };
    let Response::Opened(p) = ask(
        &s,
        Request::CreateProject {
            space: o.space,
            title: "P".into(),
            description: String::new(),
            phases: vec![NewPhase {
                kind: PhaseKind::Information,
                title: "Info".into(),
            }],
        },
    )
    .await
    else {
        panic!()
    };
    let project = p.project.expect("project");
    let err = s
        .handle(Request::ProjectCommand {
            project,
            command: ProjectCommand::PostIdea {
                title: "x".into(),
                body: String::new(),
            },
        })
        .await
        .expect_err("no ideas phase is open");
    assert_eq!(err.kind, ErrorKind::PhaseClosed, "{err}");
    let Response::Project(page) = ask(
        &s,
        Request::Project {
            project,
            sort: IdeaSort::Newest,
        },
    )
    .await
    else {
        panic!()
    };
    assert!(page.ideas.is_empty(), "nothing was written");
    s.shutdown().await.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_arriving_from_elsewhere_are_pushed_and_a_dead_relay_reads_offline() {
    let a_home = tempfile::tempdir().expect("tmp");
    let b_home = tempfile::tempdir().expect("tmp");
    let a = service(a_home.path()).await;
    ask(&a, Request::LoadDemo).await;
    let Response::Session(session) = ask(&a, Request::Session).await else {
        panic!()
    };
    let space = session.spaces[0].id;
    let Response::Invitation(inv) = ask(
        &a,
        Request::Invite {
            space,
            role: Role::Resident,
            max_uses: None,
            note: String::new(),
        },
    )
    .await
    else {
        panic!()
    };

    // B joins offline: the space is awaited, and shown as such.
    let b = service(b_home.path()).await;
    ask(&b, Request::SetDisplayName { name: "Ben".into() }).await;
    let Response::Opened(o) = ask(&b, Request::JoinSpace { link: inv.link }).await else {
        panic!()
    };
    assert!(!o.arrived);
    let Response::Session(bs) = ask(&b, Request::Session).await else {
        panic!()
    };
    assert_eq!(bs.spaces.len(), 1);
    assert_eq!(bs.spaces[0].name, None, "on its way");

    // A's space arrives by file: B's screens hear of it without asking.
    let mut events = b.subscribe();
    let bundle = a.node().export(space, None).await.expect("export");
    b.node().import(&bundle).await.expect("import");
    changed(&mut events, space).await;
    let Response::Space(home) = ask(&b, Request::Space { space }).await else {
        panic!()
    };
    assert_eq!(home.my_role, Some(Role::Resident));
    assert!(!home.can.manage);

    // A relay nobody answers: the status says offline and why.
    ask(
        &b,
        Request::SetRelay {
            relay: Some("ws://127.0.0.1:9".into()),
        },
    )
    .await;
    let Response::Sync(status) = ask(&b, Request::SyncNow).await else {
        panic!()
    };
    assert_eq!(status.state, SyncSummary::Offline);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let st = b.sync_status();
        let relay = st.relay.clone().expect("relay set");
        if relay.error.is_some() {
            assert!(!relay.reachable);
            assert_eq!(st.state, SyncSummary::Offline);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no relay error: {st:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    a.shutdown().await.close().await;
    b.shutdown().await.close().await;
}

/// A GUI shell runs requests on a thread pool: the future must be `Send`.
#[test]
fn requests_can_be_answered_on_any_thread() {
    fn is_send<T: Send>(_: &T) {}
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let home = tempfile::tempdir().expect("tmp");
    rt.block_on(async {
        let s = service(home.path()).await;
        let fut = s.handle(Request::Session);
        is_send(&fut);
        assert!(matches!(fut.await, Ok(Response::Session(_))));
        s.shutdown().await.close().await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_insight_of_a_conversation_follows_the_votes() {
    let home = tempfile::tempdir().expect("tmp");
    let s = service(home.path()).await;
    ask(
        &s,
        Request::SetDisplayName {
            name: "Aiko".into(),
        },
    )
    .await;
    let Response::Opened(opened) = ask(
        &s,
        Request::CreateSpace {
            name: "Sakura-chō".into(),
            languages: vec!["ja".into()],
        },
    )
    .await
    else {
        panic!("opened")
    };
    let Response::Opened(opened) = ask(
        &s,
        Request::CreateProject {
            space: opened.space,
            title: "Park".into(),
            description: String::new(),
            phases: vec![NewPhase {
                kind: PhaseKind::Conversation,
                title: "Talk".into(),
            }],
        },
    )
    .await
    else {
        panic!("opened")
    };
    let project = opened.project.expect("a project");
    let Response::Project(page) = ask(
        &s,
        Request::Project {
            project,
            sort: IdeaSort::Newest,
        },
    )
    .await
    else {
        panic!("page")
    };
    let phase = page.overview.phases[0].id;
    let insight = |s: Arc<Service>| async move {
        match ask(&s, Request::Insight { project }).await {
            Response::Insight(i) => i,
            other => panic!("insight, not {other:?}"),
        }
    };
    // The first phase opens with the project; closed, nothing to vote on.
    assert!(insight(s.clone()).await.conversations[0].open);
    ask(
        &s,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::SetPhaseState {
                phase,
                state: yoriai_crdt::phase::PhaseState::Closed,
            },
        },
    )
    .await;
    let closed = insight(s.clone()).await;
    assert!(!closed.conversations[0].open);
    assert!(closed.conversations[0].next.is_none());
    ask(
        &s,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::SetPhaseState {
                phase,
                state: yoriai_crdt::phase::PhaseState::Open,
            },
        },
    )
    .await;
    for text in ["More benches by the pond.", "Keep dogs on a lead."] {
        ask(
            &s,
            Request::ProjectCommand {
                project,
                command: ProjectCommand::PostStatement { text: text.into() },
            },
        )
        .await;
    }
    let first = insight(s.clone()).await;
    let c = &first.conversations[0];
    assert!(c.open);
    assert_eq!((c.statements, c.my_votes, c.votes_needed), (2, 0, 2));
    let next = c.next.clone().expect("a statement to vote on");
    // The same statement until the member votes.
    assert_eq!(
        insight(s.clone()).await.conversations[0].next,
        Some(next.clone())
    );
    ask(
        &s,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::VoteStatement {
                statement: next.record.expect("written here"),
                vote: 1,
            },
        },
    )
    .await;
    let second = insight(s.clone()).await;
    let c = &second.conversations[0];
    assert_eq!(c.my_votes, 1);
    let other = c.next.clone().expect("one left");
    assert_ne!(other.key, next.key);
    assert_eq!(second.posts, 2, "both statements feed the topics");
    ask(
        &s,
        Request::ProjectCommand {
            project,
            command: ProjectCommand::VoteStatement {
                statement: other.record.expect("written here"),
                vote: -1,
            },
        },
    )
    .await;
    let done = insight(s.clone()).await;
    let c = &done.conversations[0];
    assert_eq!((c.my_votes, c.participants, c.counted), (2, 1, 1));
    assert!(c.next.is_none(), "voted on everything");
    assert_eq!(c.map.iter().filter(|d| d.me).count(), 1, "where I stand");
    s.shutdown().await.close().await;
}

/// The demo's workshop conversation: the statement shown next stays the
/// same, asked again and again, until the member votes on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_statement_stays_until_the_member_votes() {
    let home = tempfile::tempdir().expect("tmp");
    let s = service(home.path()).await;
    let Response::Opened(o) = ask(&s, Request::LoadDemo).await else {
        panic!("opened")
    };
    let project = o.project.expect("the demo project");
    let next = |s: Arc<Service>| async move {
        match ask(&s, Request::Insight { project }).await {
            Response::Insight(i) => i.conversations[0].next.clone(),
            other => panic!("insight, not {other:?}"),
        }
    };
    let mut seen = Vec::new();
    for _ in 0..3 {
        let shown = next(s.clone()).await.expect("a statement");
        for _ in 0..4 {
            assert_eq!(next(s.clone()).await.as_ref(), Some(&shown));
        }
        ask(
            &s,
            Request::ProjectCommand {
                project,
                command: ProjectCommand::VoteStatement {
                    statement: shown.record.expect("written here"),
                    vote: 1,
                },
            },
        )
        .await;
        assert!(!seen.contains(&shown.key), "a statement shown twice");
        seen.push(shown.key);
    }
    s.shutdown().await.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn let_tablets_join_serves_the_app_with_a_fresh_invitation_until_stopped() {
    let home = tempfile::tempdir().expect("tmp");
    let web = tempfile::tempdir().expect("tmp");
    std::fs::write(web.path().join("index.html"), "<div id=\"app\"></div>").expect("write");
    std::fs::write(web.path().join("yoriai_ui_bg.wasm"), b"\0asm").expect("write");
    let node = Node::open(home.path()).await.expect("open");
    let s = Service::start(
        Arc::new(node),
        ServiceOptions {
            web: Some(yoriai_node::web::WebAssets::Dir(web.path().to_path_buf())),
            tablets_listen: Some("127.0.0.1:0".parse().expect("addr")),
            ..ServiceOptions::default()
        },
    )
    .await;
    ask(
        &s,
        Request::SetDisplayName {
            name: "Staff".into(),
        },
    )
    .await;
    let Response::Opened(o) = ask(
        &s,
        Request::CreateSpace {
            name: "Ward".into(),
            languages: vec!["ja".into()],
        },
    )
    .await
    else {
        panic!("opened")
    };
    let Response::Tablets(first) = ask(&s, Request::LetTabletsJoin { space: o.space }).await else {
        panic!("tablets")
    };
    let Response::Tablets(second) = ask(&s, Request::LetTabletsJoin { space: o.space }).await
    else {
        panic!("tablets")
    };
    assert_ne!(
        first.invitation, second.invitation,
        "a fresh invitation each time"
    );
    let url = first.urls.first().expect("an address").clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // The link inside is a valid invitation to the space.
    let inv = yoriai_crdt::invitation::Invitation::parse(&url).expect("a join address");
    assert_eq!(inv.space, o.space);
    let base = url.split('#').next().expect("base").to_string();
    let page = reqwest::get(&base).await.expect("served");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("text").contains("id=\"app\""));
    // Both addresses are the same server.
    assert_eq!(
        second.urls.first().map(|u| u.split('#').next()),
        Some(Some(base.as_str()))
    );
    let Response::Space(home_page) = ask(&s, Request::Space { space: o.space }).await else {
        panic!("space")
    };
    assert_eq!(home_page.overview.invitations.len(), 2);

    ask(&s, Request::StopTablets).await;
    assert!(reqwest::get(&base).await.is_err(), "stopped");

    // A service without the app refuses, saying why.
    let home2 = tempfile::tempdir().expect("tmp");
    let bare = service(home2.path()).await;
    let e = bare
        .handle(Request::LetTabletsJoin { space: o.space })
        .await
        .expect_err("no web app");
    assert!(e.detail.contains("no web app"), "{e:?}");
    bare.shutdown().await.close().await;
    s.shutdown().await.close().await;
}
