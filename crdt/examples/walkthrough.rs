//! A participation process in memory: a town-hall laptop and two residents'
//! tablets, offline edits, a merge, a forged ballot, and what each screen
//! would show. `cargo run -p yoriai-crdt --example walkthrough`
//!
//! Keys and nonces come from fixed bytes so the run is repeatable; a real
//! device draws them from the operating system.

use yoriai_crdt::automerge::{ActorId, Automerge};
use yoriai_crdt::command::{self, apply_project, NewInvitation, NewPhase, NewProject};
use yoriai_crdt::comment::{CommentNode, Stance};
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::record::{Payload, RecordBody, SignedRecord};
use yoriai_crdt::vote::{BallotChoice, ConsentChoice, VoteMethod};
use yoriai_crdt::{Actor, DeviceKey, DocId, ProjectCommand, ProjectState, Role, SpaceState};

struct Device {
    name: &'static str,
    key: DeviceKey,
    space: Automerge,
    project: Automerge,
    clock: i64,
}

impl Device {
    fn act(
        &mut self,
        space_id: DocId,
        project_id: DocId,
        cmd: ProjectCommand,
    ) -> yoriai_crdt::RecordId {
        self.clock += 60_000;
        let space = SpaceState::from_doc(&self.space, space_id).expect("space");
        let mut state = ProjectState::from_doc(&self.project, project_id, &space).expect("project");
        let actor = Actor {
            key: &self.key,
            now_ms: self.clock,
        };
        match apply_project(&mut self.project, &space, &mut state, &actor, cmd) {
            Ok(id) => id,
            Err(e) => panic!("{} could not act: {e}", self.name),
        }
    }
}

fn copy(doc: &Automerge, actor: u8) -> Automerge {
    let mut d = Automerge::load(&doc.save()).expect("load");
    d.set_actor(ActorId::from([actor; 16]));
    d
}

fn print_comments(nodes: &[CommentNode], depth: usize) {
    for c in nodes {
        let stance = match c.stance {
            Stance::For => "賛成 for",
            Stance::Against => "反対 against",
            Stance::Neutral => "中立 neutral",
        };
        let text = c.text.clone().unwrap_or_else(|| {
            format!("(hidden: {})", c.hidden_reason.clone().unwrap_or_default())
        });
        println!(
            "{:indent$}  - [{stance}] {}: {text}{}",
            "",
            c.author_name,
            if c.official {
                "  (official answer)"
            } else {
                ""
            },
            indent = depth * 4
        );
        print_comments(&c.replies, depth + 1);
    }
}

