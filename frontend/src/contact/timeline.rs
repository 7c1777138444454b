//! The interaction timeline: newest first, an add form at the top, each
//! entry edited or deleted in place.

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::network::{Interaction, InteractionPatch, NewInteraction};
use rapport_core::{FieldErrors, Problem, Validate};
use uuid::Uuid;

use super::form::select_field;
use super::{focus_later, Ctx, Feedback};
use crate::api;
use crate::components::{
    format_date, invalid_fields, relative_date, today, ErrorNote, Field, TextArea,
};

fn kind_label(kind: InteractionKind) -> &'static str {
    match kind {
        InteractionKind::MetAtEvent => "Met at an event",
        InteractionKind::Meeting => "Meeting",
        InteractionKind::CoffeeOrLunch => "Coffee or lunch",
        InteractionKind::Call => "Call",
        InteractionKind::VideoCall => "Video call",
        InteractionKind::Email => "Email",
        InteractionKind::Message => "Message",
        InteractionKind::SharedArticle => "Shared an article",
        InteractionKind::Introduction => "Introduction",
        InteractionKind::Referral => "Referral",
        InteractionKind::Other => "Other",
    }
}

const DEPTHS: [(Depth, &str); 3] = [
    (Depth::Brief, "Brief"),
    (Depth::Conversation, "Conversation"),
    (Depth::InDepth, "In depth"),
];

const INITIATORS: [(Initiator, &str); 3] = [
    (Initiator::Mutual, "Mutual"),
    (Initiator::Me, "I reached out"),
    (Initiator::Them, "They reached out"),
];

fn depth_label(depth: Depth) -> &'static str {
    DEPTHS.iter().find(|(d, _)| *d == depth).map_or("", |p| p.1)
}

fn initiator_label(initiator: Initiator) -> &'static str {
    INITIATORS
        .iter()
        .find(|(i, _)| *i == initiator)
        .map_or("", |p| p.1)
}

/// Live kinds default to mutual (a meeting takes two), written ones to me.
fn default_initiator(kind: &str) -> &'static str {
    match InteractionKind::parse(kind) {
        Some(k) if k.is_live() => Initiator::Mutual.as_str(),
        _ => Initiator::Me.as_str(),
    }
}

/// The ids of one form's inputs: the add form and the one edited in place.
struct Ids {
    kind: &'static str,
    date: &'static str,
    depth: &'static str,
    initiator: &'static str,
    note: &'static str,
    follow_up: &'static str,
    save: &'static str,
}

const ADD: Ids = Ids {
    kind: "interaction-kind",
    date: "interaction-date",
    depth: "interaction-depth",
    initiator: "interaction-initiator",
    note: "interaction-note",
    follow_up: "interaction-follow-up",
    save: "save-interaction",
};

const EDIT: Ids = Ids {
    kind: "edit-interaction-kind",
    date: "edit-interaction-date",
    depth: "edit-interaction-depth",
    initiator: "edit-interaction-initiator",
    note: "edit-interaction-note",
    follow_up: "edit-interaction-follow-up",
    save: "save-edit-interaction",
};

#[derive(Clone, Copy)]
struct Fields {
    kind: RwSignal<String>,
    date: RwSignal<String>,
    depth: RwSignal<String>,
    initiator: RwSignal<String>,
    note: RwSignal<String>,
    follow_up: RwSignal<String>,
}

/// The values of the form, checked.
struct Checked {
    kind: InteractionKind,
    occurred_on: NaiveDate,
    depth: Depth,
    initiated_by: Initiator,
    notes: Option<String>,
    follow_up_on: Option<NaiveDate>,
}

