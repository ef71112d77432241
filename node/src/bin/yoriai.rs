//! `yoriai`: the command-line face of a Yoriai node, for headless use,
//! scripts and tests. Global flags come before the subcommand:
//! `yoriai --home DIR --json project create ...`.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use serde_json::json;
use yoriai_crdt::command::{NewInvitation, NewPhase, NewProject};
use yoriai_crdt::comment::{CommentNode, Stance};
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::project::{ProjectState, TimelineEntry};
use yoriai_crdt::vote::{BallotChoice, ConsentChoice, TallyResult, VoteMethod};
use yoriai_crdt::{DocId, ProjectCommand, RecordId, Role};
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
    /// Sync with a relay: once, or every few seconds until stopped.
    Sync {
        /// The relay's WebSocket address (ws://HOST:PORT).
        #[arg(long)]
        relay: String,
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
        [] => bail!("no {what} with an id starting '{prefix}' in this project (see `yoriai show`)"),
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

async fn run(cli: &Cli, node: &Node) -> Result<()> {
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
            once,
            timeout,
            every,
        } => {
            let timeout = std::time::Duration::from_secs(*timeout);
            loop {
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
                    Err(e) => return Err(e.into()),
                }
                if *once {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(*every)) => {}
                    _ = tokio::signal::ctrl_c() => break,
                }
            }
        }
        Command::Show { project } => {
            let project = parse_doc(project, "project")?;
            let (space, snap) = node.show(project).await?;
            out(cli, json!({"space": space, "project": snap}), || {
                render_project(&space, &snap)
            });
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
            Ok(n) => n,
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
