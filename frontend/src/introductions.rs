//! Introductions: list, the create flow with the comfort guardrail, status steps.

use leptos::prelude::*;

use crate::components::{set_title, PageHeading};

#[component]
pub fn Introductions() -> impl IntoView {
    set_title("Introductions");
    view! {
        <section class="page">
            <PageHeading>"Introductions"</PageHeading>
        </section>
    }
}
