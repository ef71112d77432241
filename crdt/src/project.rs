//! A project, judged: phases, ideas, comments, texts, surveys, votes, posts,
//! milestones and moderation, folded from the project's signed records.
//!
//! [`ProjectState::from_doc`] decodes and verifies every record, judges each
//! against the space at the record's `space_deps` (pending when those have
//! not arrived) and folds the valid ones in `(lamport, id)` order, which
//! every replica shares. "Latest wins" state (phase state, titles, supports,
//! hide/restore) is decided by the same `(lamport, id)` stamp. A record that
//! refers to something its author cannot have seen (a later record) is
//! rejected; one that refers to something absent is pending.
//!
//! Votes and surveys closed by staff are counted from the records present
//! at the heads pinned in the closing record, so late arrivals never change
//! a published result.

use std::collections::{HashMap, HashSet};

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use crate::comment::{CommentNode, Stance, StanceCounts};
use crate::document::{check_header, raw_records, raw_records_at, DocKind};
use crate::error::DocumentError;
use crate::id::{DocId, MemberId, RecordId};
use crate::limits;
use crate::phase::{PhaseKind, PhaseState, PhaseView};
use crate::record::{Head, Payload, SignedRecord};
use crate::space::{Role, SpaceState, SpaceView};
use crate::survey::{aggregate, check_answers, Answer, Question, QuestionKind, QuestionResult};
use crate::text::{Text, TextOp};
use crate::verdict::{rejected, RecordSet, RejectReason, Rejected};
use crate::vote::{check_ballot, check_vote_options, tally, BallotChoice, TallyResult, VoteMethod};

/// A "latest wins" stamp: later lamport wins, then higher id.
pub type Stamp = (u64, RecordId);

#[derive(Debug, Clone)]
struct PhaseEntry {
    kind: PhaseKind,
    title: String,
    starts: Option<String>,
    ends: Option<String>,
    position: (Vec<u8>, Stamp),
    state: (PhaseState, Stamp),
    removed: bool,
}

#[derive(Debug, Clone)]
struct IdeaEntry {
    author: MemberId,
    phase: RecordId,
    title: (String, Stamp),
    edited: bool,
    time_ms: i64,
    text: Text,
    coauthors: Vec<MemberId>,
    supports: HashMap<MemberId, (bool, Stamp)>,
    amendments: Vec<RecordId>,
}

#[derive(Debug, Clone)]
struct CommentEntry {
    author: MemberId,
    target: RecordId,
    reply_to: Option<RecordId>,
    stance: Stance,
    text: (String, Stamp),
    official: bool,
    edited: bool,
    time_ms: i64,
}

#[derive(Debug, Clone)]
struct AmendmentEntry {
    proposal: RecordId,
    author: MemberId,
    ops: Vec<TextOp>,
    reason: String,
    /// What it would delete and insert, as text when proposed.
    removes: String,
    inserts: String,
    decision: Option<bool>,
    time_ms: i64,
}

#[derive(Debug, Clone)]
struct Close {
    by: MemberId,
    time_ms: i64,
    heads: Vec<Head>,
}

#[derive(Debug, Clone)]
struct SurveyEntry {
    phase: RecordId,
    title: String,
    questions: Vec<Question>,
    /// Every valid answer revision: (member, stamp, record).
    answers: Vec<(MemberId, Stamp, RecordId)>,
    close: Option<Close>,
}

#[derive(Debug, Clone)]
struct VoteEntry {
    phase: RecordId,
    title: String,
    method: VoteMethod,
    options: Vec<String>,
    ballots: Vec<(MemberId, Stamp, RecordId)>,
    close: Option<Close>,
    time_ms: i64,
}

#[derive(Debug, Clone)]
struct PostEntry {
    author: MemberId,
    title: String,
    body: String,
    stamp: Stamp,
    edited: bool,
    time_ms: i64,
}

/// Who wrote or voted in a conversation: a member, or someone known only
/// by an imported id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Voice {
    Member(MemberId),
    Imported(String),
}

#[derive(Debug, Clone)]
struct StatementEntry {
    key: String,
    record: Option<RecordId>,
    author: Voice,
    text: String,
    time_ms: i64,
}

#[derive(Debug, Clone, Default)]
struct ConversationEntry {
    sources: Vec<String>,
    statements: Vec<StatementEntry>,
    keys: HashMap<String, usize>,
    votes: HashMap<(Voice, usize), (i8, Stamp)>,
}

#[derive(Debug, Clone)]
struct MilestoneEntry {
    title: String,
    due: Option<String>,
    percent: (u8, Stamp),
    time_ms: i64,
}

/// A project, judged. Build it with [`ProjectState::from_doc`].
#[derive(Debug, Clone)]
pub struct ProjectState {
    id: DocId,
    space: DocId,
    genesis: RecordId,
    title: (String, Stamp),
    description: String,
    created_by: MemberId,
    created_ms: i64,
    max_lamport: u64,
    /// Every record whose signature verified (valid, pending or rejected
    /// by the rules), kept so a refresh checks only new signatures.
    verified: HashMap<RecordId, SignedRecord>,
    /// Records that count.
    valid: HashSet<RecordId>,
    /// Every record id in the document, for "absent" vs "not valid".
    all_ids: HashSet<RecordId>,
    /// The largest stamp judged so far: a newer local record can be judged
    /// on its own, anything else needs a rebuild.
    last_stamp: Stamp,
    /// The space frontier this state was judged against.
    space_frontier: Vec<RecordId>,
    rejected: Vec<Rejected>,
    pending: Vec<RecordId>,
    phases: HashMap<RecordId, PhaseEntry>,
    ideas: HashMap<RecordId, IdeaEntry>,
    comments: HashMap<RecordId, CommentEntry>,
    amendments: HashMap<RecordId, AmendmentEntry>,
    surveys: HashMap<RecordId, SurveyEntry>,
    votes: HashMap<RecordId, VoteEntry>,
    posts: HashMap<RecordId, PostEntry>,
    milestones: HashMap<RecordId, MilestoneEntry>,
    hidden: HashMap<RecordId, (bool, String, Stamp)>,
    moderation: Vec<ModerationEntry>,
    /// Conversation phases, and each native statement's phase.
    conversations: HashMap<RecordId, ConversationEntry>,
    statement_phase: HashMap<RecordId, RecordId>,
    /// For each closed vote or survey: the record ids present at its pin,
    /// or `None` while the pinned changes have not arrived.
    pinned: HashMap<RecordId, Option<HashSet<RecordId>>>,
}

fn stamp(r: &SignedRecord) -> Stamp {
    (r.body.lamport, r.id)
}

fn invalid(detail: impl Into<String>) -> RejectReason {
    RejectReason::Invalid {
        detail: detail.into(),
    }
}

fn bad_ref(detail: impl Into<String>) -> RejectReason {
    RejectReason::BadReference {
        detail: detail.into(),
    }
}

fn text_ok(text: &str, max: usize, required: bool) -> Result<(), RejectReason> {
    let len = text.chars().count();
    if len > max {
        Err(invalid(format!("text of {len} characters, at most {max}")))
    } else if required && text.trim().is_empty() {
        Err(invalid("empty text"))
    } else {
        Ok(())
    }
}

enum Verdict {
    Valid,
    Pending,
    Rejected(RejectReason),
}

impl ProjectState {
    /// Judge the project document `doc` (id `id`) of the judged `space`.
    pub fn from_doc(doc: &Automerge, id: DocId, space: &SpaceState) -> Result<Self, DocumentError> {
        Self::build(doc, id, space, &HashMap::new(), &HashSet::new())
    }

    /// Like [`ProjectState::from_doc`], skipping the signature check of
    /// records in `trusted`: ids this device verified before (see
    /// [`ProjectState::verified_ids`]) and kept in its own storage.
    pub fn from_doc_trusting(
        doc: &Automerge,
        id: DocId,
        space: &SpaceState,
        trusted: &HashSet<RecordId>,
    ) -> Result<Self, DocumentError> {
        Self::build(doc, id, space, &HashMap::new(), trusted)
    }

    /// Ids of every record whose signature this state has verified (or
    /// trusted), for the node to keep.
    pub fn verified_ids(&self) -> impl Iterator<Item = &RecordId> {
        self.verified.keys()
    }

    /// How many verified records others wrote (what "new since your last
    /// visit" counts: a member's own posts are not news to them).
    pub fn records_by_others(&self, me: &MemberId) -> u64 {
        self.verified
            .values()
            .filter(|r| r.body.author != *me)
            .count() as u64
    }

