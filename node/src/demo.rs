//! The demo space: a park renovation in Japanese and English, with staff
//! and residents, ideas, comments with stances, a survey and a vote. Used
//! by `yoriai demo seed` and the desktop app's "load the demo". [`big`]
//! builds a project of thousands of comments, for load tests and benches
//! (`yoriai demo big`).
//!
//! The residents' keys are made on this device and kept only in memory:
//! their records are signed and judged like anyone's, but nobody can act as
//! them afterwards.

use yoriai_crdt::command::{NewInvitation, NewPhase, NewProject};
use yoriai_crdt::comment::Stance;
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::survey::{Answer, Question, QuestionKind};
use yoriai_crdt::vote::{BallotChoice, VoteMethod};
use yoriai_crdt::{DeviceKey, DocId, ProjectCommand, Role};

use crate::error::NodeError;
use crate::identity::random;
use crate::node::Node;

const PHASES: [(PhaseKind, &str); 7] = [
    (PhaseKind::Information, "情報 Information"),
    (PhaseKind::Ideas, "アイデア Ideas"),
    (PhaseKind::Discussion, "議論 Discussion"),
    (
        PhaseKind::Conversation,
        "ワークショップの対話 Workshop conversation",
    ),
    (PhaseKind::Survey, "アンケート Survey"),
    (PhaseKind::Decision, "決定 Decision"),
    (PhaseKind::Results, "結果 Results"),
];

