//! Signed records: the only thing Yoriai trusts in a document.
//!
//! A record is `version byte || body || signature`, where the body is the
//! postcard encoding of [`RecordBody`] and the ed25519 signature covers
//! `b"yoriai-record-v1\0" || body`. Postcard is deterministic for our types
//! (no maps, no floats), and [`SignedRecord::decode`] re-encodes the body and
//! refuses bytes that differ, so every valid record has exactly one byte form
//! and its [`RecordId`] (SHA-256 of those bytes) is stable on every replica.
//!
//! The variants of [`Payload`] are encoded by their position: new kinds are
//! appended at the end, never inserted or reordered.

use serde::{Deserialize, Serialize};

use crate::comment::Stance;
use crate::error::RecordError;
use crate::id::{DocId, MemberId, RecordId};
use crate::key::{DeviceKey, KeyCache};
use crate::phase::{PhaseKind, PhaseState};
use crate::space::Role;
use crate::survey::{Answer, Question};
use crate::text::TextOp;
use crate::vote::{BallotChoice, VoteMethod};

/// The format version byte that starts every stored record.
pub const RECORD_VERSION: u8 = 1;
/// Domain separation for record signatures.
pub const SIGNING_DOMAIN: &[u8] = b"yoriai-record-v1\0";
/// The largest stored record accepted, in bytes.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

/// A 64-byte ed25519 signature, carried inside a payload.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sig64(pub [u8; 64]);

impl std::fmt::Debug for Sig64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sig64({}..)", hex::encode(&self.0[..4]))
    }
}

impl Serialize for Sig64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sig64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Sig64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("64 signature bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Sig64, E> {
                let arr: [u8; 64] = v
                    .try_into()
                    .map_err(|_| E::invalid_length(v.len(), &self))?;
                Ok(Sig64(arr))
            }
        }
        d.deserialize_bytes(Visitor)
    }
}

/// A change hash of an Automerge document, pinned by a closing record.
pub type Head = [u8; 32];

