//! The network: list, trust rings and the know × trust map.

use leptos::prelude::*;

use crate::components::{set_title, PageHeading};

#[component]
pub fn Network() -> impl IntoView {
    set_title("Network");
    view! {
        <section class="page">
            <PageHeading>"Network"</PageHeading>
        </section>
    }
}
