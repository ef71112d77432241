//! What the browser tests share (`browser_sync.rs`, `web_app.rs`): the
//! facilitator's laptop as a node with a space and a project, and finding
//! who joined by their display name.

use std::sync::Arc;

use yoriai_crdt::command::{NewPhase, NewProject};
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::space::SpaceOverview;
use yoriai_crdt::{DocId, MemberId};
use yoriai_node::Node;

/// A node in a folder kept while the test holds it, named "Facilitator",
/// with the space "Minato ward" and its project "Riverside park" in
/// `phases` (the first one open): `(folder, node, space, project)`.
pub(crate) async fn laptop_node(
    phases: &[(PhaseKind, &str)],
) -> (tempfile::TempDir, Arc<Node>, DocId, DocId) {
    let home = tempfile::tempdir().expect("tmp");
    let node = Arc::new(Node::open(home.path()).await.expect("node"));
    node.set_display_name("Facilitator").expect("name");
    let space = node
        .create_space("Minato ward", &["ja".into(), "en".into()])
        .await
        .expect("space");
    let project = node
        .create_project(
            space,
            &NewProject {
                title: "Riverside park".into(),
                description: "What should the park by the river become?".into(),
                phases: phases
                    .iter()
                    .map(|(kind, title)| NewPhase {
                        kind: *kind,
                        title: (*title).into(),
                    })
                    .collect(),
            },
        )
        .await
        .expect("project");
    (home, node, space, project)
}

/// The member of `space` called `name` (panics, naming them, if nobody is).
pub(crate) fn member_named(space: &SpaceOverview, name: &str) -> MemberId {
    space
        .members
        .iter()
        .find(|m| m.display_name == name)
        .unwrap_or_else(|| panic!("{name} is not a member: {:?}", space.members))
        .id
}
