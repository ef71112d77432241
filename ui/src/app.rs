//! The app's frame: language and display settings, the always-visible sync
//! indicator, routing between screens, and the one way screens act
//! ([`act`]).

use std::rc::Rc;

use yew::prelude::*;
use yoriai_crdt::api::{ApiError, Event, Request, Response, Session, SyncStatus};
use yoriai_crdt::project::IdeaSort;
use yoriai_crdt::{DocId, RecordId};

use crate::clock::now_ms;
use crate::i18n::{I18n, Lang};
use crate::transport;
use crate::views;

/// Where the member is.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// The list of spaces (or the first start).
    Home,
    /// A space home.
    Space(DocId),
    /// A project page on one tab.
    Project {
        /// The project.
        project: DocId,
        /// The tab.
        tab: Tab,
    },
    /// An idea's page.
    Idea {
        /// The project.
        project: DocId,
        /// The idea.
        idea: RecordId,
    },
    /// The facilitator's projector view of a project's insight.
    Projector {
        /// The project.
        project: DocId,
    },
    /// Settings.
    Settings,
}

/// A project page's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Ideas (and proposals).
    Ideas,
    /// Surveys.
    Surveys,
    /// Votes.
    Votes,
    /// Progress posts and milestones.
    Progress,
    /// Conversation statements.
    Statements,
    /// Opinion map, topics and summary.
    Insight,
    /// The phases (staff manage them here).
    Process,
    /// The moderation log (staff).
    Moderation,
}

/// Display settings kept on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Display {
    /// The language.
    pub lang: Lang,
    /// Larger text.
    pub large: bool,
    /// High contrast.
    pub contrast: bool,
}

/// What every screen gets from the frame.
#[derive(Clone, PartialEq)]
pub struct Ctx {
    /// Messages in the current language.
    pub i18n: Rc<I18n>,
    /// Go somewhere.
    pub go: Callback<Route>,
    /// Show an error (or clear it with `None`).
    pub error: Callback<Option<ApiError>>,
    /// Refetch what is on screen.
    pub refresh: Callback<()>,
    /// Bumped whenever shown data may have changed.
    pub tick: u64,
    /// The device's clock, for "3 min ago".
    pub now_ms: i64,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("tick", &self.tick).finish()
    }
}

impl Ctx {
    /// For rendering outside the app (tests): callbacks do nothing.
    pub fn detached(lang: Lang, now_ms: i64) -> Ctx {
        Ctx {
            i18n: I18n::new(lang),
            go: Callback::noop(),
            error: Callback::noop(),
            refresh: Callback::noop(),
            tick: 0,
            now_ms,
        }
    }

    /// Shorthand for [`I18n::t`].
    pub fn t(&self, id: &str) -> String {
        self.i18n.t(id)
    }
}

/// Send a request; on success run `then` and refresh the screen, on
/// failure show the error. The only way screens change anything.
pub fn act(ctx: &Ctx, request: Request, then: impl FnOnce(Response) + 'static) {
    let ctx = ctx.clone();
    yew::platform::spawn_local(async move {
        match transport::call(request).await {
            Ok(r) => {
                ctx.error.emit(None);
                then(r);
                ctx.refresh.emit(());
            }
            Err(e) => ctx.error.emit(Some(e)),
        }
    });
}

/// Fetch `request` whenever it or the refresh tick changes.
#[hook]
pub fn use_fetch(
    request: Option<Request>,
    tick: u64,
) -> UseStateHandle<Option<Result<Response, ApiError>>> {
    let state = use_state(|| None);
    // Answers can arrive out of order (a slow one asked before a change,
    // a fast one after): only the answer to the latest ask is shown.
    let latest = use_mut_ref(|| 0u64);
    {
        let state = state.clone();
        use_effect_with((request, tick), move |(request, _)| {
            if let Some(request) = request.clone() {
                let ask = {
                    let mut n = latest.borrow_mut();
                    *n += 1;
                    *n
                };
                yew::platform::spawn_local(async move {
                    let answer = transport::call(request).await;
                    if *latest.borrow() == ask {
                        state.set(Some(answer));
                    }
                });
            }
        });
    }
    state
}

fn storage() -> Option<web_sys::Storage> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()?.local_storage().ok()?
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