    /// Bring the state up to date with `doc` after sync (or any change),
    /// checking only signatures it has not seen. On error the state is
    /// left as it was.
    pub fn refresh(&mut self, doc: &Automerge, space: &SpaceState) -> Result<(), DocumentError> {
        *self = Self::build(doc, self.id, space, &self.verified, &HashSet::new())?;
        Ok(())
    }

    fn build(
        doc: &Automerge,
        id: DocId,
        space: &SpaceState,
        verified: &HashMap<RecordId, SignedRecord>,
        trusted: &HashSet<RecordId>,
    ) -> Result<Self, DocumentError> {
        check_header(doc, DocKind::Project)?;
        let raw = raw_records(doc)?;
        let set = RecordSet::decode_reusing(&raw, Some(id), verified, trusted);
        let mut state = Self::from_records(set, id, space)?;
        state.pin_closes(doc)?;
        Ok(state)
    }

    /// Judge a record this device just appended to `doc`. It carries the
    /// newest stamp, so it is judged alone; otherwise (or if the space
    /// changed since) the whole state is rebuilt.
    pub fn absorb_local(
        &mut self,
        doc: &Automerge,
        space: &SpaceState,
        record: SignedRecord,
    ) -> Result<(), DocumentError> {
        if stamp(&record) <= self.last_stamp || space.frontier() != self.space_frontier {
            return self.refresh(doc, space);
        }
        self.all_ids.insert(record.id);
        self.max_lamport = self.max_lamport.max(record.body.lamport);
        self.last_stamp = stamp(&record);
        let verdict = match space.view_of(&record.body.space_deps) {
            None => Verdict::Pending,
            Some(view) => match space.role_at(&record.body.author, &view) {
                None => Verdict::Rejected(RejectReason::NotMember),
                Some(role) => {
                    let all = std::mem::take(&mut self.all_ids);
                    let v = self.admit(&record, role, &all);
                    self.all_ids = all;
                    v
                }
            },
        };
        let closes = matches!(
            record.body.payload,
            Payload::CloseVote { .. } | Payload::CloseSurvey { .. }
        );
        match verdict {
            Verdict::Valid => {
                self.valid.insert(record.id);
            }
            Verdict::Pending => self.pending.push(record.id),
            Verdict::Rejected(reason) => self.rejected.push(rejected(&record, reason)),
        }
        self.verified.insert(record.id, record);
        if closes {
            self.pin_closes(doc)?;
        }
        Ok(())
    }

    fn from_records(set: RecordSet, id: DocId, space: &SpaceState) -> Result<Self, DocumentError> {
        let mut rejected_list = set.rejected;
        let mut records = set.records;
        records.sort_by_key(stamp);
        // The founding record: the one that certifies the id.
        let genesis_pos = records
            .iter()
            .position(|r| {
                r.body.doc.is_none()
                    && id.is_certified_by(&r.id)
                    && matches!(r.body.payload, Payload::CreateProject { .. })
            })
            .ok_or(DocumentError::NoGenesis)?;
        let genesis = records.remove(genesis_pos);
        let Payload::CreateProject {
            space: space_id,
            title,
            description,
            ..
        } = &genesis.body.payload
        else {
            return Err(DocumentError::NoGenesis);
        };
        if *space_id != space.id() {
            return Err(DocumentError::WrongKind {
                expected: "project of this space",
                found: format!("project of space {space_id}"),
            });
        }
        let mut views: HashMap<Vec<RecordId>, Option<SpaceView>> = HashMap::new();
        let mut role_of = |r: &SignedRecord| -> Option<Option<Role>> {
            let view = views
                .entry(r.body.space_deps.clone())
                .or_insert_with(|| space.view_of(&r.body.space_deps));
            view.as_ref().map(|v| space.role_at(&r.body.author, v))
        };
        match role_of(&genesis) {
            Some(Some(role)) if role >= Role::Staff => {}
            // A founding record that does not hold is a project nobody may
            // build on; say so instead of showing an empty project.
            Some(_) => return Err(DocumentError::NoGenesis),
            None => return Err(DocumentError::NoGenesis),
        }
        let mut state = ProjectState {
            id,
            space: *space_id,
            genesis: genesis.id,
            title: (title.clone(), stamp(&genesis)),
            description: description.clone(),
            created_by: genesis.body.author,
            created_ms: genesis.body.time_ms,
            max_lamport: genesis.body.lamport,
            verified: HashMap::with_capacity(records.len() + 1),
            valid: HashSet::with_capacity(records.len() + 1),
            all_ids: HashSet::new(),
            last_stamp: stamp(&genesis),
            space_frontier: space.frontier(),
            rejected: Vec::new(),
            pending: Vec::new(),
            phases: HashMap::new(),
            ideas: HashMap::new(),
            comments: HashMap::new(),
            amendments: HashMap::new(),
            surveys: HashMap::new(),
            votes: HashMap::new(),
            posts: HashMap::new(),
            milestones: HashMap::new(),
            hidden: HashMap::new(),
            conversations: HashMap::new(),
            statement_phase: HashMap::new(),
            moderation: Vec::new(),
            pinned: HashMap::new(),
        };
        let all_ids: HashSet<RecordId> = records.iter().map(|r| r.id).chain([genesis.id]).collect();
        state.valid.insert(genesis.id);
        state.verified.insert(genesis.id, genesis);
        for record in records {
            state.max_lamport = state.max_lamport.max(record.body.lamport);
            state.last_stamp = state.last_stamp.max(stamp(&record));
            let verdict = match role_of(&record) {
                None => Verdict::Pending,
                Some(None) => Verdict::Rejected(RejectReason::NotMember),
                Some(Some(role)) => state.admit(&record, role, &all_ids),
            };
            match verdict {
                Verdict::Valid => {
                    state.valid.insert(record.id);
                }
                Verdict::Pending => state.pending.push(record.id),
                Verdict::Rejected(reason) => rejected_list.push(rejected(&record, reason)),
            }
            state.verified.insert(record.id, record);
        }
        state.all_ids = all_ids;
        rejected_list.sort_by_key(|r| r.id);
        state.rejected = rejected_list;
        state.pending.sort();
        Ok(state)
    }

