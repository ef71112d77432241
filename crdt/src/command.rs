//! Commands: what a member asks for, checked against the judged state, made
//! into signed records and appended in one Automerge change.
//!
//! Each function takes the document, the judged state, the acting key and
//! the time (and any randomness it needs), and either appends records and
//! returns the new record's id, or returns a [`CommandError`] and changes
//! nothing. Phase rules ("ideas only while the ideas phase is open") are
//! checked here; the rules that every replica enforces on every record
//! (membership, roles, references, sizes) are checked again when records are
//! judged, so a client that skips this layer gains nothing.

use automerge::{ActorId, Automerge};
use serde::{Deserialize, Serialize};

use crate::comment::Stance;
use crate::document::{append_records, heads, new_document, DocKind};
use crate::error::CommandError;
use crate::id::{DocId, MemberId, RecordId};
use crate::invitation::Invitation;
use crate::key::DeviceKey;
use crate::limits::{self, check_text};
use crate::phase::{PhaseKind, PhaseState};
use crate::position::between;
use crate::project::ProjectState;
use crate::record::{Payload, RecordBody, Sig64, SignedRecord};
use crate::space::{join_proof_message, Role, SpaceState};
use crate::survey::{check_answers, Answer, Question};
use crate::vote::{check_ballot, check_vote_options, BallotChoice, VoteMethod};

/// Who acts, and when (their clock, ms since the Unix epoch).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The device key that signs.
    pub key: &'a DeviceKey,
    /// The device clock.
    pub now_ms: i64,
}

fn sign(
    actor: &Actor<'_>,
    doc: Option<DocId>,
    lamport: u64,
    space_deps: Vec<RecordId>,
    payload: Payload,
) -> Result<SignedRecord, CommandError> {
    let body = RecordBody {
        doc,
        author: actor.key.member(),
        time_ms: actor.now_ms,
        lamport,
        space_deps,
        payload,
    };
    Ok(SignedRecord::sign(body, actor.key)?)
}

/// Found a space. Returns its id and its new document (written with
/// `actor_id`, which must be unique to this device and process).
pub fn create_space(
    actor: &Actor<'_>,
    actor_id: ActorId,
    name: &str,
    display_name: &str,
    languages: &[String],
    nonce: [u8; 16],
) -> Result<(DocId, Automerge), CommandError> {
    check_text("space name", name, limits::TITLE, true)?;
    check_text("display name", display_name, limits::DISPLAY_NAME, true)?;
    let genesis = sign(
        actor,
        None,
        1,
        Vec::new(),
        Payload::CreateSpace {
            name: name.trim().to_string(),
            display_name: display_name.trim().to_string(),
            languages: languages.to_vec(),
            nonce,
        },
    )?;
    let id = DocId::from_genesis(&genesis.id);
    let mut doc = new_document(DocKind::Space, actor_id);
    append_records(&mut doc, &[genesis], actor.now_ms)?;
    Ok((id, doc))
}

fn space_record(
    space: &SpaceState,
    actor: &Actor<'_>,
    payload: Payload,
) -> Result<SignedRecord, CommandError> {
    sign(
        actor,
        Some(space.id()),
        space.max_lamport() + 1,
        space.frontier(),
        payload,
    )
}

fn require(space: &SpaceState, member: &MemberId, needed: Role) -> Result<Role, CommandError> {
    match space.current_role(member) {
        None => Err(CommandError::NotMember),
        Some(r) if r >= needed => Ok(r),
        Some(_) => Err(CommandError::Forbidden {
            needed: needed.name(),
        }),
    }
}

/// What staff choose when they invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvitation {
    /// The role it gives.
    pub role: Role,
    /// How many it admits (`None`: until revoked).
    pub max_uses: Option<u32>,
    /// A note for staff.
    pub note: String,
    /// Where the space can be synced from, carried in the link.
    pub relays: Vec<String>,
}

