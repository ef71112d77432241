//! What the screens show for real read models, in both languages: the
//! domain builds the read models (through the same commands the app
//! sends), the views render them to HTML with Yew's server renderer.

#[path = "../../crdt/tests/common/mod.rs"]
mod common;

use common::*;
use yew::prelude::*;
use yoriai_crdt::api::{
    IdeaPage, InsightPage, LanState, PeerInfo, ProjectPage, RelayStatus, SpaceHome, SyncStatus,
    Visit,
};
use yoriai_crdt::comment::Stance;
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::survey::{Answer, Question, QuestionKind};
use yoriai_crdt::vote::{BallotChoice, VoteMethod};
use yoriai_crdt::{ProjectCommand, RecordId, Role};
use yoriai_ui::app::{Ctx, Tab};
use yoriai_ui::i18n::Lang;
use yoriai_ui::transport::OfflineCopy;
use yoriai_ui::views;

/// A clock one hour after the scenario's records.
const NOW: i64 = T0 + 3_600_000;

#[derive(Debug, Clone, PartialEq)]
enum Screen {
    Space(SpaceHome),
    Project(Box<ProjectPage>, Tab),
    Idea(Box<IdeaPage>),
    Sync(SyncStatus),
    /// The indicator and the offline notice of a browser page.
    BrowserSync(SyncStatus, OfflineCopy),
    Insight(Box<InsightPage>, bool),
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct HarnessProps {
    lang: Lang,
    screen: Screen,
}

#[function_component(Harness)]
fn harness(p: &HarnessProps) -> Html {
    let ctx = Ctx::detached(p.lang, NOW);
    let body = match &p.screen {
        Screen::Space(home) => html! { <views::space::SpaceHomeView home={home.clone()} /> },
        Screen::Project(page, tab) => {
            html! { <views::project::ProjectView page={(**page).clone()} tab={*tab} /> }
        }
        Screen::Idea(page) => html! { <views::idea::IdeaView page={(**page).clone()} /> },
        Screen::Sync(status) => html! { <views::sync::SyncIndicator status={status.clone()} /> },
        Screen::BrowserSync(status, copy) => html! { <>
            <views::sync::SyncIndicator status={status.clone()} offline_copy={*copy} />
            <views::sync::KeepOpenNotice status={status.clone()} offline_copy={*copy} />
        </> },
        Screen::Insight(page, false) => {
            html! { <views::insight::InsightView page={(**page).clone()} /> }
        }
        Screen::Insight(page, true) => {
            html! { <views::insight::ProjectorView page={(**page).clone()} /> }
        }
    };
    html! { <ContextProvider<Ctx> context={ctx}>{ body }</ContextProvider<Ctx>> }
}

fn render(lang: Lang, screen: Screen) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(
        &rt,
        yew::LocalServerRenderer::<Harness>::with_props(HarnessProps { lang, screen })
            .hydratable(false)
            .render(),
    )
}

