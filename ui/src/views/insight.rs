//! What a discussion adds up to: the opinion map of each conversation
//! phase (groups as regions, where I stand, how many people), common ground
//! and divisive statements, topics with their posts, a summary in
//! residents' own words, and the facilitator's projector view, which
//! updates live as votes arrive. Everything here is computed on the device.

use yew::prelude::*;
use yoriai_crdt::api::{
    ConversationInsight, GroupView, InsightPage, MapDot, PostLine, Request, Response, StatementLine,
};
use yoriai_crdt::insight::Side;
use yoriai_crdt::DocId;

use super::{page_head, pending};
use crate::app::{use_fetch, Ctx, Route, Tab};

/// A group's name on screen: A, B, C...
pub fn group_name(id: usize) -> String {
    char::from(b'A' + (id % 26) as u8).to_string()
}

/// Fetches the insight of a project.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct InsightScreenProps {
    /// The project.
    pub project: DocId,
    /// Large, live, for a projector.
    #[prop_or_default]
    pub projector: bool,
}

/// The insight tab's content, or the projector view.
#[function_component(InsightScreen)]
pub fn insight_screen(props: &InsightScreenProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let state = use_fetch(
        Some(Request::Insight {
            project: props.project,
        }),
        ctx.tick,
    );
    match &*state {
        Some(Ok(Response::Insight(page))) if props.projector => {
            html! { <ProjectorView page={(**page).clone()} /> }
        }
        Some(Ok(Response::Insight(page))) => html! { <InsightView page={(**page).clone()} /> },
        other => pending(&ctx, other),
    }
}

/// Props of the insight views.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct InsightProps {
    /// The read model.
    pub page: InsightPage,
}

/// The insight tab: opinion maps, topics, summary.
#[function_component(InsightView)]
pub fn insight_view(props: &InsightProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    let project = page.project;
    html! {
        <>
            <div class="row">
                <p class="hint">{ ctx.t("insight-explain") }</p>
                <button class="secondary" onclick={ctx.go.reform(move |_| Route::Projector { project })}>
                    { ctx.t("projector") }
                </button>
            </div>
            { for page.conversations.iter().map(|c| conversation(&ctx, c, false)) }
            <section aria-labelledby="topics-h">
                <h2 id="topics-h">{ ctx.t("topics") }</h2>
                if page.posts == 0 {
                    <p class="empty">{ ctx.t("no-posts-yet") }</p>
                } else {
                    <p class="hint">{ ctx.i18n.tn("topics-explain", page.posts as u64) }</p>
                    if !page.keywords.is_empty() {
                        <p class="keywords">
                            <span class="muted">{ ctx.t("key-terms") }{ ": " }</span>
                            { for page.keywords.iter().map(|k| html! { <span class="badge">{ k }</span> }) }
                        </p>
                    }
                    <ul class="cards topics">
                    { for page.topics.iter().map(|t| html! {
                        <li class="card">
                            <h3>{ t.terms.join(" · ") }</h3>
                            <ul class="posts">
                                { for t.posts.iter().map(|p| post(&ctx, project, p)) }
                            </ul>
                        </li>
                    }) }
                    </ul>
                }
            </section>
            if !page.summary.is_empty() {
                <section aria-labelledby="summary-h">
                    <h2 id="summary-h">{ ctx.t("summary") }</h2>
                    <p class="hint">{ ctx.t("summary-explain") }</p>
                    { for page.summary.iter().map(|q| html! {
                        <blockquote class="quote">
                            <p>{ &q.text }</p>
                            { source(&ctx, project, &q.post) }
                        </blockquote>
                    }) }
                </section>
            }
        </>
    }
}

/// The facilitator's projector view: big type, the map and what the room
/// agrees on, refreshed whenever a vote arrives.
#[function_component(ProjectorView)]
pub fn projector_view(props: &InsightProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let page = &props.page;
    let project = page.project;
    let back = Some((
        Route::Project {
            project,
            tab: Tab::Insight,
        },
        ctx.t("leave-projector"),
    ));
    html! {
        <div class="projector">
            { page_head(&ctx, back, &page.title) }
            <p class="live" role="status"><span class="dot" aria-hidden="true"></span>{ ctx.t("live") }</p>
            if page.conversations.is_empty() {
                <p class="empty">{ ctx.t("no-conversation") }</p>
            }
            { for page.conversations.iter().map(|c| conversation(&ctx, c, true)) }
            if !page.topics.is_empty() {
                <h2>{ ctx.t("topics") }</h2>
                <ul class="topic-terms">
                    { for page.topics.iter().map(|t| html! {
                        <li>{ t.terms.iter().take(3).cloned().collect::<Vec<_>>().join(" · ") }
                            <span class="muted">{ " " }{ ctx.i18n.tn("posts-count", t.posts.len() as u64) }</span></li>
                    }) }
                </ul>
            }
        </div>
    }
}

