//! A project's page: the phase timeline, the brief, and tabs for ideas,
//! surveys, votes, progress, conversation statements, the process (staff
//! manage phases there) and moderation.

use yew::prelude::*;
use yoriai_crdt::api::{ProjectPage, Request, Response};
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::{DocId, ProjectCommand};

use super::{
    ago, bar, bind, bind_area, command_form, kind_beside, on_submit, page_head, pending,
    phase_kind_id, phase_state_id, select_value,
};
use crate::app::{act, use_fetch, Ctx, Route, Tab};

/// Props of [`ProjectScreen`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ProjectScreenProps {
    /// The project.
    pub project: DocId,
    /// The tab.
    pub tab: Tab,
    /// The idea sort to start with.
    pub sort: IdeaSort,
}

/// A project page (fetches it; marks the visit).
#[function_component(ProjectScreen)]
pub fn project_screen(props: &ProjectScreenProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let sort = use_state(|| props.sort);
    let state = use_fetch(
        Some(Request::Project {
            project: props.project,
            sort: *sort,
        }),
        ctx.tick,
    );
    // The visit is marked once the page was shown, so "new since your
    // last visit" counts from what the member saw.
    {
        let project = props.project;
        let shown = matches!(&*state, Some(Ok(_)));
        use_effect_with((project, shown), move |(project, shown)| {
            if *shown {
                let project = *project;
                yew::platform::spawn_local(async move {
                    let _ = crate::transport::call(Request::Visited { project }).await;
                });
            }
        });
    }
    let set_sort = {
        let sort = sort.clone();
        Callback::from(move |s| sort.set(s))
    };
    match &*state {
        Some(Ok(Response::Project(page))) => html! {
            <ProjectView page={(**page).clone()} tab={props.tab} set_sort={set_sort} />
        },
        other => pending(&ctx, other),
    }
}

/// Props of [`ProjectView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ProjectViewProps {
    /// The read model.
    pub page: ProjectPage,
    /// The tab shown.
    pub tab: Tab,
    /// Change the idea sort.
    #[prop_or_default]
    pub set_sort: Callback<IdeaSort>,
}

fn tabs_for(page: &ProjectPage) -> Vec<(Tab, &'static str)> {
    let mut tabs = vec![(Tab::Ideas, "tab-ideas")];
    let has = |k: PhaseKind| page.overview.phases.iter().any(|p| p.kind == k);
    if has(PhaseKind::Survey) || !page.surveys.is_empty() {
        tabs.push((Tab::Surveys, "tab-surveys"));
    }
    if has(PhaseKind::Decision) || !page.votes.is_empty() {
        tabs.push((Tab::Votes, "tab-votes"));
    }
    if has(PhaseKind::Conversation) {
        tabs.push((Tab::Statements, "tab-statements"));
    }
    tabs.push((Tab::Insight, "tab-insight"));
    tabs.push((Tab::Progress, "tab-progress"));
    tabs.push((Tab::Process, "tab-process"));
    if page.can.moderate {
        tabs.push((Tab::Moderation, "tab-moderation"));
    }
    tabs
}

