//! A contact's page, and the form for a new contact.

use leptos::prelude::*;

use crate::components::{set_title, PageHeading};

#[component]
pub fn ContactPage() -> impl IntoView {
    set_title("Contact");
    view! {
        <section class="page">
            <PageHeading>"Contact"</PageHeading>
        </section>
    }
}

#[component]
pub fn NewContactPage() -> impl IntoView {
    set_title("New contact");
    view! {
        <section class="page">
            <PageHeading>"New contact"</PageHeading>
        </section>
    }
}
