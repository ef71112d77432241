//! A whole participation process through the command layer, on replicas
//! that sync by merging: what staff and residents do and what they see.

mod common;

use common::*;
use yoriai_crdt::comment::Stance;
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::survey::{Answer, Question, QuestionKind, QuestionResult};
use yoriai_crdt::vote::{BallotChoice, ConsentChoice, ConsentOutcome, TallyResult, VoteMethod};
use yoriai_crdt::{CommandError, ProjectCommand, Role, SpaceCommand};

const KINDS: [PhaseKind; 6] = [
    PhaseKind::Ideas,
    PhaseKind::Discussion,
    PhaseKind::CoCreation,
    PhaseKind::Survey,
    PhaseKind::Decision,
    PhaseKind::Results,
];

#[test]
fn a_resident_joins_by_link_and_takes_part_in_every_phase() {
    let mut staff = founder(1);
    let link = staff.invite(Role::Resident, Some(1));
    // The link survives being written out and read back.
    let link = yoriai_crdt::invitation::Invitation::parse(&link.to_link()).expect("link parses");
    // Carried by relays, it also opens in a browser at each relay's address.
    let mut carried = link.clone();
    carried.relays = vec![
        "wss://relay.example.jp/sync".into(),
        "ws://192.168.1.5:8080".into(),
        "not a relay".into(),
    ];
    let web = carried.relay_web_addresses();
    assert_eq!(web.len(), 2, "{web:?}");
    assert!(
        web[0].starts_with("https://relay.example.jp/#join="),
        "{web:?}"
    );
    assert!(
        web[1].starts_with("http://192.168.1.5:8080/#join="),
        "{web:?}"
    );
    for address in &web {
        let back = yoriai_crdt::invitation::Invitation::parse(address).expect("parses");
        assert_eq!((back.space, &back.record), (link.space, &link.record));
    }
    with_project(&mut staff, &KINDS);

    let mut bob = staff.spawn(2);
    assert_eq!(
        bob.act(ProjectCommand::PostIdea {
            title: "x".into(),
            body: String::new()
        }),
        Err(CommandError::NotMember)
    );
    bob.join(&link, "Bob 太郎").expect("bob joins");
    assert_eq!(
        bob.space().current_role(&bob.member()),
        Some(Role::Resident)
    );

    // Ideas phase is open (the first phase opens with the project).
    let idea = bob
        .act(ProjectCommand::PostIdea {
            title: "More shade".into(),
            body: "Plant trees along the south path.".into(),
        })
        .expect("residents post ideas while the ideas phase is open");
    assert_eq!(
        bob.act(ProjectCommand::SetPhaseState {
            phase: phase_id(&bob, PhaseKind::Discussion),
            state: PhaseState::Open
        }),
        Err(CommandError::Forbidden { needed: "staff" })
    );
    // Comments need the discussion phase (ideas phase also allows them).
    bob.act(ProjectCommand::Comment {
        target: Some(idea),
        reply_to: None,
        stance: Stance::For,
        text: "Yes, it's too hot in summer.".into(),
        official: false,
    })
    .expect("comment");

    staff.sync(&mut bob);
    staff
        .act(ProjectCommand::Support {
            idea,
            support: true,
        })
        .expect("support");
    let first = staff.project().comment_tree(&staff.space(), &idea)[0].id;
    staff
        .act(ProjectCommand::Comment {
            target: Some(idea),
            reply_to: Some(first),
            stance: Stance::Neutral,
            text: "We will check the budget for trees.".into(),
            official: true,
        })
        .expect("staff answer officially");
    assert_eq!(
        bob.act(ProjectCommand::Comment {
            target: Some(idea),
            reply_to: None,
            stance: Stance::Neutral,
            text: "official?".into(),
            official: true
        }),
        Err(CommandError::Forbidden { needed: "staff" })
    );

    // Close ideas, open co-creation: bob edits, staff amends, bob accepts.
    let ideas_phase = phase_id(&staff, PhaseKind::Ideas);
    staff
        .act(ProjectCommand::SetPhaseState {
            phase: ideas_phase,
            state: PhaseState::Closed,
        })
        .expect("close");
    staff
        .act(ProjectCommand::SetPhaseState {
            phase: phase_id(&staff, PhaseKind::CoCreation),
            state: PhaseState::Open,
        })
        .expect("open");
    staff.sync(&mut bob);
    assert_eq!(
        bob.act(ProjectCommand::PostIdea {
            title: "late".into(),
            body: String::new()
        })
        .map(|_| ()),
        Ok(()),
        "a co-creation phase also takes new proposals"
    );
    bob.act(ProjectCommand::EditText {
        proposal: idea,
        text: "Plant cherry trees along the south path.".into(),
    })
    .expect("author edits");
    staff.sync(&mut bob);
    let amendment = staff
        .act(ProjectCommand::ProposeAmendment {
            proposal: idea,
            text: "Plant cherry trees and add benches along the south path.".into(),
            reason: "Elderly residents asked for benches".into(),
        })
        .expect("anyone may suggest");
    assert_eq!(
        staff.act(ProjectCommand::DecideAmendment {
            amendment,
            accept: true
        }),
        Err(CommandError::Forbidden { needed: "author" })
    );
    staff.sync(&mut bob);
    bob.act(ProjectCommand::DecideAmendment {
        amendment,
        accept: true,
    })
    .expect("author accepts");
    let detail = bob.project().idea(&bob.space(), &idea).expect("idea");
    assert_eq!(
        detail.text,
        "Plant cherry trees and add benches along the south path."
    );
    assert_eq!(detail.amendments.len(), 1);
    assert_eq!(detail.amendments[0].inserts, "and add benches ");
    assert_eq!(detail.amendments[0].accepted, Some(true));
    assert_eq!(detail.card.supports, 1);
    assert_eq!(detail.stances.for_, 1);
    assert_eq!(detail.comments.len(), 1);
    assert_eq!(detail.comments[0].replies.len(), 1);
    assert!(detail.comments[0].replies[0].official);
    assert_eq!(detail.card.author_name, "Bob 太郎");

    // Survey.
    staff.sync(&mut bob);
    let survey = staff
        .act(ProjectCommand::CreateSurvey {
            phase: None,
            title: "Your park".into(),
            questions: vec![
                Question {
                    prompt: "How often?".into(),
                    kind: QuestionKind::SingleChoice {
                        options: vec!["daily".into(), "weekly".into()],
                    },
                    required: true,
                },
                Question {
                    prompt: "Ideas?".into(),
                    kind: QuestionKind::FreeText,
                    required: false,
                },
            ],
        })
        .expect("staff create surveys");
    staff.sync(&mut bob);
    assert_eq!(
        bob.act(ProjectCommand::AnswerSurvey {
            survey,
            answers: vec![Answer::Choice(0), Answer::Skipped]
        }),
        Err(CommandError::PhaseNotOpen { kind: "survey" })
    );
    staff
        .act(ProjectCommand::SetPhaseState {
            phase: phase_id(&staff, PhaseKind::Survey),
            state: PhaseState::Open,
        })
        .expect("open");
    staff.sync(&mut bob);
    bob.act(ProjectCommand::AnswerSurvey {
        survey,
        answers: vec![Answer::Choice(0), Answer::Text("ベンチ".into())],
    })
    .expect("answer");
    bob.act(ProjectCommand::AnswerSurvey {
        survey,
        answers: vec![Answer::Choice(1), Answer::Text("benches".into())],
    })
    .expect("answers can be changed");
    // Bob's latest answers are his (for "your answers"); staff have none.
    assert_eq!(
        bob.project().my_answers(&survey, &bob.member()),
        Some(vec![Answer::Choice(1), Answer::Text("benches".into())])
    );
    assert_eq!(bob.project().my_answers(&survey, &staff.member()), None);
    staff.sync(&mut bob);
    assert_eq!(
        staff.project().my_answers(&survey, &bob.member()),
        Some(vec![Answer::Choice(1), Answer::Text("benches".into())]),
        "every device sees the same latest answers"
    );
    staff
        .act(ProjectCommand::CloseSurvey { survey })
        .expect("close survey");
    let results = staff.project().survey(&survey).expect("survey");
    assert!(results.closed);
    assert_eq!(results.respondents, 1);
    assert_eq!(
        results.results.expect("pinned changes are here")[0],
        QuestionResult::Choices {
            counts: vec![0, 1],
            answered: 1
        }
    );

    // Consent vote.
    let decision = phase_id(&staff, PhaseKind::Decision);
    staff
        .act(ProjectCommand::SetPhaseState {
            phase: decision,
            state: PhaseState::Open,
        })
        .expect("open");
    // A choice needs two options: refused by the command, nothing written
    // (the fold would drop such a record, so it must never be signed).
    let before = staff.project().votes().len();
    for options in [vec![], vec!["Trees and awning".to_string()]] {
        assert!(matches!(
            staff.act(ProjectCommand::OpenVote {
                phase: None,
                title: "Which shade first?".into(),
                method: VoteMethod::SingleChoice,
                options,
            }),
            Err(CommandError::Invalid { what: "vote", .. })
        ));
    }
    assert!(matches!(
        staff.act(ProjectCommand::OpenVote {
            phase: None,
            title: "Consent takes no options".into(),
            method: VoteMethod::Consent,
            options: vec!["Yes".into(), "No".into()],
        }),
        Err(CommandError::Invalid { what: "vote", .. })
    ));
    assert_eq!(staff.project().votes().len(), before);
    let vote = staff
        .act(ProjectCommand::OpenVote {
            phase: None,
            title: "Adopt the shade proposal?".into(),
            method: VoteMethod::Consent,
            options: vec![],
        })
        .expect("open vote");
    staff.sync(&mut bob);
    bob.act(ProjectCommand::CastBallot {
        vote,
        choice: BallotChoice::Consent(ConsentChoice::Agree),
    })
    .expect("ballot");
    assert!(matches!(
        bob.act(ProjectCommand::CastBallot {
            vote,
            choice: BallotChoice::Single(0)
        }),
        Err(CommandError::Invalid { what: "ballot", .. })
    ));
    staff
        .act(ProjectCommand::CastBallot {
            vote,
            choice: BallotChoice::Consent(ConsentChoice::Abstain),
        })
        .expect("ballot");
    staff.sync(&mut bob);
    staff
        .act(ProjectCommand::CloseVote { vote })
        .expect("close");
    staff.sync(&mut bob);
    assert_eq!(
        bob.act(ProjectCommand::CastBallot {
            vote,
            choice: BallotChoice::Consent(ConsentChoice::Block)
        }),
        Err(CommandError::Closed { what: "the vote" })
    );
    let v = bob.project().vote(&vote).expect("vote");
    assert_eq!(v.ballots, 2);
    assert_eq!(
        v.tally,
        Some(TallyResult::Consent {
            agree: 1,
            abstain: 1,
            disagree: 0,
            block: 0,
            outcome: ConsentOutcome::Agreed
        })
    );

    // Results: milestones and posts.
    let m = staff
        .act(ProjectCommand::AddMilestone {
            title: "Trees planted".into(),
            due: Some("2027-04-01".into()),
        })
        .expect("milestone");
    staff
        .act(ProjectCommand::SetMilestoneProgress {
            milestone: m,
            percent: 40,
        })
        .expect("progress");
    staff
        .act(ProjectCommand::PublishPost {
            title: "Planting started".into(),
            body: "The first twelve trees are in.".into(),
        })
        .expect("post");
    staff.sync(&mut bob);
    let snap = bob.snapshot();
    assert_eq!(snap.overview.ideas, 2);
    assert_eq!(snap.overview.participants, 2);
    assert_eq!(snap.overview.rejected, 0, "{:?}", snap.rejected);
    assert_eq!(snap.timeline.len(), KINDS.len() + 2);
    assert_eq!(staff.snapshot(), snap, "replicas show the same");
}

