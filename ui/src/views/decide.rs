//! Surveys and votes: answering and casting, live results while open, the
//! final count once staff close them; staff open and close them here.

use yew::prelude::*;
use yoriai_crdt::api::{ProjectPage, Request};
use yoriai_crdt::survey::{Answer, Question, QuestionKind, QuestionResult};
use yoriai_crdt::vote::{BallotChoice, ConsentChoice, ConsentOutcome, TallyResult, VoteMethod};
use yoriai_crdt::{DocId, ProjectCommand, RecordId};

use super::{bar, bind, bind_area, checked, input_value, on_submit, select_value, send};
use crate::app::{act, Ctx};

/// Message ids built at run time (checked by a test in both languages).
pub fn dynamic_ids() -> Vec<String> {
    let mut ids: Vec<String> = [
        "consent",
        "single-choice",
        "approval",
        "score",
        "ranked-choice",
        "dot",
    ]
    .iter()
    .map(|m| format!("method-{m}"))
    .collect();
    ids.extend(CONSENT.iter().map(|(_, id)| id.to_string()));
    ids.extend(QKINDS.iter().map(|(_, id)| id.to_string()));
    ids
}

const CONSENT: [(ConsentChoice, &str); 4] = [
    (ConsentChoice::Agree, "consent-agree"),
    (ConsentChoice::Abstain, "consent-abstain"),
    (ConsentChoice::Disagree, "consent-disagree"),
    (ConsentChoice::Block, "consent-block"),
];

const QKINDS: [(&str, &str); 5] = [
    ("single", "q-single"),
    ("multiple", "q-multiple"),
    ("scale", "q-scale"),
    ("text", "q-text"),
    ("ranking", "q-ranking"),
];

fn method_id(m: VoteMethod) -> String {
    format!("method-{}", m.name())
}

/// Props of [`Votes`] and [`Surveys`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct DecideProps {
    /// The project page.
    pub page: ProjectPage,
}