/// Make an invitation and append it to the space. `secret` must be 32
/// fresh random bytes; the link carries it.
pub fn invite(
    doc: &mut Automerge,
    space: &SpaceState,
    actor: &Actor<'_>,
    new: NewInvitation,
    secret: [u8; 32],
) -> Result<Invitation, CommandError> {
    let NewInvitation {
        role,
        max_uses,
        note,
        relays,
    } = new;
    let mine = require(space, &actor.key.member(), Role::Staff)?;
    if role == Role::Admin && mine < Role::Admin {
        return Err(CommandError::Forbidden { needed: "admin" });
    }
    check_text("note", &note, limits::REASON, false)?;
    if max_uses == Some(0) {
        return Err(CommandError::Invalid {
            what: "invitation",
            reason: "it must admit at least one member".into(),
        });
    }
    let invite_key = DeviceKey::from_secret(secret).member().0;
    let record = space_record(
        space,
        actor,
        Payload::Invite {
            invite_key,
            role,
            max_uses,
            note,
        },
    )?;
    append_records(doc, std::slice::from_ref(&record), actor.now_ms)?;
    Ok(Invitation::new(space.id(), &record, secret, relays))
}

/// The records that make `actor` a member through `invitation`: the invite
/// itself and the join. They need no copy of the space: a device can make
/// them offline and append them with [`append_join`] once the space arrives.
pub fn join_records(
    actor: &Actor<'_>,
    invitation: &Invitation,
    display_name: &str,
) -> Result<Vec<SignedRecord>, CommandError> {
    check_text("display name", display_name, limits::DISPLAY_NAME, true)?;
    let invite = invitation
        .invite_record()
        .map_err(|e| CommandError::Invitation {
            reason: e.to_string(),
        })?;
    let proof_key = DeviceKey::from_secret(invitation.secret);
    let proof = proof_key.sign(&join_proof_message(
        invitation.space,
        invite.id,
        actor.key.member(),
    ));
    let join = sign(
        actor,
        Some(invitation.space),
        invite.body.lamport + 1,
        vec![invite.id],
        Payload::Join {
            invitation: invite.id,
            display_name: display_name.trim().to_string(),
            proof: Sig64(proof),
        },
    )?;
    Ok(vec![invite, join])
}

/// Append join records to the space document (skipping any already there).
pub fn append_join(
    doc: &mut Automerge,
    space: &SpaceState,
    records: &[SignedRecord],
    now_ms: i64,
) -> Result<(), CommandError> {
    if let Some(join) = records.last() {
        if space.current_role(&join.body.author).is_some() {
            return Err(CommandError::AlreadyMember(join.body.author));
        }
    }
    let missing: Vec<SignedRecord> = records
        .iter()
        .filter(|r| space.record(&r.id).is_none())
        .cloned()
        .collect();
    Ok(append_records(doc, &missing, now_ms)?)
}

/// Commands on a space document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum SpaceCommand {
    /// Withdraw an invitation.
    RevokeInvitation {
        /// The `Invite` record.
        invitation: RecordId,
    },
    /// Admit a join that lost a single-use race.
    ApproveJoin {
        /// The `Join` record.
        join: RecordId,
    },
    /// Change a member's role (admins).
    SetRole {
        /// Whose.
        member: MemberId,
        /// To what.
        role: Role,
    },
    /// Remove a member.
    RevokeMember {
        /// Who.
        member: MemberId,
        /// Why.
        reason: String,
    },
    /// Change one's display name.
    SetProfile {
        /// The new name.
        display_name: String,
    },
}

/// Apply a space command.
pub fn apply_space(
    doc: &mut Automerge,
    space: &SpaceState,
    actor: &Actor<'_>,
    command: SpaceCommand,
) -> Result<RecordId, CommandError> {
    let me = actor.key.member();
    let payload = match command {
        SpaceCommand::RevokeInvitation { invitation } => {
            require(space, &me, Role::Staff)?;
            space
                .invitation(&invitation)
                .ok_or_else(|| CommandError::not_found("invitation", &invitation))?;
            Payload::RevokeInvitation { invitation }
        }
        SpaceCommand::ApproveJoin { join } => {
            require(space, &me, Role::Staff)?;
            let j = space
                .record(&join)
                .filter(|r| matches!(r.body.payload, Payload::Join { .. }))
                .ok_or_else(|| CommandError::not_found("join", &join))?;
            if space.current_role(&j.body.author).is_some() {
                return Err(CommandError::AlreadyMember(j.body.author));
            }
            Payload::ApproveJoin { join }
        }
        SpaceCommand::SetRole { member, role } => {
            require(space, &me, Role::Admin)?;
            if space.display_name(&member).is_none() {
                return Err(CommandError::NotFound {
                    what: "member",
                    id: member.to_string(),
                });
            }
            Payload::SetRole { member, role }
        }
        SpaceCommand::RevokeMember { member, reason } => {
            check_text("reason", &reason, limits::REASON, true)?;
            let target = space.current_role(&member).ok_or(CommandError::NotFound {
                what: "member",
                id: member.to_string(),
            })?;
            require(
                space,
                &me,
                if target == Role::Resident {
                    Role::Staff
                } else {
                    Role::Admin
                },
            )?;
            Payload::RevokeMember { member, reason }
        }
        SpaceCommand::SetProfile { display_name } => {
            require(space, &me, Role::Resident)?;
            check_text("display name", &display_name, limits::DISPLAY_NAME, true)?;
            Payload::SetProfile {
                display_name: display_name.trim().to_string(),
            }
        }
    };
    let record = space_record(space, actor, payload)?;
    let id = record.id;
    append_records(doc, &[record], actor.now_ms)?;
    Ok(id)
}