impl Fields {
    fn new(from: Option<&Interaction>) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        match from {
            Some(i) => Fields {
                kind: s(i.kind.as_str()),
                date: s(&i.occurred_on.to_string()),
                depth: s(i.depth.as_str()),
                initiator: s(i.initiated_by.as_str()),
                note: s(i.notes.as_deref().unwrap_or_default()),
                follow_up: s(&i.follow_up_on.map(|d| d.to_string()).unwrap_or_default()),
            },
            None => {
                let fields = Fields {
                    kind: s(""),
                    date: s(""),
                    depth: s(""),
                    initiator: s(""),
                    note: s(""),
                    follow_up: s(""),
                };
                fields.reset();
                fields
            }
        }
    }

    /// A new interaction: a coffee today, a conversation, mutual.
    fn reset(&self) {
        self.kind
            .set(InteractionKind::CoffeeOrLunch.as_str().to_owned());
        self.date.set(today().to_string());
        self.depth.set(Depth::Conversation.as_str().to_owned());
        self.initiator.set(Initiator::Mutual.as_str().to_owned());
        self.note.set(String::new());
        self.follow_up.set(String::new());
    }

    fn check(&self, contact: Uuid) -> Result<Checked, Problem> {
        let mut errors = FieldErrors::new();
        let mut date = |field: &str, text: String, required: bool| {
            if text.trim().is_empty() {
                if required {
                    errors.add(field, "is required");
                }
                return None;
            }
            let parsed = text.trim().parse::<NaiveDate>().ok();
            if parsed.is_none() {
                errors.add(field, "must be a date");
            }
            parsed
        };
        let occurred_on = date("occurred_on", self.date.get_untracked(), true);
        let follow_up_on = date("follow_up_on", self.follow_up.get_untracked(), false);
        let note = self.note.get_untracked();
        let checked = Checked {
            kind: InteractionKind::parse(&self.kind.get_untracked())
                .unwrap_or(InteractionKind::Other),
            occurred_on: occurred_on.unwrap_or_default(),
            depth: Depth::parse(&self.depth.get_untracked()).unwrap_or(Depth::Brief),
            initiated_by: Initiator::parse(&self.initiator.get_untracked())
                .unwrap_or(Initiator::Me),
            notes: Some(note.trim().to_owned()).filter(|n| !n.is_empty()),
            follow_up_on,
        };
        if occurred_on.is_some() {
            if let Err(found) = checked.to_new(contact).validate() {
                for error in found.into_vec() {
                    errors.add(&error.field, error.message);
                }
            }
        }
        errors.into_result().map_err(invalid_fields)?;
        Ok(checked)
    }
}

impl Checked {
    fn to_new(&self, contact: Uuid) -> NewInteraction {
        NewInteraction {
            contact_ids: vec![contact],
            kind: self.kind,
            occurred_on: self.occurred_on,
            depth: self.depth,
            initiated_by: self.initiated_by,
            notes: self.notes.clone(),
            follow_up_on: self.follow_up_on,
        }
    }

    fn to_patch(&self) -> InteractionPatch {
        InteractionPatch {
            contact_ids: None,
            kind: Some(self.kind),
            occurred_on: Some(self.occurred_on),
            depth: Some(self.depth),
            initiated_by: Some(self.initiated_by),
            notes: Some(self.notes.clone()),
            follow_up_on: Some(self.follow_up_on),
        }
    }
}

fn options<T: Copy>(
    items: &[(T, &str)],
    key: impl Fn(T) -> &'static str,
) -> Signal<Vec<(String, String)>> {
    Signal::stored(
        items
            .iter()
            .map(|(v, text)| (key(*v).to_owned(), (*text).to_owned()))
            .collect(),
    )
}

