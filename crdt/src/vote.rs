//! Votes: methods, ballots, and the tally.
//!
//! [`tally`] is a pure function of the method, the number of options and the
//! counted ballots (one per member: their latest valid revision, within the
//! closing pin once the vote is closed). Every replica that has the same
//! records computes the same tally.
//!
//! Rules, also in `docs/THREAT_MODEL.md`:
//! - consent: blocked if any member blocks; else agreed if agree > disagree;
//! - single choice, approval, score, dot vote: the options with the highest
//!   total win (several on a tie);
//! - ranked choice (instant runoff): a ballot counts for its highest-ranked
//!   continuing option; an option with more than half of the continuing
//!   ballots wins; otherwise the option with the fewest votes is eliminated.
//!   A tie for fewest is broken by the fewest votes in the latest earlier
//!   round where the tied options differed, then by the higher option index.
//!   When every continuing option has the same count, they tie and none is
//!   eliminated.

use serde::{Deserialize, Serialize};

/// How a vote is cast and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
// Default (external) tagging: records are postcard, which cannot
// decode internally or adjacently tagged enums.
#[serde(rename_all = "kebab-case")]
pub enum VoteMethod {
    /// Agree / abstain / disagree / block on one proposal.
    Consent,
    /// One option.
    SingleChoice,
    /// Any number of options.
    Approval,
    /// A score from 0 to `max` for each option.
    Score {
        /// Highest score.
        max: u8,
    },
    /// Options in order of preference, counted by instant runoff.
    RankedChoice,
    /// `dots` dots spread over the options.
    Dot {
        /// Dots each member has.
        dots: u16,
    },
}

impl VoteMethod {
    /// Its name, as in the CLI and translation files.
    pub fn name(self) -> &'static str {
        match self {
            VoteMethod::Consent => "consent",
            VoteMethod::SingleChoice => "single-choice",
            VoteMethod::Approval => "approval",
            VoteMethod::Score { .. } => "score",
            VoteMethod::RankedChoice => "ranked-choice",
            VoteMethod::Dot { .. } => "dot",
        }
    }
}

/// A consent position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentChoice {
    /// For.
    Agree,
    /// Neither.
    Abstain,
    /// Against, but not blocking.
    Disagree,
    /// Cannot live with it.
    Block,
}

/// What one ballot says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Default (external) tagging: records are postcard, which cannot
// decode internally or adjacently tagged enums.
#[serde(rename_all = "kebab-case")]
pub enum BallotChoice {
    /// For a consent vote.
    Consent(ConsentChoice),
    /// The chosen option.
    Single(u16),
    /// The approved options.
    Approval(Vec<u16>),
    /// One score per option.
    Score(Vec<u8>),
    /// Options from most to least preferred (need not rank all).
    Ranked(Vec<u16>),
    /// Dots per option.
    Dots(Vec<u16>),
}

/// Check that a vote by `method` may have these options (their texts are
/// checked apart): a consent vote has none, every other 2 to
/// [`limits::OPTIONS`](crate::limits::OPTIONS), and scores and dots stay in
/// range. The command layer and the fold share this rule.
pub fn check_vote_options(method: VoteMethod, options: &[String]) -> Result<(), String> {
    let max = crate::limits::OPTIONS;
    match method {
        VoteMethod::Consent if !options.is_empty() => {
            Err("a consent vote has no options: people agree, abstain, disagree or block".into())
        }
        VoteMethod::Consent => Ok(()),
        _ if options.len() < 2 || options.len() > max => Err(format!(
            "a vote needs 2 to {max} options (a consent vote needs none)"
        )),
        VoteMethod::Score { max } if max == 0 || max > 10 => Err("scores go up to 1 to 10".into()),
        VoteMethod::Dot { dots } if dots == 0 || dots > 100 => {
            Err("a dot vote gives 1 to 100 dots".into())
        }
        _ => Ok(()),
    }
}