/// A phase to create with a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPhase {
    /// What residents do in it.
    pub kind: PhaseKind,
    /// Title ("Ideas for the park").
    pub title: String,
}

/// What staff choose when they create a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProject {
    /// Title.
    pub title: String,
    /// The brief.
    pub description: String,
    /// Its phases in order; the first opens at once.
    pub phases: Vec<NewPhase>,
}

/// Create a project: its document (genesis and phases, the first phase
/// open), and its listing in the space. `nonce` is 16 random bytes.
/// Returns the project id and its document, written with `actor_id`.
pub fn create_project(
    space_doc: &mut Automerge,
    space: &SpaceState,
    actor: &Actor<'_>,
    actor_id: ActorId,
    new: &NewProject,
    nonce: [u8; 16],
) -> Result<(DocId, Automerge), CommandError> {
    let (title, description, phases) = (new.title.as_str(), new.description.as_str(), &new.phases);
    require(space, &actor.key.member(), Role::Staff)?;
    check_text("title", title, limits::TITLE, true)?;
    check_text("description", description, limits::DESCRIPTION, false)?;
    for p in phases {
        check_text("phase title", &p.title, limits::TITLE, false)?;
    }
    let deps = space.frontier();
    let genesis = sign(
        actor,
        None,
        1,
        deps.clone(),
        Payload::CreateProject {
            space: space.id(),
            title: title.trim().to_string(),
            description: description.to_string(),
            nonce,
        },
    )?;
    let id = DocId::from_genesis(&genesis.id);
    let mut records = vec![genesis];
    let mut position: Option<Vec<u8>> = None;
    for (i, p) in phases.iter().enumerate() {
        let key = between(position.as_deref(), None);
        let add = sign(
            actor,
            Some(id),
            2,
            deps.clone(),
            Payload::AddPhase {
                kind: p.kind,
                title: p.title.clone(),
                starts: None,
                ends: None,
                position: key.clone(),
            },
        )?;
        position = Some(key);
        if i == 0 {
            let open = sign(
                actor,
                Some(id),
                3,
                deps.clone(),
                Payload::SetPhaseState {
                    phase: add.id,
                    state: PhaseState::Open,
                },
            )?;
            records.push(add);
            records.push(open);
        } else {
            records.push(add);
        }
    }
    let listing = space_record(
        space,
        actor,
        Payload::ListProject {
            project: id,
            title: title.trim().to_string(),
        },
    )?;
    let mut doc = new_document(DocKind::Project, actor_id);
    append_records(&mut doc, &records, actor.now_ms)?;
    append_records(space_doc, &[listing], actor.now_ms)?;
    Ok((id, doc))
}