/// What a record says. Space-document kinds come first, then project kinds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Payload {
    // ---- space document ----
    /// Founds a space; its author is the first admin. The space's [`DocId`]
    /// is derived from this record's id.
    CreateSpace {
        /// Display name of the space.
        name: String,
        /// The founder's display name.
        display_name: String,
        /// Languages of the space, BCP 47 tags ("ja", "en").
        languages: Vec<String>,
        /// Random bytes so that two spaces never share an id.
        nonce: [u8; 16],
    },
    /// An invitation: whoever holds the secret half of `invite_key` may join.
    Invite {
        /// Public half of the one-off invitation key carried in the link.
        invite_key: [u8; 32],
        /// The role a member admitted by it gets.
        role: Role,
        /// How many members it admits; `None` until revoked.
        max_uses: Option<u32>,
        /// A note for staff ("workshop 12 May").
        note: String,
    },
    /// Withdraws an invitation: joins made causally after it are refused.
    RevokeInvitation {
        /// The `Invite` record.
        invitation: RecordId,
    },
    /// A device claims an invitation and becomes a member.
    Join {
        /// The `Invite` record claimed.
        invitation: RecordId,
        /// The name other members see.
        display_name: String,
        /// Signature by the invitation key over the joining member's key.
        proof: Sig64,
    },
    /// Staff admit a join that lost a single-use invitation race.
    ApproveJoin {
        /// The `Join` record.
        join: RecordId,
    },
    /// An admin changes a member's role.
    SetRole {
        /// Whose role.
        member: MemberId,
        /// The new role.
        role: Role,
    },
    /// Removes a member; their records made causally after it are refused.
    RevokeMember {
        /// Who.
        member: MemberId,
        /// Why, for the moderation log.
        reason: String,
    },
    /// A member changes their own display name.
    SetProfile {
        /// The new name.
        display_name: String,
    },
    /// Staff list a project in the space.
    ListProject {
        /// The project document.
        project: DocId,
        /// Its title when listed.
        title: String,
    },
    // ---- project document ----
    /// Founds a project; the project's [`DocId`] is derived from this record.
    CreateProject {
        /// The space the project belongs to.
        space: DocId,
        /// Title.
        title: String,
        /// The brief.
        description: String,
        /// Random bytes so that two projects never share an id.
        nonce: [u8; 16],
    },
    /// Staff edit the project's title and brief (latest wins).
    EditProject {
        /// New title.
        title: String,
        /// New brief.
        description: String,
    },
    /// Staff add a phase.
    AddPhase {
        /// What residents do in it.
        kind: PhaseKind,
        /// Title shown on the timeline.
        title: String,
        /// Planned start (ISO date), shown only.
        starts: Option<String>,
        /// Planned end (ISO date), shown only.
        ends: Option<String>,
        /// Fractional position key on the timeline.
        position: Vec<u8>,
    },
    /// Staff remove a phase.
    RemovePhase {
        /// The `AddPhase` record.
        phase: RecordId,
    },
    /// Staff move a phase (latest move of a phase wins).
    MovePhase {
        /// The `AddPhase` record.
        phase: RecordId,
        /// New fractional position key.
        position: Vec<u8>,
    },
    /// Staff open or close a phase.
    SetPhaseState {
        /// The `AddPhase` record.
        phase: RecordId,
        /// New state.
        state: PhaseState,
    },
    /// A member submits an idea (a proposal); its body is the first text of
    /// the co-written proposal text.
    PostIdea {
        /// The ideas phase it was posted in.
        phase: RecordId,
        /// Short title.
        title: String,
        /// Body text.
        body: String,
    },
    /// The author retitles an idea.
    EditIdea {
        /// The `PostIdea` record.
        idea: RecordId,
        /// New title.
        title: String,
    },
    /// A member supports (or withdraws support for) an idea.
    Support {
        /// The `PostIdea` record.
        idea: RecordId,
        /// true: support; false: withdraw.
        support: bool,
    },
    /// A comment with a stance, on an idea, a phase or the project.
    Comment {
        /// What it comments on.
        target: RecordId,
        /// The comment it answers, in a thread.
        reply_to: Option<RecordId>,
        /// For, against or neutral.
        stance: Stance,
        /// The text.
        text: String,
        /// An official answer from staff.
        official: bool,
    },
    /// The author edits a comment (a new revision).
    EditComment {
        /// The `Comment` record.
        comment: RecordId,
        /// New text.
        text: String,
    },
    /// The proposal's author lets another member edit its text directly.
    AddCoauthor {
        /// The `PostIdea` record.
        proposal: RecordId,
        /// The co-author.
        member: MemberId,
    },
    /// An edit of a proposal text by its author, a co-author or staff.
    EditText {
        /// The `PostIdea` record.
        proposal: RecordId,
        /// Inserts and deletes.
        ops: Vec<TextOp>,
    },
    /// A suggested change that the proposal's author accepts or rejects.
    ProposeAmendment {
        /// The `PostIdea` record.
        proposal: RecordId,
        /// The change, applied only once accepted.
        ops: Vec<TextOp>,
        /// Why.
        reason: String,
    },
    /// The proposal's author accepts or rejects an amendment.
    DecideAmendment {
        /// The `ProposeAmendment` record.
        amendment: RecordId,
        /// Accept (apply it) or reject.
        accept: bool,
    },
    /// Staff create a survey.
    CreateSurvey {
        /// The survey phase it belongs to.
        phase: RecordId,
        /// Title.
        title: String,
        /// The questions, in order.
        questions: Vec<Question>,
    },
    /// A member's answers (a later revision replaces an earlier one).
    AnswerSurvey {
        /// The `CreateSurvey` record.
        survey: RecordId,
        /// One answer per question, in order.
        answers: Vec<Answer>,
    },
    /// Staff close a survey, pinning the answers counted.
    CloseSurvey {
        /// The `CreateSurvey` record.
        survey: RecordId,
        /// Heads of the project document at closing.
        heads: Vec<Head>,
    },
    /// Staff open a vote.
    OpenVote {
        /// The decision phase it belongs to.
        phase: RecordId,
        /// The question.
        title: String,
        /// How ballots are cast and counted.
        method: VoteMethod,
        /// The options (empty for consent).
        options: Vec<String>,
    },
    /// A member's ballot (a later revision replaces an earlier one).
    CastBallot {
        /// The `OpenVote` record.
        vote: RecordId,
        /// The choice.
        choice: BallotChoice,
    },
    /// Staff close a vote, pinning the ballots counted.
    CloseVote {
        /// The `OpenVote` record.
        vote: RecordId,
        /// Heads of the project document at closing.
        heads: Vec<Head>,
    },
    /// Staff publish a progress post.
    PublishPost {
        /// Title.
        title: String,
        /// Body.
        body: String,
    },
    /// Staff edit a post (a new revision).
    EditPost {
        /// The `PublishPost` record.
        post: RecordId,
        /// New title.
        title: String,
        /// New body.
        body: String,
    },
    /// Staff add a milestone.
    AddMilestone {
        /// Title.
        title: String,
        /// Planned date (ISO), shown only.
        due: Option<String>,
    },
    /// Staff set a milestone's progress (latest wins).
    SetMilestoneProgress {
        /// The `AddMilestone` record.
        milestone: RecordId,
        /// 0 to 100.
        percent: u8,
    },
    /// A member reports content to staff.
    Report {
        /// The reported record.
        target: RecordId,
        /// Why.
        reason: String,
    },
    /// Staff hide content, with a reason (latest of hide/restore wins).
    Hide {
        /// The hidden record.
        target: RecordId,
        /// Why, shown in the moderation log.
        reason: String,
    },
    /// Staff restore hidden content.
    Restore {
        /// The restored record.
        target: RecordId,
        /// Why.
        reason: String,
    },
    // ---- conversation phase (Polis style) ----
    /// A short statement others vote on, in a conversation phase.
    PostStatement {
        /// The `AddPhase` record (a conversation phase).
        phase: RecordId,
        /// The statement.
        text: String,
    },
    /// Agree (1), disagree (-1) or pass (0) on a statement; a member's
    /// latest vote on it counts.
    VoteStatement {
        /// The `PostStatement` record.
        statement: RecordId,
        /// 1, -1 or 0.
        vote: i8,
    },
    /// Staff bring in part of a conversation held elsewhere (a Polis
    /// export), under that system's ids. Large conversations take several
    /// records; votes name statements by their imported key.
    ImportConversation {
        /// The `AddPhase` record (a conversation phase).
        phase: RecordId,
        /// Where it came from (shown with the data).
        source: String,
        /// Statements in this batch.
        statements: Vec<ImportedStatement>,
        /// Votes in this batch.
        votes: Vec<ImportedVote>,
    },
}