    /// Resolve a reference: valid and earlier → Ok; present but not (yet)
    /// valid → rejected; absent → pending.
    fn refer<'a, T>(
        map: &'a HashMap<RecordId, T>,
        id: &RecordId,
        all: &HashSet<RecordId>,
        what: &str,
    ) -> Result<&'a T, Verdict> {
        match map.get(id) {
            Some(e) => Ok(e),
            None if all.contains(id) => Err(Verdict::Rejected(bad_ref(format!(
                "{} is not a valid {what} it could have seen",
                id.short()
            )))),
            None => Err(Verdict::Pending),
        }
    }

    fn admit(&mut self, r: &SignedRecord, role: Role, all: &HashSet<RecordId>) -> Verdict {
        match self.check_and_apply(r, role, all) {
            Ok(()) => Verdict::Valid,
            Err(v) => v,
        }
    }

    fn check_and_apply(
        &mut self,
        r: &SignedRecord,
        role: Role,
        all: &HashSet<RecordId>,
    ) -> Result<(), Verdict> {
        let reject = |reason: RejectReason| Verdict::Rejected(reason);
        let staff = || -> Result<(), Verdict> {
            if role >= Role::Staff {
                Ok(())
            } else {
                Err(Verdict::Rejected(RejectReason::Forbidden {
                    needed: "staff".into(),
                }))
            }
        };
        let author = r.body.author;
        let st = stamp(r);
        let t = r.body.time_ms;
        match &r.body.payload {
            Payload::EditProject { title, description } => {
                staff()?;
                text_ok(title, limits::TITLE, true).map_err(reject)?;
                text_ok(description, limits::DESCRIPTION, false).map_err(reject)?;
                if st > self.title.1 {
                    self.title = (title.clone(), st);
                    self.description = description.clone();
                }
            }
            Payload::AddPhase {
                kind,
                title,
                starts,
                ends,
                position,
            } => {
                staff()?;
                text_ok(title, limits::TITLE, false).map_err(reject)?;
                for d in [starts, ends].into_iter().flatten() {
                    text_ok(d, 40, false).map_err(reject)?;
                }
                if position.len() > 64 {
                    return Err(reject(invalid("position key too long")));
                }
                self.phases.insert(
                    r.id,
                    PhaseEntry {
                        kind: *kind,
                        title: title.clone(),
                        starts: starts.clone(),
                        ends: ends.clone(),
                        position: (position.clone(), st),
                        state: (PhaseState::Upcoming, st),
                        removed: false,
                    },
                );
            }
            Payload::RemovePhase { phase } => {
                staff()?;
                Self::refer(&self.phases, phase, all, "phase")?;
                if let Some(p) = self.phases.get_mut(phase) {
                    p.removed = true;
                }
            }
            Payload::MovePhase { phase, position } => {
                staff()?;
                if position.len() > 64 {
                    return Err(reject(invalid("position key too long")));
                }
                Self::refer(&self.phases, phase, all, "phase")?;
                if let Some(p) = self.phases.get_mut(phase) {
                    if st > p.position.1 {
                        p.position = (position.clone(), st);
                    }
                }
            }
            Payload::SetPhaseState { phase, state } => {
                staff()?;
                Self::refer(&self.phases, phase, all, "phase")?;
                if let Some(p) = self.phases.get_mut(phase) {
                    if st > p.state.1 {
                        p.state = (*state, st);
                    }
                }
            }
            Payload::PostIdea { phase, title, body } => {
                let p = Self::refer(&self.phases, phase, all, "phase")?;
                if !matches!(p.kind, PhaseKind::Ideas | PhaseKind::CoCreation) {
                    return Err(reject(bad_ref(
                        "ideas are posted in an ideas or co-creation phase",
                    )));
                }
                text_ok(title, limits::TITLE, true).map_err(reject)?;
                text_ok(body, limits::IDEA_BODY, false).map_err(reject)?;
                self.ideas.insert(
                    r.id,
                    IdeaEntry {
                        author,
                        phase: *phase,
                        title: (title.clone(), st),
                        edited: false,
                        time_ms: t,
                        text: Text::new(r.id, r.body.lamport, body),
                        coauthors: Vec::new(),
                        supports: HashMap::new(),
                        amendments: Vec::new(),
                    },
                );
            }
            Payload::EditIdea { idea, title } => {
                let i = Self::refer(&self.ideas, idea, all, "idea")?;
                if i.author != author {
                    return Err(reject(RejectReason::Forbidden {
                        needed: "author".into(),
                    }));
                }
                text_ok(title, limits::TITLE, true).map_err(reject)?;
                if let Some(i) = self.ideas.get_mut(idea) {
                    if st > i.title.1 {
                        i.title = (title.clone(), st);
                    }
                    i.edited = true;
                }
            }
            Payload::Support { idea, support } => {
                Self::refer(&self.ideas, idea, all, "idea")?;
                if let Some(i) = self.ideas.get_mut(idea) {
                    let e = i.supports.entry(author).or_insert((*support, st));
                    if st >= e.1 {
                        *e = (*support, st);
                    }
                }
            }
            Payload::Comment {
                target,
                reply_to,
                stance,
                text,
                official,
            } => {
                let target_ok = *target == self.genesis
                    || self.phases.contains_key(target)
                    || self.ideas.contains_key(target)
                    || self.posts.contains_key(target);
                if !target_ok {
                    return Err(if all.contains(target) {
                        reject(bad_ref(
                            "comments go on the project, a phase, an idea or a post",
                        ))
                    } else {
                        Verdict::Pending
                    });
                }
                if let Some(parent) = reply_to {
                    let p = Self::refer(&self.comments, parent, all, "comment")?;
                    if p.target != *target {
                        return Err(reject(bad_ref(
                            "a reply must be on the same thing as its parent",
                        )));
                    }
                }
                if *official {
                    staff()?;
                }
                text_ok(text, limits::COMMENT, true).map_err(reject)?;
                self.comments.insert(
                    r.id,
                    CommentEntry {
                        author,
                        target: *target,
                        reply_to: *reply_to,
                        stance: *stance,
                        text: (text.clone(), st),
                        official: *official,
                        edited: false,
                        time_ms: t,
                    },
                );
            }
            Payload::EditComment { comment, text } => {
                let c = Self::refer(&self.comments, comment, all, "comment")?;
                if c.author != author {
                    return Err(reject(RejectReason::Forbidden {
                        needed: "author".into(),
                    }));
                }
                text_ok(text, limits::COMMENT, true).map_err(reject)?;
                if let Some(c) = self.comments.get_mut(comment) {
                    if st > c.text.1 {
                        c.text = (text.clone(), st);
                    }
                    c.edited = true;
                }
            }
            Payload::AddCoauthor { proposal, member } => {
                let i = Self::refer(&self.ideas, proposal, all, "idea")?;
                if i.author != author {
                    return Err(reject(RejectReason::Forbidden {
                        needed: "author".into(),
                    }));
                }
                if let Some(i) = self.ideas.get_mut(proposal) {
                    if !i.coauthors.contains(member) && *member != i.author {
                        i.coauthors.push(*member);
                    }
                }
            }
            Payload::EditText { proposal, ops } => {
                let i = Self::refer(&self.ideas, proposal, all, "idea")?;
                if i.author != author && !i.coauthors.contains(&author) && role < Role::Staff {
                    return Err(reject(RejectReason::Forbidden {
                        needed: "author".into(),
                    }));
                }
                Self::check_ops(&i.text, r.id, ops).map_err(reject)?;
                if let Some(i) = self.ideas.get_mut(proposal) {
                    let _ = i.text.apply(r.id, r.body.lamport, ops);
                }
            }
            Payload::ProposeAmendment {
                proposal,
                ops,
                reason,
            } => {
                let i = Self::refer(&self.ideas, proposal, all, "idea")?;
                text_ok(reason, limits::REASON, false).map_err(reject)?;
                Self::check_ops(&i.text, r.id, ops).map_err(reject)?;
                let removes = i.text.deleted_by(ops);
                let inserts = ops
                    .iter()
                    .filter_map(|op| match op {
                        TextOp::Insert { text, .. } => Some(text.as_str()),
                        TextOp::Delete { .. } => None,
                    })
                    .collect();
                self.amendments.insert(
                    r.id,
                    AmendmentEntry {
                        proposal: *proposal,
                        author,
                        ops: ops.clone(),
                        reason: reason.clone(),
                        removes,
                        inserts,
                        decision: None,
                        time_ms: t,
                    },
                );
                if let Some(i) = self.ideas.get_mut(proposal) {
                    i.amendments.push(r.id);
                }
            }
            Payload::DecideAmendment { amendment, accept } => {
                let a = Self::refer(&self.amendments, amendment, all, "amendment")?;
                let proposal = a.proposal;
                let idea = &self.ideas[&proposal];
                if idea.author != author {
                    return Err(reject(RejectReason::Forbidden {
                        needed: "author".into(),
                    }));
                }
                if a.decision.is_some() {
                    return Err(reject(invalid("the amendment was already decided")));
                }
                let lamport = self.verified.get(amendment).map_or(0, |x| x.body.lamport);
                if *accept {
                    let ops = a.ops.clone();
                    if let Some(i) = self.ideas.get_mut(&proposal) {
                        if i.text.apply(*amendment, lamport, &ops).is_err() {
                            return Err(reject(invalid("the amendment no longer fits the text")));
                        }
                    }
                }
                if let Some(a) = self.amendments.get_mut(amendment) {
                    a.decision = Some(*accept);
                }
            }
            Payload::CreateSurvey {
                phase,
                title,
                questions,
            } => {
                staff()?;
                let p = Self::refer(&self.phases, phase, all, "phase")?;
                if p.kind != PhaseKind::Survey {
                    return Err(reject(bad_ref("surveys belong to a survey phase")));
                }
                text_ok(title, limits::TITLE, true).map_err(reject)?;
                check_questions(questions).map_err(reject)?;
                self.surveys.insert(
                    r.id,
                    SurveyEntry {
                        phase: *phase,
                        title: title.clone(),
                        questions: questions.clone(),
                        answers: Vec::new(),
                        close: None,
                    },
                );
            }
            Payload::AnswerSurvey { survey, answers } => {
                let s = Self::refer(&self.surveys, survey, all, "survey")?;
                check_answers(&s.questions, answers).map_err(|e| reject(invalid(e)))?;
                if let Some(s) = self.surveys.get_mut(survey) {
                    s.answers.push((author, st, r.id));
                }
            }
            Payload::CloseSurvey { survey, heads } => {
                staff()?;
                let s = Self::refer(&self.surveys, survey, all, "survey")?;
                if s.close.is_some() {
                    return Err(reject(invalid("the survey was already closed")));
                }
                if heads.is_empty() {
                    return Err(reject(invalid("a close must pin the document heads")));
                }
                if let Some(s) = self.surveys.get_mut(survey) {
                    s.close = Some(Close {
                        by: author,
                        time_ms: t,
                        heads: heads.clone(),
                    });
                }
            }
            Payload::OpenVote {
                phase,
                title,
                method,
                options,
            } => {
                staff()?;
                let p = Self::refer(&self.phases, phase, all, "phase")?;
                if p.kind != PhaseKind::Decision {
                    return Err(reject(bad_ref("votes belong to a decision phase")));
                }
                text_ok(title, limits::TITLE, true).map_err(reject)?;
                check_vote_options(*method, options).map_err(|e| reject(invalid(e)))?;
                for o in options {
                    text_ok(o, limits::OPTION, true).map_err(reject)?;
                }
                self.votes.insert(
                    r.id,
                    VoteEntry {
                        phase: *phase,
                        title: title.clone(),
                        method: *method,
                        options: options.clone(),
                        ballots: Vec::new(),
                        close: None,
                        time_ms: t,
                    },
                );
            }
            Payload::CastBallot { vote, choice } => {
                let v = Self::refer(&self.votes, vote, all, "vote")?;
                check_ballot(v.method, v.options.len(), choice).map_err(|e| reject(invalid(e)))?;
                if let Some(v) = self.votes.get_mut(vote) {
                    v.ballots.push((author, st, r.id));
                }
            }
            Payload::CloseVote { vote, heads } => {
                staff()?;
                let v = Self::refer(&self.votes, vote, all, "vote")?;
                if v.close.is_some() {
                    return Err(reject(invalid("the vote was already closed")));
                }
                if heads.is_empty() {
                    return Err(reject(invalid("a close must pin the document heads")));
                }
                if let Some(v) = self.votes.get_mut(vote) {
                    v.close = Some(Close {
                        by: author,
                        time_ms: t,
                        heads: heads.clone(),
                    });
                }
            }
            Payload::PublishPost { title, body } => {
                staff()?;
                text_ok(title, limits::TITLE, true).map_err(reject)?;
                text_ok(body, limits::POST_BODY, false).map_err(reject)?;
                self.posts.insert(
                    r.id,
                    PostEntry {
                        author,
                        title: title.clone(),
                        body: body.clone(),
                        stamp: st,
                        edited: false,
                        time_ms: t,
                    },
                );
            }
            Payload::EditPost { post, title, body } => {
                staff()?;
                Self::refer(&self.posts, post, all, "post")?;
                text_ok(title, limits::TITLE, true).map_err(reject)?;
                text_ok(body, limits::POST_BODY, false).map_err(reject)?;
                if let Some(p) = self.posts.get_mut(post) {
                    if st > p.stamp {
                        p.title = title.clone();
                        p.body = body.clone();
                        p.stamp = st;
                    }
                    p.edited = true;
                }
            }
            Payload::AddMilestone { title, due } => {
                staff()?;
                text_ok(title, limits::TITLE, true).map_err(reject)?;
                if let Some(d) = due {
                    text_ok(d, 40, false).map_err(reject)?;
                }
                self.milestones.insert(
                    r.id,
                    MilestoneEntry {
                        title: title.clone(),
                        due: due.clone(),
                        percent: (0, st),
                        time_ms: t,
                    },
                );
            }
            Payload::SetMilestoneProgress { milestone, percent } => {
                staff()?;
                Self::refer(&self.milestones, milestone, all, "milestone")?;
                if *percent > 100 {
                    return Err(reject(invalid("progress is 0 to 100 %")));
                }
                if let Some(m) = self.milestones.get_mut(milestone) {
                    if st > m.percent.1 {
                        m.percent = (*percent, st);
                    }
                }
            }
            Payload::Report { target, reason }
            | Payload::Hide { target, reason }
            | Payload::Restore { target, reason } => {
                let is_report = matches!(r.body.payload, Payload::Report { .. });
                if !is_report {
                    staff()?;
                }
                text_ok(reason, limits::REASON, !is_report).map_err(reject)?;
                let known = self.ideas.contains_key(target)
                    || self.comments.contains_key(target)
                    || self.amendments.contains_key(target)
                    || self.posts.contains_key(target)
                    || self.statement_phase.contains_key(target);
                if !known {
                    return Err(if all.contains(target) {
                        reject(bad_ref(
                            "only ideas, comments, amendments, posts and statements are moderated",
                        ))
                    } else {
                        Verdict::Pending
                    });
                }
                let action = match r.body.payload {
                    Payload::Report { .. } => ModerationAction::Report,
                    Payload::Hide { .. } => ModerationAction::Hide,
                    _ => ModerationAction::Restore,
                };
                if !is_report {
                    let e = self
                        .hidden
                        .entry(*target)
                        .or_insert((false, String::new(), st));
                    if st >= e.2 {
                        *e = (action == ModerationAction::Hide, reason.clone(), st);
                    }
                }
                self.moderation.push(ModerationEntry {
                    record: r.id,
                    action,
                    target: *target,
                    by: author,
                    by_name: String::new(),
                    reason: reason.clone(),
                    time_ms: t,
                });
            }
            Payload::PostStatement { phase, text } => {
                let p = Self::refer(&self.phases, phase, all, "phase")?;
                if p.kind != PhaseKind::Conversation {
                    return Err(reject(bad_ref("statements belong to a conversation phase")));
                }
                text_ok(text, limits::STATEMENT, true).map_err(reject)?;
                let c = self.conversations.entry(*phase).or_default();
                let key = r.id.to_string();
                c.keys.insert(key.clone(), c.statements.len());
                c.statements.push(StatementEntry {
                    key,
                    record: Some(r.id),
                    author: Voice::Member(author),
                    text: text.clone(),
                    time_ms: t,
                });
                self.statement_phase.insert(r.id, *phase);
            }
            Payload::VoteStatement { statement, vote } => {
                let phase = *Self::refer(&self.statement_phase, statement, all, "statement")?;
                if !(-1..=1).contains(vote) {
                    return Err(reject(invalid("a vote is 1, -1 or 0")));
                }
                let c = self.conversations.entry(phase).or_default();
                if let Some(&i) = c.keys.get(&statement.to_string()) {
                    let e = c
                        .votes
                        .entry((Voice::Member(author), i))
                        .or_insert((*vote, st));
                    if st >= e.1 {
                        *e = (*vote, st);
                    }
                }
            }
            Payload::ImportConversation {
                phase,
                source,
                statements,
                votes,
            } => {
                staff()?;
                let p = Self::refer(&self.phases, phase, all, "phase")?;
                if p.kind != PhaseKind::Conversation {
                    return Err(reject(bad_ref("imports belong to a conversation phase")));
                }
                text_ok(source, limits::TITLE, true).map_err(reject)?;
                for s in statements {
                    text_ok(&s.text, limits::STATEMENT * 4, false).map_err(reject)?;
                }
                if votes.iter().any(|v| !(-1..=1).contains(&v.vote)) {
                    return Err(reject(invalid("a vote is 1, -1 or 0")));
                }
                let c = self.conversations.entry(*phase).or_default();
                if !c.sources.contains(source) {
                    c.sources.push(source.clone());
                }
                for s in statements {
                    if let Some(&i) = c.keys.get(&s.key) {
                        // Fill a statement an earlier batch's votes named.
                        let e = &mut c.statements[i];
                        if e.record.is_none() && e.author == Voice::Imported(String::new()) {
                            e.author = Voice::Imported(s.author.clone());
                            e.text = s.text.clone();
                            e.time_ms = s.time_ms;
                        }
                        continue;
                    }
                    c.keys.insert(s.key.clone(), c.statements.len());
                    c.statements.push(StatementEntry {
                        key: s.key.clone(),
                        record: None,
                        author: Voice::Imported(s.author.clone()),
                        text: s.text.clone(),
                        time_ms: s.time_ms,
                    });
                }
                for v in votes {
                    // A vote may name a statement of a later batch: keep
                    // it under the key until that batch arrives.
                    let i = match c.keys.get(&v.statement) {
                        Some(&i) => i,
                        None => {
                            c.keys.insert(v.statement.clone(), c.statements.len());
                            c.statements.push(StatementEntry {
                                key: v.statement.clone(),
                                record: None,
                                author: Voice::Imported(String::new()),
                                text: String::new(),
                                time_ms: 0,
                            });
                            c.statements.len() - 1
                        }
                    };
                    let e = c
                        .votes
                        .entry((Voice::Imported(v.participant.clone()), i))
                        .or_insert((v.vote, st));
                    if st >= e.1 {
                        *e = (v.vote, st);
                    }
                }
            }
            Payload::CreateProject { .. } => {
                return Err(reject(RejectReason::ForeignGenesis));
            }
            other => {
                debug_assert!(other.is_space_kind());
                return Err(reject(bad_ref("a space record in a project document")));
            }
        }
        Ok(())
    }

    fn check_ops(text: &Text, record: RecordId, ops: &[TextOp]) -> Result<(), RejectReason> {
        if ops.is_empty() {
            return Err(invalid("an edit with no change"));
        }
        let added: usize = ops
            .iter()
            .map(|op| match op {
                TextOp::Insert { text, .. } => text.chars().count(),
                TextOp::Delete { .. } => 0,
            })
            .sum();
        if text.len() + added > limits::PROPOSAL_TEXT {
            return Err(invalid(format!(
                "the text would exceed {} characters",
                limits::PROPOSAL_TEXT
            )));
        }
        text.check(record, ops)
            .map_err(|_| bad_ref("the edit names characters the text does not have"))
    }

    /// Fill in the record sets at each close's pinned heads.
    fn pin_closes(&mut self, doc: &Automerge) -> Result<(), DocumentError> {
        let closes: Vec<(RecordId, Vec<Head>)> = self
            .votes
            .iter()
            .filter_map(|(id, v)| v.close.as_ref().map(|c| (*id, c.heads.clone())))
            .chain(
                self.surveys
                    .iter()
                    .filter_map(|(id, s)| s.close.as_ref().map(|c| (*id, c.heads.clone()))),
            )
            .collect();
        for (id, heads) in closes {
            let present = raw_records_at(doc, &heads)?.map(|raw| {
                raw.iter()
                    .map(|b| RecordId::of_bytes(b))
                    .collect::<HashSet<_>>()
            });
            self.pinned.insert(id, present);
        }
        Ok(())
    }

    /// The latest counted revision per member among `revisions`, limited to
    /// `within` when given. Sorted by member for a stable order.
    fn latest_per_member(
        revisions: &[(MemberId, Stamp, RecordId)],
        within: Option<&HashSet<RecordId>>,
    ) -> Vec<(MemberId, RecordId)> {
        let mut best: HashMap<MemberId, (Stamp, RecordId)> = HashMap::new();
        for (m, st, id) in revisions {
            if within.is_some_and(|w| !w.contains(id)) {
                continue;
            }
            let e = best.entry(*m).or_insert((*st, *id));
            if *st > e.0 {
                *e = (*st, *id);
            }
        }
        let mut out: Vec<(MemberId, RecordId)> =
            best.into_iter().map(|(m, (_, id))| (m, id)).collect();
        out.sort();
        out
    }
}

