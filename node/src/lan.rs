//! Sync on the local network, with no internet: iroh peer-to-peer.
//!
//! The node runs an iroh endpoint whose key is the device's member key, so
//! a peer's endpoint id *is* its member id, proven by the QUIC handshake.
//! Peers on the same network find each other by mDNS (service `yoriai`);
//! where multicast is blocked, addresses can be given by hand
//! ([`LanOptions::peers`]). By default nothing leaves the local network: no
//! n0 relays, no address publishing, no UPnP; [`LanOptions::internet`] turns
//! relaying and hole punching on.
//!
//! Two protocols run on the endpoint:
//! - `yoriai/sync/1`: samod's automerge-repo sync over one QUIC stream,
//!   bound to the peer's authenticated id. [`crate::access`] decides which
//!   documents each member may sync; strangers get none.
//! - `yoriai/knock/1`: a device that joined a space offline (by invitation
//!   link) and does not have the space yet hands its signed join records to
//!   a peer that has the space. The peer checks them exactly as the domain
//!   would (on a fork of the space) and appends them; the joiner is then a
//!   member and syncs like anyone else.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt, TryStreamExt};
use iroh::endpoint::presets;
use iroh::{Endpoint, EndpointAddr, EndpointId, RelayMode, SecretKey};
use iroh_mdns_address_lookup::{DiscoveryEvent, MdnsAddressLookup};
use samod::{AcceptorHandle, DialError, Dialer, DialerHandle, DocHandle, Transport};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use tokio_util::codec::{Framed, LengthDelimitedCodec};
use yoriai_crdt::automerge::ReadDoc;
use yoriai_crdt::record::SignedRecord;
use yoriai_crdt::{command, DocId, MemberId, SpaceState};

use crate::access::iroh_peer_id;
use crate::node::doc_id;
use crate::{now_ms, Node, NodeError};

/// The sync protocol's ALPN.
pub const SYNC_ALPN: &[u8] = b"yoriai/sync/1";
/// The knock protocol's ALPN.
pub const KNOCK_ALPN: &[u8] = b"yoriai/knock/1";
/// The mDNS service name Yoriai nodes announce.
pub const MDNS_SERVICE: &str = "yoriai";
/// The largest sync message accepted from a peer.
pub const MAX_FRAME_BYTES: usize = 16 << 20;
const MAX_KNOCK_BYTES: usize = 64 << 10;
const MAX_JOIN_RECORDS: usize = 8;
const TICK: Duration = Duration::from_millis(500);
const KNOCK_RETRY: Duration = Duration::from_secs(5);

/// How the LAN service runs.
#[derive(Debug, Clone)]
pub struct LanOptions {
    /// Find peers by mDNS on the local network (default on).
    pub mdns: bool,
    /// Use n0's public relays and address lookup, and hole punching, where
    /// the internet is reachable (default off: nothing leaves the LAN).
    pub internet: bool,
    /// UDP port to listen on (0: any free port).
    pub port: u16,
    /// Peers to dial without discovery (`ID@IP:PORT`).
    pub peers: Vec<EndpointAddr>,
}

impl Default for LanOptions {
    fn default() -> Self {
        LanOptions {
            mdns: true,
            internet: false,
            port: 0,
            peers: Vec::new(),
        }
    }
}

/// Parse `ID@IP:PORT` (as `yoriai peers` prints this device's address).
pub fn parse_peer(text: &str) -> Result<EndpointAddr, NodeError> {
    let bad = |why: &str| {
        NodeError::Lan(format!("'{text}' is not a peer address ({why}); write MEMBER-ID@IP:PORT as `yoriai peers` shows it"))
    };
    let (id, addr) = text.split_once('@').ok_or_else(|| bad("no '@'"))?;
    let member: MemberId = id.parse().map_err(|_| bad("the id is not a member id"))?;
    let id = endpoint_of(&member).ok_or_else(|| bad("the id is not a valid key"))?;
    let addr: SocketAddr = addr
        .parse()
        .map_err(|_| bad("the address is not IP:PORT"))?;
    Ok(EndpointAddr::new(id).with_ip_addr(addr))
}

/// The Yoriai id of a samod document id (all of ours are 16 bytes).
fn doc_of(doc: &samod::DocumentId) -> Result<DocId, ()> {
    <[u8; 16]>::try_from(doc.as_bytes())
        .map(DocId)
        .map_err(|_| ())
}

/// A member's iroh endpoint id.
pub fn endpoint_of(member: &MemberId) -> Option<EndpointId> {
    EndpointId::from_bytes(&member.0).ok()
}

/// An endpoint's member id.
pub fn member_of(endpoint: &EndpointId) -> MemberId {
    MemberId(*endpoint.as_bytes())
}

