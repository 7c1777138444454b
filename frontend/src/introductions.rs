//! Introductions: list, the create flow with the comfort guardrail, status steps.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use rapport_core::account::Page;
use rapport_core::contact::Contact;
use rapport_core::introduction::{
    Introduction, IntroductionOutcome, IntroductionParty, IntroductionPatch, IntroductionStatus,
    LowComfort, NewIntroduction, COMFORT_TO_INTRODUCE,
};
use rapport_core::{FieldErrors, Problem, Validate};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::{
    invalid_fields, loaded, names_field, relative_date, set_title, Loaded, PageHeading,
    ProblemAlert, Stars, SubmitButton, TextArea,
};
use crate::events::{problem_note, run};

/// The status filter: its value for the API and its words.
const FILTERS: [(&str, &str); 7] = [
    ("", "All introductions"),
    ("proposed,asked,agreed", "Waiting on a step"),
    ("proposed", "Proposed"),
    ("asked", "Asked"),
    ("agreed", "Agreed"),
    ("made", "Made"),
    ("declined", "Declined"),
];

fn status_words(status: IntroductionStatus) -> &'static str {
    match status {
        IntroductionStatus::Proposed => "Proposed",
        IntroductionStatus::Asked => "Asked both",
        IntroductionStatus::Agreed => "Both agreed",
        IntroductionStatus::Made => "Made",
        IntroductionStatus::Declined => "Declined",
    }
}

/// The button that moves an introduction to `status`.
fn step_words(status: IntroductionStatus) -> &'static str {
    match status {
        IntroductionStatus::Proposed => "Proposed",
        IntroductionStatus::Asked => "I asked both",
        IntroductionStatus::Agreed => "Both agreed",
        IntroductionStatus::Made => "I introduced them",
        IntroductionStatus::Declined => "Mark declined",
    }
}

const OUTCOMES: [(IntroductionOutcome, &str); 3] = [
    (IntroductionOutcome::Positive, "Went well"),
    (IntroductionOutcome::Neutral, "Neutral"),
    (IntroductionOutcome::Negative, "Did not work out"),
];

fn outcome_words(outcome: IntroductionOutcome) -> &'static str {
    OUTCOMES
        .iter()
        .find(|(o, _)| *o == outcome)
        .map_or("", |(_, words)| words)
}

/// "rated 2 of 5" or "unrated".
fn rating_words(comfort: Option<u8>) -> String {
    comfort.map_or_else(|| "unrated".to_owned(), |c| format!("rated {c} of 5"))
}

fn is_low(party: &IntroductionParty) -> bool {
    party.comfort.unwrap_or(0) < COMFORT_TO_INTRODUCE
}

