//! The opinion analysis on planted data and on three real Polis
//! conversations, compared with the groups Polis itself assigned.

mod common;

use yoriai_crdt::insight::{
    adjusted_rand_index, analyse, next_statement, polis, prop_test, two_prop_test, Conversation,
    Options, Side,
};

fn data_dir(name: &str) -> std::path::PathBuf {
    std::path::Path::new(
        // At run time: a build cache shared with a checkout elsewhere may
        // hold a binary compiled there.
        &std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../shared/data/polis")
    .join(name)
}

fn load(name: &str) -> polis::Export {
    let dir = data_dir(name);
    let pv = std::fs::read_to_string(dir.join("participants-votes.csv"))
        .expect("participants-votes.csv");
    let c = std::fs::read_to_string(dir.join("comments.csv")).expect("comments.csv");
    polis::read(&pv, &c).expect("a Polis export")
}

const CONVERSATIONS: [&str; 3] = [
    "ssis.land-bank-farmland.2rumnecbeh.2021-08-01",
    "vtaiwan.uberx",
    "american-assembly.bowling-green",
];

/// A small deterministic generator for planted data.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `groups` opinion groups of `size` people over `per_group` statements
/// each group agrees with (and the others reject), plus one statement
/// everyone agrees with. Each person votes on ~70% of statements, with 10%
/// noise. Returns the conversation and the planted group of each person.
fn planted(groups: usize, size: usize, per_group: usize, seed: u64) -> (Conversation, Vec<usize>) {
    let m = groups * per_group + 1;
    let mut rng = Lcg(seed);
    let mut conv = Conversation {
        statements: (0..m).map(|s| format!("s{s}")).collect(),
        ..Conversation::default()
    };
    let mut truth = Vec::new();
    for g in 0..groups {
        for i in 0..size {
            conv.participants.push(format!("g{g}p{i}"));
            truth.push(g);
            let mut votes = Vec::new();
            for s in 0..m {
                if rng.next() > 0.7 {
                    continue;
                }
                let owner = s / per_group;
                let mut v: i8 = if s == m - 1 || owner == g { 1 } else { -1 };
                if rng.next() < 0.1 {
                    v = if rng.next() < 0.5 { 0 } else { -v };
                }
                votes.push((s as u32, v));
            }
            conv.votes.push(votes);
        }
    }
    (conv, truth)
}

#[test]
fn planted_groups_are_found_with_their_statements_and_the_shared_one() {
    let (conv, truth) = planted(3, 40, 4, 7);
    let a = analyse(&conv, &Options::default());
    assert_eq!(a.groups.len(), 3, "silhouettes {:?}", a.silhouettes);
    let ours: Vec<Option<usize>> = (0..conv.participants.len())
        .map(|p| a.group_of(p))
        .collect();
    let planted: Vec<Option<usize>> = truth.iter().map(|&g| Some(g)).collect();
    let ari = adjusted_rand_index(&ours, &planted);
    assert!(
        ari > 0.9,
        "ARI {ari}; sizes {:?}; sil {:?}",
        a.groups.iter().map(|g| g.members.len()).collect::<Vec<_>>(),
        a.silhouettes
    );
    for g in &a.groups {
        // The group's own statements represent it (agree), the others'
        // statements (disagree) may too; none is the shared statement.
        let mut tally = [0usize; 3];
        for &p in &g.members {
            tally[truth[p]] += 1;
        }
        let planted_group = (0..3).max_by_key(|&i| tally[i]).expect("a group");
        let top = &g.representative[0];
        assert!(!g.representative.is_empty());
        assert!(g
            .representative
            .iter()
            .all(|r| r.statement != conv.statements.len() - 1));
        assert!(top.share_z > 1.2816 && top.ratio_z > 1.2816);
        let own = g
            .representative
            .iter()
            .filter(|r| r.side == Side::Agree)
            .all(|r| r.statement / 4 == planted_group);
        assert!(own, "group {planted_group}: {:?}", g.representative);
    }
    let best = &a.consensus[0];
    assert_eq!(
        (best.statement, best.side),
        (conv.statements.len() - 1, Side::Agree)
    );
}

#[test]
fn the_same_seed_gives_the_same_analysis() {
    let (conv, _) = planted(2, 60, 5, 11);
    let a = analyse(&conv, &Options::default());
    let b = analyse(&conv, &Options::default());
    assert_eq!(a, b);
}

#[test]
fn people_with_too_few_votes_are_not_counted() {
    let (mut conv, _) = planted(2, 20, 5, 3);
    conv.participants.push("drive-by".into());
    conv.votes.push(vec![(0, 1), (1, -1)]);
    let a = analyse(&conv, &Options::default());
    let last = conv.participants.len() - 1;
    assert!(!a.counted.contains(&last));
    assert_eq!(a.group_of(last), None);
}

#[test]
fn polis_tests_and_the_rand_index_give_known_values() {
    // 2*sqrt(11)*((8+1)/(10+1) - 1/2)
    assert!((prop_test(8.0, 10.0) - 2.0 * 11f64.sqrt() * (9.0 / 11.0 - 0.5)).abs() < 1e-12);
    assert!(prop_test(4.0, 9.0).abs() < 1e-12);
    assert!(two_prop_test(9.0, 10.0, 1.0, 10.0) > 3.0);
    assert!(two_prop_test(5.0, 10.0, 5.0, 10.0).abs() < 1e-12);
    let a = [Some(0), Some(0), Some(1), Some(1), Some(2), None];
    let relabelled = [Some(5), Some(5), Some(3), Some(3), Some(9), Some(1)];
    assert!((adjusted_rand_index(&a, &relabelled) - 1.0).abs() < 1e-12);
    // A textbook case: ARI of {0,0,1,1} vs {0,1,0,1} is -0.5.
    let x = [Some(0), Some(0), Some(1), Some(1)];
    let y = [Some(0), Some(1), Some(0), Some(1)];
    assert!((adjusted_rand_index(&x, &y) + 0.5).abs() < 1e-12);
}

#[test]
fn routing_never_shows_a_voted_statement_and_favours_unseen_ones() {
    let (mut conv, _) = planted(2, 30, 5, 5);
    // A new statement nobody has voted on yet.
    conv.statements.push("new".into());
    let a = analyse(&conv, &Options::default());
    let new = conv.statements.len() - 1;
    let old_max = a.priority[..new].iter().cloned().fold(0.0, f64::max);
    assert!(a.priority[new] > old_max, "{:?}", a.priority);
    let voted: Vec<bool> = (0..conv.statements.len())
        .map(|s| s < new && s % 2 == 0)
        .collect();
    for i in 0..100 {
        let s = next_statement(&a, &voted, i as f64 / 100.0).expect("one left");
        assert!(!voted[s]);
    }
    assert_eq!(
        next_statement(&a, &vec![true; conv.statements.len()], 0.5),
        None
    );
}

#[test]
fn a_conversation_written_in_polis_layout_reads_back() {
    let (conv, truth) = planted(2, 5, 3, 1);
    let groups: Vec<Option<usize>> = truth.iter().map(|&g| Some(g)).collect();
    let comments = format!(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n{}",
        conv.statements
            .iter()
            .enumerate()
            .map(|(i, _)| format!("0,,{i},0,0,0,1,statement {i}\n"))
            .collect::<String>()
    );
    let mut conv_numbered = conv.clone();
    conv_numbered.statements = (0..conv.statements.len()).map(|i| i.to_string()).collect();
    let csv = polis::write_participants_votes(&conv_numbered, &groups);
    let back = polis::read(&csv, &comments).expect("reads");
    assert_eq!(back.conversation, conv_numbered);
    assert_eq!(back.polis_group, groups);
}

#[test]
fn real_conversations_match_the_groups_polis_assigned() {
    // Figures go to docs/benchmarks.md; the floor guards against regressions.
    for name in CONVERSATIONS {
        let e = load(name);
        let a = analyse(&e.conversation, &Options::default());
        let ours: Vec<Option<usize>> = (0..e.conversation.participants.len())
            .map(|p| a.group_of(p))
            .collect();
        let ari = adjusted_rand_index(&ours, &e.polis_group);
        println!(
            "{name}: {} participants, {} counted, {} statements, {} votes; {} groups {:?}; ARI {ari:.3}",
            e.conversation.participants.len(),
            a.counted.len(),
            e.conversation.statements.len(),
            e.conversation.vote_count(),
            a.groups.len(),
            a.groups.iter().map(|g| g.members.len()).collect::<Vec<_>>()
        );
        assert!(ari >= 0.75, "{name}: ARI {ari}");
        assert!(a.groups.iter().all(|g| !g.representative.is_empty()));
        assert!(!a.consensus.is_empty());
    }
}

mod conversation {
    use super::*;

    use super::common::*;
    use yoriai_crdt::phase::PhaseKind;
    use yoriai_crdt::record::{ImportedStatement, ImportedVote};
    use yoriai_crdt::{ProjectCommand, Role};

    #[test]
    fn statements_and_votes_are_signed_records_and_feed_the_analysis() {
        let mut staff = founder(1);
        let link = staff.invite(Role::Resident, None);
        with_project(&mut staff, &[PhaseKind::Conversation, PhaseKind::Ideas]);
        open_all(&mut staff);
        let phase = phase_id(&staff, PhaseKind::Conversation);
        let mut ann = staff.spawn(2);
        ann.join(&link, "Ann").expect("join");
        staff.sync(&mut ann);
        let s1 = ann
            .act(ProjectCommand::PostStatement {
                text: "The park needs more shade".into(),
            })
            .expect("statement");
        let s2 = staff
            .act(ProjectCommand::PostStatement {
                text: "Keep the lawn open for games".into(),
            })
            .expect("statement");
        staff.sync(&mut ann);
        for (s, v) in [(s1, 1), (s2, -1)] {
            ann.act(ProjectCommand::VoteStatement {
                statement: s,
                vote: v,
            })
            .expect("vote");
        }
        // A later vote replaces an earlier one.
        staff
            .act(ProjectCommand::VoteStatement {
                statement: s1,
                vote: -1,
            })
            .expect("vote");
        staff
            .act(ProjectCommand::VoteStatement {
                statement: s1,
                vote: 0,
            })
            .expect("vote again");
        assert!(staff
            .act(ProjectCommand::VoteStatement {
                statement: s1,
                vote: 2
            })
            .is_err());
        // Staff bring in an earlier paper round, in two batches whose votes
        // name a statement of the other batch.
        staff
            .act(ProjectCommand::ImportConversation {
                phase: None,
                source: "paper round 1".into(),
                statements: vec![],
                votes: vec![ImportedVote {
                    participant: "p7".into(),
                    statement: "x1".into(),
                    vote: 1,
                }],
            })
            .expect("batch 1");
        staff
            .act(ProjectCommand::ImportConversation {
                phase: Some(phase),
                source: "paper round 1".into(),
                statements: vec![ImportedStatement {
                    key: "x1".into(),
                    author: "p7".into(),
                    text: "More benches".into(),
                    time_ms: 5,
                }],
                votes: vec![],
            })
            .expect("batch 2");
        staff.sync(&mut ann);
        let (space, project) = (ann.space(), ann.project());
        let view = project.conversation(&space, &phase).expect("conversation");
        assert_eq!(view.statements.len(), 3);
        assert_eq!(view.sources, vec!["paper round 1".to_string()]);
        let shade = view
            .statements
            .iter()
            .find(|s| s.record == Some(s1))
            .expect("s1");
        assert_eq!((shade.agree, shade.disagree, shade.pass), (1, 0, 1));
        assert_eq!(shade.author, "Ann");
        let bench = view.statements.iter().find(|s| s.key == "x1").expect("x1");
        assert_eq!(
            (bench.text.as_str(), bench.agree, bench.imported),
            ("More benches", 1, true)
        );
        assert_eq!(view.participants, 3);
        let conv = project.conversation_votes(&phase).expect("votes");
        assert_eq!(conv.statements.len(), 3);
        assert_eq!(conv.vote_count(), 4);
        assert!(conv.participants.contains(&"p7".to_string()));
        // Staff hide a statement: it leaves the analysis.
        staff
            .act(ProjectCommand::Hide {
                target: s2,
                reason: "off topic".into(),
            })
            .expect("hide");
        let conv = staff.project().conversation_votes(&phase).expect("votes");
        assert_eq!(conv.statements.len(), 2);
        // Statements only in conversation phases; residents cannot import.
        assert!(ann
            .act(ProjectCommand::ImportConversation {
                phase: None,
                source: "x".into(),
                statements: vec![],
                votes: vec![],
            })
            .is_err());
        let a = analyse(&conv, &Options::default());
        assert!(
            a.counted.is_empty(),
            "nobody voted on both statements still shown: {a:?}"
        );
    }
}
