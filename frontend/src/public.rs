//! The public card-drop page of an event (no account needed).

use leptos::prelude::*;

use crate::components::{set_title, PageHeading};

#[component]
pub fn CardDropPage() -> impl IntoView {
    set_title("Drop your card");
    view! {
        <section class="page">
            <PageHeading>"Drop your card"</PageHeading>
        </section>
    }
}
