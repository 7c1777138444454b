//! Events: list, creation, detail with the card drop and the contacts met there.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use rapport_core::contact::Contact;
use rapport_core::event::{CardDrop, CardDropPatch, Event, EventPatch, NewEvent};
use rapport_core::{FieldErrors, Problem, Validate};
use wasm_bindgen::JsValue;

use crate::api;
use crate::components::{
    format_date, invalid_fields, loaded, names_field, set_title, ErrorNote, FamiliarityBar, Field,
    PageHeading, ProblemAlert, Stars, SubmitButton, TextArea,
};

/// Runs one write at a time, with `busy` set while it runs.
pub(crate) fn run(busy: RwSignal<bool>, task: impl std::future::Future<Output = ()> + 'static) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    spawn_local(async move {
        task.await;
        busy.set(false);
    });
}

/// Trimmed text, or `None` when blank.
pub(crate) fn optional(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// A problem shown under a secondary form (announced as it appears).
pub(crate) fn problem_note(problem: RwSignal<Option<Problem>>) -> impl IntoView {
    move || problem.get().map(|problem| view! { <ErrorNote problem /> })
}

/// "8 Sep 2026" or "8 Sep 2026 – 10 Sep 2026".
fn date_range(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> String {
    match ends_on.filter(|end| *end != starts_on) {
        Some(end) => format!("{} – {}", format_date(starts_on), format_date(end)),
        None => format_date(starts_on),
    }
}

/// A `datetime-local` value (the browser's time zone) as an instant.
fn local_to_utc(value: &str) -> Result<Option<DateTime<Utc>>, ()> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    // Without an offset, `Date` reads a date-time in local time.
    let millis = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    if millis.is_nan() {
        return Err(());
    }
    DateTime::from_timestamp_millis(millis as i64)
        .map(Some)
        .ok_or(())
}

/// An instant as the browser's local `(date, "HH:MM")`.
fn local_parts(time: DateTime<Utc>) -> (NaiveDate, String) {
    let date = js_sys::Date::new(&JsValue::from_f64(time.timestamp_millis() as f64));
    let day = NaiveDate::from_ymd_opt(
        date.get_full_year() as i32,
        date.get_month() + 1,
        date.get_date(),
    )
    .unwrap_or_default();
    (
        day,
        format!("{:02}:{:02}", date.get_hours(), date.get_minutes()),
    )
}

/// The value of a `datetime-local` input for an instant.
fn utc_to_local(time: Option<DateTime<Utc>>) -> String {
    time.map(|time| {
        let (day, clock) = local_parts(time);
        format!("{}T{clock}", day.format("%Y-%m-%d"))
    })
    .unwrap_or_default()
}

/// "8 Sep 2026, 18:30" in local time.
fn format_time(time: DateTime<Utc>) -> String {
    let (day, clock) = local_parts(time);
    format!("{}, {clock}", format_date(day))
}

/// The public address of a card drop, in full.
fn full_url(path: &str) -> String {
    let origin = window().location().origin().unwrap_or_default();
    format!("{origin}{path}")
}

/// Copies text to the clipboard where the browser allows it.
fn copy_text(text: &str) -> bool {
    let navigator = window().navigator();
    let available = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|clipboard| !clipboard.is_undefined());
    if available {
        let _ = navigator.clipboard().write_text(text);
    }
    available
}

/// The text fields of an event form.
#[derive(Clone, Copy)]
struct EventFields {
    name: RwSignal<String>,
    starts_on: RwSignal<String>,
    ends_on: RwSignal<String>,
    place: RwSignal<String>,
    passphrase: RwSignal<String>,
    notes: RwSignal<String>,
}