/// Seed the demo on `node` (whose member becomes the space's admin).
/// Returns the space and the project.
pub async fn seed(node: &Node) -> Result<(DocId, DocId), NodeError> {
    if node.display_name()?.is_none() {
        node.set_display_name("田中 Tanaka (市役所 town hall)")?;
    }
    let space = node
        .create_space(
            "桜町 Sakura-chō residents' association",
            &["ja".into(), "en".into()],
        )
        .await?;
    let project = node
        .create_project(
            space,
            &NewProject {
                title: "桜公園の再整備 Renovating Sakura Park".into(),
                description: "桜公園を、子どもからお年寄りまで過ごしやすい場所にするためのアイデアを募集します。 We are collecting ideas to make Sakura Park a good place for everyone, from children to elderly residents.".into(),
                phases: PHASES
                    .iter()
                    .map(|(kind, title)| NewPhase { kind: *kind, title: (*title).into() })
                    .collect(),
            },
        )
        .await?;
    let link = node
        .invite(
            space,
            NewInvitation {
                role: Role::Resident,
                max_uses: None,
                note: "demo residents".into(),
                relays: vec![],
            },
        )
        .await?
        .to_link();
    let mut residents = Vec::new();
    for name in [
        "佐藤 花子 Hanako",
        "Ken Suzuki",
        "高橋 美咲 Misaki",
        "Maria Lopez",
    ] {
        let key = DeviceKey::from_secret(random::<32>()?);
        node.join_as(&key, &link, name).await?;
        residents.push(key);
    }
    let [hanako, ken, misaki, maria] = &residents[..] else {
        unreachable!("four residents were made");
    };

    let (_, state) = node.project(project).await?;
    let phase = |kind: PhaseKind| state.phases().iter().find(|p| p.kind == kind).map(|p| p.id);
    for kind in [
        PhaseKind::Ideas,
        PhaseKind::Discussion,
        PhaseKind::Conversation,
        PhaseKind::Survey,
        PhaseKind::Decision,
    ] {
        if let Some(phase) = phase(kind) {
            node.project_command(
                project,
                ProjectCommand::SetPhaseState {
                    phase,
                    state: PhaseState::Open,
                },
            )
            .await?;
        }
    }
    let shade = node
        .project_command_as(hanako, project, ProjectCommand::PostIdea {
            title: "木陰を増やす More shade".into(),
            body: "夏の午後は遊具が熱くなります。南側に木を植え、ベンチの上に日よけを。 In summer the playground is too hot by afternoon: plant trees on the south side and shade the benches.".into(),
        })
        .await?;
    let toilet = node
        .project_command_as(misaki, project, ProjectCommand::PostIdea {
            title: "バリアフリーのトイレ An accessible toilet".into(),
            body: "車いすでも使えるトイレを入口の近くに。 A toilet usable by wheelchair near the entrance.".into(),
        })
        .await?;
    let lights = node
        .project_command_as(
            maria,
            project,
            ProjectCommand::PostIdea {
                title: "夜の照明 Lights along the paths".into(),
                body: "The paths are dark after 18:00 in winter. 冬は18時以降、小道が暗いです。"
                    .into(),
            },
        )
        .await?;
    for (who, idea) in [
        (ken, shade),
        (misaki, shade),
        (maria, shade),
        (hanako, toilet),
        (ken, lights),
    ] {
        node.project_command_as(
            who,
            project,
            ProjectCommand::Support {
                idea,
                support: true,
            },
        )
        .await?;
    }
    let first = node
        .project_command_as(ken, project, ProjectCommand::Comment {
            target: Some(shade),
            reply_to: None,
            stance: Stance::For,
            text: "賛成です。孫と行くのは朝だけになっています。 I agree: we only go in the morning now.".into(),
            official: false,
        })
        .await?;
    node.project_command_as(
        maria,
        project,
        ProjectCommand::Comment {
            target: Some(shade),
            reply_to: Some(first),
            stance: Stance::Against,
            text: "Trees take years to grow; shades over the benches first?".into(),
            official: false,
        },
    )
    .await?;
    node.project_command(project, ProjectCommand::Comment {
        target: Some(toilet),
        reply_to: None,
        stance: Stance::Neutral,
        text: "予算の見込みを次回の説明会でお示しします。 We will present the budget estimate at the next meeting.".into(),
        official: true,
    })
    .await?;

    let survey = node
        .project_command(
            project,
            ProjectCommand::CreateSurvey {
                phase: None,
                title: "公園の利用について How you use the park".into(),
                questions: vec![
                    Question {
                        prompt: "どのくらい公園を利用しますか？ How often do you visit?".into(),
                        kind: QuestionKind::SingleChoice {
                            options: vec![
                                "毎日 daily".into(),
                                "毎週 weekly".into(),
                                "ほとんど行かない rarely".into(),
                            ],
                        },
                        required: true,
                    },
                    Question {
                        prompt: "今の公園の満足度 How satisfied are you today? (1-5)".into(),
                        kind: QuestionKind::Scale,
                        required: false,
                    },
                    Question {
                        prompt: "ご意見 Anything else?".into(),
                        kind: QuestionKind::FreeText,
                        required: false,
                    },
                ],
            },
        )
        .await?;
    for (who, often, scale, text) in [
        (hanako, 0, 2, "日陰がほしい。 Shade, please."),
        (ken, 1, 3, ""),
        (misaki, 1, 2, "トイレが遠い。 The toilet is too far."),
        (maria, 2, 4, "More lights at night."),
    ] {
        node.project_command_as(
            who,
            project,
            ProjectCommand::AnswerSurvey {
                survey,
                answers: vec![
                    Answer::Choice(often),
                    Answer::Scale(scale),
                    if text.is_empty() {
                        Answer::Skipped
                    } else {
                        Answer::Text(text.into())
                    },
                ],
            },
        )
        .await?;
    }

    let vote = node
        .project_command(
            project,
            ProjectCommand::OpenVote {
                phase: None,
                title: "最初に取り組む提案は？ Which proposal first?".into(),
                method: VoteMethod::RankedChoice,
                options: vec![
                    "木陰 Shade".into(),
                    "トイレ Toilet".into(),
                    "照明 Lighting".into(),
                ],
            },
        )
        .await?;
    for (who, order) in [
        (hanako, vec![0, 1]),
        (ken, vec![2, 0]),
        (misaki, vec![1, 0, 2]),
        (maria, vec![2, 1]),
    ] {
        node.project_command_as(
            who,
            project,
            ProjectCommand::CastBallot {
                vote,
                choice: BallotChoice::Ranked(order),
            },
        )
        .await?;
    }
    conversation(node, space, project, &residents).await?;

    let milestone = node
        .project_command(
            project,
            ProjectCommand::AddMilestone {
                title: "住民説明会 Residents' meeting".into(),
                due: Some("2027-06-14".into()),
            },
        )
        .await?;
    node.project_command(
        project,
        ProjectCommand::SetMilestoneProgress {
            milestone,
            percent: 50,
        },
    )
    .await?;
    node.project_command(
        project,
        ProjectCommand::PublishPost {
            title: "説明会のお知らせ Information meeting".into(),
            body: "6月14日(土)10時、公民館にて。 Saturday 14 June, 10:00, at the community centre."
                .into(),
        },
    )
    .await?;
    Ok((space, project))
}

/// What the workshop wrote, and which way each camp leans: +1 families
/// with children agree, -1 quiet-park neighbours agree, 0 everyone agrees.
const STATEMENTS: [(&str, i8); 8] = [
    (
        "子どもの遊具を増やしてほしい。 More play equipment for children.",
        1,
    ),
    (
        "夜の公園は静かであってほしい。 The park should stay quiet in the evening.",
        -1,
    ),
    (
        "ボール遊びができる広場がほしい。 A lawn where children can play ball.",
        1,
    ),
    ("ベンチを増やしてほしい。 More benches along the paths.", 0),
    ("駐車場を広げるべきだ。 The car park should be larger.", -1),
    (
        "桜の木は今のまま残したい。 Keep the cherry trees as they are.",
        0,
    ),
    (
        "夏祭りを公園で開きたい。 Hold the summer festival in the park.",
        1,
    ),
    (
        "犬の散歩エリアを分けてほしい。 A separate area for dogs.",
        -1,
    ),
];

