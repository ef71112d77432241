//! The space: who is a member, with which role, at any point of history.
//!
//! A space document holds space records (see [`crate::record::Payload`]).
//! Each names the space records its author had seen (`space_deps`);
//! [`SpaceState`] orders them causally ([`CausalGraph`]) and judges each
//! against the membership *at its deps*, so that:
//! - a revocation rejects only records made causally after it;
//! - a join concurrent with the withdrawal of its invitation does not
//!   admit (staff may approve it); one the withdrawal followed stands;
//! - a demoted staff member's earlier staff actions stay valid;
//! - two devices that claim a single-use invitation offline are ordered by
//!   record id: the lower id is admitted, the other waits for staff approval
//!   ([`Payload::ApproveJoin`]);
//! - when events about one member are concurrent, the most restrictive wins.
//!
//! Project records are judged the same way through [`SpaceState::role_at`].

use std::collections::HashMap;

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use crate::causal::{BitSet, CausalGraph};
use crate::document::{check_header, raw_records, DocKind};
use crate::error::DocumentError;
use crate::id::{DocId, MemberId, RecordId};
use crate::key::verify;
use crate::record::{Payload, SignedRecord};
use crate::verdict::{rejected, RecordSet, RejectReason, Rejected};

/// Domain separation for the proof that a joiner holds the invitation key.
pub const JOIN_DOMAIN: &[u8] = b"yoriai-join-v1\0";

/// A member's role. Ordered: a higher role can do what a lower one can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reads, proposes, comments, answers and votes.
    Resident,
    /// Runs projects: phases, surveys, votes, moderation, invitations.
    Staff,
    /// Everything staff can, and changes roles.
    Admin,
}

impl Role {
    /// Its name, as in the translation files and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "resident" => Ok(Role::Resident),
            "staff" => Ok(Role::Staff),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role '{other}' (expected resident, staff or admin)"
            )),
        }
    }
}

/// The message an invitation key signs to admit `member`.
pub fn join_proof_message(space: DocId, invitation: RecordId, member: MemberId) -> Vec<u8> {
    let mut m = Vec::with_capacity(JOIN_DOMAIN.len() + 16 + 32 + 32);
    m.extend_from_slice(JOIN_DOMAIN);
    m.extend_from_slice(&space.0);
    m.extend_from_slice(&invitation.0);
    m.extend_from_slice(&member.0);
    m
}

/// One event that changes a member's standing.
#[derive(Debug, Clone, Copy)]
enum MemberEvent {
    /// Founded the space (admin).
    Founded,
    /// A join; admits only if it wins its invitation's uses (or is approved).
    Join { invitation: usize },
    /// A join approved by staff; admits with the invitation's role.
    Approved { join: usize },
    /// Role set by an admin.
    SetRole(Role),
    /// Removed.
    Revoked,
}

/// A space, judged: the basis of every membership and role question.
#[derive(Debug, Clone)]
pub struct SpaceState {
    id: DocId,
    graph: CausalGraph,
    /// Records in graph order.
    records: Vec<SignedRecord>,
    valid: Vec<bool>,
    events: HashMap<MemberId, Vec<(usize, MemberEvent)>>,
    /// Valid joins per invitation position, by ascending record id.
    joins: HashMap<usize, Vec<usize>>,
    /// Valid revocations of each invitation (positions).
    invitation_revocations: HashMap<usize, Vec<usize>>,
    rejected: Vec<Rejected>,
    all: BitSet,
}

impl SpaceState {
    /// Judge the space document `doc` whose id is `id`.
    pub fn from_doc(doc: &Automerge, id: DocId) -> Result<Self, DocumentError> {
        check_header(doc, DocKind::Space)?;
        let raw = raw_records(doc)?;
        Ok(Self::from_records(RecordSet::decode(&raw, Some(id)), id))
    }

    /// Judge already decoded records of space `id`.
    pub fn from_records(set: RecordSet, id: DocId) -> Self {
        let mut rejected_list = set.rejected;
        let nodes: Vec<_> = set
            .records
            .iter()
            .map(|r| (r.id, r.body.lamport, r.body.space_deps.clone()))
            .collect();
        let graph = CausalGraph::build(&nodes);
        let mut by_id: HashMap<RecordId, SignedRecord> =
            set.records.into_iter().map(|r| (r.id, r)).collect();
        let records: Vec<SignedRecord> = graph
            .order
            .iter()
            .filter_map(|id| by_id.remove(id))
            .collect();
        let n = records.len();
        let mut state = SpaceState {
            id,
            graph,
            records,
            valid: vec![false; n],
            events: HashMap::new(),
            joins: HashMap::new(),
            invitation_revocations: HashMap::new(),
            rejected: Vec::new(),
            all: BitSet::with_len(n),
        };
        for pos in 0..n {
            match state.judge(pos) {
                Ok(()) => {
                    state.valid[pos] = true;
                    state.all.insert(pos);
                    state.record_effects(pos);
                }
                Err(reason) => {
                    rejected_list.push(rejected(&state.records[pos], reason));
                }
            }
        }
        state.rejected = rejected_list;
        state
    }

