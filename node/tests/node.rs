//! The node library: documents carried between devices, offline joins.

use yoriai_crdt::command::{NewInvitation, NewPhase, NewProject};
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::{ProjectCommand, Role};
use yoriai_node::Node;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_made_offline_completes_when_the_space_arrives() {
    let a_home = tempfile::tempdir().expect("tmp");
    let b_home = tempfile::tempdir().expect("tmp");
    let a = Node::open(a_home.path()).await.expect("open a");
    a.set_display_name("Aiko").expect("name");
    let space = a
        .create_space("Sakura-chō", &["ja".into()])
        .await
        .expect("space");
    let project = ideas_project(&a, space).await;
    let link = a
        .invite(
            space,
            NewInvitation {
                role: Role::Resident,
                max_uses: Some(1),
                note: String::new(),
                relays: vec![],
            },
        )
        .await
        .expect("invite")
        .to_link();

    // B has never seen the space: the join waits.
    let b = Node::open(b_home.path()).await.expect("open b");
    let outcome = b.join(&link, Some("Bob")).await.expect("join offline");
    assert!(!outcome.completed);
    assert!(
        b.space_overview(space).await.is_err(),
        "the space is not here yet"
    );

    // The space and project arrive (as from a USB stick).
    b.receive(space, &a.document_bytes(space).await.expect("bytes"))
        .await
        .expect("receive space");
    b.receive(project, &a.document_bytes(project).await.expect("bytes"))
        .await
        .expect("receive project");
    let members = b.space_overview(space).await.expect("space").members;
    assert!(members
        .iter()
        .any(|m| m.display_name == "Bob" && m.id == b.member()));

    // B takes part; A receives B's copies and sees it, nothing lost on
    // either side.
    b.project_command(
        project,
        ProjectCommand::PostIdea {
            title: "Benches".into(),
            body: "Near the pond".into(),
        },
    )
    .await
    .expect("b posts");
    a.project_command(
        project,
        ProjectCommand::PostIdea {
            title: "Shade".into(),
            body: String::new(),
        },
    )
    .await
    .expect("a posts");
    a.receive(space, &b.document_bytes(space).await.expect("bytes"))
        .await
        .expect("merge space");
    a.receive(project, &b.document_bytes(project).await.expect("bytes"))
        .await
        .expect("merge project");
    b.receive(project, &a.document_bytes(project).await.expect("bytes"))
        .await
        .expect("merge back");
    let (_, on_a) = a.show(project).await.expect("show");
    let (_, on_b) = b.show(project).await.expect("show");
    let titles: Vec<&str> = on_a.ideas.iter().map(|i| i.card.title.as_str()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.contains(&"Benches") && titles.contains(&"Shade"));
    assert_eq!(on_a, on_b);
    assert!(on_a.rejected.is_empty());
    a.close().await;
    b.close().await;

    // Everything is still there after a restart.
    let b = Node::open(b_home.path()).await.expect("reopen");
    assert_eq!(b.show(project).await.expect("show").1, on_b);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_offered_as_a_document_is_refused_and_changes_nothing() {
    let home = tempfile::tempdir().expect("tmp");
    let a = Node::open(home.path()).await.expect("open");
    let space = a.create_space("S", &[]).await.expect("space");
    let before = a.document_bytes(space).await.expect("bytes");
    let err = a
        .receive(space, b"definitely not automerge")
        .await
        .expect_err("refused");
    assert!(err.to_string().contains(&space.to_string()), "{err}");
    assert_eq!(a.document_bytes(space).await.expect("bytes"), before);
    a.close().await;
}

/// A project with one open ideas phase.
async fn ideas_project(node: &Node, space: yoriai_crdt::DocId) -> yoriai_crdt::DocId {
    node.create_project(
        space,
        &NewProject {
            title: "Park".into(),
            description: String::new(),
            phases: vec![NewPhase {
                kind: PhaseKind::Ideas,
                title: "Ideas".into(),
            }],
        },
    )
    .await
    .expect("project")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_project_is_compacted_not_grown_without_bound() {
    let home = tempfile::tempdir().expect("tmp");
    let a = Node::open(home.path()).await.expect("open");
    let space = a.create_space("S", &[]).await.expect("space");
    let project = ideas_project(&a, space).await;
    for i in 0..120 {
        a.project_command(
            project,
            ProjectCommand::PostIdea {
                title: format!("idea {i}"),
                body: String::new(),
            },
        )
        .await
        .expect("idea");
    }
    a.close().await;
    let store = yoriai_node::store::Store::open(&home.path().join("yoriai.db")).expect("store");
    let prefix = samod::storage::StorageKey::from_parts([project.to_string()]).expect("key");
    let chunks = store.range(&prefix).expect("range").len();
    assert!(
        chunks < 30,
        "120 changes are kept in {chunks} chunks: compaction should merge them"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_per_home() {
    let home = tempfile::tempdir().expect("tmp");
    let a = Node::open(home.path()).await.expect("open");
    let err = Node::open(home.path()).await.expect_err("a second opener");
    assert!(
        matches!(&err, yoriai_node::NodeError::Busy { pid: Some(p), .. } if *p == std::process::id().to_string()),
        "{err:?}"
    );
    a.close().await;
    let again = Node::open(home.path()).await.expect("open after close");
    again.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_commands_apply_all_or_none() {
    let home = tempfile::tempdir().expect("tmp");
    let a = Node::open(home.path()).await.expect("open");
    let space = a.create_space("Town", &[]).await.expect("space");
    let project = ideas_project(&a, space).await;
    let idea = |t: &str| ProjectCommand::PostIdea {
        title: t.into(),
        body: String::new(),
    };
    // The second is refused (an empty title): the first is not kept either.
    let err = a
        .project_commands(project, vec![idea("Benches"), idea(" "), idea("Shade")])
        .await;
    assert!(err.is_err());
    assert!(a.show(project).await.expect("show").1.ideas.is_empty());
    let ids = a
        .project_commands(project, vec![idea("Benches"), idea("Shade")])
        .await
        .expect("both");
    assert_eq!(ids.len(), 2);
    assert_eq!(a.show(project).await.expect("show").1.ideas.len(), 2);
    a.close().await;
}
