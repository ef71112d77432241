//! The list of spaces and a space's home: projects with their phase and
//! news; for staff, new projects, invitations (link and QR code), members
//! and roles.

use yew::prelude::*;
use yoriai_crdt::api::{InvitationLink, Request, Response, Session, SpaceHome};
use yoriai_crdt::command::NewPhase;
use yoriai_crdt::phase::PhaseKind;
use yoriai_crdt::{DocId, Role, SpaceCommand};

use super::{
    bind, bind_area, kind_beside, on_submit, page_head, pending, phase_kind_id, role_id,
    select_value,
};
use crate::app::{act, use_fetch, Ctx, Route, Tab};

/// Props of [`SpaceList`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SpaceListProps {
    /// The session.
    pub session: Session,
}

/// The spaces on this device.
#[function_component(SpaceList)]
pub fn space_list(props: &SpaceListProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    html! {
        <section>
            <h1>{ ctx.t("your-spaces") }</h1>
            <ul class="cards">
                { for props.session.spaces.iter().map(|s| {
                    let id = s.id;
                    match &s.name {
                        Some(name) => html! {
                            <li class="card">
                                <button class="card-link" onclick={ctx.go.reform(move |_| Route::Space(id))}>
                                    <h2>{ name }</h2>
                                    <span class="muted">
                                        { s.role.map(|r| ctx.t(&role_id(r))).unwrap_or_default() }
                                        { " · " }{ ctx.i18n.tn("projects-count", s.projects as u64) }
                                    </span>
                                </button>
                            </li>
                        },
                        None => html! {
                            <li class="card awaiting">
                                <h2>{ ctx.t("space-awaited") }</h2>
                                <p class="muted">{ ctx.t("space-awaited-hint") }</p>
                            </li>
                        },
                    }
                }) }
            </ul>
            <super::welcome::Welcome session={Session { spaces: Vec::new(), ..props.session.clone() }} />
        </section>
    }
}

/// Props of [`SpacePage`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SpacePageProps {
    /// The space.
    pub space: DocId,
}

/// A space home (fetches it).
#[function_component(SpacePage)]
pub fn space_page(props: &SpacePageProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let state = use_fetch(Some(Request::Space { space: props.space }), ctx.tick);
    match &*state {
        Some(Ok(Response::Space(home))) => html! { <SpaceHomeView home={home.clone()} /> },
        // Joined, and waiting for a member's device or the relay to send it.
        Some(Err(e)) if e.kind == yoriai_crdt::api::ErrorKind::NotFound => html! {
            <section class="card awaiting" role="status">
                <h1>{ ctx.t("space-awaited") }</h1>
                <p class="muted">{ ctx.t("space-awaited-hint") }</p>
            </section>
        },
        other => pending(&ctx, other),
    }
}

/// Props of [`SpaceHomeView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SpaceHomeProps {
    /// The read model.
    pub home: SpaceHome,
}

