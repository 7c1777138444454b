//! Small building blocks shared by the pages.

use leptos::html;
use leptos::prelude::*;
use rapport_core::Problem;

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
                            <p class="alert" id="form-error">
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

fn field_label(field: &str) -> &str {
    match field {
        "display_name" => "Your name",
        "email" => "Email",
        "password" => "Password",
        "invite_code" => "Invite code",
        other => other,
    }
}

/// Does the problem name this field as invalid?
pub fn names_field(problem: &Option<Problem>, field: &str) -> bool {
    problem
        .as_ref()
        .is_some_and(|p| p.errors.iter().any(|e| e.field == field))
}
