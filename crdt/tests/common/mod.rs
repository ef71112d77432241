//! Test harness: replicas holding a space and a project document, syncing
//! by Automerge merge, acting through the real command layer.
#![allow(dead_code, missing_docs, unreachable_pub)]

use yoriai_crdt::automerge::{ActorId, Automerge};
use yoriai_crdt::command::{self, apply_project, apply_space, create_project, NewPhase};
use yoriai_crdt::invitation::Invitation;
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::project::ProjectSnapshot;
use yoriai_crdt::{
    Actor, CommandError, DeviceKey, DocId, MemberId, ProjectCommand, ProjectState, RecordId, Role,
    SpaceCommand, SpaceState,
};

pub const T0: i64 = 1_764_000_000_000;

pub fn actor_id(n: u8, round: u8) -> ActorId {
    let mut bytes = [n; 16];
    bytes[15] = round;
    ActorId::from(bytes)
}

/// A copy of `doc` written from now on by actor `n`.
pub fn copy_doc(doc: &Automerge, n: u8) -> Automerge {
    let mut copy = Automerge::load(&doc.save()).expect("a saved document loads");
    copy.set_actor(actor_id(n, 1));
    copy
}

#[derive(Debug)]
pub struct Replica {
    pub n: u8,
    pub key: DeviceKey,
    pub space_id: DocId,
    pub space_doc: Automerge,
    pub project_id: Option<DocId>,
    pub project_doc: Option<Automerge>,
    pub clock: i64,
}

impl Replica {
    pub fn member(&self) -> MemberId {
        self.key.member()
    }

    fn tick(&mut self) -> i64 {
        self.clock += 1_000;
        self.clock
    }

    pub fn space(&self) -> SpaceState {
        SpaceState::from_doc(&self.space_doc, self.space_id).expect("space document reads")
    }

    pub fn project(&self) -> ProjectState {
        ProjectState::from_doc(
            self.project_doc.as_ref().expect("has the project"),
            self.project_id.expect("has the project"),
            &self.space(),
        )
        .expect("project document reads")
    }

    pub fn snapshot(&self) -> ProjectSnapshot {
        self.project().snapshot(&self.space())
    }

    pub fn act(&mut self, cmd: ProjectCommand) -> Result<RecordId, CommandError> {
        let now = self.tick();
        let space = self.space();
        let mut project = self.project();
        let actor = Actor {
            key: &self.key,
            now_ms: now,
        };
        let doc = self.project_doc.as_mut().expect("has the project");
        let id = apply_project(doc, &space, &mut project, &actor, cmd)?;
        // The incrementally updated state must equal a fresh judgement.
        let fresh = ProjectState::from_doc(doc, self.project_id.expect("id"), &space)
            .expect("project document reads");
        assert_eq!(
            project.snapshot(&space),
            fresh.snapshot(&space),
            "absorb_local drifted"
        );
        Ok(id)
    }

    pub fn act_space(&mut self, cmd: SpaceCommand) -> Result<RecordId, CommandError> {
        let now = self.tick();
        let space = self.space();
        let actor = Actor {
            key: &self.key,
            now_ms: now,
        };
        apply_space(&mut self.space_doc, &space, &actor, cmd)
    }

    pub fn invite(&mut self, role: Role, max_uses: Option<u32>) -> Invitation {
        let now = self.tick();
        let space = self.space();
        let actor = Actor {
            key: &self.key,
            now_ms: now,
        };
        let secret = [self.n.wrapping_mul(31).wrapping_add(now as u8); 32];
        command::invite(
            &mut self.space_doc,
            &space,
            &actor,
            command::NewInvitation {
                role,
                max_uses,
                note: "test".into(),
                relays: vec![],
            },
            secret,
        )
        .expect("staff can invite")
    }

    /// A new device `n` with a copy of this replica's documents.
    pub fn spawn(&self, n: u8) -> Replica {
        Replica {
            n,
            key: DeviceKey::from_secret([n; 32]),
            space_id: self.space_id,
            space_doc: copy_doc(&self.space_doc, n),
            project_id: self.project_id,
            project_doc: self.project_doc.as_ref().map(|d| copy_doc(d, n)),
            clock: T0 + i64::from(n) * 7,
        }
    }