/// The votes of a project.
#[function_component(Votes)]
pub fn votes(props: &DecideProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    html! {
        <>
            <h2 class="sr-only">{ ctx.t("tab-votes") }</h2>
            if page.can.manage { <OpenVote project={page.overview.id} /> }
            if page.votes.is_empty() { <p class="empty">{ ctx.t("no-votes") }</p> }
            // Keyed by record: each card keeps its own form state when a
            // new vote or survey arrives above it.
            { for page.votes.iter().map(|v| {
                let mine = page.my_ballots.iter().find(|(id, _)| *id == v.id).map(|(_, b)| b.clone());
                html! { <VoteCard key={v.id.to_string()} project={page.overview.id} vote={v.clone()} {mine} can_vote={page.can.participate} can_close={page.can.manage} /> }
            }) }
        </>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct ProjectIdProps {
    project: DocId,
}

#[function_component(OpenVote)]
fn open_vote(props: &ProjectIdProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let title = use_state(String::new);
    let method = use_state(|| "single-choice".to_string());
    let options = use_state(String::new);
    let submit = {
        let (ctx, title, method, options, project) = (
            ctx.clone(),
            title.clone(),
            method.clone(),
            options.clone(),
            props.project,
        );
        on_submit(move || {
            let m = match method.as_str() {
                "consent" => VoteMethod::Consent,
                "approval" => VoteMethod::Approval,
                "score" => VoteMethod::Score { max: 5 },
                "ranked-choice" => VoteMethod::RankedChoice,
                "dot" => VoteMethod::Dot { dots: 10 },
                _ => VoteMethod::SingleChoice,
            };
            let opts: Vec<String> = if m == VoteMethod::Consent {
                Vec::new()
            } else {
                options
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()
            };
            let (t, o) = (title.clone(), options.clone());
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::OpenVote {
                        phase: None,
                        title: (*title).clone(),
                        method: m,
                        options: opts,
                    },
                },
                move |_| {
                    t.set(String::new());
                    o.set(String::new());
                },
            )
        })
    };
    let set_method = {
        let method = method.clone();
        Callback::from(move |e: Event| method.set(select_value(&e)))
    };
    html! {
        <details class="card staff">
            <summary>{ ctx.t("open-vote") }</summary>
            <form onsubmit={submit}>
                <label for="vote-title">{ ctx.t("question") }</label>
                <input id="vote-title" required=true maxlength="200" value={(*title).clone()} oninput={bind(&title)} />
                <label for="vote-method">{ ctx.t("method") }</label>
                <select id="vote-method" onchange={set_method}>
                    { for ["single-choice", "approval", "consent", "score", "ranked-choice", "dot"].iter().map(|m| html! {
                        <option value={*m} selected={*m == method.as_str()}>{ ctx.t(&format!("method-{m}")) }</option>
                    }) }
                </select>
                if method.as_str() != "consent" {
                    <label for="vote-options">{ ctx.t("options-one-per-line") }</label>
                    <textarea id="vote-options" rows="4" value={(*options).clone()} oninput={bind_area(&options)} />
                }
                <button class="primary" type="submit">{ ctx.t("open-vote") }</button>
            </form>
        </details>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct VoteCardProps {
    project: DocId,
    vote: yoriai_crdt::project::VoteView,
    mine: Option<BallotChoice>,
    can_vote: bool,
    can_close: bool,
}

#[function_component(VoteCard)]
fn vote_card(props: &VoteCardProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let v = &props.vote;
    let n = v.options.len();
    let project = props.project;
    let vote = v.id;
    // Per-option numbers: approval 0/1, score, rank (0 = unranked), dots.
    let values = use_state(|| initial_values(&props.mine, v.method, n));
    let single = use_state(|| match &props.mine {
        Some(BallotChoice::Single(i)) => Some(*i),
        _ => None,
    });
    let consent = use_state(|| match &props.mine {
        Some(BallotChoice::Consent(c)) => Some(*c),
        _ => None,
    });
    let cast = {
        let (ctx, values, single, consent, method) = (
            ctx.clone(),
            values.clone(),
            single.clone(),
            consent.clone(),
            v.method,
        );
        on_submit(move || {
            let choice = match method {
                VoteMethod::Consent => match *consent {
                    Some(c) => BallotChoice::Consent(c),
                    None => return,
                },
                VoteMethod::SingleChoice => match *single {
                    Some(i) => BallotChoice::Single(i),
                    None => return,
                },
                VoteMethod::Approval => BallotChoice::Approval(
                    (0..values.len() as u16)
                        .filter(|i| values[*i as usize] > 0)
                        .collect(),
                ),
                VoteMethod::Score { .. } => {
                    BallotChoice::Score(values.iter().map(|x| (*x).min(255) as u8).collect())
                }
                VoteMethod::RankedChoice => {
                    let mut ranked: Vec<(u16, u16)> = values
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| **r > 0)
                        .map(|(i, r)| (*r, i as u16))
                        .collect();
                    ranked.sort();
                    BallotChoice::Ranked(ranked.into_iter().map(|(_, i)| i).collect())
                }
                VoteMethod::Dot { .. } => BallotChoice::Dots(values.to_vec()),
            };
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::CastBallot { vote, choice },
                },
                |_| {},
            );
        })
    };
    let close = send(&ctx, project, ProjectCommand::CloseVote { vote });
    let number_input = |i: usize, max: u16, label: String| {
        let values = values.clone();
        let id = format!("v-{}-{i}", vote.short());
        html! {
            <label for={id.clone()} class="num">
                <span>{ label }</span>
                <input id={id} type="number" min="0" max={max.to_string()} inputmode="numeric" value={values[i].to_string()}
                    oninput={Callback::from(move |e: InputEvent| {
                        let mut v = (*values).clone();
                        v[i] = input_value(&e).parse().unwrap_or(0).min(max);
                        values.set(v);
                    })} />
            </label>
        }
    };
    let form = match v.method {
        VoteMethod::Consent => html! {
            <fieldset>
                <legend class="sr-only">{ &v.title }</legend>
                { for CONSENT.iter().map(|(c, id)| {
                    let (c, consent) = (*c, consent.clone());
                    let rid = format!("c-{}-{id}", vote.short());
                    html! { <label class="radio" for={rid.clone()}><input type="radio" id={rid} name={format!("consent-{}", vote.short())} checked={*consent == Some(c)} onchange={Callback::from(move |_| consent.set(Some(c)))} />{ ctx.t(id) }</label> }
                }) }
            </fieldset>
        },
        VoteMethod::SingleChoice => html! {
            <fieldset>
                <legend class="sr-only">{ &v.title }</legend>
                { for v.options.iter().enumerate().map(|(i, o)| {
                    let single = single.clone();
                    let rid = format!("s-{}-{i}", vote.short());
                    html! { <label class="radio" for={rid.clone()}><input type="radio" id={rid} name={format!("single-{}", vote.short())} checked={*single == Some(i as u16)} onchange={Callback::from(move |_| single.set(Some(i as u16)))} />{ o }</label> }
                }) }
            </fieldset>
        },
        VoteMethod::Approval => html! {
            <fieldset>
                <legend class="sr-only">{ &v.title }</legend>
                { for v.options.iter().enumerate().map(|(i, o)| {
                    let values = values.clone();
                    let rid = format!("a-{}-{i}", vote.short());
                    html! { <label class="check" for={rid.clone()}><input type="checkbox" id={rid} checked={values[i] > 0} onchange={Callback::from(move |e: Event| { let mut v = (*values).clone(); v[i] = u16::from(checked(&e)); values.set(v); })} />{ o }</label> }
                }) }
            </fieldset>
        },
        VoteMethod::Score { max } => {
            html! { <>{ for v.options.iter().enumerate().map(|(i, o)| number_input(i, u16::from(max), ctx.i18n.tf("score-of", &[("option", o.clone().into()), ("max", max.into())]))) }</> }
        }
        VoteMethod::RankedChoice => {
            html! { <>{ for v.options.iter().enumerate().map(|(i, o)| number_input(i, n as u16, ctx.i18n.tf("rank-of", &[("option", o.clone().into())]))) }</> }
        }
        VoteMethod::Dot { dots } => html! { <>
            <p class="hint">{ ctx.i18n.tn("dots-to-give", u64::from(dots)) }</p>
            { for v.options.iter().enumerate().map(|(i, o)| number_input(i, dots, o.clone())) }
        </> },
    };
    html! {
        <article class="card vote">
            <h3>{ &v.title }</h3>
            <p class="muted">{ ctx.t(&method_id(v.method)) }{ " · " }{ ctx.i18n.tn("ballots-count", v.ballots) }{ " · " }
                if v.closed { <strong>{ ctx.t("vote-closed") }</strong> } else { <span>{ ctx.t("vote-open") }</span> }
            </p>
            if props.mine.is_some() { <p class="badge ok">{ ctx.t("you-voted") }</p> }
            if !v.closed && props.can_vote {
                <form onsubmit={cast} aria-label={v.title.clone()}>
                    { form }
                    <button class="primary" type="submit">{ if props.mine.is_some() { ctx.t("change-ballot") } else { ctx.t("cast-ballot") } }</button>
                </form>
            }
            <h4>{ if v.closed { ctx.t("final-result") } else { ctx.t("live-result") } }</h4>
            { tally(&ctx, v) }
            if !v.closed && props.can_close {
                <button class="secondary" onclick={close}>{ ctx.t("close-vote") }</button>
            }
        </article>
    }
}

