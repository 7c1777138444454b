//! The application shell: session, instance facts, navigation, routes.

use std::future::Future;

use leptos::lazy;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;
use rapport_core::account::Role;

use crate::api;
use crate::auth::{provide_auth, use_auth};
use crate::components::{Loading, SessionExpiredDialog, SignOutButton};
use crate::pages::{replacing, InstanceResource, NotFound, Register, SignIn};
use crate::{
    admin, contact, duplicates, events, home, imports, introductions, network, public, settings,
};

#[component]
pub fn App() -> impl IntoView {
    let auth = provide_auth();
    auth.restore();
    let instance: InstanceResource = LocalResource::new(api::auth::instance);
    provide_context(instance);
    let version = move || {
        instance
            .get()
            .and_then(Result::ok)
            .map(|info| format!("Rapport {}", info.version))
    };

    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <TopBar />
            <main id="main" class="main" tabindex="-1">
                <Show
                    when=move || !auth.restoring()
                    fallback=|| view! { <Loading label="Opening Rapport…" /> }
                >
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/signin") view=SignIn />
                        <Route path=path!("/register") view=Register />
                        <Route path=path!("/e/:slug") view=|| lazily(card_drop_page) />
                        <Route path=path!("/") view=|| private(home_page) />
                        <Route path=path!("/network") view=|| private(network_page) />
                        <Route path=path!("/contacts/new") view=|| private(new_contact_page) />
                        <Route path=path!("/contacts/:id") view=|| private(contact_page) />
                        <Route path=path!("/events") view=|| private(events_page) />
                        <Route path=path!("/events/:id") view=|| private(event_page) />
                        <Route path=path!("/introductions") view=|| private(introductions_page) />
                        <Route path=path!("/import") view=|| private(import_start_page) />
                        <Route path=path!("/import/:id") view=|| private(import_page) />
                        <Route path=path!("/duplicates") view=|| private(duplicates_page) />
                        <Route path=path!("/settings") view=|| private(settings_page) />
                        <Route path=path!("/admin") view=|| private(admin_page) />
                    </Routes>
                </Show>
            </main>
            <SessionExpiredDialog />
            <footer class="footer">{version}</footer>
        </Router>
    }
}

// Each signed-in page is a separate piece of WebAssembly, fetched the first
// time it is opened (`#[lazy]`; scripts/build-frontend splits the module),
// so that the first load stays small: the main module holds the shell, the
// sign-in pages and what the pages share.

#[lazy]
fn home_page() -> AnyView {
    view! { <home::Home /> }.into_any()
}

#[lazy]
fn network_page() -> AnyView {
    view! { <network::Network /> }.into_any()
}

#[lazy]
fn new_contact_page() -> AnyView {
    view! { <contact::NewContactPage /> }.into_any()
}

#[lazy]
fn contact_page() -> AnyView {
    view! { <contact::ContactPage /> }.into_any()
}

#[lazy]
fn events_page() -> AnyView {
    view! { <events::Events /> }.into_any()
}

#[lazy]
fn event_page() -> AnyView {
    view! { <events::EventPage /> }.into_any()
}

#[lazy]
fn introductions_page() -> AnyView {
    view! { <introductions::Introductions /> }.into_any()
}

#[lazy]
fn import_start_page() -> AnyView {
    view! { <imports::ImportStart /> }.into_any()
}

#[lazy]
fn import_page() -> AnyView {
    view! { <imports::ImportPage /> }.into_any()
}

#[lazy]
fn duplicates_page() -> AnyView {
    view! { <duplicates::Duplicates /> }.into_any()
}

#[lazy]
fn settings_page() -> AnyView {
    view! { <settings::Settings /> }.into_any()
}

#[lazy]
fn admin_page() -> AnyView {
    view! { <admin::Admin /> }.into_any()
}

#[lazy]
fn card_drop_page() -> AnyView {
    view! { <public::CardDropPage /> }.into_any()
}

/// A page whose code may still have to be fetched.
fn lazily<F>(load: fn() -> F) -> AnyView
where
    F: Future<Output = AnyView> + Send + 'static,
{
    view! { <Suspense fallback=|| view! { <Loading /> }>{Suspend::new(load())}</Suspense> }
        .into_any()
}

/// A page for signed-in people: anyone else goes to the sign-in page, which
/// comes back here afterwards.
fn private<F>(load: fn() -> F) -> impl IntoView
where
    F: Future<Output = AnyView> + Send + 'static,
{
    let auth = use_auth();
    let location = use_location();
    // Only signing in or out rebuilds the page (not a renamed profile).
    let signed_in = Memo::new(move |_| auth.is_signed_in());
    move || {
        if signed_in.get() {
            lazily(load)
        } else {
            // The router's `search` has no leading "?".
            let search = location.search.get_untracked();
            let here = if search.is_empty() {
                location.pathname.get_untracked()
            } else {
                format!("{}?{search}", location.pathname.get_untracked())
            };
            let path = if here == "/" {
                "/signin".to_owned()
            } else {
                format!("/signin?next={}", encode_component(&here))
            };
            view! { <Redirect path=path options=replacing() /> }.into_any()
        }
    }
}

/// Percent-encodes a URL component (with the browser's own rules).
pub fn encode_component(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// The header: brand, the main sections and the account menu.
#[component]
fn TopBar() -> impl IntoView {
    let auth = use_auth();
    let is_admin = move || auth.user().is_some_and(|u| u.role == Role::Admin);
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <img src="/favicon.svg" alt="" width="28" height="28" />
                <span>"Rapport"</span>
            </a>
            <Show when=move || auth.is_signed_in()>
                <nav class="mainnav" aria-label="Main">
                    <A href="/" exact=true>"Today"</A>
                    <A href="/network">"Network"</A>
                    <A href="/events">"Events"</A>
                    <A href="/introductions">"Introductions"</A>
                    <A href="/import">"Import"</A>
                    <A href="/settings">"Settings"</A>
                    <Show when=is_admin>
                        <A href="/admin">"Admin"</A>
                    </Show>
                </nav>
                <div class="account">
                    <span class="account-name">{move || auth.user().map(|u| u.display_name)}</span>
                    <SignOutButton />
                </div>
            </Show>
        </header>
    }
}
