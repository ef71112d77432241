//! An idea's page: the proposal text (co-written), amendments, supports,
//! and the comment thread with stances shown as a bar and two columns.

use yew::prelude::*;
use yoriai_crdt::api::{IdeaPage, Request, Response};
use yoriai_crdt::comment::{CommentNode, Stance};
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::{DocId, ProjectCommand, RecordId};

use super::{ago, bind, bind_area, on_submit, page_head, pending, send};
use crate::app::{act, use_fetch, Ctx, Route, Tab};

/// Props of [`IdeaScreen`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct IdeaScreenProps {
    /// The project.
    pub project: DocId,
    /// The idea.
    pub idea: RecordId,
}

/// An idea's page (fetches it).
#[function_component(IdeaScreen)]
pub fn idea_screen(props: &IdeaScreenProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let state = use_fetch(
        Some(Request::Idea {
            project: props.project,
            idea: props.idea,
        }),
        ctx.tick,
    );
    match &*state {
        Some(Ok(Response::Idea(page))) => html! { <IdeaView page={(**page).clone()} /> },
        other => pending(&ctx, other),
    }
}

/// Props of [`IdeaView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct IdeaViewProps {
    /// The read model.
    pub page: IdeaPage,
}

fn stance_id(s: Stance) -> &'static str {
    match s {
        Stance::For => "stance-for",
        Stance::Against => "stance-against",
        Stance::Neutral => "stance-neutral",
    }
}

/// An idea's page.
#[function_component(IdeaView)]
pub fn idea_view(props: &IdeaViewProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    let d = &page.detail;
    let project = page.project;
    let idea = d.card.id;
    let editing = use_state(|| false);
    let text = use_state(|| d.text.clone());
    let toggle_support = {
        let ctx = ctx.clone();
        let support = !page.i_support;
        Callback::from(move |_| {
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::Support { idea, support },
                },
                |_| {},
            )
        })
    };
    let start_edit = {
        let (editing, text, now) = (editing.clone(), text.clone(), d.text.clone());
        Callback::from(move |_| {
            text.set(now.clone());
            editing.set(true)
        })
    };
    let save = {
        let (ctx, editing, text) = (ctx.clone(), editing.clone(), text.clone());
        on_submit(move || {
            let e = editing.clone();
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::EditText {
                        proposal: idea,
                        text: (*text).clone(),
                    },
                },
                move |_| e.set(false),
            )
        })
    };
    let s = d.stances;
    let total = s.for_ + s.against + s.neutral;
    let pct = |n: u64| (n * 100).checked_div(total).unwrap_or(0);
    let top: Vec<&CommentNode> = d.comments.iter().collect();
    let column = |stance: Stance| -> Html {
        let list: Vec<&&CommentNode> = top.iter().filter(|c| c.stance == stance).collect();
        html! {
            <section class={classes!("column", format!("stance-{}", stance_class(stance)))} aria-labelledby={format!("col-{}", stance_class(stance))}>
                <h3 id={format!("col-{}", stance_class(stance))}>{ ctx.t(stance_id(stance)) }{ format!(" ({})", list.len()) }</h3>
                if list.is_empty() {
                    <p class="empty">{ ctx.t("no-comments-here") }</p>
                }
                { for list.iter().map(|c| html! { <Comment page={page.clone()} comment={(***c).clone()} /> }) }
            </section>
        }
    };
    let commenting = page.can.participate;
    let participate_text = page.open.iter().any(|k| {
        matches!(
            k,
            PhaseKind::Ideas | PhaseKind::CoCreation | PhaseKind::Discussion
        )
    });
    html! {
        <section class="idea">
            { page_head(&ctx, Some((Route::Project { project, tab: Tab::Ideas }, page.project_title.clone())), &d.card.title) }
            <p class="muted">{ &d.card.author_name }{ " · " }{ ago(&ctx, d.card.time_ms) }</p>
            <div class="row">
                <strong class="big">{ d.card.supports }</strong>{ " " }<span>{ ctx.t("supports") }</span>
                if page.can.participate {
                    <button class={classes!("support", page.i_support.then_some("on"))} aria-pressed={page.i_support.to_string()} onclick={toggle_support}>
                        { if page.i_support { ctx.t("withdraw-support") } else { ctx.t("support") } }
                    </button>
                }
            </div>
            <h2>{ ctx.t("proposal") }</h2>
            if *editing {
                <form onsubmit={save}>
                    <label for="proposal-text" class="sr-only">{ ctx.t("proposal") }</label>
                    <textarea id="proposal-text" rows="10" value={(*text).clone()} oninput={bind_area(&text)} />
                    <div class="row">
                        <button class="primary" type="submit">{ ctx.t("save") }</button>
                        <button class="link" type="button" onclick={{ let e = editing.clone(); Callback::from(move |_| e.set(false)) }}>{ ctx.t("cancel") }</button>
                    </div>
                </form>
            } else {
                <div class="proposal">{ for d.text.split("\n\n").map(|p| html! { <p>{ p }</p> }) }</div>
                if page.can_edit_text && participate_text {
                    <button class="secondary" onclick={start_edit}>{ ctx.t("edit-text") }</button>
                }
            }
            <Amendments page={page.clone()} />
            <h2>{ ctx.i18n.tn("comments-count", total) }</h2>
            <div class="stance-bar" role="img" aria-label={ctx.i18n.tf("stance-summary", &[("for", s.for_.into()), ("against", s.against.into()), ("neutral", s.neutral.into())])}>
                <div class="for" style={format!("width:{}%", pct(s.for_))}></div>
                <div class="neutral" style={format!("width:{}%", pct(s.neutral))}></div>
                <div class="against" style={format!("width:{}%", pct(s.against))}></div>
            </div>
            <p class="legend" aria-hidden="true">
                <span class="key for"></span>{ ctx.t("stance-for") }{ format!(" {}  ", s.for_) }
                <span class="key neutral"></span>{ ctx.t("stance-neutral") }{ format!(" {}  ", s.neutral) }
                <span class="key against"></span>{ ctx.t("stance-against") }{ format!(" {}", s.against) }
            </p>
            if commenting {
                <CommentForm {project} target={idea} reply_to={None::<RecordId>} />
            }
            <div class="columns">
                { column(Stance::For) }
                { column(Stance::Against) }
            </div>
            { column(Stance::Neutral) }
        </section>
    }
}