/// Commands on a project document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum ProjectCommand {
    /// Retitle the project or rewrite its brief (staff).
    EditProject {
        /// New title.
        title: String,
        /// New brief.
        description: String,
    },
    /// Add a phase before `before` (at the end when `None`) (staff).
    AddPhase {
        /// Its kind.
        kind: PhaseKind,
        /// Its title.
        title: String,
        /// Planned start.
        starts: Option<String>,
        /// Planned end.
        ends: Option<String>,
        /// The phase it goes before.
        before: Option<RecordId>,
    },
    /// Remove a phase (staff).
    RemovePhase {
        /// The phase.
        phase: RecordId,
    },
    /// Move a phase before `before` (to the end when `None`) (staff).
    MovePhase {
        /// The phase.
        phase: RecordId,
        /// The phase it goes before.
        before: Option<RecordId>,
    },
    /// Open, close or reset a phase (staff).
    SetPhaseState {
        /// The phase.
        phase: RecordId,
        /// Its new state.
        state: PhaseState,
    },
    /// Post an idea in the open ideas (or co-creation) phase.
    PostIdea {
        /// Title.
        title: String,
        /// Body: the first proposal text.
        body: String,
    },
    /// Retitle one's idea.
    EditIdea {
        /// The idea.
        idea: RecordId,
        /// New title.
        title: String,
    },
    /// Support an idea, or withdraw support.
    Support {
        /// The idea.
        idea: RecordId,
        /// Support or withdraw.
        support: bool,
    },
    /// Comment on the project (`target: None`), a phase, an idea or a post.
    Comment {
        /// What it is on.
        target: Option<RecordId>,
        /// The comment it answers.
        reply_to: Option<RecordId>,
        /// Its stance.
        stance: Stance,
        /// The text.
        text: String,
        /// An official answer (staff).
        official: bool,
    },
    /// Edit one's comment.
    EditComment {
        /// The comment.
        comment: RecordId,
        /// New text.
        text: String,
    },
    /// Let a member co-write one's proposal.
    AddCoauthor {
        /// The idea.
        proposal: RecordId,
        /// The co-author.
        member: MemberId,
    },
    /// Replace the proposal text (author, co-authors, staff).
    EditText {
        /// The idea.
        proposal: RecordId,
        /// The whole new text; only the difference is recorded.
        text: String,
    },
    /// Suggest a new proposal text for the author to accept or reject.
    ProposeAmendment {
        /// The idea.
        proposal: RecordId,
        /// The whole suggested text; only the difference is recorded.
        text: String,
        /// Why.
        reason: String,
    },
    /// Accept or reject an amendment (the proposal's author).
    DecideAmendment {
        /// The amendment.
        amendment: RecordId,
        /// Accept or reject.
        accept: bool,
    },
    /// Create a survey in a survey phase (staff).
    CreateSurvey {
        /// The phase; the first survey phase when `None`.
        phase: Option<RecordId>,
        /// Title.
        title: String,
        /// Questions.
        questions: Vec<Question>,
    },
    /// Answer a survey (again, to change the answers).
    AnswerSurvey {
        /// The survey.
        survey: RecordId,
        /// One answer per question.
        answers: Vec<Answer>,
    },
    /// Close a survey and pin what counts (staff).
    CloseSurvey {
        /// The survey.
        survey: RecordId,
    },
    /// Open a vote in a decision phase (staff).
    OpenVote {
        /// The phase; the first decision phase when `None`.
        phase: Option<RecordId>,
        /// The question.
        title: String,
        /// The method.
        method: VoteMethod,
        /// The options (none for consent).
        options: Vec<String>,
    },
    /// Cast a ballot (again, to change it).
    CastBallot {
        /// The vote.
        vote: RecordId,
        /// The choice.
        choice: BallotChoice,
    },
    /// Close a vote and pin what counts (staff).
    CloseVote {
        /// The vote.
        vote: RecordId,
    },
    /// Publish a progress post (staff).
    PublishPost {
        /// Title.
        title: String,
        /// Body.
        body: String,
    },
    /// Edit a post (staff).
    EditPost {
        /// The post.
        post: RecordId,
        /// New title.
        title: String,
        /// New body.
        body: String,
    },
    /// Add a milestone (staff).
    AddMilestone {
        /// Title.
        title: String,
        /// Planned date.
        due: Option<String>,
    },
    /// Set a milestone's progress (staff).
    SetMilestoneProgress {
        /// The milestone.
        milestone: RecordId,
        /// 0 to 100.
        percent: u8,
    },
    /// Report content to staff.
    Report {
        /// What.
        target: RecordId,
        /// Why.
        reason: String,
    },
    /// Hide content (staff).
    Hide {
        /// What.
        target: RecordId,
        /// Why.
        reason: String,
    },
    /// Restore hidden content (staff).
    Restore {
        /// What.
        target: RecordId,
        /// Why.
        reason: String,
    },
    /// Write a statement in the open conversation phase.
    PostStatement {
        /// The statement.
        text: String,
    },
    /// Agree (1), disagree (-1) or pass (0) on a statement.
    VoteStatement {
        /// The statement.
        statement: RecordId,
        /// 1, -1 or 0.
        vote: i8,
    },
    /// Bring in one batch of a conversation held elsewhere (staff).
    ImportConversation {
        /// The conversation phase (default: the project's first).
        phase: Option<RecordId>,
        /// Where it came from.
        source: String,
        /// Statements.
        statements: Vec<crate::record::ImportedStatement>,
        /// Votes.
        votes: Vec<crate::record::ImportedVote>,
    },
}