    fn judge(&self, pos: usize) -> Result<(), RejectReason> {
        let record = &self.records[pos];
        let body = &record.body;
        if let Payload::CreateSpace { .. } = body.payload {
            return if body.doc.is_none() && self.id.is_certified_by(&record.id) {
                Ok(())
            } else {
                Err(RejectReason::ForeignGenesis)
            };
        }
        if body.doc != Some(self.id) {
            return Err(RejectReason::WrongDocument);
        }
        if !body.payload.is_space_kind() {
            return Err(RejectReason::BadReference {
                detail: "a project record in a space document".into(),
            });
        }
        if body.space_deps.is_empty() {
            return Err(RejectReason::BadReference {
                detail: "names no earlier space record".into(),
            });
        }
        // The view at the record: its ancestors, without itself.
        let mut view = self.graph.closure[pos].clone();
        view.remove(pos);
        let author_role = self.role_in(&body.author, &view);
        let need = |needed: Role| -> Result<(), RejectReason> {
            match author_role {
                None => Err(RejectReason::NotMember),
                Some(r) if r >= needed => Ok(()),
                Some(_) => Err(RejectReason::Forbidden {
                    needed: needed.name().into(),
                }),
            }
        };
        match &body.payload {
            Payload::Invite { role, .. } => {
                need(Role::Staff)?;
                if *role == Role::Admin {
                    need(Role::Admin)?;
                }
                Ok(())
            }
            Payload::RevokeInvitation { invitation } => {
                need(Role::Staff)?;
                self.find_in_view(invitation, &view, |p| matches!(p, Payload::Invite { .. }))
                    .map(|_| ())
            }
            Payload::Join {
                invitation, proof, ..
            } => {
                if author_role.is_some() {
                    return Err(RejectReason::Invalid {
                        detail: "already a member".into(),
                    });
                }
                let inv = self
                    .find_in_view(invitation, &view, |p| matches!(p, Payload::Invite { .. }))
                    .map_err(|_| RejectReason::InvalidInvitation {
                        detail: "the invitation is not among the records the join names".into(),
                    })?;
                if self.invitation_revoked_in(inv, &view) {
                    return Err(RejectReason::InvalidInvitation {
                        detail: "the invitation was revoked".into(),
                    });
                }
                let Payload::Invite { invite_key, .. } = &self.records[inv].body.payload else {
                    return Err(RejectReason::InvalidInvitation {
                        detail: "not an invitation".into(),
                    });
                };
                let message = join_proof_message(self.id, *invitation, body.author);
                if verify(invite_key, &message, &proof.0) {
                    Ok(())
                } else {
                    Err(RejectReason::InvalidInvitation {
                        detail: "the joiner does not hold the invitation key".into(),
                    })
                }
            }
            Payload::ApproveJoin { join } => {
                need(Role::Staff)?;
                self.find_in_view(join, &view, |p| matches!(p, Payload::Join { .. }))
                    .map(|_| ())
            }
            Payload::SetRole { member, role } => {
                need(Role::Admin)?;
                let _ = role;
                if self.ever_admitted_in(member, &view) {
                    Ok(())
                } else {
                    Err(RejectReason::BadReference {
                        detail: "not a member of this space at that point".into(),
                    })
                }
            }
            Payload::RevokeMember { member, .. } => {
                let target = self.role_in(member, &view);
                match target {
                    None => Err(RejectReason::BadReference {
                        detail: "not a member at that point".into(),
                    }),
                    Some(Role::Resident) => need(Role::Staff),
                    Some(_) => need(Role::Admin),
                }
            }
            Payload::SetProfile { .. } => need(Role::Resident),
            Payload::ListProject { .. } => need(Role::Staff),
            _ => Err(RejectReason::BadReference {
                detail: "not a space record".into(),
            }),
        }
    }

