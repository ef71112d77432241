//! A node: one device's store, key and sync engine, and the operations the
//! CLI, the desktop app and the relay perform on documents.
//!
//! Documents live in samod (the Rust automerge-repo) over the SQLite
//! [`Store`]. Yoriai's ids are self-certifying (the hash of a document's
//! founding record), so a document is created by writing its first snapshot
//! under that id and then finding it through samod. Every user action is
//! one `with_document` call: one storage write, one sync round.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use samod::storage::StorageKey;
use samod::{DocHandle, DocumentId, Repo};
use yoriai_crdt::automerge::{ActorId, Automerge};
use yoriai_crdt::command::{self, apply_project, NewInvitation, NewProject};
use yoriai_crdt::document::{load_document, DocKind};
use yoriai_crdt::invitation::Invitation;
use yoriai_crdt::project::ProjectSnapshot;
use yoriai_crdt::record::SignedRecord;
use yoriai_crdt::space::SpaceOverview;
use yoriai_crdt::{
    Actor, DeviceKey, DocId, MemberId, ProjectCommand, ProjectState, RecordId, SpaceCommand,
    SpaceState,
};

use crate::access::{iroh_peer_id, AccessTable, MemberPolicy};
use crate::error::NodeError;
use crate::identity::{self, random};
use crate::now_ms;
use crate::store::Store;

/// What joining did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JoinOutcome {
    /// The space.
    pub space: DocId,
    /// Whether the membership is complete (the space is on this device);
    /// otherwise it completes when the space arrives.
    pub completed: bool,
}

/// What one sync with a relay did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// The relay.
    pub relay: String,
    /// Documents exchanged with it.
    pub synced: usize,
    /// Documents it had that this node did not (awaited spaces, projects
    /// listed in a space).
    pub fetched: usize,
    /// Documents that did not finish in time (they sync next time).
    pub unfinished: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    /// The bundle's space.
    pub space: DocId,
    /// Documents in the file.
    pub documents: usize,
    /// Documents this device did not have.
    pub new: usize,
    /// Documents that gained changes.
    pub changed: usize,
}

/// A document this node holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeldDoc {
    /// Its id.
    pub id: String,
    /// "space" or "project".
    pub kind: String,
    /// Its space.
    pub space: String,
}

/// One device's engine.
#[derive(Debug)]
pub struct Node {
    home: PathBuf,
    store: Store,
    key: DeviceKey,
    repo: Repo,
    /// Record ids whose signatures this node verified: read from the store
    /// once, then kept here so a user action does not reread them all.
    verified: std::sync::Mutex<HashSet<RecordId>>,
    /// Who may sync what (see [`crate::access`]).
    policy: MemberPolicy,
    access: tokio::sync::watch::Sender<Arc<AccessTable>>,
    /// Peers that accepted our knock, per awaited space.
    knocked: std::sync::Mutex<HashMap<DocId, HashSet<MemberId>>>,
    /// Held until [`Node::close`]: one process per home.
    lock: std::sync::Mutex<Option<std::fs::File>>,
}

pub(crate) fn doc_id(id: DocId) -> DocumentId {
    // 16 bytes always make a document id.
    DocumentId::try_from(id.0.to_vec()).unwrap_or_else(|_| unreachable!("16-byte ids are valid"))
}

impl Node {
    /// Open the node in `home` (created if needed): store, key, sync engine.
    pub async fn open(home: &Path) -> Result<Self, NodeError> {
        std::fs::create_dir_all(home).map_err(|e| crate::error::StoreError::Io {
            path: home.to_path_buf(),
            source: e,
        })?;
        let lock = lock_home(home)?;
        let store = Store::open(&home.join("yoriai.db"))?;
        let key = identity::load_or_create(&home.join("device.key"))?;
        let (policy, access) = MemberPolicy::new();
        let repo = Repo::build_tokio()
            .with_storage(store.clone())
            .with_peer_id(iroh_peer_id(&key.member()))
            .with_share_policy(policy.clone())
            .load()
            .await;
        let verified = store.verified()?.into_iter().map(RecordId).collect();
        let node = Node {
            home: home.to_path_buf(),
            store,
            key,
            repo,
            verified: std::sync::Mutex::new(verified),
            policy,
            access,
            knocked: std::sync::Mutex::new(HashMap::new()),
            lock: std::sync::Mutex::new(Some(lock)),
        };
        node.complete_pending_joins().await?;
        node.refresh_access().await?;
        Ok(node)
    }