/// How a space stands with one peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncState {
    /// Both have every change of every document of the space.
    UpToDate,
    /// Connected, changes still moving.
    Syncing,
    /// Not connected now.
    NotConnected,
}

/// One shared space with one peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceSync {
    /// The space.
    pub space: String,
    /// Its name.
    pub space_name: String,
    /// How it stands.
    pub state: SyncState,
    /// When it was last up to date with this peer (ms since the epoch).
    pub last_synced_ms: Option<i64>,
}

/// A peer this node found or talked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerStatus {
    /// Its member id (= iroh endpoint id).
    pub member: String,
    /// Its display name, from a shared space.
    pub name: Option<String>,
    /// Addresses it was found at.
    pub addrs: Vec<String>,
    /// Seen on the network now.
    pub nearby: bool,
    /// A sync connection is open.
    pub connected: bool,
    /// Not a member of any space this device holds: it gets nothing.
    pub stranger: bool,
    /// The spaces both belong to.
    pub spaces: Vec<SpaceSync>,
}

/// What `yoriai peers` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanStatus {
    /// This device's member id.
    pub me: String,
    /// Where this device listens (`ID@IP:PORT`, for `--peer`).
    pub listening: Vec<String>,
    /// Peers.
    pub peers: Vec<PeerStatus>,
    /// Documents awaited (a join not complete, a project not fetched).
    pub awaiting: Vec<String>,
    /// Strangers refused.
    pub refused: Vec<crate::access::Refusal>,
    /// When this was taken.
    pub at_ms: i64,
    /// When the LAN service started.
    pub since_ms: i64,
}

#[derive(Debug, Default)]
struct Peer {
    addr: Option<EndpointAddr>,
    nearby: bool,
    dialer: Option<DialerHandle<DialFailed>>,
    /// Knocks sent, per awaited space, and when (to retry a peer that did
    /// not have the space yet).
    knocked: HashMap<DocId, std::time::Instant>,
}

#[derive(Debug, Default)]
struct Shared {
    peers: HashMap<EndpointId, Peer>,
    /// Documents being searched for (one search each).
    searching: HashSet<DocId>,
    /// Held documents kept active in samod.
    active: HashMap<DocId, DocHandle>,
    /// Last time each (peer, space) was up to date, persisted in the store.
    synced: HashMap<(MemberId, DocId), i64>,
    /// Last persisted value of `synced`.
    saved: HashMap<(MemberId, DocId), i64>,
    /// Search tasks, stopped with the service.
    tasks: Vec<JoinHandle<()>>,
}

/// The running LAN service. Stop it with [`Lan::shutdown`].
#[derive(Debug)]
pub struct Lan {
    node: Arc<Node>,
    endpoint: Endpoint,
    acceptor: AcceptorHandle,
    shared: Arc<Mutex<Shared>>,
    tasks: Vec<JoinHandle<()>>,
    since_ms: i64,
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

impl Lan {
    /// Start the endpoint, discovery and the sync loop.
    pub async fn start(node: Arc<Node>, options: LanOptions) -> Result<Lan, NodeError> {
        let secret = SecretKey::from_bytes(&node.key().secret());
        let mut builder = if options.internet {
            Endpoint::builder(presets::N0)
        } else {
            Endpoint::builder(presets::Minimal).relay_mode(RelayMode::Disabled)
        };
        builder = builder
            .secret_key(secret)
            .alpns(vec![SYNC_ALPN.to_vec(), KNOCK_ALPN.to_vec()]);
        if options.port != 0 {
            builder = builder
                .bind_addr(SocketAddr::from(([0, 0, 0, 0], options.port)))
                .map_err(|e| NodeError::Lan(format!("port {}: {e}", options.port)))?;
        }
        let endpoint = builder
            .bind()
            .await
            .map_err(|e| NodeError::Lan(format!("cannot open the network endpoint: {e}")))?;
        let acceptor = node
            .repo()
            .make_acceptor(
                url::Url::parse("iroh://local").map_err(|e| NodeError::Lan(e.to_string()))?,
            )
            .map_err(|_| NodeError::Stopped)?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        {
            let mut s = lock(&shared);
            for addr in &options.peers {
                s.peers.insert(
                    addr.id,
                    Peer {
                        addr: Some(addr.clone()),
                        nearby: true,
                        ..Peer::default()
                    },
                );
            }
            s.synced = node.store().lan_synced()?;
            s.saved = s.synced.clone();
        }
        let mut tasks = Vec::new();
        if options.mdns {
            let mdns = MdnsAddressLookup::builder()
                .service_name(MDNS_SERVICE)
                .build(endpoint.id())
                .map_err(|e| NodeError::Lan(format!("local discovery (mDNS) failed: {e}")))?;
            endpoint
                .address_lookup()
                .map_err(|e| NodeError::Lan(e.to_string()))?
                .add(mdns.clone());
            let events = mdns.subscribe().await;
            tasks.push(tokio::spawn(discover(events, shared.clone(), mdns)));
        }
        tasks.push(tokio::spawn(accept_loop(
            endpoint.clone(),
            node.clone(),
            acceptor.clone(),
        )));
        tasks.push(tokio::spawn(manage(
            endpoint.clone(),
            node.clone(),
            shared.clone(),
        )));
        Ok(Lan {
            node,
            endpoint,
            acceptor,
            shared,
            tasks,
            since_ms: now_ms(),
        })
    }

