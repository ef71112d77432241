//! The one narrow API between a screen and a node: [`Request`]s in,
//! [`Response`]s (read models) and [`Event`]s out.
//!
//! The desktop app carries it over Tauri commands and events; a browser
//! front end can carry it over another transport. Both sides share these
//! types, and the read models are built here, from the judged domain state,
//! so a screen holds no business rules: what a member may do arrives as
//! [`Capabilities`], what counts arrives as tallies and lists.

use serde::{Deserialize, Serialize};

use crate::command::{NewPhase, ProjectCommand, SpaceCommand};
use crate::id::{DocId, MemberId, RecordId};
use crate::phase::{PhaseKind, PhaseState, PhaseView};
use crate::project::{
    ConversationView, IdeaCard, IdeaDetail, IdeaSort, MilestoneView, ModerationEntry,
    ProjectOverview, ProjectState, SurveyView, VoteView,
};
use crate::space::{Role, SpaceOverview, SpaceState};
use crate::survey::Answer;
use crate::vote::BallotChoice;

/// What a screen asks of the node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "kebab-case")]
pub enum Request {
    /// Who this device is, its spaces, settings and sync status.
    Session,
    /// Set the device's display name (and in every space it belongs to).
    SetDisplayName {
        /// The new name.
        name: String,
    },
    /// Set or clear the relay this device syncs through.
    SetRelay {
        /// A `ws://` or `wss://` address; `None` to stop using a relay.
        relay: Option<String>,
    },
    /// Create a space; this device becomes its admin.
    CreateSpace {
        /// Its name.
        name: String,
        /// Its languages ("ja", "en").
        languages: Vec<String>,
    },
    /// Join a space by an invitation link (works offline).
    JoinSpace {
        /// The `yoriai:` link.
        link: String,
    },
    /// Load the demo space (a town-hall project with members and posts).
    LoadDemo,
    /// The space home.
    Space {
        /// The space.
        space: DocId,
    },
    /// Make an invitation link (staff).
    Invite {
        /// The space.
        space: DocId,
        /// The role it gives.
        role: Role,
        /// How many it admits (`None`: until withdrawn).
        max_uses: Option<u32>,
        /// Staff's note ("workshop 12 May").
        note: String,
    },
    /// A command on a space (roles, invitations, one's profile).
    SpaceCommand {
        /// The space.
        space: DocId,
        /// The command.
        command: SpaceCommand,
    },
    /// Create a project (staff).
    CreateProject {
        /// The space.
        space: DocId,
        /// Title.
        title: String,
        /// The brief.
        description: String,
        /// Its phases, in order.
        phases: Vec<NewPhase>,
    },
    /// A project's page.
    Project {
        /// The project.
        project: DocId,
        /// How to sort its ideas.
        sort: IdeaSort,
    },
    /// An idea's page.
    Idea {
        /// The project.
        project: DocId,
        /// The idea.
        idea: RecordId,
    },
    /// A command on a project (ideas, comments, votes, phases...).
    ProjectCommand {
        /// The project.
        project: DocId,
        /// The command.
        command: ProjectCommand,
    },
    /// The member has seen the project as it is now ("new since your
    /// last visit" counts from here).
    Visited {
        /// The project.
        project: DocId,
    },
    /// Sync now (the relay, and every LAN peer) and report the status.
    SyncNow,
    /// What a project's discussion adds up to: opinion maps of its
    /// conversation phases, topics and a summary in residents' words.
    Insight {
        /// The project.
        project: DocId,
    },
    /// "Let tablets join": serve the web app and browser sync on the LAN
    /// (the desktop app only) and make a fresh resident invitation to the
    /// space, as addresses to open or scan.
    LetTabletsJoin {
        /// The space.
        space: DocId,
    },
    /// Stop serving tablets (they keep their work and sync later).
    StopTablets,
}