    fn find_in_view(
        &self,
        id: &RecordId,
        view: &BitSet,
        kind: impl Fn(&Payload) -> bool,
    ) -> Result<usize, RejectReason> {
        match self.graph.position.get(id) {
            Some(&p)
                if view.contains(p) && self.valid[p] && kind(&self.records[p].body.payload) =>
            {
                Ok(p)
            }
            _ => Err(RejectReason::BadReference {
                detail: format!(
                    "record {} is not a valid record of the right kind it has seen",
                    id.short()
                ),
            }),
        }
    }

    fn invitation_revoked_in(&self, inv: usize, view: &BitSet) -> bool {
        let inv_id = self.records[inv].id;
        self.records.iter().enumerate().any(|(p, r)| {
            view.contains(p)
                && self.valid[p]
                && matches!(r.body.payload, Payload::RevokeInvitation { invitation } if invitation == inv_id)
        })
    }

    fn record_effects(&mut self, pos: usize) {
        let body = &self.records[pos].body;
        let author = body.author;
        match &body.payload {
            Payload::CreateSpace { .. } => {
                self.events
                    .entry(author)
                    .or_default()
                    .push((pos, MemberEvent::Founded));
            }
            Payload::Join { invitation, .. } => {
                let inv = self.graph.position[invitation];
                let joins = self.joins.entry(inv).or_default();
                joins.push(pos);
                let records = &self.records;
                joins.sort_by_key(|&p| records[p].id);
                self.events
                    .entry(author)
                    .or_default()
                    .push((pos, MemberEvent::Join { invitation: inv }));
            }
            Payload::RevokeInvitation { invitation } => {
                let inv = self.graph.position[invitation];
                self.invitation_revocations
                    .entry(inv)
                    .or_default()
                    .push(pos);
            }
            Payload::ApproveJoin { join } => {
                let jp = self.graph.position[join];
                let joiner = self.records[jp].body.author;
                self.events
                    .entry(joiner)
                    .or_default()
                    .push((pos, MemberEvent::Approved { join: jp }));
            }
            Payload::SetRole { member, role } => {
                self.events
                    .entry(*member)
                    .or_default()
                    .push((pos, MemberEvent::SetRole(*role)));
            }
            Payload::RevokeMember { member, .. } => {
                self.events
                    .entry(*member)
                    .or_default()
                    .push((pos, MemberEvent::Revoked));
            }
            _ => {}
        }
    }

    /// Whether a join at `join` admits its author in `view`: it is among the
    /// `max_uses` lowest-id joins of its invitation that `view` has seen.
    fn join_admits(&self, join: usize, invitation: usize, view: &BitSet) -> bool {
        let Payload::Invite { max_uses, .. } = self.records[invitation].body.payload else {
            return false;
        };
        // A revocation the join did not precede wins over it: a leaked link
        // stays useless after staff withdraw it, even for joins that name
        // only the invitation. Staff may still approve such a join.
        let revoked = self
            .invitation_revocations
            .get(&invitation)
            .is_some_and(|rs| {
                rs.iter()
                    .any(|&r| view.contains(r) && !self.graph.precedes_or_is(join, r))
            });
        if revoked {
            return false;
        }
        let Some(max) = max_uses else {
            return true;
        };
        let seen = self
            .joins
            .get(&invitation)
            .map(|js| {
                js.iter()
                    .filter(|&&p| view.contains(p))
                    .take(max as usize)
                    .any(|&p| p == join)
            })
            .unwrap_or(false);
        seen
    }

    fn invitation_role(&self, invitation: usize) -> Role {
        match self.records[invitation].body.payload {
            Payload::Invite { role, .. } => role,
            _ => Role::Resident,
        }
    }

    /// The role of `member` in `view` (`None`: not a member there).
    fn role_in(&self, member: &MemberId, view: &BitSet) -> Option<Role> {
        let events = self.events.get(member)?;
        let mut admitted = false;
        let mut effective: Vec<(usize, Option<Role>)> = Vec::with_capacity(events.len());
        for &(p, ev) in events.iter().filter(|(p, _)| view.contains(*p)) {
            let role = match ev {
                MemberEvent::Founded => Some(Role::Admin),
                MemberEvent::Join { invitation } => {
                    if !self.join_admits(p, invitation, view) {
                        continue;
                    }
                    Some(self.invitation_role(invitation))
                }
                MemberEvent::Approved { join } => Some(self.join_role(join)),
                MemberEvent::SetRole(role) => Some(role),
                MemberEvent::Revoked => None,
            };
            if matches!(
                ev,
                MemberEvent::Founded | MemberEvent::Join { .. } | MemberEvent::Approved { .. }
            ) {
                admitted = true;
            }
            effective.push((p, role));
        }
        // A role set on someone whose join lost its race does not admit them.
        if !admitted {
            return None;
        }
        // The causally last events decide; concurrent ones: most restrictive.
        effective
            .iter()
            .filter(|(p, _)| {
                !effective
                    .iter()
                    .any(|(q, _)| q != p && self.graph.precedes_or_is(*p, *q))
            })
            .try_fold(Role::Admin, |acc, (_, role)| role.map(|r| acc.min(r)))
    }

