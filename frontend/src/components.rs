//! Small building blocks shared by the pages.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rapport_core::account::LoginRequest;
use rapport_core::contact::ConnectionStatus;
use rapport_core::{FieldErrors, Problem};

use crate::api::{self, ApiResult};
use crate::auth::use_auth;

/// Sets the document title (what tabs, history and screen readers show).
pub fn set_title(page: &str) {
    let title = if page.is_empty() {
        "Rapport".to_owned()
    } else {
        format!("{page} · Rapport")
    };
    document().set_title(&title);
}

/// The page's `<h1>`. It takes focus when the page appears, so that
/// keyboard and screen-reader users start at the new page's top after a
/// client-side navigation.
#[component]
pub fn PageHeading(
    #[prop(optional)] id: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    view! {
        <h1 id=id tabindex="-1" node_ref=heading>
            {children()}
        </h1>
    }
}

/// A labelled text input bound to a signal.
#[component]
pub fn Field(
    /// The input's id and name.
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// The `type` attribute: `text`, `email`, `password`.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// A hint shown under the input and read with it.
    #[prop(optional)]
    hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] minlength: Option<u32>,
    /// Marks the input invalid (the problem names its field).
    #[prop(into)]
    invalid: Signal<bool>,
) -> impl IntoView {
    let hint_id = hint.map(|_| format!("{id}-hint"));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                required=required
                minlength=minlength
                aria-describedby=hint_id.clone()
                aria-invalid=move || invalid.get().then_some("true")
                bind:value=value
            />
            {hint.map(|text| view! { <p class="hint" id=hint_id>{text}</p> })}
        </div>
    }
}