/// Check that `choice` fits `method` with `options` options.
pub fn check_ballot(
    method: VoteMethod,
    options: usize,
    choice: &BallotChoice,
) -> Result<(), String> {
    let in_range = |i: &u16| (*i as usize) < options;
    let distinct = |v: &[u16]| {
        let mut s = v.to_vec();
        s.sort_unstable();
        s.windows(2).all(|w| w[0] != w[1])
    };
    match (method, choice) {
        (VoteMethod::Consent, BallotChoice::Consent(_)) => Ok(()),
        (VoteMethod::SingleChoice, BallotChoice::Single(i)) if in_range(i) => Ok(()),
        (VoteMethod::SingleChoice, BallotChoice::Single(_)) => Err("no such option".into()),
        (VoteMethod::Approval, BallotChoice::Approval(v)) => {
            if !v.iter().all(in_range) {
                Err("no such option".into())
            } else if !distinct(v) {
                Err("an option is approved twice".into())
            } else {
                Ok(())
            }
        }
        (VoteMethod::Score { max }, BallotChoice::Score(v)) => {
            if v.len() != options {
                Err(format!("needs one score for each of {options} options"))
            } else if v.iter().any(|s| s > &max) {
                Err(format!("scores go from 0 to {max}"))
            } else {
                Ok(())
            }
        }
        (VoteMethod::RankedChoice, BallotChoice::Ranked(v)) => {
            if v.is_empty() {
                Err("rank at least one option".into())
            } else if !v.iter().all(in_range) {
                Err("no such option".into())
            } else if !distinct(v) {
                Err("an option is ranked twice".into())
            } else {
                Ok(())
            }
        }
        (VoteMethod::Dot { dots }, BallotChoice::Dots(v)) => {
            let used: u32 = v.iter().map(|&d| u32::from(d)).sum();
            if v.len() != options {
                Err(format!("needs a dot count for each of {options} options"))
            } else if used > u32::from(dots) {
                Err(format!("{used} dots used, only {dots} to give"))
            } else {
                Ok(())
            }
        }
        (m, _) => Err(format!("this ballot does not fit a {} vote", m.name())),
    }
}

/// The outcome of a consent vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentOutcome {
    /// No block and more agree than disagree.
    Agreed,
    /// No block, but not more agree than disagree.
    NotAgreed,
    /// At least one block.
    Blocked,
}

/// One round of an instant-runoff count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunoffRound {
    /// Votes per option this round (`None`: eliminated earlier).
    pub counts: Vec<Option<u64>>,
    /// Ballots with no continuing option left.
    pub exhausted: u64,
    /// The option eliminated after this round, if any.
    pub eliminated: Option<u16>,
}

/// What a tally found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TallyResult {
    /// A consent vote.
    Consent {
        /// Agree count.
        agree: u64,
        /// Abstain count.
        abstain: u64,
        /// Disagree count.
        disagree: u64,
        /// Block count.
        block: u64,
        /// The outcome.
        outcome: ConsentOutcome,
    },
    /// Single choice, approval, score and dot votes.
    Totals {
        /// Total per option (votes, approvals, points or dots).
        totals: Vec<u64>,
        /// Options with the highest total (empty when no ballot counted).
        winners: Vec<u16>,
    },
    /// Ranked choice.
    Runoff {
        /// The rounds, first to last.
        rounds: Vec<RunoffRound>,
        /// Options that won (one; several when the last ones tie; none
        /// without ballots).
        winners: Vec<u16>,
    },
}

/// Count `ballots` (already checked against the method).
pub fn tally(method: VoteMethod, options: usize, ballots: &[BallotChoice]) -> TallyResult {
    match method {
        VoteMethod::Consent => {
            let (mut agree, mut abstain, mut disagree, mut block) = (0, 0, 0, 0);
            for b in ballots {
                if let BallotChoice::Consent(c) = b {
                    match c {
                        ConsentChoice::Agree => agree += 1,
                        ConsentChoice::Abstain => abstain += 1,
                        ConsentChoice::Disagree => disagree += 1,
                        ConsentChoice::Block => block += 1,
                    }
                }
            }
            let outcome = if block > 0 {
                ConsentOutcome::Blocked
            } else if agree > disagree {
                ConsentOutcome::Agreed
            } else {
                ConsentOutcome::NotAgreed
            };
            TallyResult::Consent {
                agree,
                abstain,
                disagree,
                block,
                outcome,
            }
        }
        VoteMethod::RankedChoice => runoff(options, ballots),
        _ => {
            let mut totals = vec![0u64; options];
            for b in ballots {
                match b {
                    BallotChoice::Single(i) => totals[*i as usize] += 1,
                    BallotChoice::Approval(v) => v.iter().for_each(|i| totals[*i as usize] += 1),
                    BallotChoice::Score(v) => v
                        .iter()
                        .enumerate()
                        .for_each(|(i, s)| totals[i] += u64::from(*s)),
                    BallotChoice::Dots(v) => v
                        .iter()
                        .enumerate()
                        .for_each(|(i, d)| totals[i] += u64::from(*d)),
                    _ => {}
                }
            }
            let best = totals.iter().copied().max().unwrap_or(0);
            let winners = if ballots.is_empty() || best == 0 {
                Vec::new()
            } else {
                (0..options as u16)
                    .filter(|&i| totals[i as usize] == best)
                    .collect()
            };
            TallyResult::Totals { totals, winners }
        }
    }
}

