//! Tallies against an independent reference model.
//!
//! The reference below is written from the rules in `vote.rs`'s docs, not
//! from its code: plain loops over a list of ballots, its own instant-runoff.
//! Property tests compare the two on random ballots; hand-worked cases pin
//! ties and eliminations; a document-level test checks that the tally a
//! replica computes from signed records equals the reference computed from
//! what each member last meant.

mod common;

use proptest::prelude::*;
use yoriai_crdt::vote::{
    check_ballot, tally, BallotChoice, ConsentChoice, ConsentOutcome, RunoffRound, TallyResult,
    VoteMethod,
};

/// Reference: winners by total, for single, approval, score and dots.
fn reference_totals(options: usize, ballots: &[BallotChoice]) -> (Vec<u64>, Vec<u16>) {
    let mut totals = vec![0u64; options];
    for o in 0..options {
        for b in ballots {
            totals[o] += match b {
                BallotChoice::Single(i) => u64::from(*i as usize == o),
                BallotChoice::Approval(v) => u64::from(v.contains(&(o as u16))),
                BallotChoice::Score(v) => u64::from(v[o]),
                BallotChoice::Dots(v) => u64::from(v[o]),
                _ => 0,
            };
        }
    }
    let mut winners = Vec::new();
    let mut best = 0;
    for (o, &t) in totals.iter().enumerate() {
        if t > best {
            best = t;
            winners = vec![o as u16];
        } else if t == best && t > 0 {
            winners.push(o as u16);
        }
    }
    (totals, winners)
}

/// Reference instant runoff: returns the winners and the eliminated order.
fn reference_runoff(options: usize, ballots: &[Vec<u16>]) -> (Vec<u16>, Vec<u16>) {
    let mut out: Vec<u16> = Vec::new();
    let mut history: Vec<Vec<u64>> = Vec::new();
    if ballots.is_empty() {
        return (vec![], vec![]);
    }
    loop {
        let alive: Vec<u16> = (0..options as u16).filter(|o| !out.contains(o)).collect();
        let mut count = vec![0u64; options];
        for b in ballots {
            for pick in b {
                if !out.contains(pick) {
                    count[*pick as usize] += 1;
                    break;
                }
            }
        }
        let continuing: u64 = count.iter().sum();
        for &o in &alive {
            if 2 * count[o as usize] > continuing {
                return (vec![o], out);
            }
        }
        let fewest = alive.iter().map(|&o| count[o as usize]).min().unwrap_or(0);
        if alive.iter().all(|&o| count[o as usize] == fewest) {
            let winners = if continuing == 0 { vec![] } else { alive };
            return (winners, out);
        }
        let mut tied: Vec<u16> = alive
            .iter()
            .copied()
            .filter(|&o| count[o as usize] == fewest)
            .collect();
        let mut round = history.len();
        while tied.len() > 1 && round > 0 {
            round -= 1;
            let low = tied
                .iter()
                .map(|&o| history[round][o as usize])
                .min()
                .unwrap_or(0);
            tied.retain(|&o| history[round][o as usize] == low);
        }
        let loser = tied.into_iter().max().unwrap_or(0);
        out.push(loser);
        history.push(count);
    }
}

fn ballot_strategy(method: VoteMethod, options: usize) -> BoxedStrategy<BallotChoice> {
    let n = options as u16;
    match method {
        VoteMethod::Consent => prop_oneof![
            Just(ConsentChoice::Agree),
            Just(ConsentChoice::Abstain),
            Just(ConsentChoice::Disagree),
            Just(ConsentChoice::Block)
        ]
        .prop_map(BallotChoice::Consent)
        .boxed(),
        VoteMethod::SingleChoice => (0..n).prop_map(BallotChoice::Single).boxed(),
        VoteMethod::Approval => {
            proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 0..=options)
                .prop_map(BallotChoice::Approval)
                .boxed()
        }
        VoteMethod::Score { max } => proptest::collection::vec(0..=max, options)
            .prop_map(BallotChoice::Score)
            .boxed(),
        VoteMethod::RankedChoice => Just((0..n).collect::<Vec<u16>>())
            .prop_shuffle()
            .prop_flat_map(move |v| (1..=v.len()).prop_map(move |k| v[..k].to_vec()))
            .prop_map(BallotChoice::Ranked)
            .boxed(),
        VoteMethod::Dot { dots } => proptest::collection::vec(0..=dots, options)
            .prop_filter("within the dots", move |v| {
                v.iter().map(|&d| u32::from(d)).sum::<u32>() <= u32::from(dots)
            })
            .prop_map(BallotChoice::Dots)
            .boxed(),
    }
}

