//! The pages before signing in (sign-in, registration) and "not found".

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use leptos_router::NavigateOptions;
use rapport_core::account::{LoginRequest, RegisterRequest};
use rapport_core::{Problem, Validate};

use crate::api::{self, ApiResult, InstanceInfo};
use crate::auth::use_auth;
use crate::components::{
    invalid_fields, names_field, set_title, Field, Loading, PageHeading, ProblemAlert, SubmitButton,
};

pub type InstanceResource = LocalResource<ApiResult<InstanceInfo>>;

pub fn use_instance() -> InstanceResource {
    expect_context::<InstanceResource>()
}

/// Navigation that replaces the history entry (for redirects).
pub fn replacing() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..Default::default()
    }
}

/// Where to go after signing in: the `next` of the address when it is a
/// page of this app, otherwise the start page.
fn after_sign_in() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || {
        query
            .with(|q| q.get("next"))
            .and_then(|next| same_origin_path(&next))
            .unwrap_or_else(|| "/".to_owned())
    })
}

/// `next` as a path of this origin, or `None` when it leads anywhere else.
/// The browser's own URL parser decides, exactly as it would when
/// following it: it reads `/\` as `//` and drops tabs and newlines, so a
/// prefix test on the text is not enough.
fn same_origin_path(next: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let url = web_sys::Url::new_with_base(next, &location.href().ok()?).ok()?;
    if url.origin() != location.origin().ok()? {
        return None;
    }
    // `/.//host` is a path of this origin whose text would read as
    // scheme-relative once used on its own.
    let path = format!("/{}", url.pathname().trim_start_matches('/'));
    Some(format!("{path}{}{}", url.search(), url.hash()))
}

#[component]
pub fn SignIn() -> impl IntoView {
    set_title("Sign in");
    let auth = use_auth();
    let instance = use_instance();
    let next = after_sign_in();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let submit = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            match api::auth::login(&request).await {
                Ok(response) => auth.signed_in(response),
                Err(error) => problem.set(Some(error)),
            }
        }
    });
    let busy = submit.pending();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        match request.validate() {
            Ok(()) => {
                problem.set(None);
                submit.dispatch(request);
            }
            Err(errors) => problem.set(Some(invalid_fields(errors))),
        }
    };
    let info = Memo::new(move |_| instance.get().and_then(Result::ok));
    let invalid =
        move |field: &'static str| Signal::derive(move || problem.with(|p| names_field(p, field)));

    view! {
        <Show
            when=move || !auth.is_signed_in()
            fallback=move || view! { <Redirect path=next.get_untracked() options=replacing() /> }
        >
            <section class="card narrow" aria-labelledby="signin-heading">
                <PageHeading id="signin-heading">"Sign in"</PageHeading>
                <p class="lead">"Welcome back to Rapport."</p>
                {move || {
                    info.get()
                        .filter(|i| i.first_account)
                        .map(|_| {
                            view! {
                                <p class="notice">
                                    "This Rapport has no accounts yet. "
                                    <a href="/register">"Create the admin account"</a>
                                    " to get started."
                                </p>
                            }
                        })
                }}
                <form class="form" on:submit=on_submit novalidate>
                    <Field
                        id="email"
                        label="Email"
                        kind="email"
                        autocomplete="username"
                        required=true
                        value=email
                        invalid=invalid("email")
                    />
                    <Field
                        id="password"
                        label="Password"
                        kind="password"
                        autocomplete="current-password"
                        required=true
                        value=password
                        invalid=invalid("password")
                    />
                    <ProblemAlert problem />
                    <SubmitButton id="sign-in" label="Sign in" busy_label="Signing in…" busy />
                </form>
                {move || {
                    info.get()
                        .filter(|i| i.can_register() && !i.first_account)
                        .map(|_| {
                            view! {
                                <p class="switch">
                                    "New here? " <a href="/register">"Create an account"</a>
                                </p>
                            }
                        })
                }}
            </section>
        </Show>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    set_title("Create an account");
    let auth = use_auth();
    let instance = use_instance();
    let info = Memo::new(move |_| instance.get());
    // Outside the form, so that typed values survive a re-render.
    let fields = RegisterFields {
        display_name: RwSignal::new(String::new()),
        email: RwSignal::new(String::new()),
        password: RwSignal::new(String::new()),
        invite_code: RwSignal::new(String::new()),
        problem: RwSignal::new(None),
    };
    view! {
        <Show
            when=move || !auth.is_signed_in()
            fallback=|| view! { <Redirect path="/" options=replacing() /> }
        >
            {move || match info.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(problem)) => {
                    view! {
                        <section class="card narrow">
                            <PageHeading>"Create an account"</PageHeading>
                            <ProblemAlert problem=Signal::derive(move || Some(problem.clone())) />
                            <div class="actions">
                                <button
                                    id="retry"
                                    type="button"
                                    class="button"
                                    on:click=move |_| instance.refetch()
                                >
                                    "Try again"
                                </button>
                            </div>
                        </section>
                    }
                        .into_any()
                }
                Some(Ok(info)) if !info.can_register() => {
                    view! {
                        <section class="card narrow">
                            <PageHeading>"Registration is closed"</PageHeading>
                            <p class="lead">
                                "This Rapport does not take new accounts. Ask its administrator to create one for you."
                            </p>
                            <p class="switch">
                                "Have an account? " <a href="/signin">"Sign in"</a>
                            </p>
                        </section>
                    }
                        .into_any()
                }
                Some(Ok(info)) => view! { <RegisterForm info fields /> }.into_any(),
            }}
        </Show>
    }
}