/// A statement brought in from another system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedStatement {
    /// Its id there.
    pub key: String,
    /// Its author's id there.
    pub author: String,
    /// The text.
    pub text: String,
    /// When it was written (ms since the epoch).
    pub time_ms: i64,
}

/// A vote brought in from another system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedVote {
    /// The participant's id there.
    pub participant: String,
    /// The statement's key.
    pub statement: String,
    /// 1, -1 or 0.
    pub vote: i8,
}

impl Payload {
    /// A stable name of the record kind, for logs and the rejected list.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Payload::CreateSpace { .. } => "create-space",
            Payload::Invite { .. } => "invite",
            Payload::RevokeInvitation { .. } => "revoke-invitation",
            Payload::Join { .. } => "join",
            Payload::ApproveJoin { .. } => "approve-join",
            Payload::SetRole { .. } => "set-role",
            Payload::RevokeMember { .. } => "revoke-member",
            Payload::SetProfile { .. } => "set-profile",
            Payload::ListProject { .. } => "list-project",
            Payload::CreateProject { .. } => "create-project",
            Payload::EditProject { .. } => "edit-project",
            Payload::AddPhase { .. } => "add-phase",
            Payload::RemovePhase { .. } => "remove-phase",
            Payload::MovePhase { .. } => "move-phase",
            Payload::SetPhaseState { .. } => "set-phase-state",
            Payload::PostIdea { .. } => "post-idea",
            Payload::EditIdea { .. } => "edit-idea",
            Payload::Support { .. } => "support",
            Payload::Comment { .. } => "comment",
            Payload::EditComment { .. } => "edit-comment",
            Payload::AddCoauthor { .. } => "add-coauthor",
            Payload::EditText { .. } => "edit-text",
            Payload::ProposeAmendment { .. } => "propose-amendment",
            Payload::DecideAmendment { .. } => "decide-amendment",
            Payload::CreateSurvey { .. } => "create-survey",
            Payload::AnswerSurvey { .. } => "answer-survey",
            Payload::CloseSurvey { .. } => "close-survey",
            Payload::OpenVote { .. } => "open-vote",
            Payload::CastBallot { .. } => "cast-ballot",
            Payload::CloseVote { .. } => "close-vote",
            Payload::PublishPost { .. } => "publish-post",
            Payload::EditPost { .. } => "edit-post",
            Payload::AddMilestone { .. } => "add-milestone",
            Payload::SetMilestoneProgress { .. } => "set-milestone-progress",
            Payload::Report { .. } => "report",
            Payload::Hide { .. } => "hide",
            Payload::Restore { .. } => "restore",
            Payload::PostStatement { .. } => "post-statement",
            Payload::VoteStatement { .. } => "vote-statement",
            Payload::ImportConversation { .. } => "import-conversation",
        }
    }

    /// Whether this kind belongs in a space document (else a project one).
    pub fn is_space_kind(&self) -> bool {
        matches!(
            self,
            Payload::CreateSpace { .. }
                | Payload::Invite { .. }
                | Payload::RevokeInvitation { .. }
                | Payload::Join { .. }
                | Payload::ApproveJoin { .. }
                | Payload::SetRole { .. }
                | Payload::RevokeMember { .. }
                | Payload::SetProfile { .. }
                | Payload::ListProject { .. }
        )
    }

    /// Whether this kind founds a document (and so names no document).
    pub fn is_genesis(&self) -> bool {
        matches!(
            self,
            Payload::CreateSpace { .. } | Payload::CreateProject { .. }
        )
    }
}