    /// This device's endpoint id.
    pub fn id(&self) -> EndpointId {
        self.endpoint.id()
    }

    /// Where this device listens, as `ID@IP:PORT` strings.
    pub fn listening(&self) -> Vec<String> {
        let me = self.node.member();
        let mut out: Vec<String> = self
            .endpoint
            .bound_sockets()
            .into_iter()
            .flat_map(expand_unspecified)
            .map(|s| format!("{me}@{s}"))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Peers and how each shared space stands with them.
    pub async fn status(&self) -> Result<LanStatus, NodeError> {
        status(&self.node, &self.shared, self.listening(), self.since_ms).await
    }

    /// Wait until every member peer in sight is up to date on every shared
    /// space, nothing awaited remains, and at least `expect` member peers
    /// were synced; or until `timeout`.
    pub async fn settle(&self, expect: usize, timeout: Duration) -> Result<LanStatus, NodeError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let status = self.status().await?;
            if settled(&status, expect) || tokio::time::Instant::now() >= deadline {
                return Ok(status);
            }
            tokio::time::sleep(TICK).await;
        }
    }

    /// Stop dialing and accepting, close connections, save sync times.
    pub async fn shutdown(self) -> Arc<Node> {
        for t in &self.tasks {
            t.abort();
        }
        for t in std::mem::take(&mut lock(&self.shared).tasks) {
            t.abort();
        }
        let dialers: Vec<DialerHandle<DialFailed>> = lock(&self.shared)
            .peers
            .values_mut()
            .filter_map(|p| p.dialer.take())
            .collect();
        for d in dialers {
            d.close();
        }
        self.acceptor.close();
        let _ = persist_synced(&self.node, &self.shared);
        self.endpoint.close().await;
        self.node
    }
}

/// Whether a status means "done" for `sync --lan`: nothing awaited, every
/// member connected now is up to date on every shared space, and at least
/// `expect` members were brought up to date since the service started
/// (peers that synced and left count; peers never reached do not).
pub fn settled(status: &LanStatus, expect: usize) -> bool {
    let members = || {
        status
            .peers
            .iter()
            .filter(|p| !p.stranger && !p.spaces.is_empty())
    };
    let connected_up = members()
        .filter(|p| p.connected)
        .all(|p| p.spaces.iter().all(|s| s.state == SyncState::UpToDate));
    let synced = members()
        .filter(|p| {
            p.spaces
                .iter()
                .all(|s| s.last_synced_ms.is_some_and(|t| t >= status.since_ms))
        })
        .count();
    connected_up && status.awaiting.is_empty() && synced >= expect
}

fn expand_unspecified(s: SocketAddr) -> Vec<SocketAddr> {
    if !s.ip().is_unspecified() {
        return vec![s];
    }
    let v4 = s.is_ipv4();
    local_ips()
        .into_iter()
        .filter(|ip| ip.is_ipv4() == v4)
        .map(|ip| SocketAddr::new(ip, s.port()))
        .collect()
}

/// This machine's interface addresses (from /proc on Linux; loopback if
/// nothing else is known).
fn local_ips() -> Vec<std::net::IpAddr> {
    // Connecting a UDP socket sends nothing; it only picks the source
    // address a route would use. Without a route, fall back to loopback.
    let mut ips = vec![std::net::IpAddr::from([127, 0, 0, 1])];
    if let Ok(sock) = std::net::UdpSocket::bind("0.0.0.0:0") {
        if sock.connect("224.0.0.251:5353").is_ok() {
            if let Ok(a) = sock.local_addr() {
                if !a.ip().is_unspecified() {
                    ips.push(a.ip());
                }
            }
        }
    }
    ips
}