fn check_questions(questions: &[Question]) -> Result<(), RejectReason> {
    if questions.is_empty() || questions.len() > limits::QUESTIONS {
        return Err(invalid(format!(
            "a survey has 1 to {} questions",
            limits::QUESTIONS
        )));
    }
    for q in questions {
        text_ok(&q.prompt, limits::TITLE * 5, true)?;
        if let QuestionKind::SingleChoice { options }
        | QuestionKind::MultipleChoice { options }
        | QuestionKind::Ranking { options } = &q.kind
        {
            if options.len() < 2 || options.len() > limits::OPTIONS {
                return Err(invalid(format!(
                    "a choice question has 2 to {} options",
                    limits::OPTIONS
                )));
            }
            for o in options {
                text_ok(o, limits::OPTION, true)?;
            }
        }
    }
    Ok(())
}

// ------------------------------------------------------------------
// Read models: plain serde structs a screen or the CLI shows directly.
// ------------------------------------------------------------------

/// How to sort the idea list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdeaSort {
    /// Most supported first (then newest).
    Supports,
    /// Newest first.
    Newest,
}

/// An idea in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdeaCard {
    /// The `PostIdea` record.
    pub id: RecordId,
    /// Title.
    pub title: String,
    /// The first 200 characters of its text.
    pub excerpt: String,
    /// Who posted it.
    pub author: MemberId,
    /// Their name.
    pub author_name: String,
    /// Members supporting it now.
    pub supports: u64,
    /// Comments on it (visible ones).
    pub comments: u64,
    /// Whether the author retitled it.
    pub edited: bool,
    /// When posted (author's clock).
    pub time_ms: i64,
}

