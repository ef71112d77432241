//! The browser's side of [`crate::local::Engine`]: documents and the device
//! key in IndexedDB, sync over a WebSocket to the server the page came
//! from (a facilitator's laptop or a relay), reconnecting when the network
//! comes back, and events for the screens.
//!
//! Only built for wasm32; [`crate::transport`] sends here whenever the page
//! is not inside the desktop app.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yoriai_crdt::api::{ApiError, ErrorKind, Event, Request, Response, SyncStatus};

use crate::local::{Engine, Meta, SavedDoc};

const DB: &str = "yoriai";
const DOCS: &str = "docs";
const META: &str = "meta";
const META_KEY: &str = "device";
/// Longest wait between reconnection attempts.
const MAX_BACKOFF_MS: i32 = 10_000;

fn err(kind: ErrorKind, detail: impl Into<String>) -> ApiError {
    ApiError {
        kind,
        detail: detail.into(),
    }
}

fn storage_err(e: impl std::fmt::Display) -> ApiError {
    err(
        ErrorKind::Storage,
        format!("this browser's storage failed: {e}"),
    )
}

fn js_err(v: JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{v:?}"))
}

/// A screen's event handler.
type Listener = Rc<dyn Fn(Event)>;

/// The running browser node.
struct Browser {
    engine: RefCell<Engine>,
    db: rexie::Rexie,
    listeners: RefCell<Vec<Listener>>,
    socket: RefCell<Option<web_sys::WebSocket>>,
    /// Bumped per connection: callbacks of an old socket do nothing.
    generation: Cell<u32>,
    backoff_ms: Cell<i32>,
    saving: Cell<bool>,
    save_again: Cell<bool>,
    last_status: RefCell<Option<SyncStatus>>,
}

thread_local! {
    static NODE: RefCell<Option<Rc<Browser>>> = const { RefCell::new(None) };
    static STARTING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
    static PROBLEM: RefCell<Option<ApiError>> = const { RefCell::new(None) };
}

async fn open_db() -> Result<rexie::Rexie, ApiError> {
    rexie::Rexie::builder(DB)
        .version(1)
        .add_object_store(rexie::ObjectStore::new(DOCS))
        .add_object_store(rexie::ObjectStore::new(META))
        .build()
        .await
        .map_err(storage_err)
}

async fn load(db: &rexie::Rexie) -> Result<Engine, ApiError> {
    let tx = db
        .transaction(&[DOCS, META], rexie::TransactionMode::ReadOnly)
        .map_err(storage_err)?;
    let meta_store = tx.store(META).map_err(storage_err)?;
    let meta = meta_store
        .get(JsValue::from_str(META_KEY))
        .await
        .map_err(storage_err)?
        .and_then(|v| v.as_string());
    let Some(meta) = meta else {
        return Engine::create();
    };
    let meta: Meta = serde_json::from_str(&meta)
        .map_err(|e| storage_err(format!("the saved device is unreadable ({e})")))?;
    let docs_store = tx.store(DOCS).map_err(storage_err)?;
    let mut docs = Vec::new();
    for (key, value) in docs_store
        .scan(None, None, None, None)
        .await
        .map_err(storage_err)?
    {
        let get = |k: &str| js_sys::Reflect::get(&value, &JsValue::from_str(k)).ok();
        let (Some(id), Some(kind), Some(space), Some(bytes)) = (
            key.as_string().and_then(|s| s.parse().ok()),
            get("kind").and_then(|v| v.as_string()),
            get("space")
                .and_then(|v| v.as_string())
                .and_then(|s| s.parse().ok()),
            get("bytes").map(|b| js_sys::Uint8Array::new(&b).to_vec()),
        ) else {
            web_sys::console::warn_1(&"a saved document is unreadable; skipped".into());
            continue;
        };
        docs.push(SavedDoc {
            id,
            kind,
            space,
            bytes,
        });
    }
    let (engine, problems) = Engine::load(meta, docs)?;
    for p in problems {
        web_sys::console::warn_1(&format!("saved document not loaded: {p}").into());
    }
    Ok(engine)
}

/// The sync server of this page: its own origin's `/sync`.
fn origin_sync_url() -> Option<String> {
    let loc = web_sys::window()?.location();
    let proto = loc.protocol().ok()?;
    let host = loc.host().ok()?;
    let ws = if proto == "https:" { "wss" } else { "ws" };
    (proto == "http:" || proto == "https:").then(|| format!("{ws}://{host}/sync"))
}