async fn discover(
    mut events: impl futures::Stream<Item = DiscoveryEvent> + Unpin,
    shared: Arc<Mutex<Shared>>,
    _mdns: MdnsAddressLookup,
) {
    while let Some(event) = events.next().await {
        match event {
            DiscoveryEvent::Discovered { endpoint_info, .. } => {
                let id = endpoint_info.endpoint_id;
                tracing::info!(peer = %member_of(&id), "found on the local network");
                let addr = EndpointAddr::from(endpoint_info);
                let mut s = lock(&shared);
                let peer = s.peers.entry(id).or_default();
                peer.addr = Some(addr);
                peer.nearby = true;
            }
            DiscoveryEvent::Expired { endpoint_id } => {
                if let Some(p) = lock(&shared).peers.get_mut(&endpoint_id) {
                    p.nearby = false;
                }
            }
            _ => {}
        }
    }
}

/// One QUIC bidirectional stream as a samod transport, framed by length
/// and bound to the peer's authenticated member key.
fn transport(
    send: iroh::endpoint::SendStream,
    recv: iroh::endpoint::RecvStream,
    peer: EndpointId,
) -> Transport {
    let codec = LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME_BYTES)
        .new_codec();
    let (sink, stream) = Framed::new(tokio::io::join(recv, send), codec).split();
    let stream = stream.map_ok(|b| b.to_vec());
    let sink = sink.with(|msg: Vec<u8>| {
        futures::future::ready(Ok::<_, std::io::Error>(bytes::Bytes::from(msg)))
    });
    Transport::new(stream, sink).with_expected_peer_id(iroh_peer_id(&member_of(&peer)))
}

/// Knocks judged per minute, from everyone together: enough for a room
/// joining at once, too few for a stranger to keep a laptop busy.
const KNOCKS_PER_MINUTE: usize = 60;

/// Whether one more knock fits in the last minute's budget.
fn knock_allowed(recent: &Mutex<std::collections::VecDeque<std::time::Instant>>) -> bool {
    let mut q = recent.lock().unwrap_or_else(|p| p.into_inner());
    let now = std::time::Instant::now();
    while q
        .front()
        .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60))
    {
        q.pop_front();
    }
    if q.len() >= KNOCKS_PER_MINUTE {
        return false;
    }
    q.push_back(now);
    true
}

async fn accept_loop(endpoint: Endpoint, node: Arc<Node>, acceptor: AcceptorHandle) {
    let recent = Arc::new(Mutex::new(std::collections::VecDeque::new()));
    while let Some(incoming) = endpoint.accept().await {
        let node = node.clone();
        let acceptor = acceptor.clone();
        let recent = recent.clone();
        tokio::spawn(async move {
            let conn = match incoming.await {
                Ok(c) => c,
                Err(e) => {
                    tracing::debug!("incoming connection failed: {e}");
                    return;
                }
            };
            let peer = conn.remote_id();
            let alpn = conn.alpn().to_vec();
            if alpn == SYNC_ALPN {
                let Ok((send, recv)) = conn.accept_bi().await else {
                    return;
                };
                match acceptor.accept(transport(send, recv, peer)) {
                    // Samod holds the streams; hold the connection until
                    // the peer goes.
                    Ok(_) => {
                        conn.closed().await;
                    }
                    Err(_) => conn.close(0u32.into(), b"stopping"),
                }
            } else if alpn == KNOCK_ALPN {
                if !knock_allowed(&recent) {
                    tracing::warn!(peer = %member_of(&peer), "too many knocks this minute; refused");
                    conn.close(1u32.into(), b"busy");
                    return;
                }
                if let Err(e) = answer_knock(&node, conn).await {
                    tracing::warn!(peer = %member_of(&peer), "knock failed: {e}");
                }
            }
        });
    }
}

/// What a knocking device sends.
#[derive(Debug, Serialize, Deserialize)]
struct Knock {
    space: DocId,
    records: Vec<Vec<u8>>,
}

/// The answer to a knock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum KnockReply {
    /// The device is a member now.
    Admitted,
    /// This device does not hold the space.
    NotHere,
    /// The domain does not admit the join.
    Refused { reason: String },
}

async fn answer_knock(node: &Node, conn: iroh::endpoint::Connection) -> Result<(), NodeError> {
    let peer = member_of(&conn.remote_id());
    let io =
        |e: &dyn std::fmt::Display| NodeError::Lan(format!("knock from {}: {e}", peer.short()));
    let (mut send, mut recv) = conn.accept_bi().await.map_err(|e| io(&e))?;
    let raw = tokio::time::timeout(Duration::from_secs(10), recv.read_to_end(MAX_KNOCK_BYTES))
        .await
        .map_err(|e| io(&e))?
        .map_err(|e| io(&e))?;
    let reply = match serde_json::from_slice::<Knock>(&raw) {
        Err(e) => KnockReply::Refused {
            reason: format!("malformed knock: {e}"),
        },
        Ok(knock) => admit(node, peer, knock).await?,
    };
    tracing::info!(peer = %peer, ?reply, "knock");
    let bytes = serde_json::to_vec(&reply).map_err(|e| io(&e))?;
    send.write_all(&bytes).await.map_err(|e| io(&e))?;
    send.finish().map_err(|e| io(&e))?;
    // Let the reply reach the peer before the connection goes.
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await;
    Ok(())
}