/// A space home.
#[function_component(SpaceHomeView)]
pub fn space_home_view(props: &SpaceHomeProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let home = &props.home;
    let o = &home.overview;
    html! {
        <section class="space">
            { page_head(&ctx, Some((Route::Home, ctx.t("your-spaces"))), &o.name) }
            <p class="muted">
                { home.my_role.map(|r| ctx.i18n.tf("you-are", &[("role", ctx.t(&role_id(r)).into())])).unwrap_or_default() }
                { " · " }{ ctx.i18n.tn("members-count", o.members.len() as u64) }
            </p>
            <h2>{ ctx.t("projects") }</h2>
            if home.projects.is_empty() {
                <p class="empty">{ ctx.t("no-projects") }</p>
            }
            <ul class="cards">
                { for home.projects.iter().map(|p| {
                    let id = p.id;
                    let open = ctx.go.reform(move |_| Route::Project { project: id, tab: Tab::Ideas });
                    html! {
                        <li class="card project-card">
                            <button class="card-link" onclick={open} disabled={!p.available}>
                                <h3>{ &p.title }</h3>
                                if let Some(ph) = &p.current_phase {
                                    <span class={classes!("badge", "open")}>
                                        if let Some(kind) = kind_beside(&ctx, ph.kind, &ph.title) { { kind }{ " · " } }
                                        { &ph.title }
                                    </span>
                                } else if p.available {
                                    <span class="badge">{ ctx.t("no-open-phase") }</span>
                                } else {
                                    <span class="badge">{ ctx.t("project-awaited") }</span>
                                }
                                <span class="muted counts">
                                    { ctx.i18n.tn("ideas-count", p.ideas) }{ " · " }
                                    { ctx.i18n.tn("comments-count", p.comments) }{ " · " }
                                    { ctx.i18n.tn("participants-count", p.participants) }
                                </span>
                                if p.new_since_visit > 0 {
                                    <span class="news">{ ctx.i18n.tn("new-since-visit", p.new_since_visit) }</span>
                                }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            if home.can.manage {
                <NewProjectForm space={o.id} />
            }
            if home.can.invite && crate::transport::in_app() {
                <Tablets space={home.overview.id} />
            }
            if home.can.invite {
                <Invitations home={home.clone()} />
            }
            <Members home={home.clone()} />
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct SpaceIdProps {
    space: DocId,
}

const DEFAULT_PHASES: [PhaseKind; 5] = [
    PhaseKind::Information,
    PhaseKind::Ideas,
    PhaseKind::Discussion,
    PhaseKind::Decision,
    PhaseKind::Results,
];

#[function_component(NewProjectForm)]
fn new_project_form(props: &SpaceIdProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let title = use_state(String::new);
    let brief = use_state(String::new);
    let kinds = use_state(|| DEFAULT_PHASES.to_vec());
    let submit = {
        let (ctx, title, brief, kinds, space) = (
            ctx.clone(),
            title.clone(),
            brief.clone(),
            kinds.clone(),
            props.space,
        );
        on_submit(move || {
            let phases = PhaseKind::ALL
                .iter()
                .filter(|k| kinds.contains(k))
                .map(|k| NewPhase {
                    kind: *k,
                    title: ctx.t(&phase_kind_id(*k)),
                })
                .collect();
            let go = ctx.go.clone();
            let (t, b) = (title.clone(), brief.clone());
            act(
                &ctx,
                Request::CreateProject {
                    space,
                    title: (*title).clone(),
                    description: (*brief).clone(),
                    phases,
                },
                move |r| {
                    t.set(String::new());
                    b.set(String::new());
                    if let Response::Opened(o) = r {
                        if let Some(project) = o.project {
                            go.emit(Route::Project {
                                project,
                                tab: Tab::Process,
                            });
                        }
                    }
                },
            )
        })
    };
    html! {
        <details class="card staff">
            <summary>{ ctx.t("new-project") }</summary>
            <form onsubmit={submit}>
                <label for="project-title">{ ctx.t("title") }</label>
                <input id="project-title" required=true maxlength="200" value={(*title).clone()} oninput={bind(&title)} />
                <label for="project-brief">{ ctx.t("brief") }</label>
                <textarea id="project-brief" rows="4" value={(*brief).clone()} oninput={bind_area(&brief)} />
                <fieldset>
                    <legend>{ ctx.t("phases") }</legend>
                    { for PhaseKind::ALL.iter().map(|k| {
                        let k = *k;
                        let on = kinds.contains(&k);
                        let kinds = kinds.clone();
                        let toggle = Callback::from(move |_: Event| {
                            let mut v = (*kinds).clone();
                            if v.contains(&k) { v.retain(|x| *x != k) } else { v.push(k) }
                            kinds.set(v);
                        });
                        let id = format!("phase-{}", k.name());
                        html! {
                            <label class="check" for={id.clone()}>
                                <input type="checkbox" id={id} checked={on} onchange={toggle} />
                                { ctx.t(&phase_kind_id(k)) }
                            </label>
                        }
                    }) }
                </fieldset>
                <button class="primary" type="submit">{ ctx.t("create-project") }</button>
            </form>
        </details>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct HomeProps {
    home: SpaceHome,
}

/// An invitation link drawn as a QR code (SVG).
pub fn qr(link: &str) -> Html {
    match qrcode::QrCode::new(link.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build();
            Html::from_html_unchecked(AttrValue::from(svg))
        }
        Err(_) => Html::default(),
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct TabletsProps {
    space: yoriai_crdt::DocId,
}

/// "Let tablets join": the laptop serves the app on the LAN; residents scan
/// the QR code (a fresh invitation inside) and are in.
#[function_component(Tablets)]
fn tablets(props: &TabletsProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let shown = use_state(|| None::<yoriai_crdt::api::TabletsLink>);
    let start = {
        let (ctx, shown, space) = (ctx.clone(), shown.clone(), props.space);
        Callback::from(move |_| {
            let shown = shown.clone();
            act(&ctx, Request::LetTabletsJoin { space }, move |r| {
                if let Response::Tablets(t) = r {
                    shown.set(Some(t));
                }
            })
        })
    };
    let stop = {
        let (ctx, shown) = (ctx.clone(), shown.clone());
        Callback::from(move |_| {
            let shown = shown.clone();
            act(&ctx, Request::StopTablets, move |_| shown.set(None))
        })
    };
    html! {
        <section class="card staff tablets" aria-labelledby="tablets-h">
            <h2 id="tablets-h">{ ctx.t("tablets") }</h2>
            <p class="hint">{ ctx.t("tablets-hint") }</p>
            if let Some(t) = &*shown {
                <div class="invitation" role="status">
                    if let Some(first) = t.urls.first() {
                        <div class="qr" role="img" aria-label={ctx.t("tablets-qr")}>{ qr(first) }</div>
                    }
                    <div>
                        <p>{ ctx.t("tablets-on") }</p>
                        <ul class="urls">
                            { for t.urls.iter().map(|u| html! {
                                <li><a class="mono" href={u.clone()} target="_blank" rel="noopener">{ u.split("/#").next().unwrap_or(u) }</a></li>
                            }) }
                        </ul>
                        <button class="secondary" onclick={stop}>{ ctx.t("tablets-stop") }</button>
                    </div>
                </div>
            } else {
                <button class="primary" onclick={start}>{ ctx.t("tablets-start") }</button>
            }
        </section>
    }
}

#[function_component(Invitations)]
fn invitations(props: &HomeProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let o = &props.home.overview;
    let role = use_state(|| Role::Resident);
    let uses = use_state(String::new);
    let note = use_state(String::new);
    let made = use_state(|| None::<InvitationLink>);
    let submit = {
        let (ctx, role, uses, note, made, space) = (
            ctx.clone(),
            role.clone(),
            uses.clone(),
            note.clone(),
            made.clone(),
            o.id,
        );
        on_submit(move || {
            let made = made.clone();
            act(
                &ctx,
                Request::Invite {
                    space,
                    role: *role,
                    max_uses: uses.trim().parse().ok(),
                    note: (*note).clone(),
                },
                move |r| {
                    if let Response::Invitation(link) = r {
                        made.set(Some(link));
                    }
                },
            )
        })
    };
    let set_role = {
        let role = role.clone();
        Callback::from(move |e: Event| role.set(select_value(&e).parse().unwrap_or(Role::Resident)))
    };
    html! {
        <section class="card staff" aria-labelledby="inv-h">
            <h2 id="inv-h">{ ctx.t("invitations") }</h2>
            <form class="row" onsubmit={submit}>
                <label for="inv-role">{ ctx.t("role") }</label>
                <select id="inv-role" onchange={set_role}>
                    { for [Role::Resident, Role::Staff, Role::Admin].iter().filter(|r| **r != Role::Admin || props.home.can.change_roles).map(|r| html! {
                        <option value={r.name()} selected={*r == *role}>{ ctx.t(&role_id(*r)) }</option>
                    }) }
                </select>
                <label for="inv-uses">{ ctx.t("max-uses") }</label>
                <input id="inv-uses" type="number" min="1" inputmode="numeric" placeholder={ctx.t("unlimited")}
                    value={(*uses).clone()} oninput={bind(&uses)} />
                <label for="inv-note">{ ctx.t("note") }</label>
                <input id="inv-note" maxlength="200" value={(*note).clone()} oninput={bind(&note)} />
                <button class="primary" type="submit">{ ctx.t("make-invitation") }</button>
            </form>
            if let Some(link) = &*made {
                <div class="invitation" role="status">
                    <div class="qr" role="img" aria-label={ctx.t("qr-code")}>{ qr(&link.link) }</div>
                    <div>
                        <p>{ ctx.t("invitation-made") }</p>
                        <label for="inv-link">{ ctx.t("invitation-link") }</label>
                        <textarea id="inv-link" class="mono" readonly=true rows="4" value={link.link.clone()} />
                        { for link.web.iter().enumerate().map(|(i, w)| {
                            let id = format!("inv-web-{i}");
                            html! { <>
                                <label for={id.clone()}>{ ctx.t("invitation-web") }</label>
                                <textarea id={id} class="mono" readonly=true rows="3" value={w.clone()} />
                            </> }
                        }) }
                    </div>
                </div>
            }
            if !o.invitations.is_empty() {
                <table>
                    <caption class="sr-only">{ ctx.t("invitations") }</caption>
                    <thead><tr>
                        <th scope="col">{ ctx.t("note") }</th>
                        <th scope="col">{ ctx.t("role") }</th>
                        <th scope="col">{ ctx.t("uses") }</th>
                        <th scope="col"><span class="sr-only">{ ctx.t("actions") }</span></th>
                    </tr></thead>
                    <tbody>
                    { for o.invitations.iter().map(|i| {
                        let (id, space) = (i.id, o.id);
                        let revoke = {
                            let ctx = ctx.clone();
                            Callback::from(move |_| act(&ctx, Request::SpaceCommand { space, command: SpaceCommand::RevokeInvitation { invitation: id } }, |_| {}))
                        };
                        html! {
                            <tr>
                                <td>{ if i.note.is_empty() { ctx.t("no-note") } else { i.note.clone() } }</td>
                                <td>{ ctx.t(&role_id(i.role)) }</td>
                                <td>{ i.uses }{ " / " }{ i.max_uses.map(|m| m.to_string()).unwrap_or_else(|| "∞".into()) }</td>
                                <td>
                                    if i.revoked {
                                        <span class="badge">{ ctx.t("withdrawn") }</span>
                                    } else {
                                        <button class="link danger" onclick={revoke}>{ ctx.t("withdraw") }</button>
                                    }
                                </td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            }
            if !o.awaiting_approval.is_empty() {
                <h3>{ ctx.t("awaiting-approval") }</h3>
                <ul>
                { for o.awaiting_approval.iter().map(|p| {
                    let (join, space) = (p.join, o.id);
                    let approve = {
                        let ctx = ctx.clone();
                        Callback::from(move |_| act(&ctx, Request::SpaceCommand { space, command: SpaceCommand::ApproveJoin { join } }, |_| {}))
                    };
                    html! { <li>{ &p.display_name }{ " " }<button class="secondary" onclick={approve}>{ ctx.t("approve") }</button></li> }
                }) }
                </ul>
            }
        </section>
    }
}

#[function_component(Members)]
fn members(props: &HomeProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let o = &props.home.overview;
    let can_roles = props.home.can.change_roles;
    html! {
        <section class="card" aria-labelledby="members-h">
            <h2 id="members-h">{ ctx.t("members") }</h2>
            <ul class="members">
            { for o.members.iter().map(|m| {
                let (member, space) = (m.id, o.id);
                let set_role = {
                    let ctx = ctx.clone();
                    Callback::from(move |e: Event| {
                        if let Ok(role) = select_value(&e).parse::<Role>() {
                            act(&ctx, Request::SpaceCommand { space, command: SpaceCommand::SetRole { member, role } }, |_| {});
                        }
                    })
                };
                let label = ctx.i18n.tf("role-of", &[("name", m.display_name.clone().into())]);
                html! {
                    <li>
                        <span class="name">{ &m.display_name }</span>
                        if can_roles {
                            <select aria-label={label} onchange={set_role}>
                                { for [Role::Resident, Role::Staff, Role::Admin].iter().map(|r| html! {
                                    <option value={r.name()} selected={*r == m.role}>{ ctx.t(&role_id(*r)) }</option>
                                }) }
                            </select>
                        } else {
                            <span class="badge">{ ctx.t(&role_id(m.role)) }</span>
                        }
                    </li>
                }
            }) }
            </ul>
        </section>
    }
}
