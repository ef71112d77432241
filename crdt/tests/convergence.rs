//! Convergence: replicas apply random commands while partitioned, sync in
//! random orders, and must end with identical read models.
//!
//! Self-consistency is the point here (every replica computes the same);
//! `tally.rs` checks the tallies against an independent model.

mod common;

use common::*;
use proptest::prelude::*;
use yoriai_crdt::comment::Stance;
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::survey::{Answer, Question, QuestionKind};
use yoriai_crdt::verdict::RejectReason;
use yoriai_crdt::vote::{BallotChoice, VoteMethod};
use yoriai_crdt::{ProjectCommand, RecordId, Role};

const WORDS: [&str; 8] = [
    "公園",
    "bench",
    "木陰",
    "shade",
    "子ども",
    "water",
    "安全",
    "path",
];

#[derive(Debug, Clone)]
enum Action {
    PostIdea(usize),
    Support(usize, bool),
    Comment(usize, Option<usize>, u8),
    EditText(usize, usize, bool),
    Amend(usize),
    Decide(usize, bool),
    Approve(Vec<u16>),
    Rank(Vec<u16>),
    Answer(u16, u8),
    MovePhase(usize, Option<usize>),
    SetPhase(usize, u8),
    CloseVote(bool),
    Hide(usize, bool),
}

#[derive(Debug, Clone)]
enum Step {
    Act(usize, Action),
    Sync(usize, usize),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0usize..8).prop_map(Action::PostIdea),
        (0usize..8, any::<bool>()).prop_map(|(i, s)| Action::Support(i, s)),
        (0usize..8, proptest::option::of(0usize..8), 0u8..3)
            .prop_map(|(t, r, s)| Action::Comment(t, r, s)),
        (0usize..64, 0usize..8, any::<bool>())
            .prop_map(|(at, w, del)| Action::EditText(at, w, del)),
        (0usize..8).prop_map(Action::Amend),
        (0usize..8, any::<bool>()).prop_map(|(a, y)| Action::Decide(a, y)),
        proptest::sample::subsequence(vec![0u16, 1, 2], 0..=3).prop_map(Action::Approve),
        Just(vec![0u16, 1, 2]).prop_shuffle().prop_map(Action::Rank),
        (0u16..3, 1u8..=5).prop_map(|(c, s)| Action::Answer(c, s)),
        (0usize..6, proptest::option::of(0usize..6)).prop_map(|(p, b)| Action::MovePhase(p, b)),
        (0usize..6, 0u8..3).prop_map(|(p, s)| Action::SetPhase(p, s)),
        any::<bool>().prop_map(Action::CloseVote),
        (0usize..8, any::<bool>()).prop_map(|(t, h)| Action::Hide(t, h)),
    ]
}

fn plan(replicas: usize) -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        prop_oneof![
            4 => (0..replicas, action()).prop_map(|(r, a)| Step::Act(r, a)),
            1 => (0..replicas, 0..replicas).prop_map(|(a, b)| Step::Sync(a, b)),
        ],
        1..45,
    )
}

struct World {
    replicas: Vec<Replica>,
    shared_idea: RecordId,
    approval: RecordId,
    ranked: RecordId,
    survey: RecordId,
}

fn world(n: usize) -> World {
    let mut admin = founder(1);
    let staff_link = admin.invite(Role::Staff, None);
    let resident_link = admin.invite(Role::Resident, None);
    with_project(
        &mut admin,
        &[
            PhaseKind::Ideas,
            PhaseKind::Discussion,
            PhaseKind::CoCreation,
            PhaseKind::Survey,
            PhaseKind::Decision,
            PhaseKind::Results,
        ],
    );
    open_all(&mut admin);
    let approval = admin
        .act(ProjectCommand::OpenVote {
            phase: None,
            title: "Which features?".into(),
            method: VoteMethod::Approval,
            options: vec!["benches".into(), "trees".into(), "fountain".into()],
        })
        .expect("vote");
    let ranked = admin
        .act(ProjectCommand::OpenVote {
            phase: None,
            title: "Which design?".into(),
            method: VoteMethod::RankedChoice,
            options: vec!["A".into(), "B".into(), "C".into()],
        })
        .expect("vote");
    let survey = admin
        .act(ProjectCommand::CreateSurvey {
            phase: None,
            title: "Use".into(),
            questions: vec![
                Question {
                    prompt: "Often?".into(),
                    kind: QuestionKind::SingleChoice {
                        options: vec!["a".into(), "b".into(), "c".into()],
                    },
                    required: true,
                },
                Question {
                    prompt: "満足度".into(),
                    kind: QuestionKind::Scale,
                    required: true,
                },
            ],
        })
        .expect("survey");
    let mut replicas = vec![admin];
    for i in 1..n {
        let mut r = replicas[0].spawn(i as u8 + 1);
        let link = if i == 1 { &staff_link } else { &resident_link };
        r.join(link, &format!("member {i}")).expect("join");
        replicas[0].sync(&mut r);
        replicas.push(r);
    }
    // The shared proposal: written by a resident (or staff when n is
    // small), with every other member a co-author.
    let author = n - 1;
    let shared_idea = replicas[author]
        .act(ProjectCommand::PostIdea {
            title: "Shared proposal".into(),
            body: "公園に bench を置く".into(),
        })
        .expect("idea");
    let others: Vec<_> = (0..n)
        .filter(|&i| i != author)
        .map(|i| replicas[i].member())
        .collect();
    for m in others {
        replicas[author]
            .act(ProjectCommand::AddCoauthor {
                proposal: shared_idea,
                member: m,
            })
            .expect("coauthor");
    }
    // Everyone starts from the same state.
    for _ in 0..2 {
        for i in 1..n {
            let (a, b) = replicas.split_at_mut(i);
            a[0].sync(&mut b[0]);
        }
    }
    World {
        replicas,
        shared_idea,
        approval,
        ranked,
        survey,
    }
}