fn conversation(ctx: &Ctx, c: &ConversationInsight, projector: bool) -> Html {
    let people = ctx.i18n.tf(
        "map-counts",
        &[
            ("counted", (c.counted as u64).into()),
            ("people", (c.participants as u64).into()),
            ("votes", (c.votes as u64).into()),
        ],
    );
    let me = match c.my_group {
        Some(g) => ctx.i18n.tf("you-are-in", &[("name", group_name(g).into())]),
        None if c.my_votes > 0 || !projector => ctx.i18n.tn(
            "you-need-votes",
            c.votes_needed.saturating_sub(c.my_votes).max(1) as u64,
        ),
        None => String::new(),
    };
    html! {
        <section class={classes!("conversation-insight", projector.then_some("big"))}>
            <h2>{ &c.title }</h2>
            <p class="muted">{ people }</p>
            <div class="map-and-groups">
                <div class="map-box">
                    { opinion_map(ctx, c) }
                    if !me.is_empty() && !projector {
                        <p class="me-line">{ me }</p>
                    }
                </div>
                <div class="groups">
                    if c.groups.len() < 2 {
                        <p class="empty">{ ctx.t("no-groups-yet") }</p>
                    }
                    { for c.groups.iter().filter(|_| c.groups.len() >= 2).map(|g| group_card(ctx, g, c.my_group == Some(g.id), projector)) }
                </div>
            </div>
            <div class="grid">
                <section>
                    <h3>{ ctx.t("consensus") }</h3>
                    <p class="hint">{ ctx.t("consensus-explain") }</p>
                    if c.consensus.is_empty() {
                        <p class="empty">{ ctx.t("none-yet") }</p>
                    }
                    <ul class="statement-lines">
                        { for c.consensus.iter().take(if projector { 3 } else { 5 }).map(|s| statement_line(ctx, s, ShareOf::Everyone)) }
                    </ul>
                </section>
                <section>
                    <h3>{ ctx.t("divisive") }</h3>
                    <p class="hint">{ ctx.t("divisive-explain") }</p>
                    if c.divisive.is_empty() {
                        <p class="empty">{ ctx.t("none-yet") }</p>
                    }
                    <ul class="statement-lines">
                        { for c.divisive.iter().take(if projector { 3 } else { 5 }).map(|s| statement_line(ctx, s, ShareOf::Spread)) }
                    </ul>
                </section>
            </div>
        </section>
    }
}

fn group_card(ctx: &Ctx, g: &GroupView, mine: bool, projector: bool) -> Html {
    html! {
        <article class={classes!("card", "group", format!("g{}", g.id % 5), mine.then_some("mine"))}>
            <h3>
                <span class="swatch" aria-hidden="true"></span>
                { ctx.i18n.tf("group-name", &[("name", group_name(g.id).into())]) }
                <span class="muted">{ " · " }{ ctx.i18n.tn("people-count", g.size as u64) }</span>
                if mine { <span class="badge ok">{ ctx.t("your-group") }</span> }
            </h3>
            if !g.representative.is_empty() {
                <p class="hint">{ ctx.t("what-sets-apart") }</p>
                <ul class="statement-lines">
                    { for g.representative.iter().take(if projector { 2 } else { 3 }).map(|s| statement_line(ctx, s, ShareOf::Group)) }
                </ul>
            }
        </article>
    }
}

#[derive(Clone, Copy)]
enum ShareOf {
    Group,
    Everyone,
    Spread,
}

fn statement_line(ctx: &Ctx, s: &StatementLine, of: ShareOf) -> Html {
    let pct = (s.share * 100.0).round() as u64;
    let label = match (of, s.side) {
        (ShareOf::Spread, _) => ctx.i18n.tn("spread-points", pct),
        (ShareOf::Everyone, Some(Side::Disagree)) => ctx.i18n.tn("all-disagree-pct", pct),
        (ShareOf::Everyone, _) => ctx.i18n.tn("all-agree-pct", pct),
        (ShareOf::Group, Some(Side::Disagree)) => ctx.i18n.tn("disagree-pct", pct),
        (ShareOf::Group, _) => ctx.i18n.tn("agree-pct", pct),
    };
    let side = match s.side {
        Some(Side::Agree) => "agree",
        Some(Side::Disagree) => "disagree",
        None => "split",
    };
    html! {
        <li class={classes!("statement-line", side)}>
            <span class="text">{ &s.text }</span>
            <span class="share">{ label }</span>
        </li>
    }
}

