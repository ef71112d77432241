//! `yoriai`: the command-line face of a Yoriai node, for headless use,
//! scripts and tests. Global flags come before the subcommand:
//! `yoriai --home DIR --json project create ...`.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use serde_json::json;
use std::sync::Arc;
use yoriai_crdt::command::{NewInvitation, NewPhase, NewProject};
use yoriai_crdt::comment::{CommentNode, Stance};
use yoriai_crdt::insight::{self, polis};
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::project::{ProjectState, TimelineEntry};
use yoriai_crdt::record::{ImportedStatement, ImportedVote};
use yoriai_crdt::vote::{BallotChoice, ConsentChoice, TallyResult, VoteMethod};
use yoriai_crdt::{DocId, ProjectCommand, RecordId, Role};

use yoriai_node::lan::{Lan, LanStatus, SyncState};
use yoriai_node::Node;

#[derive(Parser, Debug)]
#[command(
    name = "yoriai",
    version,
    about = "Yoriai: local-first civic deliberation (command line)"
)]
struct Cli {
    /// The node's home directory (default: the platform data directory).
    #[arg(long, global = true, env = "YORIAI_HOME")]
    home: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Set up this device: its key and the name others see.
    Init {
        /// Your display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Spaces: create, list, show.
    #[command(subcommand)]
    Space(SpaceCmd),
    /// Invitations.
    #[command(subcommand)]
    Invite(InviteCmd),
    /// Join a space with an invitation link (works offline).
    Join {
        /// The link (yoriai://join/...).
        link: String,
        /// Your display name in that space.
        #[arg(long)]
        name: Option<String>,
    },
    /// Projects.
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Open or close a phase (staff).
    #[command(subcommand)]
    Phase(PhaseCmd),
    /// Ideas.
    #[command(subcommand)]
    Idea(IdeaCmd),
    /// Support an idea (or withdraw support).
    Support {
        /// The project.
        project: String,
        /// The idea (id or unique prefix).
        idea: String,
        /// Withdraw instead.
        #[arg(long)]
        withdraw: bool,
    },
    /// Comments.
    #[command(subcommand)]
    Comment(CommentCmd),
    /// Votes.
    #[command(subcommand)]
    Vote(VoteCmd),
    /// Sync with a relay (--relay) and/or with member devices on the local
    /// network (--lan): once, or every few seconds until stopped.
    Sync {
        /// The relay's WebSocket address (ws://HOST:PORT).
        #[arg(long, required_unless_present = "lan")]
        relay: Option<String>,
        /// Sync with member devices found on the local network (iroh).
        #[arg(long)]
        lan: bool,
        #[command(flatten)]
        net: LanArgs,
        /// With --lan: how many member devices to wait for.
        #[arg(long, default_value_t = 1)]
        expect_peers: usize,
        /// With --lan: seconds to look for peers and sync before giving up.
        #[arg(long, default_value_t = 30)]
        wait: u64,
        /// Sync once and exit.
        #[arg(long)]
        once: bool,
        /// Seconds to wait for the relay and for each document.
        #[arg(long, default_value_t = 20)]
        timeout: u64,
        /// Seconds between rounds when not --once.
        #[arg(long, default_value_t = 10)]
        every: u64,
    },
    /// Devices on the local network: members, strangers, and how each
    /// shared space stands ("up to date", "syncing", "last synced 3 min ago").
    Peers {
        #[command(flatten)]
        net: LanArgs,
        /// Seconds to look around.
        #[arg(long, default_value_t = 3)]
        wait: u64,
    },
    /// Keep this device syncing with member devices on the local network
    /// (and a relay, if given) until stopped with Ctrl-C.
    Serve {
        #[command(flatten)]
        net: LanArgs,
        /// Also keep syncing with this relay (ws://HOST:PORT).
        #[arg(long)]
        relay: Option<String>,
    },
    /// Let tablets join from a browser: serve the web app and a sync
    /// endpoint on the local network, and print the address (with a fresh
    /// invitation) to open or scan. Runs until Ctrl-C.
    Tablets {
        /// The space.
        space: String,
        /// Where to listen (all addresses by default, so tablets reach it).
        #[arg(long, default_value = "0.0.0.0:8480")]
        listen: std::net::SocketAddr,
        /// The role the invitation gives.
        #[arg(long, default_value = "resident")]
        role: String,
        /// The web app's folder (default: ui/dist of this build, or
        /// $YORIAI_WEB_DIR).
        #[arg(long)]
        web: Option<std::path::PathBuf>,
    },
    /// Write a space (or one project of it) to a file, to carry on a USB stick.
    Export {
        /// The space.
        space: String,
        /// Only this project (and the space).
        #[arg(long)]
        project: Option<String>,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Merge a space file into this device (never overwrites; importing
    /// twice changes nothing; a damaged file is refused whole).
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Opinion groups, representative and consensus statements (Polis
    /// style), computed on this device.
    #[command(subcommand)]
    Insight(InsightCmd),
    /// Statements in a conversation phase: write, vote, see the next one.
    #[command(subcommand)]
    Statement(StatementCmd),
    /// Print a project readably: phases, ideas, comments, votes.
    Show {
        /// The project.
        project: String,
    },
    /// Demo data.
    #[command(subcommand)]
    Demo(DemoCmd),
}

#[derive(Subcommand, Debug)]
enum InsightCmd {
    /// Create a project from a Polis export folder (comments.csv and
    /// participants-votes.csv), under the export's own ids (staff).
    ImportPolis {
        /// The folder.
        dir: PathBuf,
        /// The space to create the project in.
        space: String,
        /// Title (default: the export's topic).
        #[arg(long)]
        title: Option<String>,
    },
    /// The analysis of a conversation phase: groups with their participant
    /// ids, representative and consensus statements.
    Show {
        /// The project.
        project: String,
        /// The conversation phase (default: the first).
        #[arg(long)]
        phase: Option<String>,
    },
    /// Topics: similar ideas, comments and statements grouped and named by
    /// their key terms (Japanese and English; nothing leaves the device).
    Topics {
        /// The project.
        project: String,
        /// The most topics.
        #[arg(long, default_value_t = 8)]
        max: usize,
    },
    /// A summary made only of sentences quoted from what residents wrote,
    /// each with the post it came from.
    Summary {
        /// The project.
        project: String,
        /// How many sentences.
        #[arg(long, default_value_t = 5)]
        sentences: usize,
    },
    /// A narrative summary by the configured language model, every sentence
    /// linked to the residents' quotes it rests on (off unless staff set
    /// `insight llm`).
    Narrate {
        /// The project.
        project: String,
        /// ja or en.
        #[arg(long, default_value = "ja")]
        language: String,
        /// Quotes given to the model.
        #[arg(long, default_value_t = 12)]
        quotes: usize,
    },
    /// One post rewritten in plain language by the configured model.
    Plain {
        /// The project.
        project: String,
        /// The post (idea, comment or statement id, or a prefix).
        post: String,
        /// ja or en.
        #[arg(long, default_value = "ja")]
        language: String,
    },
    /// The language-model connector: off by default; nothing leaves the
    /// device unless staff set it.
    #[command(subcommand)]
    Llm(LlmCmd),
    /// Write the conversation in Polis's CSV layout (comments.csv,
    /// participants-votes.csv with this analysis's groups) into a folder.
    Export {
        /// The project.
        project: String,
        /// The folder (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// The conversation phase (default: the first).
        #[arg(long)]
        phase: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum LlmCmd {
    /// Use an OpenAI-compatible endpoint (a local model, or a cloud one
    /// where allowed).
    Set {
        /// Base URL, e.g. http://127.0.0.1:11434/v1
        #[arg(long)]
        endpoint: String,
        /// Model name.
        #[arg(long)]
        model: String,
        /// Environment variable holding the API key (never stored).
        #[arg(long)]
        api_key_env: Option<String>,
        /// Seconds to wait for an answer.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
    /// Turn it off.
    Off,
    /// Show the settings.
    Show,
}

#[derive(Subcommand, Debug)]
enum StatementCmd {
    /// Write a statement in the open conversation phase.
    Add {
        /// The project.
        project: String,
        /// The statement.
        text: String,
    },
    /// Vote on a statement: agree, disagree or pass.
    Vote {
        /// The project.
        project: String,
        /// The statement (id or prefix).
        statement: String,
        /// agree, disagree or pass.
        vote: String,
    },
    /// The next statement for you to vote on (few votes and dividing
    /// statements first, as in Polis).
    Next {
        /// The project.
        project: String,
    },
}

/// Local-network options.
#[derive(clap::Args, Debug, Clone)]
struct LanArgs {
    /// Dial this device directly (MEMBER-ID@IP:PORT, as `yoriai peers`
    /// prints it): for networks that block multicast discovery.
    #[arg(long = "peer")]
    peers: Vec<String>,
    /// Do not look for peers by mDNS.
    #[arg(long)]
    no_mdns: bool,
    /// UDP port to listen on (default: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where the internet is reachable, also use iroh's public relays and
    /// hole punching (off by default: nothing leaves the local network).
    #[arg(long)]
    internet: bool,
}

impl LanArgs {
    fn options(&self) -> Result<yoriai_node::lan::LanOptions> {
        Ok(yoriai_node::lan::LanOptions {
            mdns: !self.no_mdns,
            internet: self.internet,
            port: self.port,
            peers: self
                .peers
                .iter()
                .map(|p| yoriai_node::lan::parse_peer(p))
                .collect::<Result<_, _>>()?,
        })
    }
}

#[derive(Subcommand, Debug)]
enum SpaceCmd {
    /// Create a space; you become its admin.
    Create {
        /// Its name.
        name: String,
        /// Languages, comma-separated.
        #[arg(long, default_value = "ja,en")]
        languages: String,
    },
    /// Spaces and projects on this device.
    List,
    /// Members, invitations and projects of a space.
    Show {
        /// The space.
        space: String,
    },
}

#[derive(Subcommand, Debug)]
enum InviteCmd {
    /// Make an invitation link.
    Create {
        /// The space.
        space: String,
        /// The role it gives.
        #[arg(long, default_value = "resident")]
        role: String,
        /// How many people it admits (default: until revoked).
        #[arg(long)]
        uses: Option<u32>,
        /// A note for staff.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Withdraw an invitation: nobody can join with it any more.
    Revoke {
        /// The space.
        space: String,
        /// The invitation (id or prefix, as `space show` lists it).
        invitation: String,
    },
}

#[derive(Subcommand, Debug)]
enum ProjectCmd {
    /// Create a project (staff).
    Create {
        /// The space.
        space: String,
        /// Its title.
        title: String,
        /// Its brief.
        #[arg(long, default_value = "")]
        description: String,
        /// Its phases, in order; the first opens at once.
        #[arg(long, default_value = "ideas,discussion,survey,decision,results")]
        phases: String,
    },
}

#[derive(Subcommand, Debug)]
enum PhaseCmd {
    /// Open a phase.
    Open {
        /// The project.
        project: String,
        /// The phase: its kind (ideas, discussion...) or id.
        phase: String,
    },
    /// Close a phase.
    Close {
        /// The project.
        project: String,
        /// The phase: its kind or id.
        phase: String,
    },
}

#[derive(Subcommand, Debug)]
enum IdeaCmd {
    /// Post an idea in the open ideas phase.
    Add {
        /// The project.
        project: String,
        /// The idea.
        text: String,
        /// A title (default: the start of the text).
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum CommentCmd {
    /// Comment on an idea, or on the project itself ("project").
    Add {
        /// The project.
        project: String,
        /// What to comment on: an idea id (or prefix), or "project".
        target: String,
        /// The comment.
        text: String,
        /// for, against or neutral.
        #[arg(long, default_value = "neutral")]
        stance: String,
        /// The comment this answers.
        #[arg(long)]
        reply_to: Option<String>,
        /// An official answer (staff).
        #[arg(long)]
        official: bool,
    },
}

#[derive(Subcommand, Debug)]
enum VoteCmd {
    /// Open a vote in the decision phase (staff).
    Open {
        /// The project.
        project: String,
        /// The question.
        title: String,
        /// consent, single, approval, score, ranked or dot.
        #[arg(long, default_value = "consent")]
        method: String,
        /// Options, comma-separated (not for consent).
        #[arg(long, default_value = "")]
        options: String,
        /// Highest score (score votes).
        #[arg(long, default_value_t = 5)]
        max: u8,
        /// Dots per member (dot votes).
        #[arg(long, default_value_t = 3)]
        dots: u16,
    },
    /// Cast (or change) your ballot.
    Cast {
        /// The project.
        project: String,
        /// The vote (id or prefix).
        vote: String,
        /// consent: agree|abstain|disagree|block; single: an option;
        /// approval and ranked: options, comma-separated; score and dot:
        /// numbers per option, comma-separated.
        choice: String,
    },
    /// Close a vote and pin what counts (staff).
    Close {
        /// The project.
        project: String,
        /// The vote.
        vote: String,
    },
}

#[derive(Subcommand, Debug)]
enum DemoCmd {
    /// A demo space: a park renovation in Japanese and English, with ideas,
    /// comments, a survey and a vote.
    Seed,
    /// A large project for load tests and benches: a space with one
    /// project of many ideas and comments, written by this device.
    Big {
        /// Ideas.
        #[arg(long, default_value_t = 500)]
        ideas: usize,
        /// Comments, spread evenly over the ideas.
        #[arg(long, default_value_t = 10_000)]
        comments: usize,
    },
}

fn home(cli: &Cli) -> Result<PathBuf> {
    match &cli.home {
        Some(h) => Ok(h.clone()),
        None => dirs::data_dir()
            .map(|d| d.join("yoriai"))
            .ok_or_else(|| anyhow!("no data directory on this system; pass --home DIR")),
    }
}

fn parse_doc(s: &str, what: &str) -> Result<DocId> {
    s.parse::<DocId>()
        .map_err(|_| anyhow!("'{s}' is not a {what} id (see `yoriai space list`)"))
}

/// The one id among `ids` that starts with `prefix` (at least 4 hex digits).
fn resolve(prefix: &str, what: &str, ids: &[RecordId]) -> Result<RecordId> {
    let prefix = prefix.trim().to_lowercase();
    if prefix.len() < 4 {
        bail!("give at least 4 characters of the {what} id");
    }
    let found: Vec<&RecordId> = ids
        .iter()
        .filter(|id| id.to_string().starts_with(&prefix))
        .collect();
    match found.as_slice() {
        [one] => Ok(**one),
        [] => {
            let listed_by = match what {
                "invitation" => "yoriai space show SPACE",
                "statement" => "yoriai --json insight show PROJECT",
                _ => "yoriai show PROJECT",
            };
            bail!("no {what} with an id starting '{prefix}' (see `{listed_by}`)")
        }
        _ => bail!("'{prefix}' matches several {what}s; give more of the id"),
    }
}

fn idea_ids(state: &ProjectState, space: &yoriai_crdt::SpaceState) -> Vec<RecordId> {
    state
        .ideas(space, yoriai_crdt::project::IdeaSort::Newest)
        .into_iter()
        .map(|c| c.id)
        .collect()
}

fn out(cli: &Cli, value: serde_json::Value, text: impl FnOnce() -> String) {
    if cli.json {
        println!("{value}");
    } else {
        println!("{}", text());
    }
}

fn parse_phases(list: &str) -> Result<Vec<NewPhase>> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let kind: PhaseKind = s.parse().map_err(|e: String| anyhow!(e))?;
            Ok(NewPhase {
                kind,
                title: title_of(kind).to_string(),
            })
        })
        .collect()
}

fn title_of(kind: PhaseKind) -> &'static str {
    match kind {
        PhaseKind::Information => "情報 Information",
        PhaseKind::Ideas => "アイデア Ideas",
        PhaseKind::Discussion => "議論 Discussion",
        PhaseKind::CoCreation => "共創 Co-creation",
        PhaseKind::Survey => "アンケート Survey",
        PhaseKind::Decision => "決定 Decision",
        PhaseKind::Results => "結果 Results",
        PhaseKind::Conversation => "対話 Conversation",
    }
}

fn parse_method(method: &str, max: u8, dots: u16) -> Result<VoteMethod> {
    Ok(match method {
        "consent" => VoteMethod::Consent,
        "single" | "single-choice" => VoteMethod::SingleChoice,
        "approval" => VoteMethod::Approval,
        "score" => VoteMethod::Score { max },
        "ranked" | "ranked-choice" => VoteMethod::RankedChoice,
        "dot" => VoteMethod::Dot { dots },
        other => {
            bail!("unknown vote method '{other}' (consent, single, approval, score, ranked or dot)")
        }
    })
}

fn parse_choice(method: VoteMethod, options: &[String], choice: &str) -> Result<BallotChoice> {
    let option = |s: &str| -> Result<u16> {
        let s = s.trim();
        if let Some(i) = options.iter().position(|o| o == s) {
            return Ok(i as u16);
        }
        match s.parse::<u16>() {
            Ok(n) if n >= 1 && (n as usize) <= options.len() => Ok(n - 1),
            _ => bail!("'{s}' is not an option; options: {}", options.join(", ")),
        }
    };
    let list = |s: &str| -> Vec<String> {
        s.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    };
    Ok(match method {
        VoteMethod::Consent => BallotChoice::Consent(match choice.trim() {
            "agree" => ConsentChoice::Agree,
            "abstain" => ConsentChoice::Abstain,
            "disagree" => ConsentChoice::Disagree,
            "block" => ConsentChoice::Block,
            other => bail!("'{other}': choose agree, abstain, disagree or block"),
        }),
        VoteMethod::SingleChoice => BallotChoice::Single(option(choice)?),
        VoteMethod::Approval => BallotChoice::Approval(
            list(choice)
                .iter()
                .map(|s| option(s))
                .collect::<Result<_>>()?,
        ),
        VoteMethod::RankedChoice => BallotChoice::Ranked(
            list(choice)
                .iter()
                .map(|s| option(s))
                .collect::<Result<_>>()?,
        ),
        VoteMethod::Score { .. } => BallotChoice::Score(
            list(choice)
                .iter()
                .map(|s| s.parse::<u8>().map_err(|_| anyhow!("'{s}' is not a score")))
                .collect::<Result<_>>()?,
        ),
        VoteMethod::Dot { .. } => BallotChoice::Dots(
            list(choice)
                .iter()
                .map(|s| {
                    s.parse::<u16>()
                        .map_err(|_| anyhow!("'{s}' is not a number of dots"))
                })
                .collect::<Result<_>>()?,
        ),
    })
}

fn title_from(text: &str) -> String {
    let first = text
        .split(['\n', '。', '.', '!', '?', '！', '？'])
        .next()
        .unwrap_or(text)
        .trim();
    let t: String = first.chars().take(80).collect();
    if t.is_empty() {
        text.chars().take(80).collect()
    } else {
        t
    }
}

fn print_thread(nodes: &[CommentNode], depth: usize, out: &mut String) {
    for c in nodes {
        let stance = match c.stance {
            Stance::For => "for",
            Stance::Against => "against",
            Stance::Neutral => "neutral",
        };
        let text = c.text.clone().unwrap_or_else(|| {
            format!(
                "(hidden by staff: {})",
                c.hidden_reason.clone().unwrap_or_default()
            )
        });
        out.push_str(&format!(
            "{:w$}- [{stance}] {}{}: {text}  ({})\n",
            "",
            c.author_name,
            if c.official { " (official)" } else { "" },
            c.id.short(),
            w = 4 + depth * 2
        ));
        print_thread(&c.replies, depth + 1, out);
    }
}

fn render_tally(t: &Option<TallyResult>, options: &[String]) -> String {
    match t {
        None => "pending: the closing changes have not arrived yet".into(),
        Some(TallyResult::Consent {
            agree,
            abstain,
            disagree,
            block,
            outcome,
        }) => {
            format!("agree {agree}, abstain {abstain}, disagree {disagree}, block {block} → {outcome:?}")
        }
        Some(TallyResult::Totals { totals, winners }) => {
            let parts: Vec<String> = options
                .iter()
                .zip(totals)
                .map(|(o, t)| format!("{o}: {t}"))
                .collect();
            let w: Vec<&str> = winners
                .iter()
                .filter_map(|i| options.get(*i as usize).map(String::as_str))
                .collect();
            format!(
                "{}; leading: {}",
                parts.join(", "),
                if w.is_empty() {
                    "-".into()
                } else {
                    w.join(", ")
                }
            )
        }
        Some(TallyResult::Runoff { rounds, winners }) => {
            let w: Vec<&str> = winners
                .iter()
                .filter_map(|i| options.get(*i as usize).map(String::as_str))
                .collect();
            let outcome = match w.as_slice() {
                [] => "no winner yet".to_string(),
                [one] => format!("winner: {one}"),
                many => format!("tie between {}", many.join(" and ")),
            };
            format!("{} rounds; {outcome}", rounds.len())
        }
    }
}

async fn phase_by(node: &Node, project: DocId, phase: &str) -> Result<RecordId> {
    let (_, state) = node.project(project).await?;
    let phases = state.phases();
    if let Ok(kind) = phase.parse::<PhaseKind>() {
        return phases
            .iter()
            .find(|p| p.kind == kind)
            .map(|p| p.id)
            .ok_or_else(|| anyhow!("the project has no {} phase", kind.name()));
    }
    let ids: Vec<RecordId> = phases.iter().map(|p| p.id).collect();
    resolve(phase, "phase", &ids)
}

async fn run(cli: &Cli, node: &Arc<Node>) -> Result<()> {
    match &cli.command {
        Command::Init { name } => {
            if let Some(n) = name {
                node.set_display_name(n)?;
            }
            let name = node.display_name()?.unwrap_or_default();
            out(
                cli,
                json!({"member": node.member().to_string(), "name": name, "home": node.home()}),
                || {
                    format!(
                        "This device is member {}{}.\nHome: {}",
                        node.member(),
                        if name.is_empty() {
                            String::new()
                        } else {
                            format!(" ({name})")
                        },
                        node.home().display()
                    )
                },
            );
        }
        Command::Space(SpaceCmd::Create { name, languages }) => {
            let langs: Vec<String> = languages
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let id = node.create_space(name, &langs).await?;
            out(cli, json!({"id": id.to_string()}), || {
                format!("Created space {id} ({name}); you are its admin.")
            });
        }
        Command::Space(SpaceCmd::List) => {
            let docs = node.documents()?;
            out(cli, json!(docs), || {
                if docs.is_empty() {
                    return "No spaces on this device yet: `yoriai space create NAME`, `yoriai join LINK` or `yoriai demo seed`.".into();
                }
                docs.iter()
                    .map(|d| format!("{:<8} {}  (space {})", d.kind, d.id, d.space))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Command::Space(SpaceCmd::Show { space }) => {
            let o = node.space_overview(parse_doc(space, "space")?).await?;
            out(cli, json!(o), || {
                let mut s = format!("{} ({})\nMembers:\n", o.name, o.id);
                for m in &o.members {
                    s.push_str(&format!(
                        "  {:<24} {:<8} {}\n",
                        m.display_name,
                        m.role.name(),
                        m.id.short()
                    ));
                }
                if !o.awaiting_approval.is_empty() {
                    s.push_str("Waiting for approval:\n");
                    for p in &o.awaiting_approval {
                        s.push_str(&format!("  {} (join {})\n", p.display_name, p.join.short()));
                    }
                }
                s.push_str("Projects:\n");
                for p in &o.projects {
                    s.push_str(&format!("  {}  {}\n", p.project, p.title));
                }
                s
            });
        }
        Command::Invite(InviteCmd::Create {
            space,
            role,
            uses,
            note,
        }) => {
            let role: Role = role.parse().map_err(|e: String| anyhow!(e))?;
            let inv = node
                .invite(
                    parse_doc(space, "space")?,
                    NewInvitation {
                        role,
                        max_uses: *uses,
                        note: note.clone(),
                        relays: vec![],
                    },
                )
                .await?;
            let id = inv
                .invite_record()
                .map(|r| r.id.to_string())
                .unwrap_or_default();
            let link = inv.to_link();
            out(cli, json!({"id": id, "link": link}), || {
                format!("Invitation ({}):\n{link}", role.name())
            });
        }
        Command::Invite(InviteCmd::Revoke { space, invitation }) => {
            let space = parse_doc(space, "space")?;
            let overview = node.space_overview(space).await?;
            let ids: Vec<RecordId> = overview.invitations.iter().map(|i| i.id).collect();
            let invitation = resolve(invitation, "invitation", &ids)?;
            node.space_command(
                space,
                yoriai_crdt::SpaceCommand::RevokeInvitation { invitation },
            )
            .await?;
            out(cli, json!({"revoked": invitation.to_string()}), || {
                format!("Invitation {} withdrawn.", invitation.short())
            });
        }
        Command::Join { link, name } => {
            let o = node.join(link, name.as_deref()).await?;
            out(
                cli,
                json!({"space": o.space.to_string(), "completed": o.completed}),
                || {
                    if o.completed {
                        format!("Joined space {}.", o.space)
                    } else {
                        format!("Joined space {} on this device; the membership completes as soon as the space arrives by sync or import.", o.space)
                    }
                },
            );
        }
        Command::Project(ProjectCmd::Create {
            space,
            title,
            description,
            phases,
        }) => {
            let new = NewProject {
                title: title.clone(),
                description: description.clone(),
                phases: parse_phases(phases)?,
            };
            let id = node
                .create_project(parse_doc(space, "space")?, &new)
                .await?;
            out(cli, json!({"id": id.to_string()}), || {
                format!("Created project {id}: {title}")
            });
        }
        Command::Phase(cmd) => {
            let (project, phase, state) = match cmd {
                PhaseCmd::Open { project, phase } => (project, phase, PhaseState::Open),
                PhaseCmd::Close { project, phase } => (project, phase, PhaseState::Closed),
            };
            let project = parse_doc(project, "project")?;
            let phase = phase_by(node, project, phase).await?;
            let id = node
                .project_command(project, ProjectCommand::SetPhaseState { phase, state })
                .await?;
            out(cli, json!({"id": id.to_string()}), || {
                format!("Phase {} is now {state:?}.", phase.short())
            });
        }
        Command::Idea(IdeaCmd::Add {
            project,
            text,
            title,
        }) => {
            let project = parse_doc(project, "project")?;
            let title = title.clone().unwrap_or_else(|| title_from(text));
            let id = node
                .project_command(
                    project,
                    ProjectCommand::PostIdea {
                        title,
                        body: text.clone(),
                    },
                )
                .await?;
            out(cli, json!({"id": id.to_string()}), || {
                format!("Posted idea {}.", id.short())
            });
        }
        Command::Support {
            project,
            idea,
            withdraw,
        } => {
            let project = parse_doc(project, "project")?;
            let (space, state) = node.project(project).await?;
            let idea = resolve(idea, "idea", &idea_ids(&state, &space))?;
            let id = node
                .project_command(
                    project,
                    ProjectCommand::Support {
                        idea,
                        support: !withdraw,
                    },
                )
                .await?;
            out(cli, json!({"id": id.to_string()}), || {
                if *withdraw {
                    "Support withdrawn.".into()
                } else {
                    "Supported.".into()
                }
            });
        }
        Command::Comment(CommentCmd::Add {
            project,
            target,
            text,
            stance,
            reply_to,
            official,
        }) => {
            let project = parse_doc(project, "project")?;
            let (space, state) = node.project(project).await?;
            let target = if target == "project" {
                None
            } else {
                Some(resolve(target, "idea", &idea_ids(&state, &space))?)
            };
            let comments: Vec<RecordId> = state
                .snapshot(&space)
                .ideas
                .iter()
                .flat_map(|i| flatten(&i.comments))
                .chain(flatten(&state.comment_tree(&space, &state.genesis())))
                .collect();
            let reply_to = match reply_to {
                Some(r) => Some(resolve(r, "comment", &comments)?),
                None => None,
            };
            let stance: Stance = stance.parse().map_err(|e: String| anyhow!(e))?;
            let id = node
                .project_command(
                    project,
                    ProjectCommand::Comment {
                        target,
                        reply_to,
                        stance,
                        text: text.clone(),
                        official: *official,
                    },
                )
                .await?;
            out(cli, json!({"id": id.to_string()}), || {
                format!("Commented ({}).", id.short())
            });
        }
        Command::Vote(VoteCmd::Open {
            project,
            title,
            method,
            options,
            max,
            dots,
        }) => {
            let project = parse_doc(project, "project")?;
            let method = parse_method(method, *max, *dots)?;
            let options: Vec<String> = options
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let id = node
                .project_command(
                    project,
                    ProjectCommand::OpenVote {
                        phase: None,
                        title: title.clone(),
                        method,
                        options,
                    },
                )
                .await?;
            out(cli, json!({"id": id.to_string()}), || {
                format!("Opened vote {}.", id.short())
            });
        }
        Command::Vote(VoteCmd::Cast {
            project,
            vote,
            choice,
        }) => {
            let project = parse_doc(project, "project")?;
            let (_, state) = node.project(project).await?;
            let votes = state.votes();
            let ids: Vec<RecordId> = votes.iter().map(|v| v.id).collect();
            let vote = resolve(vote, "vote", &ids)?;
            let v = votes.iter().find(|v| v.id == vote).context("vote")?;
            let choice = parse_choice(v.method, &v.options, choice)?;
            let id = node
                .project_command(project, ProjectCommand::CastBallot { vote, choice })
                .await?;
            out(cli, json!({"id": id.to_string()}), || "Ballot cast.".into());
        }
        Command::Vote(VoteCmd::Close { project, vote }) => {
            let project = parse_doc(project, "project")?;
            let (_, state) = node.project(project).await?;
            let ids: Vec<RecordId> = state.votes().iter().map(|v| v.id).collect();
            let vote = resolve(vote, "vote", &ids)?;
            let id = node
                .project_command(project, ProjectCommand::CloseVote { vote })
                .await?;
            let v = node.project(project).await?.1.vote(&vote).context("vote")?;
            out(cli, json!({"id": id.to_string(), "tally": v.tally}), || {
                format!(
                    "Closed. Final tally: {}",
                    render_tally(&v.tally, &v.options)
                )
            });
        }
        Command::Sync {
            relay,
            lan,
            net,
            expect_peers,
            wait,
            once,
            timeout,
            every,
        } => {
            let timeout = std::time::Duration::from_secs(*timeout);
            let lan = if *lan {
                Some(Lan::start(node.clone(), net.options()?).await?)
            } else {
                None
            };
            let mut failed = None;
            loop {
                if let Some(relay) = relay {
                    match node.sync_once(relay, timeout).await {
                        Ok(r) => out(cli, json!(r), || {
                            let mut s = format!("Synced {} document(s) with {}", r.synced, r.relay);
                            if r.fetched > 0 {
                                s.push_str(&format!("; {} new on this device", r.fetched));
                            }
                            if !r.unfinished.is_empty() {
                                s.push_str(&format!(
                                    "; not finished (next time): {}",
                                    r.unfinished.join(", ")
                                ));
                            }
                            s
                        }),
                        Err(e) if !*once => eprintln!("yoriai: {e}; retrying in {every} s"),
                        Err(e) => {
                            failed = Some(anyhow::Error::from(e));
                        }
                    }
                }
                if let Some(lan) = &lan {
                    lan.settle(*expect_peers, std::time::Duration::from_secs(*wait))
                        .await?;
                    // Give the last acknowledgements a moment to cross.
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    let status = lan.status().await?;
                    let done = yoriai_node::lan::settled(&status, *expect_peers);
                    out(cli, json!(status), || render_peers(&status));
                    if !done && *once {
                        failed = Some(anyhow!(
                            "not every member device nearby was brought up to date within {wait} s (see above)"
                        ));
                    }
                }
                if *once || failed.is_some() {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(*every)) => {}
                    _ = tokio::signal::ctrl_c() => break,
                }
            }
            if let Some(lan) = lan {
                lan.shutdown().await;
            }
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Command::Peers { net, wait } => {
            let lan = Lan::start(node.clone(), net.options()?).await?;
            tokio::time::sleep(std::time::Duration::from_secs(*wait)).await;
            let status = lan.status().await?;
            lan.shutdown().await;
            out(cli, json!(status), || render_peers(&status));
        }
        Command::Tablets {
            space,
            listen,
            role,
            web,
        } => {
            let space = parse_doc(space, "space")?;
            let role: Role = role.parse().map_err(|e: String| anyhow!(e))?;
            let assets = yoriai_node::web::WebAssets::Dir(
                web.clone()
                    .unwrap_or_else(yoriai_node::web::WebAssets::default_dir),
            );
            let inv = node
                .invite(
                    space,
                    NewInvitation {
                        role,
                        max_uses: None,
                        note: "tablets".into(),
                        relays: vec![],
                    },
                )
                .await?;
            let server = yoriai_node::web::serve(
                node.clone(),
                yoriai_node::web::WebOptions {
                    listen: *listen,
                    assets,
                },
            )
            .await?;
            let urls = yoriai_node::web::join_urls(server.addr(), &inv);
            out(cli, json!({"urls": urls, "link": inv.to_link()}), || {
                let mut s = format!("Tablets can open Yoriai and join as {} at:\n", role.name());
                for u in &urls {
                    s.push_str(&format!("  {u}\n"));
                }
                s.push_str("Ctrl-C to stop.");
                s
            });
            use std::io::Write;
            let _ = std::io::stdout().flush();
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            server.shutdown().await;
        }
        Command::Serve { net, relay } => {
            let lan = Lan::start(node.clone(), net.options()?).await?;
            eprintln!(
                "Syncing on the local network as {} (listening on {}). Ctrl-C to stop.",
                node.member(),
                lan.listening().join(", ")
            );
            let mut last_relay = std::time::Instant::now() - std::time::Duration::from_secs(3600);
            let mut shown = String::new();
            let stop = async {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                Ok::<(), std::io::Error>(())
            };
            tokio::pin!(stop);
            loop {
                if let Some(relay) = relay {
                    if last_relay.elapsed() >= std::time::Duration::from_secs(10) {
                        last_relay = std::time::Instant::now();
                        if let Err(e) = node
                            .sync_once(relay, std::time::Duration::from_secs(20))
                            .await
                        {
                            eprintln!("yoriai: {e}; retrying in 10 s");
                        }
                    }
                }
                let status = lan.status().await?;
                // `yoriai peers` reads this while the home is busy.
                let _ = write_file_atomically(
                    &node.home().join(STATUS_FILE),
                    json!(status).to_string().as_bytes(),
                );
                let text = if cli.json {
                    json!(status).to_string()
                } else {
                    render_peers(&status)
                };
                // Print when something a person would notice changed.
                let key = render_peers_key(&status);
                if key != shown {
                    shown = key;
                    println!("{text}");
                }
                tokio::select! {
                    r = &mut stop => { r?; break; }
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
            lan.shutdown().await;
            let _ = std::fs::remove_file(node.home().join(STATUS_FILE));
        }
        Command::Export {
            space,
            project,
            out: path,
        } => {
            let space = parse_doc(space, "space")?;
            let project = project
                .as_deref()
                .map(|p| parse_doc(p, "project"))
                .transpose()?;
            let bytes = node.export(space, project).await?;
            write_file_atomically(path, &bytes)?;
            out(
                cli,
                json!({"file": path, "bytes": bytes.len(), "space": space.to_string()}),
                || {
                    format!("Wrote {} ({} bytes). Import it on another device with `yoriai import FILE`.", path.display(), bytes.len())
                },
            );
        }
        Command::Import { file } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let report = node.import(&bytes).await.with_context(|| {
                format!(
                    "{} was not imported; this device is unchanged",
                    file.display()
                )
            })?;
            out(cli, json!(report), || {
                format!(
                    "Imported space {}: {} document(s) in the file, {} new here, {} with new changes, {} already up to date.",
                    report.space,
                    report.documents,
                    report.new,
                    report.changed,
                    report.documents - report.new - report.changed
                )
            });
        }
        Command::Insight(InsightCmd::ImportPolis { dir, space, title }) => {
            let space = parse_doc(space, "space")?;
            let read = |f: &str| {
                std::fs::read_to_string(dir.join(f))
                    .with_context(|| format!("cannot read {}", dir.join(f).display()))
            };
            let export = polis::read(&read("participants-votes.csv")?, &read("comments.csv")?)
                .map_err(|e| anyhow!("{}: not a Polis export: {e}", dir.display()))?;
            let topic = read("summary.csv").ok().and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("topic,"))
                    .map(|t| t.trim_matches('"').to_string())
            });
            let title = title.clone().or(topic).unwrap_or_else(|| {
                dir.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "Polis conversation".into())
            });
            let source = format!(
                "Polis export {} (CC BY 4.0, The Computational Democracy Project)",
                dir.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            let project = node
                .create_project(
                    space,
                    &NewProject {
                        title: title.chars().take(200).collect(),
                        description: String::new(),
                        phases: vec![NewPhase {
                            kind: PhaseKind::Conversation,
                            title: title_of(PhaseKind::Conversation).to_string(),
                        }],
                    },
                )
                .await?;
            let batches = import_batches(&export);
            let n = batches.len();
            let cmds = batches
                .into_iter()
                .map(|(statements, votes)| ProjectCommand::ImportConversation {
                    phase: None,
                    source: source.clone(),
                    statements,
                    votes,
                })
                .collect();
            node.project_commands(project, cmds).await?;
            let conv = &export.conversation;
            out(
                cli,
                json!({"id": project.to_string(), "participants": conv.participants.len(),
                       "statements": conv.statements.len(), "votes": conv.vote_count(), "records": n}),
                || {
                    format!(
                        "Created project {project} from {}: {} participants, {} statements, {} votes ({n} records).",
                        dir.display(),
                        conv.participants.len(),
                        conv.statements.len(),
                        conv.vote_count()
                    )
                },
            );
        }
        Command::Insight(InsightCmd::Show { project, phase }) => {
            let project = parse_doc(project, "project")?;
            let Conversation {
                phase,
                view,
                votes: conv,
                analysis,
                ..
            } = conversation(node, project, phase.as_deref()).await?;
            let report = insight::report(&conv, &analysis);
            let text: std::collections::HashMap<&str, &str> = view
                .statements
                .iter()
                .map(|s| (s.key.as_str(), s.text.as_str()))
                .collect();
            out(
                cli,
                json!({"project": project.to_string(), "phase": phase.to_string(), "insight": report,
                       "statements": view.statements}),
                || render_insight(&report, &text),
            );
        }
        Command::Insight(InsightCmd::Export {
            project,
            out: dir,
            phase,
        }) => {
            let project = parse_doc(project, "project")?;
            let Conversation {
                view,
                votes: conv,
                analysis,
                ..
            } = conversation(node, project, phase.as_deref()).await?;
            let groups: Vec<Option<usize>> = (0..conv.participants.len())
                .map(|p| analysis.group_of(p))
                .collect();
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            write_file_atomically(
                &dir.join("participants-votes.csv"),
                polis::write_participants_votes(&conv, &groups).as_bytes(),
            )?;
            write_file_atomically(&dir.join("comments.csv"), polis_comments(&view).as_bytes())?;
            out(
                cli,
                json!({"dir": dir, "participants": conv.participants.len(),
                            "statements": view.statements.len()}),
                || {
                    format!(
                        "Wrote {} and {} ({} participants, {} statements) in Polis's layout.",
                        dir.join("comments.csv").display(),
                        dir.join("participants-votes.csv").display(),
                        conv.participants.len(),
                        view.statements.len()
                    )
                },
            );
        }
        Command::Insight(InsightCmd::Topics { project, max }) => {
            let project = parse_doc(project, "project")?;
            let (_, state) = node.project(project).await?;
            let posts = state.writings();
            let found = yoriai_crdt::topics::topics(&posts, *max);
            let keywords = yoriai_crdt::topics::keywords(&posts, 15);
            out(
                cli,
                json!({"posts": posts.len(), "keywords": keywords, "topics": found}),
                || {
                    let mut s = format!(
                        "{} posts. Key terms: {}\n",
                        posts.len(),
                        keywords.join(", ")
                    );
                    for t in &found {
                        s.push_str(&format!(
                            "\n{} ({} posts)\n",
                            t.terms.join(" / "),
                            t.posts.len()
                        ));
                        for id in t.posts.iter().take(3) {
                            if let Some(p) = posts.iter().find(|p| &p.id == id) {
                                let line: String =
                                    p.text.replace('\n', " ").chars().take(90).collect();
                                s.push_str(&format!("  - {line}\n"));
                            }
                        }
                    }
                    s
                },
            );
        }
        Command::Insight(InsightCmd::Summary { project, sentences }) => {
            let project = parse_doc(project, "project")?;
            let (_, state) = node.project(project).await?;
            let posts = state.writings();
            let quotes = yoriai_crdt::topics::summary(&posts, *sentences);
            out(cli, json!({"posts": posts.len(), "quotes": quotes}), || {
                let mut s = format!(
                    "Summary of {} posts, in residents' own words:\n",
                    posts.len()
                );
                for q in &quotes {
                    s.push_str(&format!(
                        "  \u{201c}{}\u{201d} [{}]\n",
                        q.text,
                        &q.post[..q.post.len().min(12)]
                    ));
                }
                s
            });
        }
        Command::Insight(InsightCmd::Llm(cmd)) => match cmd {
            LlmCmd::Set {
                endpoint,
                model,
                api_key_env,
                timeout,
            } => {
                let url = url::Url::parse(endpoint)
                    .map_err(|e| anyhow!("'{endpoint}' is not a URL: {e}"))?;
                if !matches!(url.scheme(), "http" | "https") {
                    bail!("the endpoint must be http:// or https://");
                }
                let config = yoriai_node::llm::LlmConfig {
                    endpoint: endpoint.clone(),
                    model: model.clone(),
                    api_key_env: api_key_env.clone(),
                    timeout_s: *timeout,
                };
                node.set_llm_config(Some(&config))?;
                out(cli, json!(config), || {
                    format!("Generated summaries will use {model} at {endpoint}. Quotes from residents are sent there when staff ask for one.")
                });
            }
            LlmCmd::Off => {
                node.set_llm_config(None)?;
                out(cli, json!({"llm": null}), || {
                    "The language-model connector is off.".to_string()
                });
            }
            LlmCmd::Show => {
                let c = node.llm_config()?;
                out(cli, json!({"llm": c}), || match &c {
                    Some(c) => format!("On: {} at {}", c.model, c.endpoint),
                    None => "Off (the default): nothing is sent anywhere.".to_string(),
                });
            }
        },
        Command::Insight(InsightCmd::Narrate {
            project,
            language,
            quotes,
        }) => {
            let project = parse_doc(project, "project")?;
            let config = node.llm_config()?;
            let (_, state) = node.project(project).await?;
            let picked = yoriai_crdt::topics::summary(&state.writings(), *quotes);
            let g = yoriai_node::llm::narrate(config.as_ref(), picked, language).await?;
            out(cli, json!(g), || render_generated(&g));
        }
        Command::Insight(InsightCmd::Plain {
            project,
            post,
            language,
        }) => {
            let project = parse_doc(project, "project")?;
            let config = node.llm_config()?;
            let (_, state) = node.project(project).await?;
            let posts = state.writings();
            let found: Vec<&yoriai_crdt::topics::Post> = posts
                .iter()
                .filter(|p| p.id.starts_with(post.as_str()))
                .collect();
            let p = match found.as_slice() {
                [one] => *one,
                [] => bail!("no post with an id starting '{post}' in this project"),
                _ => bail!("'{post}' matches several posts; give more of the id"),
            };
            let quote = yoriai_crdt::topics::Quote {
                post: p.id.clone(),
                text: p.text.clone(),
                start: 0,
                end: p.text.len(),
            };
            let g = yoriai_node::llm::plain(config.as_ref(), quote, language).await?;
            out(cli, json!(g), || render_generated(&g));
        }
        Command::Statement(StatementCmd::Add { project, text }) => {
            let project = parse_doc(project, "project")?;
            let id = node
                .project_command(
                    project,
                    ProjectCommand::PostStatement { text: text.clone() },
                )
                .await?;
            out(cli, json!({"id": id.to_string()}), || {
                format!("Statement {} posted.", id.short())
            });
        }
        Command::Statement(StatementCmd::Vote {
            project,
            statement,
            vote,
        }) => {
            let project = parse_doc(project, "project")?;
            let vote: i8 = match vote.as_str() {
                "agree" => 1,
                "disagree" => -1,
                "pass" => 0,
                other => bail!("'{other}' is not a vote: use agree, disagree or pass"),
            };
            let (space, state) = node.project(project).await?;
            let phase = conversation_phase(&state, None)?;
            let ids: Vec<RecordId> = state
                .conversation(&space, &phase)
                .map(|v| v.statements.iter().filter_map(|s| s.record).collect())
                .unwrap_or_default();
            let statement = resolve(statement, "statement", &ids)?;
            let id = node
                .project_command(project, ProjectCommand::VoteStatement { statement, vote })
                .await?;
            out(cli, json!({"id": id.to_string()}), || {
                "Vote recorded.".to_string()
            });
        }
        Command::Statement(StatementCmd::Next { project }) => {
            let project = parse_doc(project, "project")?;
            let Conversation {
                state,
                phase,
                view,
                votes: conv,
                analysis,
            } = conversation(node, project, None).await?;
            let mine = state.my_statement_votes(&phase, &node.member());
            // Only statements written here can be voted on here.
            let voted: Vec<bool> = conv
                .statements
                .iter()
                .map(|k| {
                    mine.contains_key(k)
                        || !view
                            .statements
                            .iter()
                            .any(|s| &s.key == k && s.record.is_some())
                })
                .collect();
            let r = f64::from(u32::from_le_bytes(yoriai_node::identity::random::<4>()?))
                / 4_294_967_296.0;
            match insight::next_statement(&analysis, &voted, r) {
                Some(i) => {
                    let key = &conv.statements[i];
                    let s = view.statements.iter().find(|s| &s.key == key);
                    out(
                        cli,
                        json!({"statement": key, "text": s.map(|s| &s.text)}),
                        || {
                            format!(
                                "{}\n  ({})",
                                s.map(|s| s.text.as_str()).unwrap_or(""),
                                &key[..12.min(key.len())]
                            )
                        },
                    );
                }
                None => out(cli, json!({"statement": null}), || {
                    "You have voted on every statement.".to_string()
                }),
            }
        }
        Command::Show { project } => {
            let project = parse_doc(project, "project")?;
            let (space, snap) = node.show(project).await?;
            out(cli, json!({"space": space, "project": snap}), || {
                render_project(&space, &snap)
            });
        }
        Command::Demo(DemoCmd::Big { ideas, comments }) => {
            let (space, project, _) = yoriai_node::demo::big(node, *ideas, *comments).await?;
            out(
                cli,
                json!({"space": space.to_string(), "id": project.to_string()}),
                || {
                    format!(
                        "Space {space} with project {project}: {ideas} ideas, {comments} comments."
                    )
                },
            );
        }
        Command::Demo(DemoCmd::Seed) => {
            let (space, project) = yoriai_node::demo::seed(node).await?;
            out(
                cli,
                json!({"space": space.to_string(), "id": project.to_string()}),
                || {
                    format!(
                        "Demo space {space} with project {project}.\nTry: yoriai show {project}"
                    )
                },
            );
        }
    }
    Ok(())
}

/// Write `bytes` to `path` whole or not at all (a temporary file renamed),
/// so a full USB stick never leaves a half-written file under the name.
fn write_file_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.part", name.to_string_lossy()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow!("cannot write {}: {e}", path.display()));
    }
    Ok(())
}

/// Cut an export into ImportConversation batches that each fit in one
/// record (well under 64 KiB).
fn import_batches(export: &polis::Export) -> Vec<(Vec<ImportedStatement>, Vec<ImportedVote>)> {
    const BUDGET: usize = 40 * 1024;
    let conv = &export.conversation;
    let mut out = Vec::new();
    let mut statements = Vec::new();
    let mut votes = Vec::new();
    let mut size = 0;
    let mut flush = |statements: &mut Vec<ImportedStatement>,
                     votes: &mut Vec<ImportedVote>,
                     size: &mut usize,
                     force: bool| {
        if force || *size > BUDGET {
            if !statements.is_empty() || !votes.is_empty() {
                out.push((std::mem::take(statements), std::mem::take(votes)));
            }
            *size = 0;
        }
    };
    for (i, key) in conv.statements.iter().enumerate() {
        let text: String = export.text[i].chars().take(2000).collect();
        size += key.len() + export.author[i].len() + text.len() + 16;
        statements.push(ImportedStatement {
            key: key.clone(),
            author: export.author[i].clone(),
            text,
            time_ms: export.time_ms[i],
        });
        flush(&mut statements, &mut votes, &mut size, false);
    }
    for (p, id) in conv.participants.iter().enumerate() {
        for &(s, v) in &conv.votes[p] {
            let key = &conv.statements[s as usize];
            size += id.len() + key.len() + 4;
            votes.push(ImportedVote {
                participant: id.clone(),
                statement: key.clone(),
                vote: v,
            });
            flush(&mut statements, &mut votes, &mut size, false);
        }
    }
    flush(&mut statements, &mut votes, &mut size, true);
    out
}

/// A conversation phase of a project, with its votes analysed.
struct Conversation {
    state: ProjectState,
    phase: RecordId,
    view: yoriai_crdt::project::ConversationView,
    votes: insight::Conversation,
    analysis: insight::Analysis,
}

async fn conversation(node: &Node, project: DocId, phase: Option<&str>) -> Result<Conversation> {
    let (space, state) = node.project(project).await?;
    let phase = conversation_phase(&state, phase)?;
    let view = state
        .conversation(&space, &phase)
        .ok_or_else(|| anyhow!("not a conversation phase"))?;
    let votes = state.conversation_votes(&phase).unwrap_or_default();
    let analysis = insight::analyse(&votes, &insight::Options::default());
    Ok(Conversation {
        state,
        phase,
        view,
        votes,
        analysis,
    })
}

/// The project's conversation phase: the one named, or the first.
fn conversation_phase(state: &ProjectState, phase: Option<&str>) -> Result<RecordId> {
    let phases = state.conversation_phases();
    match phase {
        Some(p) => resolve(p, "phase", &phases),
        None => phases
            .first()
            .copied()
            .ok_or_else(|| anyhow!("this project has no conversation phase")),
    }
}

/// comments.csv in Polis's layout.
fn polis_comments(view: &yoriai_crdt::project::ConversationView) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]);
    for s in &view.statements {
        let _ = w.write_record([
            s.time_ms.to_string(),
            String::new(),
            s.key.clone(),
            s.author_id.clone(),
            s.agree.to_string(),
            s.disagree.to_string(),
            if s.hidden { "-1" } else { "1" }.to_string(),
            s.text.clone(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn render_insight(r: &insight::Report, text: &std::collections::HashMap<&str, &str>) -> String {
    let show = |k: &str| {
        let t = text.get(k).copied().unwrap_or("");
        let t: String = t.chars().take(100).collect();
        format!("[{}] {t}", &k[..k.len().min(12)])
    };
    let mut s = format!(
        "{} participants ({} counted), {} statements, {} votes.\n",
        r.participants, r.counted, r.statements, r.votes
    );
    if r.groups.is_empty() {
        s.push_str("Not enough votes for opinion groups yet.\n");
    }
    for g in &r.groups {
        s.push_str(&format!("\nGroup {} ({} people):\n", g.id + 1, g.size));
        for rep in &g.representative {
            let side = match rep.side {
                insight::Side::Agree => "agree",
                insight::Side::Disagree => "disagree",
            };
            s.push_str(&format!(
                "  {:>3.0}% {side}: {}\n",
                rep.share * 100.0,
                show(&rep.statement)
            ));
        }
    }
    if !r.consensus.is_empty() {
        s.push_str("\nCommon ground (every group):\n");
        for c in r.consensus.iter().take(5) {
            let side = match c.side {
                insight::Side::Agree => "agree",
                insight::Side::Disagree => "disagree",
            };
            s.push_str(&format!("  {side}: {}\n", show(&c.statement)));
        }
    }
    s
}

fn render_generated(g: &yoriai_node::llm::Generated) -> String {
    let mut s = format!("[{}]\n", g.label);
    for c in &g.claims {
        let refs: Vec<String> = c.quotes.iter().map(|i| format!("[{}]", i + 1)).collect();
        s.push_str(&format!("{} {}\n", c.text, refs.join("")));
    }
    if g.dropped > 0 {
        s.push_str(&format!(
            "({} sentence(s) citing no quote were left out.)\n",
            g.dropped
        ));
    }
    s.push_str("\nQuotes:\n");
    for (i, q) in g.quotes.iter().enumerate() {
        s.push_str(&format!(
            "[{}] {} ({})\n",
            i + 1,
            q.text,
            &q.post[..q.post.len().min(12)]
        ));
    }
    s
}

/// Where `serve` writes its status for `yoriai peers`.
const STATUS_FILE: &str = "lan-status.json";

/// "3 min ago" and friends.
fn ago(now_ms: i64, then_ms: i64) -> String {
    let s = (now_ms - then_ms).max(0) / 1000;
    match s {
        0..=9 => "just now".into(),
        10..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}

fn render_peers(status: &LanStatus) -> String {
    let mut s = format!(
        "This device: {}
",
        status.me
    );
    for l in &status.listening {
        s.push_str(&format!(
            "  reachable as {l}
"
        ));
    }
    if status.peers.is_empty() {
        s.push_str(
            "No other Yoriai device found on this network yet.
",
        );
    }
    for p in &status.peers {
        let who = p.name.clone().unwrap_or_else(|| "(unknown)".into());
        let short: String = p.member.chars().take(8).collect();
        let link = if p.connected {
            "connected"
        } else if p.nearby {
            "nearby"
        } else {
            "not seen now"
        };
        if p.stranger {
            s.push_str(&format!(
                "- {short} {link}: not a member of your spaces; shares nothing
"
            ));
            continue;
        }
        s.push_str(&format!(
            "- {who} ({short}) {link}
"
        ));
        for sp in &p.spaces {
            let state = match sp.state {
                SyncState::UpToDate => "up to date".to_string(),
                SyncState::Syncing => "syncing".to_string(),
                SyncState::NotConnected => match sp.last_synced_ms {
                    Some(t) => format!("last synced {}", ago(status.at_ms, t)),
                    None => "never synced".to_string(),
                },
            };
            s.push_str(&format!(
                "    {}: {state}
",
                sp.space_name
            ));
        }
    }
    if !status.awaiting.is_empty() {
        s.push_str(&format!(
            "Waiting for {} document(s) from a member device.
",
            status.awaiting.len()
        ));
    }
    if !status.refused.is_empty() {
        s.push_str(&format!(
            "Refused {} request(s) from devices that are not members.
",
            status.refused.len()
        ));
    }
    s
}

/// What `serve` compares to decide whether to print again.
fn render_peers_key(status: &LanStatus) -> String {
    let mut s = String::new();
    for p in &status.peers {
        s.push_str(&format!(
            "{}{}{}{}",
            p.member, p.connected, p.nearby, p.stranger
        ));
        for sp in &p.spaces {
            s.push_str(&format!("{}{:?}", sp.space, sp.state));
        }
    }
    s.push_str(&format!(
        "{}{}",
        status.awaiting.len(),
        status.refused.len()
    ));
    s
}

fn flatten(nodes: &[CommentNode]) -> Vec<RecordId> {
    let mut v = Vec::new();
    for n in nodes {
        v.push(n.id);
        v.extend(flatten(&n.replies));
    }
    v
}

fn render_project(
    space: &yoriai_crdt::space::SpaceOverview,
    p: &yoriai_crdt::project::ProjectSnapshot,
) -> String {
    let o = &p.overview;
    let mut s = format!("{}  [{}]\nSpace: {}\n", o.title, o.id, space.name);
    if !o.description.is_empty() {
        s.push_str(&format!("{}\n", o.description));
    }
    s.push_str("\nPhases:\n");
    for e in &p.timeline {
        if let TimelineEntry::Phase { phase } = e {
            s.push_str(&format!(
                "  {:<28} {:<9} {}\n",
                phase.title,
                format!("{:?}", phase.state).to_lowercase(),
                phase.id.short()
            ));
        }
    }
    s.push_str(&format!("\nIdeas ({}):\n", p.ideas.len()));
    for i in &p.ideas {
        s.push_str(&format!(
            "  * {}  — {}  [{} supports, for {} / against {} / neutral {}]  ({})\n",
            i.card.title,
            i.card.author_name,
            i.card.supports,
            i.stances.for_,
            i.stances.against,
            i.stances.neutral,
            i.card.id.short()
        ));
        if i.text != i.card.title {
            s.push_str(&format!("      {}\n", i.text.replace('\n', "\n      ")));
        }
        print_thread(&i.comments, 1, &mut s);
    }
    if !p.discussion.is_empty() {
        s.push_str("\nDiscussion on the project:\n");
        print_thread(&p.discussion, 0, &mut s);
    }
    for v in &p.surveys {
        s.push_str(&format!(
            "\nSurvey: {} — {} respondents{}\n",
            v.title,
            v.respondents,
            if v.closed { " (closed)" } else { "" }
        ));
    }
    for v in &p.votes {
        s.push_str(&format!(
            "\nVote: {}  ({}, {}, {} ballots)  ({})\n  {}\n",
            v.title,
            v.method.name(),
            if v.closed { "closed" } else { "open" },
            v.ballots,
            v.id.short(),
            render_tally(&v.tally, &v.options)
        ));
    }
    for e in &p.timeline {
        match e {
            TimelineEntry::Milestone { milestone } => s.push_str(&format!(
                "\nMilestone: {} — {}%\n",
                milestone.title, milestone.percent
            )),
            TimelineEntry::Post { post } => {
                s.push_str(&format!("\nPost: {}\n  {}\n", post.title, post.body))
            }
            TimelineEntry::Phase { .. } => {}
        }
    }
    if !p.rejected.is_empty() {
        s.push_str(&format!(
            "\n{} record(s) rejected (staff can list them).\n",
            p.rejected.len()
        ));
    }
    s
}

fn main() {
    let cli = Cli::parse();
    // Warnings (refused strangers, failed peers) go to stderr; RUST_LOG
    // (for example `RUST_LOG=yoriai_node=info`) shows more.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("yoriai_node=warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("yoriai: cannot start: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(async {
        let home = match home(&cli) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("yoriai: {e:#}");
                return 2;
            }
        };
        let node = match Node::open(&home).await {
            Ok(n) => Arc::new(n),
            Err(yoriai_node::NodeError::Busy { .. }) if matches!(cli.command, Command::Peers { .. }) => {
                // `serve` is running here: show what it sees.
                let status = std::fs::read(home.join(STATUS_FILE))
                    .ok()
                    .and_then(|b| serde_json::from_slice::<LanStatus>(&b).ok());
                return match status {
                    Some(status) => {
                        out(&cli, json!(status), || render_peers(&status));
                        0
                    }
                    None => {
                        eprintln!("yoriai: another Yoriai process uses {} and has not written its status yet; try again in a moment", home.display());
                        1
                    }
                };
            }
            Err(e) => {
                eprintln!("yoriai: {e}");
                return 1;
            }
        };
        let result = run(&cli, &node).await;
        node.close().await;
        match result {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("yoriai: {e:#}");
                1
            }
        }
    });
    std::process::exit(code);
}
