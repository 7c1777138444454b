//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rapport API",
        description = "Rapport keeps your professional network: referral comfort, familiarity, \
            ask-first connections, events, introductions and a nurture queue. Authenticate with \
            `Authorization: Bearer <access token or personal access token>`. Errors are \
            `application/problem+json` with a stable `code`.",
    ),
    paths(
        document,
        routes::auth::instance,
        routes::auth::register,
        routes::auth::login,
        routes::auth::refresh,
        routes::auth::logout,
        routes::me::get_me,
        routes::me::update_me,
        routes::me::change_password,
        routes::me::list_sessions,
        routes::me::revoke_session,
        routes::me::list_tokens,
        routes::me::create_token,
        routes::me::delete_token,
        routes::admin::list_users,
        routes::admin::update_user,
        routes::admin::list_invites,
        routes::admin::create_invite,
        routes::contacts::get_settings,
        routes::contacts::put_settings,
        routes::contacts::list_contacts,
        routes::contacts::create_contact,
        routes::contacts::get_contact,
        routes::contacts::update_contact,
        routes::contacts::delete_contact,
        routes::contacts::set_comfort,
        routes::contacts::comfort_history,
        routes::contacts::snooze,
        routes::contacts::get_familiarity,
        routes::contacts::change_connection,
        routes::contacts::connection_history,
        routes::contacts::network,
        routes::interactions::list_interactions,
        routes::interactions::create_interaction,
        routes::interactions::get_interaction,
        routes::interactions::update_interaction,
        routes::interactions::delete_interaction,
        routes::introductions::list_introductions,
        routes::introductions::create_introduction,
        routes::introductions::get_introduction,
        routes::introductions::update_introduction,
        routes::nurture::nurture_queue,
        routes::events::list_events,
        routes::events::create_event,
        routes::events::get_event,
        routes::events::update_event,
        routes::events::delete_event,
        routes::events::event_contacts,
        routes::invitations::invitation_draft_for,
        routes::public::get_public_event,
        routes::public::drop_card,
    ),
    components(schemas(rapport_core::Problem, rapport_core::FieldError)),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Registration, sign-in and sessions"),
        (name = "me", description = "Your account, sessions and personal access tokens"),
        (name = "admin", description = "Instance administration (admins only)"),
        (name = "contacts", description = "Your network: contacts, referral comfort, familiarity, connection flow"),
        (name = "interactions", description = "Touchpoints with your contacts"),
        (name = "introductions", description = "Introducing two of your contacts to each other, double opt-in"),
        (name = "nurture", description = "Your to-do list: overdue catch-ups, follow-ups, asks without an answer, introductions waiting"),
        (name = "events", description = "Events where you meet people, their passphrases and card drops"),
        (name = "public", description = "An event's public card drop (no authentication)"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token or rpt_ personal access token")
                    .build(),
            ),
        );
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
