//! The node a browser runs for itself: the documents held in the page (and
//! in IndexedDB, by `crate::browser`), the device key, and the same API the
//! desktop app's node answers, served in-page by the domain crate.
//!
//! [`Engine`] is plain Rust with no browser calls, so the native tests drive
//! it (and sync it with a real node) directly. It differs from the desktop
//! node in what a browser cannot do: no LAN service, no demo, and one sync
//! server, the address the page came from.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use yoriai_crdt::api::{
    ApiError, ErrorKind, IdeaPage, InsightPage, InvitationLink, Opened, ProjectPage, RelayStatus,
    Request, Response, Session, SpaceHome, SpaceSummary, SyncStatus, SyncSummary, Visit,
};
use yoriai_crdt::automerge::{ActorId, Automerge};
use yoriai_crdt::command::{self, NewInvitation, NewProject};
use yoriai_crdt::document::{check_header, load_document, DocKind};
use yoriai_crdt::invitation::Invitation;
use yoriai_crdt::record::{Payload, SignedRecord};
use yoriai_crdt::sync_client::{web_peer_id, HeldDocs, Received, SyncClient};
use yoriai_crdt::{Actor, DeviceKey, DocId, MemberId, ProjectState, SpaceCommand, SpaceState};

use crate::clock::now_ms;

/// Random bytes from the platform (the browser's `crypto.getRandomValues`).
pub fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| ApiError {
        kind: ErrorKind::Other,
        detail: format!("no randomness available: {e}"),
    })?;
    Ok(b)
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError {
        kind: ErrorKind::Invalid,
        detail: detail.into(),
    }
}

fn not_found(detail: impl Into<String>) -> ApiError {
    ApiError {
        kind: ErrorKind::NotFound,
        detail: detail.into(),
    }
}

/// A held document.
#[derive(Debug)]
struct Held {
    kind: DocKind,
    space: DocId,
    doc: Automerge,
}

/// What the engine keeps besides documents (saved as JSON).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The device key's secret, hex.
    pub secret: String,
    /// The display name, once chosen.
    pub display_name: Option<String>,
    /// The sync server (`ws://` or `wss://`), usually the page's origin.
    pub server: Option<String>,
    /// Join records waiting for their space to arrive, per space.
    pub awaited: BTreeMap<DocId, Vec<String>>,
    /// Last visits, per project.
    pub visits: BTreeMap<DocId, Visit>,
    /// When a sync last finished (ms).
    pub last_sync_ms: Option<i64>,
}

/// A document to save: its id, kind, space and whole bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDoc {
    /// Its id.
    pub id: DocId,
    /// "space" or "project".
    pub kind: String,
    /// Its space.
    pub space: DocId,
    /// `Automerge::save`.
    pub bytes: Vec<u8>,
}

/// The connection to the sync server, as far as the engine knows.
#[derive(Debug, Default)]
struct Link {
    open: bool,
    error: Option<String>,
}

/// The browser's node.
#[derive(Debug)]
pub struct Engine {
    key: DeviceKey,
    meta: Meta,
    docs: HashMap<DocId, Held>,
    client: SyncClient,
    link: Link,
    /// Documents changed since the last [`Engine::take_dirty`].
    dirty: HashSet<DocId>,
    meta_dirty: bool,
    /// Records whose signatures were checked once (a big project is not
    /// re-verified on every page).
    verified: std::cell::RefCell<HashSet<yoriai_crdt::RecordId>>,
}

struct Docs<'a>(&'a mut HashMap<DocId, Held>);

impl HeldDocs for Docs<'_> {
    fn doc_mut(&mut self, id: &DocId) -> Option<&mut Automerge> {
        self.0.get_mut(id).map(|h| &mut h.doc)
    }
}

/// Which document kind a fresh copy is, judged by its header.
fn kind_of(doc: &Automerge) -> Option<DocKind> {
    [DocKind::Space, DocKind::Project]
        .into_iter()
        .find(|k| check_header(doc, *k).is_ok())
}

/// The space a project document belongs to (its founding record says).
fn project_space(doc: &Automerge, id: DocId) -> Option<DocId> {
    let raw = yoriai_crdt::document::raw_records(doc).ok()?;
    raw.iter()
        .filter_map(|b| SignedRecord::decode(b).ok())
        .find(|r| id.is_certified_by(&r.id))
        .and_then(|r| match r.body.payload {
            Payload::CreateProject { space, .. } => Some(space),
            _ => None,
        })
}