impl Browser {
    fn emit(&self, e: Event) {
        let listeners: Vec<Listener> = self.listeners.borrow().clone();
        for l in listeners {
            l(e.clone());
        }
    }

    fn emit_status(&self) {
        let status = self.engine.borrow().sync_status();
        let changed = self.last_status.borrow().as_ref() != Some(&status);
        if changed {
            *self.last_status.borrow_mut() = Some(status.clone());
            self.emit(Event::Sync { status });
        }
    }

    /// Save what changed, in one IndexedDB transaction.
    async fn save(self: &Rc<Self>) -> Result<(), ApiError> {
        if self.saving.get() {
            // The running save picks this up when it finishes.
            self.save_again.set(true);
            return Ok(());
        }
        self.saving.set(true);
        let mut result = Ok(());
        loop {
            self.save_again.set(false);
            let (docs, meta) = self.engine.borrow_mut().take_dirty();
            if docs.is_empty() && meta.is_none() {
                break;
            }
            if let Err(e) = self.write(&docs, meta.as_ref()).await {
                // Nothing is dropped: the page still holds it, and the next
                // save writes it again.
                self.engine.borrow_mut().still_dirty(&docs, meta.is_some());
                result = Err(err(
                    ErrorKind::Storage,
                    format!(
                        "{}. What you did is kept in this page and saved with your next \
                         change; if this repeats, free some space on this device and keep \
                         the page open until it says \"Up to date\"",
                        e.detail
                    ),
                ));
                break;
            }
            if !self.save_again.get() {
                break;
            }
        }
        self.saving.set(false);
        result
    }

    async fn write(&self, docs: &[SavedDoc], meta: Option<&Meta>) -> Result<(), ApiError> {
        let tx = self
            .db
            .transaction(&[DOCS, META], rexie::TransactionMode::ReadWrite)
            .map_err(storage_err)?;
        let store = tx.store(DOCS).map_err(storage_err)?;
        for d in docs {
            let v = js_sys::Object::new();
            let set = |k: &str, x: &JsValue| js_sys::Reflect::set(&v, &JsValue::from_str(k), x);
            let _ = set("kind", &JsValue::from_str(&d.kind));
            let _ = set("space", &JsValue::from_str(&d.space.to_string()));
            let _ = set(
                "bytes",
                &js_sys::Uint8Array::from(d.bytes.as_slice()).into(),
            );
            store
                .put(&v, Some(&JsValue::from_str(&d.id.to_string())))
                .await
                .map_err(storage_err)?;
        }
        if let Some(m) = meta {
            let json = serde_json::to_string(m).map_err(storage_err)?;
            tx.store(META)
                .map_err(storage_err)?
                .put(
                    &JsValue::from_str(&json),
                    Some(&JsValue::from_str(META_KEY)),
                )
                .await
                .map_err(storage_err)?;
        }
        tx.done().await.map_err(storage_err)?;
        Ok(())
    }

    fn send_all(&self, messages: Vec<Vec<u8>>) {
        if messages.is_empty() {
            return;
        }
        if let Some(ws) = self.socket.borrow().as_ref() {
            if ws.ready_state() == web_sys::WebSocket::OPEN {
                for m in messages {
                    if let Err(e) = ws.send_with_u8_array(&m) {
                        web_sys::console::warn_1(&format!("send failed: {}", js_err(e)).into());
                    }
                }
            }
        }
    }