async fn admit(node: &Node, peer: MemberId, knock: Knock) -> Result<KnockReply, NodeError> {
    admit_join(node, peer, knock.space, knock.records).await
}

/// Append `peer`'s join records to `space` if the domain admits the join
/// (a LAN knock, or a browser's knock at the tablets server).
pub(crate) async fn admit_join(
    node: &Node,
    peer: MemberId,
    space: DocId,
    records: Vec<Vec<u8>>,
) -> Result<KnockReply, NodeError> {
    let knock = Knock { space, records };
    let held = node
        .documents()?
        .iter()
        .any(|d| d.kind == "space" && d.id == knock.space.to_string());
    if !held {
        return Ok(KnockReply::NotHere);
    }
    let refused = |reason: String| Ok(KnockReply::Refused { reason });
    if knock.records.is_empty() || knock.records.len() > MAX_JOIN_RECORDS {
        return refused(format!("{} records", knock.records.len()));
    }
    let mut records = Vec::new();
    for bytes in &knock.records {
        match SignedRecord::decode(bytes) {
            Ok(r) => records.push(r),
            Err(e) => return refused(format!("a record is not valid: {e}")),
        }
    }
    if records.last().is_some_and(|r| r.body.author != peer) {
        return refused("the join is not signed by the device that knocked".into());
    }
    let handle = node
        .repo()
        .find(doc_id(knock.space))
        .await
        .map_err(|_| NodeError::Stopped)?;
    let Some(handle) = handle else {
        return Ok(KnockReply::NotHere);
    };
    let space = knock.space;
    let verdict = handle.with_document(|doc| {
        let state = match SpaceState::from_doc(doc, space) {
            Ok(s) => s,
            Err(e) => return Err(e.to_string()),
        };
        if state.current_role(&peer).is_some() {
            return Ok(());
        }
        // Judge on a fork: only a join the domain accepts is kept.
        let mut fork = doc.fork();
        command::append_join(&mut fork, &state, &records, now_ms()).map_err(|e| e.to_string())?;
        let after = SpaceState::from_doc(&fork, space).map_err(|e| e.to_string())?;
        if after.current_role(&peer).is_none() {
            return Err("the invitation does not admit this device (used, withdrawn or waiting for approval)".into());
        }
        doc.merge(&mut fork).map_err(|e| e.to_string())?;
        Ok(())
    });
    match verdict {
        Ok(()) => {
            node.refresh_access().await?;
            Ok(KnockReply::Admitted)
        }
        Err(reason) => refused(reason),
    }
}

async fn knock(
    endpoint: &Endpoint,
    addr: EndpointAddr,
    space: DocId,
    records: Vec<Vec<u8>>,
) -> Result<KnockReply, String> {
    let conn = tokio::time::timeout(Duration::from_secs(10), endpoint.connect(addr, KNOCK_ALPN))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let (mut send, mut recv) = conn.open_bi().await.map_err(|e| e.to_string())?;
    let body = serde_json::to_vec(&Knock { space, records }).map_err(|e| e.to_string())?;
    send.write_all(&body).await.map_err(|e| e.to_string())?;
    send.finish().map_err(|e| e.to_string())?;
    let raw = tokio::time::timeout(Duration::from_secs(15), recv.read_to_end(4096))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    conn.close(0u32.into(), b"done");
    serde_json::from_slice(&raw).map_err(|e| e.to_string())
}

/// A dial failure that never stops the dialer (peers come and go).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DialFailed(String);

struct IrohDialer {
    endpoint: Endpoint,
    addr: EndpointAddr,
}

impl Dialer for IrohDialer {
    type Error = DialFailed;

    fn url(&self) -> url::Url {
        url::Url::parse(&format!("iroh://{}", member_of(&self.addr.id)))
            .unwrap_or_else(|_| unreachable!("base58 is a valid host"))
    }

    fn connect(
        &self,
    ) -> futures::future::BoxFuture<'static, Result<Transport, DialError<DialFailed>>> {
        let endpoint = self.endpoint.clone();
        let addr = self.addr.clone();
        Box::pin(async move {
            let peer = addr.id;
            let conn = endpoint
                .connect(addr, SYNC_ALPN)
                .await
                .map_err(|e| DialError::transient(DialFailed(e.to_string())))?;
            let (send, recv) = conn
                .open_bi()
                .await
                .map_err(|e| DialError::transient(DialFailed(e.to_string())))?;
            // The connection lives as long as its streams.
            Ok(transport(send, recv, peer))
        })
    }
}

