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
        routes::calendar::create_feed,
        routes::calendar::delete_feed,
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
        routes::duplicates::duplicates,
        routes::duplicates::merge,
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
        routes::imports::list_imports,
        routes::imports::create_import,
        routes::imports::get_import,
        routes::imports::import_rows,
        routes::imports::map_columns,
        routes::imports::commit_import,
        routes::imports::undo_import,
        routes::export::account,
        routes::export::contacts_csv,
        routes::export::contacts_vcard,
        routes::calendar::feed,
        routes::teams::list_teams,
        routes::teams::create_team,
        routes::teams::join_team,
        routes::teams::get_team,
        routes::teams::update_team,
        routes::teams::delete_team,
        routes::teams::list_members,
        routes::teams::add_member,
        routes::teams::update_member,
        routes::teams::remove_member,
        routes::teams::create_join_code,
        routes::sharing::get_sharing,
        routes::sharing::put_sharing,
        routes::sharing::bulk_share,
        routes::sharing::get_contact_share,
        routes::sharing::put_contact_share,
        routes::sharing::reach,
        routes::teams::audit_log,
        routes::intro_requests::create,
        routes::intro_requests::list,
        routes::intro_requests::get,
        routes::intro_requests::accept,
        routes::intro_requests::decline,
        routes::intro_requests::withdraw,
    ),
    components(schemas(rapport_core::Problem, rapport_core::FieldError)),
    modifiers(&BearerScheme, &ProblemResponses, &ExactParameters),
    tags(
        (name = "auth", description = "Registration, sign-in and sessions"),
        (name = "me", description = "Your account, sessions and personal access tokens"),
        (name = "admin", description = "Instance administration (admins only)"),
        (name = "contacts", description = "Your network: contacts, referral comfort, familiarity, connection flow"),
        (name = "interactions", description = "Touchpoints with your contacts"),
        (name = "introductions", description = "Introducing two of your contacts to each other, double opt-in"),
        (name = "nurture", description = "Your to-do list: overdue catch-ups, follow-ups, asks without an answer, introductions waiting"),
        (name = "events", description = "Events where you meet people, their passphrases and card drops"),
        (name = "imports", description = "Bringing your network in: LinkedIn, Google, Outlook, vCard and spreadsheets, previewed, committed in one transaction, undone"),
        (name = "export", description = "Your data, taken out: the whole account as JSON, contacts as CSV and vCard"),
        (name = "teams", description = "Teams on a shared instance: members and roles, join codes. A team never opens anyone's network to anyone"),
        (name = "public", description = "An event's public card drop and the calendar feed (no authentication but their secret addresses)"),
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

/// The operations of a path, whatever their method.
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// The problem answers every route of a kind can give, declared once under
/// `components.responses` and listed on each operation that can give them
/// (where the operation does not describe that status itself).
struct ProblemResponses;

/// (component name, status, description).
const PROBLEMS: &[(&str, &str, &str)] = &[
    (
        "BadRequest",
        "400",
        "The request cannot be read: malformed JSON (`malformed_json`), a query string \
         that does not parse (`invalid_query`), or text with the NUL character \
         (`nul_character`).",
    ),
    (
        "Unauthorized",
        "401",
        "No valid credentials: send `Authorization: Bearer` with a live access token or \
         personal access token (`unauthorized`).",
    ),
    (
        "Forbidden",
        "403",
        "The credentials may not do this: a read-only token cannot write \
         (`insufficient_scope`), some routes need a browser session rather than a token \
         (`session_required`), administration needs an admin (`admin_only`).",
    ),
    (
        "NotFound",
        "404",
        "There is no such object of yours (someone else's object is not found either).",
    ),
    (
        "PayloadTooLarge",
        "413",
        "The body is larger than 64 KiB (`payload_too_large`).",
    ),
    (
        "UnsupportedMediaType",
        "415",
        "The body is not sent as `application/json` (`unsupported_media_type`).",
    ),
    (
        "Unprocessable",
        "422",
        "A field or query parameter is invalid (`validation_failed`); `errors` names each \
         and says what to fix.",
    ),
];

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, _, description) in PROBLEMS {
            let problem = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build();
            components.responses.insert(
                (*name).to_owned(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description(*description)
                        .content("application/problem+json", problem)
                        .build(),
                ),
            );
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            for operation in operations(item) {
                let mut wanted = vec!["BadRequest"];
                if operation.security.is_some() {
                    wanted.extend(["Unauthorized", "Forbidden"]);
                }
                if path.contains('{') {
                    wanted.push("NotFound");
                }
                if operation.request_body.is_some() {
                    wanted.extend(["PayloadTooLarge", "UnsupportedMediaType", "Unprocessable"]);
                }
                let has_query = operation
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                if has_query {
                    wanted.push("Unprocessable");
                }
                for (name, status, _) in PROBLEMS.iter().filter(|(n, ..)| wanted.contains(n)) {
                    operation
                        .responses
                        .responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
                }
            }
        }
    }
}

/// What the derive macros cannot say: the form of `If-Match`, and the time
/// zones this server knows (every IANA name of its tz database).
struct ExactParameters;

impl Modify for ExactParameters {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        use utoipa::openapi::RefOr;
        for (path, item) in openapi.paths.paths.iter_mut() {
            // A merge writes two contacts, and names the version of each.
            let (pattern, example) = if path.ends_with("/merge") {
                (
                    crate::routes::versioning::IF_MATCH_PAIR_PATTERN,
                    "\"3\", \"7\"",
                )
            } else {
                (crate::routes::versioning::IF_MATCH_PATTERN, "\"3\"")
            };
            for operation in operations(item) {
                for parameter in operation.parameters.iter_mut().flatten() {
                    if parameter.name.eq_ignore_ascii_case("If-Match") {
                        parameter.schema = Some(RefOr::T(Schema::Object(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .pattern(Some(pattern))
                                .examples([example])
                                .build(),
                        )));
                    }
                }
            }
        }
        let zones: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
        let schemas = openapi.components.as_mut().map(|c| &mut c.schemas);
        if let Some(RefOr::T(Schema::Object(update_me))) =
            schemas.and_then(|s| s.get_mut("UpdateMeRequest"))
        {
            if let Some(RefOr::T(Schema::Object(zone))) = update_me.properties.get_mut("time_zone")
            {
                // Null leaves the zone as it is.
                let mut values: Vec<serde_json::Value> =
                    zones.into_iter().map(Into::into).collect();
                values.push(serde_json::Value::Null);
                zone.enum_values = Some(values);
                zone.pattern = None;
                zone.max_length = None;
            }
        }
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    summary = "Get the OpenAPI document",
    description = "Returns this OpenAPI 3.1 document, generated from the code and covering every \
        API route. Public: no authentication needed.",
    responses((status = 200, description = "This OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