/// An amendment as the proposal page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentView {
    /// The `ProposeAmendment` record.
    pub id: RecordId,
    /// Who suggested it.
    pub author: MemberId,
    /// Their name.
    pub author_name: String,
    /// The text it removes.
    pub removes: String,
    /// The text it inserts.
    pub inserts: String,
    /// Why.
    pub reason: String,
    /// `None` while the author has not decided; else accepted or not.
    pub accepted: Option<bool>,
    /// When suggested.
    pub time_ms: i64,
}

/// An idea's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdeaDetail {
    /// The card.
    pub card: IdeaCard,
    /// The phase it was posted in.
    pub phase: RecordId,
    /// The co-written proposal text now.
    pub text: String,
    /// Members who may edit the text besides the author.
    pub coauthors: Vec<MemberId>,
    /// Suggested amendments, oldest first.
    pub amendments: Vec<AmendmentView>,
    /// The comment thread.
    pub comments: Vec<CommentNode>,
    /// Stances of its comments.
    pub stances: StanceCounts,
    /// Whether the current member supports it (filled per viewer).
    pub supporters: Vec<MemberId>,
}

/// A vote and its tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteView {
    /// The `OpenVote` record.
    pub id: RecordId,
    /// The phase.
    pub phase: RecordId,
    /// The question.
    pub title: String,
    /// The method.
    pub method: VoteMethod,
    /// The options.
    pub options: Vec<String>,
    /// Whether staff closed it.
    pub closed: bool,
    /// Who closed it and when (their clock).
    pub closed_by: Option<(MemberId, i64)>,
    /// Counted ballots (one per member).
    pub ballots: u64,
    /// The tally: live while open, final once closed. `None` when closed
    /// but the pinned changes have not arrived on this device yet.
    pub tally: Option<TallyResult>,
    /// When opened.
    pub time_ms: i64,
}

/// A survey and its aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyView {
    /// The `CreateSurvey` record.
    pub id: RecordId,
    /// The phase.
    pub phase: RecordId,
    /// Title.
    pub title: String,
    /// The questions.
    pub questions: Vec<Question>,
    /// Whether staff closed it.
    pub closed: bool,
    /// Who closed it and when (their clock).
    pub closed_by: Option<(MemberId, i64)>,
    /// Members who answered (counted).
    pub respondents: u64,
    /// Aggregates per question; `None` when closed but the pinned changes
    /// have not arrived yet.
    pub results: Option<Vec<QuestionResult>>,
}

/// A progress post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    /// The `PublishPost` record.
    pub id: RecordId,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Author.
    pub author: MemberId,
    /// Author's name.
    pub author_name: String,
    /// Whether edited.
    pub edited: bool,
    /// When published.
    pub time_ms: i64,
}

/// A milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneView {
    /// The `AddMilestone` record.
    pub id: RecordId,
    /// Title.
    pub title: String,
    /// Planned date.
    pub due: Option<String>,
    /// Progress, 0-100.
    pub percent: u8,
}

/// What a moderation record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModerationAction {
    /// A member reported it.
    Report,
    /// Staff hid it.
    Hide,
    /// Staff restored it.
    Restore,
}

/// One line of the moderation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationEntry {
    /// The moderation record.
    pub record: RecordId,
    /// What it did.
    pub action: ModerationAction,
    /// On what.
    pub target: RecordId,
    /// Who.
    pub by: MemberId,
    /// Their name.
    pub by_name: String,
    /// Why.
    pub reason: String,
    /// When (their clock).
    pub time_ms: i64,
}

/// One entry of the project timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TimelineEntry {
    /// A phase, in process order.
    Phase {
        /// The phase.
        phase: PhaseView,
    },
    /// A milestone.
    Milestone {
        /// The milestone.
        milestone: MilestoneView,
    },
    /// A post.
    Post {
        /// The post.
        post: PostView,
    },
}

