//! How the UI reaches its node: the typed API of `yoriai_crdt::api`,
//! carried by the desktop shell as the Tauri command `api` and the event
//! `yoriai-event`. A browser front end swaps this module's transport and
//! keeps every screen.

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

    pub(super) async fn call(request: Request) -> Result<Response, ApiError> {
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
}

/// Ask the node.
pub async fn call(request: Request) -> Result<Response, ApiError> {
    imp::call(request).await
}

/// Receive the node's events for as long as the page lives.
pub fn listen(on_event: impl Fn(Event) + 'static) -> Result<(), ApiError> {
    imp::listen(on_event)
}