#[test]
fn ideas_sort_by_supports_or_newest_and_hidden_ones_leave_the_list() {
    let mut staff = founder(1);
    let link = staff.invite(Role::Resident, None);
    with_project(&mut staff, &KINDS);
    let mut residents: Vec<_> = (2..6).map(|n| staff.spawn(n)).collect();
    for r in &mut residents {
        r.join(&link, &format!("resident {}", r.n)).expect("join");
        staff.sync(r);
    }
    let a = staff
        .act(ProjectCommand::PostIdea {
            title: "A".into(),
            body: String::new(),
        })
        .expect("post");
    let b = staff
        .act(ProjectCommand::PostIdea {
            title: "B".into(),
            body: String::new(),
        })
        .expect("post");
    for r in &mut residents {
        staff.sync(r);
        r.act(ProjectCommand::Support {
            idea: a,
            support: true,
        })
        .expect("support");
        staff.sync(r);
    }
    // One withdraws.
    residents[0]
        .act(ProjectCommand::Support {
            idea: a,
            support: false,
        })
        .expect("withdraw");
    staff.sync(&mut residents[0]);
    let p = staff.project();
    let by_support = p.ideas(&staff.space(), IdeaSort::Supports);
    assert_eq!(
        by_support.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![a, b]
    );
    assert_eq!(by_support[0].supports, 3);
    let newest = p.ideas(&staff.space(), IdeaSort::Newest);
    assert_eq!(newest.iter().map(|c| c.id).collect::<Vec<_>>(), vec![b, a]);

    // Report, hide, restore: all logged.
    residents[1]
        .act(ProjectCommand::Report {
            target: b,
            reason: "off topic".into(),
        })
        .expect("report");
    staff.sync(&mut residents[1]);
    assert_eq!(
        residents[1].act(ProjectCommand::Hide {
            target: b,
            reason: "x".into()
        }),
        Err(CommandError::Forbidden { needed: "staff" })
    );
    staff
        .act(ProjectCommand::Hide {
            target: b,
            reason: "Off topic for this project".into(),
        })
        .expect("hide");
    let p = staff.project();
    assert_eq!(p.ideas(&staff.space(), IdeaSort::Newest).len(), 1);
    assert!(p.idea(&staff.space(), &b).is_none());
    staff
        .act(ProjectCommand::Restore {
            target: b,
            reason: "Moved here on purpose".into(),
        })
        .expect("restore");
    let p = staff.project();
    assert_eq!(p.ideas(&staff.space(), IdeaSort::Newest).len(), 2);
    let log = p.moderation_log(&staff.space());
    assert_eq!(log.len(), 3);
    assert_eq!(log[1].reason, "Off topic for this project");
    assert_eq!(log[1].by_name, "Aiko (town hall)");
}