fn backoff() -> samod::BackoffConfig {
    samod::BackoffConfig {
        initial_delay: Duration::from_millis(300),
        max_delay: Duration::from_secs(5),
        max_retries: None,
    }
}

/// The loop that keeps documents active, dials member peers, knocks for
/// awaited spaces and searches for missing documents.
async fn manage(endpoint: Endpoint, node: Arc<Node>, shared: Arc<Mutex<Shared>>) {
    let mut ticks = 0u64;
    loop {
        if let Err(e) = tick(&endpoint, &node, &shared, ticks).await {
            tracing::warn!("local sync: {e}");
        }
        ticks += 1;
        tokio::time::sleep(TICK).await;
    }
}

async fn tick(
    endpoint: &Endpoint,
    node: &Arc<Node>,
    shared: &Arc<Mutex<Shared>>,
    ticks: u64,
) -> Result<(), NodeError> {
    if ticks.is_multiple_of(2) {
        node.refresh_access().await?;
    }
    let docs = node.documents()?;
    // Keep every held document active so samod offers it to peers.
    for d in docs
        .iter()
        .filter(|d| d.kind == "space" || d.kind == "project")
    {
        let Ok(id) = d.id.parse::<DocId>() else {
            continue;
        };
        if lock(shared).active.contains_key(&id) {
            continue;
        }
        if let Ok(handle) = node.handle_of(id).await {
            lock(shared).active.insert(id, handle);
        }
    }
    let access = node.access();
    // Search for what we miss: awaited spaces and listed projects.
    let mut wanted: Vec<(DocId, &'static str, DocId)> = Vec::new();
    for d in &docs {
        if d.kind == "space-awaited" {
            if let Ok(id) = d.id.parse::<DocId>() {
                wanted.push((id, "space", id));
            }
        }
    }
    let held: HashSet<String> = docs
        .iter()
        .filter(|d| d.kind == "project")
        .map(|d| d.id.clone())
        .collect();
    for (doc, space) in &access.doc_space {
        let Ok(id) = doc_of(doc) else { continue };
        if id != *space && !held.contains(&id.to_string()) {
            wanted.push((id, "project", *space));
        }
    }
    for (id, kind, space) in wanted {
        if !lock(shared).searching.insert(id) {
            continue;
        }
        let node = node.clone();
        let shared2 = shared.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = search(&node, id, kind, space).await {
                tracing::warn!(document = %id, "search failed: {e}");
            }
            lock(&shared2).searching.remove(&id);
        });
        let mut s = lock(shared);
        s.tasks.retain(|t| !t.is_finished());
        s.tasks.push(task);
    }
    // Dial members; knock on everyone for awaited spaces.
    let awaited: Vec<DocId> = docs
        .iter()
        .filter(|d| d.kind == "space-awaited")
        .filter_map(|d| d.id.parse().ok())
        .collect();
    type PeerRow = (
        EndpointId,
        Option<EndpointAddr>,
        bool,
        HashMap<DocId, std::time::Instant>,
    );
    let peers: Vec<PeerRow> = lock(shared)
        .peers
        .iter()
        .map(|(id, p)| (*id, p.addr.clone(), p.dialer.is_some(), p.knocked.clone()))
        .collect();
    {
        // A peer that did not have the space (or did not answer) is asked
        // again after a while; it may have synced since.
        let mut s = lock(shared);
        for p in s.peers.values_mut() {
            p.knocked.retain(|_, at| at.elapsed() < KNOCK_RETRY);
        }
    }
    for (id, addr, dialing, knocked) in peers {
        let member = member_of(&id);
        let Some(addr) = addr else { continue };
        let knocked_ok = awaited.iter().any(|s| {
            access
                .awaited
                .get(&doc_id(*s))
                .is_some_and(|p| p.contains(&member))
        });
        if !dialing && (!access.spaces_of(&member).is_empty() || knocked_ok) {
            let dialer = node
                .repo()
                .dial(
                    backoff(),
                    Arc::new(IrohDialer {
                        endpoint: endpoint.clone(),
                        addr: addr.clone(),
                    }),
                )
                .map_err(|_| NodeError::Stopped)?;
            tracing::info!(peer = %member, "syncing with member");
            if let Some(p) = lock(shared).peers.get_mut(&id) {
                p.dialer = Some(dialer);
            }
        }
        for space in &awaited {
            if knocked.contains_key(space) {
                continue;
            }
            if let Some(p) = lock(shared).peers.get_mut(&id) {
                p.knocked.insert(*space, std::time::Instant::now());
            }
            let records = node.store().pending_joins(&space.to_string())?;
            if records.is_empty() {
                continue;
            }
            let reply = knock(endpoint, addr.clone(), *space, records).await;
            match reply {
                Ok(KnockReply::Admitted) => {
                    tracing::info!(peer = %member, space = %space, "admitted");
                    node.knocked(*space, member).await?;
                }
                Ok(other) => {
                    tracing::info!(peer = %member, space = %space, ?other, "knock not answered")
                }
                Err(e) => {
                    tracing::debug!(peer = %member, "knock failed: {e}");
                    // Try again later.
                    if let Some(p) = lock(shared).peers.get_mut(&id) {
                        p.knocked.remove(space);
                    }
                }
            }
        }
    }
    if ticks.is_multiple_of(20) {
        persist_synced(node, shared)?;
    }
    Ok(())
}