const PARTICIPANTS: [&str; 12] = [
    "伊藤 健太",
    "渡辺 由美",
    "山本 翔",
    "中村 さくら",
    "小林 誠",
    "加藤 あおい",
    "吉田 大輔",
    "山田 恵",
    "佐々木 拓也",
    "Tom Baker",
    "松本 陽子",
    "井上 蓮",
];

/// The workshop conversation: statements from residents, and the votes of
/// sixteen people in two camps who share common ground (benches, the
/// cherry trees), so the opinion map has something to show. The device's
/// own member has not voted: it is shown the statements one at a time.
async fn conversation(
    node: &Node,
    space: DocId,
    project: DocId,
    residents: &[DeviceKey],
) -> Result<(), NodeError> {
    let link = node
        .invite(
            space,
            NewInvitation {
                role: Role::Resident,
                max_uses: None,
                note: "workshop".into(),
                relays: vec![],
            },
        )
        .await?
        .to_link();
    let mut people: Vec<DeviceKey> = residents.to_vec();
    for name in PARTICIPANTS {
        let key = DeviceKey::from_secret(random::<32>()?);
        node.join_as(&key, &link, name).await?;
        people.push(key);
    }
    let mut statements = Vec::new();
    for (i, (text, _)) in STATEMENTS.iter().enumerate() {
        let author = &people[i % people.len()];
        statements.push(
            node.project_command_as(
                author,
                project,
                ProjectCommand::PostStatement {
                    text: (*text).into(),
                },
            )
            .await?,
        );
    }
    for (p, who) in people.iter().enumerate() {
        let camp: i8 = if p % 2 == 0 { 1 } else { -1 };
        for (s, (statement, (_, lean))) in statements.iter().zip(STATEMENTS).enumerate() {
            // Not everyone votes on everything: a fixed pattern, so the
            // demo is the same each time. (Each camp votes as one; with
            // sixteen people, scattered dissent would split the map into
            // pairs rather than show the two camps.)
            if (p * 3 + s) % 11 == 0 {
                continue;
            }
            let vote = if lean == 0 { 1 } else { lean * camp };
            node.project_command_as(
                who,
                project,
                ProjectCommand::VoteStatement {
                    statement: *statement,
                    vote,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// A space with one project of `ideas` ideas and `comments` comments
/// (stances in turn, spread evenly over the ideas), written by this device
/// in batches of 1,000 commands: what a large consultation looks like, for
/// benches and load tests. Returns the space, the project and one idea.
pub async fn big(
    node: &Node,
    ideas: usize,
    comments: usize,
) -> Result<(DocId, DocId, Option<yoriai_crdt::RecordId>), NodeError> {
    if node.display_name()?.is_none() {
        node.set_display_name("Bench 町役場")?;
    }
    let space = node
        .create_space("Bench town", &["ja".into(), "en".into()])
        .await?;
    let project = node
        .create_project(
            space,
            &NewProject {
                title: "A big discussion".into(),
                description: format!("{ideas} ideas, {comments} comments"),
                phases: vec![
                    NewPhase {
                        kind: PhaseKind::Ideas,
                        title: "Ideas".into(),
                    },
                    NewPhase {
                        kind: PhaseKind::Decision,
                        title: "Decision".into(),
                    },
                ],
            },
        )
        .await?;
    let posts: Vec<ProjectCommand> = (0..ideas)
        .map(|i| ProjectCommand::PostIdea {
            title: format!("Idea {i}: benches and shade by the pond"),
            body: format!("Proposal text {i}. 池のそばにベンチと日陰を。"),
        })
        .collect();
    let ids = node.project_commands(project, posts).await?;
    if !ids.is_empty() {
        for chunk in (0..comments).collect::<Vec<_>>().chunks(1_000) {
            let cmds = chunk
                .iter()
                .map(|c| ProjectCommand::Comment {
                    target: Some(ids[c % ids.len()]),
                    reply_to: None,
                    stance: [Stance::For, Stance::Against, Stance::Neutral][c % 3],
                    text: format!(
                        "Comment {c}: I think this would help older residents most. 高齢者に役立つ。"
                    ),
                    official: false,
                })
                .collect();
            node.project_commands(project, cmds).await?;
        }
    }
    Ok((space, project, ids.get(7).or(ids.first()).copied()))
}