#[test]
fn staff_add_remove_and_reorder_phases() {
    let mut staff = founder(1);
    with_project(&mut staff, &[PhaseKind::Ideas, PhaseKind::Decision]);
    let ideas = phase_id(&staff, PhaseKind::Ideas);
    let decision = phase_id(&staff, PhaseKind::Decision);
    let survey = staff
        .act(ProjectCommand::AddPhase {
            kind: PhaseKind::Survey,
            title: "Survey".into(),
            starts: Some("2027-01-10".into()),
            ends: None,
            before: Some(decision),
        })
        .expect("add");
    let kinds = |r: &Replica| {
        r.project()
            .phases()
            .into_iter()
            .map(|p| p.kind)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(&staff),
        vec![PhaseKind::Ideas, PhaseKind::Survey, PhaseKind::Decision]
    );
    staff
        .act(ProjectCommand::MovePhase {
            phase: ideas,
            before: None,
        })
        .expect("move");
    assert_eq!(
        kinds(&staff),
        vec![PhaseKind::Survey, PhaseKind::Decision, PhaseKind::Ideas]
    );
    staff
        .act(ProjectCommand::RemovePhase { phase: survey })
        .expect("remove");
    assert_eq!(kinds(&staff), vec![PhaseKind::Decision, PhaseKind::Ideas]);
    assert_eq!(
        staff.project().overview().current_phase,
        Some(ideas),
        "the first phase was opened with the project"
    );
}

#[test]
fn a_member_can_rename_and_staff_can_revoke() {
    let mut staff = founder(1);
    let link = staff.invite(Role::Resident, None);
    let mut bob = staff.spawn(2);
    bob.join(&link, "Bob").expect("join");
    bob.act_space(SpaceCommand::SetProfile {
        display_name: "Robert".into(),
    })
    .expect("rename");
    staff.sync(&mut bob);
    let overview = staff.space().read_model();
    assert!(overview
        .members
        .iter()
        .any(|m| m.display_name == "Robert" && m.role == Role::Resident));
    staff
        .act_space(SpaceCommand::RevokeMember {
            member: bob.member(),
            reason: "left town".into(),
        })
        .expect("revoke");
    assert_eq!(staff.space().current_role(&bob.member()), None);
    assert_eq!(staff.space().read_model().members.len(), 1);
}