/// A fixed number per member, the conversation's routing seed: a member is
/// shown the same next statement until they vote, on every device (FNV-1a
/// of the member id).
pub fn routing_seed(me: &MemberId) -> u64 {
    me.to_string().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// What the node answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "response", content = "body", rename_all = "kebab-case")]
pub enum Response {
    /// To [`Request::Session`] and the settings requests.
    Session(Session),
    /// To [`Request::Space`].
    Space(SpaceHome),
    /// To [`Request::Project`].
    Project(Box<ProjectPage>),
    /// To [`Request::Idea`].
    Idea(Box<IdeaPage>),
    /// To [`Request::Invite`].
    Invitation(InvitationLink),
    /// A space or project was created or joined.
    Opened(Opened),
    /// A record was written.
    Recorded(RecordId),
    /// To [`Request::SyncNow`].
    Sync(SyncStatus),
    /// To [`Request::Insight`].
    Insight(Box<InsightPage>),
    /// To [`Request::LetTabletsJoin`].
    Tablets(TabletsLink),
    /// Done; nothing to show.
    Done,
}

/// Where to go after creating or joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    /// The space.
    pub space: DocId,
    /// The project, when one was created.
    pub project: Option<DocId>,
    /// For a join: whether the space is here yet (an offline join waits
    /// for a member device or the relay).
    pub arrived: bool,
}

/// Where tablets open the app and join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabletsLink {
    /// `http://ADDR:PORT/#join=…`, one per LAN address of this device
    /// (the first is the one to show as a QR code).
    pub urls: Vec<String>,
    /// The invitation inside them.
    pub invitation: RecordId,
}

/// A failure a screen can explain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What kind of failure (translated by the screen).
    pub kind: ErrorKind,
    /// The specific reason, in English, for the details line.
    pub detail: String,
}

/// Kinds of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The input is not acceptable (empty, too long, malformed).
    Invalid,
    /// The member's role does not allow it.
    NotAllowed,
    /// The phase for it is not open.
    PhaseClosed,
    /// No such thing here (yet).
    NotFound,
    /// A peer or relay could not be reached.
    Network,
    /// The device's storage failed (full disk, permissions).
    Storage,
    /// Anything else.
    Other,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.detail)
    }
}

impl std::error::Error for ApiError {}

impl From<crate::CommandError> for ApiError {
    fn from(e: crate::CommandError) -> Self {
        use crate::CommandError as C;
        let kind = match &e {
            C::Forbidden { .. } | C::NotMember | C::AlreadyMember(_) => ErrorKind::NotAllowed,
            C::PhaseNotOpen { .. } | C::Closed { .. } => ErrorKind::PhaseClosed,
            C::NotFound { .. } => ErrorKind::NotFound,
            C::Record(_) | C::Document(_) => ErrorKind::Other,
            _ => ErrorKind::Invalid,
        };
        ApiError {
            kind,
            detail: e.to_string(),
        }
    }
}

/// Pushed by the node whenever something a screen shows may have changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// Documents changed, locally or by sync: screens showing them refetch.
    Changed {
        /// The documents.
        docs: Vec<DocId>,
    },
    /// The sync status changed.
    Sync {
        /// The new status.
        status: SyncStatus,
    },
}

/// The device and its spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// This device's member key.
    pub member: MemberId,
    /// Its display name (`None` before the first start is finished).
    pub display_name: Option<String>,
    /// Spaces held here, and spaces joined that have not arrived yet.
    pub spaces: Vec<SpaceSummary>,
    /// The relay address, if set.
    pub relay: Option<String>,
    /// Sync status now.
    pub sync: SyncStatus,
}

/// A space in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceSummary {
    /// The space.
    pub id: DocId,
    /// Its name (`None` while a join waits for it to arrive).
    pub name: Option<String>,
    /// This member's role there.
    pub role: Option<Role>,
    /// Projects listed.
    pub projects: usize,
}

/// What a role allows, as the domain judges it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Post ideas, comment, support, answer, vote.
    pub participate: bool,
    /// Create projects; add, move, open and close phases; surveys, votes,
    /// posts and milestones.
    pub manage: bool,
    /// Hide and restore content, see the moderation log.
    pub moderate: bool,
    /// Make and withdraw invitations, approve joins.
    pub invite: bool,
    /// Change members' roles.
    pub change_roles: bool,
}