    /// Whether `member` was admitted at some point of `view` (for role
    /// changes, which may reinstate a revoked member).
    fn ever_admitted_in(&self, member: &MemberId, view: &BitSet) -> bool {
        self.events.get(member).is_some_and(|events| {
            events.iter().any(|&(p, ev)| {
                view.contains(p)
                    && match ev {
                        MemberEvent::Founded | MemberEvent::Approved { .. } => true,
                        MemberEvent::Join { invitation } => self.join_admits(p, invitation, view),
                        _ => false,
                    }
            })
        })
    }

    fn join_role(&self, join: usize) -> Role {
        match self.records[join].body.payload {
            Payload::Join { invitation, .. } => self
                .graph
                .position
                .get(&invitation)
                .map_or(Role::Resident, |&inv| self.invitation_role(inv)),
            _ => Role::Resident,
        }
    }

    /// The space's id.
    pub fn id(&self) -> DocId {
        self.id
    }

    /// The view a record with these `space_deps` was made at; `None` while
    /// some of them have not arrived (the record is pending).
    pub fn view_of(&self, deps: &[RecordId]) -> Option<SpaceView> {
        let mut set = self.graph.view_of(deps)?;
        // Only valid records shape a view.
        for (p, ok) in self.valid.iter().enumerate() {
            if !ok {
                set.remove(p);
            }
        }
        Some(SpaceView { set })
    }

    /// The role of `member` at `view`.
    pub fn role_at(&self, member: &MemberId, view: &SpaceView) -> Option<Role> {
        self.role_in(member, &view.set)
    }

    /// The role of `member` now, with every record this replica has.
    pub fn current_role(&self, member: &MemberId) -> Option<Role> {
        self.role_in(member, &self.all)
    }

    /// What a new record names as its `space_deps`.
    pub fn frontier(&self) -> Vec<RecordId> {
        self.graph.frontier()
    }

    /// The largest lamport among this space's records.
    pub fn max_lamport(&self) -> u64 {
        self.records
            .iter()
            .map(|r| r.body.lamport)
            .max()
            .unwrap_or(0)
    }

    /// A valid record of this space by id.
    pub fn record(&self, id: &RecordId) -> Option<&SignedRecord> {
        let &p = self.graph.position.get(id)?;
        self.valid[p].then(|| &self.records[p])
    }

    /// Whether the founding record has arrived.
    pub fn has_genesis(&self) -> bool {
        self.genesis().is_some()
    }

    fn genesis(&self) -> Option<&SignedRecord> {
        self.records
            .iter()
            .zip(&self.valid)
            .find(|(r, ok)| **ok && matches!(r.body.payload, Payload::CreateSpace { .. }))
            .map(|(r, _)| r)
    }

    /// The display name of `member`: their latest profile, else the name
    /// they joined with.
    pub fn display_name(&self, member: &MemberId) -> Option<String> {
        let mut best: Option<(u64, RecordId, &str)> = None;
        for (r, ok) in self.records.iter().zip(&self.valid) {
            if !*ok || r.body.author != *member {
                continue;
            }
            let name = match &r.body.payload {
                Payload::SetProfile { display_name }
                | Payload::Join { display_name, .. }
                | Payload::CreateSpace { display_name, .. } => display_name.as_str(),
                _ => continue,
            };
            let key = (r.body.lamport, r.id);
            if best.is_none_or(|(l, i, _)| (l, i) < key) {
                best = Some((key.0, key.1, name));
            }
        }
        best.map(|(_, _, n)| n.to_string())
    }

    /// Valid invitation records by id (for commands that make a join).
    pub fn invitation(&self, id: &RecordId) -> Option<&SignedRecord> {
        self.record(id)
            .filter(|r| matches!(r.body.payload, Payload::Invite { .. }))
    }