/// A word that looks like a message id (`ideas-count`): the I18n layer
/// shows the id of a message missing from a translation file.
fn looks_like_message_id(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
    let mut parts = w.split('-');
    let first = parts.next().unwrap_or("");
    !first.is_empty()
        && first.chars().all(|c| c.is_ascii_lowercase())
        && w.contains('-')
        && w.split('-').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// The text a person reads (tags dropped, entities decoded, spaces
/// folded); fails when a message id shows instead of a translation.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'");
    let raw: Vec<&str> = out
        .split_whitespace()
        .filter(|w| looks_like_message_id(w))
        .collect();
    assert!(
        raw.is_empty(),
        "untranslated message ids on screen: {raw:?}"
    );
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_missing_translation_is_noticed() {
    assert!(looks_like_message_id("ideas-count"));
    assert!(looks_like_message_id("(phase-open)"));
    assert!(!looks_like_message_id("Sakura-chō"));
    assert!(!looks_like_message_id("2026-05-28"));
    assert!(!looks_like_message_id("well"));
}

struct Scenario {
    staff: Replica,
    bob: Replica,
    idea: RecordId,
    hidden: RecordId,
}

/// Staff run a project with every phase open; Bob (a resident) posts an
/// idea, comments for it, Chiyo's view is against; a vote gets a ballot.
fn scenario() -> Scenario {
    let mut staff = founder(1);
    let link = staff.invite(Role::Resident, None);
    with_project(
        &mut staff,
        &[
            PhaseKind::Ideas,
            PhaseKind::Discussion,
            PhaseKind::Survey,
            PhaseKind::Decision,
            PhaseKind::Results,
        ],
    );
    open_all(&mut staff);
    let mut bob = staff.spawn(2);
    bob.join(&link, "Bob 太郎").expect("bob joins");
    let idea = bob
        .act(ProjectCommand::PostIdea {
            title: "More shade 木陰を増やす".into(),
            body: "Plant trees along the south path.".into(),
        })
        .expect("idea");
    bob.act(ProjectCommand::Comment {
        target: Some(idea),
        reply_to: None,
        stance: Stance::For,
        text: "Too hot in summer.".into(),
        official: false,
    })
    .expect("comment for");
    bob.act(ProjectCommand::Support {
        idea,
        support: true,
    })
    .expect("support");
    staff.sync(&mut bob);
    staff
        .act(ProjectCommand::Comment {
            target: Some(idea),
            reply_to: None,
            stance: Stance::Against,
            text: "Trees block the view of the playground.".into(),
            official: false,
        })
        .expect("comment against");
    let hidden = staff
        .act(ProjectCommand::Comment {
            target: Some(idea),
            reply_to: None,
            stance: Stance::Neutral,
            text: "buy cheap watches at example.com".into(),
            official: false,
        })
        .expect("spam");
    staff
        .act(ProjectCommand::Hide {
            target: hidden,
            reason: "advertising".into(),
        })
        .expect("hide");
    let vote = staff
        .act(ProjectCommand::OpenVote {
            phase: None,
            title: "Which shade first?".into(),
            method: VoteMethod::SingleChoice,
            options: vec!["Trees".into(), "Awning".into()],
        })
        .expect("vote");
    staff.sync(&mut bob);
    bob.act(ProjectCommand::CastBallot {
        vote,
        choice: BallotChoice::Single(0),
    })
    .expect("ballot");
    staff.sync(&mut bob);
    Scenario {
        staff,
        bob,
        idea,
        hidden,
    }
}

fn home_of(r: &Replica, visit: Option<Visit>) -> SpaceHome {
    let project = r.project();
    SpaceHome::build(
        &r.space(),
        &r.member(),
        &[(r.project_id.expect("project"), Some(&project), visit)],
    )
}

fn page_of(r: &Replica) -> Box<ProjectPage> {
    Box::new(ProjectPage::build(
        &r.space(),
        &r.project(),
        &r.member(),
        IdeaSort::Supports,
        None,
    ))
}

#[test]
fn the_space_home_lists_projects_with_their_phase_and_news_in_both_languages() {
    let mut s = scenario();
    let en = text(&render(Lang::En, Screen::Space(home_of(&s.staff, None))));
    assert!(en.contains("Renovating Sakura Park"), "{en}");
    // The open phase's title; its kind only where the title lacks it.
    assert!(
        en.contains("Renovating Sakura Park ideas phase 1 idea"),
        "current phase badge: {en}"
    );
    assert!(en.contains("1 idea · 2 comments"), "counts: {en}");
    assert!(en.contains("Make an invitation"), "staff can invite: {en}");
    assert!(en.contains("Bob 太郎"), "members: {en}");
    let news = en
        .split(" new since your last visit")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .expect("news before the first visit");
    // Bob's idea, comment, support and ballot; staff's own records are not
    // news to staff.
    assert_eq!(news, 4, "{en}");

    let ja = text(&render(Lang::Ja, Screen::Space(home_of(&s.staff, None))));
    assert!(ja.contains("アイデア募集 · ideas phase"), "{ja}");
    assert!(ja.contains("アイデア 1件 · コメント 2件"), "{ja}");
    assert!(ja.contains("招待を作成"), "{ja}");

    // After a visit nothing is new; a resident cannot invite.
    let visited = Visit::now(&s.bob.project(), &s.bob.member());
    let bob = text(&render(
        Lang::En,
        Screen::Space(home_of(&s.bob, Some(visited))),
    ));
    assert!(!bob.contains("new since your last visit"), "{bob}");
    assert!(!bob.contains("Make an invitation"), "{bob}");
    assert!(bob.contains("You are Resident"), "{bob}");

    // Staff post news; Bob comments again: one new thing for Bob.
    s.staff
        .act(ProjectCommand::PublishPost {
            title: "Workshop on Saturday".into(),
            body: "Come and see the plans.".into(),
        })
        .expect("post");
    s.staff.sync(&mut s.bob);
    s.bob
        .act(ProjectCommand::Comment {
            target: Some(s.idea),
            reply_to: None,
            stance: Stance::Neutral,
            text: "I will bring my neighbours.".into(),
            official: false,
        })
        .expect("comment");
    let bob = text(&render(
        Lang::En,
        Screen::Space(home_of(&s.bob, Some(visited))),
    ));
    assert!(bob.contains("1 new since your last visit"), "{bob}");
}

#[test]
fn a_long_idea_list_is_drawn_a_page_at_a_time() {
    let s = scenario();
    let mut page = page_of(&s.bob);
    let one = page.ideas[0].clone();
    page.ideas = (0..120)
        .map(|i| {
            let mut c = one.clone();
            c.title = format!("Idea number {i}");
            c
        })
        .collect();
    let html = render(Lang::En, Screen::Project(page.clone(), Tab::Ideas));
    assert_eq!(html.matches("class=\"card idea-card\"").count(), 50);
    let en = text(&html);
    assert!(en.contains("120 ideas"), "{en}");
    assert!(
        en.contains("Idea number 49") && !en.contains("Idea number 50"),
        "{en}"
    );
    assert!(en.contains("Show 50 more ideas (70 not shown yet)"), "{en}");
    let ja = text(&render(Lang::Ja, Screen::Project(page, Tab::Ideas)));
    assert!(
        ja.contains("さらに50件のアイデアを表示 （あと70件）"),
        "{ja}"
    );
}

#[test]
fn the_project_page_shows_the_timeline_ideas_and_what_the_role_allows() {
    let s = scenario();
    let en = text(&render(
        Lang::En,
        Screen::Project(page_of(&s.bob), Tab::Ideas),
    ));
    assert!(en.contains("Propose an idea"), "ideas phase open: {en}");
    assert!(en.contains("More shade 木陰を増やす"), "{en}");
    assert!(
        en.contains("1 supports Supporting ✓"),
        "bob supports it: {en}"
    );
    assert!(en.contains("Open now"), "timeline: {en}");
    assert!(
        !en.contains("Moderation"),
        "residents have no moderation tab: {en}"
    );
    let ja = text(&render(
        Lang::Ja,
        Screen::Project(page_of(&s.bob), Tab::Ideas),
    ));
    assert!(ja.contains("アイデアを提案する"), "{ja}");
    assert!(ja.contains("賛同中 ✓"), "{ja}");
    assert!(ja.contains("受付中"), "{ja}");

    let staff = text(&render(
        Lang::En,
        Screen::Project(page_of(&s.staff), Tab::Process),
    ));
    assert!(staff.contains("Close"), "staff close open phases: {staff}");
    assert!(staff.contains("Add phase"), "{staff}");
    let bob = text(&render(
        Lang::En,
        Screen::Project(page_of(&s.bob), Tab::Process),
    ));
    assert!(!bob.contains("Add phase"), "{bob}");

    let log = text(&render(
        Lang::Ja,
        Screen::Project(page_of(&s.staff), Tab::Moderation),
    ));
    assert!(
        log.contains("非表示") && log.contains("advertising"),
        "{log}"
    );
}

#[test]
fn an_idea_shows_stances_in_two_columns_and_hidden_comments_as_such() {
    let s = scenario();
    let page = IdeaPage::build(&s.bob.space(), &s.bob.project(), &s.bob.member(), &s.idea)
        .expect("the idea");
    let html = render(Lang::En, Screen::Idea(Box::new(page.clone())));
    assert!(
        html.contains("Stances: 1 for, 1 against, 0 neutral"),
        "the bar's label counts visible comments: {html}"
    );
    let en = text(&html);
    let for_col = en.split("For (1)").nth(1).expect("a For column");
    let (for_part, against_part) = for_col
        .split_once("Against (1)")
        .expect("an Against column");
    assert!(for_part.contains("Too hot in summer."), "{for_part}");
    assert!(
        against_part.contains("Trees block the view"),
        "{against_part}"
    );
    assert!(
        !en.contains("cheap watches"),
        "hidden text is not shown to residents: {en}"
    );

    let ja = text(&render(Lang::Ja, Screen::Idea(Box::new(page))));
    assert!(ja.contains("賛成 (1)") && ja.contains("反対 (1)"), "{ja}");
    assert!(ja.contains("コメントする"), "{ja}");
    let _ = s.hidden;
}

#[test]
fn votes_show_the_live_tally_and_the_ballot_form() {
    let s = scenario();
    let en = text(&render(
        Lang::En,
        Screen::Project(page_of(&s.bob), Tab::Votes),
    ));
    assert!(en.contains("Which shade first?"), "{en}");
    assert!(en.contains("You voted"), "{en}");
    assert!(en.contains("Change my vote"), "{en}");
    assert!(en.contains("Live result"), "{en}");
    assert!(en.contains("Trees ★ leading"), "{en}");
    let ja = text(&render(
        Lang::Ja,
        Screen::Project(page_of(&s.bob), Tab::Votes),
    ));
    assert!(ja.contains("途中経過") && ja.contains("投票済み"), "{ja}");
    assert!(ja.contains("投票 1票"), "{ja}");
}

#[test]
fn a_survey_shows_my_answers_once_sent_and_lets_me_change_them() {
    let mut s = scenario();
    let survey = s
        .staff
        .act(ProjectCommand::CreateSurvey {
            phase: None,
            title: "Your park".into(),
            questions: vec![
                Question {
                    prompt: "How often do you go?".into(),
                    kind: QuestionKind::SingleChoice {
                        options: vec!["Daily".into(), "Weekly".into()],
                    },
                    required: true,
                },
                Question {
                    prompt: "How safe does it feel?".into(),
                    kind: QuestionKind::Scale,
                    required: false,
                },
                Question {
                    prompt: "Anything else?".into(),
                    kind: QuestionKind::FreeText,
                    required: false,
                },
            ],
        })
        .expect("survey");
    s.staff.sync(&mut s.bob);
    let before = render(Lang::En, Screen::Project(page_of(&s.bob), Tab::Surveys));
    let en = text(&before);
    assert!(en.contains("Send my answers"), "{en}");
    assert!(!en.contains("You answered"), "{en}");
    assert!(!before.contains("checked"), "nothing picked yet: {before}");

    s.bob
        .act(ProjectCommand::AnswerSurvey {
            survey,
            answers: vec![
                Answer::Choice(1),
                Answer::Scale(4),
                Answer::Text("More lights at night".into()),
            ],
        })
        .expect("answer");
    let after = render(Lang::En, Screen::Project(page_of(&s.bob), Tab::Surveys));
    let en = text(&after);
    assert!(en.contains("You answered this survey"), "{en}");
    assert!(en.contains("Change my answers"), "{en}");
    assert!(en.contains("1 respondent"), "{en}");
    // The form starts from what Bob sent: "Weekly", 4, his text.
    let key = survey.short();
    for id in [format!("{key}-q0-1"), format!("{key}-q1-4")] {
        let input = after
            .split("<input")
            .find(|i| i.contains(&format!("id=\"{id}\"")))
            .unwrap_or_else(|| panic!("no input {id}: {after}"));
        let input = input.split('>').next().unwrap_or_default();
        assert!(input.contains("checked"), "{id} is picked: {input}");
    }
    assert_eq!(after.matches("checked").count(), 2, "{after}");
    assert!(after.contains("More lights at night"), "{after}");
    let ja = text(&render(
        Lang::Ja,
        Screen::Project(page_of(&s.bob), Tab::Surveys),
    ));
    assert!(
        ja.contains("回答済みです") && ja.contains("回答を変更する"),
        "{ja}"
    );
    // Staff, who did not answer, see the plain form.
    let staff = text(&render(
        Lang::En,
        Screen::Project(page_of(&s.staff), Tab::Surveys),
    ));
    assert!(!staff.contains("You answered"), "{staff}");
}

#[test]
fn a_browser_page_says_whether_it_opens_with_no_network() {
    let mut offline = SyncStatus {
        relay: Some(RelayStatus {
            url: "ws://192.168.1.5:8480/sync".into(),
            reachable: false,
            last_ok_ms: Some(T0),
            error: Some("this device is offline".into()),
        }),
        ..Default::default()
    };
    offline.summarise();
    // Plain HTTP on the Wi-Fi: no copy of the app; offline, keep the page.
    let en = text(&render(
        Lang::En,
        Screen::BrowserSync(offline.clone(), OfflineCopy::PlainHttp),
    ));
    assert!(en.contains("without HTTPS"), "{en}");
    assert!(en.contains("Keep this page open"), "{en}");
    let ja = text(&render(
        Lang::Ja,
        Screen::BrowserSync(offline.clone(), OfflineCopy::PlainHttp),
    ));
    assert!(ja.contains("開いたままにしてください"), "{ja}");
    // Online, the panel still says it, but nothing asks to keep the page.
    let mut online = offline.clone();
    if let Some(r) = online.relay.as_mut() {
        r.reachable = true;
        r.error = None;
    }
    online.summarise();
    let en = text(&render(
        Lang::En,
        Screen::BrowserSync(online, OfflineCopy::PlainHttp),
    ));
    assert!(en.contains("without HTTPS"), "{en}");
    assert!(!en.contains("Keep this page open"), "{en}");
    // Secure, but service workers are off (some private windows): keep the
    // page open, and do not promise the work outlives it.
    let en = text(&render(
        Lang::En,
        Screen::BrowserSync(offline.clone(), OfflineCopy::NoServiceWorker),
    ));
    assert!(en.contains("service workers are off"), "{en}");
    assert!(en.contains("Keep this page open"), "{en}");
    assert!(
        !en.contains("without HTTPS") && !en.contains("kept in this browser either way"),
        "{en}"
    );
    // HTTPS (or the same machine): the app opens with no network.
    let en = text(&render(
        Lang::En,
        Screen::BrowserSync(offline.clone(), OfflineCopy::Kept),
    ));
    assert!(en.contains("it opens even with no network"), "{en}");
    assert!(!en.contains("Keep this page open"), "{en}");
    // The desktop app says neither.
    let en = text(&render(
        Lang::En,
        Screen::BrowserSync(offline, OfflineCopy::NotNeeded),
    ));
    assert!(!en.contains("HTTPS") && !en.contains("no network"), "{en}");
}

#[test]
fn the_sync_indicator_is_honest() {
    let member = yoriai_crdt::DeviceKey::from_secret([9; 32]).member();
    let mut offline = SyncStatus {
        relay: Some(RelayStatus {
            url: "ws://relay.local:3030".into(),
            reachable: false,
            last_ok_ms: None,
            error: Some("connection refused".into()),
        }),
        lan: LanState::On,
        ..Default::default()
    };
    offline.summarise();
    let en = text(&render(Lang::En, Screen::Sync(offline.clone())));
    assert!(en.contains("Offline"), "{en}");
    assert!(en.contains("not synced yet"), "{en}");
    assert!(
        en.contains("not reachable") && en.contains("connection refused"),
        "{en}"
    );
    let ja = text(&render(Lang::Ja, Screen::Sync(offline)));
    assert!(
        ja.contains("オフライン") && ja.contains("まだ同期していません"),
        "{ja}"
    );

    let mut up = SyncStatus {
        last_sync_ms: Some(NOW - 180_000),
        lan: LanState::On,
        peers: vec![PeerInfo {
            member,
            name: Some("Ben".into()),
            connected: true,
            up_to_date: true,
        }],
        ..Default::default()
    };
    up.summarise();
    let en = text(&render(Lang::En, Screen::Sync(up.clone())));
    assert!(en.contains("Up to date"), "{en}");
    assert!(en.contains("last synced 3 min ago"), "{en}");
    assert!(en.contains("Ben — up to date"), "{en}");
    let ja = text(&render(Lang::Ja, Screen::Sync(up)));
    assert!(ja.contains("最新") && ja.contains("最終同期 3分前"), "{ja}");
}

/// A conversation of nine residents in two camps: four agree with the
/// playground statements and reject the car park ones, four the other way
/// round, and everyone wants more benches. Bob is in the first camp.
fn conversation() -> (Replica, Replica) {
    let mut staff = founder(1);
    let link = staff.invite(Role::Resident, None);
    with_project(&mut staff, &[PhaseKind::Conversation]);
    open_all(&mut staff);
    let statements: Vec<RecordId> = [
        "Keep the playground where it is.",
        "The playground needs more shade.",
        "Build a car park on the east lawn.",
        "Cars should reach the pond.",
        "The park needs more benches.",
    ]
    .iter()
    .map(|t| {
        staff
            .act(ProjectCommand::PostStatement {
                text: t.to_string(),
            })
            .expect("statement")
    })
    .collect();
    let mut bob = None;
    for n in 2..10u8 {
        let mut r = staff.spawn(n);
        r.join(&link, &format!("Resident {n}")).expect("joins");
        let camp: i8 = if n % 2 == 0 { 1 } else { -1 };
        for (i, st) in statements.iter().enumerate() {
            let vote = match i {
                0 | 1 => camp,
                2 | 3 => -camp,
                _ => 1,
            };
            r.act(ProjectCommand::VoteStatement {
                statement: *st,
                vote,
            })
            .expect("vote");
        }
        staff.sync(&mut r);
        if n == 2 {
            bob = Some(r);
        }
    }
    let mut bob = bob.expect("bob");
    staff.sync(&mut bob);
    (staff, bob)
}

#[test]
fn the_insight_tab_shows_groups_common_ground_and_where_i_stand() {
    let (_staff, bob) = conversation();
    let page = InsightPage::build(&bob.space(), &bob.project(), &bob.member(), 7);
    let c = &page.conversations[0];
    assert_eq!(c.participants, 8);
    assert_eq!(c.groups.len(), 2, "two camps: {:?}", c.groups);
    assert!(c.my_group.is_some(), "bob voted on everything");
    assert!(c.next.is_none(), "bob voted on every statement");
    assert_eq!(c.consensus[0].text, "The park needs more benches.");

    let en = text(&render(
        Lang::En,
        Screen::Insight(Box::new(page.clone()), false),
    ));
    assert!(
        en.contains("Group A · 4 people") && en.contains("Group B · 4 people"),
        "{en}"
    );
    assert!(en.contains("8 of 8 people on the map · 40 votes"), "{en}");
    assert!(en.contains("You are in group"), "{en}");
    assert!(en.contains("Common ground"), "{en}");
    assert!(
        en.contains("The park needs more benches. every group agrees (at least 83%)"),
        "{en}"
    );
    assert!(en.contains("Where groups differ"), "{en}");
    assert!(en.contains("Topics"), "{en}");
    let html = render(Lang::En, Screen::Insight(Box::new(page.clone()), false));
    assert!(
        html.contains("aria-label=\"Opinion map: 2 groups of 8 people."),
        "{html}"
    );
    assert_eq!(
        html.matches("class=\"dot grouped").count(),
        8,
        "one dot per person"
    );
    assert_eq!(
        html.matches("class=\"region").count(),
        2,
        "one region per group"
    );

    let ja = text(&render(
        Lang::Ja,
        Screen::Insight(Box::new(page.clone()), false),
    ));
    assert!(
        ja.contains("グループA · 4人") && ja.contains("共通点"),
        "{ja}"
    );
    assert!(ja.contains("あなたはグループ"), "{ja}");
    let projector = text(&render(Lang::Ja, Screen::Insight(Box::new(page), true)));
    assert!(
        projector.contains("ライブ") && projector.contains("プロジェクター表示を終了"),
        "{projector}"
    );
}

#[test]
fn a_newcomer_sees_the_next_statement_and_how_many_votes_to_go() {
    let (mut staff, _bob) = conversation();
    let link = staff.invite(Role::Resident, None);
    let mut new = staff.spawn(20);
    new.join(&link, "New 新").expect("joins");
    let page = InsightPage::build(&new.space(), &new.project(), &new.member(), 7);
    let c = &page.conversations[0];
    assert_eq!(c.my_votes, 0);
    assert!(c.next.is_some(), "five statements to vote on");
    let en = text(&render(
        Lang::En,
        Screen::Insight(Box::new(page.clone()), false),
    ));
    assert!(
        en.contains("Vote on 5 more statements to appear on the map."),
        "{en}"
    );
    let ja = text(&render(Lang::Ja, Screen::Insight(Box::new(page), false)));
    assert!(ja.contains("あと5件の意見に投票すると"), "{ja}");
}
