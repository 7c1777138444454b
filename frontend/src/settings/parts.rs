//! Pieces shared by the settings and admin pages: panels, forms and their
//! outcomes, lists of rows with one action each, secrets shown once, dates.
//!
//! The pages are built from data (rows, field lists) rendered by these few
//! functions rather than from one `view!` per screen part: every distinct
//! view type costs WASM size.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rapport_core::account::AdminUserPatch;
use rapport_core::{FieldErrors, Problem};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiResult};
use crate::components::{
    invalid_fields, loaded, names_field, relative_date, ErrorNote, Field, SubmitButton,
};

/// A titled section of a page. The heading can take focus (after an
/// action removed the button that had it).
pub fn panel(
    id: &'static str,
    title: &'static str,
    lead: &'static str,
    body: Vec<AnyView>,
) -> AnyView {
    view! {
        <section class="panel set-panel" aria-labelledby=id>
            <h2 id=id tabindex="-1">{title}</h2>
            {(!lead.is_empty()).then(|| view! { <p class="set-lead">{lead}</p> })}
            {body}
        </section>
    }
    .into_any()
}

/// A request that says what happened ("Saved") when it succeeds.
pub type Request = Pin<Box<dyn Future<Output = Result<&'static str, Problem>>>>;

/// The state of a form or a list's actions: busy while a request runs,
/// then a note ("Saved") or the problem.
#[derive(Clone, Copy)]
pub struct Outcome {
    pub problem: RwSignal<Option<Problem>>,
    pub note: RwSignal<Option<&'static str>>,
    pub busy: RwSignal<bool>,
}

impl Outcome {
    pub fn new() -> Self {
        Outcome {
            problem: RwSignal::new(None),
            note: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// Whether the last problem names this field.
    pub fn invalid(self, field: &'static str) -> Signal<bool> {
        Signal::derive(move || self.problem.with(|p| names_field(p, field)))
    }

    /// Sends `request` when `checked` passed; the request says what
    /// happened (not generic: one copy of this code for every form).
    pub fn run(self, checked: Result<(), FieldErrors>, request: Request) {
        if self.busy.get_untracked() {
            return;
        }
        self.note.set(None);
        if let Err(errors) = checked {
            self.problem.set(Some(invalid_fields(errors)));
            return;
        }
        self.problem.set(None);
        self.busy.set(true);
        spawn_local(async move {
            match request.await {
                Ok(note) => self.note.set(Some(note)),
                Err(problem) => self.problem.set(Some(problem)),
            }
            self.busy.set(false);
        });
    }

    /// The note in a status region, then the problem in an alert.
    pub fn feedback(self) -> impl IntoView {
        view! {
            <p class="set-saved" role="status">
                {move || self.note.get()}
            </p>
            {move || self.problem.get().map(|problem| view! { <ErrorNote problem /> })}
        }
    }
}

/// A form: its fields side by side, the note or problem, the button.
pub fn form(
    outcome: Outcome,
    fields: Vec<AnyView>,
    button: (&'static str, &'static str),
    submit: Box<dyn Fn()>,
) -> AnyView {
    view! {
        <form
            class="form"
            novalidate
            on:submit=move |event: SubmitEvent| {
                event.prevent_default();
                submit();
            }
        >
            <div class="set-grid">{fields}</div>
            {outcome.feedback()}
            <SubmitButton id=button.0 label=button.1 busy_label="Saving…" busy=outcome.busy />
        </form>
    }
    .into_any()
}

/// A labelled input bound to a signal, marked when the problem names
/// `field` (the API's name; `id` is the element's).
pub fn input(
    outcome: Outcome,
    (field, id): (&'static str, &'static str),
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    hint: Option<&'static str>,
    value: RwSignal<String>,
) -> AnyView {
    let invalid = outcome.invalid(field);
    match hint {
        Some(hint) => view! { <Field id label kind autocomplete hint value invalid /> }.into_any(),
        None => view! { <Field id label kind autocomplete value invalid /> }.into_any(),
    }
}

/// A labelled `<select>` bound to a signal; `options` are (value, words).
pub fn select(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: &'static [(&'static str, &'static str)],
    hint: &'static str,
) -> AnyView {
    let initial = value.get_untracked();
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                name=id
                aria-describedby=hint_id.clone()
                on:change=move |event| value.set(event_target_value(&event))
            >
                {options
                    .iter()
                    .map(|&(v, words)| view! { <option value=v selected=initial == v>{words}</option> })
                    .collect_view()}
            </select>
            <p class="hint" id=hint_id>{hint}</p>
        </div>
    }
    .into_any()
}

/// One line of a list: a title, small tags (words, class), facts, and at
/// most one action.
#[derive(Clone)]
pub struct Row {
    pub title: String,
    pub tags: Vec<(&'static str, &'static str)>,
    pub meta: String,
    pub action: Option<Act>,
}

/// A row's action: a button that makes one call.
#[derive(Clone)]
pub struct Act {
    /// The button's id.
    pub id: String,
    pub label: &'static str,
    /// The button's full name, e.g. "Revoke backup script".
    pub name: String,
    /// Asked first (the browser's confirmation dialog).
    pub confirm: Option<String>,
    pub call: Call,
    /// Said afterwards.
    pub done: &'static str,
}

/// What a row's action asks of the API.
#[derive(Clone, Copy)]
pub enum Call {
    RevokeSession(Uuid),
    RevokeToken(Uuid),
    /// Disables (`true`) or enables an account.
    DisableUser(Uuid, bool),
}

impl Call {
    async fn send(self) -> ApiResult<()> {
        match self {
            Call::RevokeSession(id) => api::me::revoke_session(id).await,
            Call::RevokeToken(id) => api::me::revoke_token(id).await,
            Call::DisableUser(id, disabled) => {
                let patch = AdminUserPatch { disabled };
                api::admin::update_user(id, &patch).await.map(drop)
            }
        }
    }
}

pub type Rows = ApiResult<Vec<Row>>;
pub type Source = fn() -> Pin<Box<dyn Future<Output = Rows>>>;

/// A list loaded from a source, reloaded after each action.
#[derive(Clone, Copy)]
pub struct List {
    pub rows: LocalResource<Rows>,
    /// The heading of the list's panel (focused after an action).
    heading: &'static str,
    outcome: Outcome,
}

impl List {
    pub fn new(source: Source, heading: &'static str) -> Self {
        List {
            rows: LocalResource::new(source),
            heading,
            outcome: Outcome::new(),
        }
    }