fn initial_values(mine: &Option<BallotChoice>, method: VoteMethod, n: usize) -> Vec<u16> {
    let mut v = vec![0u16; n];
    match (mine, method) {
        (Some(BallotChoice::Approval(a)), _) => a
            .iter()
            .filter(|i| (**i as usize) < n)
            .for_each(|i| v[*i as usize] = 1),
        (Some(BallotChoice::Score(s)), _) => s
            .iter()
            .take(n)
            .enumerate()
            .for_each(|(i, x)| v[i] = u16::from(*x)),
        (Some(BallotChoice::Ranked(r)), _) => r
            .iter()
            .enumerate()
            .filter(|(_, o)| (**o as usize) < n)
            .for_each(|(rank, o)| v[*o as usize] = rank as u16 + 1),
        (Some(BallotChoice::Dots(d)), _) => {
            d.iter().take(n).enumerate().for_each(|(i, x)| v[i] = *x)
        }
        _ => {}
    }
    v
}

fn tally(ctx: &Ctx, v: &yoriai_crdt::project::VoteView) -> Html {
    match &v.tally {
        None => html! { <p class="muted">{ ctx.t("result-pending") }</p> },
        Some(TallyResult::Consent {
            agree,
            abstain,
            disagree,
            block,
            outcome,
        }) => {
            let total = agree + abstain + disagree + block;
            html! {
                <>
                    <dl class="tally">
                        { for [(ctx.t("consent-agree"), *agree), (ctx.t("consent-abstain"), *abstain), (ctx.t("consent-disagree"), *disagree), (ctx.t("consent-block"), *block)].into_iter().map(|(l, n)| html! {
                            <><dt>{ l.clone() }</dt><dd>{ bar(&l, n, total) }<span class="count">{ n }</span></dd></>
                        }) }
                    </dl>
                    <p class="outcome"><strong>{ ctx.t(match outcome { ConsentOutcome::Agreed => "outcome-agreed", ConsentOutcome::NotAgreed => "outcome-not-agreed", ConsentOutcome::Blocked => "outcome-blocked" }) }</strong></p>
                </>
            }
        }
        Some(TallyResult::Totals { totals, winners }) => {
            let max = totals.iter().copied().max().unwrap_or(0);
            html! {
                <dl class="tally">
                    { for v.options.iter().zip(totals).enumerate().map(|(i, (o, n))| {
                        let win = winners.contains(&(i as u16)) && v.ballots > 0;
                        html! {
                            <><dt class={classes!(win.then_some("winner"))}>{ o }{ if win { format!(" ★ {}", ctx.t(if v.closed { "winner" } else { "leading" })) } else { String::new() } }</dt>
                            <dd>{ bar(o, *n, max) }<span class="count">{ n }</span></dd></>
                        }
                    }) }
                </dl>
            }
        }
        Some(TallyResult::Runoff { rounds, winners }) => html! {
            <>
                <table class="rounds">
                    <thead><tr><th scope="col">{ ctx.t("option") }</th>
                        { for (1..=rounds.len()).map(|r| html! { <th scope="col">{ ctx.i18n.tn("round-n", r as u64) }</th> }) }
                    </tr></thead>
                    <tbody>
                    { for v.options.iter().enumerate().map(|(i, o)| html! {
                        <tr class={classes!(winners.contains(&(i as u16)).then_some("winner"))}>
                            <th scope="row">{ o }</th>
                            { for rounds.iter().map(|r| html! { <td>{ r.counts.get(i).copied().flatten().map(|c| c.to_string()).unwrap_or_else(|| "—".into()) }</td> }) }
                        </tr>
                    }) }
                    </tbody>
                </table>
                if !winners.is_empty() && v.ballots > 0 {
                    <p class="outcome"><strong>{ ctx.t(if v.closed { "winner" } else { "leading" }) }{ ": " }{ winners.iter().filter_map(|w| v.options.get(*w as usize)).cloned().collect::<Vec<_>>().join(", ") }</strong></p>
                }
            </>
        },
    }
}