fn stance_class(s: Stance) -> &'static str {
    match s {
        Stance::For => "for",
        Stance::Against => "against",
        Stance::Neutral => "neutral",
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct CommentProps {
    page: IdeaPage,
    comment: CommentNode,
}

#[function_component(Comment)]
fn comment(props: &CommentProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let c = &props.comment;
    let page = &props.page;
    let project = page.project;
    let replying = use_state(|| false);
    let moderating = use_state(|| false);
    let reason = use_state(String::new);
    let target = c.id;
    let hidden = c.hidden_reason.is_some();
    let moderate = {
        let (ctx, reason, moderating) = (ctx.clone(), reason.clone(), moderating.clone());
        let staff = page.can.moderate;
        on_submit(move || {
            let r = (*reason).clone();
            let command = if !staff {
                ProjectCommand::Report { target, reason: r }
            } else if hidden {
                ProjectCommand::Restore { target, reason: r }
            } else {
                ProjectCommand::Hide { target, reason: r }
            };
            let m = moderating.clone();
            act(
                &ctx,
                Request::ProjectCommand { project, command },
                move |_| m.set(false),
            )
        })
    };
    let mod_label = if !page.can.moderate {
        ctx.t("report")
    } else if hidden {
        ctx.t("restore")
    } else {
        ctx.t("hide")
    };
    html! {
        <article class={classes!("comment", format!("stance-{}", stance_class(c.stance)), c.official.then_some("official"))}>
            <header>
                <strong>{ &c.author_name }</strong>
                if c.official { <span class="badge">{ ctx.t("official-answer") }</span> }
                <span class="muted">{ " · " }{ ctx.t(stance_id(c.stance)) }{ " · " }{ ago(&ctx, c.time_ms) }</span>
                if c.edited { <span class="muted">{ " · " }{ ctx.t("edited") }</span> }
            </header>
            { match (&c.text, &c.hidden_reason) {
                (None, Some(reason)) => html! { <p class="hidden-note">{ ctx.i18n.tf("hidden-by-staff", &[("reason", reason.clone().into())]) }</p> },
                (Some(t), Some(reason)) => html! { <><p class="hidden-note">{ ctx.i18n.tf("hidden-by-staff", &[("reason", reason.clone().into())]) }</p><p class="muted">{ t }</p></> },
                (Some(t), None) => html! { <p>{ t }</p> },
                (None, None) => html! {},
            } }
            <div class="row actions">
                if page.can.participate {
                    <button class="link" onclick={{ let r = replying.clone(); Callback::from(move |_| r.set(!*r)) }}>{ ctx.t("reply") }</button>
                    <button class="link" onclick={{ let m = moderating.clone(); Callback::from(move |_| m.set(!*m)) }}>{ mod_label.clone() }</button>
                }
            </div>
            if *moderating {
                <form class="row" onsubmit={moderate}>
                    <label for={format!("reason-{}", c.id)}>{ ctx.t("reason") }</label>
                    <input id={format!("reason-{}", c.id)} required=true maxlength="500" value={(*reason).clone()} oninput={bind(&reason)} />
                    <button class="secondary" type="submit">{ mod_label }</button>
                </form>
            }
            if *replying {
                <CommentForm {project} target={page.detail.card.id} reply_to={Some(c.id)} />
            }
            if !c.replies.is_empty() {
                <div class="replies">
                    { for c.replies.iter().map(|r| html! { <Comment page={page.clone()} comment={r.clone()} /> }) }
                </div>
            }
        </article>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct CommentFormProps {
    project: DocId,
    target: RecordId,
    reply_to: Option<RecordId>,
}

#[function_component(CommentForm)]
fn comment_form(props: &CommentFormProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let text = use_state(String::new);
    let stance = use_state(|| Stance::Neutral);
    let key = props
        .reply_to
        .map(|r| r.short())
        .unwrap_or_else(|| "top".into());
    let submit = {
        let (ctx, text, stance) = (ctx.clone(), text.clone(), stance.clone());
        let (project, target, reply_to) = (props.project, props.target, props.reply_to);
        on_submit(move || {
            let t = text.clone();
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::Comment {
                        target: Some(target),
                        reply_to,
                        stance: *stance,
                        text: (*text).clone(),
                        official: false,
                    },
                },
                move |_| t.set(String::new()),
            )
        })
    };
    html! {
        <form class="card comment-form" onsubmit={submit}>
            <fieldset class="stances">
                <legend>{ ctx.t("your-stance") }</legend>
                { for [Stance::For, Stance::Against, Stance::Neutral].into_iter().map(|s| {
                    let id = format!("stance-{}-{}", stance_class(s), key);
                    let st = stance.clone();
                    html! {
                        <label class={classes!("radio", stance_class(s))} for={id.clone()}>
                            <input type="radio" id={id} name={format!("stance-{key}")} value={stance_class(s)}
                                checked={*stance == s} onchange={Callback::from(move |_| st.set(s))} />
                            { ctx.t(stance_id(s)) }
                        </label>
                    }
                }) }
            </fieldset>
            <label for={format!("comment-{key}")}>{ if props.reply_to.is_some() { ctx.t("your-reply") } else { ctx.t("your-comment") } }</label>
            <textarea id={format!("comment-{key}")} required=true rows="3" maxlength="5000" value={(*text).clone()} oninput={bind_area(&text)} />
            <button class="primary" type="submit">{ ctx.t("post-comment") }</button>
        </form>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct AmendProps {
    page: IdeaPage,
}

#[function_component(Amendments)]
fn amendments(props: &AmendProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    let project = page.project;
    let idea = page.detail.card.id;
    let proposing = use_state(|| false);
    let text = use_state(|| page.detail.text.clone());
    let reason = use_state(String::new);
    let propose = {
        let (ctx, text, reason, proposing) =
            (ctx.clone(), text.clone(), reason.clone(), proposing.clone());
        on_submit(move || {
            let p = proposing.clone();
            act(
                &ctx,
                Request::ProjectCommand {
                    project,
                    command: ProjectCommand::ProposeAmendment {
                        proposal: idea,
                        text: (*text).clone(),
                        reason: (*reason).clone(),
                    },
                },
                move |_| p.set(false),
            )
        })
    };
    let decide = |amendment: RecordId, accept: bool| {
        send(
            &ctx,
            project,
            ProjectCommand::DecideAmendment { amendment, accept },
        )
    };
    let may_propose = page.can.participate
        && !page.mine
        && page.open.iter().any(|k| {
            matches!(
                k,
                PhaseKind::CoCreation | PhaseKind::Ideas | PhaseKind::Discussion
            )
        });
    html! {
        <section class="amendments">
            if !page.detail.amendments.is_empty() {
                <h2>{ ctx.t("amendments") }</h2>
            }
            { for page.detail.amendments.iter().map(|a| html! {
                <article class="card amendment">
                    <p class="muted">{ &a.author_name }{ " · " }{ ago(&ctx, a.time_ms) }{ " · " }
                        { ctx.t(match a.accepted { None => "amendment-open", Some(true) => "amendment-accepted", Some(false) => "amendment-rejected" }) }
                    </p>
                    <p class="diff">
                        if !a.removes.is_empty() { <del aria-label={ctx.t("removes")}>{ &a.removes }</del>{ " " } }
                        if !a.inserts.is_empty() { <ins aria-label={ctx.t("inserts")}>{ &a.inserts }</ins> }
                    </p>
                    if !a.reason.is_empty() { <p>{ &a.reason }</p> }
                    if page.mine && a.accepted.is_none() {
                        <div class="row">
                            <button class="primary" onclick={decide(a.id, true)}>{ ctx.t("accept") }</button>
                            <button class="secondary" onclick={decide(a.id, false)}>{ ctx.t("reject") }</button>
                        </div>
                    }
                </article>
            }) }
            if may_propose {
                if *proposing {
                    <form class="card" onsubmit={propose}>
                        <label for="amend-text">{ ctx.t("amended-text") }</label>
                        <textarea id="amend-text" rows="6" value={(*text).clone()} oninput={bind_area(&text)} />
                        <label for="amend-reason">{ ctx.t("reason") }</label>
                        <input id="amend-reason" maxlength="500" value={(*reason).clone()} oninput={bind(&reason)} />
                        <button class="primary" type="submit">{ ctx.t("propose-amendment") }</button>
                    </form>
                } else {
                    <button class="secondary" onclick={{ let p = proposing.clone(); Callback::from(move |_| p.set(true)) }}>{ ctx.t("propose-amendment") }</button>
                }
            }
        </section>
    }
}