    fn schedule_save(self: &Rc<Self>) {
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = me.save().await {
                web_sys::console::error_1(&format!("{e}").into());
                PROBLEM.with(|p| *p.borrow_mut() = Some(e));
            }
        });
    }

    fn reconnect_later(self: &Rc<Self>) {
        let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
        if !online {
            // The "online" event reconnects.
            return;
        }
        let delay = self.backoff_ms.get();
        self.backoff_ms.set((delay * 2).min(MAX_BACKOFF_MS));
        let me = self.clone();
        let generation = self.generation.get();
        let cb = Closure::once_into_js(move || {
            if me.generation.get() == generation {
                me.connect();
            }
        });
        if let Some(w) = web_sys::window() {
            let _ =
                w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), delay);
        }
    }

    /// Open a new connection (closing any old one).
    fn connect(self: &Rc<Self>) {
        let generation = self.generation.get().wrapping_add(1);
        self.generation.set(generation);
        if let Some(old) = self.socket.borrow_mut().take() {
            let _ = old.close();
        }
        let Some(url) = self.engine.borrow().server().map(str::to_string) else {
            return;
        };
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match me.dial(&url, generation).await {
                Ok(()) => {}
                Err(why) => {
                    if me.generation.get() == generation {
                        me.engine.borrow_mut().connection_closed(Some(why));
                        me.emit_status();
                        me.reconnect_later();
                    }
                }
            }
        });
    }

    /// Knock and authenticate where the server asks for it (a laptop), then
    /// open the WebSocket.
    async fn dial(self: &Rc<Self>, url: &str, generation: u32) -> Result<(), String> {
        let http = url
            .replacen("ws://", "http://", 1)
            .replacen("wss://", "https://", 1);
        let base = http.strip_suffix("/sync").unwrap_or(&http).to_string();
        let mut full = url.to_string();
        // A laptop hands out challenges; a relay does not need them.
        if let Some(challenge) = fetch_text(&format!("{base}/api/challenge"), None).await? {
            let knocks = self.engine.borrow().knocks();
            for (space, records) in knocks {
                let body = serde_json::json!({
                    "space": space,
                    "records": records.iter().map(hex::encode).collect::<Vec<_>>(),
                })
                .to_string();
                // The answer tells whether the join was admitted; the
                // space arriving (or not) is what the screens show.
                if let Err(e) = fetch_text(&format!("{base}/api/knock"), Some(&body)).await {
                    web_sys::console::warn_1(&format!("knock: {e}").into());
                }
            }
            let engine = self.engine.borrow();
            full = format!(
                "{url}?member={}&challenge={}&sig={}",
                engine.member(),
                challenge.trim(),
                engine.sign_challenge(challenge.trim())
            );
        }
        if self.generation.get() != generation {
            return Ok(());
        }
        let ws = web_sys::WebSocket::new(&full).map_err(js_err)?;
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);
        let me = self.clone();
        let onopen = Closure::<dyn Fn()>::new(move || {
            if me.generation.get() != generation {
                return;
            }
            me.backoff_ms.set(1_000);
            let join = me.engine.borrow_mut().connection_opened();
            me.send_all(vec![join]);
            me.emit_status();
        });
        let me = self.clone();
        let onmessage =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if me.generation.get() != generation {
                    return;
                }
                let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() else {
                    return;
                };
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                let result = me.engine.borrow_mut().receive(&bytes);
                match result {
                    Ok((replies, changed)) => {
                        me.send_all(replies);
                        if !changed.is_empty() {
                            me.schedule_save();
                            me.emit(Event::Changed { docs: changed });
                        }
                    }
                    Err(e) => web_sys::console::warn_1(&format!("sync: {e}").into()),
                }
                me.emit_status();
            });
        let me = self.clone();
        let onclose = Closure::<dyn Fn(web_sys::CloseEvent)>::new(move |e: web_sys::CloseEvent| {
            if me.generation.get() != generation {
                return;
            }
            let why = if e.reason().is_empty() {
                format!("the connection closed (code {})", e.code())
            } else {
                e.reason()
            };
            me.engine.borrow_mut().connection_closed(Some(why));
            me.socket.borrow_mut().take();
            me.emit_status();
            me.reconnect_later();
        });
        ws.set_onopen(Some(onopen.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
        // The socket owns its handlers for as long as it lives.
        onopen.forget();
        onmessage.forget();
        onclose.forget();
        *self.socket.borrow_mut() = Some(ws);
        Ok(())
    }

    /// Send what local changes the server lacks.
    fn push(&self) {
        let out = self.engine.borrow_mut().outgoing();
        self.send_all(out);
    }
}

/// GET (or POST `body` as JSON) and read the text; `None` on 404.
async fn fetch_text(url: &str, body: Option<&str>) -> Result<Option<String>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoStore);
    if let Some(b) = body {
        init.set_method("POST");
        init.set_body(&JsValue::from_str(b));
        let headers = web_sys::Headers::new().map_err(js_err)?;
        headers
            .set("content-type", "application/json")
            .map_err(js_err)?;
        init.set_headers(&headers);
    }
    let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| format!("{url}: {}", js_err(e)))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(js_err)?;
    if resp.status() == 404 {
        return Ok(None);
    }
    let text = JsFuture::from(resp.text().map_err(js_err)?)
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    if !resp.ok() {
        return Err(format!("{url}: {} {}", resp.status(), text.trim()));
    }
    Ok(Some(text))
}