fn main() {
    let t0 = 1_764_000_000_000;
    let staff_key = DeviceKey::from_secret([1; 32]);
    let actor = Actor {
        key: &staff_key,
        now_ms: t0,
    };
    let (space_id, mut space_doc) = command::create_space(
        &actor,
        ActorId::from([1u8; 16]),
        "桜町 Sakura-chō",
        "Aiko (town hall)",
        &["ja".into(), "en".into()],
        [1; 16],
    )
    .expect("space");
    let space = SpaceState::from_doc(&space_doc, space_id).expect("space");
    let link = command::invite(
        &mut space_doc,
        &space,
        &actor,
        NewInvitation {
            role: Role::Resident,
            max_uses: None,
            note: "community centre workshop".into(),
            relays: vec![],
        },
        [9; 32],
    )
    .expect("invite");
    println!(
        "Space {space_id} founded. Invitation link for the QR code:\n  {}\n",
        link.to_link()
    );
    let space = SpaceState::from_doc(&space_doc, space_id).expect("space");
    let (project_id, project_doc) = command::create_project(
        &mut space_doc,
        &space,
        &actor,
        ActorId::from([2u8; 16]),
        &NewProject {
            title: "桜公園の再整備 Renovating Sakura Park".into(),
            description: "How should the park change? 公園をどう変えたいですか。".into(),
            phases: [
                (PhaseKind::Ideas, "アイデア Ideas"),
                (PhaseKind::Discussion, "議論 Discussion"),
                (PhaseKind::Decision, "決定 Decision"),
            ]
            .into_iter()
            .map(|(kind, title)| NewPhase {
                kind,
                title: title.into(),
            })
            .collect(),
        },
        [2; 16],
    )
    .expect("project");
    let mut laptop = Device {
        name: "laptop",
        key: staff_key.clone(),
        space: space_doc,
        project: project_doc,
        clock: t0,
    };

    // Two residents scan the QR code on their tablets.
    let mut tablets: Vec<Device> = [("Hanako 花子", 3u8), ("Bob", 4u8)]
        .into_iter()
        .map(|(name, n)| {
            let key = DeviceKey::from_secret([n; 32]);
            let mut space = copy(&laptop.space, n);
            let records = command::join_records(
                &Actor {
                    key: &key,
                    now_ms: t0 + 1,
                },
                &link,
                name,
            )
            .expect("join");
            let state = SpaceState::from_doc(&space, space_id).expect("space");
            command::append_join(&mut space, &state, &records, t0 + 1).expect("join");
            Device {
                name,
                key,
                space,
                project: copy(&laptop.project, n + 100),
                clock: t0 + i64::from(n),
            }
        })
        .collect();
    for t in &mut tablets {
        laptop.space.merge(&mut t.space).expect("merge");
    }

    // Offline, each tablet writes.
    let shade = tablets[0].act(
        space_id,
        project_id,
        ProjectCommand::PostIdea {
            title: "木陰を増やす More shade".into(),
            body: "南側の小道に桜を植える。Plant cherry trees along the south path.".into(),
        },
    );
    tablets[1].act(
        space_id,
        project_id,
        ProjectCommand::PostIdea {
            title: "Water fountain".into(),
            body: "A drinking fountain near the playground.".into(),
        },
    );
    // Back on the Wi-Fi: everything merges, no conflict dialog.
    for t in &mut tablets {
        laptop.project.merge(&mut t.project).expect("merge");
        laptop.space.merge(&mut t.space).expect("merge");
    }
    for t in &mut tablets {
        t.project.merge(&mut laptop.project).expect("merge");
        t.space.merge(&mut laptop.space).expect("merge");
    }
    tablets[1].act(
        space_id,
        project_id,
        ProjectCommand::Support {
            idea: shade,
            support: true,
        },
    );
    let first = tablets[1].act(
        space_id,
        project_id,
        ProjectCommand::Comment {
            target: Some(shade),
            reply_to: None,
            stance: Stance::For,
            text: "夏は暑すぎる。It is far too hot in summer.".into(),
            official: false,
        },
    );
    laptop
        .project
        .merge(&mut tablets[1].project)
        .expect("merge");
    laptop.act(
        space_id,
        project_id,
        ProjectCommand::Comment {
            target: Some(shade),
            reply_to: Some(first),
            stance: Stance::Neutral,
            text: "予算を確認します。We will check the tree budget.".into(),
            official: true,
        },
    );

    // Decision.
    let space = SpaceState::from_doc(&laptop.space, space_id).expect("space");
    let phases = ProjectState::from_doc(&laptop.project, project_id, &space)
        .expect("p")
        .phases();
    let decision = phases
        .iter()
        .find(|p| p.kind == PhaseKind::Decision)
        .expect("phase")
        .id;
    laptop.act(
        space_id,
        project_id,
        ProjectCommand::SetPhaseState {
            phase: decision,
            state: PhaseState::Open,
        },
    );
    let vote = laptop.act(
        space_id,
        project_id,
        ProjectCommand::OpenVote {
            phase: Some(decision),
            title: "木陰の提案を採用しますか？ Adopt the shade proposal?".into(),
            method: VoteMethod::Consent,
            options: vec![],
        },
    );
    for t in &mut tablets {
        t.project.merge(&mut laptop.project).expect("merge");
        t.act(
            space_id,
            project_id,
            ProjectCommand::CastBallot {
                vote,
                choice: BallotChoice::Consent(ConsentChoice::Agree),
            },
        );
        laptop.project.merge(&mut t.project).expect("merge");
    }

    // A hostile peer on the Wi-Fi slips in a blocking ballot signed with a
    // key that is no member's.
    let mallory = DeviceKey::from_secret([66; 32]);
    let space = SpaceState::from_doc(&laptop.space, space_id).expect("space");
    let forged = SignedRecord::sign(
        RecordBody {
            doc: Some(project_id),
            author: mallory.member(),
            time_ms: t0,
            lamport: 999,
            space_deps: space.frontier(),
            payload: Payload::CastBallot {
                vote,
                choice: BallotChoice::Consent(ConsentChoice::Block),
            },
        },
        &mallory,
    )
    .expect("sign");
    yoriai_crdt::document::append_records(&mut laptop.project, &[forged], t0).expect("append");
    laptop.act(space_id, project_id, ProjectCommand::CloseVote { vote });

    // What the projector shows.
    let space = SpaceState::from_doc(&laptop.space, space_id).expect("space");
    let project = ProjectState::from_doc(&laptop.project, project_id, &space).expect("project");
    let o = project.overview();
    println!("== {}\n{}\n", o.title, o.description);
    for p in &o.phases {
        println!("  phase: {:<24} {:?}", p.title, p.state);
    }
    println!("\nIdeas (by supports):");
    for card in project.ideas(&space, IdeaSort::Supports) {
        println!(
            "  * {} — {} ({} supports, {} comments)\n      {}",
            card.title, card.author_name, card.supports, card.comments, card.excerpt
        );
    }
    println!(
        "\nThread on '{}':",
        project.idea(&space, &shade).expect("idea").card.title
    );
    print_comments(&project.comment_tree(&space, &shade), 0);
    let v = project.vote(&vote).expect("vote");
    println!(
        "\nVote: {}\n  closed: {}, counted ballots: {}\n  tally: {:?}",
        v.title, v.closed, v.ballots, v.tally
    );
    println!(
        "\nRejected records (staff view): {}",
        project.rejected().len()
    );
    for r in project.rejected() {
        println!(
            "  {} {:?} from {:?}: {:?}",
            r.id.short(),
            r.kind,
            r.author.map(|a| a.short()),
            r.reason
        );
    }
    println!("\nMembers:");
    for m in space.read_model().members {
        println!("  {:<20} {}", m.display_name, m.role.name());
    }
}
