//! The application shell: session, instance facts, routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::auth::provide_auth;
use crate::components::Loading;
use crate::pages::{Home, InstanceResource, NotFound, Register, SignIn};

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
            <header class="topbar">
                <a class="brand" href="/">
                    <img src="/favicon.svg" alt="" width="28" height="28" />
                    <span>"Rapport"</span>
                </a>
            </header>
            <main id="main" class="main">
                <Show
                    when=move || !auth.restoring()
                    fallback=|| view! { <Loading label="Opening Rapport…" /> }
                >
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/") view=Home />
                        <Route path=path!("/signin") view=SignIn />
                        <Route path=path!("/register") view=Register />
                    </Routes>
                </Show>
            </main>
            <footer class="footer">{version}</footer>
        </Router>
    }
}