impl Capabilities {
    /// What `role` may do (nothing for a non-member).
    pub fn of(role: Option<Role>) -> Self {
        let at_least = |r: Role| role.is_some_and(|have| have >= r);
        Capabilities {
            participate: at_least(Role::Resident),
            manage: at_least(Role::Staff),
            moderate: at_least(Role::Staff),
            invite: at_least(Role::Staff),
            change_roles: at_least(Role::Admin),
        }
    }
}

/// Honest sync status, for the indicator every screen shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The summary.
    pub state: SyncSummary,
    /// When this device last finished syncing with anyone (its clock).
    pub last_sync_ms: Option<i64>,
    /// The relay, if one is set.
    pub relay: Option<RelayStatus>,
    /// Whether the LAN service runs; why not, when it failed.
    pub lan: LanState,
    /// Devices on the LAN this device talks to.
    pub peers: Vec<PeerInfo>,
}

/// The indicator's three states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncSummary {
    /// Nobody reachable: work is kept here and syncs later.
    #[default]
    Offline,
    /// Connected, exchanging changes.
    Syncing,
    /// Connected and every peer has what this device has.
    UpToDate,
}

/// The LAN service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "detail", rename_all = "kebab-case")]
pub enum LanState {
    /// Not started.
    #[default]
    Off,
    /// Listening and looking for members.
    On,
    /// It failed to start.
    Failed(String),
}

/// The relay as the indicator shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayStatus {
    /// Its address.
    pub url: String,
    /// Whether the last attempt reached it.
    pub reachable: bool,
    /// When a sync with it last succeeded.
    pub last_ok_ms: Option<i64>,
    /// The last error, in English.
    pub error: Option<String>,
}

/// A LAN peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// Its member key.
    pub member: MemberId,
    /// Its name, where a shared space knows it.
    pub name: Option<String>,
    /// Connected now.
    pub connected: bool,
    /// Has everything this device shares with it.
    pub up_to_date: bool,
}

impl SyncStatus {
    /// The summary the indicator shows, from the parts.
    pub fn summarise(&mut self) {
        let relay_up = self.relay.as_ref().is_some_and(|r| r.reachable);
        let connected: Vec<&PeerInfo> = self.peers.iter().filter(|p| p.connected).collect();
        self.state = if !relay_up && connected.is_empty() {
            SyncSummary::Offline
        } else if connected.iter().all(|p| p.up_to_date) {
            SyncSummary::UpToDate
        } else {
            SyncSummary::Syncing
        };
    }
}

/// The space home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceHome {
    /// Members, invitations, pending joins, projects listed.
    pub overview: SpaceOverview,
    /// This member's role.
    pub my_role: Option<Role>,
    /// What it allows.
    pub can: Capabilities,
    /// Projects with their phase and news, in the order listed.
    pub projects: Vec<ProjectCard>,
}

/// A project on the space home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectCard {
    /// The project.
    pub id: DocId,
    /// Title.
    pub title: String,
    /// The current (first open) phase.
    pub current_phase: Option<PhaseView>,
    /// Visible ideas.
    pub ideas: u64,
    /// Visible comments.
    pub comments: u64,
    /// Members who took part.
    pub participants: u64,
    /// Records that arrived since this member's last visit (all of them
    /// before the first visit).
    pub new_since_visit: u64,
    /// Whether the project's document is on this device yet.
    pub available: bool,
}

/// What a project looked like at the member's last visit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// Records by others counted then.
    pub records: u64,
}

impl Visit {
    /// The mark for a project as `me` sees it now (their own records are
    /// not news to them, so they are not counted).
    pub fn now(project: &ProjectState, me: &MemberId) -> Self {
        Visit {
            records: project.records_by_others(me),
        }
    }
}