/// Scaled into the SVG's coordinates (y grows downwards).
fn to_svg(x: f64, y: f64) -> (f64, f64) {
    // Room at the edges for the regions' padding and the labels.
    (x * 72.0, -y * 72.0)
}

/// The convex hull of points (Andrew's monotone chain), counter-clockwise.
fn hull(mut pts: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut lower: Vec<(f64, f64)> = Vec::new();
    for &p in &pts {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0.0 {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<(f64, f64)> = Vec::new();
    for &p in pts.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0.0 {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// The opinion map: each group a shaded region, each person a dot, the
/// member a ringed dot labelled "You". For screen readers, one sentence.
fn opinion_map(ctx: &Ctx, c: &ConversationInsight) -> Html {
    let groups = if c.groups.len() >= 2 {
        &c.groups[..]
    } else {
        &[]
    };
    let summary = {
        let mut s = ctx.i18n.tf(
            "map-label",
            &[
                ("groups", (groups.len() as u64).into()),
                ("people", (c.counted as u64).into()),
            ],
        );
        for g in groups {
            s.push_str(&format!(
                " {} {}.",
                ctx.i18n
                    .tf("group-name", &[("name", group_name(g.id).into())]),
                ctx.i18n.tn("people-count", g.size as u64)
            ));
        }
        if let Some(g) = c.my_group {
            s.push(' ');
            s.push_str(&ctx.i18n.tf("you-are-in", &[("name", group_name(g).into())]));
        }
        s
    };
    let region = |g: &GroupView| {
        let pts: Vec<(f64, f64)> = c
            .map
            .iter()
            .filter(|d| d.group == Some(g.id))
            .map(|d| to_svg(d.x, d.y))
            .collect();
        let h = hull(pts);
        let class = format!("region g{}", g.id % 5);
        // Two points make a capsule (the region's wide round stroke).
        if h.len() >= 2 {
            let points = h
                .iter()
                .map(|(x, y)| format!("{x:.1},{y:.1}"))
                .collect::<Vec<_>>()
                .join(" ");
            html! { <polygon class={class} points={points} /> }
        } else {
            let (x, y) = to_svg(g.center[0], g.center[1]);
            html! { <circle class={class} cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="1" /> }
        }
    };
    let dot = |d: &MapDot| {
        let (x, y) = to_svg(d.x, d.y);
        let class = match d.group {
            Some(g) if !groups.is_empty() => format!("dot grouped g{}", g % 5),
            _ => "dot".to_string(),
        };
        html! { <circle class={class} cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="1.6" /> }
    };
    let me = c.map.iter().find(|d| d.me).map(|d| {
        let (x, y) = to_svg(d.x, d.y);
        html! {
            <g class="me">
                <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="4" />
                <text x={format!("{:.1}", x + 6.0)} y={format!("{:.1}", y + 3.0)}>{ ctx.t("you") }</text>
            </g>
        }
    });
    let label = |g: &GroupView| {
        let (x, y) = to_svg(g.center[0], g.center[1]);
        html! {
            <text class="group-label" x={format!("{x:.1}")} y={format!("{y:.1}")} text-anchor="middle">
                { format!("{} · {}", group_name(g.id), g.size) }
            </text>
        }
    };
    html! {
        <svg class="opinion-map" viewBox="-100 -100 200 200" role="img" aria-label={summary}>
            <rect x="-100" y="-100" width="200" height="200" class="bg" />
            <line x1="-100" y1="0" x2="100" y2="0" class="axis" />
            <line x1="0" y1="-100" x2="0" y2="100" class="axis" />
            { for groups.iter().map(region) }
            { for c.map.iter().map(dot) }
            { for groups.iter().map(label) }
            { for me }
        </svg>
    }
}

fn post(ctx: &Ctx, project: DocId, p: &PostLine) -> Html {
    html! {
        <li>
            <span>{ &p.text }</span>
            { source(ctx, project, p) }
        </li>
    }
}

/// A link to the idea a post is or belongs to.
fn source(ctx: &Ctx, project: DocId, p: &PostLine) -> Html {
    match p.idea {
        Some(idea) => html! {
            <button class="link" onclick={ctx.go.reform(move |_| Route::Idea { project, idea })}>
                { ctx.t("open-post") }
            </button>
        },
        None => html! {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hull_keeps_the_outer_points() {
        let h = hull(vec![
            (0.0, 0.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (0.0, 1.0),
            (0.5, 0.5),
        ]);
        assert_eq!(h.len(), 4);
        assert!(!h.contains(&(0.5, 0.5)));
        assert_eq!(hull(vec![(1.0, 1.0), (1.0, 1.0)]), vec![(1.0, 1.0)]);
    }

    #[test]
    fn groups_are_lettered() {
        assert_eq!(group_name(0), "A");
        assert_eq!(group_name(2), "C");
    }
}
