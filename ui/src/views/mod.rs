//! Screens. Each screen is a container that fetches a read model and a
//! view that renders it; views are pure functions of their props and the
//! [`Ctx`], so tests render them to HTML in both languages.

pub mod decide;
pub mod idea;
pub mod insight;
pub mod project;
pub mod settings;
pub mod space;
pub mod sync;
pub mod welcome;

use wasm_bindgen::JsCast;
use yew::prelude::*;
use yoriai_crdt::api::Request;
use yoriai_crdt::api::{ApiError, ErrorKind};
use yoriai_crdt::phase::{PhaseKind, PhaseState};
use yoriai_crdt::{DocId, ProjectCommand, Role};

use crate::app::{act, Ctx};

/// The error line under the header.
pub fn error_banner(ctx: &Ctx, e: &ApiError) -> Html {
    let close = ctx.error.reform(|_| None);
    html! {
        <div class="banner error" role="alert">
            <strong>{ ctx.t(error_id(e.kind)) }</strong>
            <span class="detail">{ &e.detail }</span>
            <button class="link" onclick={close}>{ ctx.t("dismiss") }</button>
        </div>
    }
}

/// The message id for an error kind.
pub fn error_id(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Invalid => "error-invalid",
        ErrorKind::NotAllowed => "error-not-allowed",
        ErrorKind::PhaseClosed => "error-phase-closed",
        ErrorKind::NotFound => "error-not-found",
        ErrorKind::Network => "error-network",
        ErrorKind::Storage => "error-storage",
        ErrorKind::Other => "error-other",
    }
}

/// The message id for a phase kind.
pub fn phase_kind_id(kind: PhaseKind) -> String {
    format!("phase-kind-{}", kind.name())
}

/// The kind of a phase, in the current language, where its title does
/// not already say it ("Ideas" needs no "Ideas" beside it).
pub fn kind_beside(ctx: &Ctx, kind: PhaseKind, title: &str) -> Option<String> {
    let k = ctx.t(&phase_kind_id(kind));
    (!title.to_lowercase().contains(&k.to_lowercase())).then_some(k)
}

/// The message id for a phase state.
pub fn phase_state_id(state: PhaseState) -> &'static str {
    match state {
        PhaseState::Upcoming => "phase-upcoming",
        PhaseState::Open => "phase-open",
        PhaseState::Closed => "phase-closed",
    }
}

/// The message id for a role.
pub fn role_id(role: Role) -> String {
    format!("role-{}", role.name())
}

/// A time as the member reads it: "3 min ago" within a day, else the date.
pub fn ago(ctx: &Ctx, ms: i64) -> String {
    let secs = (ctx.now_ms - ms).max(0) / 1000;
    match secs {
        0..=59 => ctx.t("just-now"),
        60..=3599 => ctx.i18n.tn("minutes-ago", (secs / 60) as u64),
        3600..=86_399 => ctx.i18n.tn("hours-ago", (secs / 3600) as u64),
        _ => date(ms),
    }
}

/// A date (UTC, year-month-day), the same on every device and in tests.
pub fn date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y}-{m:02}-{d:02}")
}

/// The value of the `<input>` an event came from.
pub fn input_value(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The value of the `<textarea>` an event came from.
pub fn area_value(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The value of the `<select>` an event came from.
pub fn select_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Whether a checkbox event's box is now checked.
pub fn checked(e: &Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// A text field bound to a state.
pub fn bind(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let s = state.clone();
    Callback::from(move |e: InputEvent| s.set(input_value(&e)))
}

/// A textarea bound to a state.
pub fn bind_area(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let s = state.clone();
    Callback::from(move |e: InputEvent| s.set(area_value(&e)))
}

/// A button's callback that sends one project command (the screen
/// refreshes when the node accepted it, or shows why not).
pub fn send(ctx: &Ctx, project: DocId, command: ProjectCommand) -> Callback<MouseEvent> {
    let ctx = ctx.clone();
    Callback::from(move |_| {
        let request = Request::ProjectCommand {
            project,
            command: command.clone(),
        };
        act(&ctx, request, |_| {})
    })
}

/// A form of text fields that sends the project command `command` builds
/// from their values, and empties them once the node accepted it.
pub fn command_form<const N: usize>(
    ctx: &Ctx,
    project: DocId,
    fields: [&UseStateHandle<String>; N],
    command: impl Fn([String; N]) -> ProjectCommand + 'static,
) -> Callback<SubmitEvent> {
    let ctx = ctx.clone();
    let fields: [UseStateHandle<String>; N] = fields.map(Clone::clone);
    on_submit(move || {
        let values = fields.each_ref().map(|f| (**f).clone());
        let clear = fields.clone();
        let request = Request::ProjectCommand {
            project,
            command: command(values),
        };
        act(&ctx, request, move |_| {
            clear.iter().for_each(|f| f.set(String::new()))
        })
    })
}

/// A form's submit handler that does not reload the page.
pub fn on_submit(f: impl Fn() + 'static) -> Callback<SubmitEvent> {
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        f();
    })
}

/// A horizontal bar for a share (0..=total), labelled for screen readers.
pub fn bar(label: &str, value: u64, total: u64) -> Html {
    let pct = (value * 100).checked_div(total).unwrap_or(0);
    html! {
        <div class="meter" role="img" aria-label={format!("{label}: {value}/{total}")}>
            <div class="fill" style={format!("width:{pct}%")}></div>
        </div>
    }
}

/// A page header with a back button.
pub fn page_head(ctx: &Ctx, back: Option<(crate::app::Route, String)>, title: &str) -> Html {
    html! {
        <div class="page-head">
            if let Some((route, label)) = back {
                <button class="back" onclick={ctx.go.reform(move |_| route.clone())}>
                    <span aria-hidden="true">{ "← " }</span>{ label }
                </button>
            }
            <h1>{ title }</h1>
        </div>
    }
}

/// "Loading…" or the error, for a fetch that has no answer to show.
pub fn pending(ctx: &Ctx, state: &Option<Result<yoriai_crdt::api::Response, ApiError>>) -> Html {
    match state {
        Some(Err(e)) => html! {
            <div class="banner error" role="alert">
                <strong>{ ctx.t(error_id(e.kind)) }</strong>
                <span class="detail">{ &e.detail }</span>
            </div>
        },
        _ => html! { <p class="loading" role="status">{ ctx.t("loading") }</p> },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{I18n, Lang};

    #[test]
    fn dates_are_civil() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_780_000_000_000), "2026-05-28");
        assert_eq!(date(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn every_kind_role_and_error_has_words_in_both_languages() {
        for lang in Lang::ALL {
            let i = I18n::new(lang);
            let mut ids: Vec<String> = PhaseKind::ALL.iter().map(|k| phase_kind_id(*k)).collect();
            ids.extend([Role::Resident, Role::Staff, Role::Admin].map(role_id));
            ids.extend(
                [PhaseState::Upcoming, PhaseState::Open, PhaseState::Closed]
                    .map(|s| phase_state_id(s).to_string()),
            );
            ids.extend(
                [
                    ErrorKind::Invalid,
                    ErrorKind::NotAllowed,
                    ErrorKind::PhaseClosed,
                    ErrorKind::NotFound,
                    ErrorKind::Network,
                    ErrorKind::Storage,
                    ErrorKind::Other,
                ]
                .map(|k| error_id(k).to_string()),
            );
            ids.extend(decide::dynamic_ids());
            for id in ids {
                assert!(i.has(&id), "{lang:?} lacks {id}");
            }
        }
    }
}
