//! The sync indicator every screen shows: offline, syncing or up to date,
//! when this device last synced, and the relay and LAN peers it talks to.

use yew::prelude::*;
use yoriai_crdt::api::{LanState, Request, SyncStatus, SyncSummary};

use super::ago;
use crate::app::{act, Ctx};
use crate::transport::OfflineCopy;

/// Props of [`SyncIndicator`] and [`KeepOpenNotice`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SyncProps {
    /// The status.
    pub status: SyncStatus,
    /// Whether the browser keeps the app for use with no network.
    #[prop_or_else(crate::transport::offline_copy)]
    pub offline_copy: OfflineCopy,
}

/// In a browser that keeps no copy of the app (plain HTTP on the Wi-Fi,
/// service workers off), going offline means the page must stay open: say
/// so where it is seen.
#[function_component(KeepOpenNotice)]
pub fn keep_open_notice(props: &SyncProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    if props.status.state != SyncSummary::Offline || !props.offline_copy.must_stay_open() {
        return html! {};
    }
    html! { <p class="banner notice keep-open" role="status">{ ctx.t("keep-page-open") }</p> }
}

/// The indicator (a disclosure with the details).
#[function_component(SyncIndicator)]
pub fn sync_indicator(props: &SyncProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the app");
    let s = &props.status;
    let (class, id) = match s.state {
        SyncSummary::Offline => ("offline", "sync-offline"),
        SyncSummary::Syncing => ("syncing", "sync-syncing"),
        SyncSummary::UpToDate => ("up-to-date", "sync-up-to-date"),
    };
    let last = match s.last_sync_ms {
        Some(ms) => ctx
            .i18n
            .tf("last-synced", &[("when", ago(&ctx, ms).into())]),
        None => ctx.t("never-synced"),
    };
    let sync_now = {
        let ctx = ctx.clone();
        Callback::from(move |_| act(&ctx, Request::SyncNow, |_| {}))
    };
    let in_browser = cfg!(target_arch = "wasm32") && !crate::transport::in_app();
    html! {
        <details class={classes!("sync", class)}>
            // Named by its visible text (WCAG 2.5.3), with what it is for
            // screen readers first.
            <summary>
                <span class="sr-only">{ format!("{}: ", ctx.t("sync-status")) }</span>
                <span class="dot" aria-hidden="true"></span>
                <span class="state" role="status">{ ctx.t(id) }</span>
                <span class="sr-only">{ ". " }</span>
                <span class="last muted">{ last.clone() }</span>
            </summary>
            <div class="sync-panel">
                <p>{ ctx.t(match s.state {
                    SyncSummary::Offline => "sync-offline-explain",
                    SyncSummary::Syncing => "sync-syncing-explain",
                    SyncSummary::UpToDate => "sync-up-to-date-explain",
                }) }</p>
                // In a browser the one server is the laptop or relay the
                // page came from, and there is no LAN service.
                <h3>{ ctx.t(if in_browser { "sync-server" } else { "relay" }) }</h3>
                { match &s.relay {
                    None => html! { <p class="muted">{ ctx.t("no-relay") }</p> },
                    Some(r) => html! {
                        <p>
                            <span class="mono">{ &r.url }</span>{ " — " }
                            { if r.reachable { ctx.t("relay-reachable") } else { ctx.t("relay-unreachable") } }
                            if let Some(ms) = r.last_ok_ms { { " · " }{ ctx.i18n.tf("last-synced", &[("when", ago(&ctx, ms).into())]) } }
                            if let Some(e) = &r.error { <br /><span class="muted">{ e }</span> }
                        </p>
                    },
                } }
                if !in_browser {
                <h3>{ ctx.t("lan") }</h3>
                { match &s.lan {
                    LanState::Off => html! { <p class="muted">{ ctx.t("lan-off") }</p> },
                    LanState::Failed(e) => html! { <p>{ ctx.t("lan-failed") }<br /><span class="muted">{ e }</span></p> },
                    LanState::On if s.peers.is_empty() => html! { <p class="muted">{ ctx.t("lan-no-peers") }</p> },
                    LanState::On => html! {
                        <ul class="peers">
                            { for s.peers.iter().map(|p| html! {
                                <li>
                                    <strong>{ p.name.clone().unwrap_or_else(|| p.member.short()) }</strong>{ " — " }
                                    { ctx.t(if !p.connected { "peer-nearby" } else if p.up_to_date { "peer-up-to-date" } else { "peer-syncing" }) }
                                </li>
                            }) }
                        </ul>
                    },
                } }
                }
                { match props.offline_copy {
                    OfflineCopy::NotNeeded => html! {},
                    OfflineCopy::Kept => html! { <p class="muted offline-copy">{ ctx.t("offline-copy-kept") }</p> },
                    OfflineCopy::PlainHttp => html! { <p class="muted offline-copy">{ ctx.t("offline-copy-plain-http") }</p> },
                    OfflineCopy::NoServiceWorker => html! { <p class="muted offline-copy">{ ctx.t("offline-copy-no-worker") }</p> },
                } }
                <button class="secondary" onclick={sync_now}>{ ctx.t("sync-now") }</button>
            </div>
        </details>
    }
}