fn load_display() -> Display {
    let get = |k: &str| storage().and_then(|s| s.get_item(k).ok().flatten());
    let browser_lang = {
        #[cfg(target_arch = "wasm32")]
        {
            web_sys::window().and_then(|w| w.navigator().language())
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            None::<String>
        }
    };
    Display {
        lang: get("yoriai.lang")
            .or(browser_lang)
            .and_then(|t| Lang::from_tag(&t))
            .unwrap_or(Lang::Ja),
        large: get("yoriai.large").as_deref() == Some("1"),
        contrast: get("yoriai.contrast").as_deref() == Some("1"),
    }
}

fn save_display(d: &Display) {
    if let Some(s) = storage() {
        let _ = s.set_item("yoriai.lang", d.lang.tag());
        let _ = s.set_item("yoriai.large", if d.large { "1" } else { "0" });
        let _ = s.set_item("yoriai.contrast", if d.contrast { "1" } else { "0" });
    }
    #[cfg(target_arch = "wasm32")]
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", d.lang.tag());
    }
}

fn remember_space(space: Option<DocId>) {
    if let Some(s) = storage() {
        match space {
            Some(id) => {
                let _ = s.set_item("yoriai.space", &id.to_string());
            }
            None => {
                let _ = s.remove_item("yoriai.space");
            }
        }
    }
}

fn remembered_space() -> Option<DocId> {
    storage()?.get_item("yoriai.space").ok()??.parse().ok()
}

/// The refresh counter: every change (a command done here, an event from
/// the node) adds one, and screens refetch when it moves. A reducer, so a
/// callback made at an earlier render still counts from the latest value.
#[derive(Debug, Default, PartialEq)]
struct Tick(u64);

impl Reducible for Tick {
    type Action = ();
    fn reduce(self: Rc<Self>, _: ()) -> Rc<Self> {
        Rc::new(Tick(self.0.wrapping_add(1)))
    }
}