/// The surveys of a project.
#[function_component(Surveys)]
pub fn surveys(props: &DecideProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    html! {
        <>
            <h2 class="sr-only">{ ctx.t("tab-surveys") }</h2>
            if page.can.manage { <NewSurvey project={page.overview.id} /> }
            if page.surveys.is_empty() { <p class="empty">{ ctx.t("no-surveys") }</p> }
            { for page.surveys.iter().map(|s| html! {
                <SurveyCard key={s.id.to_string()} project={page.overview.id} survey={s.clone()} mine={page.my_answers.iter().find(|(id, _)| *id == s.id).map(|(_, a)| a.clone())} can_answer={page.can.participate} can_close={page.can.manage} />
            }) }
        </>
    }
}

/// How one input turns its value into a new answer to its question.
type EditAnswer = Box<dyn Fn(&Answer, String) -> Answer>;

#[derive(Debug, Clone, PartialEq)]
struct Draft {
    prompt: String,
    kind: String,
    options: String,
    required: bool,
}

#[function_component(NewSurvey)]
fn new_survey(props: &ProjectIdProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let title = use_state(String::new);
    let drafts = use_state(|| {
        vec![Draft {
            prompt: String::new(),
            kind: "single".into(),
            options: String::new(),
            required: true,
        }]
    });
    let submit = {
        let (ctx, title, drafts, project) =
            (ctx.clone(), title.clone(), drafts.clone(), props.project);
        on_submit(move || {
            let questions = drafts
                .iter()
                .map(|d| {
                    let opts = || {
                        d.options
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(String::from)
                            .collect::<Vec<_>>()
                    };
                    Question {
                        prompt: d.prompt.clone(),
                        kind: match d.kind.as_str() {
                            "multiple" => QuestionKind::MultipleChoice { options: opts() },
                            "scale" => QuestionKind::Scale,
                            "text" => QuestionKind::FreeText,
                            "ranking" => QuestionKind::Ranking { options: opts() },
                            _ => QuestionKind::SingleChoice { options: opts() },
                        },
                        required: d.required,
                    }
                })
                .collect();
            let t = title.clone();
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::CreateSurvey {
                        phase: None,
                        title: (*title).clone(),
                        questions,
                    },
                },
                move |_| t.set(String::new()),
            )
        })
    };
    let edit = |i: usize, f: fn(&mut Draft, String)| {
        let drafts = drafts.clone();
        move |value: String| {
            let mut v = (*drafts).clone();
            if let Some(d) = v.get_mut(i) {
                f(d, value)
            }
            drafts.set(v);
        }
    };
    let add = {
        let drafts = drafts.clone();
        Callback::from(move |_| {
            let mut v = (*drafts).clone();
            v.push(Draft {
                prompt: String::new(),
                kind: "single".into(),
                options: String::new(),
                required: true,
            });
            drafts.set(v);
        })
    };
    html! {
        <details class="card staff">
            <summary>{ ctx.t("new-survey") }</summary>
            <form onsubmit={submit}>
                <label for="survey-title">{ ctx.t("title") }</label>
                <input id="survey-title" required=true maxlength="200" value={(*title).clone()} oninput={bind(&title)} />
                { for drafts.iter().enumerate().map(|(i, d)| {
                    let prompt = edit(i, |d, v| d.prompt = v);
                    let kind = edit(i, |d, v| d.kind = v);
                    let options = edit(i, |d, v| d.options = v);
                    let required = edit(i, |d, v| d.required = v == "1");
                    let choice = matches!(d.kind.as_str(), "single" | "multiple" | "ranking");
                    html! {
                        <fieldset>
                            <legend>{ ctx.i18n.tn("question-n", i as u64 + 1) }</legend>
                            <label for={format!("q{i}-prompt")}>{ ctx.t("question") }</label>
                            <input id={format!("q{i}-prompt")} required=true maxlength="500" value={d.prompt.clone()} oninput={Callback::from(move |e: InputEvent| prompt(input_value(&e)))} />
                            <label for={format!("q{i}-kind")}>{ ctx.t("question-kind") }</label>
                            <select id={format!("q{i}-kind")} onchange={Callback::from(move |e: Event| kind(select_value(&e)))}>
                                { for QKINDS.iter().map(|(k, id)| html! { <option value={*k} selected={d.kind == *k}>{ ctx.t(id) }</option> }) }
                            </select>
                            if choice {
                                <label for={format!("q{i}-options")}>{ ctx.t("options-one-per-line") }</label>
                                <textarea id={format!("q{i}-options")} rows="3" value={d.options.clone()} oninput={Callback::from(move |e: InputEvent| options(super::area_value(&e)))} />
                            }
                            <label class="check" for={format!("q{i}-req")}>
                                <input type="checkbox" id={format!("q{i}-req")} checked={d.required} onchange={Callback::from(move |e: Event| required(if checked(&e) { "1".into() } else { "0".into() }))} />
                                { ctx.t("required") }
                            </label>
                        </fieldset>
                    }
                }) }
                <div class="row">
                    <button class="secondary" type="button" onclick={add}>{ ctx.t("add-question") }</button>
                    <button class="primary" type="submit">{ ctx.t("create-survey") }</button>
                </div>
            </form>
        </details>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct SurveyCardProps {
    project: DocId,
    survey: yoriai_crdt::project::SurveyView,
    /// This member's answers so far (the form starts from them).
    mine: Option<Vec<Answer>>,
    can_answer: bool,
    can_close: bool,
}

#[function_component(SurveyCard)]
fn survey_card(props: &SurveyCardProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let s = &props.survey;
    let project = props.project;
    let survey: RecordId = s.id;
    let answers = use_state(|| match &props.mine {
        Some(a) if a.len() == s.questions.len() => a.clone(),
        _ => s
            .questions
            .iter()
            .map(|_| Answer::Skipped)
            .collect::<Vec<_>>(),
    });
    let submit = {
        let (ctx, answers) = (ctx.clone(), answers.clone());
        on_submit(move || {
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::AnswerSurvey {
                        survey,
                        answers: (*answers).clone(),
                    },
                },
                |_| {},
            )
        })
    };
    let close = send(&ctx, project, ProjectCommand::CloseSurvey { survey });
    let set = |qi: usize, f: EditAnswer| {
        let answers = answers.clone();
        move |value: String| {
            let mut v = (*answers).clone();
            if let Some(a) = v.get_mut(qi) {
                *a = f(a, value);
            }
            answers.set(v);
        }
    };
    let key = s.id.short();
    html! {
        <article class="card survey">
            <h3>{ &s.title }</h3>
            <p class="muted">{ ctx.i18n.tn("respondents-count", s.respondents) }{ " · " }{ if s.closed { ctx.t("survey-closed") } else { ctx.t("survey-open") } }</p>
            if props.mine.is_some() { <p class="badge ok">{ ctx.t("you-answered") }</p> }
            if !s.closed && props.can_answer {
                <form onsubmit={submit}>
                { for s.questions.iter().enumerate().map(|(qi, q)| {
                    let name = format!("{key}-q{qi}");
                    // The answer so far (this member's saved one, or what
                    // was just picked): the inputs show it.
                    let now = answers.get(qi).cloned().unwrap_or(Answer::Skipped);
                    let body = match &q.kind {
                        QuestionKind::SingleChoice { options } => html! { <>{ for options.iter().enumerate().map(|(i, o)| {
                            let f = set(qi, Box::new(move |_, _| Answer::Choice(i as u16)));
                            let id = format!("{name}-{i}");
                            let on = now == Answer::Choice(i as u16);
                            html! { <label class="radio" for={id.clone()}><input type="radio" id={id} name={name.clone()} checked={on} onchange={Callback::from(move |_| f(String::new()))} />{ o }</label> }
                        }) }</> },
                        QuestionKind::MultipleChoice { options } => html! { <>{ for options.iter().enumerate().map(|(i, o)| {
                            let f = set(qi, Box::new(move |a, on| {
                                let mut v = match a { Answer::Choices(v) => v.clone(), _ => Vec::new() };
                                v.retain(|x| *x != i as u16);
                                if on == "1" { v.push(i as u16); v.sort_unstable(); }
                                Answer::Choices(v)
                            }));
                            let id = format!("{name}-{i}");
                            let on = matches!(&now, Answer::Choices(v) if v.contains(&(i as u16)));
                            html! { <label class="check" for={id.clone()}><input type="checkbox" id={id} checked={on} onchange={Callback::from(move |e: Event| f(if checked(&e) { "1".into() } else { "0".into() }))} />{ o }</label> }
                        }) }</> },
                        QuestionKind::Scale => html! { <div class="scale">{ for (1..=5u8).map(|n| {
                            let f = set(qi, Box::new(move |_, _| Answer::Scale(n)));
                            let id = format!("{name}-{n}");
                            let on = now == Answer::Scale(n);
                            html! { <label class="radio" for={id.clone()}><input type="radio" id={id} name={name.clone()} checked={on} onchange={Callback::from(move |_| f(String::new()))} />{ n }</label> }
                        }) }<span class="muted">{ ctx.t("scale-hint") }</span></div> },
                        QuestionKind::FreeText => {
                            let f = set(qi, Box::new(|_, t| if t.trim().is_empty() { Answer::Skipped } else { Answer::Text(t) }));
                            let text = match &now { Answer::Text(t) => t.clone(), _ => String::new() };
                            html! { <textarea id={name.clone()} aria-label={q.prompt.clone()} rows="3" value={text} oninput={Callback::from(move |e: InputEvent| f(super::area_value(&e)))} /> }
                        }
                        QuestionKind::Ranking { options } => html! { <>{ for options.iter().enumerate().map(|(i, o)| {
                            let n = options.len();
                            let f = set(qi, Box::new(move |a, rank| {
                                // Keep a rank per option, then order them.
                                let mut ranks = vec![0usize; n];
                                if let Answer::Ranking(v) = a { for (r, o) in v.iter().enumerate() { if (*o as usize) < n { ranks[*o as usize] = r + 1; } } }
                                ranks[i] = rank.parse().unwrap_or(0);
                                let mut order: Vec<(usize, u16)> = ranks.iter().enumerate().filter(|(_, r)| **r > 0).map(|(o, r)| (*r, o as u16)).collect();
                                order.sort();
                                if order.is_empty() { Answer::Skipped } else { Answer::Ranking(order.into_iter().map(|(_, o)| o).collect()) }
                            }));
                            let id = format!("{name}-{i}");
                            let rank = match &now {
                                Answer::Ranking(v) => v.iter().position(|x| *x == i as u16).map(|r| (r + 1).to_string()).unwrap_or_default(),
                                _ => String::new(),
                            };
                            html! { <label class="num" for={id.clone()}><span>{ ctx.i18n.tf("rank-of", &[("option", o.clone().into())]) }</span>
                                <input id={id} type="number" min="0" max={n.to_string()} inputmode="numeric" value={rank} oninput={Callback::from(move |e: InputEvent| f(input_value(&e)))} /></label> }
                        }) }</> },
                    };
                    html! {
                        <fieldset>
                            <legend>{ &q.prompt }{ if q.required { format!(" ({})", ctx.t("required")) } else { String::new() } }</legend>
                            { body }
                        </fieldset>
                    }
                }) }
                    <button class="primary" type="submit">{ if props.mine.is_some() { ctx.t("change-answers") } else { ctx.t("send-answers") } }</button>
                </form>
            }
            <h4>{ if s.closed { ctx.t("final-result") } else { ctx.t("live-result") } }</h4>
            { results(&ctx, s) }
            if !s.closed && props.can_close {
                <button class="secondary" onclick={close}>{ ctx.t("close-survey") }</button>
            }
        </article>
    }
}

