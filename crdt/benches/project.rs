//! A project of 10,000 comments and 500 ideas (issue #2's benchmark).
//!
//! Comment texts are the real statements of the three Polis conversations in
//! `shared/data/polis` (CC BY 4.0, The Computational Democracy Project), in
//! Chinese and English, used in turn. Prints one-off figures (build time,
//! saved size per comment against the text itself) and lets criterion time
//! loading, judging and the read models. Results: `docs/benchmarks.md`.
#![allow(missing_docs)]

use std::path::PathBuf;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use yoriai_crdt::automerge::{ActorId, Automerge};
use yoriai_crdt::command::{self, apply_project, NewInvitation, NewPhase, NewProject};
use yoriai_crdt::comment::Stance;
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::{
    Actor, DeviceKey, DocId, ProjectCommand, ProjectState, RecordId, Role, SpaceState,
};

const IDEAS: usize = 500;
const COMMENTS: usize = 10_000;
const MEMBERS: usize = 100;
const T0: i64 = 1_764_000_000_000;

fn polis_texts() -> Vec<String> {
    let root = PathBuf::from(
        // At run time: a build cache shared with a checkout elsewhere may
        // hold a binary compiled there.
        &std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../shared/data/polis");
    let mut texts = Vec::new();
    for conv in [
        "vtaiwan.uberx",
        "american-assembly.bowling-green",
        "ssis.land-bank-farmland.2rumnecbeh.2021-08-01",
    ] {
        let path = root.join(conv).join("comments.csv");
        let mut reader = csv::Reader::from_path(&path)
            .unwrap_or_else(|e| panic!("the benchmark reads {}: {e}", path.display()));
        let headers = reader.headers().expect("headers").clone();
        let body = headers
            .iter()
            .position(|h| h == "comment-body")
            .expect("comment-body column");
        for row in reader.records() {
            let row = row.expect("csv row");
            let text = row.get(body).unwrap_or("").trim();
            if !text.is_empty() {
                texts.push(text.chars().take(yoriai_crdt::limits::COMMENT).collect());
            }
        }
    }
    texts
}

struct Built {
    space_id: DocId,
    space_doc: Automerge,
    project_id: DocId,
    project_doc: Automerge,
    text_bytes: usize,
    busiest_idea: RecordId,
    keys: Vec<DeviceKey>,
}

fn build(texts: &[String]) -> Built {
    let admin = DeviceKey::from_secret([1; 32]);
    fn actor(key: &DeviceKey, t: i64) -> Actor<'_> {
        Actor {
            key,
            now_ms: T0 + t,
        }
    }
    let a = actor(&admin, 0);
    let (space_id, mut space_doc) = command::create_space(
        &a,
        ActorId::from([1u8; 16]),
        "Sakura-chō",
        "Aiko",
        &["ja".into(), "en".into()],
        [1; 16],
    )
    .expect("space");
    let space = SpaceState::from_doc(&space_doc, space_id).expect("space");
    let link = command::invite(
        &mut space_doc,
        &space,
        &a,
        NewInvitation {
            role: Role::Resident,
            max_uses: None,
            note: String::new(),
            relays: vec![],
        },
        [9; 32],
    )
    .expect("invite");
    let mut keys = vec![admin.clone()];
    let mut join_records = Vec::new();
    for i in 0..MEMBERS {
        let key = DeviceKey::from_secret([
            (i % 250) as u8 + 2,
            (i / 250) as u8,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
        ]);
        let recs =
            command::join_records(&actor(&key, 1), &link, &format!("住民 {i}")).expect("join");
        join_records.push(recs[1].clone());
        keys.push(key);
    }
    yoriai_crdt::document::append_records(&mut space_doc, &join_records, T0).expect("joins");
    let space = SpaceState::from_doc(&space_doc, space_id).expect("space");
    let (project_id, mut project_doc) = command::create_project(
        &mut space_doc,
        &space,
        &a,
        ActorId::from([2u8; 16]),
        &NewProject {
            title: "Renovating Sakura Park".into(),
            description: "How should the park change?".into(),
            phases: vec![
                NewPhase {
                    kind: PhaseKind::Ideas,
                    title: "Ideas".into(),
                },
                NewPhase {
                    kind: PhaseKind::Discussion,
                    title: "Discussion".into(),
                },
            ],
        },
        [2; 16],
    )
    .expect("project");
    let space = SpaceState::from_doc(&space_doc, space_id).expect("space");
    let mut project = ProjectState::from_doc(&project_doc, project_id, &space).expect("project");
    let discussion = project.phases()[1].id;
    apply_project(
        &mut project_doc,
        &space,
        &mut project,
        &a,
        ProjectCommand::SetPhaseState {
            phase: discussion,
            state: PhaseState::Open,
        },
    )
    .expect("open");

    let started = Instant::now();
    let mut ideas = Vec::with_capacity(IDEAS);
    for i in 0..IDEAS {
        let key = &keys[i % keys.len()];
        let text = &texts[i % texts.len()];
        let title: String = text.chars().take(40).collect();
        let id = apply_project(
            &mut project_doc,
            &space,
            &mut project,
            &actor(key, i as i64),
            ProjectCommand::PostIdea {
                title,
                body: text.clone(),
            },
        )
        .expect("idea");
        ideas.push(id);
    }
    let mut text_bytes = 0;
    let mut last_comment: Vec<Option<RecordId>> = vec![None; IDEAS];
    for i in 0..COMMENTS {
        let key = &keys[(i * 7) % keys.len()];
        let text = texts[(i + IDEAS) % texts.len()].clone();
        text_bytes += text.len();
        // Skewed: a few ideas draw most comments, as in real discussions.
        let idea_ix = (i * i) % 61 % IDEAS;
        let reply_to = if i % 3 == 0 {
            last_comment[idea_ix]
        } else {
            None
        };
        let stance = [Stance::For, Stance::Against, Stance::Neutral][i % 3];
        let id = apply_project(
            &mut project_doc,
            &space,
            &mut project,
            &actor(key, (IDEAS + i) as i64),
            ProjectCommand::Comment {
                target: Some(ideas[idea_ix]),
                reply_to,
                stance,
                text,
                official: false,
            },
        )
        .expect("comment");
        last_comment[idea_ix] = Some(id);
    }
    let elapsed = started.elapsed();
    eprintln!(
        "built {IDEAS} ideas + {COMMENTS} comments through the command layer in {:.2} s ({:.0} µs per command)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / (IDEAS + COMMENTS) as f64
    );
    Built {
        space_id,
        space_doc,
        project_id,
        project_doc,
        text_bytes,
        busiest_idea: ideas[0],
        keys,
    }
}