/// The signed part of a record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordBody {
    /// The document the record belongs to; `None` for a founding record,
    /// whose id certifies the document instead.
    pub doc: Option<DocId>,
    /// Who signed it.
    pub author: MemberId,
    /// The author's clock, in ms since the Unix epoch: shown, never trusted.
    pub time_ms: i64,
    /// One more than the largest lamport the author had seen in this
    /// document: orders "latest wins" records consistently with causality.
    pub lamport: u64,
    /// The space records the author had seen (the frontier of the space's
    /// record graph); membership and roles are judged at this point.
    pub space_deps: Vec<RecordId>,
    /// What it says.
    pub payload: Payload,
}

/// A record with its verified signature, its bytes and its id.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedRecord {
    /// SHA-256 of `bytes`.
    pub id: RecordId,
    /// The decoded body.
    pub body: RecordBody,
    /// The stored bytes, exactly as signed and hashed.
    pub bytes: Vec<u8>,
}

impl SignedRecord {
    /// Sign `body` with `key`. The body's author must be the key's member.
    pub fn sign(body: RecordBody, key: &DeviceKey) -> Result<Self, RecordError> {
        if body.author != key.member() {
            return Err(RecordError::AuthorMismatch);
        }
        let encoded = postcard::to_allocvec(&body).map_err(|e| RecordError::Malformed {
            reason: e.to_string(),
        })?;
        let mut message = Vec::with_capacity(SIGNING_DOMAIN.len() + encoded.len());
        message.extend_from_slice(SIGNING_DOMAIN);
        message.extend_from_slice(&encoded);
        let signature = key.sign(&message);
        let mut bytes = Vec::with_capacity(1 + encoded.len() + 64);
        bytes.push(RECORD_VERSION);
        bytes.extend_from_slice(&encoded);
        bytes.extend_from_slice(&signature);
        if bytes.len() > MAX_RECORD_BYTES {
            return Err(RecordError::TooLarge { size: bytes.len() });
        }
        Ok(SignedRecord {
            id: RecordId::of_bytes(&bytes),
            body,
            bytes,
        })
    }