/// A project page.
#[function_component(ProjectView)]
pub fn project_view(props: &ProjectViewProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    let o = &page.overview;
    let project = o.id;
    // A long list is drawn a page at a time ("Show more"), so a project of
    // hundreds of ideas opens as fast as a small one.
    let shown = use_state(|| IDEAS_PER_PAGE);
    let more = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(*shown + IDEAS_PER_PAGE))
    };
    let body = match props.tab {
        Tab::Ideas => ideas_tab(&ctx, page, &props.set_sort, *shown, more),
        Tab::Surveys => html! { <super::decide::Surveys page={page.clone()} /> },
        Tab::Votes => html! { <super::decide::Votes page={page.clone()} /> },
        Tab::Progress => html! { <Progress page={page.clone()} /> },
        Tab::Statements => html! { <Statements page={page.clone()} /> },
        Tab::Insight => html! { <super::insight::InsightScreen project={project} /> },
        Tab::Process => html! { <Process page={page.clone()} /> },
        Tab::Moderation => moderation_tab(&ctx, page),
    };
    html! {
        <section class="project">
            { page_head(&ctx, Some((Route::Space(o.space), page.space_name.clone())), &o.title) }
            if page.new_since_visit > 0 {
                <p class="news" role="status">{ ctx.i18n.tn("new-since-visit", page.new_since_visit) }</p>
            }
            if !o.description.is_empty() {
                <div class="brief">{ for o.description.split("\n\n").map(|p| html! { <p>{ p }</p> }) }</div>
            }
            <ol class="timeline" aria-label={ctx.t("phases")}>
                { for o.phases.iter().map(|p| {
                    // The kind only where the title does not already say it.
                    let kind = kind_beside(&ctx, p.kind, &p.title);
                    html! {
                    <li class={classes!("phase", phase_class(p.state))}
                        aria-current={(p.state == PhaseState::Open).then_some("step")}>
                        if let Some(kind) = kind { <span class="phase-kind">{ kind }</span> }
                        <span class="phase-title">{ &p.title }</span>
                        <span class="phase-state">{ ctx.t(phase_state_id(p.state)) }</span>
                        if p.starts.is_some() || p.ends.is_some() {
                            <span class="muted">{ p.starts.clone().unwrap_or_default() }{ " – " }{ p.ends.clone().unwrap_or_default() }</span>
                        }
                    </li>
                    }
                }) }
            </ol>
            <nav class="tabs" aria-label={ctx.t("project-sections")}>
                { for tabs_for(page).into_iter().map(|(tab, id)| {
                    let current = tab == props.tab;
                    html! {
                        <button class={classes!("tab", current.then_some("current"))}
                            aria-current={current.then_some("page")}
                            onclick={ctx.go.reform(move |_| Route::Project { project, tab })}>
                            { ctx.t(id) }
                        </button>
                    }
                }) }
            </nav>
            <div class="tab-body">{ body }</div>
        </section>
    }
}

fn phase_class(state: PhaseState) -> &'static str {
    match state {
        PhaseState::Upcoming => "upcoming",
        PhaseState::Open => "open",
        PhaseState::Closed => "closed",
    }
}

fn can_post_ideas(page: &ProjectPage) -> bool {
    page.can.participate
        && page
            .open
            .iter()
            .any(|k| matches!(k, PhaseKind::Ideas | PhaseKind::CoCreation))
}

/// Idea cards drawn at first, and added by each "Show more".
const IDEAS_PER_PAGE: usize = 50;

