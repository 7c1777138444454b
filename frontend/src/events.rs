//! Events: list, creation, detail with the contacts met there.

use leptos::prelude::*;

use crate::components::{set_title, PageHeading};

#[component]
pub fn Events() -> impl IntoView {
    set_title("Events");
    view! {
        <section class="page">
            <PageHeading>"Events"</PageHeading>
        </section>
    }
}

#[component]
pub fn EventPage() -> impl IntoView {
    set_title("Event");
    view! {
        <section class="page">
            <PageHeading>"Event"</PageHeading>
        </section>
    }
}