    /// Make this device a member through `link`.
    pub fn join(&mut self, link: &Invitation, name: &str) -> Result<(), CommandError> {
        let now = self.tick();
        let actor = Actor {
            key: &self.key,
            now_ms: now,
        };
        let records = command::join_records(&actor, link, name)?;
        let space = self.space();
        command::append_join(&mut self.space_doc, &space, &records, now)
    }

    /// Exchange everything with `other`, both ways.
    pub fn sync(&mut self, other: &mut Replica) {
        self.space_doc.merge(&mut other.space_doc).expect("merge");
        other.space_doc.merge(&mut self.space_doc).expect("merge");
        match (&mut self.project_doc, &mut other.project_doc) {
            (Some(a), Some(b)) => {
                a.merge(b).expect("merge");
                b.merge(a).expect("merge");
            }
            (Some(a), None) => other.project_doc = Some(copy_doc(a, other.n)),
            (None, Some(b)) => self.project_doc = Some(copy_doc(b, self.n)),
            (None, None) => {}
        }
        if self.project_id.is_none() {
            self.project_id = other.project_id;
        }
        if other.project_id.is_none() {
            other.project_id = self.project_id;
        }
    }

    /// Receive what `other` has (one way).
    pub fn pull(&mut self, other: &Replica) {
        let mut theirs = copy_doc(&other.space_doc, 200);
        self.space_doc.merge(&mut theirs).expect("merge");
        if let Some(doc) = &other.project_doc {
            let mut theirs = copy_doc(doc, 200);
            match &mut self.project_doc {
                Some(mine) => {
                    mine.merge(&mut theirs).expect("merge");
                }
                None => {
                    self.project_doc = Some(copy_doc(doc, self.n));
                    self.project_id = other.project_id;
                }
            }
        }
    }
}

/// An admin's replica with a fresh space.
pub fn founder(n: u8) -> Replica {
    let key = DeviceKey::from_secret([n; 32]);
    let actor = Actor {
        key: &key,
        now_ms: T0,
    };
    let (space_id, space_doc) = command::create_space(
        &actor,
        actor_id(n, 0),
        "Sakura-chō residents",
        "Aiko (town hall)",
        &["ja".to_string(), "en".to_string()],
        [n; 16],
    )
    .expect("a space is created");
    Replica {
        n,
        key,
        space_id,
        space_doc,
        project_id: None,
        project_doc: None,
        clock: T0,
    }
}

/// Create a project with phases of the given kinds on `r`.
pub fn with_project(r: &mut Replica, kinds: &[PhaseKind]) {
    let space = r.space();
    let now = r.clock + 1;
    let actor = Actor {
        key: &r.key,
        now_ms: now,
    };
    let phases: Vec<NewPhase> = kinds
        .iter()
        .map(|k| NewPhase {
            kind: *k,
            title: format!("{} phase", k.name()),
        })
        .collect();
    let (id, doc) = create_project(
        &mut r.space_doc,
        &space,
        &actor,
        actor_id(r.n, 2),
        &command::NewProject {
            title: "Renovating Sakura Park".into(),
            description: "How should the park change? 公園をどう変える？".into(),
            phases,
        },
        [r.n; 16],
    )
    .expect("staff create projects");
    r.project_id = Some(id);
    r.project_doc = Some(doc);
}

/// The id of the first phase of `kind`.
pub fn phase_id(r: &Replica, kind: PhaseKind) -> RecordId {
    r.project()
        .phases()
        .into_iter()
        .find(|p| p.kind == kind)
        .expect("phase exists")
        .id
}

/// Open every phase of the project (staff replica).
pub fn open_all(r: &mut Replica) {
    for p in r.project().phases() {
        r.act(ProjectCommand::SetPhaseState {
            phase: p.id,
            state: yoriai_crdt::phase::PhaseState::Open,
        })
        .expect("staff open phases");
    }
}

/// Proptest settings whose failing seeds go to `crdt/proptest-regressions/`
/// (committed), since integration tests have no source file of their own
/// for proptest to put them beside.
pub fn proptest_config(cases: u32, name: &'static str) -> proptest::test_runner::Config {
    let path: &'static str = Box::leak(format!("proptest-regressions/{name}.txt").into_boxed_str());
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(path),
        )),
        ..proptest::test_runner::Config::default()
    }
}
