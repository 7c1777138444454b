//! The public card-drop page of an event (no account needed).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use rapport_core::event::{CardDropRequest, PublicEvent};
use rapport_core::{Problem, Validate};

use crate::api::{self, ApiResult};
use crate::components::{
    format_date, invalid_fields, names_field, set_title, settled, Field, PageHeading, ProblemAlert,
    SubmitButton, TextArea,
};
use crate::events::{optional, run};

#[component]
pub fn CardDropPage() -> impl IntoView {
    set_title("Drop your card");
    let params = use_params_map();
    let slug = params.with_untracked(|p| p.get("slug")).unwrap_or_default();
    let event = {
        let slug = slug.clone();
        LocalResource::new(move || {
            let slug = slug.clone();
            async move { api::public::event(&slug).await }
        })
    };
    view! {
        <section class="card drop-page" aria-labelledby="drop-heading">
            {settled(event, move |event| drop_page(event, slug.clone()))}
        </section>
    }
}

/// The form of an open card drop, or why there is none.
fn drop_page(event: ApiResult<PublicEvent>, slug: String) -> AnyView {
    match event {
        Ok(event) => view! { <DropForm event slug /> }.into_any(),
        Err(problem) => {
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
        let slug = slug.clone();
        run(busy, async move {
            match api::public::drop_card(&slug, &card).await {
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