async fn start() -> Result<Rc<Browser>, ApiError> {
    let db = open_db().await?;
    let mut engine = load(&db).await?;
    if engine.server().is_none() {
        engine.set_server(origin_sync_url());
    }
    let node = Rc::new(Browser {
        engine: RefCell::new(engine),
        db,
        listeners: RefCell::new(Vec::new()),
        socket: RefCell::new(None),
        generation: Cell::new(0),
        backoff_ms: Cell::new(1_000),
        saving: Cell::new(false),
        save_again: Cell::new(false),
        last_status: RefCell::new(None),
    });
    node.save().await?;
    // Ask the browser to keep this site's storage under pressure.
    if let Some(w) = web_sys::window() {
        if let Ok(p) = w.navigator().storage().persist() {
            let _ = JsFuture::from(p).await;
        }
        // Back online: try at once rather than at the next backoff.
        let me = node.clone();
        let online = Closure::<dyn Fn()>::new(move || {
            me.backoff_ms.set(1_000);
            me.connect();
        });
        let _ = w.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        online.forget();
        // Off the network (the tablet left the Wi-Fi): say so now rather
        // than when a dead socket times out, and wait for "online".
        let me = node.clone();
        let offline = Closure::<dyn Fn()>::new(move || {
            me.generation.set(me.generation.get().wrapping_add(1));
            if let Some(ws) = me.socket.borrow_mut().take() {
                let _ = ws.close();
            }
            me.engine
                .borrow_mut()
                .connection_closed(Some("this device is offline".into()));
            me.emit_status();
        });
        let _ = w.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        offline.forget();
    }
    node.connect();
    Ok(node)
}

async fn node() -> Result<Rc<Browser>, ApiError> {
    if let Some(n) = NODE.with(|n| n.borrow().clone()) {
        return Ok(n);
    }
    let promise = STARTING.with(|s| {
        s.borrow_mut()
            .get_or_insert_with(|| {
                wasm_bindgen_futures::future_to_promise(async {
                    match start().await {
                        Ok(n) => {
                            NODE.with(|slot| *slot.borrow_mut() = Some(n));
                            Ok(JsValue::UNDEFINED)
                        }
                        Err(e) => {
                            PROBLEM.with(|p| *p.borrow_mut() = Some(e.clone()));
                            Err(JsValue::from_str(&e.detail))
                        }
                    }
                })
            })
            .clone()
    });
    let started = JsFuture::from(promise).await;
    match (started, NODE.with(|n| n.borrow().clone())) {
        (Ok(_), Some(n)) => Ok(n),
        _ => Err(PROBLEM
            .with(|p| p.borrow().clone())
            .unwrap_or_else(|| storage_err("the browser node did not start"))),
    }
}

/// Answer a request in the page.
pub async fn call(request: Request) -> Result<Response, ApiError> {
    let n = node().await?;
    let sync_now = matches!(request, Request::SyncNow);
    // A join knocks at the laptop before its space can be asked for; a new
    // server is dialled at once.
    let redial = matches!(
        request,
        Request::JoinSpace { .. } | Request::SetRelay { .. }
    );
    let result = n.engine.borrow_mut().handle(request);
    let (response, changed) = result?;
    // No server named: the page's own origin.
    if n.engine.borrow().server().is_none() {
        n.engine.borrow_mut().set_server(origin_sync_url());
    }
    // Kept before the screen hears it worked.
    n.save().await?;
    if sync_now {
        n.backoff_ms.set(1_000);
        if n.socket.borrow().is_none() {
            n.connect();
        }
    }
    if redial {
        n.backoff_ms.set(1_000);
        n.connect();
    }
    n.push();
    if !changed.is_empty() {
        n.emit(Event::Changed { docs: changed });
    }
    n.emit_status();
    Ok(response)
}

/// Receive the node's events for as long as the page lives.
pub fn listen(on_event: impl Fn(Event) + 'static) -> Result<(), ApiError> {
    let cb: Listener = Rc::new(on_event);
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(n) = node().await {
            n.listeners.borrow_mut().push(cb);
            n.emit_status();
            let status = n.engine.borrow().sync_status();
            n.emit(Event::Sync { status });
        }
    });
    Ok(())
}