fn pick<T: Clone>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()].clone())
}

fn run(w: &mut World, r: usize, action: Action) {
    // Only the proposal's author decides amendments: let them.
    let r = if matches!(action, Action::Decide(..)) {
        w.replicas.len() - 1
    } else {
        r
    };
    let rep = &mut w.replicas[r];
    let project = rep.project();
    let space = rep.space();
    let ideas: Vec<RecordId> = project
        .ideas(&space, IdeaSort::Newest)
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut ideas_sorted = ideas.clone();
    ideas_sorted.sort();
    let phases: Vec<RecordId> = project.phases().into_iter().map(|p| p.id).collect();
    let comments: Vec<RecordId> = ideas_sorted
        .iter()
        .flat_map(|i| project.comment_tree(&space, i))
        .map(|c| c.id)
        .collect();
    let amendments: Vec<RecordId> = project
        .idea(&space, &w.shared_idea)
        .map(|d| d.amendments.iter().map(|a| a.id).collect())
        .unwrap_or_default();
    let cmd = match action {
        Action::PostIdea(w_) => ProjectCommand::PostIdea {
            title: format!("idea {}", WORDS[w_]),
            body: WORDS[(w_ + 3) % 8].repeat(2),
        },
        Action::Support(i, s) => match pick(&ideas_sorted, i) {
            Some(idea) => ProjectCommand::Support { idea, support: s },
            None => return,
        },
        Action::Comment(t, reply, stance) => {
            let target = pick(&ideas_sorted, t);
            let reply_to = reply.and_then(|x| pick(&comments, x)).filter(|c| {
                project.record(c).is_some_and(|rec| {
                    matches!(&rec.body.payload, yoriai_crdt::record::Payload::Comment { target: t2, .. } if Some(*t2) == target)
                })
            });
            ProjectCommand::Comment {
                target,
                reply_to,
                stance: [Stance::For, Stance::Against, Stance::Neutral][stance as usize],
                text: format!("{} について", WORDS[t]),
                official: false,
            }
        }
        Action::EditText(at, word, delete) => {
            let current: Vec<char> = project
                .text_of(&w.shared_idea)
                .map(|t| t.to_text().chars().collect())
                .unwrap_or_default();
            let at = at % (current.len() + 1);
            let mut next = current.clone();
            if delete && !current.is_empty() {
                let at = at.min(current.len() - 1);
                let end = (at + 1 + word).min(current.len());
                next.drain(at..end);
            } else {
                for (k, c) in WORDS[word].chars().enumerate() {
                    next.insert(at + k, c);
                }
            }
            ProjectCommand::EditText {
                proposal: w.shared_idea,
                text: next.into_iter().collect(),
            }
        }
        Action::Amend(word) => {
            let current = project
                .text_of(&w.shared_idea)
                .map(|t| t.to_text())
                .unwrap_or_default();
            ProjectCommand::ProposeAmendment {
                proposal: w.shared_idea,
                text: format!("{current} {}", WORDS[word]),
                reason: "追加".into(),
            }
        }
        Action::Decide(a, accept) => match pick(&amendments, a) {
            Some(amendment) => ProjectCommand::DecideAmendment { amendment, accept },
            None => return,
        },
        Action::Approve(options) => ProjectCommand::CastBallot {
            vote: w.approval,
            choice: BallotChoice::Approval(options),
        },
        Action::Rank(order) => ProjectCommand::CastBallot {
            vote: w.ranked,
            choice: BallotChoice::Ranked(order),
        },
        Action::Answer(choice, scale) => ProjectCommand::AnswerSurvey {
            survey: w.survey,
            answers: vec![Answer::Choice(choice), Answer::Scale(scale)],
        },
        Action::MovePhase(p, before) => match pick(&phases, p) {
            Some(phase) => ProjectCommand::MovePhase {
                phase,
                before: before
                    .and_then(|b| pick(&phases, b))
                    .filter(|b| *b != phase),
            },
            None => return,
        },
        Action::SetPhase(p, s) => match pick(&phases, p) {
            Some(phase) => ProjectCommand::SetPhaseState {
                phase,
                state: [PhaseState::Upcoming, PhaseState::Open, PhaseState::Closed][s as usize],
            },
            None => return,
        },
        Action::CloseVote(first) => ProjectCommand::CloseVote {
            vote: if first { w.approval } else { w.ranked },
        },
        Action::Hide(t, hide) => match pick(&ideas_sorted, t) {
            Some(target) if hide => ProjectCommand::Hide {
                target,
                reason: "test".into(),
            },
            Some(target) => ProjectCommand::Restore {
                target,
                reason: "test".into(),
            },
            None => return,
        },
    };
    // Refusals (phase closed, not the author...) are part of the game.
    let _ = rep.act(cmd);
}