impl EventFields {
    fn new(event: Option<&Event>) -> Self {
        let text = |value: Option<&String>| RwSignal::new(value.cloned().unwrap_or_default());
        EventFields {
            name: text(event.map(|e| &e.name)),
            starts_on: RwSignal::new(
                event
                    .map(|e| e.starts_on.to_string())
                    .unwrap_or_else(|| crate::components::today().to_string()),
            ),
            ends_on: RwSignal::new(
                event
                    .and_then(|e| e.ends_on)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            place: text(event.and_then(|e| e.place.as_ref())),
            passphrase: text(event.and_then(|e| e.passphrase.as_ref())),
            notes: text(event.and_then(|e| e.notes.as_ref())),
        }
    }

    /// The event the form describes, checked as the server checks it.
    fn read(&self, card_drop: CardDrop) -> Result<NewEvent, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut date = |field: &str, value: String| {
            let value = value.trim().to_owned();
            if value.is_empty() {
                if field == "starts_on" {
                    errors.add(field, "is required: the day of the event");
                }
                return None;
            }
            let parsed = value.parse::<NaiveDate>().ok();
            if parsed.is_none() {
                errors.add(field, "must be a date");
            }
            parsed
        };
        let starts_on = date("starts_on", self.starts_on.get_untracked());
        let ends_on = date("ends_on", self.ends_on.get_untracked());
        let event = NewEvent {
            name: self.name.get_untracked().trim().to_owned(),
            starts_on: starts_on.unwrap_or_else(crate::components::today),
            ends_on,
            place: optional(self.place.get_untracked()),
            notes: optional(self.notes.get_untracked()),
            passphrase: optional(self.passphrase.get_untracked()),
            card_drop,
        };
        merge(errors, event)
    }
}

/// The form's own errors followed by the core's checks of the event.
fn merge(mut errors: FieldErrors, event: NewEvent) -> Result<NewEvent, FieldErrors> {
    if let Err(more) = event.validate() {
        for error in more.into_vec() {
            if !errors.as_slice().iter().any(|e| e.field == error.field) {
                errors.add(&error.field, error.message);
            }
        }
    }
    errors.into_result().map(|()| event)
}

/// The event as a new-event document (to check a change before sending it).
fn as_new(event: &Event) -> NewEvent {
    NewEvent {
        name: event.name.clone(),
        starts_on: event.starts_on,
        ends_on: event.ends_on,
        place: event.place.clone(),
        notes: event.notes.clone(),
        passphrase: event.passphrase.clone(),
        card_drop: event.card_drop.clone(),
    }
}

fn invalid(problem: RwSignal<Option<Problem>>, field: &'static str) -> Signal<bool> {
    Signal::derive(move || problem.with(|p| names_field(p, field)))
}

fn event_inputs(fields: EventFields, problem: RwSignal<Option<Problem>>) -> impl IntoView {
    view! {
        <Field
            id="event-name"
            label="Name"
            required=true
            value=fields.name
            invalid=invalid(problem, "name")
        />
        <div class="grid2">
            <Field
                id="event-date"
                label="Date"
                kind="date"
                required=true
                value=fields.starts_on
                invalid=invalid(problem, "starts_on")
            />
            <Field
                id="event-end"
                label="Last day (optional)"
                kind="date"
                hint="For events of several days."
                value=fields.ends_on
                invalid=invalid(problem, "ends_on")
            />
        </div>
        <Field id="event-place" label="Place" value=fields.place invalid=invalid(problem, "place") />
        <Field
            id="event-passphrase"
            label="Passphrase (optional)"
            hint="A word or phrase you say to the room. Attendees quote it to drop their card, and it reminds people where you met."
            value=fields.passphrase
            invalid=invalid(problem, "passphrase")
        />
        <TextArea id="event-notes" label="Notes" value=fields.notes invalid=invalid(problem, "notes") />
    }
}

#[component]
pub fn Events() -> impl IntoView {
    set_title("Events");
    let events = LocalResource::new(api::events::list);
    let creating = RwSignal::new(false);
    view! {
        <section class="page events">
            <div class="page-head">
                <PageHeading>"Events"</PageHeading>
                <button
                    id="new-event"
                    type="button"
                    class="button"
                    aria-expanded=move || creating.get().to_string()
                    on:click=move |_| creating.update(|open| *open = !*open)
                >
                    "New event"
                </button>
            </div>
            {move || creating.get().then(|| view! { <EventForm close=creating /> })}
            {loaded(events, |page| event_list(page.items, page.next_cursor.is_some()))}
        </section>
    }
}