fn results(ctx: &Ctx, s: &yoriai_crdt::project::SurveyView) -> Html {
    let Some(results) = &s.results else {
        return html! { <p class="muted">{ ctx.t("result-pending") }</p> };
    };
    html! {
        <ol class="results">
        { for s.questions.iter().zip(results).map(|(q, r)| {
            let options: &[String] = match &q.kind {
                QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } | QuestionKind::Ranking { options } => options,
                _ => &[],
            };
            let body = match r {
                QuestionResult::Choices { counts, answered } => html! {
                    <dl class="tally">{ for options.iter().zip(counts).map(|(o, n)| html! { <><dt>{ o }</dt><dd>{ bar(o, *n, *answered) }<span class="count">{ n }</span></dd></> }) }</dl>
                },
                QuestionResult::Scale { histogram, mean } => html! {
                    <>
                        <dl class="tally">{ for histogram.iter().enumerate().map(|(i, n)| html! { <><dt>{ i + 1 }</dt><dd>{ bar(&(i + 1).to_string(), *n, histogram.iter().sum()) }<span class="count">{ n }</span></dd></> }) }</dl>
                        if let Some(m) = mean { <p>{ ctx.i18n.tf("mean", &[("mean", format!("{m:.1}").into())]) }</p> }
                    </>
                },
                QuestionResult::Texts { answers } => html! { <ul class="texts">{ for answers.iter().map(|a| html! { <li>{ a }</li> }) }</ul> },
                QuestionResult::Ranking { points, answered, .. } => {
                    let max = points.iter().copied().max().unwrap_or(0);
                    html! { <>
                        <p class="muted">{ ctx.i18n.tn("respondents-count", *answered) }</p>
                        <dl class="tally">{ for options.iter().zip(points).map(|(o, p)| html! { <><dt>{ o }</dt><dd>{ bar(o, *p, max) }<span class="count">{ ctx.i18n.tn("points", *p) }</span></dd></> }) }</dl>
                    </> }
                }
            };
            html! { <li><p class="prompt">{ &q.prompt }</p>{ body }</li> }
        }) }
        </ol>
    }
}
