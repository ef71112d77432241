//! Settings: display name, relay address, language, large text and high
//! contrast. The language switch is also in the header of every screen.

use yew::prelude::*;
use yoriai_crdt::api::{Request, Session};

use super::{bind, checked, on_submit, page_head, select_value};
use crate::app::{act, Ctx, Display, Route};
use crate::i18n::Lang;

/// Props of [`LanguageSwitch`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct DisplayProps {
    /// The display settings.
    pub display: Display,
    /// Change them.
    pub set_display: Callback<Display>,
}

/// 日本語 / English, always in the header.
#[function_component(LanguageSwitch)]
pub fn language_switch(props: &DisplayProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    html! {
        <div class="lang-switch" role="group" aria-label={ctx.t("language")}>
            { for Lang::ALL.iter().map(|l| {
                let l = *l;
                let d = props.display;
                let current = d.lang == l;
                html! {
                    <button class={classes!("lang", current.then_some("current"))} lang={l.tag()}
                        aria-pressed={current.to_string()}
                        onclick={props.set_display.reform(move |_| Display { lang: l, ..d })}>
                        { l.native_name() }
                    </button>
                }
            }) }
        </div>
    }
}

/// Props of [`Settings`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SettingsProps {
    /// The session.
    pub session: Session,
    /// The display settings.
    pub display: Display,
    /// Change them.
    pub set_display: Callback<Display>,
}

/// The settings screen.
#[function_component(Settings)]
pub fn settings(props: &SettingsProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let name = use_state(|| props.session.display_name.clone().unwrap_or_default());
    let relay = use_state(|| props.session.relay.clone().unwrap_or_default());
    let saved = use_state(|| None::<&'static str>);
    let save_name = {
        let (ctx, name, saved) = (ctx.clone(), name.clone(), saved.clone());
        on_submit(move || {
            let s = saved.clone();
            act(
                &ctx,
                Request::SetDisplayName {
                    name: (*name).clone(),
                },
                move |_| s.set(Some("saved-name")),
            )
        })
    };
    let save_relay = {
        let (ctx, relay, saved) = (ctx.clone(), relay.clone(), saved.clone());
        on_submit(move || {
            let s = saved.clone();
            let r = Some(relay.trim().to_string()).filter(|r| !r.is_empty());
            act(&ctx, Request::SetRelay { relay: r }, move |_| {
                s.set(Some("saved-relay"))
            })
        })
    };
    let d = props.display;
    let set_lang = props.set_display.reform(move |e: Event| Display {
        lang: Lang::from_tag(&select_value(&e)).unwrap_or(d.lang),
        ..d
    });
    let set_large = props.set_display.reform(move |e: Event| Display {
        large: checked(&e),
        ..d
    });
    let set_contrast = props.set_display.reform(move |e: Event| Display {
        contrast: checked(&e),
        ..d
    });
    html! {
        <section class="settings">
            { page_head(&ctx, Some((Route::Home, ctx.t("your-spaces"))), &ctx.t("settings")) }
            if let Some(id) = *saved { <p class="banner ok" role="status">{ ctx.t(id) }</p> }
            <form class="card" onsubmit={save_name}>
                <label for="set-name">{ ctx.t("display-name") }</label>
                <input id="set-name" required=true maxlength="80" value={(*name).clone()} oninput={bind(&name)} />
                <p class="hint">{ ctx.t("display-name-everywhere") }</p>
                <button class="primary" type="submit">{ ctx.t("save") }</button>
            </form>
            <form class="card" onsubmit={save_relay}>
                <label for="set-relay">{ ctx.t("relay-address") }</label>
                <input id="set-relay" class="mono" placeholder="ws://relay.example.org:3030" value={(*relay).clone()} oninput={bind(&relay)} />
                <p class="hint">{ ctx.t("relay-hint") }</p>
                <button class="primary" type="submit">{ ctx.t("save") }</button>
            </form>
            <div class="card">
                <label for="set-lang">{ ctx.t("language") }</label>
                <select id="set-lang" onchange={set_lang}>
                    { for Lang::ALL.iter().map(|l| html! { <option value={l.tag()} selected={*l == d.lang}>{ l.native_name() }</option> }) }
                </select>
                <label class="check" for="set-large">
                    <input type="checkbox" id="set-large" checked={d.large} onchange={set_large} />{ ctx.t("large-text") }
                </label>
                <label class="check" for="set-contrast">
                    <input type="checkbox" id="set-contrast" checked={d.contrast} onchange={set_contrast} />{ ctx.t("high-contrast") }
                </label>
            </div>
            <div class="card">
                <h2>{ ctx.t("this-device") }</h2>
                <p class="muted">{ ctx.t("device-key") }</p>
                <p class="mono">{ props.session.member.to_string() }</p>
            </div>
        </section>
    }
}