/// The form of a new event (`current` is `None`) or of changes to one.
#[component]
fn EventForm(
    close: RwSignal<bool>,
    #[prop(optional)] current: Option<RwSignal<Event>>,
) -> impl IntoView {
    let fields = match current {
        Some(event) => event.with_untracked(|e| EventFields::new(Some(e))),
        None => EventFields::new(None),
    };
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let card_drop = current
            .map(|e| e.with_untracked(|e| e.card_drop.clone()))
            .unwrap_or_default();
        let event = match fields.read(card_drop) {
            Ok(event) => event,
            Err(errors) => return problem.set(Some(invalid_fields(errors))),
        };
        problem.set(None);
        let navigate = navigate.clone();
        run(busy, async move {
            let result = match current {
                Some(current) => {
                    let patch = EventPatch {
                        name: Some(event.name),
                        starts_on: Some(event.starts_on),
                        ends_on: Some(event.ends_on),
                        place: Some(event.place),
                        notes: Some(event.notes),
                        passphrase: Some(event.passphrase),
                        card_drop: None,
                    };
                    send_patch(current, patch).await.map(|()| close.set(false))
                }
                None => api::events::create(&event).await.map(|created| {
                    navigate(&format!("/events/{}", created.id), Default::default())
                }),
            };
            if let Err(error) = result {
                problem.set(Some(error));
            }
        });
    };
    let heading = if current.is_some() {
        "Edit event"
    } else {
        "New event"
    };
    view! {
        <section class="panel" aria-labelledby="event-form-heading">
            <h2 id="event-form-heading">{heading}</h2>
            <form class="form" novalidate on:submit=on_submit>
                {event_inputs(fields, problem)}
                <ProblemAlert problem />
                <div class="form-actions">
                    <SubmitButton id="save-event" label="Save event" busy_label="Saving…" busy />
                    <button
                        id="cancel-event"
                        type="button"
                        class="button quiet"
                        on:click=move |_| close.set(false)
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
}

fn event_list(items: Vec<Event>, more: bool) -> AnyView {
    if items.is_empty() {
        return view! {
            <p class="empty">
                "No events yet. Add the meetups and talks you go to, and link the people you meet there."
            </p>
        }
        .into_any();
    }
    view! {
        <ul class="event-list">{items.into_iter().map(event_row).collect_view()}</ul>
        {more.then(|| view! { <p class="muted">"Showing the 200 most recent events."</p> })}
    }
    .into_any()
}

fn contacts_met(count: i64) -> String {
    match count {
        0 => "No contacts linked".to_owned(),
        1 => "1 contact met".to_owned(),
        n => format!("{n} contacts met"),
    }
}

fn event_row(event: Event) -> impl IntoView {
    let badge = event.card_drop.enabled.then_some(if event.card_drop_open {
        ("badge drop-open", "Card drop open")
    } else {
        ("badge", "Card drop closed")
    });
    view! {
        <li class="event-row">
            <div class="event-main">
                <a class="event-name" href=format!("/events/{}", event.id)>
                    {event.name}
                </a>
                <span class="muted">
                    {date_range(event.starts_on, event.ends_on)}
                    {event.place.map(|place| format!(" · {place}"))}
                </span>
            </div>
            <div class="event-side">
                <span class="event-count">{contacts_met(event.contact_count)}</span>
                {badge.map(|(class, text)| view! { <span class=class>{text}</span> })}
            </div>
        </li>
    }
}

#[component]
pub fn EventPage() -> impl IntoView {
    set_title("Event");
    let params = use_params_map();
    let event = LocalResource::new(move || {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        async move { api::events::get(&id).await }
    });
    view! {
        <section class="page event-page">
            <p class="back">
                <a href="/events">"← All events"</a>
            </p>
            {loaded(event, |event| view! { <EventDetail event /> })}
        </section>
    }
}

#[component]
fn EventDetail(event: Event) -> impl IntoView {
    set_title(&event.name);
    let id = event.id;
    let current = RwSignal::new(event);
    let editing = RwSignal::new(false);
    view! {
        <div class="page-head">
            <PageHeading id="event-heading">{move || current.with(|e| e.name.clone())}</PageHeading>
            <div class="head-actions">
                <button
                    id="edit-event"
                    type="button"
                    class="button quiet"
                    aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|open| *open = !*open)
                >
                    "Edit"
                </button>
                <DeleteEvent current />
            </div>
        </div>
        {move || {
            if editing.get() {
                view! { <EventForm close=editing current /> }.into_any()
            } else {
                event_facts(current.get()).into_any()
            }
        }}
        <CardDropPanel current />
        <MetThere id />
    }
}

