//! Rapport's single-page app: Leptos, rendered in the browser from WASM.
//! `scripts/build-frontend` builds it into `frontend/dist`, which the
//! server embeds.

mod admin;
mod api;
mod app;
mod auth;
mod components;
mod contact;
mod duplicates;
mod events;
mod home;
mod imports;
mod introductions;
mod network;
mod pages;
mod public;
mod settings;

fn main() {
    console_error_panic_hook::set_once();
    // The static "Loading…" of index.html gives way to the app.
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
