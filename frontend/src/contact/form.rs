//! The contact form, for a new contact and for editing one in place.

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rapport_core::contact::{Contact, HowMet, NewContact};
use rapport_core::{FieldErrors, Problem, Validate};
use uuid::Uuid;

use crate::api;
use crate::components::{invalid_fields, Field, ProblemAlert, SubmitButton, TextArea};

/// The form's values, as typed.
#[derive(Clone, Copy)]
pub struct ContactFields {
    name: RwSignal<String>,
    title: RwSignal<String>,
    company: RwSignal<String>,
    location: RwSignal<String>,
    email: RwSignal<String>,
    phone: RwSignal<String>,
    url: RwSignal<String>,
    tags: RwSignal<String>,
    met_on: RwSignal<String>,
    /// The event's id, or empty.
    pub event: RwSignal<String>,
    place: RwSignal<String>,
    context: RwSignal<String>,
    notes: RwSignal<String>,
    cadence: RwSignal<String>,
    /// Kept as it was: the form does not edit it.
    introduced_by: StoredValue<Option<Uuid>>,
    /// The events to pick from, once loaded: (id, name).
    events: RwSignal<Option<Vec<(String, String)>>>,
}

/// Comma-separated values, trimmed, blanks dropped.
fn split(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

fn optional(value: RwSignal<String>) -> Option<String> {
    let value = value.get_untracked();
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// `linkedin.com/in/ada` → `https://linkedin.com/in/ada`.
fn with_scheme(url: String) -> String {
    if url.contains("://") || !url.contains('.') {
        url
    } else {
        format!("https://{url}")
    }
}

impl ContactFields {
    pub fn new() -> Self {
        let empty = || RwSignal::new(String::new());
        ContactFields {
            name: empty(),
            title: empty(),
            company: empty(),
            location: empty(),
            email: empty(),
            phone: empty(),
            url: empty(),
            tags: empty(),
            met_on: empty(),
            event: empty(),
            place: empty(),
            context: empty(),
            notes: empty(),
            cadence: empty(),
            introduced_by: StoredValue::new(None),
            events: RwSignal::new(None),
        }
    }

    /// Fills the form with a contact as it is, and loads the events.
    pub fn fill(self, from: Option<&Contact>) {
        self.load_events();
        let Some(c) = from else {
            return;
        };
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let how = c.how_met.clone().unwrap_or_default();
        self.name.set(c.name.clone());
        self.title.set(text(&c.title));
        self.company.set(text(&c.company));
        self.location.set(text(&c.location));
        self.email.set(c.emails.join(", "));
        self.phone.set(c.phones.join(", "));
        self.url.set(c.urls.join(", "));
        self.tags.set(c.tags.join(", "));
        self.met_on
            .set(how.met_on.map(|d| d.to_string()).unwrap_or_default());
        self.event
            .set(how.event_id.map(|id| id.to_string()).unwrap_or_default());
        self.place.set(text(&how.place));
        self.context.set(text(&how.context));
        self.notes.set(text(&c.notes));
        self.cadence
            .set(c.cadence_days.map(|d| d.to_string()).unwrap_or_default());
        self.introduced_by.set_value(how.introduced_by);
    }

    /// Loads the events for "where we met", once.
    pub fn load_events(self) {
        if self.events.with_untracked(Option::is_some) {
            return;
        }
        self.events.set(Some(Vec::new()));
        let events = self.events;
        spawn_local(async move {
            if let Ok(page) = api::events::list().await {
                let items = page
                    .items
                    .into_iter()
                    .map(|e| (e.id.to_string(), format!("{} ({})", e.name, e.starts_on)))
                    .collect();
                events.try_set(Some(items));
            }
        });
    }

    /// The contact as typed, checked with the core's rules; the problem
    /// names the fields to fix.
    pub fn to_new_contact(self) -> Result<NewContact, Problem> {
        let mut errors = FieldErrors::new();
        let met_on = optional(self.met_on).and_then(|d| {
            let parsed = d.parse::<NaiveDate>().ok();
            if parsed.is_none() {
                errors.add("how_met.met_on", "must be a date");
            }
            parsed
        });
        let cadence_days = optional(self.cadence).and_then(|d| {
            let parsed = d.parse::<u16>().ok();
            if parsed.is_none() {
                errors.add("cadence_days", "must be a whole number of days, 1 to 3650");
            }
            parsed
        });
        let how_met = HowMet {
            met_on,
            event_id: optional(self.event).and_then(|id| id.parse().ok()),
            place: optional(self.place),
            context: optional(self.context),
            introduced_by: self.introduced_by.get_value(),
        };
        let contact = NewContact {
            name: self.name.get_untracked().trim().to_owned(),
            emails: split(&self.email.get_untracked()),
            phones: split(&self.phone.get_untracked()),
            company: optional(self.company),
            title: optional(self.title),
            location: optional(self.location),
            urls: split(&self.url.get_untracked())
                .into_iter()
                .map(with_scheme)
                .collect(),
            tags: split(&self.tags.get_untracked()),
            notes: optional(self.notes),
            how_met: (!how_met.is_empty()).then_some(how_met),
            cadence_days,
            archived: false,
        };
        if let Err(found) = contact.validate() {
            for error in found.into_vec() {
                errors.add(&error.field, error.message);
            }
        }
        match errors.into_result() {
            Ok(()) => Ok(contact),
            Err(errors) => Err(invalid_fields(errors)),
        }
    }
}

/// The problem with the fields named as this form labels them.
fn relabeled(mut problem: Problem) -> Problem {
    for error in &mut problem.errors {
        let label = match error.field.split('[').next().unwrap_or_default() {
            "emails" => "Email",
            "phones" => "Phone",
            "urls" => "LinkedIn or web address",
            "tags" => "Tags",
            "cadence_days" => "Keep in touch every",
            _ => continue,
        };
        error.field = label.to_owned();
    }
    problem
}

/// A labelled `<select>` of (value, text) options bound to a signal.
pub fn select_field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let options = move || {
        options
            .get()
            .into_iter()
            .map(|(key, text)| {
                let selected = key.clone();
                view! {
                    <option value=key prop:selected=Signal::derive(move || value.with(|v| *v == selected))>
                        {text}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=id on:change=move |ev| value.set(event_target_value(&ev))>
                {options}
            </select>
        </div>
    }
}

/// The events to pick "where we met" from.
fn event_select(fields: ContactFields) -> impl IntoView {
    let value = fields.event;
    let options = move || {
        let mut options = vec![(String::new(), "No event".to_owned())];
        fields
            .events
            .with(|events| options.extend(events.iter().flatten().cloned()));
        // An event beyond the list's first page keeps its place.
        let current = value.get();
        if !options.iter().any(|(id, _)| *id == current) {
            options.push((current, "The recorded event".to_owned()));
        }
        options
    };
    select_field("contact-event", "Event", value, Signal::derive(options))
}

/// The whole form; `on_cancel` adds a Cancel button.
pub fn contact_form(
    fields: ContactFields,
    problem: RwSignal<Option<Problem>>,
    busy: Signal<bool>,
    on_submit: Box<dyn FnMut(SubmitEvent)>,
    label: &'static str,
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let invalid = move |prefix: &'static str| {
        Signal::derive(move || {
            problem.with(|p| {
                p.as_ref()
                    .is_some_and(|p| p.errors.iter().any(|e| e.field.starts_with(prefix)))
            })
        })
    };
    let shown = Signal::derive(move || problem.get().map(relabeled));
    view! {
        <form class="form ct-form" novalidate on:submit=on_submit>
            <fieldset class="ct-fieldset">
                <legend>"Who"</legend>
                <Field
                    id="contact-name"
                    label="Name"
                    autocomplete="off"
                    required=true
                    value=fields.name
                    invalid=invalid("name")
                />
                <div class="ct-row">
                    <Field id="contact-title" label="Title" value=fields.title invalid=invalid("title") />
                    <Field
                        id="contact-company"
                        label="Company"
                        value=fields.company
                        invalid=invalid("company")
                    />
                </div>
                <Field
                    id="contact-location"
                    label="Location"
                    value=fields.location
                    invalid=invalid("location")
                />
            </fieldset>
            <fieldset class="ct-fieldset">
                <legend>"Reach"</legend>
                <div class="ct-row">
                    <Field
                        id="contact-email"
                        label="Email"
                        kind="email"
                        value=fields.email
                        invalid=invalid("emails")
                    />
                    <Field
                        id="contact-phone"
                        label="Phone"
                        kind="tel"
                        value=fields.phone
                        invalid=invalid("phones")
                    />
                </div>
                <Field
                    id="contact-url"
                    label="LinkedIn or web address"
                    kind="url"
                    hint="Separate several emails, phones or addresses with commas."
                    value=fields.url
                    invalid=invalid("urls")
                />
            </fieldset>
            <fieldset class="ct-fieldset">
                <legend>"How we met"</legend>
                <div class="ct-row">
                    <Field
                        id="contact-met-on"
                        label="Met on"
                        kind="date"
                        value=fields.met_on
                        invalid=invalid("how_met.met_on")
                    />
                    {event_select(fields)}
                </div>
                <Field
                    id="contact-place"
                    label="Place"
                    value=fields.place
                    invalid=invalid("how_met.place")
                />
                <TextArea
                    id="contact-context"
                    label="Context"
                    hint="What we talked about, who else was there."
                    rows=2
                    value=fields.context
                    invalid=invalid("how_met.context")
                />
            </fieldset>
            <fieldset class="ct-fieldset">
                <legend>"Keep in touch"</legend>
                <div class="ct-row">
                    <Field
                        id="contact-tags"
                        label="Tags"
                        hint="Comma separated, e.g. investor, rust"
                        value=fields.tags
                        invalid=invalid("tags")
                    />
                    <Field
                        id="contact-cadence"
                        label="Keep in touch every (days)"
                        kind="number"
                        hint="Empty: your default cadence."
                        value=fields.cadence
                        invalid=invalid("cadence_days")
                    />
                </div>
                <TextArea id="contact-notes" label="Notes" rows=4 value=fields.notes invalid=invalid("notes") />
            </fieldset>
            <ProblemAlert problem=shown />
            <div class="ct-buttons">
                <SubmitButton id="save-contact" label busy_label="Saving…" busy />
                <button
                    id="cancel-edit"
                    type="button"
                    class="button quiet"
                    hidden=on_cancel.is_none()
                    on:click=move |_| {
                        if let Some(cancel) = on_cancel {
                            cancel.run(());
                        }
                    }
                >
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
