//! The node behind a screen: answers [`Request`]s from `yoriai_crdt::api`
//! with read models, and pushes [`Event`]s when documents change (locally
//! or by sync) or the sync status moves.
//!
//! The desktop app runs one [`Service`] in-process and carries it over
//! Tauri; the service itself knows nothing of any UI toolkit. It owns the
//! device's sync: the LAN service ([`crate::lan`]) and, when a relay is
//! set, a sync with it every [`RELAY_EVERY`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use yoriai_crdt::api::{
    ApiError, ErrorKind, Event, IdeaPage, InsightPage, InvitationLink, LanState, Opened, PeerInfo,
    ProjectPage, RelayStatus, Request, Response, Session, SpaceHome, SpaceSummary, SyncStatus,
    TabletsLink, Visit,
};
use yoriai_crdt::command::{NewInvitation, NewProject};
use yoriai_crdt::{DocId, SpaceCommand};

use crate::lan::{Lan, LanOptions, SyncState};
use crate::{now_ms, Node, NodeError};

/// How often the relay is synced with while one is set.
pub const RELAY_EVERY: Duration = Duration::from_secs(15);
/// How often documents and sync status are checked for changes.
const WATCH_EVERY: Duration = Duration::from_millis(400);
/// How long one relay sync may take.
const RELAY_TIMEOUT: Duration = Duration::from_secs(10);

/// Each document's heads, to notice changes.
type Heads = HashMap<DocId, Vec<yoriai_crdt::automerge::ChangeHash>>;

/// Where "Let tablets join" listens first (all addresses, so tablets on
/// the Wi-Fi reach it); another free port if it is taken.
pub const TABLETS_LISTEN: &str = "0.0.0.0:8480";

/// How the service runs.
#[derive(Debug, Clone, Default)]
pub struct ServiceOptions {
    /// Run the LAN service with these options (`None`: no LAN sync).
    pub lan: Option<LanOptions>,
    /// The web app to serve tablets ("Let tablets join"); `None`: the
    /// request is refused.
    pub web: Option<crate::web::WebAssets>,
    /// Where to serve tablets (default [`TABLETS_LISTEN`]).
    pub tablets_listen: Option<std::net::SocketAddr>,
}

#[derive(Debug, Default)]
struct SyncParts {
    lan: LanState,
    relay: Option<RelayStatus>,
    peers: Vec<PeerInfo>,
    last_sync_ms: Option<i64>,
}

/// A running node service. Stop it with [`Service::shutdown`].
#[derive(Debug)]
pub struct Service {
    node: Arc<Node>,
    lan: tokio::sync::Mutex<Option<Lan>>,
    sync: Arc<Mutex<SyncParts>>,
    events: broadcast::Sender<Event>,
    relay_kick: tokio::sync::Notify,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    web: Option<crate::web::WebAssets>,
    tablets_listen: Option<std::net::SocketAddr>,
    tablets: tokio::sync::Mutex<Option<crate::web::WebServer>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> Self {
        let kind = match &e {
            NodeError::Command(c) => return c.clone().into(),
            NodeError::Store(_) | NodeError::Key(_) | NodeError::Busy { .. } => ErrorKind::Storage,
            NodeError::Missing { .. } | NodeError::NotFound(_) => ErrorKind::NotFound,
            NodeError::Sync { .. } | NodeError::Lan(_) => ErrorKind::Network,
            NodeError::Invitation(_) | NodeError::Bundle(_) => ErrorKind::Invalid,
            _ => ErrorKind::Other,
        };
        ApiError {
            kind,
            detail: e.to_string(),
        }
    }
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError {
        kind: ErrorKind::Invalid,
        detail: detail.into(),
    }
}

