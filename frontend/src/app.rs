//! The application shell: session, instance facts, navigation, routes.

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;
use rapport_core::account::Role;

use crate::api;
use crate::auth::{provide_auth, use_auth};
use crate::components::{Loading, SessionExpiredDialog, SignOutButton};
use crate::pages::{replacing, InstanceResource, NotFound, Register, SignIn};
use crate::{admin, contact, events, home, introductions, network, public, settings};

#[component]
pub fn App() -> impl IntoView {
    let auth = provide_auth();
    auth.restore();
    let instance: InstanceResource = LocalResource::new(api::instance);
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
                        <Route path=path!("/e/:slug") view=public::CardDropPage />
                        <Route path=path!("/") view=|| private(home::Home) />
                        <Route path=path!("/network") view=|| private(network::Network) />
                        <Route path=path!("/contacts/new") view=|| private(contact::NewContactPage) />
                        <Route path=path!("/contacts/:id") view=|| private(contact::ContactPage) />
                        <Route path=path!("/events") view=|| private(events::Events) />
                        <Route path=path!("/events/:id") view=|| private(events::EventPage) />
                        <Route path=path!("/introductions") view=|| private(introductions::Introductions) />
                        <Route path=path!("/settings") view=|| private(settings::Settings) />
                        <Route path=path!("/admin") view=|| private(admin::Admin) />
                    </Routes>
                </Show>
            </main>
            <SessionExpiredDialog />
            <footer class="footer">{version}</footer>
        </Router>
    }
}

/// A page for signed-in people: anyone else goes to the sign-in page, which
/// comes back here afterwards.
fn private<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    move || {
        if auth.is_signed_in() {
            page().into_any()
        } else {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
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
                    <A href="/settings">"Settings"</A>
                    <Show when=is_admin>
                        <A href="/admin">"Admin"</A>
                    </Show>
                </nav>
                <div class="account">
                    <span class="who">{move || auth.user().map(|u| u.display_name)}</span>
                    <SignOutButton />
                </div>
            </Show>
        </header>
    }
}