/// The app.
#[function_component(App)]
pub fn app() -> Html {
    let display = use_state(load_display);
    let route = use_state(|| None::<Route>);
    let tick = use_reducer(Tick::default);
    let session = use_state(|| None::<Session>);
    let sync = use_state(SyncStatus::default);
    let error = use_state(|| None::<ApiError>);
    let now = use_state(now_ms);
    // An invitation in the address (a resident scanned the facilitator's
    // QR code): joined as soon as the device has a display name.
    let invite = use_state(transport::take_join_link);

    // Events from the node: refetch on change, update the indicator.
    {
        let tick = tick.clone();
        let sync = sync.clone();
        let error = error.clone();
        use_effect_with((), move |_| {
            let t = tick.dispatcher();
            let listening = transport::listen(move |e| match e {
                Event::Changed { .. } => t.dispatch(()),
                Event::Sync { status } => sync.set(status),
            });
            if let Err(e) = listening {
                error.set(Some(e));
            }
        });
    }
    // The clock for "3 min ago", once a minute.
    {
        let now = now.clone();
        use_effect_with((), move |_| {
            #[cfg(target_arch = "wasm32")]
            {
                use wasm_bindgen::prelude::*;
                let cb = Closure::<dyn Fn()>::new(move || now.set(now_ms()));
                if let Some(w) = web_sys::window() {
                    let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(
                        cb.as_ref().unchecked_ref(),
                        20_000,
                    );
                }
                cb.forget();
            }
            #[cfg(not(target_arch = "wasm32"))]
            let _ = now;
        });
    }
    // The session, at start and after every change.
    {
        let session = session.clone();
        let sync = sync.clone();
        let route = route.clone();
        let error = error.clone();
        let invite = invite.clone();
        let refresh = tick.dispatcher();
        use_effect_with(tick.0, move |_| {
            yew::platform::spawn_local(async move {
                match transport::call(Request::Session).await {
                    Ok(Response::Session(s)) => {
                        if let (Some(link), Some(_)) = ((*invite).clone(), &s.display_name) {
                            invite.set(None);
                            match transport::call(Request::JoinSpace { link }).await {
                                Ok(Response::Opened(o)) => {
                                    remember_space(Some(o.space));
                                    route.set(Some(Route::Space(o.space)));
                                    refresh.dispatch(());
                                    return;
                                }
                                Ok(_) => {}
                                Err(e) => error.set(Some(e)),
                            }
                        }
                        if route.is_none() {
                            // The space used last, or the only one.
                            let named: Vec<DocId> = s
                                .spaces
                                .iter()
                                .filter(|x| x.name.is_some())
                                .map(|x| x.id)
                                .collect();
                            let start = remembered_space()
                                .filter(|id| named.contains(id))
                                .or(match named.as_slice() {
                                    [only] => Some(*only),
                                    _ => None,
                                })
                                .map(Route::Space)
                                .unwrap_or(Route::Home);
                            route.set(Some(start));
                        }
                        sync.set(s.sync.clone());
                        session.set(Some(s));
                    }
                    Ok(_) => {}
                    Err(e) => error.set(Some(e)),
                }
            });
        });
    }
    {
        let d = *display;
        use_effect_with(d, save_display);
    }

    let ctx = Ctx {
        i18n: I18n::new(display.lang),
        go: {
            let route = route.clone();
            let error = error.clone();
            Callback::from(move |r: Route| {
                match &r {
                    Route::Space(id) => remember_space(Some(*id)),
                    Route::Home => remember_space(None),
                    _ => {}
                }
                error.set(None);
                route.set(Some(r));
                #[cfg(target_arch = "wasm32")]
                if let Some(w) = web_sys::window() {
                    w.scroll_to_with_x_and_y(0.0, 0.0);
                }
            })
        },
        error: {
            let error = error.clone();
            Callback::from(move |e| error.set(e))
        },
        refresh: {
            let tick = tick.dispatcher();
            Callback::from(move |_| tick.dispatch(()))
        },
        tick: tick.0,
        now_ms: *now,
    };

    let set_display = {
        let display = display.clone();
        Callback::from(move |d: Display| display.set(d))
    };
    let class = classes!(
        "app",
        display.large.then_some("large"),
        display.contrast.then_some("contrast")
    );
    let body = match (&*session, &*route) {
        (None, _) | (_, None) => html! {
            <p class="loading" role="status">{ ctx.t("loading") }</p>
        },
        (Some(s), Some(_)) if s.display_name.is_none() || s.spaces.is_empty() => html! {
            <views::welcome::Welcome session={s.clone()} invited={invite.is_some()} />
        },
        (Some(s), Some(r)) => match r.clone() {
            Route::Home => html! { <views::space::SpaceList session={s.clone()} /> },
            Route::Space(id) => html! { <views::space::SpacePage space={id} /> },
            Route::Project { project, tab } => html! {
                <views::project::ProjectScreen {project} {tab} sort={IdeaSort::Supports} />
            },
            Route::Idea { project, idea } => html! {
                <views::idea::IdeaScreen {project} {idea} />
            },
            Route::Projector { project } => html! {
                <views::insight::InsightScreen {project} projector=true />
            },
            Route::Settings => html! {
                <views::settings::Settings session={s.clone()} display={*display} set_display={set_display.clone()} />
            },
        },
    };
    let err = error.as_ref().map(|e| views::error_banner(&ctx, e));
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            <div class={class} lang={display.lang.tag()}>
                <a class="skip" href="#main">{ ctx.t("skip-to-content") }</a>
                <header class="bar">
                    // The accessible name starts with the visible text
                    // (WCAG 2.5.3), then says where it goes.
                    <button class="brand" onclick={ctx.go.reform(|_| Route::Home)}
                        aria-label={format!("{} · {}", ctx.t("app-name"), ctx.t("home"))}>
                        <span class="mark" aria-hidden="true"></span>
                        <span>{ ctx.t("app-name") }</span>
                    </button>
                    <views::sync::SyncIndicator status={(*sync).clone()} />
                    <views::settings::LanguageSwitch display={*display} set_display={set_display.clone()} />
                    <button class="icon" onclick={ctx.go.reform(|_| Route::Settings)}
                        aria-label={ctx.t("settings")} title={ctx.t("settings")}>
                        <span aria-hidden="true">{ "⚙" }</span>
                    </button>
                </header>
                <views::sync::KeepOpenNotice status={(*sync).clone()} />
                { for err }
                <main id="main" tabindex="-1">{ body }</main>
            </div>
        </ContextProvider<Ctx>>
    }
}