/// A project's front page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectOverview {
    /// The project document.
    pub id: DocId,
    /// Its space.
    pub space: DocId,
    /// Title.
    pub title: String,
    /// The brief.
    pub description: String,
    /// Who created it.
    pub created_by: MemberId,
    /// When (their clock).
    pub created_ms: i64,
    /// Phases in process order.
    pub phases: Vec<PhaseView>,
    /// The first open phase.
    pub current_phase: Option<RecordId>,
    /// Visible ideas.
    pub ideas: u64,
    /// Visible comments.
    pub comments: u64,
    /// Members who wrote, supported, answered or voted.
    pub participants: u64,
    /// Records that do not count.
    pub rejected: u64,
    /// Records waiting for their dependencies.
    pub pending: u64,
}

impl ProjectState {
    fn name(space: &SpaceState, m: &MemberId) -> String {
        space.display_name(m).unwrap_or_else(|| m.short())
    }

    fn is_hidden(&self, id: &RecordId) -> Option<&str> {
        self.hidden
            .get(id)
            .filter(|(h, _, _)| *h)
            .map(|(_, reason, _)| reason.as_str())
    }

    /// The conversation phases that have statements or votes.
    pub fn conversation_phases(&self) -> Vec<RecordId> {
        let mut v: Vec<RecordId> = self
            .phases()
            .into_iter()
            .filter(|p| p.kind == PhaseKind::Conversation)
            .map(|p| p.id)
            .collect();
        v.dedup();
        v
    }

    fn voice_id(v: &Voice) -> String {
        match v {
            Voice::Member(m) => m.to_string(),
            Voice::Imported(id) => id.clone(),
        }
    }

    /// A conversation phase's statements with their counts.
    pub fn conversation(&self, space: &SpaceState, phase: &RecordId) -> Option<ConversationView> {
        let view = self.phase(phase)?;
        if view.kind != PhaseKind::Conversation {
            return None;
        }
        let empty = ConversationEntry::default();
        let c = self.conversations.get(phase).unwrap_or(&empty);
        let mut counts = vec![[0u32; 3]; c.statements.len()];
        let mut voices = HashSet::new();
        for ((who, i), (v, _)) in &c.votes {
            let slot = match v {
                1 => 0,
                -1 => 1,
                _ => 2,
            };
            counts[*i][slot] += 1;
            voices.insert(who.clone());
        }
        let statements = c
            .statements
            .iter()
            .zip(&counts)
            .filter(|(st, _)| !(st.record.is_none() && st.author == Voice::Imported(String::new())))
            .map(|(st, n)| StatementView {
                key: st.key.clone(),
                record: st.record,
                text: st.text.clone(),
                author_id: Self::voice_id(&st.author),
                author: match &st.author {
                    Voice::Member(m) => Self::name(space, m),
                    Voice::Imported(id) => id.clone(),
                },
                imported: st.record.is_none(),
                agree: n[0],
                disagree: n[1],
                pass: n[2],
                hidden: st.record.is_some_and(|r| self.is_hidden(&r).is_some()),
                time_ms: st.time_ms,
            })
            .collect();
        Some(ConversationView {
            phase: *phase,
            title: view.title,
            sources: c.sources.clone(),
            statements,
            participants: voices.len(),
            votes: c.votes.len(),
        })
    }

    /// A conversation phase's votes for [`crate::insight::analyse`]: hidden
    /// statements left out; participants are member ids or imported ids.
    pub fn conversation_votes(&self, phase: &RecordId) -> Option<crate::insight::Conversation> {
        let c = self.conversations.get(phase)?;
        let shown: Vec<usize> = (0..c.statements.len())
            .filter(|&i| {
                let st = &c.statements[i];
                let placeholder =
                    st.record.is_none() && st.author == Voice::Imported(String::new());
                !placeholder && st.record.is_none_or(|r| self.is_hidden(&r).is_none())
            })
            .collect();
        let mut column = vec![u32::MAX; c.statements.len()];
        for (col, &i) in shown.iter().enumerate() {
            column[i] = col as u32;
        }
        let mut voices: Vec<&Voice> = c.votes.keys().map(|(v, _)| v).collect();
        // Members, then imported ids in natural order ("2" before "10"), so
        // an import analyses in the order of its export.
        voices.sort_by(|a, b| match (a, b) {
            (Voice::Imported(x), Voice::Imported(y)) => (x.len(), x).cmp(&(y.len(), y)),
            _ => a.cmp(b),
        });
        voices.dedup();
        let index: HashMap<&Voice, usize> =
            voices.iter().enumerate().map(|(i, v)| (*v, i)).collect();
        let mut votes = vec![Vec::new(); voices.len()];
        for ((who, i), (v, _)) in &c.votes {
            if column[*i] != u32::MAX {
                votes[index[who]].push((column[*i], *v));
            }
        }
        votes.iter_mut().for_each(|v| v.sort_unstable());
        Some(crate::insight::Conversation {
            participants: voices.iter().map(|v| Self::voice_id(v)).collect(),
            statements: shown.iter().map(|&i| c.statements[i].key.clone()).collect(),
            votes,
        })
    }