    /// What a screen shows of the space.
    pub fn read_model(&self) -> SpaceOverview {
        let (name, languages, created_ms) = match self.genesis() {
            Some(SignedRecord {
                body:
                    crate::record::RecordBody {
                        payload:
                            Payload::CreateSpace {
                                name, languages, ..
                            },
                        time_ms,
                        ..
                    },
                ..
            }) => (name.clone(), languages.clone(), *time_ms),
            _ => (String::new(), Vec::new(), 0),
        };
        let mut members: Vec<MemberView> = self
            .events
            .keys()
            .filter_map(|m| {
                let role = self.current_role(m)?;
                let joined_ms = self.events[m]
                    .iter()
                    .map(|(p, _)| self.records[*p].body.time_ms)
                    .min()
                    .unwrap_or(0);
                Some(MemberView {
                    id: *m,
                    display_name: self.display_name(m).unwrap_or_default(),
                    role,
                    joined_ms,
                })
            })
            .collect();
        members.sort_by(|a, b| {
            b.role
                .cmp(&a.role)
                .then(a.display_name.cmp(&b.display_name))
                .then(a.id.cmp(&b.id))
        });
        let awaiting_approval = self
            .records
            .iter()
            .enumerate()
            .filter(|(p, r)| {
                self.valid[*p]
                    && matches!(r.body.payload, Payload::Join { .. })
                    && self.current_role(&r.body.author).is_none()
                    && !self.events[&r.body.author]
                        .iter()
                        .any(|(_, e)| matches!(e, MemberEvent::Revoked))
            })
            .map(|(_, r)| PendingJoin {
                join: r.id,
                member: r.body.author,
                display_name: match &r.body.payload {
                    Payload::Join { display_name, .. } => display_name.clone(),
                    _ => String::new(),
                },
            })
            .collect();
        let invitations = self
            .records
            .iter()
            .enumerate()
            .filter_map(|(p, r)| match &r.body.payload {
                Payload::Invite {
                    role,
                    max_uses,
                    note,
                    ..
                } if self.valid[p] => Some(InvitationView {
                    id: r.id,
                    role: *role,
                    max_uses: *max_uses,
                    uses: self.joins.get(&p).map_or(0, Vec::len) as u32,
                    revoked: self.invitation_revoked_in(p, &self.all),
                    note: note.clone(),
                    created_by: r.body.author,
                }),
                _ => None,
            })
            .collect();
        let mut projects: Vec<ProjectListing> = Vec::new();
        for (p, r) in self.records.iter().enumerate() {
            if let Payload::ListProject { project, title } = &r.body.payload {
                if self.valid[p] && !projects.iter().any(|l| l.project == *project) {
                    projects.push(ProjectListing {
                        project: *project,
                        title: title.clone(),
                        listed_ms: r.body.time_ms,
                    });
                }
            }
        }
        SpaceOverview {
            id: self.id,
            name,
            languages,
            created_ms,
            members,
            awaiting_approval,
            invitations,
            projects,
            rejected: self.rejected.clone(),
            pending: self.graph.pending.len(),
        }
    }

    /// Records that do not count, with why.
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }
}

/// The space as seen from one record: the valid space records it had seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceView {
    set: BitSet,
}

/// A member as a screen shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// Their key.
    pub id: MemberId,
    /// Their display name.
    pub display_name: String,
    /// Their role now.
    pub role: Role,
    /// When they joined (their clock).
    pub joined_ms: i64,
}

/// A join waiting for staff approval (it lost a single-use race).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingJoin {
    /// The join record to approve.
    pub join: RecordId,
    /// Who.
    pub member: MemberId,
    /// The name they gave.
    pub display_name: String,
}

/// An invitation as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    /// The invitation record.
    pub id: RecordId,
    /// The role it gives.
    pub role: Role,
    /// How many it admits (`None`: until revoked).
    pub max_uses: Option<u32>,
    /// How many joins claimed it.
    pub uses: u32,
    /// Whether it was revoked.
    pub revoked: bool,
    /// Staff's note.
    pub note: String,
    /// Who made it.
    pub created_by: MemberId,
}

/// A project listed in the space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectListing {
    /// The project document.
    pub project: DocId,
    /// Its title when listed.
    pub title: String,
    /// When listed (author's clock).
    pub listed_ms: i64,
}

/// The space home's read model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceOverview {
    /// The space document.
    pub id: DocId,
    /// Its name.
    pub name: String,
    /// Its languages.
    pub languages: Vec<String>,
    /// When founded (founder's clock).
    pub created_ms: i64,
    /// Members now, admins first.
    pub members: Vec<MemberView>,
    /// Joins waiting for approval.
    pub awaiting_approval: Vec<PendingJoin>,
    /// Invitations.
    pub invitations: Vec<InvitationView>,
    /// Projects.
    pub projects: Vec<ProjectListing>,
    /// Records that do not count.
    pub rejected: Vec<Rejected>,
    /// Records waiting for their dependencies.
    pub pending: usize,
}