fn need_open(project: &ProjectState, kinds: &[PhaseKind]) -> Result<RecordId, CommandError> {
    kinds
        .iter()
        .find_map(|k| project.open_phase(*k))
        .ok_or(CommandError::PhaseNotOpen {
            kind: kinds[0].name(),
        })
}

fn phase_position(
    project: &ProjectState,
    moving: Option<RecordId>,
    before: Option<RecordId>,
) -> Result<Vec<u8>, CommandError> {
    let phases: Vec<_> = project
        .phases()
        .into_iter()
        .filter(|p| Some(p.id) != moving)
        .collect();
    let at = match before {
        None => phases.len(),
        Some(b) => phases
            .iter()
            .position(|p| p.id == b)
            .ok_or_else(|| CommandError::not_found("phase", &b))?,
    };
    let lo = at.checked_sub(1).map(|i| phases[i].position.as_slice());
    let hi = phases.get(at).map(|p| p.position.as_slice());
    if let (Some(l), Some(h)) = (lo, hi) {
        if l >= h {
            // Two phases share a key (concurrent moves to one spot): there
            // is no key between them, so place after the lower one's key.
            return Ok(between(Some(l), None));
        }
    }
    Ok(between(lo, hi))
}

/// Apply a project command: check it, sign it, append it, and fold it into
/// `project`. Returns the id of the record that carries it.
pub fn apply_project(
    doc: &mut Automerge,
    space: &SpaceState,
    project: &mut ProjectState,
    actor: &Actor<'_>,
    command: ProjectCommand,
) -> Result<RecordId, CommandError> {
    let me = actor.key.member();
    let role = require(space, &me, Role::Resident)?;
    let staff = || -> Result<(), CommandError> {
        if role >= Role::Staff {
            Ok(())
        } else {
            Err(CommandError::Forbidden { needed: "staff" })
        }
    };
    let idea_of = |id: &RecordId| -> Result<&SignedRecord, CommandError> {
        project
            .record(id)
            .filter(|r| matches!(r.body.payload, Payload::PostIdea { .. }))
            .ok_or_else(|| CommandError::not_found("idea", id))
    };
    let is_author = |r: &SignedRecord| r.body.author == me;
    let payload = match command {
        ProjectCommand::EditProject { title, description } => {
            staff()?;
            check_text("title", &title, limits::TITLE, true)?;
            check_text("description", &description, limits::DESCRIPTION, false)?;
            Payload::EditProject { title, description }
        }
        ProjectCommand::AddPhase {
            kind,
            title,
            starts,
            ends,
            before,
        } => {
            staff()?;
            check_text("phase title", &title, limits::TITLE, false)?;
            Payload::AddPhase {
                kind,
                title,
                starts,
                ends,
                position: phase_position(project, None, before)?,
            }
        }
        ProjectCommand::RemovePhase { phase } => {
            staff()?;
            project
                .phase(&phase)
                .ok_or_else(|| CommandError::not_found("phase", &phase))?;
            Payload::RemovePhase { phase }
        }
        ProjectCommand::MovePhase { phase, before } => {
            staff()?;
            project
                .phase(&phase)
                .ok_or_else(|| CommandError::not_found("phase", &phase))?;
            Payload::MovePhase {
                phase,
                position: phase_position(project, Some(phase), before)?,
            }
        }
        ProjectCommand::SetPhaseState { phase, state } => {
            staff()?;
            project
                .phase(&phase)
                .ok_or_else(|| CommandError::not_found("phase", &phase))?;
            Payload::SetPhaseState { phase, state }
        }
        ProjectCommand::PostIdea { title, body } => {
            let phase = need_open(project, &[PhaseKind::Ideas, PhaseKind::CoCreation])?;
            check_text("title", &title, limits::TITLE, true)?;
            check_text("idea", &body, limits::IDEA_BODY, false)?;
            Payload::PostIdea { phase, title, body }
        }
        ProjectCommand::EditIdea { idea, title } => {
            if !is_author(idea_of(&idea)?) {
                return Err(CommandError::Forbidden { needed: "author" });
            }
            check_text("title", &title, limits::TITLE, true)?;
            Payload::EditIdea { idea, title }
        }
        ProjectCommand::Support { idea, support } => {
            idea_of(&idea)?;
            need_open(
                project,
                &[
                    PhaseKind::Ideas,
                    PhaseKind::Discussion,
                    PhaseKind::CoCreation,
                ],
            )?;
            Payload::Support { idea, support }
        }
        ProjectCommand::Comment {
            target,
            reply_to,
            stance,
            text,
            official,
        } => {
            let target = target.unwrap_or(project.genesis());
            if target != project.genesis() && project.record(&target).is_none() {
                return Err(CommandError::not_found("item to comment on", &target));
            }
            if let Some(parent) = reply_to {
                project
                    .record(&parent)
                    .filter(|r| matches!(r.body.payload, Payload::Comment { .. }))
                    .ok_or_else(|| CommandError::not_found("comment", &parent))?;
            }
            if official {
                staff()?;
            } else {
                need_open(
                    project,
                    &[
                        PhaseKind::Discussion,
                        PhaseKind::Ideas,
                        PhaseKind::CoCreation,
                    ],
                )?;
            }
            check_text("comment", &text, limits::COMMENT, true)?;
            Payload::Comment {
                target,
                reply_to,
                stance,
                text,
                official,
            }
        }
        ProjectCommand::EditComment { comment, text } => {
            let c = project
                .record(&comment)
                .filter(|r| matches!(r.body.payload, Payload::Comment { .. }))
                .ok_or_else(|| CommandError::not_found("comment", &comment))?;
            if !is_author(c) {
                return Err(CommandError::Forbidden { needed: "author" });
            }
            check_text("comment", &text, limits::COMMENT, true)?;
            Payload::EditComment { comment, text }
        }
        ProjectCommand::AddCoauthor { proposal, member } => {
            if !is_author(idea_of(&proposal)?) {
                return Err(CommandError::Forbidden { needed: "author" });
            }
            if space.current_role(&member).is_none() {
                return Err(CommandError::NotFound {
                    what: "member",
                    id: member.to_string(),
                });
            }
            Payload::AddCoauthor { proposal, member }
        }
        ProjectCommand::EditText { proposal, text } => {
            let idea = idea_of(&proposal)?;
            let detail = project
                .idea(space, &proposal)
                .ok_or_else(|| CommandError::not_found("idea", &proposal))?;
            if !is_author(idea) && !detail.coauthors.contains(&me) && role < Role::Staff {
                return Err(CommandError::Forbidden { needed: "author" });
            }
            need_open(project, &[PhaseKind::CoCreation])?;
            check_text("proposal text", &text, limits::PROPOSAL_TEXT, false)?;
            let ops = project_text_diff(project, &proposal, &text)?;
            Payload::EditText { proposal, ops }
        }
        ProjectCommand::ProposeAmendment {
            proposal,
            text,
            reason,
        } => {
            idea_of(&proposal)?;
            need_open(project, &[PhaseKind::CoCreation])?;
            check_text("proposal text", &text, limits::PROPOSAL_TEXT, false)?;
            check_text("reason", &reason, limits::REASON, false)?;
            let ops = project_text_diff(project, &proposal, &text)?;
            Payload::ProposeAmendment {
                proposal,
                ops,
                reason,
            }
        }
        ProjectCommand::DecideAmendment { amendment, accept } => {
            let a = project
                .record(&amendment)
                .ok_or_else(|| CommandError::not_found("amendment", &amendment))?;
            let Payload::ProposeAmendment { proposal, .. } = &a.body.payload else {
                return Err(CommandError::not_found("amendment", &amendment));
            };
            if !is_author(idea_of(proposal)?) {
                return Err(CommandError::Forbidden { needed: "author" });
            }
            let detail = project
                .idea(space, proposal)
                .ok_or_else(|| CommandError::not_found("idea", proposal))?;
            if detail
                .amendments
                .iter()
                .any(|x| x.id == amendment && x.accepted.is_some())
            {
                return Err(CommandError::Invalid {
                    what: "amendment",
                    reason: "it was already decided".into(),
                });
            }
            Payload::DecideAmendment { amendment, accept }
        }
        ProjectCommand::CreateSurvey {
            phase,
            title,
            questions,
        } => {
            staff()?;
            let phase = pick_phase(project, phase, PhaseKind::Survey)?;
            check_text("title", &title, limits::TITLE, true)?;
            Payload::CreateSurvey {
                phase,
                title,
                questions,
            }
        }
        ProjectCommand::AnswerSurvey { survey, answers } => {
            let s = project
                .survey(&survey)
                .ok_or_else(|| CommandError::not_found("survey", &survey))?;
            if s.closed {
                return Err(CommandError::Closed { what: "the survey" });
            }
            if project.phase(&s.phase).map(|p| p.state) != Some(PhaseState::Open) {
                return Err(CommandError::PhaseNotOpen { kind: "survey" });
            }
            check_answers(&s.questions, &answers).map_err(|reason| CommandError::Invalid {
                what: "answer",
                reason,
            })?;
            Payload::AnswerSurvey { survey, answers }
        }
        ProjectCommand::CloseSurvey { survey } => {
            staff()?;
            if project.survey(&survey).is_none() {
                return Err(CommandError::not_found("survey", &survey));
            }
            if project.is_closed(&survey) {
                return Err(CommandError::Closed { what: "the survey" });
            }
            Payload::CloseSurvey {
                survey,
                heads: heads(doc),
            }
        }
        ProjectCommand::OpenVote {
            phase,
            title,
            method,
            options,
        } => {
            staff()?;
            let phase = pick_phase(project, phase, PhaseKind::Decision)?;
            check_text("question", &title, limits::TITLE, true)?;
            check_vote_options(method, &options).map_err(|reason| CommandError::Invalid {
                what: "vote",
                reason,
            })?;
            for o in &options {
                check_text("option", o, limits::OPTION, true)?;
            }
            Payload::OpenVote {
                phase,
                title,
                method,
                options,
            }
        }
        ProjectCommand::CastBallot { vote, choice } => {
            let v = project
                .vote(&vote)
                .ok_or_else(|| CommandError::not_found("vote", &vote))?;
            if v.closed {
                return Err(CommandError::Closed { what: "the vote" });
            }
            if project.phase(&v.phase).map(|p| p.state) != Some(PhaseState::Open) {
                return Err(CommandError::PhaseNotOpen { kind: "decision" });
            }
            check_ballot(v.method, v.options.len(), &choice).map_err(|reason| {
                CommandError::Invalid {
                    what: "ballot",
                    reason,
                }
            })?;
            Payload::CastBallot { vote, choice }
        }
        ProjectCommand::CloseVote { vote } => {
            staff()?;
            if project.vote(&vote).is_none() {
                return Err(CommandError::not_found("vote", &vote));
            }
            if project.is_closed(&vote) {
                return Err(CommandError::Closed { what: "the vote" });
            }
            Payload::CloseVote {
                vote,
                heads: heads(doc),
            }
        }
        ProjectCommand::PublishPost { title, body } => {
            staff()?;
            check_text("title", &title, limits::TITLE, true)?;
            check_text("post", &body, limits::POST_BODY, false)?;
            Payload::PublishPost { title, body }
        }
        ProjectCommand::EditPost { post, title, body } => {
            staff()?;
            project
                .record(&post)
                .filter(|r| matches!(r.body.payload, Payload::PublishPost { .. }))
                .ok_or_else(|| CommandError::not_found("post", &post))?;
            check_text("title", &title, limits::TITLE, true)?;
            check_text("post", &body, limits::POST_BODY, false)?;
            Payload::EditPost { post, title, body }
        }
        ProjectCommand::AddMilestone { title, due } => {
            staff()?;
            check_text("title", &title, limits::TITLE, true)?;
            Payload::AddMilestone { title, due }
        }
        ProjectCommand::SetMilestoneProgress { milestone, percent } => {
            staff()?;
            project
                .record(&milestone)
                .filter(|r| matches!(r.body.payload, Payload::AddMilestone { .. }))
                .ok_or_else(|| CommandError::not_found("milestone", &milestone))?;
            if percent > 100 {
                return Err(CommandError::Invalid {
                    what: "progress",
                    reason: "it goes from 0 to 100 %".into(),
                });
            }
            Payload::SetMilestoneProgress { milestone, percent }
        }
        ProjectCommand::Report { target, reason } => {
            project
                .record(&target)
                .ok_or_else(|| CommandError::not_found("item", &target))?;
            check_text("reason", &reason, limits::REASON, false)?;
            Payload::Report { target, reason }
        }
        ProjectCommand::Hide { target, reason } => {
            staff()?;
            project
                .record(&target)
                .ok_or_else(|| CommandError::not_found("item", &target))?;
            check_text("reason", &reason, limits::REASON, true)?;
            Payload::Hide { target, reason }
        }
        ProjectCommand::Restore { target, reason } => {
            staff()?;
            project
                .record(&target)
                .ok_or_else(|| CommandError::not_found("item", &target))?;
            check_text("reason", &reason, limits::REASON, true)?;
            Payload::Restore { target, reason }
        }
        ProjectCommand::PostStatement { text } => {
            let phase = need_open(project, &[PhaseKind::Conversation])?;
            check_text("statement", &text, limits::STATEMENT, true)?;
            Payload::PostStatement { phase, text }
        }
        ProjectCommand::VoteStatement { statement, vote } => {
            project
                .record(&statement)
                .filter(|r| matches!(r.body.payload, Payload::PostStatement { .. }))
                .ok_or_else(|| CommandError::not_found("statement", &statement))?;
            need_open(project, &[PhaseKind::Conversation])?;
            if !(-1..=1).contains(&vote) {
                return Err(CommandError::Invalid {
                    what: "vote",
                    reason: "agree is 1, disagree -1, pass 0".into(),
                });
            }
            Payload::VoteStatement { statement, vote }
        }
        ProjectCommand::ImportConversation {
            phase,
            source,
            statements,
            votes,
        } => {
            staff()?;
            let phase = pick_phase(project, phase, PhaseKind::Conversation)?;
            check_text("source", &source, limits::TITLE, true)?;
            for st in &statements {
                check_text("statement", &st.text, limits::STATEMENT * 4, false)?;
            }
            if votes.iter().any(|v| !(-1..=1).contains(&v.vote)) {
                return Err(CommandError::Invalid {
                    what: "vote",
                    reason: "agree is 1, disagree -1, pass 0".into(),
                });
            }
            Payload::ImportConversation {
                phase,
                source,
                statements,
                votes,
            }
        }
    };
    let record = sign(
        actor,
        Some(project.id()),
        project.max_lamport() + 1,
        space.frontier(),
        payload,
    )?;
    let id = record.id;
    append_records(doc, std::slice::from_ref(&record), actor.now_ms)?;
    project.absorb_local(doc, space, record)?;
    Ok(id)
}

fn pick_phase(
    project: &ProjectState,
    phase: Option<RecordId>,
    kind: PhaseKind,
) -> Result<RecordId, CommandError> {
    match phase {
        Some(p) => match project.phase(&p) {
            Some(v) if v.kind == kind => Ok(p),
            Some(_) => Err(CommandError::Invalid {
                what: "phase",
                reason: format!("it is not a {} phase", kind.name()),
            }),
            None => Err(CommandError::not_found("phase", &p)),
        },
        None => project
            .phases()
            .into_iter()
            .find(|v| v.kind == kind)
            .map(|v| v.id)
            .ok_or(CommandError::Invalid {
                what: "phase",
                reason: format!("the project has no {} phase", kind.name()),
            }),
    }
}

fn project_text_diff(
    project: &ProjectState,
    proposal: &RecordId,
    target: &str,
) -> Result<Vec<crate::text::TextOp>, CommandError> {
    let ops = project
        .text_of(proposal)
        .ok_or_else(|| CommandError::not_found("idea", proposal))?
        .diff_to(target);
    if ops.is_empty() {
        return Err(CommandError::Invalid {
            what: "edit",
            reason: "the text is unchanged".into(),
        });
    }
    Ok(ops)
}
