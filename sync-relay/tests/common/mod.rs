//! Shared steps of the relay tests.
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::time::Duration;

use yoriai_crdt::command::NewInvitation;
use yoriai_crdt::{DocId, Role};
use yoriai_node::Node;

pub const T: Duration = Duration::from_secs(20);

/// A new device, invited by `inviter` to `space` and joined through the
/// relay at `url`: the inviter pushes the invitation, the new device joins
/// by link (offline), then syncs and must fetch the space and its project.
/// Returns the device and the directory that holds its store.
pub async fn join_through_relay(
    inviter: &Node,
    space: DocId,
    url: &str,
    name: &str,
) -> (Node, tempfile::TempDir) {
    let link = inviter
        .invite(
            space,
            NewInvitation {
                role: Role::Resident,
                max_uses: None,
                note: String::new(),
                relays: vec![url.to_string()],
            },
        )
        .await
        .expect("invite")
        .to_link();
    inviter
        .sync_once(url, T)
        .await
        .expect("the inviter pushes the invitation");
    let dir = tempfile::tempdir().expect("tmp");
    let node = Node::open(dir.path()).await.expect("open the new device");
    node.join(&link, Some(name)).await.expect("join");
    let report = node.sync_once(url, T).await.expect("the new device syncs");
    assert_eq!(
        report.fetched, 2,
        "the space and its project arrive: {report:?}"
    );
    (node, dir)
}
