//! Settings: profile, password, sessions, access tokens, network policy.

use leptos::prelude::*;

use crate::components::{set_title, PageHeading};

#[component]
pub fn Settings() -> impl IntoView {
    set_title("Settings");
    view! {
        <section class="page">
            <PageHeading>"Settings"</PageHeading>
        </section>
    }
}