impl Service {
    /// Start the service on an open node: the LAN service (if asked), the
    /// relay loop and the change watcher.
    pub async fn start(node: Arc<Node>, options: ServiceOptions) -> Arc<Service> {
        let (events, _) = broadcast::channel(64);
        let service = Arc::new(Service {
            node: node.clone(),
            lan: tokio::sync::Mutex::new(None),
            sync: Arc::new(Mutex::new(SyncParts::default())),
            events,
            relay_kick: tokio::sync::Notify::new(),
            tasks: Mutex::new(Vec::new()),
            web: options.web.clone(),
            tablets_listen: options.tablets_listen,
            tablets: tokio::sync::Mutex::new(None),
        });
        if let Some(opts) = options.lan {
            match Lan::start(node.clone(), opts).await {
                Ok(lan) => {
                    lock(&service.sync).lan = LanState::On;
                    *service.lan.lock().await = Some(lan);
                }
                Err(e) => {
                    tracing::warn!("LAN sync could not start: {e}");
                    lock(&service.sync).lan = LanState::Failed(e.to_string());
                }
            }
        }
        if let Ok(Some(url)) = node.meta("relay") {
            if !url.is_empty() {
                lock(&service.sync).relay = Some(RelayStatus {
                    url,
                    reachable: false,
                    last_ok_ms: None,
                    error: None,
                });
            }
        }
        // The baseline now, so that a change made right after start (an
        // import, a sync) is told too.
        let heads = Self::all_heads(&node).await.unwrap_or_default();
        let watcher = tokio::spawn(Self::watch(Arc::downgrade(&service), heads));
        let relay = tokio::spawn(Self::relay_loop(Arc::downgrade(&service)));
        lock(&service.tasks).extend([watcher, relay]);
        service
    }

    /// Stop syncing and give the node back (to close it).
    pub async fn shutdown(&self) -> Arc<Node> {
        for t in lock(&self.tasks).drain(..) {
            t.abort();
        }
        if let Some(lan) = self.lan.lock().await.take() {
            lan.shutdown().await;
        }
        if let Some(web) = self.tablets.lock().await.take() {
            web.shutdown().await;
        }
        self.node.clone()
    }

    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// Events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// The sync status now.
    pub fn sync_status(&self) -> SyncStatus {
        let parts = lock(&self.sync);
        let mut s = SyncStatus {
            state: Default::default(),
            last_sync_ms: parts.last_sync_ms,
            relay: parts.relay.clone(),
            lan: parts.lan.clone(),
            peers: parts.peers.clone(),
        };
        s.summarise();
        s
    }

