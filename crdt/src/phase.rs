//! Phases: the steps of a project's process.

use serde::{Deserialize, Serialize};

use crate::id::RecordId;

/// What residents do in a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseKind {
    /// Read the background, data and charts.
    Information,
    /// Submit short ideas and support others'.
    Ideas,
    /// Threaded comments with a stance.
    Discussion,
    /// Co-write proposal texts; suggest amendments.
    CoCreation,
    /// Answer a questionnaire.
    Survey,
    /// Vote.
    Decision,
    /// Follow progress: milestones and posts.
    Results,
    /// Write short statements and vote agree / disagree / pass on others'
    /// (Polis style); the opinion map shows the groups.
    Conversation,
}

impl PhaseKind {
    /// All kinds, in the usual order of a process.
    pub const ALL: [PhaseKind; 8] = [
        PhaseKind::Information,
        PhaseKind::Ideas,
        PhaseKind::Discussion,
        PhaseKind::CoCreation,
        PhaseKind::Survey,
        PhaseKind::Decision,
        PhaseKind::Results,
        PhaseKind::Conversation,
    ];

    /// Its name, as in the CLI and translation files.
    pub fn name(self) -> &'static str {
        match self {
            PhaseKind::Information => "information",
            PhaseKind::Ideas => "ideas",
            PhaseKind::Discussion => "discussion",
            PhaseKind::CoCreation => "co-creation",
            PhaseKind::Survey => "survey",
            PhaseKind::Decision => "decision",
            PhaseKind::Results => "results",
            PhaseKind::Conversation => "conversation",
        }
    }
}

impl std::str::FromStr for PhaseKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        PhaseKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown phase kind '{s}' (expected one of: {})",
                    PhaseKind::ALL.map(PhaseKind::name).join(", ")
                )
            })
    }
}

/// Where a phase stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseState {
    /// Not open yet.
    Upcoming,
    /// Residents can take part.
    Open,
    /// Over.
    Closed,
}

/// A phase as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseView {
    /// The `AddPhase` record.
    pub id: RecordId,
    /// What residents do in it.
    pub kind: PhaseKind,
    /// Title.
    pub title: String,
    /// Planned start.
    pub starts: Option<String>,
    /// Planned end.
    pub ends: Option<String>,
    /// Where it stands.
    pub state: PhaseState,
    /// Its position key (for commands that move phases).
    pub position: Vec<u8>,
}