fn method_strategy() -> impl Strategy<Value = VoteMethod> {
    prop_oneof![
        Just(VoteMethod::Consent),
        Just(VoteMethod::SingleChoice),
        Just(VoteMethod::Approval),
        (1u8..=10).prop_map(|max| VoteMethod::Score { max }),
        Just(VoteMethod::RankedChoice),
        (1u16..=6).prop_map(|dots| VoteMethod::Dot { dots }),
    ]
}

proptest! {
    #![proptest_config(common::proptest_config(400, "tally"))]

    #[test]
    fn every_method_matches_the_reference(
        (method, options, ballots) in (method_strategy(), 2usize..6).prop_flat_map(|(m, n)| {
            (Just(m), Just(n), proptest::collection::vec(ballot_strategy(m, n), 0..40))
        })
    ) {
        for b in &ballots {
            prop_assert!(check_ballot(method, options, b).is_ok(), "generated ballot must be valid");
        }
        let got = tally(method, options, &ballots);
        match method {
            VoteMethod::Consent => {
                let count = |c: ConsentChoice| ballots.iter().filter(|b| **b == BallotChoice::Consent(c)).count() as u64;
                let (a, ab, d, bl) = (count(ConsentChoice::Agree), count(ConsentChoice::Abstain), count(ConsentChoice::Disagree), count(ConsentChoice::Block));
                let outcome = if bl > 0 { ConsentOutcome::Blocked } else if a > d { ConsentOutcome::Agreed } else { ConsentOutcome::NotAgreed };
                prop_assert_eq!(got, TallyResult::Consent { agree: a, abstain: ab, disagree: d, block: bl, outcome });
            }
            VoteMethod::RankedChoice => {
                let lists: Vec<Vec<u16>> = ballots.iter().map(|b| match b { BallotChoice::Ranked(v) => v.clone(), _ => vec![] }).collect();
                let (winners, eliminated) = reference_runoff(options, &lists);
                let TallyResult::Runoff { rounds, winners: got_winners } = got else {
                    return Err(TestCaseError::fail("not a runoff"));
                };
                prop_assert_eq!(got_winners, winners);
                let got_elim: Vec<u16> = rounds.iter().filter_map(|r| r.eliminated).collect();
                prop_assert_eq!(got_elim, eliminated);
                // Every round accounts for every ballot.
                for r in &rounds {
                    let live: u64 = r.counts.iter().flatten().sum();
                    prop_assert_eq!(live + r.exhausted, ballots.len() as u64);
                }
            }
            _ => {
                let (totals, winners) = reference_totals(options, &ballots);
                prop_assert_eq!(got, TallyResult::Totals { totals, winners });
            }
        }
    }
}

#[test]
fn runoff_eliminates_the_weakest_and_transfers() {
    use BallotChoice::Ranked as R;
    // 0: 4 first places, 1: 3, 2: 2 (who prefer 1 next). 2 goes; 1 wins 5-4.
    let mut b = vec![R(vec![0]); 4];
    b.extend(vec![R(vec![1, 0]); 3]);
    b.extend(vec![R(vec![2, 1]); 2]);
    let got = tally(VoteMethod::RankedChoice, 3, &b);
    assert_eq!(
        got,
        TallyResult::Runoff {
            rounds: vec![
                RunoffRound {
                    counts: vec![Some(4), Some(3), Some(2)],
                    exhausted: 0,
                    eliminated: Some(2)
                },
                RunoffRound {
                    counts: vec![Some(4), Some(5), None],
                    exhausted: 0,
                    eliminated: None
                },
            ],
            winners: vec![1]
        }
    );
}