/// Search peers for a document until found (the search follows new
/// connections), then adopt it.
async fn search(node: &Node, id: DocId, kind: &'static str, space: DocId) -> Result<(), NodeError> {
    let (mut state, mut stream) = node
        .repo()
        .search(doc_id(id))
        .map_err(|_| NodeError::Stopped)?;
    loop {
        if let samod::SearchState::Found(_) = state {
            node.found(id, kind, space).await?;
            tracing::info!(document = %id, kind, "fetched from a peer");
            return Ok(());
        }
        match stream.next().await {
            Some(next) => state = next,
            None => return Err(NodeError::Stopped),
        }
    }
}

fn persist_synced(node: &Node, shared: &Mutex<Shared>) -> Result<(), NodeError> {
    let changed = {
        let s = lock(shared);
        (s.synced != s.saved).then(|| s.synced.clone())
    };
    if let Some(synced) = changed {
        node.store().set_lan_synced(&synced)?;
        lock(shared).saved = synced;
    }
    Ok(())
}

async fn status(
    node: &Node,
    shared: &Mutex<Shared>,
    listening: Vec<String>,
    since_ms: i64,
) -> Result<LanStatus, NodeError> {
    let now = now_ms();
    let access = node.access();
    let docs = node.documents()?;
    // Our heads, per held document.
    let handles: Vec<(DocId, DocId, DocHandle)> = {
        let s = lock(shared);
        docs.iter()
            .filter(|d| d.kind == "space" || d.kind == "project")
            .filter_map(|d| {
                let id: DocId = d.id.parse().ok()?;
                let space: DocId = d.space.parse().ok()?;
                Some((id, space, s.active.get(&id)?.clone()))
            })
            .collect()
    };
    let mut overviews = HashMap::new();
    for space in access.members.keys() {
        if let Ok(o) = node.space_overview(*space).await {
            overviews.insert(*space, o);
        }
    }
    let (connections, _) = node.repo().connected_peers();
    let mut by_member: HashMap<MemberId, Vec<samod::ConnectionInfo>> = HashMap::new();
    for c in connections {
        if let samod::ConnectionState::Connected { their_peer_id } = &c.state {
            if let Some(m) = crate::access::member_of_peer(their_peer_id) {
                by_member.entry(m).or_default().push(c.clone());
            }
        }
    }
    let mut s = lock(shared);
    let mut ids: Vec<EndpointId> = s.peers.keys().copied().collect();
    for m in by_member.keys() {
        if let Some(e) = endpoint_of(m) {
            if !ids.contains(&e) {
                ids.push(e);
            }
        }
    }
    let mut peers = Vec::new();
    for id in ids {
        let member = member_of(&id);
        let (addrs, nearby) = s
            .peers
            .get(&id)
            .map(|p| {
                let addrs = p
                    .addr
                    .as_ref()
                    .map(|a| a.ip_addrs().map(|s| s.to_string()).collect())
                    .unwrap_or_default();
                (addrs, p.nearby)
            })
            .unwrap_or_default();
        let conns = by_member.get(&member).cloned().unwrap_or_default();
        let connected = !conns.is_empty();
        let spaces_of = access.spaces_of(&member);
        let mut spaces = Vec::new();
        let mut name = None;
        for space in &spaces_of {
            let overview = overviews.get(space);
            if name.is_none() {
                name = overview
                    .and_then(|o| o.members.iter().find(|m| m.id == member))
                    .map(|m| m.display_name.clone());
            }
            let state = if !connected {
                SyncState::NotConnected
            } else if handles
                .iter()
                .filter(|(_, sp, _)| sp == space)
                .all(|(doc, _, h)| {
                    let did = doc_id(*doc);
                    h.with_document(|d| {
                        let heads = d.get_heads();
                        conns.iter().any(|c| {
                            c.docs.get(&did).is_some_and(|st| {
                                st.shared_heads.as_ref() == Some(&heads)
                                    && st.their_heads.as_ref().is_some_and(|t| {
                                        t.iter().all(|h| d.get_change_by_hash(h).is_some())
                                    })
                            })
                        })
                    })
                })
            {
                SyncState::UpToDate
            } else {
                SyncState::Syncing
            };
            if state == SyncState::UpToDate {
                s.synced.insert((member, *space), now);
            }
            spaces.push(SpaceSync {
                space: space.to_string(),
                space_name: overview.map(|o| o.name.clone()).unwrap_or_default(),
                state,
                last_synced_ms: s.synced.get(&(member, *space)).copied(),
            });
        }
        let knocked_for_awaited = access.awaited.values().any(|p| p.contains(&member));
        peers.push(PeerStatus {
            member: member.to_string(),
            name,
            addrs,
            nearby,
            connected,
            stranger: spaces_of.is_empty() && !knocked_for_awaited,
            spaces,
        });
    }
    drop(s);
    peers.sort_by(|a, b| (a.stranger, &a.member).cmp(&(b.stranger, &b.member)));
    let mut awaiting: Vec<String> = docs
        .iter()
        .filter(|d| d.kind == "space-awaited")
        .map(|d| d.id.clone())
        .collect();
    let held: HashSet<String> = docs.iter().map(|d| d.id.clone()).collect();
    for (doc, space) in &access.doc_space {
        if let Ok(id) = doc_of(doc) {
            if id != *space && !held.contains(&id.to_string()) {
                awaiting.push(id.to_string());
            }
        }
    }
    awaiting.sort();
    Ok(LanStatus {
        me: node.member().to_string(),
        listening,
        peers,
        awaiting,
        refused: node.refusals(),
        at_ms: now,
        since_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback(lan: &Lan) -> EndpointAddr {
        let port = lan.endpoint.bound_sockets()[0].port();
        EndpointAddr::new(lan.id()).with_ip_addr(SocketAddr::from(([127, 0, 0, 1], port)))
    }

    fn quiet() -> LanOptions {
        LanOptions {
            mdns: false,
            ..LanOptions::default()
        }
    }

    #[test]
    fn knocks_beyond_the_budget_are_refused_until_the_minute_passes() {
        let recent = Mutex::new(std::collections::VecDeque::new());
        for _ in 0..KNOCKS_PER_MINUTE {
            assert!(knock_allowed(&recent));
        }
        assert!(!knock_allowed(&recent));
        // A minute later there is room again.
        let old = std::time::Instant::now() - Duration::from_secs(61);
        recent
            .lock()
            .expect("lock")
            .iter_mut()
            .for_each(|t| *t = old);
        assert!(knock_allowed(&recent));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stranger_who_knows_a_document_id_gets_nothing_until_invited() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = Arc::new(Node::open(&dir.path().join("a")).await.expect("a"));
        let d = Arc::new(Node::open(&dir.path().join("d")).await.expect("d"));
        let space = a.create_space("Shelter", &[]).await.expect("space");
        let la = Lan::start(a.clone(), quiet()).await.expect("lan a");
        let ld = Lan::start(d.clone(), quiet()).await.expect("lan d");
        // The stranger dials a member and asks for the space by its id.
        let dialer = d
            .repo()
            .dial(
                backoff(),
                Arc::new(IrohDialer {
                    endpoint: ld.endpoint.clone(),
                    addr: loopback(&la),
                }),
            )
            .expect("dial");
        tokio::time::timeout(Duration::from_secs(10), dialer.established())
            .await
            .expect("connects in time")
            .expect("connects");
        let found =
            tokio::time::timeout(Duration::from_secs(3), d.repo().find(doc_id(space))).await;
        assert!(
            !matches!(found, Ok(Ok(Some(_)))),
            "a stranger received the space"
        );
        let refused = a.refusals();
        assert!(
            refused
                .iter()
                .any(|r| r.peer == iroh_peer_id(&d.member()).to_string()
                    && r.document == doc_id(space).to_string()),
            "{refused:?}"
        );
        dialer.close();
        ld.shutdown().await;
        // Control: invited, the same device knocks and gets the space.
        let link = a
            .invite(
                space,
                command::NewInvitation {
                    role: yoriai_crdt::Role::Resident,
                    max_uses: Some(1),
                    note: String::new(),
                    relays: vec![],
                },
            )
            .await
            .expect("invite")
            .to_link();
        d.join(&link, Some("Dai")).await.expect("join offline");
        let ld = Lan::start(
            d.clone(),
            LanOptions {
                peers: vec![loopback(&la)],
                ..quiet()
            },
        )
        .await
        .expect("lan d");
        let status = ld.settle(1, Duration::from_secs(20)).await.expect("status");
        assert!(settled(&status, 1), "{status:?}");
        let members = d
            .space_overview(space)
            .await
            .expect("space arrived")
            .members;
        assert!(members.iter().any(|m| m.id == d.member()));
        ld.shutdown().await;
        la.shutdown().await;
    }
}
