//! How the UI reaches its node: the typed API of `yoriai_crdt::api`.
//! Inside the desktop app it is carried by the shell as the Tauri command
//! `api` and the event `yoriai-event`; in a plain browser the page runs its
//! own node ([`crate::browser`]) and answers in-page. Every screen is the
//! same either way.

use yoriai_crdt::api::{ApiError, Event, Request, Response};

/// The Tauri event the shell pushes [`Event`]s on.
pub const EVENT_NAME: &str = "yoriai-event";

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    fn tauri(path: &[&str]) -> Result<js_sys::Function, ApiError> {
        let mut v: JsValue = js_sys::global().into();
        for p in ["__TAURI__"].iter().chain(path) {
            v = js_sys::Reflect::get(&v, &JsValue::from_str(p)).unwrap_or(JsValue::UNDEFINED);
            if v.is_undefined() {
                return Err(ApiError {
                    kind: yoriai_crdt::api::ErrorKind::Other,
                    detail: format!("this page is not running in the Yoriai app (no {p})"),
                });
            }
        }
        v.dyn_into::<js_sys::Function>().map_err(|_| ApiError {
            kind: yoriai_crdt::api::ErrorKind::Other,
            detail: "the app's bridge is not a function".into(),
        })
    }

    fn serializer() -> serde_wasm_bindgen::Serializer {
        // Maps as plain objects, so the shell's JSON decoding sees them.
        serde_wasm_bindgen::Serializer::json_compatible()
    }

    /// Whether the page runs inside the desktop app.
    pub(super) fn in_app() -> bool {
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("__TAURI__"))
            .map(|v| !v.is_undefined())
            .unwrap_or(false)
    }

    pub(super) async fn call(request: Request) -> Result<Response, ApiError> {
        if !in_app() {
            return crate::browser::call(request).await;
        }
        use serde::Serialize;
        let invoke = tauri(&["core", "invoke"])?;
        let args = js_sys::Object::new();
        let req = request.serialize(&serializer()).map_err(|e| ApiError {
            kind: yoriai_crdt::api::ErrorKind::Other,
            detail: e.to_string(),
        })?;
        let _ = js_sys::Reflect::set(&args, &JsValue::from_str("request"), &req);
        let promise = invoke
            .call2(&JsValue::NULL, &JsValue::from_str("api"), &args)
            .map_err(|e| ApiError {
                kind: yoriai_crdt::api::ErrorKind::Other,
                detail: format!("{e:?}"),
            })?;
        let promise: js_sys::Promise = promise.unchecked_into();
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| ApiError {
                kind: yoriai_crdt::api::ErrorKind::Other,
                detail: format!("unreadable answer: {e}"),
            }),
            Err(e) => Err(
                serde_wasm_bindgen::from_value::<ApiError>(e.clone()).unwrap_or(ApiError {
                    kind: yoriai_crdt::api::ErrorKind::Other,
                    detail: e.as_string().unwrap_or_else(|| format!("{e:?}")),
                }),
            ),
        }
    }

    pub(super) fn listen(on_event: impl Fn(Event) + 'static) -> Result<(), ApiError> {
        if !in_app() {
            return crate::browser::listen(on_event);
        }
        let listen = tauri(&["event", "listen"])?;
        let cb = Closure::<dyn Fn(JsValue)>::new(move |msg: JsValue| {
            let payload =
                js_sys::Reflect::get(&msg, &JsValue::from_str("payload")).unwrap_or_default();
            match serde_wasm_bindgen::from_value::<Event>(payload) {
                Ok(e) => on_event(e),
                Err(e) => web_sys::console::warn_1(&format!("unreadable event: {e}").into()),
            }
        });
        let _ = listen.call2(&JsValue::NULL, &JsValue::from_str(EVENT_NAME), cb.as_ref());
        // The listener lives as long as the page.
        cb.forget();
        Ok(())
    }

    pub(super) fn offline_copy() -> OfflineCopy {
        if in_app() {
            return OfflineCopy::NotNeeded;
        }
        let global = js_sys::global();
        let secure = js_sys::Reflect::get(&global, &JsValue::from_str("isSecureContext"))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let worker = web_sys::window()
            .map(|w| {
                js_sys::Reflect::has(&w.navigator(), &JsValue::from_str("serviceWorker"))
                    .unwrap_or(false)
            })
            .unwrap_or(false);
        match (secure, worker) {
            (true, true) => OfflineCopy::Kept,
            (true, false) => OfflineCopy::NoServiceWorker,
            (false, _) => OfflineCopy::PlainHttp,
        }
    }

    pub(super) fn take_join_link() -> Option<String> {
        let w = web_sys::window()?;
        let loc = w.location();
        let hash = loc.hash().ok()?;
        if !hash.starts_with("#join=") {
            return None;
        }
        let href = loc.href().ok()?;
        // Used once: a reload does not join again.
        if let (Ok(h), Ok(path)) = (w.history(), loc.pathname()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&path));
        }
        Some(href)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    //! Natively the UI is only rendered to HTML (tests); it has no node.
    use super::*;

    fn native() -> ApiError {
        ApiError {
            kind: yoriai_crdt::api::ErrorKind::Other,
            detail: "the UI talks to a node only when built for the webview".into(),
        }
    }

    pub(super) async fn call(_request: Request) -> Result<Response, ApiError> {
        Err(native())
    }

    pub(super) fn listen(_on_event: impl Fn(Event) + 'static) -> Result<(), ApiError> {
        Err(native())
    }

    pub(super) fn in_app() -> bool {
        false
    }

    pub(super) fn offline_copy() -> OfflineCopy {
        OfflineCopy::NotNeeded
    }

    pub(super) fn take_join_link() -> Option<String> {
        None
    }
}

/// Ask the node.
pub async fn call(request: Request) -> Result<Response, ApiError> {
    imp::call(request).await
}

/// Receive the node's events for as long as the page lives.
pub fn listen(on_event: impl Fn(Event) + 'static) -> Result<(), ApiError> {
    imp::listen(on_event)
}

/// Whether the page runs inside the desktop app (not a plain browser).
pub fn in_app() -> bool {
    imp::in_app()
}

/// Whether the browser keeps a copy of the app that opens with no network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineCopy {
    /// The desktop app (or a test): the app is installed.
    NotNeeded,
    /// A secure context (HTTPS, or the same machine) with a service worker:
    /// after the first visit the page opens with no network.
    Kept,
    /// Plain HTTP from another machine (a laptop on the Wi-Fi, a relay
    /// without HTTPS): browsers give such pages no service worker, so a
    /// closed page cannot be opened again until its server is reachable.
    /// The documents stay in IndexedDB either way.
    PlainHttp,
    /// A secure page in a browser with service workers off (some private
    /// windows): no offline copy, and the storage may not outlive the
    /// window either.
    NoServiceWorker,
}

impl OfflineCopy {
    /// Whether a closed page cannot be opened again with no network (so,
    /// offline, the page should stay open).
    pub fn must_stay_open(self) -> bool {
        matches!(self, OfflineCopy::PlainHttp | OfflineCopy::NoServiceWorker)
    }
}

/// What this page can count on when the network goes away.
pub fn offline_copy() -> OfflineCopy {
    imp::offline_copy()
}

/// The invitation the page was opened with (`…/#join=yoriai:…`, from a
/// facilitator's QR code), taken once.
pub fn take_join_link() -> Option<String> {
    imp::take_join_link()
}