fn runoff(options: usize, ballots: &[BallotChoice]) -> TallyResult {
    let ranked: Vec<&[u16]> = ballots
        .iter()
        .filter_map(|b| match b {
            BallotChoice::Ranked(v) => Some(v.as_slice()),
            _ => None,
        })
        .collect();
    let mut continuing = vec![true; options];
    let mut rounds: Vec<RunoffRound> = Vec::new();
    if ranked.is_empty() || options == 0 {
        return TallyResult::Runoff {
            rounds,
            winners: Vec::new(),
        };
    }
    loop {
        let mut counts = vec![0u64; options];
        let mut exhausted = 0u64;
        for b in &ranked {
            match b.iter().find(|&&o| continuing[o as usize]) {
                Some(&o) => counts[o as usize] += 1,
                None => exhausted += 1,
            }
        }
        let active: u64 = counts.iter().sum();
        let live: Vec<usize> = (0..options).filter(|&o| continuing[o]).collect();
        let round_counts: Vec<Option<u64>> = (0..options)
            .map(|o| continuing[o].then_some(counts[o]))
            .collect();
        let leader = live.iter().copied().max_by_key(|&o| counts[o]);
        if let Some(l) = leader {
            if counts[l] * 2 > active {
                rounds.push(RunoffRound {
                    counts: round_counts,
                    exhausted,
                    eliminated: None,
                });
                return TallyResult::Runoff {
                    rounds,
                    winners: vec![l as u16],
                };
            }
        }
        let low = live.iter().map(|&o| counts[o]).min().unwrap_or(0);
        let high = live.iter().map(|&o| counts[o]).max().unwrap_or(0);
        if live.len() <= 1 || low == high {
            rounds.push(RunoffRound {
                counts: round_counts,
                exhausted,
                eliminated: None,
            });
            let winners = if active == 0 {
                Vec::new()
            } else {
                live.iter().map(|&o| o as u16).collect()
            };
            return TallyResult::Runoff { rounds, winners };
        }
        let mut tied: Vec<usize> = live.iter().copied().filter(|&o| counts[o] == low).collect();
        // Look back through earlier rounds for the first difference.
        for earlier in rounds.iter().rev() {
            if tied.len() == 1 {
                break;
            }
            let least = tied
                .iter()
                .map(|&o| earlier.counts[o].unwrap_or(0))
                .min()
                .unwrap_or(0);
            tied.retain(|&o| earlier.counts[o].unwrap_or(0) == least);
        }
        let out = *tied.iter().max().unwrap_or(&live[0]);
        continuing[out] = false;
        rounds.push(RunoffRound {
            counts: round_counts,
            exhausted,
            eliminated: Some(out as u16),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_that_do_not_fit_are_refused() {
        assert!(check_ballot(VoteMethod::SingleChoice, 2, &BallotChoice::Single(2)).is_err());
        assert!(
            check_ballot(VoteMethod::Approval, 3, &BallotChoice::Approval(vec![1, 1])).is_err()
        );
        assert!(check_ballot(
            VoteMethod::Score { max: 5 },
            2,
            &BallotChoice::Score(vec![6, 0])
        )
        .is_err());
        assert!(check_ballot(
            VoteMethod::Score { max: 5 },
            2,
            &BallotChoice::Score(vec![5])
        )
        .is_err());
        assert!(check_ballot(VoteMethod::RankedChoice, 3, &BallotChoice::Ranked(vec![])).is_err());
        assert!(check_ballot(
            VoteMethod::Dot { dots: 3 },
            2,
            &BallotChoice::Dots(vec![2, 2])
        )
        .is_err());
        assert!(check_ballot(
            VoteMethod::Dot { dots: 3 },
            2,
            &BallotChoice::Dots(vec![2, 1])
        )
        .is_ok());
        assert!(check_ballot(VoteMethod::Consent, 0, &BallotChoice::Single(0)).is_err());
    }
}