impl SpaceHome {
    /// Build the home from the space and the projects held here (`None`
    /// where a listed project has not arrived), with each one's last visit.
    pub fn build(
        space: &SpaceState,
        me: &MemberId,
        projects: &[(DocId, Option<&ProjectState>, Option<Visit>)],
    ) -> Self {
        let overview = space.read_model();
        let my_role = space.current_role(me);
        let cards = overview
            .projects
            .iter()
            .map(|listing| {
                let held = projects.iter().find(|(id, _, _)| *id == listing.project);
                match held {
                    Some((_, Some(p), visit)) => {
                        let o = p.overview();
                        let now = Visit::now(p, me).records;
                        ProjectCard {
                            id: listing.project,
                            title: o.title.clone(),
                            current_phase: o.current_phase.and_then(|c| p.phase(&c)),
                            ideas: o.ideas,
                            comments: o.comments,
                            participants: o.participants,
                            new_since_visit: now
                                .saturating_sub(visit.map(|v| v.records).unwrap_or(0)),
                            available: true,
                        }
                    }
                    _ => ProjectCard {
                        id: listing.project,
                        title: listing.title.clone(),
                        current_phase: None,
                        ideas: 0,
                        comments: 0,
                        participants: 0,
                        new_since_visit: 0,
                        available: false,
                    },
                }
            })
            .collect();
        SpaceHome {
            overview,
            my_role,
            can: Capabilities::of(my_role),
            projects: cards,
        }
    }
}

/// A project's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectPage {
    /// Title, brief, phases, counts.
    pub overview: ProjectOverview,
    /// The space's name.
    pub space_name: String,
    /// This member's role.
    pub my_role: Option<Role>,
    /// What it allows.
    pub can: Capabilities,
    /// Ideas, sorted as asked.
    pub ideas: Vec<IdeaCard>,
    /// The sort used.
    pub sort: IdeaSort,
    /// Ideas this member supports.
    pub my_supports: Vec<RecordId>,
    /// Which phase kinds are open now (what residents can do).
    pub open: Vec<PhaseKind>,
    /// Votes with live or final tallies.
    pub votes: Vec<VoteView>,
    /// This member's ballots.
    pub my_ballots: Vec<(RecordId, BallotChoice)>,
    /// Surveys with results.
    pub surveys: Vec<SurveyView>,
    /// This member's answers, per survey answered.
    pub my_answers: Vec<(RecordId, Vec<Answer>)>,
    /// Progress posts, newest first.
    pub posts: Vec<crate::project::PostView>,
    /// Milestones.
    pub milestones: Vec<MilestoneView>,
    /// The moderation log (staff only; empty for residents).
    pub moderation: Vec<ModerationEntry>,
    /// Conversation phases (statements and votes).
    pub conversations: Vec<ConversationView>,
    /// Records since the last visit.
    pub new_since_visit: u64,
}

impl ProjectPage {
    /// Build the page for `me`.
    pub fn build(
        space: &SpaceState,
        project: &ProjectState,
        me: &MemberId,
        sort: IdeaSort,
        visit: Option<Visit>,
    ) -> Self {
        let my_role = space.current_role(me);
        let can = Capabilities::of(my_role);
        let ideas = project.ideas(space, sort);
        let my_supports = ideas
            .iter()
            .filter(|c| project.supports(&c.id, me))
            .map(|c| c.id)
            .collect();
        let votes = project.votes();
        let my_ballots = votes
            .iter()
            .filter_map(|v| project.my_ballot(&v.id, me).map(|b| (v.id, b)))
            .collect();
        let surveys = project.surveys();
        let my_answers = surveys
            .iter()
            .filter_map(|s| project.my_answers(&s.id, me).map(|a| (s.id, a)))
            .collect();
        let mut posts = project.posts(space);
        posts.sort_by_key(|p| std::cmp::Reverse(p.time_ms));
        let phases = project.phases();
        let open = phases
            .iter()
            .filter(|p| p.state == PhaseState::Open)
            .map(|p| p.kind)
            .collect();
        let conversations = phases
            .iter()
            .filter(|p| p.kind == PhaseKind::Conversation)
            .filter_map(|p| project.conversation(space, &p.id))
            .collect();
        ProjectPage {
            overview: project.overview(),
            space_name: space.read_model().name,
            my_role,
            can,
            ideas,
            sort,
            my_supports,
            open,
            votes,
            my_ballots,
            surveys,
            my_answers,
            posts,
            milestones: project.milestones(),
            moderation: if can.moderate {
                project.moderation_log(space)
            } else {
                Vec::new()
            },
            conversations,
            new_since_visit: Visit::now(project, me)
                .records
                .saturating_sub(visit.map(|v| v.records).unwrap_or(0)),
        }
    }
}