/// Moves the keyboard focus to the element with this id, if it is there.
fn focus_id(id: &str) {
    if let Some(element) = document().get_element_by_id(id) {
        let _ = element.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}

fn party_of(contact: Contact) -> IntroductionParty {
    IntroductionParty {
        id: contact.id,
        name: contact.name,
        company: contact.company,
        comfort: contact.comfort,
    }
}

#[component]
pub fn Introductions() -> impl IntoView {
    set_title("Introductions");
    let query = use_query_map();
    let with = query
        .with_untracked(|q| q.get("with"))
        .and_then(|id| id.trim().parse::<Uuid>().ok());
    let creating = RwSignal::new(with.is_some());
    let filter = RwSignal::new(String::new());
    let announce = RwSignal::new(String::new());
    let list: Loaded<Page<Introduction>> = LocalResource::new(move || {
        let statuses = filter.get();
        async move { api::introductions::list(&statuses).await }
    });
    view! {
        <section class="page introductions">
            <div class="page-head">
                <PageHeading>"Introductions"</PageHeading>
                <button
                    id="new-introduction"
                    type="button"
                    class="button"
                    aria-expanded=move || creating.get().to_string()
                    on:click=move |_| creating.update(|open| *open = !*open)
                >
                    "New introduction"
                </button>
            </div>
            <p class="ev-sr-only" role="status">{move || announce.get()}</p>
            {move || {
                creating.get().then(|| view! { <NewIntroductionForm with creating list announce /> })
            }}
            <div class="intro-filter">
                <label for="intro-status-filter">"Show"</label>
                <select
                    id="intro-status-filter"
                    on:change=move |ev| filter.set(event_target_value(&ev))
                >
                    {FILTERS
                        .iter()
                        .map(|(value, words)| view! { <option value=*value>{*words}</option> })
                        .collect_view()}
                </select>
            </div>
            {loaded(list, move |page| {
                let filtered = !filter.with_untracked(String::is_empty);
                intro_list(page.items, filtered, announce)
            })}
        </section>
    }
}

fn intro_list(items: Vec<Introduction>, filtered: bool, announce: RwSignal<String>) -> AnyView {
    if items.is_empty() {
        let text = if filtered {
            "No introductions with this status."
        } else {
            "No introductions yet. When two of your contacts should meet, propose it here: you ask both, and introduce them once both agree."
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    view! {
        <ul class="intro-list">
            {items
                .into_iter()
                .map(|intro| view! { <IntroItem intro announce /> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// One side of an introduction; the second says it is introduced to the first.
fn party_view(party: IntroductionParty, second: bool) -> impl IntoView {
    view! {
        <span class="intro-party">
            {second
                .then(|| {
                    view! {
                        <span class="intro-arrow" aria-hidden="true">"↔"</span>
                        <span class="ev-sr-only">"introduced to"</span>
                    }
                })}
            <a href=format!("/contacts/{}", party.id)>{party.name}</a>
            {party.company.map(|c| view! { <span class="muted">{c}</span> })}
            <Stars comfort=party.comfort />
        </span>
    }
}

#[component]
fn IntroItem(intro: Introduction, announce: RwSignal<String>) -> impl IntoView {
    let id = intro.id;
    let current = RwSignal::new(intro);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let go = move |patch: IntroductionPatch| {
        let version = current.with_untracked(|i| i.version);
        run(busy, async move {
            match api::introductions::update(id, version, &patch).await {
                Ok(next) => {
                    problem.set(None);
                    announce.set(format!(
                        "{} and {}: {}{}.",
                        next.contact_a.name,
                        next.contact_b.name,
                        status_words(next.status),
                        next.outcome
                            .map(|o| format!(", {}", outcome_words(o)))
                            .unwrap_or_default(),
                    ));
                    current.set(next);
                    // The clicked button is gone: keep the keyboard here.
                    request_animation_frame(move || focus_id(&format!("intro-{id}-state")));
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    view! {
        <li class="intro">
            {move || {
                let intro = current.get();
                let group = format!("Next step for {} and {}", intro.contact_a.name, intro.contact_b.name);
                let since = relative_date(intro.status_changed_at.date_naive());
                let steps = intro
                    .allowed_next
                    .iter()
                    .map(|&next| {
                        let class = if next == IntroductionStatus::Declined {
                            "button small quiet"
                        } else {
                            "button small"
                        };
                        view! {
                            <button
                                id=format!("intro-{id}-{}", next.as_str())
                                type="button"
                                class=class
                                disabled=move || busy.get()
                                on:click=move |_| go(IntroductionPatch {
                                    status: Some(next),
                                    ..IntroductionPatch::default()
                                })
                            >
                                {step_words(next)}
                            </button>
                        }
                    })
                    .collect_view();
                let outcomes = (intro.status == IntroductionStatus::Made)
                    .then(|| {
                        OUTCOMES
                            .iter()
                            .map(|&(outcome, words)| {
                                let pressed = intro.outcome == Some(outcome);
                                view! {
                                    <button
                                        id=format!("intro-{id}-{}", outcome.as_str())
                                        type="button"
                                        class="button small outcome"
                                        aria-pressed=pressed.to_string()
                                        disabled=move || busy.get()
                                        on:click=move |_| go(IntroductionPatch {
                                            outcome: Some(Some(outcome)),
                                            ..IntroductionPatch::default()
                                        })
                                    >
                                        {words}
                                    </button>
                                }
                            })
                            .collect_view()
                    });
                view! {
                    <div class="intro-people">
                        {party_view(intro.contact_a, false)}
                        {party_view(intro.contact_b, true)}
                    </div>
                    <p class="intro-reason">{intro.reason}</p>
                    <p class="intro-state" id=format!("intro-{id}-state") tabindex="-1">
                        <span class=format!("status intro-{}", intro.status.as_str())>
                            {status_words(intro.status)}
                        </span>
                        {intro.outcome.map(|o| view! { <span class="status">{outcome_words(o)}</span> })}
                        <span class="muted">{since}</span>
                    </p>
                    <div class="intro-steps" role="group" aria-label=group>
                        {steps}
                        {outcomes
                            .map(|buttons| {
                                view! { <span class="muted outcome-label">"How did it go?"</span> {buttons} }
                            })}
                    </div>
                }
            }}
            {problem_note(problem)}
        </li>
    }
}

/// A searchable choice of one of my contacts.
#[component]
fn Picker(
    id: &'static str,
    label: &'static str,
    chosen: RwSignal<Option<IntroductionParty>>,
    text: RwSignal<String>,
    #[prop(into)] invalid: Signal<bool>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let results = RwSignal::new(None::<api::ApiResult<Vec<Contact>>>);
    let search = move || {
        let q = text.get_untracked().trim().to_owned();
        if q.is_empty() {
            return;
        }
        spawn_local(async move {
            let found = api::contacts::search(&q, 8).await.map(|p| p.items);
            // Only the answer for what is typed now.
            if text.with_untracked(|t| t.trim() == q) {
                results.set(Some(found));
            }
        });
    };
    let list_id = format!("{id}-results");
    let pick = move |party: IntroductionParty| {
        text.set(party.name.clone());
        chosen.set(Some(party));
        open.set(false);
        focus_id(id);
    };
    let options = move || {
        if !open.get() || text.with(|t| t.trim().is_empty()) {
            return None;
        }
        Some(match results.get() {
            None => view! { <p class="picker-note">"Searching…"</p> }.into_any(),
            Some(Err(problem)) => view! { <p class="picker-note">{problem.detail}</p> }.into_any(),
            Some(Ok(items)) if items.is_empty() => {
                view! { <p class="picker-note">"No contact matches."</p> }.into_any()
            }
            Some(Ok(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, contact)| {
                    let party = party_of(contact);
                    let company = party.company.clone();
                    let name = party.name.clone();
                    let comfort = party.comfort;
                    view! {
                        <button
                            id=format!("{id}-option-{i}")
                            type="button"
                            class="picker-option"
                            on:click=move |_| pick(party.clone())
                        >
                            <span class="picker-name">{name}</span>
                            {company.map(|c| view! { <span class="muted">{c}</span> })}
                            <Stars comfort />
                        </button>
                    }
                })
                .collect_view()
                .into_any(),
        })
    };
    view! {
        <div class="field picker">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type="search"
                autocomplete="off"
                placeholder="Type a name to search"
                aria-describedby=format!("{id}-chosen")
                aria-invalid=move || invalid.get().then_some("true")
                bind:value=text
                on:input=move |_| {
                    chosen.set(None);
                    open.set(true);
                    search();
                }
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        open.set(false);
                    }
                }
            />
            <div class="picker-results" id=list_id role="group" aria-label=format!("{label}: matching contacts")>
                {options}
            </div>
            <p class="picker-chosen" id=format!("{id}-chosen")>
                {move || match chosen.get() {
                    Some(party) => {
                        view! {
                            <span>{format!("Chosen: {}, {}", party.name, rating_words(party.comfort))}</span>
                            <Stars comfort=party.comfort />
                        }
                            .into_any()
                    }
                    None => view! { <span class="muted">"Nobody chosen yet."</span> }.into_any(),
                }}
            </p>
        </div>
    }
}

/// The introduction the server paused, and the ratings it paused on.
#[derive(Clone)]
struct Paused {
    low: LowComfort,
    request: NewIntroduction,
}

#[component]
fn NewIntroductionForm(
    with: Option<Uuid>,
    creating: RwSignal<bool>,
    list: Loaded<Page<Introduction>>,
    announce: RwSignal<String>,
) -> impl IntoView {
    let a = RwSignal::new(None::<IntroductionParty>);
    let b = RwSignal::new(None::<IntroductionParty>);
    let a_text = RwSignal::new(String::new());
    let b_text = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let paused = RwSignal::new(None::<Paused>);
    if let Some(id) = with {
        spawn_local(async move {
            match api::contacts::get(id).await {
                Ok(tagged) => {
                    let contact = tagged.value;
                    a_text.set(contact.name.clone());
                    a.set(Some(party_of(contact)));
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    }
    // Another choice of people makes a paused confirmation stale.
    Effect::new(move |_| {
        a.track();
        b.track();
        paused.set(None);
    });
    let busy = RwSignal::new(false);
    let send = move |request: NewIntroduction| {
        run(busy, async move {
            match api::introductions::create(&request).await {
                Ok(made) => {
                    paused.set(None);
                    creating.set(false);
                    announce.set(format!(
                        "Introduction of {} and {} proposed.",
                        made.contact_a.name, made.contact_b.name
                    ));
                    list.refetch();
                }
                Err(error) if error.code == "comfort_below_threshold" => {
                    let low = error
                        .details
                        .clone()
                        .and_then(|d| serde_json::from_value::<LowComfort>(d).ok())
                        .or_else(|| Some(LowComfort::new(a.get_untracked()?, b.get_untracked()?)));
                    match low {
                        Some(low) => paused.set(Some(Paused { low, request })),
                        None => problem.set(Some(error)),
                    }
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        paused.set(None);
        let mut errors = FieldErrors::new();
        let chosen = |party: Option<IntroductionParty>, field: &str, errors: &mut FieldErrors| {
            party.map(|p| p.id).unwrap_or_else(|| {
                errors.add(field, "is required: search and choose one of your contacts");
                Uuid::nil()
            })
        };
        let request = NewIntroduction {
            contact_a: chosen(a.get_untracked(), "contact_a", &mut errors),
            contact_b: chosen(b.get_untracked(), "contact_b", &mut errors),
            reason: reason.get_untracked().trim().to_owned(),
            confirm_low_comfort: false,
        };
        if let Err(more) = request.validate() {
            for error in more.into_vec() {
                if !errors.as_slice().iter().any(|e| e.field == error.field) {
                    errors.add(&error.field, error.message);
                }
            }
        }
        match errors.into_result() {
            Ok(()) => {
                problem.set(None);
                send(request);
            }
            Err(errors) => problem.set(Some(invalid_fields(errors))),
        }
    };
    let invalid =
        move |field: &'static str| Signal::derive(move || problem.with(|p| names_field(p, field)));
    let low_note = move || {
        let low: Vec<String> = [a.get(), b.get()]
            .into_iter()
            .flatten()
            .filter(is_low)
            .map(|p| format!("{} is {}", p.name, rating_words(p.comfort)))
            .collect();
        (!low.is_empty()).then(|| {
            view! {
                <p class="notice intro-low" id="intro-low-comfort">
                    {format!(
                        "{}. Below {COMFORT_TO_INTRODUCE} (“would introduce with context”), you will be asked to confirm.",
                        low.join(" and "),
                    )}
                </p>
            }
        })
    };
    view! {
        <section class="panel intro-new" aria-labelledby="new-intro-heading">
            <h2 id="new-intro-heading">"New introduction"</h2>
            <form class="form" novalidate on:submit=on_submit>
                <div class="grid2">
                    <Picker id="intro-a" label="Introduce" chosen=a text=a_text invalid=invalid("contact_a") />
                    <Picker id="intro-b" label="To" chosen=b text=b_text invalid=invalid("contact_b") />
                </div>
                {low_note}
                <TextArea
                    id="intro-reason"
                    label="Why should they meet?"
                    hint="Both will want to know."
                    value=reason
                    invalid=invalid("reason")
                />
                <ProblemAlert problem />
                {move || paused.get().map(|state| view! { <Guardrail state send paused /> })}
                <div class="form-actions">
                    <SubmitButton
                        id="save-introduction"
                        label="Propose introduction"
                        busy_label="Saving…"
                        busy
                    />
                    <button type="button" class="button quiet" on:click=move |_| creating.set(false)>
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The server's pause before introducing people rated below 3: both
/// ratings in words, and an explicit confirmation.
#[component]
fn Guardrail(
    state: Paused,
    send: impl Fn(NewIntroduction) + Copy + 'static,
    paused: RwSignal<Option<Paused>>,
) -> impl IntoView {
    let panel = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            let _ = panel.focus();
        }
    });
    let Paused { low, request } = state;
    let rated = |p: &IntroductionParty| match p.comfort {
        Some(c) => format!("you rated {} {c} of 5", p.name),
        None => format!("you have not rated {}", p.name),
    };
    let summary = format!(
        "{}, and {}. Below {} (“would introduce with context”), you would not yet put your word behind someone, and an introduction does that for both people.",
        rated(&low.contact_a),
        rated(&low.contact_b),
        low.threshold,
    );
    let mut summary_chars = summary.chars();
    let summary: String = summary_chars
        .next()
        .map(|first| first.to_uppercase().chain(summary_chars).collect())
        .unwrap_or_default();
    let confirm = move |_| {
        send(NewIntroduction {
            confirm_low_comfort: true,
            ..request.clone()
        });
    };
    view! {
        <div
            class="guardrail"
            id="intro-guardrail"
            role="group"
            aria-labelledby="intro-guardrail-heading"
            tabindex="-1"
            node_ref=panel
        >
            <h3 id="intro-guardrail-heading">"Introduce them anyway?"</h3>
            <p>{summary}</p>
            <ul class="guardrail-people">
                {[low.contact_a, low.contact_b]
                    .into_iter()
                    .map(|p| {
                        view! {
                            <li>
                                <span>{p.name}</span>
                                <Stars comfort=p.comfort />
                                <span class="muted">{rating_words(p.comfort)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="form-actions">
                <button id="confirm-introduction" type="button" class="button caution" on:click=confirm>
                    "Yes, introduce them"
                </button>
                <button
                    id="cancel-introduction-guardrail"
                    type="button"
                    class="button quiet"
                    on:click=move |_| paused.set(None)
                >
                    "Not now"
                </button>
            </div>
        </div>
    }
}