    /// Decode stored bytes and verify the signature.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        Self::decode_with(bytes, &mut KeyCache::default())
    }

    pub(crate) fn decode_with(bytes: &[u8], keys: &mut KeyCache) -> Result<Self, RecordError> {
        let (body, id) = Self::decode_unverified(bytes)?;
        let body_bytes = &bytes[1..bytes.len() - 64];
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&bytes[bytes.len() - 64..]);
        let mut message = Vec::with_capacity(SIGNING_DOMAIN.len() + body_bytes.len());
        message.extend_from_slice(SIGNING_DOMAIN);
        message.extend_from_slice(body_bytes);
        if !keys.verify(&body.author.0, &message, &signature) {
            return Err(RecordError::BadSignature);
        }
        Ok(SignedRecord {
            id,
            body,
            bytes: bytes.to_vec(),
        })
    }

    /// Decode stored bytes without checking the signature (for tools that
    /// show what a rejected record claimed). Canonical form is still checked.
    pub fn decode_unverified(bytes: &[u8]) -> Result<(RecordBody, RecordId), RecordError> {
        if bytes.len() > MAX_RECORD_BYTES {
            return Err(RecordError::TooLarge { size: bytes.len() });
        }
        if bytes.len() < 1 + 64 + 1 {
            return Err(RecordError::Truncated { size: bytes.len() });
        }
        if bytes[0] != RECORD_VERSION {
            return Err(RecordError::UnsupportedVersion { version: bytes[0] });
        }
        let body_bytes = &bytes[1..bytes.len() - 64];
        let (body, rest): (RecordBody, &[u8]) =
            postcard::take_from_bytes(body_bytes).map_err(|e| RecordError::Malformed {
                reason: e.to_string(),
            })?;
        if !rest.is_empty() {
            return Err(RecordError::NonCanonical);
        }
        let again = postcard::to_allocvec(&body).map_err(|e| RecordError::Malformed {
            reason: e.to_string(),
        })?;
        if again != body_bytes {
            return Err(RecordError::NonCanonical);
        }
        Ok((body, RecordId::of_bytes(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(key: &DeviceKey) -> RecordBody {
        RecordBody {
            doc: Some(DocId([3; 16])),
            author: key.member(),
            time_ms: 1_700_000_000_000,
            lamport: 4,
            space_deps: vec![RecordId([9; 32])],
            payload: Payload::SetProfile {
                display_name: "Hanako 花子".into(),
            },
        }
    }

    #[test]
    fn a_signed_record_decodes_to_itself() {
        let key = DeviceKey::from_secret([1; 32]);
        let rec = SignedRecord::sign(body(&key), &key).expect("sign");
        let back = SignedRecord::decode(&rec.bytes).expect("decode");
        assert_eq!(back, rec);
    }

    #[test]
    fn every_payload_kind_round_trips() {
        use crate::comment::Stance;
        use crate::phase::{PhaseKind, PhaseState};
        use crate::space::Role;
        use crate::survey::{Answer, Question, QuestionKind};
        use crate::text::{CharId, TextOp};
        use crate::vote::{BallotChoice, ConsentChoice, VoteMethod};
        let r = RecordId([5; 32]);
        let m = MemberId([6; 32]);
        let ops = vec![
            TextOp::Insert {
                after: Some(CharId {
                    record: r,
                    op: 1,
                    offset: 2,
                }),
                text: "x".into(),
            },
            TextOp::Delete {
                start: CharId {
                    record: r,
                    op: 0,
                    offset: 0,
                },
                len: 3,
            },
        ];
        let all = vec![
            Payload::CreateSpace {
                name: "n".into(),
                display_name: "d".into(),
                languages: vec!["ja".into()],
                nonce: [1; 16],
            },
            Payload::Invite {
                invite_key: [2; 32],
                role: Role::Staff,
                max_uses: Some(3),
                note: "n".into(),
            },
            Payload::RevokeInvitation { invitation: r },
            Payload::Join {
                invitation: r,
                display_name: "j".into(),
                proof: Sig64([7; 64]),
            },
            Payload::ApproveJoin { join: r },
            Payload::SetRole {
                member: m,
                role: Role::Admin,
            },
            Payload::RevokeMember {
                member: m,
                reason: "r".into(),
            },
            Payload::SetProfile {
                display_name: "p".into(),
            },
            Payload::ListProject {
                project: DocId([8; 16]),
                title: "t".into(),
            },
            Payload::CreateProject {
                space: DocId([8; 16]),
                title: "t".into(),
                description: "d".into(),
                nonce: [9; 16],
            },
            Payload::EditProject {
                title: "t".into(),
                description: "d".into(),
            },
            Payload::AddPhase {
                kind: PhaseKind::CoCreation,
                title: "t".into(),
                starts: Some("2027-01-01".into()),
                ends: None,
                position: vec![128],
            },
            Payload::RemovePhase { phase: r },
            Payload::MovePhase {
                phase: r,
                position: vec![1, 2],
            },
            Payload::SetPhaseState {
                phase: r,
                state: PhaseState::Closed,
            },
            Payload::PostIdea {
                phase: r,
                title: "t".into(),
                body: "b".into(),
            },
            Payload::EditIdea {
                idea: r,
                title: "t".into(),
            },
            Payload::Support {
                idea: r,
                support: false,
            },
            Payload::Comment {
                target: r,
                reply_to: Some(r),
                stance: Stance::Against,
                text: "c".into(),
                official: true,
            },
            Payload::EditComment {
                comment: r,
                text: "c".into(),
            },
            Payload::AddCoauthor {
                proposal: r,
                member: m,
            },
            Payload::EditText {
                proposal: r,
                ops: ops.clone(),
            },
            Payload::ProposeAmendment {
                proposal: r,
                ops,
                reason: "r".into(),
            },
            Payload::DecideAmendment {
                amendment: r,
                accept: true,
            },
            Payload::CreateSurvey {
                phase: r,
                title: "t".into(),
                questions: vec![
                    Question {
                        prompt: "p".into(),
                        kind: QuestionKind::SingleChoice {
                            options: vec!["a".into()],
                        },
                        required: true,
                    },
                    Question {
                        prompt: "p".into(),
                        kind: QuestionKind::MultipleChoice {
                            options: vec!["a".into()],
                        },
                        required: false,
                    },
                    Question {
                        prompt: "p".into(),
                        kind: QuestionKind::Scale,
                        required: false,
                    },
                    Question {
                        prompt: "p".into(),
                        kind: QuestionKind::FreeText,
                        required: false,
                    },
                    Question {
                        prompt: "p".into(),
                        kind: QuestionKind::Ranking {
                            options: vec!["a".into()],
                        },
                        required: false,
                    },
                ],
            },
            Payload::AnswerSurvey {
                survey: r,
                answers: vec![
                    Answer::Skipped,
                    Answer::Choice(1),
                    Answer::Choices(vec![0, 2]),
                    Answer::Scale(3),
                    Answer::Text("t".into()),
                    Answer::Ranking(vec![1, 0]),
                ],
            },
            Payload::CloseSurvey {
                survey: r,
                heads: vec![[3; 32]],
            },
            Payload::OpenVote {
                phase: r,
                title: "t".into(),
                method: VoteMethod::Score { max: 5 },
                options: vec!["a".into(), "b".into()],
            },
            Payload::OpenVote {
                phase: r,
                title: "t".into(),
                method: VoteMethod::Dot { dots: 3 },
                options: vec![],
            },
            Payload::OpenVote {
                phase: r,
                title: "t".into(),
                method: VoteMethod::Consent,
                options: vec![],
            },
            Payload::CastBallot {
                vote: r,
                choice: BallotChoice::Consent(ConsentChoice::Block),
            },
            Payload::CastBallot {
                vote: r,
                choice: BallotChoice::Single(1),
            },
            Payload::CastBallot {
                vote: r,
                choice: BallotChoice::Approval(vec![0, 1]),
            },
            Payload::CastBallot {
                vote: r,
                choice: BallotChoice::Score(vec![4, 0]),
            },
            Payload::CastBallot {
                vote: r,
                choice: BallotChoice::Ranked(vec![1, 0]),
            },
            Payload::CastBallot {
                vote: r,
                choice: BallotChoice::Dots(vec![2, 1]),
            },
            Payload::CloseVote {
                vote: r,
                heads: vec![[4; 32], [5; 32]],
            },
            Payload::PublishPost {
                title: "t".into(),
                body: "b".into(),
            },
            Payload::EditPost {
                post: r,
                title: "t".into(),
                body: "b".into(),
            },
            Payload::AddMilestone {
                title: "t".into(),
                due: None,
            },
            Payload::SetMilestoneProgress {
                milestone: r,
                percent: 50,
            },
            Payload::Report {
                target: r,
                reason: "r".into(),
            },
            Payload::Hide {
                target: r,
                reason: "r".into(),
            },
            Payload::Restore {
                target: r,
                reason: "r".into(),
            },
            Payload::PostStatement {
                phase: r,
                text: "t".into(),
            },
            Payload::VoteStatement {
                statement: r,
                vote: -1,
            },
            Payload::ImportConversation {
                phase: r,
                source: "polis".into(),
                statements: vec![ImportedStatement {
                    key: "0".into(),
                    author: "3".into(),
                    text: "t".into(),
                    time_ms: 1,
                }],
                votes: vec![ImportedVote {
                    participant: "3".into(),
                    statement: "0".into(),
                    vote: 1,
                }],
            },
        ];
        let key = DeviceKey::from_secret([1; 32]);
        for payload in all {
            let rec = SignedRecord::sign(
                RecordBody {
                    payload: payload.clone(),
                    ..body(&key)
                },
                &key,
            )
            .expect("sign");
            let back = SignedRecord::decode(&rec.bytes)
                .unwrap_or_else(|e| panic!("{} does not decode: {e}", payload.kind_name()));
            assert_eq!(back.body.payload, payload);
        }
    }

    #[test]
    fn any_flipped_bit_is_refused() {
        let key = DeviceKey::from_secret([1; 32]);
        let rec = SignedRecord::sign(body(&key), &key).expect("sign");
        for i in 0..rec.bytes.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = rec.bytes.clone();
                bad[i] ^= bit;
                assert!(
                    SignedRecord::decode(&bad).is_err(),
                    "flipping bit {bit:#x} of byte {i} must be refused"
                );
            }
        }
    }

    #[test]
    fn signing_for_someone_else_is_refused() {
        let key = DeviceKey::from_secret([1; 32]);
        let other = DeviceKey::from_secret([2; 32]);
        assert_eq!(
            SignedRecord::sign(body(&other), &key),
            Err(RecordError::AuthorMismatch)
        );
    }

    #[test]
    fn truncated_trailing_and_foreign_bytes_are_refused() {
        let key = DeviceKey::from_secret([1; 32]);
        let rec = SignedRecord::sign(body(&key), &key).expect("sign");
        assert!(matches!(
            SignedRecord::decode(&rec.bytes[..10]),
            Err(RecordError::Truncated { .. })
        ));
        let mut v2 = rec.bytes.clone();
        v2[0] = 2;
        assert_eq!(
            SignedRecord::decode(&v2),
            Err(RecordError::UnsupportedVersion { version: 2 })
        );
        assert!(SignedRecord::decode(&[0u8; MAX_RECORD_BYTES + 1]).is_err());
        // Garbage that happens to have the right version byte.
        let mut junk = vec![RECORD_VERSION];
        junk.extend(std::iter::repeat_n(0xff, 100));
        assert!(SignedRecord::decode(&junk).is_err());
    }

    #[test]
    fn a_non_canonical_varint_is_refused() {
        // lamport 4 is one byte `04`; `84 00` decodes to 4 too but is not
        // the canonical form, so it must not verify as another record.
        let key = DeviceKey::from_secret([1; 32]);
        let b = body(&key);
        let canonical = postcard::to_allocvec(&b).expect("encode");
        // doc: Some(1 byte tag + 16), author 32, time_ms zigzag varint.
        let time_len = postcard::to_allocvec(&b.time_ms).expect("t").len();
        let lamport_at = 1 + 16 + 32 + time_len;
        assert_eq!(canonical[lamport_at], 4);
        let mut stretched = canonical[..lamport_at].to_vec();
        stretched.extend_from_slice(&[0x84, 0x00]);
        stretched.extend_from_slice(&canonical[lamport_at + 1..]);
        let mut bytes = vec![RECORD_VERSION];
        bytes.extend_from_slice(&stretched);
        bytes.extend_from_slice(&[0u8; 64]);
        assert!(matches!(
            SignedRecord::decode_unverified(&bytes),
            Err(RecordError::NonCanonical) | Err(RecordError::Malformed { .. })
        ));
    }
}