/// The fields of an interaction form (add or edit).
fn interaction_form(
    ids: &'static Ids,
    fields: Fields,
    feedback: Feedback,
    on_submit: Box<dyn FnMut(SubmitEvent)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    // A new kind brings its usual initiator, unless one was picked.
    Effect::new(move |before: Option<String>| {
        let kind = fields.kind.get();
        if let Some(before) = before {
            if before != kind && fields.initiator.get_untracked() == default_initiator(&before) {
                fields.initiator.set(default_initiator(&kind).to_owned());
            }
        }
        kind
    });
    let kinds = Signal::stored(
        InteractionKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), kind_label(*k).to_owned()))
            .collect(),
    );
    let invalid = move |field: &'static str| {
        Signal::derive(move || {
            feedback.problem.with(|p| {
                p.as_ref()
                    .is_some_and(|p| p.errors.iter().any(|e| e.field == field))
            })
        })
    };
    let one_way = move || {
        let live = InteractionKind::parse(&fields.kind.get()).is_some_and(InteractionKind::is_live);
        (live && fields.initiator.get() == Initiator::Me.as_str()).then(|| {
            view! {
                <p class="hint">
                    "“I reached out” counts as one-way contact in familiarity. If you both took part, “Mutual” is usually right."
                </p>
            }
        })
    };
    view! {
        <form class="ct-stack ct-iform" novalidate on:submit=on_submit>
            <div class="ct-row">
                {select_field(ids.kind, "Kind", fields.kind, kinds)}
                <Field id=ids.date label="Date" kind="date" value=fields.date invalid=invalid("occurred_on") />
            </div>
            <div class="ct-row">
                {select_field(ids.depth, "Depth", fields.depth, options(&DEPTHS, Depth::as_str))}
                {select_field(
                    ids.initiator,
                    "Who reached out",
                    fields.initiator,
                    options(&INITIATORS, Initiator::as_str),
                )}
            </div>
            {one_way}
            <TextArea id=ids.note label="Note" rows=3 value=fields.note invalid=invalid("notes") />
            <Field
                id=ids.follow_up
                label="Follow up by (optional)"
                kind="date"
                value=fields.follow_up
                invalid=invalid("follow_up_on")
            />
            {feedback.view(ids.save, "Save")}
            <div class="ct-buttons">
                <button type="button" class="button quiet small" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

/// What is open in the timeline: the add form, or one entry's edit form or
/// delete confirmation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    Adding,
    Editing(Uuid),
    Deleting(Uuid),
}

#[derive(Clone, Copy)]
struct List {
    items: RwSignal<Vec<Interaction>>,
    next: RwSignal<Option<String>>,
    loading: RwSignal<bool>,
    problem: RwSignal<Option<Problem>>,
    open: RwSignal<Open>,
}

impl List {
    /// Loads the first page again, or (`more`) the next one.
    fn load(self, ctx: Ctx, more: bool) {
        let cursor = if more {
            self.next.get_untracked()
        } else {
            None
        };
        self.loading.set(true);
        spawn_local(async move {
            let result = api::interactions::of_contact(ctx.id, cursor.as_deref()).await;
            self.loading.try_set(false);
            match result {
                Ok(page) => {
                    self.problem.try_set(None);
                    self.next.try_set(page.next_cursor);
                    if more {
                        self.items.try_update(|items| items.extend(page.items));
                    } else {
                        self.items.try_set(page.items);
                    }
                }
                Err(problem) => {
                    self.problem.try_set(Some(problem));
                }
            }
        });
    }

    /// After a change: the list and the contact's derived state.
    fn changed(self, ctx: Ctx) {
        self.open.set(Open::Nothing);
        self.load(ctx, false);
        ctx.changed();
    }
}