/// An idea's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdeaPage {
    /// The project.
    pub project: DocId,
    /// The project's title.
    pub project_title: String,
    /// The idea, its text, amendments and comments.
    pub detail: IdeaDetail,
    /// Whether this member supports it.
    pub i_support: bool,
    /// Whether this member wrote it (decides on amendments).
    pub mine: bool,
    /// Whether this member may edit the proposal text.
    pub can_edit_text: bool,
    /// What this member's role allows.
    pub can: Capabilities,
    /// Which phase kinds are open now.
    pub open: Vec<PhaseKind>,
}

impl IdeaPage {
    /// Build the page for `me`; `None` if there is no such visible idea.
    pub fn build(
        space: &SpaceState,
        project: &ProjectState,
        me: &MemberId,
        idea: &RecordId,
    ) -> Option<Self> {
        let detail = project.idea(space, idea)?;
        let can = Capabilities::of(space.current_role(me));
        let mine = detail.card.author == *me;
        Some(IdeaPage {
            project: project.id(),
            project_title: project.overview().title,
            i_support: detail.supporters.contains(me),
            can_edit_text: mine || detail.coauthors.contains(me) || can.manage,
            mine,
            can,
            open: project
                .phases()
                .iter()
                .filter(|p| p.state == PhaseState::Open)
                .map(|p| p.kind)
                .collect(),
            detail,
        })
    }
}

/// An invitation to share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLink {
    /// The `Invite` record.
    pub id: RecordId,
    /// The link to paste or encode as a QR code.
    pub link: String,
    /// The same invitation as web addresses on the relays it names: a
    /// resident at home opens one in a browser, nothing to install.
    #[serde(default)]
    pub web: Vec<String>,
    /// The role it gives.
    pub role: Role,
}

/// What a project's discussion adds up to (the insight screen and the
/// facilitator's projector view), recomputed from the documents on each
/// request: all of it works offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightPage {
    /// The project.
    pub project: DocId,
    /// Its title.
    pub title: String,
    /// What this member's role allows.
    pub can: Capabilities,
    /// Each conversation phase, analysed.
    pub conversations: Vec<ConversationInsight>,
    /// Posts (ideas, comments, statements) the topics are drawn from.
    pub posts: usize,
    /// Key terms of the whole discussion.
    pub keywords: Vec<String>,
    /// Groups of similar posts, named by their key terms.
    pub topics: Vec<TopicView>,
    /// An extractive summary: every sentence a quote.
    pub summary: Vec<QuoteView>,
}

/// A conversation phase's opinion map, groups and statements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationInsight {
    /// The phase.
    pub phase: RecordId,
    /// Its title.
    pub title: String,
    /// Whether residents can write and vote now.
    pub open: bool,
    /// People who voted.
    pub participants: usize,
    /// People on the map (they voted on enough statements).
    pub counted: usize,
    /// Votes needed to be on the map.
    pub votes_needed: usize,
    /// Votes cast (the latest per person and statement).
    pub votes: usize,
    /// Statements shown to residents.
    pub statements: usize,
    /// Opinion groups, largest first.
    pub groups: Vec<GroupView>,
    /// Everyone counted, on the map (x and y in [-1, 1]).
    pub map: Vec<MapDot>,
    /// Statements the groups agree on together, strongest first.
    pub consensus: Vec<StatementLine>,
    /// Statements that split the groups most, most divisive first.
    pub divisive: Vec<StatementLine>,
    /// This member's votes here.
    pub my_votes: usize,
    /// This member's group, once on the map.
    pub my_group: Option<usize>,
    /// The next statement for this member to vote on (few votes and
    /// statements that separate groups come first), if any is left.
    pub next: Option<StatementLine>,
}

