//! First start: a display name (the device key already exists), then a
//! space: create one, join by an invitation link, or load the demo.

use yew::prelude::*;
use yoriai_crdt::api::{Request, Response, Session};

use super::{bind, bind_area, on_submit};
use crate::app::{act, Ctx, Route};

/// Props of [`Welcome`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct WelcomeProps {
    /// The session.
    pub session: Session,
    /// The page was opened with an invitation (joined once a name is set).
    #[prop_or_default]
    pub invited: bool,
}

/// The first-start screen.
#[function_component(Welcome)]
pub fn welcome(props: &WelcomeProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let name = use_state(|| props.session.display_name.clone().unwrap_or_default());
    let space_name = use_state(String::new);
    let link = use_state(String::new);
    let busy = use_state(|| false);

    if props.session.display_name.is_none() {
        let submit = {
            let ctx = ctx.clone();
            let name = name.clone();
            on_submit(move || {
                act(
                    &ctx,
                    Request::SetDisplayName {
                        name: (*name).clone(),
                    },
                    |_| {},
                )
            })
        };
        return html! {
            <section class="welcome card">
                <h1>{ ctx.t("welcome-title") }</h1>
                <p>{ ctx.t(if props.invited { "welcome-invited" } else { "welcome-intro" }) }</p>
                <form onsubmit={submit}>
                    <label for="display-name">{ ctx.t("display-name") }</label>
                    <input id="display-name" name="display-name" required=true maxlength="80"
                        autocomplete="nickname" value={(*name).clone()} oninput={bind(&name)} />
                    <p class="hint">{ ctx.t("display-name-hint") }</p>
                    <button class="primary" type="submit">{ ctx.t("continue") }</button>
                </form>
            </section>
        };
    }

    let opened = {
        let ctx = ctx.clone();
        move |r: Response| {
            if let Response::Opened(o) = r {
                match o.project {
                    Some(project) => ctx.go.emit(Route::Project {
                        project,
                        tab: crate::app::Tab::Ideas,
                    }),
                    None => ctx.go.emit(Route::Space(o.space)),
                }
            }
        }
    };
    let create = {
        let ctx = ctx.clone();
        let space_name = space_name.clone();
        let opened = opened.clone();
        on_submit(move || {
            act(
                &ctx,
                Request::CreateSpace {
                    name: (*space_name).clone(),
                    languages: vec!["ja".into(), "en".into()],
                },
                opened.clone(),
            )
        })
    };
    let join = {
        let ctx = ctx.clone();
        let link = link.clone();
        let opened = opened.clone();
        on_submit(move || {
            act(
                &ctx,
                Request::JoinSpace {
                    link: (*link).clone(),
                },
                opened.clone(),
            )
        })
    };
    let demo = {
        let ctx = ctx.clone();
        let busy = busy.clone();
        Callback::from(move |_| {
            busy.set(true);
            act(&ctx, Request::LoadDemo, opened.clone())
        })
    };
    html! {
        <section class="welcome">
            <h1>{ ctx.i18n.tf("welcome-hello", &[("name", props.session.display_name.clone().unwrap_or_default().into())]) }</h1>
            <p>{ ctx.t("welcome-choose") }</p>
            <div class="grid">
                <form class="card" onsubmit={create} aria-labelledby="create-h">
                    <h2 id="create-h">{ ctx.t("create-space") }</h2>
                    <p class="hint">{ ctx.t("create-space-hint") }</p>
                    <label for="space-name">{ ctx.t("space-name") }</label>
                    <input id="space-name" required=true maxlength="120" value={(*space_name).clone()}
                        oninput={bind(&space_name)} />
                    <button class="primary" type="submit">{ ctx.t("create") }</button>
                </form>
                <form class="card" onsubmit={join} aria-labelledby="join-h">
                    <h2 id="join-h">{ ctx.t("join-space") }</h2>
                    <p class="hint">{ ctx.t("join-space-hint") }</p>
                    <label for="join-link">{ ctx.t("invitation-link") }</label>
                    <textarea id="join-link" required=true rows="3" value={(*link).clone()}
                        oninput={bind_area(&link)} />
                    <button class="primary" type="submit">{ ctx.t("join") }</button>
                </form>
                if crate::transport::in_app() || cfg!(not(target_arch = "wasm32")) {
                <div class="card">
                    <h2>{ ctx.t("demo-space") }</h2>
                    <p class="hint">{ ctx.t("demo-space-hint") }</p>
                    <button class="secondary" onclick={demo} disabled={*busy}>{ ctx.t("load-demo") }</button>
                </div>
                }
            </div>
        </section>
    }
}