fn benches(c: &mut Criterion) {
    let texts = polis_texts();
    let built = build(&texts);
    let saved = built.project_doc.save();
    let space_saved = built.space_doc.save();
    eprintln!(
        "saved project: {} bytes for {} bytes of comment text ({:.2}x); {:.0} bytes per comment; space document {} bytes",
        saved.len(),
        built.text_bytes,
        saved.len() as f64 / built.text_bytes as f64,
        saved.len() as f64 / COMMENTS as f64,
        space_saved.len()
    );
    let space = SpaceState::from_doc(&built.space_doc, built.space_id).expect("space");

    let mut g = c.benchmark_group("project-10k");
    g.sample_size(10);
    g.bench_function("load automerge bytes", |b| {
        b.iter(|| Automerge::load(&saved).expect("load"))
    });
    let raw = yoriai_crdt::document::raw_records(&built.project_doc).expect("raw");
    g.bench_function("read raw records", |b| {
        b.iter(|| yoriai_crdt::document::raw_records(&built.project_doc).expect("raw"))
    });
    g.bench_function("decode + verify signatures", |b| {
        b.iter(|| yoriai_crdt::verdict::RecordSet::decode(&raw, Some(built.project_id)))
    });
    g.bench_function("judge records (verify + fold)", |b| {
        b.iter(|| {
            ProjectState::from_doc(&built.project_doc, built.project_id, &space).expect("judge")
        })
    });
    g.bench_function("load + judge + idea list + busiest comment tree", |b| {
        b.iter(|| {
            let doc = Automerge::load(&saved).expect("load");
            let space = SpaceState::from_doc(
                &Automerge::load(&space_saved).expect("load"),
                built.space_id,
            )
            .expect("space");
            let p = ProjectState::from_doc(&doc, built.project_id, &space).expect("judge");
            let list = p.ideas(&space, IdeaSort::Supports);
            let tree = p.comment_tree(&space, &built.busiest_idea);
            (list.len(), tree.len())
        })
    });
    let project =
        ProjectState::from_doc(&built.project_doc, built.project_id, &space).expect("judge");
    let trusted: std::collections::HashSet<RecordId> = project.verified_ids().copied().collect();
    g.bench_function(
        "load + judge + read models, signatures verified before",
        |b| {
            b.iter(|| {
                let doc = Automerge::load(&saved).expect("load");
                let space_doc = Automerge::load(&space_saved).expect("load");
                let space = SpaceState::from_doc(&space_doc, built.space_id).expect("space");
                let p = ProjectState::from_doc_trusting(&doc, built.project_id, &space, &trusted)
                    .expect("judge");
                let list = p.ideas(&space, IdeaSort::Supports);
                let tree = p.comment_tree(&space, &built.busiest_idea);
                (list.len(), tree.len())
            })
        },
    );
    g.bench_function("read model: idea list by supports", |b| {
        b.iter(|| project.ideas(&space, IdeaSort::Supports))
    });
    g.bench_function("read model: busiest comment tree", |b| {
        b.iter(|| project.comment_tree(&space, &built.busiest_idea))
    });
    g.bench_function("save", |b| b.iter(|| built.project_doc.save()));
    let mut doc = built.project_doc.clone();
    let mut state = project.clone();
    let key = built.keys[3].clone();
    let mut n = 0i64;
    g.bench_function("apply one comment to the 10k project", |b| {
        b.iter(|| {
            n += 1;
            apply_project(
                &mut doc,
                &space,
                &mut state,
                &Actor {
                    key: &key,
                    now_ms: T0 + 1_000_000 + n,
                },
                ProjectCommand::Comment {
                    target: Some(built.busiest_idea),
                    reply_to: None,
                    stance: Stance::Neutral,
                    text: format!("one more comment {n}"),
                    official: false,
                },
            )
            .expect("comment")
        })
    });
    g.finish();
}

criterion_group!(project, benches);
criterion_main!(project);