fn event_facts(event: Event) -> impl IntoView {
    let (passphrase, passphrase_hint) = match event.passphrase {
        Some(phrase) => (
            Some(phrase),
            "Say it or show it to the room: attendees type it to drop their card. Case and spaces do not matter.",
        ),
        None => (None, "No passphrase yet. Add one to open a card drop for this event."),
    };
    view! {
        <div class="panel event-facts">
            <dl class="facts">
                <div>
                    <dt>"Date"</dt>
                    <dd>{date_range(event.starts_on, event.ends_on)}</dd>
                </div>
                <div>
                    <dt>"Place"</dt>
                    <dd>{event.place.unwrap_or_else(|| "Not set".to_owned())}</dd>
                </div>
                <div>
                    <dt>"People met"</dt>
                    <dd>{contacts_met(event.contact_count)}</dd>
                </div>
            </dl>
            <h2 class="small-heading">"Passphrase"</h2>
            {passphrase.map(|phrase| view! { <p class="passphrase" id="event-passphrase-shown">{phrase}</p> })}
            <p class="hint">{passphrase_hint}</p>
            {event
                .notes
                .map(|notes| {
                    view! {
                        <h2 class="small-heading">"Notes"</h2>
                        <p class="event-notes">{notes}</p>
                    }
                })}
        </div>
    }
}

/// Sends a patch with the version read, keeping the answer as the current
/// event.
async fn send_patch(current: RwSignal<Event>, patch: EventPatch) -> Result<(), Problem> {
    let (id, version) = current.with_untracked(|e| (e.id, e.version));
    let updated = api::events::update(id, version, &patch).await?;
    set_title(&updated.name);
    current.set(updated);
    Ok(())
}