pub fn timeline(ctx: Ctx) -> impl IntoView {
    let list = List {
        items: RwSignal::new(Vec::new()),
        next: RwSignal::new(None),
        loading: RwSignal::new(true),
        problem: RwSignal::new(None),
        open: RwSignal::new(Open::Nothing),
    };
    list.load(ctx, false);
    let adding = move || list.open.get() == Open::Adding;
    let entries = move || {
        list.items
            .with(|items| items.iter().map(|i| entry(ctx, list, i)).collect_view())
    };
    let empty = Signal::derive(move || !list.items.with(Vec::is_empty) || list.loading.get());
    view! {
        <section class="panel ct-timeline-panel" aria-labelledby="timeline-heading">
            <div class="ct-panel-head">
                <h2 id="timeline-heading">"Timeline"</h2>
                <button
                    id="log-interaction"
                    type="button"
                    class="button primary inline small"
                    hidden=Signal::derive(adding)
                    on:click=move |_| {
                        list.open.set(Open::Adding);
                        focus_later("interaction-kind");
                    }
                >
                    "Log interaction"
                </button>
            </div>
            <div class="ct-adding" role="group" aria-label="Log an interaction" hidden=Signal::derive(move || !adding())>
                {add_form(ctx, list)}
            </div>
            {move || list.problem.get().map(|problem| view! { <ErrorNote problem /> })}
            <p class="muted" hidden=Signal::derive(move || !(list.loading.get() && list.items.with(Vec::is_empty)))>
                "Loading the timeline…"
            </p>
            <p class="empty" hidden=empty>
                "Nothing logged yet. Log the first meeting, call or email to start the history."
            </p>
            <ol class="ct-timeline" aria-label="Interactions, newest first">
                {entries}
            </ol>
            <button
                id="more-interactions"
                type="button"
                class="button quiet"
                hidden=Signal::derive(move || list.next.with(Option::is_none))
                disabled=Signal::derive(move || list.loading.get())
                on:click=move |_| list.load(ctx, true)
            >
                "Show older"
            </button>
        </section>
    }
}

fn add_form(ctx: Ctx, list: List) -> impl IntoView {
    let fields = Fields::new(None);
    let feedback = Feedback::new();
    // Each opening starts afresh.
    Effect::new(move |_| {
        if list.open.get() == Open::Adding {
            fields.reset();
            feedback.clear();
        }
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let checked = match fields.check(ctx.id) {
            Ok(checked) => checked,
            Err(problem) => return feedback.fail(problem),
        };
        if !feedback.start() {
            return;
        }
        let body = checked.to_new(ctx.id);
        spawn_local(async move {
            match api::interactions::create(&body).await {
                Ok(_) => {
                    feedback.done("Saved.");
                    list.changed(ctx);
                    focus_later("log-interaction");
                }
                Err(error) => feedback.fail(error),
            }
        });
    };
    let cancel = Callback::new(move |()| {
        list.open.set(Open::Nothing);
        focus_later("log-interaction");
    });
    interaction_form(&ADD, fields, feedback, Box::new(on_submit), cancel)
}

/// One entry: read-only, or its edit form, or its delete confirmation.
fn entry(ctx: Ctx, list: List, interaction: &Interaction) -> impl IntoView {
    let id = interaction.id;
    let is = move |mode: fn(Uuid) -> Open| list.open.get() == mode(id);
    let stored = StoredValue::new(interaction.clone());
    view! {
        <li class="ct-entry">
            {entry_view(list, interaction, move || is(Open::Editing) || is(Open::Deleting))}
            {move || is(Open::Editing).then(|| stored.with_value(|i| edit_form(ctx, list, i)))}
            {move || is(Open::Deleting).then(|| stored.with_value(|i| delete_confirm(ctx, list, i)))}
        </li>
    }
}

fn entry_view(
    list: List,
    i: &Interaction,
    hidden: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let id = i.id;
    let others = i.contact_ids.len().saturating_sub(1);
    let date = format!(
        "{} · {}",
        format_date(i.occurred_on),
        relative_date(i.occurred_on)
    );
    let kind = kind_label(i.kind);
    let with_others = format!("with {}", super::plural(others as i64, "other contact"));
    let follow_up = i
        .follow_up_on
        .map(|d| format!("Follow up by {} ({})", format_date(d), relative_date(d)));
    view! {
        <article class="ct-item" aria-label=format!("{kind}, {date}") hidden=hidden>
            <div class="ct-item-head">
                <h3 class="ct-kind">{kind}</h3>
                <time datetime=i.occurred_on.to_string() class="ct-when">
                    {date.clone()}
                </time>
            </div>
            <p class="ct-chips">
                <span class="status">{depth_label(i.depth)}</span>
                <span class="status">{initiator_label(i.initiated_by)}</span>
                <span class="status" hidden=others == 0>
                    {with_others}
                </span>
            </p>
            <p class="ct-notes" hidden=i.notes.is_none()>
                {i.notes.clone()}
            </p>
            <p class="ct-follow" hidden=follow_up.is_none()>
                {follow_up.clone()}
            </p>
            <div class="ct-buttons">
                <button
                    id=format!("edit-interaction-{id}")
                    type="button"
                    class="button quiet small"
                    aria-label=format!("Edit {kind}, {date}")
                    on:click=move |_| {
                        list.open.set(Open::Editing(id));
                        focus_later(EDIT.kind);
                    }
                >
                    "Edit"
                </button>
                <button
                    id=format!("delete-interaction-{id}")
                    type="button"
                    class="button quiet small danger"
                    aria-label=format!("Delete {kind}, {date}")
                    on:click=move |_| {
                        list.open.set(Open::Deleting(id));
                        focus_later("confirm-delete-interaction");
                    }
                >
                    "Delete"
                </button>
            </div>
        </article>
    }
}
fn edit_form(ctx: Ctx, list: List, i: &Interaction) -> impl IntoView {
    let fields = Fields::new(Some(i));
    let feedback = Feedback::new();
    let (id, version) = (i.id, i.version);
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let checked = match fields.check(ctx.id) {
            Ok(checked) => checked,
            Err(problem) => return feedback.fail(problem),
        };
        if !feedback.start() {
            return;
        }
        let patch = checked.to_patch();
        spawn_local(async move {
            match api::interactions::update(id, version, &patch).await {
                Ok(_) => list.changed(ctx),
                Err(error) => {
                    if error.status == 412 {
                        list.load(ctx, false);
                    }
                    feedback.fail(error);
                }
            }
        });
    };
    let cancel = Callback::new(move |()| list.open.set(Open::Nothing));
    view! {
        <div role="group" aria-label="Edit the interaction">
            {interaction_form(&EDIT, fields, feedback, Box::new(on_submit), cancel)}
        </div>
    }
}