fn ideas_tab(
    ctx: &Ctx,
    page: &ProjectPage,
    set_sort: &Callback<IdeaSort>,
    shown: usize,
    more: Callback<MouseEvent>,
) -> Html {
    let hidden = page.ideas.len().saturating_sub(shown);
    let project = page.overview.id;
    let on_sort = set_sort.reform(|e: Event| {
        if select_value(&e) == "newest" {
            IdeaSort::Newest
        } else {
            IdeaSort::Supports
        }
    });
    html! {
        <>
            if can_post_ideas(page) {
                <NewIdea {project} />
            } else {
                <p class="muted">{ ctx.t("ideas-closed") }</p>
            }
            <div class="row">
                <h2>{ ctx.i18n.tn("ideas-count", page.ideas.len() as u64) }</h2>
                <label for="idea-sort">{ ctx.t("sort-by") }</label>
                <select id="idea-sort" onchange={on_sort}>
                    <option value="supports" selected={page.sort == IdeaSort::Supports}>{ ctx.t("sort-supports") }</option>
                    <option value="newest" selected={page.sort == IdeaSort::Newest}>{ ctx.t("sort-newest") }</option>
                </select>
            </div>
            if page.ideas.is_empty() {
                <p class="empty">{ ctx.t("no-ideas") }</p>
            }
            <ul class="cards ideas">
                { for page.ideas.iter().take(shown).map(|c| {
                    let idea = c.id;
                    let supported = page.my_supports.contains(&idea);
                    let toggle = {
                        let ctx = ctx.clone();
                        Callback::from(move |_| act(&ctx, Request::ProjectCommand { project, command: ProjectCommand::Support { idea, support: !supported } }, |_| {}))
                    };
                    let label = if supported { ctx.t("withdraw-support") } else { ctx.t("support") };
                    html! {
                        <li class="card idea-card">
                            <div class="supports">
                                <strong>{ c.supports }</strong>
                                <span class="muted">{ ctx.t("supports") }</span>
                                if page.can.participate {
                                    <button class={classes!("support", supported.then_some("on"))}
                                        aria-pressed={supported.to_string()}
                                        aria-label={format!("{label}: {}", c.title)}
                                        onclick={toggle}>{ label.clone() }</button>
                                }
                            </div>
                            <button class="card-link" onclick={ctx.go.reform(move |_| Route::Idea { project, idea })}>
                                <h3>{ &c.title }</h3>
                                <p>{ &c.excerpt }</p>
                                <span class="muted">
                                    { &c.author_name }{ " · " }{ ago(ctx, c.time_ms) }{ " · " }
                                    { ctx.i18n.tn("comments-count", c.comments) }
                                </span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
            if hidden > 0 {
                <button class="secondary show-more" onclick={more}>
                    { ctx.i18n.tn("show-more-ideas", hidden.min(IDEAS_PER_PAGE) as u64) }
                    { " " }<span class="muted">{ ctx.i18n.tn("ideas-left", hidden as u64) }</span>
                </button>
            }
        </>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct ProjectIdProps {
    project: DocId,
}

#[function_component(NewIdea)]
fn new_idea(props: &ProjectIdProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let title = use_state(String::new);
    let body = use_state(String::new);
    let submit = command_form(&ctx, props.project, [&title, &body], |[title, body]| {
        ProjectCommand::PostIdea { title, body }
    });
    html! {
        <form class="card" onsubmit={submit} aria-labelledby="new-idea-h">
            <h2 id="new-idea-h">{ ctx.t("new-idea") }</h2>
            <label for="idea-title">{ ctx.t("title") }</label>
            <input id="idea-title" required=true maxlength="200" value={(*title).clone()} oninput={bind(&title)} />
            <label for="idea-body">{ ctx.t("idea-body") }</label>
            <textarea id="idea-body" rows="4" value={(*body).clone()} oninput={bind_area(&body)} />
            <button class="primary" type="submit">{ ctx.t("post-idea") }</button>
        </form>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct PageProps {
    page: ProjectPage,
}

#[function_component(Progress)]
fn progress(props: &PageProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    let project = page.overview.id;
    let title = use_state(String::new);
    let body = use_state(String::new);
    let m_title = use_state(String::new);
    let m_due = use_state(String::new);
    let publish = command_form(&ctx, project, [&title, &body], |[title, body]| {
        ProjectCommand::PublishPost { title, body }
    });
    let add_milestone = {
        let (ctx, m_title, m_due) = (ctx.clone(), m_title.clone(), m_due.clone());
        on_submit(move || {
            let t = m_title.clone();
            let due = Some(m_due.trim().to_string()).filter(|d| !d.is_empty());
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::AddMilestone {
                        title: (*m_title).clone(),
                        due,
                    },
                },
                move |_| t.set(String::new()),
            )
        })
    };
    html! {
        <>
            <h2>{ ctx.t("milestones") }</h2>
            if page.milestones.is_empty() {
                <p class="empty">{ ctx.t("no-milestones") }</p>
            }
            <ul class="milestones">
                { for page.milestones.iter().map(|m| {
                    let milestone = m.id;
                    let set = {
                        let ctx = ctx.clone();
                        Callback::from(move |e: Event| {
                            if let Ok(percent) = select_value(&e).parse::<u8>() {
                                act(&ctx, Request::ProjectCommand { project, command: ProjectCommand::SetMilestoneProgress { milestone, percent } }, |_| {});
                            }
                        })
                    };
                    html! {
                        <li class="card">
                            <div class="row">
                                <strong>{ &m.title }</strong>
                                if let Some(due) = &m.due { <span class="muted">{ ctx.i18n.tf("due", &[("date", due.clone().into())]) }</span> }
                                <span class="pct">{ ctx.i18n.tn("percent-done", u64::from(m.percent)) }</span>
                            </div>
                            { bar(&m.title, u64::from(m.percent), 100) }
                            if page.can.manage {
                                <label>{ ctx.t("set-progress") }{ " " }
                                    <select onchange={set}>
                                        { for (0..=10).map(|i| i * 10).map(|p| html! {
                                            <option value={p.to_string()} selected={p == m.percent}>{ format!("{p}%") }</option>
                                        }) }
                                    </select>
                                </label>
                            }
                        </li>
                    }
                }) }
            </ul>
            if page.can.manage {
                <form class="card staff row" onsubmit={add_milestone}>
                    <label for="ms-title">{ ctx.t("new-milestone") }</label>
                    <input id="ms-title" required=true maxlength="200" value={(*m_title).clone()} oninput={bind(&m_title)} />
                    <label for="ms-due">{ ctx.t("due-date") }</label>
                    <input id="ms-due" type="date" value={(*m_due).clone()} oninput={bind(&m_due)} />
                    <button class="secondary" type="submit">{ ctx.t("add") }</button>
                </form>
            }
            <h2>{ ctx.t("posts") }</h2>
            if page.can.manage {
                <form class="card staff" onsubmit={publish}>
                    <label for="post-title">{ ctx.t("title") }</label>
                    <input id="post-title" required=true maxlength="200" value={(*title).clone()} oninput={bind(&title)} />
                    <label for="post-body">{ ctx.t("post-body") }</label>
                    <textarea id="post-body" rows="4" value={(*body).clone()} oninput={bind_area(&body)} />
                    <button class="primary" type="submit">{ ctx.t("publish") }</button>
                </form>
            }
            if page.posts.is_empty() {
                <p class="empty">{ ctx.t("no-posts") }</p>
            }
            { for page.posts.iter().map(|p| html! {
                <article class="card post">
                    <h3>{ &p.title }</h3>
                    <p class="muted">{ &p.author_name }{ " · " }{ ago(&ctx, p.time_ms) }</p>
                    { for p.body.split("\n\n").map(|para| html! { <p>{ para }</p> }) }
                </article>
            }) }
        </>
    }
}

#[function_component(Statements)]
fn statements(props: &PageProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    let project = page.overview.id;
    let text = use_state(String::new);
    let open = page.open.contains(&PhaseKind::Conversation) && page.can.participate;
    // One statement at a time, chosen by the analysis (few votes, or
    // separating groups, first).
    let insight = use_fetch(open.then_some(Request::Insight { project }), ctx.tick);
    let next = match &*insight {
        Some(Ok(Response::Insight(i))) => i.conversations.iter().filter(|c| c.open).map(|c| {
            let done = c.my_votes;
            let total = c.statements;
            let card = match &c.next {
                Some(st) => {
                    let vote = |v: i8| {
                        let ctx = ctx.clone();
                        let statement = st.record;
                        Callback::from(move |_| {
                            if let Some(statement) = statement {
                                act(&ctx, Request::ProjectCommand { project, command: ProjectCommand::VoteStatement { statement, vote: v } }, |_| {});
                            }
                        })
                    };
                    html! {
                        <>
                            <p class="statement-text">{ &st.text }</p>
                            <div class="row vote-row">
                                <button class="primary agree" onclick={vote(1)}>{ ctx.t("agree") }</button>
                                <button class="primary disagree" onclick={vote(-1)}>{ ctx.t("disagree") }</button>
                                <button class="secondary" onclick={vote(0)}>{ ctx.t("pass") }</button>
                            </div>
                        </>
                    }
                }
                None => html! { <p class="empty">{ ctx.t("all-voted") }</p> },
            };
            html! {
                <section class="card next-statement" aria-labelledby={format!("next-{}", c.phase)}>
                    <h2 id={format!("next-{}", c.phase)}>{ ctx.t("next-statement") }</h2>
                    { card }
                    <p class="muted">{ ctx.i18n.tf("my-progress", &[("n", (done as u64).into()), ("total", (total as u64).into())]) }
                        if let Some(g) = c.my_group {
                            { " · " }{ ctx.i18n.tf("you-are-in", &[("name", super::insight::group_name(g).into())]) }
                        }
                    </p>
                </section>
            }
        }).collect::<Html>(),
        _ => html! {},
    };
    let submit = {
        let (ctx, text) = (ctx.clone(), text.clone());
        on_submit(move || {
            let t = text.clone();
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::PostStatement {
                        text: (*text).clone(),
                    },
                },
                move |_| t.set(String::new()),
            )
        })
    };
    html! {
        <>
            { next }
            if open {
                <form class="card" onsubmit={submit}>
                    <label for="statement">{ ctx.t("new-statement") }</label>
                    <textarea id="statement" rows="2" maxlength="500" value={(*text).clone()} oninput={bind_area(&text)} />
                    <button class="primary" type="submit">{ ctx.t("post-statement") }</button>
                </form>
            }
            { for page.conversations.iter().map(|c| html! {
                <section>
                    <h2>{ &c.title }</h2>
                    <p class="muted">{ ctx.i18n.tn("participants-count", c.participants as u64) }{ " · " }{ ctx.i18n.tn("votes-count", c.votes as u64) }</p>
                    <ul class="statements">
                    { for c.statements.iter().filter(|s| !s.hidden).map(|s| {
                        let total = u64::from(s.agree + s.disagree + s.pass);
                        let vote = |v: i8| {
                            let ctx = ctx.clone();
                            let statement = s.record;
                            Callback::from(move |_| {
                                if let Some(statement) = statement {
                                    act(&ctx, Request::ProjectCommand { project, command: ProjectCommand::VoteStatement { statement, vote: v } }, |_| {});
                                }
                            })
                        };
                        html! {
                            <li class="card">
                                <p>{ &s.text }</p>
                                { bar(&ctx.t("agree"), u64::from(s.agree), total) }
                                <span class="muted">{ ctx.i18n.tf("agree-disagree-pass", &[("agree", s.agree.into()), ("disagree", s.disagree.into()), ("pass", s.pass.into())]) }</span>
                                if open && s.record.is_some() {
                                    <div class="row">
                                        <button class="secondary" onclick={vote(1)}>{ ctx.t("agree") }</button>
                                        <button class="secondary" onclick={vote(-1)}>{ ctx.t("disagree") }</button>
                                        <button class="secondary" onclick={vote(0)}>{ ctx.t("pass") }</button>
                                    </div>
                                }
                            </li>
                        }
                    }) }
                    </ul>
                </section>
            }) }
        </>
    }
}

#[function_component(Process)]
fn process(props: &PageProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    let project = page.overview.id;
    let phases = &page.overview.phases;
    let kind = use_state(|| PhaseKind::Ideas);
    let title = use_state(String::new);
    let cmd = |command: ProjectCommand| {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: command.clone(),
                },
                |_| {},
            )
        })
    };
    let add = {
        let (ctx, kind, title) = (ctx.clone(), kind.clone(), title.clone());
        on_submit(move || {
            let t = title.clone();
            let name = if title.trim().is_empty() {
                ctx.t(&phase_kind_id(*kind))
            } else {
                (*title).clone()
            };
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::AddPhase {
                        kind: *kind,
                        title: name,
                        starts: None,
                        ends: None,
                        before: None,
                    },
                },
                move |_| t.set(String::new()),
            )
        })
    };
    let set_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            if let Ok(k) = select_value(&e).parse() {
                kind.set(k)
            }
        })
    };
    html! {
        <>
            <h2>{ ctx.t("phases") }</h2>
            <ol class="process">
            { for phases.iter().enumerate().map(|(i, p)| {
                let phase = p.id;
                let up = (i > 0).then(|| cmd(ProjectCommand::MovePhase { phase, before: Some(phases[i - 1].id) }));
                let down = (i + 1 < phases.len()).then(|| cmd(ProjectCommand::MovePhase { phase, before: phases.get(i + 2).map(|x| x.id) }));
                html! {
                    <li class={classes!("card", "phase", phase_class(p.state))}>
                        <div class="row">
                            <strong>{ &p.title }</strong>
                            if let Some(kind) = kind_beside(&ctx, p.kind, &p.title) {
                                <span class="muted">{ kind }</span>
                            }
                            <span class="badge">{ ctx.t(phase_state_id(p.state)) }</span>
                        </div>
                        if page.can.manage {
                            <div class="row actions">
                                if p.state != PhaseState::Open {
                                    <button class="primary" onclick={cmd(ProjectCommand::SetPhaseState { phase, state: PhaseState::Open })}
                                        aria-label={format!("{}: {}", ctx.t("open-phase"), p.title)}>{ ctx.t("open-phase") }</button>
                                } else {
                                    <button class="secondary" onclick={cmd(ProjectCommand::SetPhaseState { phase, state: PhaseState::Closed })}
                                        aria-label={format!("{}: {}", ctx.t("close-phase"), p.title)}>{ ctx.t("close-phase") }</button>
                                }
                                if p.state == PhaseState::Closed {
                                    <button class="link" onclick={cmd(ProjectCommand::SetPhaseState { phase, state: PhaseState::Upcoming })}>{ ctx.t("reset-phase") }</button>
                                }
                                if let Some(up) = up {
                                    <button class="icon" onclick={up} aria-label={format!("{}: {}", ctx.t("move-up"), p.title)}>{ "↑" }</button>
                                }
                                if let Some(down) = down {
                                    <button class="icon" onclick={down} aria-label={format!("{}: {}", ctx.t("move-down"), p.title)}>{ "↓" }</button>
                                }
                                <button class="link danger" onclick={cmd(ProjectCommand::RemovePhase { phase })}
                                    aria-label={format!("{}: {}", ctx.t("remove"), p.title)}>{ ctx.t("remove") }</button>
                            </div>
                        }
                    </li>
                }
            }) }
            </ol>
            if page.can.manage {
                <form class="card staff row" onsubmit={add}>
                    <label for="phase-kind">{ ctx.t("phase-kind") }</label>
                    <select id="phase-kind" onchange={set_kind}>
                        { for PhaseKind::ALL.iter().map(|k| html! {
                            <option value={k.name()} selected={*k == *kind}>{ ctx.t(&phase_kind_id(*k)) }</option>
                        }) }
                    </select>
                    <label for="phase-title">{ ctx.t("title") }</label>
                    <input id="phase-title" maxlength="200" value={(*title).clone()} oninput={bind(&title)} placeholder={ctx.t(&phase_kind_id(*kind))} />
                    <button class="secondary" type="submit">{ ctx.t("add-phase") }</button>
                </form>
            }
        </>
    }
}

fn moderation_tab(ctx: &Ctx, page: &ProjectPage) -> Html {
    html! {
        <>
            <h2>{ ctx.t("moderation-log") }</h2>
            if page.moderation.is_empty() {
                <p class="empty">{ ctx.t("no-moderation") }</p>
            } else {
                <table>
                    <thead><tr>
                        <th scope="col">{ ctx.t("when") }</th>
                        <th scope="col">{ ctx.t("action") }</th>
                        <th scope="col">{ ctx.t("by") }</th>
                        <th scope="col">{ ctx.t("reason") }</th>
                    </tr></thead>
                    <tbody>
                    { for page.moderation.iter().map(|m| html! {
                        <tr>
                            <td>{ ago(ctx, m.time_ms) }</td>
                            <td>{ ctx.t(match m.action {
                                yoriai_crdt::project::ModerationAction::Report => "mod-report",
                                yoriai_crdt::project::ModerationAction::Hide => "mod-hide",
                                yoriai_crdt::project::ModerationAction::Restore => "mod-restore",
                            }) }</td>
                            <td>{ &m.by_name }</td>
                            <td>{ &m.reason }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
            }
        </>
    }
}