impl Engine {
    /// A new device: a fresh key, nothing held.
    pub fn create() -> Result<Engine, ApiError> {
        let key = DeviceKey::from_secret(random::<32>()?);
        let meta = Meta {
            secret: hex::encode(key.secret()),
            ..Meta::default()
        };
        Ok(Self::with(key, meta, Vec::new(), true))
    }

    fn with(key: DeviceKey, meta: Meta, docs: Vec<(DocId, Held)>, meta_dirty: bool) -> Engine {
        let client = SyncClient::new(web_peer_id(&key.member()));
        Engine {
            key,
            meta,
            docs: docs.into_iter().collect(),
            client,
            link: Link::default(),
            dirty: HashSet::new(),
            meta_dirty,
            verified: Default::default(),
        }
    }

    /// The device as saved: its meta and documents. A document that does
    /// not load is skipped and reported (the rest stay usable).
    pub fn load(meta: Meta, docs: Vec<SavedDoc>) -> Result<(Engine, Vec<String>), ApiError> {
        let secret: [u8; 32] = hex::decode(&meta.secret)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ApiError {
                kind: ErrorKind::Storage,
                detail: "the device key saved in this browser is damaged".into(),
            })?;
        let key = DeviceKey::from_secret(secret);
        let mut held = Vec::new();
        let mut problems = Vec::new();
        for d in docs {
            let kind = if d.kind == "space" {
                DocKind::Space
            } else {
                DocKind::Project
            };
            match load_document(&d.bytes, kind) {
                Ok(doc) => held.push((
                    d.id,
                    Held {
                        kind,
                        space: d.space,
                        doc,
                    },
                )),
                Err(e) => problems.push(format!("{} {}: {e}", d.kind, d.id)),
            }
        }
        Ok((Self::with(key, meta, held, false), problems))
    }

    /// This device's member id.
    pub fn member(&self) -> MemberId {
        self.key.member()
    }

    /// The sync server, if set.
    pub fn server(&self) -> Option<&str> {
        self.meta.server.as_deref()
    }

    /// Set the sync server (the page does, from its own address).
    pub fn set_server(&mut self, url: Option<String>) {
        if self.meta.server != url {
            self.meta.server = url;
            self.meta_dirty = true;
        }
    }

    /// Sign a sync endpoint's challenge.
    pub fn sign_challenge(&self, challenge: &str) -> String {
        yoriai_crdt::sync_client::sign_challenge(&self.key, challenge)
    }

    /// Join records to present to a laptop for spaces still awaited
    /// (`(space, records)`), so it can admit this device before syncing.
    pub fn knocks(&self) -> Vec<(DocId, Vec<Vec<u8>>)> {
        self.meta
            .awaited
            .iter()
            .filter(|(s, _)| !self.docs.contains_key(s))
            .map(|(s, r)| (*s, r.iter().filter_map(|h| hex::decode(h).ok()).collect()))
            .collect()
    }

    /// What changed since the last call: documents to save, and whether the
    /// meta must be saved too.
    pub fn take_dirty(&mut self) -> (Vec<SavedDoc>, Option<Meta>) {
        let docs = self
            .dirty
            .drain()
            .filter_map(|id| {
                let h = self.docs.get(&id)?;
                Some(SavedDoc {
                    id,
                    kind: h.kind.name().to_string(),
                    space: h.space,
                    bytes: h.doc.save(),
                })
            })
            .collect();
        let meta = std::mem::take(&mut self.meta_dirty).then(|| self.meta.clone());
        (docs, meta)
    }

    /// Mark again what [`Engine::take_dirty`] handed out and could not be
    /// written (a full disk, a storage error): the next save tries again,
    /// so a failed write loses nothing the page still holds.
    pub fn still_dirty(&mut self, docs: &[SavedDoc], meta: bool) {
        self.dirty.extend(docs.iter().map(|d| d.id));
        self.meta_dirty |= meta;
    }

    fn actor(&self) -> Actor<'_> {
        Actor {
            key: &self.key,
            now_ms: now_ms(),
        }
    }

    fn name_or_default(&self) -> String {
        self.meta
            .display_name
            .clone()
            .unwrap_or_else(|| format!("member {}", self.member().short()))
    }

    fn space_state(&self, id: DocId) -> Result<SpaceState, ApiError> {
        let h = self
            .docs
            .get(&id)
            .filter(|h| h.kind == DocKind::Space)
            .ok_or_else(|| not_found(format!("space {id} is not on this device")))?;
        SpaceState::from_doc(&h.doc, id).map_err(|e| ApiError {
            kind: ErrorKind::Other,
            detail: format!("space {id}: {e}"),
        })
    }

    fn project_state(&self, id: DocId) -> Result<(SpaceState, ProjectState), ApiError> {
        let h = self
            .docs
            .get(&id)
            .filter(|h| h.kind == DocKind::Project)
            .ok_or_else(|| not_found(format!("project {id} is not on this device yet")))?;
        let space = self.space_state(h.space)?;
        let mut trusted = self.verified.borrow_mut();
        let state = ProjectState::from_doc_trusting(&h.doc, id, &space, &trusted).map_err(|e| {
            ApiError {
                kind: ErrorKind::Other,
                detail: format!("project {id}: {e}"),
            }
        })?;
        trusted.extend(state.verified_ids().copied());
        Ok((space, state))
    }

    fn changed(&mut self, id: DocId) {
        self.dirty.insert(id);
    }

    fn spaces(&self) -> Vec<SpaceSummary> {
        let me = self.member();
        let mut out: Vec<SpaceSummary> = self
            .docs
            .iter()
            .filter(|(_, h)| h.kind == DocKind::Space)
            .filter_map(|(id, _)| {
                let state = self.space_state(*id).ok()?;
                let o = state.read_model();
                Some(SpaceSummary {
                    id: *id,
                    name: Some(o.name),
                    role: state.current_role(&me),
                    projects: o.projects.len(),
                })
            })
            .collect();
        for id in self.meta.awaited.keys() {
            if !out.iter().any(|s| s.id == *id) {
                out.push(SpaceSummary {
                    id: *id,
                    name: None,
                    role: None,
                    projects: 0,
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        out
    }

    /// The sync status, honestly: offline unless connected; syncing until
    /// the server holds what this device holds.
    pub fn sync_status(&self) -> SyncStatus {
        let relay = self.meta.server.as_ref().map(|url| RelayStatus {
            url: url.clone(),
            reachable: self.link.open && self.client.connected_to().is_some(),
            last_ok_ms: self.meta.last_sync_ms,
            error: self.link.error.clone(),
        });
        let mut s = SyncStatus {
            last_sync_ms: self.meta.last_sync_ms,
            relay,
            ..SyncStatus::default()
        };
        s.summarise();
        if s.state == SyncSummary::UpToDate && !self.all_in_sync() {
            s.state = SyncSummary::Syncing;
        }
        s
    }

    /// Whether the server holds everything held here and nothing awaited
    /// is still on its way.
    pub fn all_in_sync(&self) -> bool {
        self.client.connected_to().is_some()
            && self
                .docs
                .iter()
                .all(|(id, h)| self.client.in_sync(id, &h.doc))
            && self
                .wanted()
                .iter()
                .all(|id| self.client.is_unavailable(id))
    }

    fn session(&self) -> Session {
        Session {
            member: self.member(),
            display_name: self.meta.display_name.clone(),
            spaces: self.spaces(),
            relay: self.meta.server.clone(),
            sync: self.sync_status(),
        }
    }

    /// Append join records for spaces that have arrived.
    fn complete_pending_joins(&mut self) -> Result<Vec<DocId>, ApiError> {
        let ready: Vec<DocId> = self
            .meta
            .awaited
            .keys()
            .filter(|s| self.docs.contains_key(s))
            .copied()
            .collect();
        let mut done = Vec::new();
        for space in ready {
            let state = self.space_state(space)?;
            let records: Vec<SignedRecord> = self.meta.awaited[&space]
                .iter()
                .filter_map(|h| hex::decode(h).ok())
                .filter_map(|b| SignedRecord::decode(&b).ok())
                .collect();
            let Some(h) = self.docs.get_mut(&space) else {
                continue;
            };
            match command::append_join(&mut h.doc, &state, &records, now_ms()) {
                Ok(()) | Err(yoriai_crdt::CommandError::AlreadyMember(_)) => {
                    self.meta.awaited.remove(&space);
                    self.meta_dirty = true;
                    self.dirty.insert(space);
                    done.push(space);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(done)
    }

    /// Answer one request; the documents it changed.
    pub fn handle(&mut self, request: Request) -> Result<(Response, Vec<DocId>), ApiError> {
        let me = self.member();
        Ok(match request {
            Request::Session => (Response::Session(self.session()), vec![]),
            Request::SetDisplayName { name } => {
                let name = name.trim().to_string();
                if name.is_empty() || name.chars().count() > yoriai_crdt::limits::DISPLAY_NAME {
                    return Err(invalid(format!(
                        "a display name has 1 to {} characters",
                        yoriai_crdt::limits::DISPLAY_NAME
                    )));
                }
                self.meta.display_name = Some(name.clone());
                self.meta_dirty = true;
                let mut changed = Vec::new();
                let ids: Vec<DocId> = self
                    .spaces()
                    .into_iter()
                    .filter(|s| s.role.is_some())
                    .map(|s| s.id)
                    .collect();
                for id in ids {
                    self.space_command(
                        id,
                        SpaceCommand::SetProfile {
                            display_name: name.clone(),
                        },
                    )?;
                    changed.push(id);
                }
                (Response::Session(self.session()), changed)
            }
            Request::SetRelay { relay } => {
                let relay = relay
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty());
                if let Some(r) = &relay {
                    if !(r.starts_with("ws://") || r.starts_with("wss://")) {
                        return Err(invalid(format!(
                            "'{r}' is not a sync address; use ws://HOST:PORT"
                        )));
                    }
                }
                self.set_server(relay);
                (Response::Session(self.session()), vec![])
            }
            Request::CreateSpace { name, languages } => {
                let display = self.name_or_default();
                let (id, doc) = command::create_space(
                    &self.actor(),
                    ActorId::from(random::<16>()?),
                    &name,
                    &display,
                    &languages,
                    random::<16>()?,
                )?;
                self.docs.insert(
                    id,
                    Held {
                        kind: DocKind::Space,
                        space: id,
                        doc,
                    },
                );
                self.changed(id);
                (
                    Response::Opened(Opened {
                        space: id,
                        project: None,
                        arrived: true,
                    }),
                    vec![id],
                )
            }
            Request::JoinSpace { link } => {
                let invitation =
                    Invitation::parse(link.trim()).map_err(|e| invalid(e.to_string()))?;
                let name = self.name_or_default();
                let records = command::join_records(&self.actor(), &invitation, &name)?;
                let space = invitation.space;
                let already = self
                    .space_state(space)
                    .ok()
                    .is_some_and(|s| s.current_role(&me).is_some());
                if !already {
                    self.meta.awaited.insert(
                        space,
                        records.iter().map(|r| hex::encode(&r.bytes)).collect(),
                    );
                    self.meta_dirty = true;
                    self.complete_pending_joins()?;
                }
                let arrived = self.docs.contains_key(&space);
                (
                    Response::Opened(Opened {
                        space,
                        project: None,
                        arrived,
                    }),
                    vec![space],
                )
            }
            Request::LoadDemo => {
                return Err(ApiError {
                    kind: ErrorKind::NotAllowed,
                    detail: "the demo loads in the desktop app; in a browser, join by invitation"
                        .into(),
                })
            }
            Request::Space { space } => {
                let state = self.space_state(space)?;
                let mut held = Vec::new();
                for listing in state.read_model().projects {
                    let p = self.project_state(listing.project).ok().map(|(_, p)| p);
                    held.push((
                        listing.project,
                        p,
                        self.meta.visits.get(&listing.project).copied(),
                    ));
                }
                let refs: Vec<_> = held
                    .iter()
                    .map(|(id, p, v)| (*id, p.as_ref(), *v))
                    .collect();
                (
                    Response::Space(SpaceHome::build(&state, &me, &refs)),
                    vec![],
                )
            }
            Request::Invite {
                space,
                role,
                max_uses,
                note,
            } => {
                let state = self.space_state(space)?;
                let relays = self.meta.server.iter().cloned().collect();
                let secret = random::<32>()?;
                let actor_key = self.key.clone();
                let actor = Actor {
                    key: &actor_key,
                    now_ms: now_ms(),
                };
                let h = self
                    .docs
                    .get_mut(&space)
                    .ok_or_else(|| not_found("no such space"))?;
                let inv = command::invite(
                    &mut h.doc,
                    &state,
                    &actor,
                    NewInvitation {
                        role,
                        max_uses,
                        note,
                        relays,
                    },
                    secret,
                )?;
                self.changed(space);
                (
                    Response::Invitation(InvitationLink {
                        id: inv.invite_record().map_err(|e| invalid(e.to_string()))?.id,
                        link: inv.to_link(),
                        web: inv.relay_web_addresses(),
                        role,
                    }),
                    vec![space],
                )
            }
            Request::SpaceCommand { space, command } => {
                let id = self.space_command(space, command)?;
                (Response::Recorded(id), vec![space])
            }
            Request::CreateProject {
                space,
                title,
                description,
                phases,
            } => {
                let state = self.space_state(space)?;
                let actor_key = self.key.clone();
                let actor = Actor {
                    key: &actor_key,
                    now_ms: now_ms(),
                };
                let (actor_id, nonce) = (ActorId::from(random::<16>()?), random::<16>()?);
                let h = self
                    .docs
                    .get_mut(&space)
                    .ok_or_else(|| not_found("no such space"))?;
                let (id, doc) = command::create_project(
                    &mut h.doc,
                    &state,
                    &actor,
                    actor_id,
                    &NewProject {
                        title,
                        description,
                        phases,
                    },
                    nonce,
                )?;
                self.docs.insert(
                    id,
                    Held {
                        kind: DocKind::Project,
                        space,
                        doc,
                    },
                );
                self.changed(space);
                self.changed(id);
                (
                    Response::Opened(Opened {
                        space,
                        project: Some(id),
                        arrived: true,
                    }),
                    vec![space, id],
                )
            }
            Request::Project { project, sort } => {
                let (space, state) = self.project_state(project)?;
                let visit = self.meta.visits.get(&project).copied();
                (
                    Response::Project(Box::new(ProjectPage::build(
                        &space, &state, &me, sort, visit,
                    ))),
                    vec![],
                )
            }
            Request::Idea { project, idea } => {
                let (space, state) = self.project_state(project)?;
                let page = IdeaPage::build(&space, &state, &me, &idea)
                    .ok_or_else(|| not_found(format!("no visible idea {idea}")))?;
                (Response::Idea(Box::new(page)), vec![])
            }
            Request::Insight { project } => {
                let (space, state) = self.project_state(project)?;
                let seed = yoriai_crdt::api::routing_seed(&me);
                (
                    Response::Insight(Box::new(InsightPage::build(&space, &state, &me, seed))),
                    vec![],
                )
            }
            Request::ProjectCommand { project, command } => {
                let (space, mut state) = self.project_state(project)?;
                let actor_key = self.key.clone();
                let actor = Actor {
                    key: &actor_key,
                    now_ms: now_ms(),
                };
                let h = self
                    .docs
                    .get_mut(&project)
                    .ok_or_else(|| not_found("no such project"))?;
                let id = command::apply_project(&mut h.doc, &space, &mut state, &actor, command)?;
                self.changed(project);
                (Response::Recorded(id), vec![project])
            }
            Request::Visited { project } => {
                let (_, state) = self.project_state(project)?;
                let visit = Visit::now(&state, &self.member());
                self.meta.visits.insert(project, visit);
                self.meta_dirty = true;
                (Response::Done, vec![])
            }
            Request::SyncNow => (Response::Sync(self.sync_status()), vec![]),
            Request::LetTabletsJoin { .. } | Request::StopTablets => {
                return Err(ApiError {
                    kind: ErrorKind::NotAllowed,
                    detail: "tablets join through the desktop app or a relay, not a browser".into(),
                })
            }
        })
    }

    fn space_command(
        &mut self,
        space: DocId,
        cmd: SpaceCommand,
    ) -> Result<yoriai_crdt::RecordId, ApiError> {
        let state = self.space_state(space)?;
        let actor_key = self.key.clone();
        let actor = Actor {
            key: &actor_key,
            now_ms: now_ms(),
        };
        let h = self
            .docs
            .get_mut(&space)
            .ok_or_else(|| not_found("no such space"))?;
        let id = command::apply_space(&mut h.doc, &state, &actor, cmd)?;
        self.changed(space);
        Ok(id)
    }

    /// Documents wanted from the server: awaited spaces, and projects the
    /// held spaces list that are not here.
    fn wanted(&self) -> Vec<DocId> {
        let mut out: Vec<DocId> = self
            .meta
            .awaited
            .keys()
            .filter(|s| !self.docs.contains_key(s))
            .copied()
            .collect();
        for (id, h) in &self.docs {
            if h.kind != DocKind::Space {
                continue;
            }
            if let Ok(state) = SpaceState::from_doc(&h.doc, *id) {
                for p in state.read_model().projects {
                    if !self.docs.contains_key(&p.project) && !out.contains(&p.project) {
                        out.push(p.project);
                    }
                }
            }
        }
        out
    }

    // --- sync ---

    /// A connection to the server opened: the first message to send.
    pub fn connection_opened(&mut self) -> Vec<u8> {
        self.client.reset();
        self.link = Link {
            open: true,
            error: None,
        };
        self.client.join()
    }

    /// The connection closed (or failed to open), and why.
    pub fn connection_closed(&mut self, why: Option<String>) {
        self.client.reset();
        self.link = Link {
            open: false,
            error: why,
        };
    }

    /// What to send now: changes of held documents the server lacks, and
    /// requests for documents wanted.
    pub fn outgoing(&mut self) -> Vec<Vec<u8>> {
        if self.client.connected_to().is_none() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let ids: Vec<DocId> = self.docs.keys().copied().collect();
        for id in ids {
            if let Some(h) = self.docs.get_mut(&id) {
                out.extend(self.client.offer(id, &mut h.doc));
            }
        }
        for id in self.wanted() {
            out.extend(self.client.request(id));
        }
        out
    }

    /// Take in one message from the server: replies to send, and the
    /// documents that changed.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(Vec<Vec<u8>>, Vec<DocId>), ApiError> {
        let was_in_sync = self.all_in_sync();
        let (what, mut replies) = self
            .client
            .receive(bytes, &mut Docs(&mut self.docs))
            .map_err(|e| ApiError {
                kind: ErrorKind::Network,
                detail: e.to_string(),
            })?;
        let mut changed = Vec::new();
        match what {
            Received::Connected { .. } => {
                replies.extend(self.outgoing());
            }
            Received::Changed(id) => {
                self.changed(id);
                changed.push(id);
                if self.docs.get(&id).is_some_and(|h| h.kind == DocKind::Space) {
                    changed.extend(self.complete_pending_joins()?);
                    // Newly listed projects, and our join going out.
                    replies.extend(self.outgoing());
                }
            }
            Received::Arrived(id, doc) => {
                if let Some(kind) = self.adopt(id, *doc) {
                    changed.push(id);
                    if kind == DocKind::Space {
                        changed.extend(self.complete_pending_joins()?);
                        replies.extend(self.outgoing());
                    }
                }
            }
            Received::Unavailable(_) | Received::Nothing => {}
            Received::Closed(why) => {
                self.link.error = Some(why);
            }
        }
        if !was_in_sync && self.all_in_sync() {
            self.meta.last_sync_ms = Some(now_ms());
            self.meta_dirty = true;
        }
        changed.sort();
        changed.dedup();
        Ok((replies, changed))
    }

    /// Keep a document that arrived, if it is what it claims to be: a space
    /// this device awaits or a project a held space lists, certified by its
    /// founding record.
    fn adopt(&mut self, id: DocId, doc: Automerge) -> Option<DocKind> {
        let kind = kind_of(&doc)?;
        let space = match kind {
            DocKind::Space => {
                SpaceState::from_doc(&doc, id).ok()?;
                id
            }
            DocKind::Project => {
                let space = project_space(&doc, id)?;
                let state = self.space_state(space).ok()?;
                if !state.read_model().projects.iter().any(|p| p.project == id) {
                    return None;
                }
                space
            }
        };
        self.docs.insert(id, Held { kind, space, doc });
        self.changed(id);
        Some(kind)
    }
}