    /// Answer one request.
    pub async fn handle(&self, request: Request) -> Result<Response, ApiError> {
        let node = &self.node;
        let me = node.member();
        let changed = |docs: Vec<DocId>| {
            let _ = self.events.send(Event::Changed { docs });
        };
        Ok(match request {
            Request::Session => Response::Session(self.session().await?),
            Request::SetDisplayName { name } => {
                node.set_display_name(&name)?;
                // Also in every space this device belongs to.
                for space in self.spaces().await? {
                    if space.role.is_some() {
                        node.space_command(
                            space.id,
                            SpaceCommand::SetProfile {
                                display_name: name.clone(),
                            },
                        )
                        .await?;
                        changed(vec![space.id]);
                    }
                }
                Response::Session(self.session().await?)
            }
            Request::SetRelay { relay } => {
                let relay = relay
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty());
                if let Some(r) = &relay {
                    let ok = url::Url::parse(r)
                        .map(|u| matches!(u.scheme(), "ws" | "wss") && u.host().is_some());
                    if ok != Ok(true) {
                        return Err(invalid(format!(
                            "'{r}' is not a relay address; use ws://HOST:PORT"
                        )));
                    }
                }
                node.set_meta("relay", relay.as_deref().unwrap_or(""))?;
                lock(&self.sync).relay = relay.map(|url| RelayStatus {
                    url,
                    reachable: false,
                    last_ok_ms: None,
                    error: None,
                });
                self.relay_kick.notify_one();
                Response::Session(self.session().await?)
            }
            Request::CreateSpace { name, languages } => {
                let space = node.create_space(&name, &languages).await?;
                self.lan_refresh().await;
                changed(vec![space]);
                Response::Opened(Opened {
                    space,
                    project: None,
                    arrived: true,
                })
            }
            Request::JoinSpace { link } => {
                let outcome = node.join(link.trim(), None).await?;
                self.lan_refresh().await;
                self.relay_kick.notify_one();
                changed(vec![outcome.space]);
                Response::Opened(Opened {
                    space: outcome.space,
                    project: None,
                    arrived: outcome.completed,
                })
            }
            Request::LoadDemo => {
                let (space, project) = crate::demo::seed(node).await?;
                self.lan_refresh().await;
                changed(vec![space, project]);
                Response::Opened(Opened {
                    space,
                    project: Some(project),
                    arrived: true,
                })
            }
            Request::Space { space } => Response::Space(self.space_home(space).await?),
            Request::Invite {
                space,
                role,
                max_uses,
                note,
            } => {
                // A joiner far from the LAN can fetch the space from the
                // relay this device uses.
                let relays: Vec<String> = lock(&self.sync)
                    .relay
                    .iter()
                    .map(|r| r.url.clone())
                    .collect();
                let inv = node
                    .invite(
                        space,
                        NewInvitation {
                            role,
                            max_uses,
                            note,
                            relays,
                        },
                    )
                    .await?;
                changed(vec![space]);
                Response::Invitation(InvitationLink {
                    id: inv.invite_record().map_err(|e| invalid(e.to_string()))?.id,
                    link: inv.to_link(),
                    web: inv.relay_web_addresses(),
                    role,
                })
            }
            Request::SpaceCommand { space, command } => {
                let id = node.space_command(space, command).await?;
                self.lan_refresh().await;
                changed(vec![space]);
                Response::Recorded(id)
            }
            Request::CreateProject {
                space,
                title,
                description,
                phases,
            } => {
                let project = node
                    .create_project(
                        space,
                        &NewProject {
                            title,
                            description,
                            phases,
                        },
                    )
                    .await?;
                self.lan_refresh().await;
                changed(vec![space, project]);
                Response::Opened(Opened {
                    space,
                    project: Some(project),
                    arrived: true,
                })
            }
            Request::Project { project, sort } => {
                let (space, state) = node.project(project).await?;
                let visit = self.visit(project)?;
                Response::Project(Box::new(ProjectPage::build(
                    &space, &state, &me, sort, visit,
                )))
            }
            Request::Insight { project } => {
                let (space, state) = node.project(project).await?;
                // The analysis and topics take tens of milliseconds on a
                // big discussion: off the async workers.
                let seed = yoriai_crdt::api::routing_seed(&me);
                let page = tokio::task::spawn_blocking(move || {
                    InsightPage::build(&space, &state, &me, seed)
                })
                .await
                .map_err(|e| ApiError {
                    kind: ErrorKind::Other,
                    detail: format!("the analysis stopped: {e}"),
                })?;
                Response::Insight(Box::new(page))
            }
            Request::Idea { project, idea } => {
                let (space, state) = node.project(project).await?;
                let page = IdeaPage::build(&space, &state, &me, &idea).ok_or(ApiError {
                    kind: ErrorKind::NotFound,
                    detail: format!("no visible idea {idea}"),
                })?;
                Response::Idea(Box::new(page))
            }
            Request::ProjectCommand { project, command } => {
                let id = node.project_command(project, command).await?;
                changed(vec![project]);
                Response::Recorded(id)
            }
            Request::Visited { project } => {
                let (_, state) = node.project(project).await?;
                let visit = Visit::now(&state, &node.member());
                node.set_meta(
                    &format!("visit:{project}"),
                    &serde_json::to_string(&visit).unwrap_or_default(),
                )?;
                Response::Done
            }
            Request::LetTabletsJoin { space } => {
                Response::Tablets(self.let_tablets_join(space).await?)
            }
            Request::StopTablets => {
                if let Some(web) = self.tablets.lock().await.take() {
                    web.shutdown().await;
                }
                Response::Done
            }
            Request::SyncNow => {
                self.relay_kick.notify_one();
                if let Some(lan) = self.lan.lock().await.as_ref() {
                    let _ = lan.settle(0, Duration::from_secs(2)).await;
                }
                self.refresh_sync().await;
                Response::Sync(self.sync_status())
            }
        })
    }

    /// Serve tablets (if not yet) and make a fresh resident invitation.
    async fn let_tablets_join(&self, space: DocId) -> Result<TabletsLink, ApiError> {
        let Some(assets) = self.web.clone() else {
            return Err(ApiError {
                kind: ErrorKind::Other,
                detail: "this build has no web app to serve tablets".into(),
            });
        };
        // Staff only: the same rule as any invitation, checked first.
        let state = self.node.space_state(space).await?;
        if !yoriai_crdt::api::Capabilities::of(state.current_role(&self.node.member())).invite {
            return Err(ApiError {
                kind: ErrorKind::NotAllowed,
                detail: "only staff can let tablets join".into(),
            });
        }
        let mut running = self.tablets.lock().await;
        if running.is_none() {
            let preferred = self
                .tablets_listen
                .unwrap_or_else(|| TABLETS_LISTEN.parse().unwrap_or_else(|_| unreachable!()));
            let start = |listen| {
                crate::web::serve(
                    self.node.clone(),
                    crate::web::WebOptions {
                        listen,
                        assets: assets.clone(),
                    },
                )
            };
            let server = match start(preferred).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::info!("{e}; using another port");
                    let mut any = preferred;
                    any.set_port(0);
                    start(any).await?
                }
            };
            *running = Some(server);
        }
        let addr = running.as_ref().map(|s| s.addr()).ok_or(ApiError {
            kind: ErrorKind::Other,
            detail: "the tablets server stopped".into(),
        })?;
        drop(running);
        let relays: Vec<String> = lock(&self.sync)
            .relay
            .iter()
            .map(|r| r.url.clone())
            .collect();
        let inv = self
            .node
            .invite(
                space,
                yoriai_crdt::command::NewInvitation {
                    role: yoriai_crdt::Role::Resident,
                    max_uses: None,
                    note: "tablets".into(),
                    relays,
                },
            )
            .await?;
        let _ = self.events.send(Event::Changed { docs: vec![space] });
        Ok(TabletsLink {
            urls: crate::web::join_urls(addr, &inv),
            invitation: inv.invite_record().map_err(|e| invalid(e.to_string()))?.id,
        })
    }

    fn visit(&self, project: DocId) -> Result<Option<Visit>, ApiError> {
        Ok(self
            .node
            .meta(&format!("visit:{project}"))?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    async fn lan_refresh(&self) {
        // The LAN service reads access from the node on its own tick; a
        // new document only needs the node's access table updated.
        if let Err(e) = self.node.refresh_access().await {
            tracing::warn!("access table not refreshed: {e}");
        }
    }

    /// Spaces held here, and spaces joined that have not arrived.
    async fn spaces(&self) -> Result<Vec<SpaceSummary>, ApiError> {
        let node = &self.node;
        let me = node.member();
        let mut out = Vec::new();
        let docs = node.documents()?;
        for doc in &docs {
            if doc.kind != "space" {
                continue;
            }
            let Ok(id) = doc.id.parse::<DocId>() else {
                continue;
            };
            match node.space_state(id).await {
                Ok(state) => {
                    let o = state.read_model();
                    out.push(SpaceSummary {
                        id,
                        name: Some(o.name),
                        role: state.current_role(&me),
                        projects: o.projects.len(),
                    });
                }
                Err(e) => tracing::warn!("space {id} unreadable: {e}"),
            }
        }
        let awaited = docs
            .iter()
            .filter(|d| d.kind == "space-awaited")
            .filter_map(|d| d.id.parse::<DocId>().ok());
        for id in awaited {
            if !out.iter().any(|s| s.id == id) {
                out.push(SpaceSummary {
                    id,
                    name: None,
                    role: None,
                    projects: 0,
                });
            }
        }
        Ok(out)
    }

    async fn session(&self) -> Result<Session, ApiError> {
        let spaces = self.spaces().await?;
        let relay = lock(&self.sync).relay.as_ref().map(|r| r.url.clone());
        Ok(Session {
            member: self.node.member(),
            display_name: self.node.display_name()?,
            spaces,
            relay,
            sync: self.sync_status(),
        })
    }

    async fn space_home(&self, space: DocId) -> Result<SpaceHome, ApiError> {
        let node = &self.node;
        let state = node.space_state(space).await?;
        let mut held = Vec::new();
        for listing in state.read_model().projects {
            let p = node.project(listing.project).await.ok().map(|(_, p)| p);
            held.push((listing.project, p, self.visit(listing.project)?));
        }
        let refs: Vec<_> = held
            .iter()
            .map(|(id, p, v)| (*id, p.as_ref(), *v))
            .collect();
        Ok(SpaceHome::build(&state, &node.member(), &refs))
    }

    /// Recompute the LAN part of the status.
    async fn refresh_sync(&self) {
        let status = match self.lan.lock().await.as_ref() {
            Some(lan) => lan.status().await.ok(),
            None => None,
        };
        if let Some(status) = status {
            let mut parts = lock(&self.sync);
            parts.peers = status
                .peers
                .iter()
                .filter(|p| !p.stranger && (p.connected || p.nearby))
                .filter_map(|p| {
                    Some(PeerInfo {
                        member: p.member.parse().ok()?,
                        name: p.name.clone(),
                        connected: p.connected,
                        up_to_date: p.spaces.iter().all(|s| s.state == SyncState::UpToDate),
                    })
                })
                .collect();
            let lan_last = status
                .peers
                .iter()
                .flat_map(|p| p.spaces.iter().filter_map(|s| s.last_synced_ms))
                .max();
            parts.last_sync_ms = parts.last_sync_ms.max(lan_last);
        }
    }

    async fn relay_loop(me: std::sync::Weak<Service>) {
        loop {
            let Some(service) = me.upgrade() else { return };
            let url = lock(&service.sync).relay.as_ref().map(|r| r.url.clone());
            if let Some(url) = url {
                let result = service.node.sync_once(&url, RELAY_TIMEOUT).await;
                let mut changed = false;
                {
                    let mut parts = lock(&service.sync);
                    if let Some(r) = parts.relay.as_mut().filter(|r| r.url == url) {
                        let before = r.clone();
                        match &result {
                            Ok(_) => {
                                r.reachable = true;
                                r.last_ok_ms = Some(now_ms());
                                r.error = None;
                            }
                            Err(e) => {
                                r.reachable = false;
                                r.error = Some(e.to_string());
                            }
                        }
                        changed = before.reachable != r.reachable || before.error != r.error;
                        if result.is_ok() {
                            parts.last_sync_ms = Some(now_ms());
                        }
                    }
                }
                if changed {
                    let _ = service.events.send(Event::Sync {
                        status: service.sync_status(),
                    });
                }
            }
            let kick = async { service.relay_kick.notified().await };
            let _ = tokio::time::timeout(RELAY_EVERY, kick).await;
        }
    }

    /// The heads of every document held (`None` if the store cannot be
    /// read now: the watcher keeps what it had and tries next tick).
    async fn all_heads(node: &Node) -> Option<Heads> {
        match node.all_heads().await {
            Ok(h) => Some(h.into_iter().collect()),
            Err(e) => {
                tracing::warn!("documents not checked for changes: {e}");
                None
            }
        }
    }

    /// Notice changed documents (by heads, from `heads` on) and sync
    /// status, and tell.
    async fn watch(me: std::sync::Weak<Service>, mut heads: Heads) {
        let mut last_status: Option<SyncStatus> = None;
        loop {
            tokio::time::sleep(WATCH_EVERY).await;
            let Some(service) = me.upgrade() else { return };
            let Some(now) = Self::all_heads(&service.node).await else {
                continue;
            };
            let changed: Vec<DocId> = now
                .iter()
                .filter(|(id, h)| heads.get(*id) != Some(*h))
                .map(|(id, _)| *id)
                .collect();
            heads = now;
            if !changed.is_empty() {
                let _ = service.events.send(Event::Changed { docs: changed });
            }
            service.refresh_sync().await;
            let status = service.sync_status();
            if last_status.as_ref() != Some(&status) {
                let _ = service.events.send(Event::Sync {
                    status: status.clone(),
                });
                last_status = Some(status);
            }
        }
    }
}