/// An opinion group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    /// 0, 1, ... (largest first); screens name them A, B, ...
    pub id: usize,
    /// Its members.
    pub size: usize,
    /// Centre on the map.
    pub center: [f64; 2],
    /// What sets it apart, strongest first.
    pub representative: Vec<StatementLine>,
}

/// Someone on the opinion map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapDot {
    /// Position, scaled into [-1, 1].
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// Their group.
    pub group: Option<usize>,
    /// Whether this is the member looking.
    pub me: bool,
}

/// A statement with what the analysis says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementLine {
    /// Its key (record id, or imported id).
    pub key: String,
    /// The record, for statements written here (votes go to it).
    pub record: Option<RecordId>,
    /// The text.
    pub text: String,
    /// Which way the group (or everyone) leans.
    pub side: Option<crate::insight::Side>,
    /// The share on that side (0..1): of the group for representative
    /// statements, the lowest group's for consensus, the spread between
    /// groups for divisive ones.
    pub share: f64,
    /// Agree, disagree and pass votes from everyone.
    pub agree: u32,
    /// See `agree`.
    pub disagree: u32,
    /// See `agree`.
    pub pass: u32,
}

/// A topic with its posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicView {
    /// Its key terms (its name).
    pub terms: Vec<String>,
    /// Its posts, closest to the topic's centre first.
    pub posts: Vec<PostLine>,
}

/// A post, as a topic or a quote links to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostLine {
    /// The post's id (record id, or imported id).
    pub id: String,
    /// The idea it is, or belongs to (a screen opens it).
    pub idea: Option<RecordId>,
    /// Its text, shortened.
    pub text: String,
}

/// A sentence quoted from a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteView {
    /// The sentence, exactly as written.
    pub text: String,
    /// The post it comes from.
    pub post: PostLine,
}

/// Topics shown at most.
const MAX_TOPICS: usize = 8;
/// Posts listed per topic.
const POSTS_PER_TOPIC: usize = 5;
/// Sentences in the summary.
const SUMMARY_SENTENCES: usize = 6;
/// Characters of a post shown in a list.
const POST_CHARS: usize = 160;

impl InsightPage {
    /// Build the page for `me`. `seed` picks among the statements to show
    /// next: keep it fixed for a device, and the statement shown stays the
    /// same until the member votes.
    pub fn build(space: &SpaceState, project: &ProjectState, me: &MemberId, seed: u64) -> Self {
        let overview = project.overview();
        let conversations = project
            .phases()
            .iter()
            .filter(|p| p.kind == PhaseKind::Conversation)
            .filter_map(|p| ConversationInsight::build(space, project, &p.id, me, seed))
            .collect();
        let posts = project.writings();
        let line = |id: &str| post_line(project, &posts, id);
        let topics = crate::topics::topics(&posts, MAX_TOPICS)
            .into_iter()
            .map(|t| TopicView {
                terms: t.terms,
                posts: t
                    .posts
                    .iter()
                    .take(POSTS_PER_TOPIC)
                    .map(|id| line(id))
                    .collect(),
            })
            .collect();
        let summary = crate::topics::summary(&posts, SUMMARY_SENTENCES)
            .into_iter()
            .map(|q| QuoteView {
                post: line(&q.post),
                text: q.text,
            })
            .collect();
        InsightPage {
            project: project.id(),
            title: overview.title,
            can: Capabilities::of(space.current_role(me)),
            conversations,
            posts: posts.len(),
            keywords: crate::topics::keywords(&posts, 12),
            topics,
            summary,
        }
    }
}

