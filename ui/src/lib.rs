//! # yoriai-ui: Yoriai's screens
//!
//! A Yew app built to wasm. It talks to a node only through the typed API
//! of [`yoriai_crdt::api`] ([`transport`]): requests in, read models and
//! change events out. It holds no business rules: what a member may do and
//! what counts come from the domain.
//!
//! - [`app`]: the frame (language, display, the sync indicator, routes).
//! - [`views`]: the screens, each a fetching container around a pure view.
//! - [`i18n`]: Japanese and English from `locales/*.ftl` (Fluent).
//! - [`clock`]: the device's clock, for the screens and the browser's node.
//! - [`local`]: the node a browser runs in the page (documents, key, the
//!   API served by the domain crate, sync state); `browser` (wasm only)
//!   keeps it in IndexedDB and syncs it over a WebSocket.

pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod clock;
pub mod i18n;
pub mod local;
pub mod transport;
pub mod views;

/// Start the app in the page (the wasm entry point).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