    /// Loads again; the rows on screen stay until the new ones arrive.
    pub fn reload(self) {
        self.rows.refetch();
    }

    /// The subheading (if any), the note or problem of the last action,
    /// then the rows.
    pub fn view(self, title: &'static str, id: &'static str, empty: &'static str) -> AnyView {
        view! {
            {(!title.is_empty()).then(|| view! { <h3 class="set-subhead">{title}</h3> })}
            {self.outcome.feedback()}
            {loaded(
                    self.rows,
                    move |rows: Vec<Row>| {
                        if rows.is_empty() {
                            return view! { <p class="set-empty">{empty}</p> }.into_any();
                        }
                        view! {
                            <ul class="set-rows" id=id>
                                {rows.into_iter().map(|row| self.row(row)).collect_view()}
                            </ul>
                        }
                            .into_any()
                    },
                )}
        }
        .into_any()
    }

    fn row(self, row: Row) -> impl IntoView {
        let busy = self.outcome.busy;
        let action = row.action.map(|act| {
            view! {
                <button
                    id=act.id.clone()
                    type="button"
                    class="button small"
                    aria-label=act.name.clone()
                    disabled=move || busy.get()
                    on:click=move |_| self.act(&act)
                >
                    {act.label}
                </button>
            }
        });
        view! {
            <li class="set-row">
                <div class="set-row-main">
                    <span class="set-name">{row.title}</span>
                    {row
                        .tags
                        .into_iter()
                        .map(|(words, class)| view! { <span class=class>{words}</span> })
                        .collect_view()}
                    <span class="set-meta">{row.meta}</span>
                </div>
                {action}
            </li>
        }
    }