    /// Recompute who may sync what from the spaces held now. Called after
    /// every change to a space or the set of held documents; the LAN
    /// service also calls it after syncs.
    pub async fn refresh_access(&self) -> Result<(), NodeError> {
        let mut table = AccessTable::default();
        let docs = self.store.docs()?;
        for (id, kind, space) in &docs {
            let (Ok(id), Ok(space)) = (id.parse::<DocId>(), space.parse::<DocId>()) else {
                continue;
            };
            match kind.as_str() {
                "space" => {
                    table.doc_space.insert(doc_id(id), id);
                    if let Ok(overview) = self.space_overview(id).await {
                        table
                            .members
                            .insert(id, overview.members.iter().map(|m| m.id).collect());
                        for p in overview.projects {
                            table.doc_space.insert(doc_id(p.project), id);
                        }
                    }
                }
                "project" => {
                    table.doc_space.insert(doc_id(id), space);
                }
                "space-awaited" => {
                    let peers = self
                        .knocked
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get(&id)
                        .cloned()
                        .unwrap_or_default();
                    table.awaited.insert(doc_id(id), peers);
                }
                _ => {}
            }
        }
        self.access.send_if_modified(|old| {
            if **old == table {
                false
            } else {
                *old = Arc::new(table);
                true
            }
        });
        Ok(())
    }

    /// The access table in force now.
    pub fn access(&self) -> Arc<AccessTable> {
        self.access.borrow().clone()
    }

    /// Requests this node refused (strangers asking for documents).
    pub fn refusals(&self) -> Vec<crate::access::Refusal> {
        self.policy.refusals()
    }

    /// Remember that `peer` accepted our knock for the awaited `space`.
    pub(crate) async fn knocked(&self, space: DocId, peer: MemberId) -> Result<(), NodeError> {
        self.knocked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(space)
            .or_default()
            .insert(peer);
        self.refresh_access().await
    }

    /// The samod repo (for the sync transports in this crate).
    pub(crate) fn repo(&self) -> &Repo {
        &self.repo
    }

    /// The store (for the sync transports in this crate).
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// This device's key.
    pub(crate) fn key(&self) -> &DeviceKey {
        &self.key
    }

