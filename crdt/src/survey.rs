//! Surveys: questions, answers and their aggregate.

use serde::{Deserialize, Serialize};

/// Longest free-text answer, in characters.
pub const MAX_FREE_TEXT: usize = 2_000;

/// The kind of a question and its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Default (external) tagging: records are postcard, which cannot
// decode internally or adjacently tagged enums.
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// Pick one.
    SingleChoice {
        /// The options.
        options: Vec<String>,
    },
    /// Pick any.
    MultipleChoice {
        /// The options.
        options: Vec<String>,
    },
    /// A scale from 1 to 5.
    Scale,
    /// Free text.
    FreeText,
    /// Put options in order.
    Ranking {
        /// The options.
        options: Vec<String>,
    },
}

impl QuestionKind {
    fn options(&self) -> usize {
        match self {
            QuestionKind::SingleChoice { options }
            | QuestionKind::MultipleChoice { options }
            | QuestionKind::Ranking { options } => options.len(),
            QuestionKind::Scale | QuestionKind::FreeText => 0,
        }
    }
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// What is asked.
    pub prompt: String,
    /// How it is answered.
    pub kind: QuestionKind,
    /// Whether an answer is needed.
    pub required: bool,
}

/// One answer, in the order of the questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Default (external) tagging: records are postcard, which cannot
// decode internally or adjacently tagged enums.
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// Not answered.
    Skipped,
    /// A single choice.
    Choice(u16),
    /// Multiple choices.
    Choices(Vec<u16>),
    /// A point on the 1-5 scale.
    Scale(u8),
    /// Free text.
    Text(String),
    /// Options from first to last.
    Ranking(Vec<u16>),
}

/// Check a whole set of answers against the questions.
pub fn check_answers(questions: &[Question], answers: &[Answer]) -> Result<(), String> {
    if questions.len() != answers.len() {
        return Err(format!(
            "{} answers for {} questions",
            answers.len(),
            questions.len()
        ));
    }
    for (n, (q, a)) in questions.iter().zip(answers).enumerate() {
        let n = n + 1;
        let opts = q.kind.options();
        let ok_index = |i: &u16| (*i as usize) < opts;
        let distinct = |v: &[u16]| {
            let mut s = v.to_vec();
            s.sort_unstable();
            s.windows(2).all(|w| w[0] != w[1])
        };
        match (&q.kind, a) {
            (_, Answer::Skipped) if q.required => {
                return Err(format!("question {n} needs an answer"))
            }
            (_, Answer::Skipped) => {}
            (QuestionKind::SingleChoice { .. }, Answer::Choice(i)) if ok_index(i) => {}
            (QuestionKind::MultipleChoice { .. }, Answer::Choices(v))
                if v.iter().all(ok_index) && distinct(v) && (!q.required || !v.is_empty()) => {}
            (QuestionKind::Scale, Answer::Scale(s)) if (1..=5).contains(s) => {}
            (QuestionKind::FreeText, Answer::Text(t))
                if t.chars().count() <= MAX_FREE_TEXT && (!q.required || !t.trim().is_empty()) => {}
            (QuestionKind::Ranking { .. }, Answer::Ranking(v))
                if !v.is_empty() && v.iter().all(ok_index) && distinct(v) => {}
            _ => return Err(format!("the answer to question {n} does not fit it")),
        }
    }
    Ok(())
}

/// The aggregate of one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum QuestionResult {
    /// Single and multiple choice: how many picked each option.
    Choices {
        /// Count per option.
        counts: Vec<u64>,
        /// How many answered.
        answered: u64,
    },
    /// The 1-5 scale.
    Scale {
        /// How many picked 1, 2, 3, 4, 5.
        histogram: [u64; 5],
        /// Mean of the answers, absent without answers.
        mean: Option<f64>,
    },
    /// Free-text answers, in the order of their records' ids.
    Texts {
        /// The answers.
        answers: Vec<String>,
    },
    /// Ranking: Borda points (n-1 for first place...) and first places.
    Ranking {
        /// Borda points per option.
        points: Vec<u64>,
        /// First places per option.
        first: Vec<u64>,
        /// How many answered.
        answered: u64,
    },
}

