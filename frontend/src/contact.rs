//! A contact's page, and the form for a new contact.
//!
//! One loader ([`Ctx::changed`]) fetches the contact (with its `ETag`) and
//! what is derived from it into one [`State`]; every panel reads that state.
//! The panels are static skeletons with reactive text, attributes and
//! lists, which keeps the WASM small and the open forms untouched while the
//! data reloads.

mod connection;
mod form;
mod timeline;
mod trust;

use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use rapport_core::contact::{Contact, ContactPatch};
use rapport_core::familiarity::Familiarity;
use rapport_core::introduction::Introduction;
use rapport_core::invitation::InvitationDraft;
use rapport_core::network::{ComfortRating, ConnectionChange};
use rapport_core::Problem;
use uuid::Uuid;

use crate::api::{self, ApiResult};
use crate::components::{
    format_date, relative_date, set_title, status_label, today, ErrorNote, Loading, PageHeading,
};
use crate::pages::replacing;
use form::ContactFields;

/// Everything the page shows, as last loaded.
#[derive(Default)]
pub(crate) struct State {
    pub contact: Option<Contact>,
    pub etag: String,
    /// The contact's last load failed.
    pub problem: Option<Problem>,
    /// The event where we met: (id, name).
    pub event: Option<(Uuid, String)>,
    /// The contact who introduced us: (id, name).
    pub introducer: Option<(Uuid, String)>,
    pub familiarity: Option<ApiResult<Familiarity>>,
    pub comfort: Option<ApiResult<Vec<ComfortRating>>>,
    pub connection: Option<ApiResult<Vec<ConnectionChange>>>,
    pub draft: Option<ApiResult<InvitationDraft>>,
    pub introductions: Option<ApiResult<Vec<Introduction>>>,
}

/// Not loaded yet (`None`), loaded (`Some(None)`) or failed.
pub(crate) fn status_of<T>(part: &Option<ApiResult<T>>) -> Option<Option<Problem>> {
    part.as_ref().map(|r| r.as_ref().err().cloned())
}

/// The parts of the state, each loaded on its own.
#[derive(Clone, Copy)]
enum Part {
    Contact,
    Familiarity,
    Comfort,
    Connection,
    Draft,
    Introductions,
}

/// What every panel of a contact's page shares.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub id: Uuid,
    pub state: RwSignal<State>,
    /// The rating picked in the comfort form; follows the saved one.
    pub comfort_choice: RwSignal<Option<u8>>,
}

impl Ctx {
    /// (Re)loads the contact, then everything derived from it.
    pub fn changed(&self) {
        spawn_local(load(*self, Part::Contact));
    }

    fn load_derived(&self) {
        for part in [
            Part::Familiarity,
            Part::Comfort,
            Part::Connection,
            Part::Draft,
            Part::Introductions,
        ] {
            spawn_local(load(*self, part));
        }
    }

    /// A failed write: shown in words; when it was stale (412) or refused
    /// by the flow (409), the latest state is loaded.
    pub fn failed(&self, feedback: Feedback, problem: Problem) {
        if matches!(problem.status, 409 | 412) {
            self.changed();
        }
        feedback.fail(problem);
    }

    /// Reads a value of the contact (reactively).
    pub fn read<T>(&self, f: impl FnOnce(&Contact) -> T) -> Option<T> {
        self.state.with(|s| s.contact.as_ref().map(f))
    }
}