#[component]
fn DeleteEvent(current: RwSignal<Event>) -> impl IntoView {
    let asking = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let delete = move |_| {
        let (id, version) = current.with_untracked(|e| (e.id, e.version));
        let navigate = navigate.clone();
        run(busy, async move {
            match api::events::delete(id, version).await {
                Ok(()) => navigate("/events", Default::default()),
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let question = move || {
        current.with(|e| {
            format!(
                "Delete “{}”? The contacts met there stay, without the link to this event.",
                e.name
            )
        })
    };
    let confirm = move || {
        let delete = delete.clone();
        asking.get().then(|| {
            view! {
                <div class="confirm-box" role="group" aria-labelledby="delete-event-question">
                    <p id="delete-event-question">{question}</p>
                    {problem_note(problem)}
                    <div class="form-actions">
                        <button
                            id="confirm-delete-event"
                            type="button"
                            class="button danger-solid"
                            disabled=move || busy.get()
                            on:click=delete
                        >
                            "Delete event"
                        </button>
                        <button
                            id="cancel-delete-event"
                            type="button"
                            class="button quiet"
                            on:click=move |_| asking.set(false)
                        >
                            "Keep it"
                        </button>
                    </div>
                </div>
            }
        })
    };
    view! {
        <button
            id="delete-event"
            type="button"
            class="button quiet danger"
            aria-expanded=move || asking.get().to_string()
            on:click=move |_| asking.update(|open| *open = !*open)
        >
            "Delete"
        </button>
        {confirm}
    }
}

/// Where the card drop stands now, in words.
fn drop_state(event: &Event) -> String {
    let drop = &event.card_drop;
    if event.card_drop_open {
        return match drop.closes_at {
            Some(closes) => format!("Open now: accepting cards until {}.", format_time(closes)),
            None => "Open now: accepting cards until you close it.".to_owned(),
        };
    }
    match (drop.opens_at, drop.closes_at) {
        (Some(opens), _) if opens.timestamp_millis() as f64 > js_sys::Date::now() => {
            format!("Closed for now: opens {}.", format_time(opens))
        }
        (_, Some(closes)) => format!("Closed: it closed {}.", format_time(closes)),
        _ => "Closed.".to_owned(),
    }
}

#[component]
fn CardDropPanel(current: RwSignal<Event>) -> impl IntoView {
    let (enabled, opens, closes) = current.with_untracked(|e| {
        (
            RwSignal::new(e.card_drop.enabled),
            RwSignal::new(utc_to_local(e.card_drop.opens_at)),
            RwSignal::new(utc_to_local(e.card_drop.closes_at)),
        )
    });
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let note = RwSignal::new(None::<&'static str>);
    let copied = RwSignal::new(None::<&'static str>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        note.set(None);
        let mut errors = FieldErrors::new();
        let mut time = |field: &str, value: String| {
            local_to_utc(&value).unwrap_or_else(|()| {
                errors.add(field, "must be a date and time");
                None
            })
        };
        let drop = CardDrop {
            enabled: enabled.get_untracked(),
            opens_at: time("card_drop.opens_at", opens.get_untracked()),
            closes_at: time("card_drop.closes_at", closes.get_untracked()),
        };
        let mut event = current.with_untracked(as_new);
        event.card_drop = drop.clone();
        if let Err(errors) = merge(errors, event) {
            return problem.set(Some(invalid_fields(errors)));
        }
        problem.set(None);
        let patch = EventPatch {
            card_drop: Some(CardDropPatch {
                enabled: Some(drop.enabled),
                opens_at: Some(drop.opens_at),
                closes_at: Some(drop.closes_at),
            }),
            ..EventPatch::default()
        };
        run(busy, async move {
            match send_patch(current, patch).await {
                Ok(()) => note.set(Some("Saved.")),
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let link = move || {
        current
            .with(|e| {
                e.card_drop
                    .enabled
                    .then(|| (drop_state(e), full_url(&e.card_drop_url)))
            })
            .map(|(state, url)| drop_link(state, url, copied))
    };
    view! {
        <section class="panel card-drop" aria-labelledby="card-drop-heading">
            <h2 id="card-drop-heading">"Card drop"</h2>
            <p class="muted">
                "A public page where attendees leave their name, email or profile by quoting the passphrase. Each card becomes a contact met at this event."
            </p>
            <form class="form" novalidate on:submit=on_submit>
                <label class="check switch-row" for="card-drop-enabled">
                    <input
                        id="card-drop-enabled"
                        type="checkbox"
                        role="switch"
                        bind:checked=enabled
                    />
                    "Accept cards on a public page"
                </label>
                <div class="grid2">
                    <Field
                        id="card-drop-opens"
                        label="Opens (optional)"
                        kind="datetime-local"
                        value=opens
                        invalid=invalid(problem, "card_drop.opens_at")
                    />
                    <Field
                        id="card-drop-closes"
                        label="Closes (optional)"
                        kind="datetime-local"
                        value=closes
                        invalid=invalid(problem, "card_drop.closes_at")
                    />
                </div>
                <p class="hint">"In your time zone. Leave a time empty for no limit."</p>
                {problem_note(problem)}
                <div class="form-actions">
                    <SubmitButton id="save-card-drop" label="Save card drop" busy_label="Saving…" busy />
                    <span class="saved" role="status">{move || note.get()}</span>
                </div>
            </form>
            {link}
        </section>
    }
}

fn drop_link(state: String, url: String, note: RwSignal<Option<&'static str>>) -> impl IntoView {
    let to_copy = url.clone();
    let href = url.clone();
    let copy = move |_| {
        note.set(Some(if copy_text(&to_copy) {
            "Link copied."
        } else {
            "Copying is not available here: select the link to copy it."
        }));
    };
    view! {
        <div class="drop-link">
            <p class="drop-state">{state}</p>
            <p class="hint">"Share this address with the room, on a slide or as a QR code:"</p>
            <p class="drop-url">
                <a id="card-drop-link" href=href target="_blank" rel="noopener">
                    {url}
                </a>
            </p>
            <div class="form-actions">
                <button id="copy-card-drop-link" type="button" class="button small" on:click=copy>
                    "Copy link"
                </button>
                <span class="saved" role="status">{move || note.get()}</span>
            </div>
        </div>
    }
}

#[component]
fn MetThere(id: uuid::Uuid) -> impl IntoView {
    let contacts = LocalResource::new(move || api::events::contacts(id));
    view! {
        <section class="panel" aria-labelledby="met-heading">
            <h2 id="met-heading">"Met there"</h2>
            {loaded(contacts, |page| contact_list(page.items, page.next_cursor.is_some()))}
        </section>
    }
}

fn contact_list(items: Vec<Contact>, more: bool) -> AnyView {
    if items.is_empty() {
        return view! {
            <p class="empty">
                "Nobody linked yet. Contacts whose “how we met” names this event appear here, as do new people who drop their card."
            </p>
        }
        .into_any();
    }
    view! {
        <ul class="met-list">
            {items
                .into_iter()
                .map(|contact| {
                    let about = [contact.title, contact.company]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · ");
                    view! {
                        <li class="met-row">
                            <div class="met-who">
                                <a href=format!("/contacts/{}", contact.id)>{contact.name}</a>
                                <span class="muted">{about}</span>
                            </div>
                            <div class="met-scores">
                                <Stars comfort=contact.comfort />
                                <FamiliarityBar score=contact.familiarity.score />
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {more.then(|| view! { <p class="muted">"Showing the first 200."</p> })}
    }
    .into_any()
}