fn post_line(project: &ProjectState, posts: &[crate::topics::Post], id: &str) -> PostLine {
    let text = posts
        .iter()
        .find(|p| p.id == id)
        .map(|p| shorten(&p.text.replace('\n', " "), POST_CHARS))
        .unwrap_or_default();
    let idea = id
        .parse::<RecordId>()
        .ok()
        .and_then(|r| project.idea_of(&r));
    PostLine {
        id: id.to_string(),
        idea,
        text,
    }
}

fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

impl ConversationInsight {
    fn build(
        space: &SpaceState,
        project: &ProjectState,
        phase: &RecordId,
        me: &MemberId,
        seed: u64,
    ) -> Option<Self> {
        use crate::insight::{analyse, next_statement, Options, Side};
        let view = project.conversation(space, phase)?;
        let conv = project.conversation_votes(phase).unwrap_or_default();
        let analysis = analyse(&conv, &Options::default());
        let by_key: std::collections::HashMap<&str, &crate::project::StatementView> = view
            .statements
            .iter()
            .map(|s| (s.key.as_str(), s))
            .collect();
        let line = |i: usize, side: Option<Side>, share: f64| {
            let key = conv.statements.get(i).cloned().unwrap_or_default();
            let st = by_key.get(key.as_str());
            StatementLine {
                record: st.and_then(|s| s.record),
                text: st.map(|s| s.text.clone()).unwrap_or_default(),
                agree: st.map_or(0, |s| s.agree),
                disagree: st.map_or(0, |s| s.disagree),
                pass: st.map_or(0, |s| s.pass),
                key,
                side,
                share,
            }
        };
        let me_id = me.to_string();
        let me_index = conv.participants.iter().position(|p| *p == me_id);
        // The map, scaled to [-1, 1] on the larger spread so its shape
        // stays true.
        let span = analysis
            .coords
            .iter()
            .flat_map(|c| [c[0].abs(), c[1].abs()])
            .fold(0.0f64, f64::max)
            .max(1e-9);
        let map = analysis
            .counted
            .iter()
            .zip(&analysis.coords)
            .map(|(&p, c)| MapDot {
                x: c[0] / span,
                y: c[1] / span,
                group: analysis.group_of(p),
                me: Some(p) == me_index,
            })
            .collect();
        let groups = analysis
            .groups
            .iter()
            .enumerate()
            .map(|(id, g)| GroupView {
                id,
                size: g.members.len(),
                center: [g.center[0] / span, g.center[1] / span],
                representative: g
                    .representative
                    .iter()
                    .take(3)
                    .map(|rep| line(rep.statement, Some(rep.side), rep.share))
                    .collect(),
            })
            .collect();
        let consensus = analysis
            .consensus
            .iter()
            .take(5)
            .map(|c| {
                // The least convinced group's share on that side.
                let low = group_shares(&conv, &analysis, c.statement)
                    .iter()
                    .map(|(a, d)| if c.side == Side::Agree { *a } else { *d })
                    .fold(1.0f64, f64::min);
                line(c.statement, Some(c.side), low)
            })
            .collect();
        let divisive = divisive(&conv, &analysis)
            .into_iter()
            .take(5)
            .map(|(i, spread)| line(i, None, spread))
            .collect();
        let mine = project.my_statement_votes(phase, me);
        let voted: Vec<bool> = conv
            .statements
            .iter()
            .map(|k| mine.contains_key(k))
            .collect();
        // Only statements written here take votes from this device.
        let votable: Vec<bool> = voted
            .iter()
            .enumerate()
            .map(|(i, v)| {
                *v || by_key
                    .get(conv.statements[i].as_str())
                    .is_none_or(|s| s.record.is_none())
            })
            .collect();
        let r = unit(seed ^ (mine.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let next = next_statement(&analysis, &votable, r).map(|i| line(i, None, 0.0));
        let my_group = me_index.and_then(|p| analysis.group_of(p));
        Some(ConversationInsight {
            phase: *phase,
            title: view.title,
            open: project
                .phase(phase)
                .is_some_and(|p| p.state == PhaseState::Open),
            participants: view.participants,
            counted: analysis.counted.len(),
            votes_needed: Options::default().min_votes.min(conv.statements.len()),
            votes: view.votes,
            statements: conv.statements.len(),
            groups,
            map,
            consensus,
            divisive,
            my_votes: mine.len(),
            my_group,
            next,
        })
    }
}

/// A number in [0, 1) from a seed (splitmix64).
fn unit(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Each group's (agree, disagree) shares on statement `s`, smoothed.
fn group_shares(
    conv: &crate::insight::Conversation,
    analysis: &crate::insight::Analysis,
    s: usize,
) -> Vec<(f64, f64)> {
    analysis
        .groups
        .iter()
        .map(|g| {
            let (mut a, mut d, mut n) = (0u32, 0u32, 0u32);
            for &p in &g.members {
                if let Some(v) = conv.votes.get(p).and_then(|vs| {
                    vs.binary_search_by_key(&(s as u32), |(i, _)| *i)
                        .ok()
                        .map(|k| vs[k].1)
                }) {
                    n += 1;
                    match v.signum() {
                        1 => a += 1,
                        -1 => d += 1,
                        _ => {}
                    }
                }
            }
            let n = f64::from(n) + 2.0;
            ((f64::from(a) + 1.0) / n, (f64::from(d) + 1.0) / n)
        })
        .collect()
}

/// Statements whose agreement differs most between groups: (statement,
/// spread of the groups' agree shares), largest first. Needs two groups.
fn divisive(
    conv: &crate::insight::Conversation,
    analysis: &crate::insight::Analysis,
) -> Vec<(usize, f64)> {
    if analysis.groups.len() < 2 {
        return Vec::new();
    }
    let mut out: Vec<(usize, f64)> = (0..conv.statements.len())
        .map(|s| {
            let shares = group_shares(conv, analysis, s);
            let hi = shares.iter().map(|x| x.0).fold(0.0f64, f64::max);
            let lo = shares.iter().map(|x| x.0).fold(1.0f64, f64::min);
            (s, hi - lo)
        })
        .filter(|(_, spread)| *spread >= 0.3)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_follow_roles() {
        assert_eq!(Capabilities::of(None), Capabilities::default());
        let resident = Capabilities::of(Some(Role::Resident));
        assert!(resident.participate && !resident.manage && !resident.moderate);
        let staff = Capabilities::of(Some(Role::Staff));
        assert!(staff.manage && staff.moderate && staff.invite && !staff.change_roles);
        assert!(Capabilities::of(Some(Role::Admin)).change_roles);
    }

    #[test]
    fn the_indicator_says_offline_unless_someone_is_reachable() {
        let mut s = SyncStatus {
            relay: Some(RelayStatus {
                url: "ws://relay".into(),
                reachable: false,
                last_ok_ms: None,
                error: Some("refused".into()),
            }),
            ..Default::default()
        };
        s.summarise();
        assert_eq!(s.state, SyncSummary::Offline);
        let peer = |up_to_date| PeerInfo {
            member: crate::DeviceKey::from_secret([7; 32]).member(),
            name: None,
            connected: true,
            up_to_date,
        };
        s.peers = vec![peer(false)];
        s.summarise();
        assert_eq!(s.state, SyncSummary::Syncing);
        s.peers = vec![peer(true)];
        s.summarise();
        assert_eq!(s.state, SyncSummary::UpToDate);
    }

    #[test]
    fn requests_and_responses_cross_as_json() {
        let r = Request::Project {
            project: DocId([3; 16]),
            sort: IdeaSort::Supports,
        };
        let text = serde_json::to_string(&r).expect("serialises");
        assert!(text.contains("\"request\":\"project\""), "{text}");
        assert_eq!(serde_json::from_str::<Request>(&text).expect("parses"), r);
        let e = Response::Recorded(RecordId([9; 32]));
        let text = serde_json::to_string(&e).expect("serialises");
        assert_eq!(serde_json::from_str::<Response>(&text).expect("parses"), e);
    }
}
