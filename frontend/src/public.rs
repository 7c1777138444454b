//! The public card-drop page of an event (no account needed).

use gloo_net::http::{Request, Response};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use rapport_core::event::{CardDropReceipt, CardDropRequest, PublicEvent};
use rapport_core::problem::PROBLEM_CONTENT_TYPE;
use rapport_core::{Problem, Validate};
use serde::de::DeserializeOwned;

use crate::app::encode_component;
use crate::components::{
    format_date, invalid_fields, names_field, set_title, Field, Loading, PageHeading, ProblemAlert,
    SubmitButton, TextArea,
};
use crate::events::{optional, run};

/// The public API of a card drop, under `/api/v1/public/events/{slug}`.
fn public_path(slug: &str, rest: &str) -> String {
    format!("/api/v1/public/events/{}{rest}", encode_component(slug))
}

fn network_problem() -> Problem {
    Problem::new(
        0,
        "network_error",
        "Network error",
        "The page could not reach its server. Check your connection and try again.",
    )
}

/// The body of a successful answer, or the server's problem in words.
async fn answer<T: DeserializeOwned>(response: Response) -> Result<T, Problem> {
    let status = response.status();
    if response.ok() {
        if let Ok(value) = response.json::<T>().await {
            return Ok(value);
        }
    } else if response
        .headers()
        .get("content-type")
        .is_some_and(|t| t.starts_with(PROBLEM_CONTENT_TYPE))
    {
        if let Ok(problem) = response.json::<Problem>().await {
            return Err(problem);
        }
    }
    Err(Problem::new(
        status,
        "unexpected_response",
        "Unexpected response",
        format!("The server gave an unexpected answer (HTTP {status}). Try again in a moment."),
    ))
}

async fn public_event(path: String) -> Result<PublicEvent, Problem> {
    let response = Request::get(&path)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|_| network_problem())?;
    answer(response).await
}

async fn drop_card(path: String, card: CardDropRequest) -> Result<CardDropReceipt, Problem> {
    let request = Request::post(&path)
        .header("Accept", "application/json")
        .json(&card)
        .map_err(|_| network_problem())?;
    let response = request.send().await.map_err(|_| network_problem())?;
    answer(response).await
}

#[component]
pub fn CardDropPage() -> impl IntoView {
    set_title("Drop your card");
    let params = use_params_map();
    let slug = params.with_untracked(|p| p.get("slug")).unwrap_or_default();
    let event = RwSignal::new(None::<Result<PublicEvent, Problem>>);
    let path = public_path(&slug, "");
    spawn_local(async move { event.set(Some(public_event(path).await)) });
    view! {
        <section class="card drop-page" aria-labelledby="drop-heading">
            {move || match event.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Ok(event)) => view! { <DropForm event slug=slug.clone() /> }.into_any(),
                Some(Err(problem)) => {
                    let message = if problem.status == 403 || problem.status == 404 {
                        "There is no open card drop at this address. Check the address with the organiser: it may be mistyped, or the card drop may have closed.".to_owned()
                    } else {
                        problem.detail
                    };
                    view! {
                        <PageHeading id="drop-heading">"Card drop"</PageHeading>
                        <p class="lead" id="drop-unavailable">{message}</p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn DropForm(event: PublicEvent, slug: String) -> impl IntoView {
    set_title(&event.name);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let thanks = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let path = public_path(&slug, "/cards");
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let card = CardDropRequest {
            name: name.get_untracked().trim().to_owned(),
            email: optional(email.get_untracked()),
            url: optional(url.get_untracked()),
            passphrase: passphrase.get_untracked().trim().to_owned(),
            note: optional(note.get_untracked()),
        };
        if let Err(errors) = card.validate() {
            return problem.set(Some(invalid_fields(errors)));
        }
        problem.set(None);
        let path = path.clone();
        run(busy, async move {
            match drop_card(path, card).await {
                Ok(_) => thanks.set(true),
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let invalid =
        move |field: &'static str| Signal::derive(move || problem.with(|p| names_field(p, field)));
    let place = event.place.map(|p| format!(" · {p}")).unwrap_or_default();
    let when = format!("{}{place}", format_date(event.starts_on));
    let (lead, open) = if event.open {
        ("Leave your details so the organiser can stay in touch. You need the passphrase said in the room.", true)
    } else {
        ("This card drop is not taking cards right now. Ask the organiser when it opens, or how else to reach them.", false)
    };
    let thanks_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(element) = thanks_ref.get() {
            let _ = element.focus();
        }
    });
    let form = view! {
        <form class="form" novalidate on:submit=on_submit>
            <Field
                id="drop-name"
                label="Your name"
                autocomplete="name"
                required=true
                value=name
                invalid=invalid("name")
            />
            <Field
                id="drop-email"
                label="Email"
                kind="email"
                autocomplete="email"
                value=email
                invalid=invalid("email")
            />
            <Field
                id="drop-url"
                label="LinkedIn or website"
                kind="url"
                autocomplete="url"
                hint="An email, a profile address, or both: at least one way to reach you."
                value=url
                invalid=invalid("url")
            />
            <Field
                id="drop-passphrase"
                label="Passphrase"
                hint="The word said in the room. Case does not matter."
                required=true
                value=passphrase
                invalid=invalid("passphrase")
            />
            <TextArea
                id="drop-note"
                label="A note (optional)"
                hint="What you talked about, or why to get in touch."
                value=note
                invalid=invalid("note")
            />
            <ProblemAlert problem />
            <SubmitButton id="drop-card" label="Drop my card" busy_label="Sending…" busy />
            <p class="hint drop-privacy">
                "Only the organiser sees what you leave here. No account needed."
            </p>
        </form>
    };
    view! {
        <p class="drop-kicker">"Drop your card"</p>
        <PageHeading id="drop-heading">{event.name}</PageHeading>
        <p class="muted drop-when">{when}</p>
        <p
            class="lead"
            id=if open { "drop-lead" } else { "drop-closed" }
            hidden=move || thanks.get()
        >
            {lead}
        </p>
        <div hidden=move || !open || thanks.get()>{form}</div>
        {move || {
            thanks
                .get()
                .then(|| {
                    view! {
                        <div
                            class="drop-thanks"
                            id="drop-thanks"
                            role="status"
                            tabindex="-1"
                            node_ref=thanks_ref
                        >
                            <p class="drop-thanks-title">"Thank you, your card is in."</p>
                            <p class="muted">"The organiser now has your details and may get in touch."</p>
                        </div>
                    }
                })
        }}
    }
}