/// The signals of the registration form.
#[derive(Clone, Copy)]
struct RegisterFields {
    display_name: RwSignal<String>,
    email: RwSignal<String>,
    password: RwSignal<String>,
    invite_code: RwSignal<String>,
    problem: RwSignal<Option<Problem>>,
}

#[component]
fn RegisterForm(info: InstanceInfo, fields: RegisterFields) -> impl IntoView {
    let auth = use_auth();
    let instance = use_instance();
    let problem = fields.problem;
    let submit = Action::new_local(move |request: &RegisterRequest| {
        let request = request.clone();
        async move {
            if let Err(error) = api::auth::register(&request).await {
                problem.set(Some(error));
                return;
            }
            let login = LoginRequest {
                email: request.email,
                password: request.password,
            };
            match api::auth::login(&login).await {
                Ok(response) => auth.signed_in(response),
                Err(mut error) => {
                    error.detail = format!(
                        "Your account was created, but signing in failed: {} Try signing in.",
                        error.detail
                    );
                    problem.set(Some(error));
                }
            }
            // The instance has an account now.
            instance.refetch();
        }
    });
    let busy = submit.pending();
    let needs_invite = info.needs_invite();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = RegisterRequest {
            email: fields.email.get_untracked().trim().to_owned(),
            password: fields.password.get_untracked(),
            display_name: fields.display_name.get_untracked().trim().to_owned(),
            invite_code: needs_invite.then(|| fields.invite_code.get_untracked().trim().to_owned()),
        };
        match request.validate() {
            Ok(()) => {
                problem.set(None);
                submit.dispatch(request);
            }
            Err(errors) => problem.set(Some(invalid_fields(errors))),
        }
    };
    let invalid =
        move |field: &'static str| Signal::derive(move || problem.with(|p| names_field(p, field)));
    let (heading, lead) = if info.first_account {
        (
            "Create the admin account",
            "No one has an account here yet. The first account administers this Rapport: it invites people and manages accounts, but never sees anyone else's contacts.",
        )
    } else {
        (
            "Create your account",
            "Keep track of the people you meet and stay in touch.",
        )
    };

    view! {
        <section class="card narrow" aria-labelledby="register-heading">
            <PageHeading id="register-heading">{heading}</PageHeading>
            <p class="lead">{lead}</p>
            <form class="form" on:submit=on_submit novalidate>
                <Field
                    id="display-name"
                    label="Your name"
                    autocomplete="name"
                    required=true
                    value=fields.display_name
                    invalid=invalid("display_name")
                />
                <Field
                    id="email"
                    label="Email"
                    kind="email"
                    autocomplete="email"
                    required=true
                    value=fields.email
                    invalid=invalid("email")
                />
                <Field
                    id="password"
                    label="Password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. A few unrelated words make a strong password."
                    required=true
                    minlength=8
                    value=fields.password
                    invalid=invalid("password")
                />
                {needs_invite
                    .then(|| {
                        view! {
                            <Field
                                id="invite-code"
                                label="Invite code"
                                hint="This Rapport takes new people by invitation: enter the code you were given."
                                required=true
                                value=fields.invite_code
                                invalid=invalid("invite_code")
                            />
                        }
                    })}
                <ProblemAlert problem />
                <SubmitButton
                    id="register"
                    label=if info.first_account { "Create admin account" } else { "Create account" }
                    busy_label="Creating your account…"
                    busy
                />
            </form>
            <p class="switch">"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_title("Page not found");
    view! {
        <section class="card narrow">
            <PageHeading>"Page not found"</PageHeading>
            <p class="lead">"There is nothing at this address."</p>
            <p class="switch">
                <a href="/">"Go to the start page"</a>
            </p>
        </section>
    }
}