async fn load(ctx: Ctx, part: Part) {
    let state = ctx.state;
    match part {
        Part::Contact => match api::contacts::get(ctx.id).await {
            Ok(tagged) => {
                let contact = tagged.value;
                let how = contact.how_met.clone().unwrap_or_default();
                let before = state.try_with_untracked(|s| s.contact.as_ref().map(|c| c.comfort));
                if before != Some(Some(contact.comfort)) {
                    ctx.comfort_choice.try_set(contact.comfort);
                }
                let first = before == Some(None);
                set_title(&contact.name);
                state.try_update(|s| {
                    s.contact = Some(contact);
                    s.etag = tagged.etag;
                    s.problem = None;
                });
                if first {
                    focus_later("contact-heading");
                }
                ctx.load_derived();
                let event = match how.event_id {
                    Some(id) => api::events::get(&id.to_string())
                        .await
                        .ok()
                        .map(|e| (id, e.name)),
                    None => None,
                };
                let introducer = match how.introduced_by {
                    Some(id) => api::contacts::get(id)
                        .await
                        .ok()
                        .map(|c| (id, c.value.name)),
                    None => None,
                };
                state.try_update(|s| {
                    s.event = event;
                    s.introducer = introducer;
                });
            }
            Err(problem) => {
                state.try_update(|s| s.problem = Some(problem));
            }
        },
        Part::Familiarity => {
            let result = api::contacts::familiarity(ctx.id).await;
            state.try_update(|s| s.familiarity = Some(result));
        }
        Part::Comfort => {
            let result = api::contacts::comfort_history(ctx.id).await;
            state.try_update(|s| s.comfort = Some(result.map(|p| p.items)));
        }
        Part::Connection => {
            let result = api::contacts::connection_history(ctx.id).await;
            state.try_update(|s| s.connection = Some(result.map(|p| p.items)));
        }
        Part::Draft => {
            let result = api::contacts::invitation_draft(ctx.id).await;
            state.try_update(|s| s.draft = Some(result));
        }
        Part::Introductions => {
            let result = api::introductions::of_contact(ctx.id).await;
            state.try_update(|s| s.introductions = Some(result.map(|p| p.items)));
        }
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    set_title("Contact");
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")?.parse::<Uuid>().ok()));
    // Another contact's address (a link on this page) builds a new page.
    move || match id.get() {
        Some(id) => Either::Left(contact_page(id)),
        None => Either::Right(not_found()),
    }
}

fn contact_page(id: Uuid) -> impl IntoView {
    let ctx = Ctx {
        id,
        state: RwSignal::new(State::default()),
        comfort_choice: RwSignal::new(None),
    };
    ctx.changed();
    let ready = Memo::new(move |_| ctx.state.with(|s| s.contact.is_some()));
    let status = move || {
        ctx.state.with(|s| match (&s.contact, &s.problem) {
            (_, Some(problem)) if problem.status == 404 => not_found().into_any(),
            (_, Some(problem)) => view! {
                <ErrorNote problem=problem.clone() />
                <button type="button" class="button" on:click=move |_| ctx.changed()>
                    "Try again"
                </button>
            }
            .into_any(),
            (None, None) => view! { <Loading label="Loading the contact…" /> }.into_any(),
            (Some(_), None) => ().into_any(),
        })
    };
    let editing = RwSignal::new(false);
    view! {
        {status}
        <article class="page ct-page" aria-labelledby="contact-heading" hidden=Signal::derive(move || !ready.get())>
            {header(ctx, editing)}
            <div class="ct-cols">
                <div class="ct-side">
                    <section class="panel" aria-labelledby="profile-heading">
                        <h2 id="profile-heading">"Profile and how we met"</h2>
                        {profile(ctx, editing)}
                    </section>
                    {trust::comfort_panel(ctx)}
                    {trust::familiarity_panel(ctx)}
                    {connection::connection_panel(ctx)}
                    {connection::introductions_panel(ctx)}
                </div>
                <div class="ct-main">{timeline::timeline(ctx)}</div>
            </div>
        </article>
    }
}

fn not_found() -> impl IntoView {
    view! {
        <section class="page">
            <PageHeading>"Contact not found"</PageHeading>
            <p class="lead">"There is no contact of yours at this address. It may have been deleted."</p>
            <p>
                <a href="/network">"Back to your network"</a>
            </p>
        </section>
    }
}

/// The name, who they are, tags, status, when to be in touch, and the
/// actions on the whole contact.
fn header(ctx: Ctx, editing: RwSignal<bool>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let feedback = Feedback::new();
    let navigate = use_navigate();
    let archived = move || ctx.read(|c| c.archived).unwrap_or(false);
    let archive = move |_| {
        let patch = ContactPatch {
            archived: Some(!archived()),
            ..ContactPatch::default()
        };
        if !feedback.start() {
            return;
        }
        spawn_local(async move {
            let etag = ctx.state.with_untracked(|s| s.etag.clone());
            match api::contacts::update(ctx.id, &patch, &etag).await {
                Ok(_) => {
                    feedback.done(if patch.archived == Some(true) {
                        "Archived."
                    } else {
                        "Restored."
                    });
                    ctx.changed();
                }
                Err(error) => ctx.failed(feedback, error),
            }
        });
    };
    let delete = move |_| {
        if !feedback.start() {
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            let etag = ctx.state.with_untracked(|s| s.etag.clone());
            match api::contacts::delete(ctx.id, &etag).await {
                Ok(()) => navigate("/network", replacing()),
                Err(error) => ctx.failed(feedback, error),
            }
        });
    };
    let subtitle = Signal::derive(move || {
        ctx.read(|c| {
            let parts: Vec<&str> = [c.title.as_deref(), c.company.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            parts.join(" · ")
        })
    });
    let tags = move || {
        ctx.read(|c| {
            c.tags
                .iter()
                .map(|t| view! { <li class="tag">{t.clone()}</li> })
                .collect_view()
        })
    };
    let name = Signal::derive(move || ctx.read(|c| c.name.clone()));
    view! {
        <header class="ct-head">
            <div class="ct-ident">
                <h1 id="contact-heading" tabindex="-1">{name}</h1>
                <p class="ct-sub">{subtitle}</p>
                <div class="ct-meta">
                    <span class="status" id="connection-status">
                        {Signal::derive(move || ctx.read(|c| status_label(c.connection_status)))}
                    </span>
                    <span class="badge" hidden=Signal::derive(move || !archived())>"Archived"</span>
                    <ul class="ct-tags" aria-label="Tags">{tags}</ul>
                </div>
                <p class="ct-due" id="due">{Signal::derive(move || ctx.read(due_line))}</p>
            </div>
            <div class="ct-actions">
                <button
                    id="edit-contact"
                    type="button"
                    class="button quiet"
                    hidden=Signal::derive(move || editing.get())
                    on:click=move |_| {
                        editing.set(true);
                        focus_later("contact-name");
                    }
                >
                    "Edit"
                </button>
                <button
                    id="archive-contact"
                    type="button"
                    class="button quiet"
                    disabled=Signal::derive(move || feedback.busy.get())
                    on:click=archive
                >
                    {Signal::derive(move || if archived() { "Restore" } else { "Archive" })}
                </button>
                <button
                    id="delete-contact"
                    type="button"
                    class="button quiet danger"
                    aria-expanded=Signal::derive(move || confirming.get().to_string())
                    aria-controls="delete-confirm"
                    on:click=move |_| {
                        confirming.set(true);
                        focus_later("confirm-delete");
                    }
                >
                    "Delete"
                </button>
            </div>
        </header>
        <div
            id="delete-confirm"
            class="ct-confirm"
            role="group"
            aria-labelledby="delete-question"
            hidden=Signal::derive(move || !confirming.get())
        >
            <p id="delete-question">
                "Delete " <strong>{name}</strong>
                " for good? Their comfort and connection history, their introductions and the interactions that involved only them go too. Archiving keeps everything but hides them from your lists."
            </p>
            <div class="ct-buttons">
                <button
                    id="confirm-delete"
                    type="button"
                    class="button danger"
                    disabled=Signal::derive(move || feedback.busy.get())
                    on:click=delete
                >
                    "Delete for good"
                </button>
                <button
                    id="cancel-delete"
                    type="button"
                    class="button quiet"
                    on:click=move |_| {
                        confirming.set(false);
                        focus_later("delete-contact");
                    }
                >
                    "Keep"
                </button>
            </div>
        </div>
        {feedback.problem_view()}
        <p class="ct-note" role="status">{feedback.note}</p>
    }
}

/// "Due in 5 days (12 Mar 2026) · keep in touch every 30 days".
fn due_line(contact: &Contact) -> String {
    let cadence = match contact.cadence_days {
        Some(days) => format!("every {}", plural(i64::from(days), "day")),
        None => "at your default cadence".to_owned(),
    };
    let Some(due) = contact.next_due_on else {
        return "No keep-in-touch cadence set".to_owned();
    };
    let days = (due - today()).num_days();
    let when = match days {
        0 => "Due today".to_owned(),
        d if d > 0 => format!("Due in {}", plural(d, "day")),
        d => format!("Overdue by {}", plural(-d, "day")),
    };
    format!("{when} ({}) · keep in touch {cadence}", format_date(due))
}

pub(crate) fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A stale write (412) said in words, the others as they are.
pub(crate) fn stale(problem: Problem) -> Problem {
    if problem.status != 412 {
        return problem;
    }
    Problem::new(
        412,
        "changed_elsewhere",
        "Changed elsewhere",
        "This was changed elsewhere (in another tab or device) since you opened it. The latest version is shown now: check it and make your change again.",
    )
}

/// Focuses an element by id once the view has been updated.
pub(crate) fn focus_later(id: &'static str) {
    request_animation_frame(move || {
        if let Some(element) = document().get_element_by_id(id) {
            use leptos::wasm_bindgen::JsCast;
            let _ = element.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

/// One row of the profile: a label and its values, linked or not.
type Row = (&'static str, Vec<(Option<String>, String)>);

fn rows(s: &State) -> Vec<Row> {
    let Some(c) = &s.contact else {
        return Vec::new();
    };
    let mut rows: Vec<Row> = Vec::new();
    let mut add = |label, values: Vec<(Option<String>, String)>| {
        if !values.is_empty() {
            rows.push((label, values));
        }
    };
    let text = |value: &Option<String>| -> Vec<(Option<String>, String)> {
        value.iter().map(|v| (None, v.clone())).collect()
    };
    add(
        "Email",
        c.emails
            .iter()
            .map(|e| (Some(format!("mailto:{e}")), e.clone()))
            .collect(),
    );
    add(
        "Phone",
        c.phones
            .iter()
            .map(|p| (Some(format!("tel:{}", p.replace(' ', ""))), p.clone()))
            .collect(),
    );
    add(
        "Links",
        c.urls
            .iter()
            .map(|u| (Some(u.clone()), short_url(u)))
            .collect(),
    );
    add("Location", text(&c.location));
    let how = c.how_met.clone().unwrap_or_default();
    let met_on = how
        .met_on
        .map(|d| format!("{} ({})", format_date(d), relative_date(d)));
    add("Met on", text(&met_on));
    let link = |kind: &str, named: &Option<(Uuid, String)>| -> Vec<(Option<String>, String)> {
        named
            .iter()
            .map(|(id, name)| (Some(format!("/{kind}/{id}")), name.clone()))
            .collect()
    };
    add("Event", link("events", &s.event));
    add("Place", text(&how.place));
    add("Introduced by", link("contacts", &s.introducer));
    rows
}

/// `https://www.linkedin.com/in/ada/` → `linkedin.com/in/ada`.
fn short_url(url: &str) -> String {
    let rest = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    rest.trim_end_matches('/').to_owned()
}

/// The profile, read-only, and the same as a form (shown by "Edit").
fn profile(ctx: Ctx, editing: RwSignal<bool>) -> impl IntoView {
    let facts = move || {
        ctx.state.with(|s| {
            rows(s)
                .into_iter()
                .map(|(label, values)| {
                    let values = values
                        .into_iter()
                        .map(|(href, text)| match href {
                            Some(href) => view! { <a href=href>{text}</a> }.into_any(),
                            None => view! { <span>{text}</span> }.into_any(),
                        })
                        .collect_view();
                    view! {
                        <div>
                            <dt>{label}</dt>
                            <dd>{values}</dd>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    let context = Signal::derive(move || {
        ctx.read(|c| c.how_met.as_ref().and_then(|h| h.context.clone()))
            .flatten()
    });
    let notes = move || ctx.read(|c| c.notes.clone()).flatten();
    view! {
        <div hidden=Signal::derive(move || editing.get())>
            <dl class="ct-facts">{facts}</dl>
            <p class="ct-label" hidden=Signal::derive(move || context.with(Option::is_none))>
                "How we met"
            </p>
            <p class="ct-notes">{context}</p>
            <p class="ct-label">"Notes"</p>
            <p class="ct-notes">{Signal::derive(move || notes().unwrap_or_else(|| "No notes yet.".to_owned()))}</p>
        </div>
        <div hidden=Signal::derive(move || !editing.get())>{edit_profile(ctx, editing)}</div>
    }
}

/// The profile as a form; saving sends a PATCH with `If-Match`.
fn edit_profile(ctx: Ctx, editing: RwSignal<bool>) -> impl IntoView {
    let fields = ContactFields::new();
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    // Opening the form fills it with the contact as it is now.
    Effect::new(move |_| {
        if editing.get() {
            problem.set(None);
            ctx.state
                .with_untracked(|s| fields.fill(s.contact.as_ref()));
        }
    });
    let close = move || {
        editing.set(false);
        focus_later("edit-contact");
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let contact = match fields.to_new_contact() {
            Ok(contact) => contact,
            Err(error) => return problem.set(Some(error)),
        };
        let patch = ContactPatch {
            name: Some(contact.name),
            emails: Some(contact.emails),
            phones: Some(contact.phones),
            company: Some(contact.company),
            title: Some(contact.title),
            location: Some(contact.location),
            urls: Some(contact.urls),
            tags: Some(contact.tags),
            notes: Some(contact.notes),
            how_met: Some(contact.how_met),
            cadence_days: Some(contact.cadence_days),
            archived: None,
        };
        problem.set(None);
        busy.set(true);
        spawn_local(async move {
            let etag = ctx.state.with_untracked(|s| s.etag.clone());
            let result = api::contacts::update(ctx.id, &patch, &etag).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    ctx.changed();
                    close();
                }
                Err(error) => {
                    if error.status == 412 {
                        ctx.changed();
                    }
                    problem.set(Some(stale(error)));
                }
            }
        });
    };
    form::contact_form(
        fields,
        problem,
        busy.into(),
        Box::new(on_submit),
        "Save changes",
        Some(Callback::new(move |()| close())),
    )
}

#[component]
pub fn NewContactPage() -> impl IntoView {
    set_title("New contact");
    let navigate = use_navigate();
    let query = use_query_map();
    let fields = ContactFields::new();
    fields.load_events();
    // `/contacts/new?event=<id>`: met at that event.
    if let Some(event) = query.with_untracked(|q| q.get("event")) {
        fields.event.set(event);
    }
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let contact = match fields.to_new_contact() {
            Ok(contact) => contact,
            Err(error) => return problem.set(Some(error)),
        };
        problem.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::contacts::create(&contact).await {
                Ok(created) => navigate(&format!("/contacts/{}", created.id), Default::default()),
                Err(error) => {
                    busy.set(false);
                    problem.set(Some(error));
                }
            }
        });
    };
    view! {
        <section class="page ct-new" aria-labelledby="new-contact-heading">
            <PageHeading id="new-contact-heading">"New contact"</PageHeading>
            <p class="lead">"Only the name is needed; add the rest now or later."</p>
            <div class="panel">
                {form::contact_form(
                    fields,
                    problem,
                    busy.into(),
                    Box::new(on_submit),
                    "Save contact",
                    None,
                )}
            </div>
        </section>
    }
}

/// A form's progress: busy, the last problem, a short confirmation.
#[derive(Clone, Copy)]
pub(crate) struct Feedback {
    pub busy: RwSignal<bool>,
    pub problem: RwSignal<Option<Problem>>,
    pub note: RwSignal<Option<&'static str>>,
}

impl Feedback {
    pub fn new() -> Self {
        Feedback {
            busy: RwSignal::new(false),
            problem: RwSignal::new(None),
            note: RwSignal::new(None),
        }
    }

    /// Starts a request; false when one is already under way.
    pub fn start(&self) -> bool {
        if self.busy.get_untracked() {
            return false;
        }
        self.busy.set(true);
        self.problem.set(None);
        self.note.set(None);
        true
    }

    pub fn done(&self, note: &'static str) {
        self.busy.try_set(false);
        self.note.try_set(Some(note));
    }

    pub fn fail(&self, problem: Problem) {
        self.busy.try_set(false);
        self.note.try_set(None);
        self.problem.try_set(Some(stale(problem)));
    }

    /// Back to rest: no problem, no note.
    pub fn clear(&self) {
        self.problem.set(None);
        self.note.set(None);
    }

    /// The problem in words, if any.
    pub fn problem_view(&self) -> impl IntoView {
        let problem = self.problem;
        move || problem.get().map(|problem| view! { <ErrorNote problem /> })
    }

    /// The problem, the submit button and the confirmation.
    pub fn view(&self, id: &'static str, label: &'static str) -> impl IntoView {
        let busy = self.busy;
        let note = self.note;
        view! {
            {self.problem_view()}
            <div class="ct-buttons">
                <button
                    id=id
                    type="submit"
                    class="button primary inline"
                    disabled=Signal::derive(move || busy.get())
                    aria-busy=Signal::derive(move || busy.get().then_some("true"))
                >
                    {Signal::derive(move || if busy.get() { "Saving…" } else { label })}
                </button>
                <span class="ct-note" role="status">{note}</span>
            </div>
        }
    }
}

/// A part of the page that loads: "Loading…" until it has, then nothing;
/// the problem in words when it failed.
pub(crate) fn part_status(ctx: Ctx, pick: fn(&State) -> Option<Option<Problem>>) -> impl IntoView {
    move || {
        ctx.state.with(|s| match pick(s) {
            None => Some(view! { <p class="muted">"Loading…"</p> }.into_any()),
            Some(Some(problem)) => Some(view! { <ErrorNote problem /> }.into_any()),
            Some(None) => None,
        })
    }
}