#[test]
fn runoff_ties_look_back_then_drop_the_higher_index() {
    use BallotChoice::Ranked as R;
    // Round 1: 0:3, 1:2, 2:2, 3:1 -> 3 goes, its ballot moves to 2.
    // Round 2: 0:3, 1:2, 2:3 -> 1 goes; its ballots prefer 2 -> 2 wins 5-3.
    let mut b = vec![R(vec![0]); 3];
    b.extend(vec![R(vec![1, 2]); 2]);
    b.extend(vec![R(vec![2]); 2]);
    b.push(R(vec![3, 2]));
    let TallyResult::Runoff { rounds, winners } = tally(VoteMethod::RankedChoice, 4, &b) else {
        panic!("runoff")
    };
    assert_eq!(rounds[0].eliminated, Some(3));
    assert_eq!(rounds[1].eliminated, Some(1));
    assert_eq!(winners, vec![2]);

    // 1 and 2 tie for fewest with no earlier round to look back on: the
    // higher index goes.
    let b = vec![
        R(vec![0]),
        R(vec![0]),
        R(vec![0]),
        R(vec![1]),
        R(vec![2]),
        R(vec![3, 1]),
        R(vec![3, 2]),
    ];
    let TallyResult::Runoff { rounds, .. } = tally(VoteMethod::RankedChoice, 4, &b) else {
        panic!("runoff")
    };
    assert_eq!(rounds[0].eliminated, Some(2));
    // Two equal finalists tie.
    let b = vec![R(vec![0]), R(vec![1])];
    assert!(
        matches!(tally(VoteMethod::RankedChoice, 2, &b), TallyResult::Runoff { winners, .. } if winners == vec![0, 1])
    );
}

#[test]
fn totals_report_every_tied_winner_and_none_without_ballots() {
    let b = vec![BallotChoice::Single(0), BallotChoice::Single(2)];
    assert_eq!(
        tally(VoteMethod::SingleChoice, 3, &b),
        TallyResult::Totals {
            totals: vec![1, 0, 1],
            winners: vec![0, 2]
        }
    );
    assert_eq!(
        tally(VoteMethod::Approval, 2, &[]),
        TallyResult::Totals {
            totals: vec![0, 0],
            winners: vec![]
        }
    );
    let consent = tally(
        VoteMethod::Consent,
        0,
        &[
            BallotChoice::Consent(ConsentChoice::Agree),
            BallotChoice::Consent(ConsentChoice::Disagree),
        ],
    );
    assert!(matches!(
        consent,
        TallyResult::Consent {
            outcome: ConsentOutcome::NotAgreed,
            ..
        }
    ));
}

proptest! {
    #![proptest_config(common::proptest_config(24, "tally-documents"))]

    /// Members change their ballots on their own devices, syncing now and
    /// then; every replica's tally equals the reference over each member's
    /// last ballot.
    #[test]
    fn tallies_from_signed_records_match_each_members_last_ballot(
        plan in proptest::collection::vec((0usize..4, ballot_strategy(VoteMethod::RankedChoice, 4), any::<bool>()), 1..30)
    ) {
        use common::*;
        use yoriai_crdt::phase::PhaseKind;
        use yoriai_crdt::{ProjectCommand, Role};
        let mut staff = founder(1);
        let link = staff.invite(Role::Resident, None);
        with_project(&mut staff, &[PhaseKind::Decision]);
        let vote = staff.act(ProjectCommand::OpenVote {
            phase: None,
            title: "Which playground?".into(),
            method: VoteMethod::RankedChoice,
            options: vec!["A".into(), "B".into(), "C".into(), "D".into()],
        }).expect("vote");
        let mut members: Vec<Replica> = (2..6).map(|n| staff.spawn(n)).collect();
        for m in &mut members {
            m.join(&link, "r").expect("join");
            staff.sync(m);
        }
        for m in &mut members {
            m.pull(&staff);
        }
        let mut last: Vec<Option<BallotChoice>> = vec![None; members.len()];
        for (who, ballot, sync) in plan {
            members[who].act(ProjectCommand::CastBallot { vote, choice: ballot.clone() }).expect("ballot");
            last[who] = Some(ballot);
            if sync {
                staff.sync(&mut members[who]);
            }
        }
        // Two rounds through staff reach everyone.
        for _ in 0..2 {
            for m in &mut members {
                staff.sync(m);
            }
        }
        let lists: Vec<Vec<u16>> = last.iter().flatten().map(|b| match b { BallotChoice::Ranked(v) => v.clone(), _ => vec![] }).collect();
        let (winners, eliminated) = reference_runoff(4, &lists);
        let v = staff.project().vote(&vote).expect("vote");
        prop_assert_eq!(v.ballots, lists.len() as u64);
        let Some(TallyResult::Runoff { rounds, winners: got }) = v.tally.clone() else {
            return Err(TestCaseError::fail("runoff expected"));
        };
        prop_assert_eq!(got, winners);
        prop_assert_eq!(rounds.iter().filter_map(|r| r.eliminated).collect::<Vec<_>>(), eliminated);
        for m in &members {
            prop_assert_eq!(m.project().vote(&vote), Some(v.clone()));
        }
    }
}