/// The problem of the last attempt, announced to screen readers.
#[component]
pub fn ProblemAlert(#[prop(into)] problem: Signal<Option<Problem>>) -> impl IntoView {
    view! {
        <div class="alert-slot" role="alert">
            {move || {
                problem
                    .get()
                    .map(|problem| {
                        view! {
                            <p class="alert">
                                {for_people(&problem)}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// A submit button that shows progress and refuses double submits.
#[component]
pub fn SubmitButton(
    id: &'static str,
    label: &'static str,
    busy_label: &'static str,
    #[prop(into)] busy: Signal<bool>,
) -> impl IntoView {
    view! {
        <button
            id=id
            type="submit"
            class="button primary"
            disabled=move || busy.get()
            aria-busy=move || busy.get().then_some("true")
        >
            {move || {
                if busy.get() {
                    view! {
                        <span class="spinner" aria-hidden="true"></span>
                        {busy_label}
                    }
                        .into_any()
                } else {
                    label.into_any()
                }
            }}
        </button>
    }
}

/// A quiet loading indicator.
#[component]
pub fn Loading(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
    view! {
        <div class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

/// The problem's `human_message`, with the fields named as the form labels
/// name them.
fn for_people(problem: &Problem) -> String {
    let mut problem = problem.clone();
    if problem.code == "validation_failed" && !problem.errors.is_empty() {
        problem.detail = "Some fields need a change.".to_owned();
    }
    for error in &mut problem.errors {
        error.field = field_label(&error.field).to_owned();
    }
    problem.human_message()
}

fn field_label(field: &str) -> String {
    match field {
        "display_name" => "Your name".to_owned(),
        "email" => "Email".to_owned(),
        "password" => "Password".to_owned(),
        "invite_code" => "Invite code".to_owned(),
        // `how_met.met_on` → "Met on", `emails[1]` → "Emails 2".
        other => {
            let last = other.rsplit('.').next().unwrap_or(other);
            let mut words = last.replace('_', " ");
            if let Some(open) = words.find('[') {
                let index: String = words[open + 1..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let position = index.parse::<usize>().map(|i| i + 1).unwrap_or(1);
                words = format!("{} {position}", &words[..open]);
            }
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => other.to_owned(),
            }
        }
    }
}

/// The same problem the server would answer, found before sending.
pub fn invalid_fields(errors: FieldErrors) -> Problem {
    let mut problem = Problem::new(
        422,
        "validation_failed",
        "Unprocessable Entity",
        "Some fields need a change.",
    );
    problem.errors = errors.into_vec();
    problem
}

/// A page's data, loaded when the page opens: the answer, or the problem.
pub type Loaded<T> = LocalResource<ApiResult<T>>;

/// Renders what a resource loaded: a spinner until the first answer, the
/// problem in words when it failed, `ready` with the value otherwise. A
/// reload (`refetch`) keeps what is on screen until the new answer replaces
/// it.
pub fn loaded<T, V>(resource: Loaded<T>, ready: impl Fn(T) -> V + 'static) -> AnyView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    settled(resource, move |result| match result {
        Ok(value) => ready(value).into_any(),
        Err(problem) => failed(problem),
    })
}

/// Like [`loaded`], with the page's own view of a failure: `show` gets the
/// answer or the problem.
pub fn settled<T>(resource: Loaded<T>, show: impl Fn(ApiResult<T>) -> AnyView + 'static) -> AnyView
where
    T: Clone + Send + Sync + 'static,
{
    let show = StoredValue::new_local(show);
    transition(Arc::new(move || {
        Box::pin(async move {
            let result = resource.await;
            show.with_value(|show| show(result))
        })
    }))
}

/// A view that is ready when its future is.
type ViewFuture = Pin<Box<dyn Future<Output = AnyView> + Send>>;

/// The part of [`loaded`] that does not depend on the resource's type (one
/// copy of it in the WASM, not one a page).
fn transition(view: Arc<dyn Fn() -> ViewFuture + Send + Sync>) -> AnyView {
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(view())}
        </Transition>
    }
    .into_any()
}

/// A failed load, in words (as a view of any page).
pub fn failed(problem: Problem) -> AnyView {
    view! { <ErrorNote problem /> }.into_any()
}

/// A failed load, in words.
#[component]
pub fn ErrorNote(problem: Problem) -> impl IntoView {
    view! { <p class="alert" role="alert">{for_people(&problem)}</p> }
}

/// A textarea bound to a signal.
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 3)] rows: u32,
    #[prop(into, optional)] invalid: Signal<bool>,
) -> impl IntoView {
    let hint_id = hint.map(|_| format!("{id}-hint"));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <textarea
                id=id
                name=id
                rows=rows
                aria-describedby=hint_id.clone()
                aria-invalid=move || invalid.get().then_some("true")
                bind:value=value
            ></textarea>
            {hint.map(|text| view! { <p class="hint" id=hint_id>{text}</p> })}
        </div>
    }
}

/// Referral comfort as five stars (read-only), with words for screen readers.
#[component]
pub fn Stars(comfort: Option<u8>) -> impl IntoView {
    let label = match comfort {
        Some(n) => format!("Comfort {n} of 5"),
        None => "Comfort not rated".to_owned(),
    };
    let filled = comfort.unwrap_or(0);
    view! {
        <span class="stars" role="img" aria-label=label.clone() title=label>
            {(1..=5u8)
                .map(|i| {
                    view! { <span class=if i <= filled { "star on" } else { "star" }>"★"</span> }
                })
                .collect_view()}
        </span>
    }
}

/// Familiarity 0–100 as a bar, with the number.
#[component]
pub fn FamiliarityBar(score: u8) -> impl IntoView {
    let label = format!("Familiarity {score} of 100");
    view! {
        <span class="fambar" role="img" aria-label=label.clone() title=label>
            <span class="fambar-track">
                <span class="fambar-fill" style:width=format!("{score}%")></span>
            </span>
            <span class="fambar-num" aria-hidden="true">{score}</span>
        </span>
    }
}

/// The connection status in words.
pub fn status_label(status: ConnectionStatus) -> &'static str {
    match status {
        ConnectionStatus::NotConnected => "Not connected",
        ConnectionStatus::Asked => "Asked",
        ConnectionStatus::Open => "Open to connect",
        ConnectionStatus::NotNow => "Not now",
        ConnectionStatus::Invited => "Invited",
        ConnectionStatus::Connected => "Connected",
        ConnectionStatus::Declined => "Declined",
        ConnectionStatus::TheyInvitedMe => "They invited me",
    }
}

thread_local! {
    /// The signed-in user's time zone (see [`set_time_zone`]).
    static TIME_ZONE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Days follow this IANA time zone from now on (the user's setting).
pub fn set_time_zone(zone: Option<String>) {
    TIME_ZONE.with(|z| *z.borrow_mut() = zone);
}

/// Today's date in the user's time zone — the same day the server counts
/// with — or, before one is set, in the browser's.
pub fn today() -> chrono::NaiveDate {
    TIME_ZONE
        .with(|z| z.borrow().clone())
        .and_then(|zone| today_in(&zone))
        .unwrap_or_else(|| {
            let now = js_sys::Date::new_0();
            chrono::NaiveDate::from_ymd_opt(
                now.get_full_year() as i32,
                now.get_month() + 1,
                now.get_date(),
            )
            .unwrap_or_default()
        })
}

/// Today in an IANA time zone, by the browser's `Intl` (`None` when the
/// browser does not know the zone).
fn today_in(zone: &str) -> Option<chrono::NaiveDate> {
    use wasm_bindgen::JsCast;
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"timeZone".into(), &zone.into()).ok()?;
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // Constructed by reflection: an unknown zone throws, caught here.
    let arguments = js_sys::Array::of2(&"en-CA".into(), &options);
    let format = js_sys::Reflect::construct(&constructor, &arguments).ok()?;
    let format_fn: js_sys::Function = js_sys::Reflect::get(&format, &"format".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // en-CA writes dates as 2026-03-11.
    let text = format_fn
        .call1(&format, &js_sys::Date::new_0())
        .ok()?
        .as_string()?;
    text.parse().ok()
}

/// The browser's own IANA time zone, if it says.
pub fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()?
        .as_string()
}

/// "12 Mar 2026" (without chrono's formatter, which is large in WASM).
pub fn format_date(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// "today", "yesterday", "3 days ago", "in 5 days".
pub fn relative_date(date: chrono::NaiveDate) -> String {
    let days = (date - today()).num_days();
    match days {
        0 => "today".to_owned(),
        -1 => "yesterday".to_owned(),
        1 => "tomorrow".to_owned(),
        d if d < 0 => format!("{} days ago", -d),
        d => format!("in {d} days"),
    }
}

/// Signs out here and on the server.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let auth = use_auth();
    let busy = RwSignal::new(false);
    let on_click = move |_| {
        busy.set(true);
        spawn_local(async move {
            if let Some(token) = auth.access_token() {
                // Signed out here whatever the server says: the cookie is
                // HttpOnly, and an ended session is what the user asked for.
                let _ = api::auth::logout(&token).await;
            }
            auth.clear();
            busy.set(false);
        });
    };
    view! {
        <button
            id="sign-out"
            type="button"
            class="button quiet"
            disabled=move || busy.get()
            aria-busy=move || busy.get().then_some("true")
            on:click=on_click
        >
            {move || if busy.get() { "Signing out…" } else { "Sign out" }}
        </button>
    }
}

/// Asks to sign in again when the session ended while a page was open; the
/// page stays underneath with whatever was typed in it.
#[component]
pub fn SessionExpiredDialog() -> impl IntoView {
    let auth = use_auth();
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let submit = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            match api::auth::login(&request).await {
                Ok(response) => {
                    password.set(String::new());
                    problem.set(None);
                    auth.signed_in(response);
                }
                Err(error) => problem.set(Some(error)),
            }
        }
    });
    let busy = submit.pending();
    view! {
        <Show when=move || auth.expired()>
            <div class="backdrop">
                <section
                    class="dialog card"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="expired-heading"
                >
                    <PageHeading id="expired-heading">"Sign in again"</PageHeading>
                    <p class="lead">
                        "Your session has ended. Sign in to carry on where you were; nothing you typed is lost."
                    </p>
                    <form
                        class="form"
                        novalidate
                        on:submit=move |event| {
                            event.prevent_default();
                            let email = auth.user().map(|u| u.email).unwrap_or_default();
                            submit.dispatch(LoginRequest { email, password: password.get_untracked() });
                        }
                    >
                        <Field
                            id="expired-password"
                            label="Password"
                            kind="password"
                            autocomplete="current-password"
                            required=true
                            value=password
                            invalid=Signal::derive(move || problem.with(Option::is_some))
                        />
                        <ProblemAlert problem />
                        <SubmitButton id="expired-sign-in" label="Sign in" busy_label="Signing in…" busy />
                    </form>
                    <div class="actions">
                        <button type="button" class="button quiet" on:click=move |_| auth.clear()>
                            "Sign in as someone else"
                        </button>
                    </div>
                </section>
            </div>
        </Show>
    }
}

/// Does the problem name this field as invalid?
pub fn names_field(problem: &Option<Problem>, field: &str) -> bool {
    problem
        .as_ref()
        .is_some_and(|p| p.errors.iter().any(|e| e.field == field))
}
