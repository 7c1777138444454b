//! Administration: users and invite codes (admins only).

use leptos::prelude::*;

use crate::components::{set_title, PageHeading};

#[component]
pub fn Admin() -> impl IntoView {
    set_title("Admin");
    view! {
        <section class="page">
            <PageHeading>"Admin"</PageHeading>
        </section>
    }
}