/// Aggregate counted answer sets (already checked).
pub fn aggregate(questions: &[Question], answer_sets: &[&[Answer]]) -> Vec<QuestionResult> {
    questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let answers = answer_sets.iter().filter_map(|set| set.get(qi));
            match &q.kind {
                QuestionKind::SingleChoice { options }
                | QuestionKind::MultipleChoice { options } => {
                    let mut counts = vec![0u64; options.len()];
                    let mut answered = 0;
                    for a in answers {
                        match a {
                            Answer::Choice(i) => {
                                counts[*i as usize] += 1;
                                answered += 1;
                            }
                            Answer::Choices(v) => {
                                v.iter().for_each(|i| counts[*i as usize] += 1);
                                answered += 1;
                            }
                            _ => {}
                        }
                    }
                    QuestionResult::Choices { counts, answered }
                }
                QuestionKind::Scale => {
                    let mut histogram = [0u64; 5];
                    for a in answers {
                        if let Answer::Scale(s) = a {
                            histogram[(*s - 1) as usize] += 1;
                        }
                    }
                    let n: u64 = histogram.iter().sum();
                    let sum: u64 = histogram
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (i as u64 + 1) * c)
                        .sum();
                    QuestionResult::Scale {
                        histogram,
                        mean: (n > 0).then(|| sum as f64 / n as f64),
                    }
                }
                QuestionKind::FreeText => QuestionResult::Texts {
                    answers: answers
                        .filter_map(|a| match a {
                            Answer::Text(t) if !t.trim().is_empty() => Some(t.clone()),
                            _ => None,
                        })
                        .collect(),
                },
                QuestionKind::Ranking { options } => {
                    let n = options.len() as u64;
                    let mut points = vec![0u64; options.len()];
                    let mut first = vec![0u64; options.len()];
                    let mut answered = 0;
                    for a in answers {
                        if let Answer::Ranking(v) = a {
                            answered += 1;
                            for (place, o) in v.iter().enumerate() {
                                points[*o as usize] += n - 1 - place as u64;
                            }
                            if let Some(o) = v.first() {
                                first[*o as usize] += 1;
                            }
                        }
                    }
                    QuestionResult::Ranking {
                        points,
                        first,
                        answered,
                    }
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question {
                prompt: "How often do you visit the park?".into(),
                kind: QuestionKind::SingleChoice {
                    options: vec!["daily".into(), "weekly".into(), "rarely".into()],
                },
                required: true,
            },
            Question {
                prompt: "満足度".into(),
                kind: QuestionKind::Scale,
                required: false,
            },
            Question {
                prompt: "Rank".into(),
                kind: QuestionKind::Ranking {
                    options: vec!["a".into(), "b".into(), "c".into()],
                },
                required: false,
            },
        ]
    }

    #[test]
    fn answers_are_checked_and_aggregated() {
        let qs = questions();
        let a1 = vec![
            Answer::Choice(0),
            Answer::Scale(4),
            Answer::Ranking(vec![2, 0, 1]),
        ];
        let a2 = vec![Answer::Choice(0), Answer::Scale(2), Answer::Skipped];
        assert!(check_answers(&qs, &a1).is_ok());
        assert!(check_answers(&qs, &a2).is_ok());
        assert!(check_answers(&qs, &[Answer::Skipped, Answer::Skipped, Answer::Skipped]).is_err());
        assert!(
            check_answers(&qs, &[Answer::Choice(3), Answer::Skipped, Answer::Skipped]).is_err()
        );
        assert!(
            check_answers(&qs, &[Answer::Choice(0), Answer::Scale(6), Answer::Skipped]).is_err()
        );
        assert!(check_answers(&qs, &a1[..2]).is_err());
        let r = aggregate(&qs, &[&a1, &a2]);
        assert_eq!(
            r[0],
            QuestionResult::Choices {
                counts: vec![2, 0, 0],
                answered: 2
            }
        );
        assert_eq!(
            r[1],
            QuestionResult::Scale {
                histogram: [0, 1, 0, 1, 0],
                mean: Some(3.0)
            }
        );
        assert_eq!(
            r[2],
            QuestionResult::Ranking {
                points: vec![1, 0, 2],
                first: vec![0, 0, 1],
                answered: 1
            }
        );
    }
}