fn sync_pair(w: &mut World, a: usize, b: usize) {
    if a == b {
        return;
    }
    let (lo, hi) = (a.min(b), a.max(b));
    let (left, right) = w.replicas.split_at_mut(hi);
    left[lo].sync(&mut right[0]);
}

proptest! {
    #![proptest_config(proptest_config(40, "convergence"))]

    #[test]
    fn replicas_converge_whatever_the_order(
        (n, steps, order) in (3usize..=5).prop_flat_map(|n| {
            let pairs: Vec<(usize, usize)> = (0..n).flat_map(|a| (0..n).map(move |b| (a, b))).filter(|(a, b)| a < b).collect();
            (Just(n), plan(n), Just(pairs).prop_shuffle())
        })
    ) {
        let mut w = world(n);
        for step in steps {
            match step {
                Step::Act(r, a) => run(&mut w, r, a),
                Step::Sync(a, b) => sync_pair(&mut w, a, b),
            }
        }
        // States judged before the exchange, to refresh after it.
        let mut before: Vec<_> = w.replicas.iter().map(Replica::project).collect();
        // Exchange in a random order until everyone has everything.
        for _ in 0..2 {
            for (a, b) in &order {
                sync_pair(&mut w, *a, *b);
            }
        }
        let reference = w.replicas[0].snapshot();
        for (state, r) in before.iter_mut().zip(&w.replicas) {
            let space = r.space();
            state.refresh(r.project_doc.as_ref().expect("project"), &space).expect("refresh");
            prop_assert_eq!(&state.snapshot(&space), &reference, "refresh equals a fresh judgement");
        }
        let space = w.replicas[0].space().read_model();
        for r in &w.replicas[1..] {
            prop_assert_eq!(&r.snapshot(), &reference);
            prop_assert_eq!(&r.space().read_model(), &space);
        }
        // Honest replicas lose nothing: the only rejections are a second
        // close of a vote that two staff members closed concurrently.
        for x in &reference.rejected {
            prop_assert!(
                x.kind.as_deref() == Some("close-vote")
                    && matches!(&x.reason, RejectReason::Invalid { detail } if detail.contains("already closed")),
                "unexpected rejection {:?}", x
            );
        }
        prop_assert_eq!(reference.overview.pending, 0);
    }
}

#[test]
fn concurrent_moves_to_the_same_place_order_the_same_everywhere() {
    let mut w = world(3);
    let phases: Vec<RecordId> = w.replicas[0]
        .project()
        .phases()
        .into_iter()
        .map(|p| p.id)
        .collect();
    // Admin and staff each move a different phase to the end, offline:
    // both pick the same position key.
    w.replicas[0]
        .act(ProjectCommand::MovePhase {
            phase: phases[0],
            before: None,
        })
        .expect("move");
    w.replicas[1]
        .act(ProjectCommand::MovePhase {
            phase: phases[1],
            before: None,
        })
        .expect("move");
    for _ in 0..2 {
        sync_pair(&mut w, 0, 1);
        sync_pair(&mut w, 1, 2);
    }
    let order =
        |r: &Replica| -> Vec<RecordId> { r.project().phases().into_iter().map(|p| p.id).collect() };
    let first = order(&w.replicas[0]);
    assert_eq!(first.len(), phases.len());
    let moved: Vec<RecordId> = first[first.len() - 2..].to_vec();
    let mut expected = vec![phases[0], phases[1]];
    expected.sort();
    assert_eq!(moved, expected, "equal keys are ordered by phase id");
    for r in &w.replicas[1..] {
        for _ in 0..4 {
            // Fresh states (fresh hash seeds) must agree every time.
            assert_eq!(order(r), first);
        }
    }
}