    fn act(self, act: &Act) {
        if let Some(question) = &act.confirm {
            if !window().confirm_with_message(question).unwrap_or(false) {
                return;
            }
        }
        let (call, done) = (act.call, act.done);
        self.outcome.run(
            Ok(()),
            Box::pin(async move {
                call.send().await?;
                self.reload();
                if let Some(heading) = document()
                    .get_element_by_id(self.heading)
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = heading.focus();
                }
                Ok(done)
            }),
        );
    }
}

/// A secret shown once, while `value` holds it.
pub fn secret(
    value: RwSignal<Option<String>>,
    (id, copy_id): (&'static str, &'static str),
    label: &'static str,
    note: &'static str,
) -> AnyView {
    (move || {
        value.get().map(|text| {
            view! {
                <SecretOnce
                    id
                    copy_id
                    label
                    value=text
                    note
                    on_done=Callback::new(move |()| value.set(None))
                />
            }
        })
    })
    .into_any()
}

/// A secret the server shows only once: read-only, with a copy button.
#[component]
pub fn SecretOnce(
    /// The input's id.
    id: &'static str,
    copy_id: &'static str,
    label: &'static str,
    value: String,
    note: &'static str,
    on_done: Callback<()>,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let copied = RwSignal::new(None::<&'static str>);
    let note_id = format!("{id}-note");
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let copy = {
        let value = value.clone();
        move |_| copy_text(&value, input, copied)
    };
    view! {
        <div class="set-secret">
            <label for=id>{label}</label>
            <div class="set-secret-row">
                <input
                    id=id
                    class="set-mono"
                    type="text"
                    readonly
                    spellcheck="false"
                    autocomplete="off"
                    aria-describedby=note_id.clone()
                    value=value
                    node_ref=input
                />
                <button id=copy_id type="button" class="button" on:click=copy>
                    "Copy"
                </button>
            </div>
            <p class="set-warning" id=note_id>{note}</p>
            <p class="set-saved" role="status">{move || copied.get()}</p>
            <button type="button" class="button quiet" on:click=move |_| on_done.run(())>
                "Done, hide it"
            </button>
        </div>
    }
}

/// Copies to the clipboard; where the browser refuses (or has no clipboard,
/// as on plain http), selects the text for the person to copy.
fn copy_text(text: &str, input: NodeRef<html::Input>, copied: RwSignal<Option<&'static str>>) {
    let failed = move || {
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
            input.select();
        }
        copied.set(Some(
            "Copying did not work here. The text is selected: copy it with Ctrl+C (⌘C) or your device's menu.",
        ));
    };
    copied.set(None);
    let clipboard = window().navigator().clipboard();
    if clipboard.is_undefined() {
        failed();
        return;
    }
    let ok = Closure::<dyn FnMut(JsValue)>::new(move |_| copied.set(Some("Copied")));
    let refused = Closure::<dyn FnMut(JsValue)>::new(move |_| failed());
    let _ = clipboard.write_text(text).then2(&ok, &refused);
    ok.forget();
    refused.forget();
}

/// The day of an instant in the browser's time zone.
fn local_day(at: DateTime<Utc>) -> NaiveDate {
    let offset =
        js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64)).get_timezone_offset();
    (at - chrono::TimeDelta::minutes(offset as i64)).date_naive()
}

/// "12 Mar 2026" (without chrono's formatter, which is large).
pub fn day(at: DateTime<Utc>) -> String {
    crate::components::format_date(local_day(at))
}

/// "today", "3 days ago".
pub fn ago(at: DateTime<Utc>) -> String {
    relative_date(local_day(at))
}

/// Saves bytes as a file the browser downloads (for answers that need the
/// session's token, which a plain link cannot send).
pub fn save_file(bytes: &[u8], name: &str, media_type: &str) -> Result<(), Problem> {
    let saved = (|| -> Result<(), JsValue> {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(media_type);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
        link.set_href(&url);
        link.set_download(name);
        link.click();
        // The download has started reading the blob by the time this runs.
        set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&url);
            },
            std::time::Duration::from_secs(30),
        );
        Ok(())
    })();
    saved.map_err(|_| {
        Problem::new(
            0,
            "client_error",
            "Not saved",
            "The browser refused to save the file. Try again, or use another browser.",
        )
    })
}