    /// Everything residents wrote that is not hidden (ideas with their
    /// text, comments, statements), for topics and summaries. Ids are
    /// record ids, or imported ids for imported statements.
    pub fn writings(&self) -> Vec<crate::topics::Post> {
        let mut out: Vec<(i64, crate::topics::Post)> = Vec::new();
        for (id, i) in &self.ideas {
            if self.is_hidden(id).is_none() {
                let text = format!("{}\n{}", i.title.0, i.text.to_text());
                out.push((
                    i.time_ms,
                    crate::topics::Post {
                        id: id.to_string(),
                        text,
                    },
                ));
            }
        }
        for (id, c) in &self.comments {
            if self.is_hidden(id).is_none() {
                out.push((
                    c.time_ms,
                    crate::topics::Post {
                        id: id.to_string(),
                        text: c.text.0.clone(),
                    },
                ));
            }
        }
        for c in self.conversations.values() {
            for st in &c.statements {
                let hidden = st.record.is_some_and(|r| self.is_hidden(&r).is_some());
                if !hidden && !st.text.is_empty() {
                    out.push((
                        st.time_ms,
                        crate::topics::Post {
                            id: st.key.clone(),
                            text: st.text.clone(),
                        },
                    ));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
        out.into_iter().map(|(_, p)| p).collect()
    }

    /// The idea a record is or belongs to: an idea itself, or the idea a
    /// comment (or a reply, at any depth) is on.
    pub fn idea_of(&self, record: &RecordId) -> Option<RecordId> {
        let mut at = *record;
        // Comments target ideas, the project, or (for replies) the thread's
        // target; a bounded walk, whatever the data.
        for _ in 0..64 {
            if self.ideas.contains_key(&at) {
                return Some(at);
            }
            at = self.comments.get(&at)?.target;
        }
        None
    }

    /// A member's votes in a conversation phase, by statement key.
    pub fn my_statement_votes(&self, phase: &RecordId, member: &MemberId) -> HashMap<String, i8> {
        let Some(c) = self.conversations.get(phase) else {
            return HashMap::new();
        };
        c.votes
            .iter()
            .filter(|((who, _), _)| *who == Voice::Member(*member))
            .map(|((_, i), (v, _))| (c.statements[*i].key.clone(), *v))
            .collect()
    }

    /// The project document's id.
    pub fn id(&self) -> DocId {
        self.id
    }

    /// Its space.
    pub fn space(&self) -> DocId {
        self.space
    }

    /// The founding record (the target of project-level comments).
    pub fn genesis(&self) -> RecordId {
        self.genesis
    }

    /// The largest lamport seen (a new record takes one more).
    pub fn max_lamport(&self) -> u64 {
        self.max_lamport
    }

    /// A valid record by id.
    pub fn record(&self, id: &RecordId) -> Option<&SignedRecord> {
        self.valid
            .contains(id)
            .then(|| self.verified.get(id))
            .flatten()
    }

    /// Phases in process order (removed ones left out).
    pub fn phases(&self) -> Vec<PhaseView> {
        let mut v: Vec<PhaseView> = self
            .phases
            .iter()
            .filter(|(_, p)| !p.removed)
            .map(|(id, p)| PhaseView {
                id: *id,
                kind: p.kind,
                title: p.title.clone(),
                starts: p.starts.clone(),
                ends: p.ends.clone(),
                state: p.state.0,
                position: p.position.0.clone(),
            })
            .collect();
        v.sort_by(|a, b| a.position.cmp(&b.position).then(a.id.cmp(&b.id)));
        v
    }

    /// The first open phase of `kind`, if any.
    pub fn open_phase(&self, kind: PhaseKind) -> Option<RecordId> {
        self.phases()
            .into_iter()
            .find(|p| p.kind == kind && p.state == PhaseState::Open)
            .map(|p| p.id)
    }

    /// Whether phase `id` exists and is open.
    pub fn phase(&self, id: &RecordId) -> Option<PhaseView> {
        self.phases().into_iter().find(|p| p.id == *id)
    }

    /// The front page.
    pub fn overview(&self) -> ProjectOverview {
        let phases = self.phases();
        let current_phase = phases
            .iter()
            .find(|p| p.state == PhaseState::Open)
            .map(|p| p.id);
        let mut participants: HashSet<MemberId> = HashSet::new();
        for r in self.valid.iter().filter_map(|id| self.verified.get(id)) {
            if matches!(
                r.body.payload,
                Payload::PostIdea { .. }
                    | Payload::Comment { .. }
                    | Payload::Support { support: true, .. }
                    | Payload::AnswerSurvey { .. }
                    | Payload::CastBallot { .. }
                    | Payload::ProposeAmendment { .. }
            ) {
                participants.insert(r.body.author);
            }
        }
        ProjectOverview {
            id: self.id,
            space: self.space,
            title: self.title.0.clone(),
            description: self.description.clone(),
            created_by: self.created_by,
            created_ms: self.created_ms,
            phases,
            current_phase,
            ideas: self
                .ideas
                .keys()
                .filter(|id| self.is_hidden(id).is_none())
                .count() as u64,
            comments: self
                .comments
                .keys()
                .filter(|id| self.is_hidden(id).is_none())
                .count() as u64,
            participants: participants.len() as u64,
            rejected: self.rejected.len() as u64,
            pending: self.pending.len() as u64,
        }
    }

    fn card(
        &self,
        space: &SpaceState,
        id: &RecordId,
        idea: &IdeaEntry,
        comment_counts: &HashMap<RecordId, u64>,
    ) -> IdeaCard {
        let text = idea.text.to_text();
        IdeaCard {
            id: *id,
            title: idea.title.0.clone(),
            excerpt: text.chars().take(200).collect(),
            author: idea.author,
            author_name: Self::name(space, &idea.author),
            supports: idea.supports.values().filter(|(s, _)| *s).count() as u64,
            comments: comment_counts.get(id).copied().unwrap_or(0),
            edited: idea.edited,
            time_ms: idea.time_ms,
        }
    }

    fn comment_counts(&self) -> HashMap<RecordId, u64> {
        let mut counts = HashMap::new();
        for (id, c) in &self.comments {
            if self.is_hidden(id).is_none() {
                *counts.entry(c.target).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Visible ideas, sorted.
    pub fn ideas(&self, space: &SpaceState, sort: IdeaSort) -> Vec<IdeaCard> {
        let counts = self.comment_counts();
        let mut cards: Vec<IdeaCard> = self
            .ideas
            .iter()
            .filter(|(id, _)| self.is_hidden(id).is_none())
            .map(|(id, i)| self.card(space, id, i, &counts))
            .collect();
        match sort {
            IdeaSort::Supports => cards.sort_by(|a, b| {
                b.supports
                    .cmp(&a.supports)
                    .then(b.time_ms.cmp(&a.time_ms))
                    .then(a.id.cmp(&b.id))
            }),
            IdeaSort::Newest => {
                cards.sort_by(|a, b| b.time_ms.cmp(&a.time_ms).then(a.id.cmp(&b.id)))
            }
        }
        cards
    }

    /// An idea's page; `None` if unknown or hidden.
    pub fn idea(&self, space: &SpaceState, id: &RecordId) -> Option<IdeaDetail> {
        let idea = self.ideas.get(id)?;
        if self.is_hidden(id).is_some() {
            return None;
        }
        let counts = self.comment_counts();
        let comments = self.comment_tree(space, id);
        let mut stances = StanceCounts::default();
        for (cid, c) in &self.comments {
            if c.target == *id && self.is_hidden(cid).is_none() {
                match c.stance {
                    Stance::For => stances.for_ += 1,
                    Stance::Against => stances.against += 1,
                    Stance::Neutral => stances.neutral += 1,
                }
            }
        }
        let mut amendments: Vec<AmendmentView> = idea
            .amendments
            .iter()
            .filter(|a| self.is_hidden(a).is_none())
            .filter_map(|a| {
                let e = self.amendments.get(a)?;
                Some(AmendmentView {
                    id: *a,
                    author: e.author,
                    author_name: Self::name(space, &e.author),
                    removes: e.removes.clone(),
                    inserts: e.inserts.clone(),
                    reason: e.reason.clone(),
                    accepted: e.decision,
                    time_ms: e.time_ms,
                })
            })
            .collect();
        amendments.sort_by(|a, b| a.time_ms.cmp(&b.time_ms).then(a.id.cmp(&b.id)));
        let mut supporters: Vec<MemberId> = idea
            .supports
            .iter()
            .filter(|(_, (s, _))| *s)
            .map(|(m, _)| *m)
            .collect();
        supporters.sort();
        let mut coauthors = idea.coauthors.clone();
        coauthors.sort();
        Some(IdeaDetail {
            card: self.card(space, id, idea, &counts),
            phase: idea.phase,
            text: idea.text.to_text(),
            coauthors,
            amendments,
            comments,
            stances,
            supporters,
        })
    }

    /// Whether `member` supports `idea` now (cheap, for lists).
    pub fn supports(&self, idea: &RecordId, member: &MemberId) -> bool {
        self.ideas
            .get(idea)
            .and_then(|i| i.supports.get(member))
            .is_some_and(|(s, _)| *s)
    }

    /// The comment thread on `target` (the project genesis, a phase, an idea
    /// or a post). Hidden comments keep their place with no text.
    pub fn comment_tree(&self, space: &SpaceState, target: &RecordId) -> Vec<CommentNode> {
        let mut children: HashMap<Option<RecordId>, Vec<RecordId>> = HashMap::new();
        for (id, c) in &self.comments {
            if c.target == *target {
                children.entry(c.reply_to).or_default().push(*id);
            }
        }
        for list in children.values_mut() {
            list.sort_by_key(|id| (self.comments[id].time_ms, *id));
        }
        // Build bottom-up without recursion (threads can be deep).
        let mut order: Vec<RecordId> = Vec::new();
        let mut stack: Vec<RecordId> = children.get(&None).cloned().unwrap_or_default();
        while let Some(id) = stack.pop() {
            order.push(id);
            if let Some(kids) = children.get(&Some(id)) {
                stack.extend(kids.iter().copied());
            }
        }
        let mut built: HashMap<RecordId, CommentNode> = HashMap::new();
        for id in order.iter().rev() {
            let c = &self.comments[id];
            let replies = children
                .get(&Some(*id))
                .map(|kids| kids.iter().filter_map(|k| built.remove(k)).collect())
                .unwrap_or_default();
            let hidden = self.is_hidden(id).map(str::to_string);
            built.insert(
                *id,
                CommentNode {
                    id: *id,
                    author: c.author,
                    author_name: Self::name(space, &c.author),
                    stance: c.stance,
                    text: hidden.is_none().then(|| c.text.0.clone()),
                    hidden_reason: hidden,
                    official: c.official,
                    edited: c.edited,
                    time_ms: c.time_ms,
                    replies,
                },
            );
        }
        children
            .get(&None)
            .map(|roots| roots.iter().filter_map(|r| built.remove(r)).collect())
            .unwrap_or_default()
    }

    /// The counted ballots of a vote: live, or within the close pin.
    fn counted_ballots(&self, id: &RecordId, v: &VoteEntry) -> Option<Vec<BallotChoice>> {
        let within = match &v.close {
            Some(_) => Some(self.pinned.get(id).cloned().flatten()?),
            None => None,
        };
        Some(
            Self::latest_per_member(&v.ballots, within.as_ref())
                .into_iter()
                .filter_map(|(_, rid)| match &self.record(&rid)?.body.payload {
                    Payload::CastBallot { choice, .. } => Some(choice.clone()),
                    _ => None,
                })
                .collect(),
        )
    }

    /// A vote with its tally.
    pub fn vote(&self, id: &RecordId) -> Option<VoteView> {
        let v = self.votes.get(id)?;
        let ballots = self.counted_ballots(id, v);
        Some(VoteView {
            id: *id,
            phase: v.phase,
            title: v.title.clone(),
            method: v.method,
            options: v.options.clone(),
            closed: v.close.is_some(),
            closed_by: v.close.as_ref().map(|c| (c.by, c.time_ms)),
            ballots: ballots.as_ref().map_or(0, |b| b.len() as u64),
            tally: ballots.map(|b| tally(v.method, v.options.len(), &b)),
            time_ms: v.time_ms,
        })
    }

    /// All votes, oldest first.
    pub fn votes(&self) -> Vec<VoteView> {
        let mut ids: Vec<&RecordId> = self.votes.keys().collect();
        ids.sort_by_key(|id| (self.votes[*id].time_ms, **id));
        ids.into_iter().filter_map(|id| self.vote(id)).collect()
    }

    /// The ballot `member` counts with now, if any (for "your vote").
    pub fn my_ballot(&self, vote: &RecordId, member: &MemberId) -> Option<BallotChoice> {
        let v = self.votes.get(vote)?;
        match &self.latest_of(&v.ballots, member)?.body.payload {
            Payload::CastBallot { choice, .. } => Some(choice.clone()),
            _ => None,
        }
    }

    /// `member`'s latest revision among `revisions` (the one that counts).
    fn latest_of(
        &self,
        revisions: &[(MemberId, Stamp, RecordId)],
        member: &MemberId,
    ) -> Option<&SignedRecord> {
        let mine: Vec<_> = revisions
            .iter()
            .filter(|(m, _, _)| m == member)
            .cloned()
            .collect();
        let (_, rid) = Self::latest_per_member(&mine, None).into_iter().next()?;
        self.record(&rid)
    }

    /// The answers `member` counts with now in a survey, if any (for "your
    /// answers"; the latest revision, as the aggregate counts it while the
    /// survey is open).
    pub fn my_answers(&self, survey: &RecordId, member: &MemberId) -> Option<Vec<Answer>> {
        let s = self.surveys.get(survey)?;
        match &self.latest_of(&s.answers, member)?.body.payload {
            Payload::AnswerSurvey { answers, .. } => Some(answers.clone()),
            _ => None,
        }
    }

    /// A survey with its aggregate.
    pub fn survey(&self, id: &RecordId) -> Option<SurveyView> {
        let s = self.surveys.get(id)?;
        let within = match &s.close {
            Some(_) => self.pinned.get(id).cloned().flatten().map(Some),
            None => Some(None),
        };
        let sets: Option<Vec<Vec<Answer>>> = within.map(|w| {
            Self::latest_per_member(&s.answers, w.as_ref())
                .into_iter()
                .filter_map(|(_, rid)| match &self.record(&rid)?.body.payload {
                    Payload::AnswerSurvey { answers, .. } => Some(answers.clone()),
                    _ => None,
                })
                .collect()
        });
        Some(SurveyView {
            id: *id,
            phase: s.phase,
            title: s.title.clone(),
            questions: s.questions.clone(),
            closed: s.close.is_some(),
            closed_by: s.close.as_ref().map(|c| (c.by, c.time_ms)),
            respondents: sets.as_ref().map_or(0, |v| v.len() as u64),
            results: sets.map(|v| {
                let refs: Vec<&[Answer]> = v.iter().map(Vec::as_slice).collect();
                aggregate(&s.questions, &refs)
            }),
        })
    }

    /// All surveys, by id.
    pub fn surveys(&self) -> Vec<SurveyView> {
        let mut ids: Vec<&RecordId> = self.surveys.keys().collect();
        ids.sort();
        ids.into_iter().filter_map(|id| self.survey(id)).collect()
    }

    /// Whether a vote or survey is closed.
    pub fn is_closed(&self, id: &RecordId) -> bool {
        self.votes.get(id).is_some_and(|v| v.close.is_some())
            || self.surveys.get(id).is_some_and(|s| s.close.is_some())
    }

    /// Posts, newest first.
    pub fn posts(&self, space: &SpaceState) -> Vec<PostView> {
        let mut v: Vec<PostView> = self
            .posts
            .iter()
            .filter(|(id, _)| self.is_hidden(id).is_none())
            .map(|(id, p)| PostView {
                id: *id,
                title: p.title.clone(),
                body: p.body.clone(),
                author: p.author,
                author_name: Self::name(space, &p.author),
                edited: p.edited,
                time_ms: p.time_ms,
            })
            .collect();
        v.sort_by(|a, b| b.time_ms.cmp(&a.time_ms).then(a.id.cmp(&b.id)));
        v
    }

    /// Milestones, in the order they were added.
    pub fn milestones(&self) -> Vec<MilestoneView> {
        let mut v: Vec<(i64, MilestoneView)> = self
            .milestones
            .iter()
            .map(|(id, m)| {
                (
                    m.time_ms,
                    MilestoneView {
                        id: *id,
                        title: m.title.clone(),
                        due: m.due.clone(),
                        percent: m.percent.0,
                    },
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
        v.into_iter().map(|(_, m)| m).collect()
    }

    /// The timeline: phases in process order, then milestones, then posts
    /// newest first.
    pub fn timeline(&self, space: &SpaceState) -> Vec<TimelineEntry> {
        self.phases()
            .into_iter()
            .map(|phase| TimelineEntry::Phase { phase })
            .chain(
                self.milestones()
                    .into_iter()
                    .map(|milestone| TimelineEntry::Milestone { milestone }),
            )
            .chain(
                self.posts(space)
                    .into_iter()
                    .map(|post| TimelineEntry::Post { post }),
            )
            .collect()
    }

    /// The moderation log, oldest first.
    pub fn moderation_log(&self, space: &SpaceState) -> Vec<ModerationEntry> {
        let mut log: Vec<ModerationEntry> = self
            .moderation
            .iter()
            .map(|e| ModerationEntry {
                by_name: Self::name(space, &e.by),
                ..e.clone()
            })
            .collect();
        log.sort_by(|a, b| a.time_ms.cmp(&b.time_ms).then(a.record.cmp(&b.record)));
        log
    }

    /// Records that do not count, with why (for staff).
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }

    /// Records waiting for dependencies that have not arrived.
    pub fn pending(&self) -> &[RecordId] {
        &self.pending
    }

    /// Everything a replica shows, for comparing replicas and for `show`.
    pub fn snapshot(&self, space: &SpaceState) -> ProjectSnapshot {
        let ideas = self.ideas(space, IdeaSort::Newest);
        let details = ideas
            .iter()
            .filter_map(|c| self.idea(space, &c.id))
            .collect();
        ProjectSnapshot {
            overview: self.overview(),
            ideas: details,
            discussion: self.comment_tree(space, &self.genesis),
            votes: self.votes(),
            surveys: self.surveys(),
            timeline: self.timeline(space),
            moderation: self.moderation_log(space),
            rejected: self.rejected.clone(),
        }
    }
}

/// The whole project as one read model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectSnapshot {
    /// Front page.
    pub overview: ProjectOverview,
    /// Every visible idea with its page.
    pub ideas: Vec<IdeaDetail>,
    /// Comments on the project itself.
    pub discussion: Vec<CommentNode>,
    /// Votes with tallies.
    pub votes: Vec<VoteView>,
    /// Surveys with results.
    pub surveys: Vec<SurveyView>,
    /// Timeline.
    pub timeline: Vec<TimelineEntry>,
    /// Moderation log.
    pub moderation: Vec<ModerationEntry>,
    /// Records that do not count.
    pub rejected: Vec<Rejected>,
}

impl ProjectState {
    /// The co-written text of an idea (for commands that diff against it).
    pub fn text_of(&self, idea: &RecordId) -> Option<&Text> {
        self.ideas.get(idea).map(|i| &i.text)
    }
}

/// A conversation phase as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationView {
    /// The phase.
    pub phase: RecordId,
    /// Its title.
    pub title: String,
    /// Where imported data came from.
    pub sources: Vec<String>,
    /// Statements, in the order they arrived.
    pub statements: Vec<StatementView>,
    /// People who voted.
    pub participants: usize,
    /// Votes (the latest per person and statement).
    pub votes: usize,
}

/// One statement in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementView {
    /// Its key: the record id, or the imported id.
    pub key: String,
    /// The record, for statements written here.
    pub record: Option<RecordId>,
    /// The text.
    pub text: String,
    /// Who wrote it (display name, or the imported id).
    pub author: String,
    /// The author's member id, or imported id.
    pub author_id: String,
    /// Brought in from another system.
    pub imported: bool,
    /// Agree votes.
    pub agree: u32,
    /// Disagree votes.
    pub disagree: u32,
    /// Passes.
    pub pass: u32,
    /// Hidden by staff (left out of the analysis).
    pub hidden: bool,
    /// When written.
    pub time_ms: i64,
}