    /// Flush storage, stop the sync engine and release the home.
    pub async fn close(&self) {
        self.repo.stop().await;
        self.lock.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// The node's home directory.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// This device's member id.
    pub fn member(&self) -> MemberId {
        self.key.member()
    }

    /// The display name set with `init`.
    pub fn display_name(&self) -> Result<Option<String>, NodeError> {
        Ok(self.store.meta("display_name")?)
    }

    /// Set the display name used when creating or joining spaces.
    pub fn set_display_name(&self, name: &str) -> Result<(), NodeError> {
        yoriai_crdt::limits::check_text(
            "display name",
            name,
            yoriai_crdt::limits::DISPLAY_NAME,
            true,
        )?;
        Ok(self.store.set_meta("display_name", name.trim())?)
    }

    fn name_or_default(&self) -> Result<String, NodeError> {
        Ok(self
            .display_name()?
            .unwrap_or_else(|| format!("member {}", self.member().short())))
    }

    /// The language-model connector's settings (`None`: off, the default).
    pub fn llm_config(&self) -> Result<Option<crate::llm::LlmConfig>, NodeError> {
        Ok(self
            .store
            .meta("llm")?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Turn the language-model connector on (with settings) or off.
    pub fn set_llm_config(&self, config: Option<&crate::llm::LlmConfig>) -> Result<(), NodeError> {
        let value = match config {
            Some(c) => serde_json::to_string(c).unwrap_or_default(),
            None => String::new(),
        };
        Ok(self.store.set_meta("llm", &value)?)
    }

    /// A device setting kept in the store (the app's relay address, visit
    /// marks); `None` when never set.
    pub fn meta(&self, key: &str) -> Result<Option<String>, NodeError> {
        Ok(self.store.meta(key)?)
    }

    /// Keep a device setting in the store.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), NodeError> {
        Ok(self.store.set_meta(key, value)?)
    }

    /// A held space's judged state.
    pub async fn space_state(&self, id: DocId) -> Result<SpaceState, NodeError> {
        Ok(self.space(id).await?.1)
    }

    /// A held document's heads (they change whenever the document does).
    pub async fn heads(
        &self,
        id: DocId,
    ) -> Result<Vec<yoriai_crdt::automerge::ChangeHash>, NodeError> {
        Ok(self.handle_of(id).await?.with_document(|d| d.get_heads()))
    }

    /// The heads of every space and project document held here, with one
    /// store query (the app's change watcher asks this every tick).
    pub async fn all_heads(
        &self,
    ) -> Result<Vec<(DocId, Vec<yoriai_crdt::automerge::ChangeHash>)>, NodeError> {
        let mut out = Vec::new();
        for (id, kind, _) in self.store.docs()? {
            let Ok(doc) = id.parse::<DocId>() else {
                continue;
            };
            if kind != "space" && kind != "project" {
                continue;
            }
            let found = self
                .repo
                .find(doc_id(doc))
                .await
                .map_err(|_| NodeError::Stopped)?;
            if let Some(handle) = found {
                out.push((doc, handle.with_document(|d| d.get_heads())));
            }
        }
        Ok(out)
    }

    /// Documents on this device.
    pub fn documents(&self) -> Result<Vec<HeldDoc>, NodeError> {
        Ok(self
            .store
            .docs()?
            .into_iter()
            .map(|(id, kind, space)| HeldDoc { id, kind, space })
            .collect())
    }

    fn actor_id() -> Result<ActorId, NodeError> {
        Ok(ActorId::from(random::<16>()?))
    }

    /// Write a new document under its id and hand it to samod.
    async fn adopt(
        &self,
        id: DocId,
        doc: &Automerge,
        kind: DocKind,
        space: DocId,
    ) -> Result<DocHandle, NodeError> {
        let did = doc_id(id);
        let heads: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
        let key =
            StorageKey::from_parts([did.to_string(), "snapshot".to_string(), heads.join("-")])
                .map_err(|_| NodeError::NotFound("invalid storage key".into()))?;
        self.store.put(&key, &doc.save())?;
        self.store
            .remember_doc(&id.to_string(), kind.name(), &space.to_string())?;
        let handle = self.handle(id, kind.name()).await?;
        self.refresh_access().await?;
        Ok(handle)
    }

    async fn handle(&self, id: DocId, what: &'static str) -> Result<DocHandle, NodeError> {
        // Ask samod only for documents this node holds: a search for one it
        // does not have is remembered as unavailable, and a copy adopted
        // later (a join completing, an import) would not be read.
        let held = self
            .store
            .docs()?
            .iter()
            .any(|(d, kind, _)| *d == id.to_string() && (kind == "space" || kind == "project"));
        if !held {
            return Err(NodeError::Missing {
                what,
                id: id.to_string(),
            });
        }
        self.repo
            .find(doc_id(id))
            .await
            .map_err(|_| NodeError::Stopped)?
            .ok_or(NodeError::Missing {
                what,
                id: id.to_string(),
            })
    }

    /// A held document's handle (any kind).
    pub(crate) async fn handle_of(&self, id: DocId) -> Result<DocHandle, NodeError> {
        self.handle(id, "document").await
    }

    /// A document a peer gave us (samod already stored it): remember it,
    /// complete joins waiting for it, update access.
    pub(crate) async fn found(
        &self,
        id: DocId,
        kind: &'static str,
        space: DocId,
    ) -> Result<(), NodeError> {
        self.store
            .remember_doc(&id.to_string(), kind, &space.to_string())?;
        if kind == "space" {
            self.complete_pending_joins().await?;
        }
        self.refresh_access().await
    }

    /// Take in a document's bytes from elsewhere (a bundle, a test):
    /// merged into the copy here, never replacing it.
    pub async fn receive(&self, id: DocId, bytes: &[u8]) -> Result<(), NodeError> {
        let kind = if load_document(bytes, DocKind::Space).is_ok() {
            DocKind::Space
        } else {
            load_document(bytes, DocKind::Project).map_err(|e| NodeError::Document {
                what: "document",
                id: id.to_string(),
                source: e,
            })?;
            DocKind::Project
        };
        let known = self
            .store
            .docs()?
            .iter()
            .any(|(d, kind, _)| *d == id.to_string() && (kind == "space" || kind == "project"));
        if known {
            let handle = self.handle(id, kind.name()).await?;
            handle
                .with_document(|d| d.load_incremental(bytes))
                .map_err(|e| NodeError::Document {
                    what: kind.name(),
                    id: id.to_string(),
                    source: yoriai_crdt::DocumentError::NotAutomerge {
                        reason: e.to_string(),
                    },
                })?;
        } else {
            let doc = load_document(bytes, kind).map_err(|e| NodeError::Document {
                what: kind.name(),
                id: id.to_string(),
                source: e,
            })?;
            let space = match kind {
                DocKind::Space => id,
                DocKind::Project => project_space(&doc, id).unwrap_or(id),
            };
            self.adopt(id, &doc, kind, space).await?;
        }
        if kind == DocKind::Space {
            self.complete_pending_joins().await?;
        }
        Ok(())
    }

    /// Write a bundle file's bytes: the space and all its projects held
    /// here, or the space and one project.
    pub async fn export(&self, space: DocId, project: Option<DocId>) -> Result<Vec<u8>, NodeError> {
        use yoriai_crdt::bundle::{self, BundleDoc};
        let mut docs = vec![BundleDoc {
            id: space,
            kind: DocKind::Space,
            bytes: self.document_bytes_of(space, "space").await?,
        }];
        let projects: Vec<DocId> = match project {
            Some(p) => {
                if self.space_of(p)? != space {
                    return Err(NodeError::NotFound(format!(
                        "project {p} is not in space {space}"
                    )));
                }
                vec![p]
            }
            None => self
                .store
                .docs()?
                .into_iter()
                .filter(|(_, kind, sp)| kind == "project" && *sp == space.to_string())
                .filter_map(|(id, _, _)| id.parse().ok())
                .collect(),
        };
        for p in projects {
            docs.push(BundleDoc {
                id: p,
                kind: DocKind::Project,
                bytes: self.document_bytes_of(p, "project").await?,
            });
        }
        Ok(bundle::write(now_ms(), space, project, &docs))
    }

    /// Merge a bundle file's documents into this device. Everything is
    /// checked before anything is merged; merging never drops or overwrites
    /// what is here, and importing the same file twice changes nothing.
    pub async fn import(&self, bytes: &[u8]) -> Result<ImportReport, NodeError> {
        let bundle = yoriai_crdt::bundle::read(bytes)?;
        let mut report = ImportReport {
            space: bundle.manifest.space,
            documents: bundle.documents.len(),
            new: 0,
            changed: 0,
        };
        let docs = bundle.documents;
        for d in docs {
            let held = self.store.docs()?.iter().any(|(id, kind, _)| {
                *id == d.id.to_string() && (kind == "space" || kind == "project")
            });
            let before = if held {
                Some(
                    self.handle(d.id, d.kind.name())
                        .await?
                        .with_document(|doc| doc.get_heads()),
                )
            } else {
                None
            };
            self.receive(d.id, &d.bytes).await?;
            match before {
                None => report.new += 1,
                Some(heads) => {
                    let after = self
                        .handle(d.id, d.kind.name())
                        .await?
                        .with_document(|doc| doc.get_heads());
                    if after != heads {
                        report.changed += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    async fn document_bytes_of(&self, id: DocId, what: &'static str) -> Result<Vec<u8>, NodeError> {
        let handle = self.handle(id, what).await?;
        Ok(handle.with_document(|d| d.save()))
    }

    /// The saved bytes of a document (for export and tests).
    pub async fn document_bytes(&self, id: DocId) -> Result<Vec<u8>, NodeError> {
        let handle = self.handle(id, "document").await?;
        Ok(handle.with_document(|d| d.save()))
    }

    async fn space(&self, id: DocId) -> Result<(DocHandle, SpaceState), NodeError> {
        let handle = self.handle(id, "space").await?;
        let state = handle
            .with_document(|d| SpaceState::from_doc(d, id))
            .map_err(|e| NodeError::Document {
                what: "space",
                id: id.to_string(),
                source: e,
            })?;
        Ok((handle, state))
    }

    /// Create a space; this device becomes its admin.
    pub async fn create_space(&self, name: &str, languages: &[String]) -> Result<DocId, NodeError> {
        let display = self.name_or_default()?;
        let actor = Actor {
            key: &self.key,
            now_ms: now_ms(),
        };
        let (id, doc) = command::create_space(
            &actor,
            Self::actor_id()?,
            name,
            &display,
            languages,
            random::<16>()?,
        )?;
        self.adopt(id, &doc, DocKind::Space, id).await?;
        Ok(id)
    }

    /// The space's read model.
    pub async fn space_overview(&self, id: DocId) -> Result<SpaceOverview, NodeError> {
        Ok(self.space(id).await?.1.read_model())
    }

    /// Make an invitation link.
    pub async fn invite(&self, space: DocId, new: NewInvitation) -> Result<Invitation, NodeError> {
        let (handle, state) = self.space(space).await?;
        let actor = Actor {
            key: &self.key,
            now_ms: now_ms(),
        };
        let secret = random::<32>()?;
        Ok(handle.with_document(|d| command::invite(d, &state, &actor, new, secret))?)
    }

    /// Join a space by an invitation link, offline if need be.
    pub async fn join(
        &self,
        link: &str,
        display_name: Option<&str>,
    ) -> Result<JoinOutcome, NodeError> {
        let name = match display_name {
            Some(n) => n.to_string(),
            None => self.name_or_default()?,
        };
        self.join_as(&self.key, link, &name).await
    }

    /// [`Node::join`] for another key held on this device.
    pub(crate) async fn join_as(
        &self,
        key: &DeviceKey,
        link: &str,
        name: &str,
    ) -> Result<JoinOutcome, NodeError> {
        let invitation = Invitation::parse(link)?;
        let actor = Actor {
            key,
            now_ms: now_ms(),
        };
        let records = command::join_records(&actor, &invitation, name)?;
        let raw: Vec<Vec<u8>> = records.iter().map(|r| r.bytes.clone()).collect();
        self.store
            .add_pending_join(&invitation.space.to_string(), &raw)?;
        self.complete_pending_joins().await?;
        let completed = self
            .store
            .pending_joins(&invitation.space.to_string())?
            .is_empty();
        if !completed {
            self.store.remember_doc(
                &invitation.space.to_string(),
                "space-awaited",
                &invitation.space.to_string(),
            )?;
        }
        self.refresh_access().await?;
        Ok(JoinOutcome {
            space: invitation.space,
            completed,
        })
    }

    /// Append join records waiting for spaces that are now here.
    async fn complete_pending_joins(&self) -> Result<(), NodeError> {
        let held: HashSet<String> = self
            .store
            .docs()?
            .into_iter()
            .filter(|(_, kind, _)| kind == "space")
            .map(|(id, _, _)| id)
            .collect();
        for space in self.store.spaces_with_pending_joins()? {
            if !held.contains(&space) {
                continue;
            }
            let Ok(id) = space.parse::<DocId>() else {
                continue;
            };
            let raw = self.store.pending_joins(&space)?;
            let records: Vec<SignedRecord> = raw
                .iter()
                .filter_map(|b| SignedRecord::decode(b).ok())
                .collect();
            let (handle, state) = self.space(id).await?;
            let result =
                handle.with_document(|d| command::append_join(d, &state, &records, now_ms()));
            match result {
                Ok(()) | Err(yoriai_crdt::CommandError::AlreadyMember(_)) => {
                    self.store.clear_pending_joins(&space)?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.refresh_access().await
    }

    /// Apply a space command.
    pub async fn space_command(
        &self,
        space: DocId,
        cmd: SpaceCommand,
    ) -> Result<RecordId, NodeError> {
        let (handle, state) = self.space(space).await?;
        let actor = Actor {
            key: &self.key,
            now_ms: now_ms(),
        };
        let id = handle.with_document(|d| command::apply_space(d, &state, &actor, cmd))?;
        self.refresh_access().await?;
        Ok(id)
    }

    /// Create a project in a space.
    pub async fn create_project(&self, space: DocId, new: &NewProject) -> Result<DocId, NodeError> {
        let (handle, state) = self.space(space).await?;
        let actor = Actor {
            key: &self.key,
            now_ms: now_ms(),
        };
        let actor_id = Self::actor_id()?;
        let nonce = random::<16>()?;
        let (id, doc) = handle
            .with_document(|d| command::create_project(d, &state, &actor, actor_id, new, nonce))?;
        self.adopt(id, &doc, DocKind::Project, space).await?;
        Ok(id)
    }

    fn space_of(&self, project: DocId) -> Result<DocId, NodeError> {
        self.store
            .docs()?
            .into_iter()
            .find(|(id, kind, _)| kind == "project" && *id == project.to_string())
            .and_then(|(_, _, space)| space.parse().ok())
            .ok_or(NodeError::Missing {
                what: "project",
                id: project.to_string(),
            })
    }

    async fn project_state(
        &self,
        project: DocId,
    ) -> Result<(DocHandle, SpaceState, ProjectState), NodeError> {
        let (_, space) = self.space(self.space_of(project)?).await?;
        let handle = self.handle(project, "project").await?;
        let trusted = self
            .verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let state = handle
            .with_document(|d| ProjectState::from_doc_trusting(d, project, &space, &trusted))
            .map_err(|e| NodeError::Document {
                what: "project",
                id: project.to_string(),
                source: e,
            })?;
        let new: Vec<RecordId> = state
            .verified_ids()
            .filter(|id| !trusted.contains(id))
            .copied()
            .collect();
        self.remember_verified(&new)?;
        Ok((handle, space, state))
    }

    fn remember_verified(&self, ids: &[RecordId]) -> Result<(), NodeError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.store.add_verified(ids.iter().map(|id| &id.0))?;
        self.verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(ids.iter().copied());
        Ok(())
    }

    /// Apply a project command (one Automerge change).
    pub async fn project_command(
        &self,
        project: DocId,
        cmd: ProjectCommand,
    ) -> Result<RecordId, NodeError> {
        self.project_command_as(&self.key, project, cmd).await
    }

    /// Several project commands in one storage write (an import): all are
    /// applied in order, or none if one is refused.
    pub async fn project_commands(
        &self,
        project: DocId,
        cmds: Vec<ProjectCommand>,
    ) -> Result<Vec<RecordId>, NodeError> {
        let (handle, space, mut state) = self.project_state(project).await?;
        let ids = handle.with_document(|d| {
            // Work on a fork so that a refusal part-way leaves nothing.
            let mut fork = d.fork();
            let mut ids = Vec::with_capacity(cmds.len());
            for cmd in cmds {
                let actor = Actor {
                    key: &self.key,
                    now_ms: now_ms(),
                };
                ids.push(apply_project(&mut fork, &space, &mut state, &actor, cmd)?);
            }
            d.merge(&mut fork)
                .map_err(|e| yoriai_crdt::CommandError::Invalid {
                    what: "document",
                    reason: e.to_string(),
                })?;
            Ok::<_, yoriai_crdt::CommandError>(ids)
        })?;
        self.remember_verified(&ids)?;
        Ok(ids)
    }

    /// [`Node::project_command`] signed by another key held on this device
    /// (the demo's residents).
    pub(crate) async fn project_command_as(
        &self,
        key: &DeviceKey,
        project: DocId,
        cmd: ProjectCommand,
    ) -> Result<RecordId, NodeError> {
        let (handle, space, mut state) = self.project_state(project).await?;
        let actor = Actor {
            key,
            now_ms: now_ms(),
        };
        let id = handle.with_document(|d| apply_project(d, &space, &mut state, &actor, cmd))?;
        self.remember_verified(&[id])?;
        Ok(id)
    }

    /// Sync every document this node holds with a relay (or any
    /// automerge-repo sync server) once, fetch the spaces it awaits and the
    /// projects its spaces list, then disconnect.
    pub async fn sync_once(
        &self,
        relay: &str,
        timeout: std::time::Duration,
    ) -> Result<SyncReport, NodeError> {
        use tokio::time::timeout as within;
        let url = url::Url::parse(relay).map_err(|e| NodeError::Sync {
            relay: relay.to_string(),
            detail: format!("not a WebSocket address ({e}); use ws://HOST:PORT"),
        })?;
        if !matches!(url.scheme(), "ws" | "wss") {
            return Err(NodeError::Sync {
                relay: relay.to_string(),
                detail: "use a ws:// or wss:// address".into(),
            });
        }
        let dialer = self
            .repo
            .dial_websocket(url, samod::BackoffConfig::default())
            .map_err(|_| NodeError::Stopped)?;
        let unreachable = |detail: String| NodeError::Sync {
            relay: relay.to_string(),
            detail,
        };
        match within(timeout, dialer.established()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                dialer.close();
                return Err(unreachable(format!("cannot connect: {e:?}")));
            }
            Err(_) => {
                dialer.close();
                return Err(unreachable(format!(
                    "no answer within {} s",
                    timeout.as_secs()
                )));
            }
        }
        let Some(conn) = dialer.connection_id() else {
            dialer.close();
            return Err(unreachable("the connection closed at once".into()));
        };
        let mut report = SyncReport {
            relay: relay.to_string(),
            synced: 0,
            fetched: 0,
            unfinished: Vec::new(),
        };
        let exchange = |handle: DocHandle| async move {
            let ours = within(timeout, handle.they_have_our_changes(conn))
                .await
                .is_ok();
            let theirs = within(timeout, handle.we_have_their_changes(conn))
                .await
                .is_ok();
            ours && theirs
        };
        // Spaces first (awaited ones are fetched), then their projects.
        for pass in ["space", "project"] {
            let mut wanted: Vec<(String, String, String)> = self
                .store
                .docs()?
                .into_iter()
                .filter(|(_, kind, _)| kind.starts_with(pass))
                .collect();
            if pass == "project" {
                for (space, _, _) in self
                    .store
                    .docs()?
                    .into_iter()
                    .filter(|(_, k, _)| k == "space")
                {
                    let Ok(id) = space.parse::<DocId>() else {
                        continue;
                    };
                    if let Ok(overview) = self.space_overview(id).await {
                        for p in overview.projects {
                            let pid = p.project.to_string();
                            if !wanted.iter().any(|(d, _, _)| *d == pid) {
                                wanted.push((pid, "project-listed".into(), space.clone()));
                            }
                        }
                    }
                }
            }
            for (id, kind, space) in wanted {
                let Ok(doc) = id.parse::<DocId>() else {
                    continue;
                };
                let held = kind == "space" || kind == "project";
                let found = within(timeout, self.repo.find(doc_id(doc)))
                    .await
                    .ok()
                    .and_then(|r| r.ok())
                    .flatten();
                let Some(handle) = found else {
                    report.unfinished.push(id);
                    continue;
                };
                if !held {
                    self.store.remember_doc(&id, pass, &space)?;
                    report.fetched += 1;
                }
                if exchange(handle).await {
                    report.synced += 1;
                } else {
                    report.unfinished.push(id);
                }
            }
            if pass == "space" {
                self.complete_pending_joins().await?;
                // A join just appended goes out in this same session.
                for (id, _, _) in self
                    .store
                    .docs()?
                    .into_iter()
                    .filter(|(_, k, _)| k == "space")
                {
                    if let Ok(doc) = id.parse::<DocId>() {
                        if let Ok(handle) = self.handle(doc, "space").await {
                            let _ = exchange(handle).await;
                        }
                    }
                }
            }
        }
        dialer.close();
        self.refresh_access().await?;
        Ok(report)
    }

    /// The project's judged state, for lookups.
    pub async fn project(&self, project: DocId) -> Result<(SpaceState, ProjectState), NodeError> {
        let (_, space, state) = self.project_state(project).await?;
        Ok((space, state))
    }

    /// Everything a screen shows of a project.
    pub async fn show(
        &self,
        project: DocId,
    ) -> Result<(SpaceOverview, ProjectSnapshot), NodeError> {
        let (space, state) = self.project(project).await?;
        Ok((space.read_model(), state.snapshot(&space)))
    }
}

fn project_space(doc: &Automerge, id: DocId) -> Option<DocId> {
    let raw = yoriai_crdt::document::raw_records(doc).ok()?;
    raw.iter()
        .filter_map(|b| SignedRecord::decode(b).ok())
        .find(|r| id.is_certified_by(&r.id))
        .and_then(|r| match r.body.payload {
            yoriai_crdt::record::Payload::CreateProject { space, .. } => Some(space),
            _ => None,
        })
}

/// Take the home's lock file, so two processes never share one store.
fn lock_home(home: &Path) -> Result<std::fs::File, NodeError> {
    use std::io::{Read, Seek, Write};
    let path = home.join("lock");
    let io = |e: std::io::Error| {
        NodeError::Store(crate::error::StoreError::Io {
            path: path.clone(),
            source: e,
        })
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            return Err(NodeError::Busy {
                home: home.to_path_buf(),
                pid: (!pid.is_empty()).then(|| pid.to_string()),
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    write!(file, "{}", std::process::id()).map_err(io)?;
    Ok(file)
}