fn delete_confirm(ctx: Ctx, list: List, i: &Interaction) -> impl IntoView {
    let feedback = Feedback::new();
    let (id, version) = (i.id, i.version);
    let others = i.contact_ids.len().saturating_sub(1);
    let question = format!(
        "Delete this {} of {}?{}",
        kind_label(i.kind).to_lowercase(),
        format_date(i.occurred_on),
        if others > 0 {
            format!(
                " It goes for the {} it also involved.",
                super::plural(others as i64, "other contact")
            )
        } else {
            String::new()
        }
    );
    let delete = move |_| {
        if !feedback.start() {
            return;
        }
        spawn_local(async move {
            match api::interactions::delete(id, version).await {
                Ok(()) => {
                    list.changed(ctx);
                    focus_later("log-interaction");
                }
                Err(error) => {
                    if error.status == 412 {
                        list.load(ctx, false);
                    }
                    feedback.fail(error);
                }
            }
        });
    };
    view! {
        <div class="ct-confirm" role="group" aria-labelledby="delete-interaction-question">
            <p id="delete-interaction-question">{question}</p>
            {feedback.problem_view()}
            <div class="ct-buttons">
                <button
                    id="confirm-delete-interaction"
                    type="button"
                    class="button danger"
                    disabled=Signal::derive(move || feedback.busy.get())
                    on:click=delete
                >
                    "Delete"
                </button>
                <button type="button" class="button quiet" on:click=move |_| list.open.set(Open::Nothing)>
                    "Keep"
                </button>
            </div>
        </div>
    }
}
