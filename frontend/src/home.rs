//! Home: the nurture queue, what to do today.

use leptos::prelude::*;

use crate::components::{set_title, PageHeading};

#[component]
pub fn Home() -> impl IntoView {
    set_title("Today");
    view! {
        <section class="page">
            <PageHeading>"Today"</PageHeading>
        </section>
    }
}
