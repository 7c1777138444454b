//! The API's routes, declared once: [`API_ROUTES`] (checked against the
//! OpenAPI document by the tests) and their registration come from the same
//! table, so a route cannot be served without being listed.

pub mod admin;
pub mod auth;
pub mod calendar;
pub mod contacts;
pub mod duplicates;
pub mod events;
pub mod export;
pub mod health;
pub mod imports;
pub mod interactions;
pub mod intro_requests;
pub mod introductions;
pub mod invitations;
pub mod me;
pub mod nurture;
pub mod pagination;
pub mod public;
pub mod sharing;
pub mod teams;
pub mod versioning;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};

use crate::error::ApiError;
use crate::error::ErrorCode;

macro_rules! api_routes {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every API route as (method, path under `/api/v1`).
        pub const API_ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        pub fn configure_api(cfg: &mut web::ServiceConfig) {
            // Fixed paths first, each closed by a resource that answers any
            // other method with 405: `PATCH /contacts/duplicates` must not
            // reach `PATCH /contacts/{id}`.
            $(if !$path.contains('{') {
                cfg.route($path, web::$method().to($handler));
            })*
            let mut fixed: Vec<&str> = API_ROUTES
                .iter()
                .map(|(_, path)| *path)
                .filter(|path| !path.contains('{'))
                .collect();
            fixed.sort_unstable();
            fixed.dedup();
            for path in fixed {
                cfg.service(web::resource(path).default_service(web::to(api_fallback)));
            }
            $(if $path.contains('{') {
                cfg.route($path, web::$method().to($handler));
            })*
        }
    };
}

api_routes! {
    get "/openapi.json" => crate::openapi::document,
    get "/instance" => auth::instance,
    post "/auth/register" => auth::register,
    post "/auth/login" => auth::login,
    post "/auth/refresh" => auth::refresh,
    post "/auth/logout" => auth::logout,
    get "/me" => me::get_me,
    patch "/me" => me::update_me,
    post "/me/password" => me::change_password,
    get "/me/sessions" => me::list_sessions,
    delete "/me/sessions/{id}" => me::revoke_session,
    get "/me/tokens" => me::list_tokens,
    post "/me/tokens" => me::create_token,
    delete "/me/tokens/{id}" => me::delete_token,
    post "/me/calendar-feed" => calendar::create_feed,
    delete "/me/calendar-feed" => calendar::delete_feed,
    get "/admin/users" => admin::list_users,
    patch "/admin/users/{id}" => admin::update_user,
    get "/admin/invites" => admin::list_invites,
    post "/admin/invites" => admin::create_invite,
    get "/me/settings" => contacts::get_settings,
    put "/me/settings" => contacts::put_settings,
    get "/contacts" => contacts::list_contacts,
    post "/contacts" => contacts::create_contact,
    // Before `/contacts/{id}`: actix matches routes in order.
    get "/contacts/duplicates" => duplicates::duplicates,
    get "/contacts/{id}" => contacts::get_contact,
    patch "/contacts/{id}" => contacts::update_contact,
    delete "/contacts/{id}" => contacts::delete_contact,
    put "/contacts/{id}/comfort" => contacts::set_comfort,
    get "/contacts/{id}/comfort/history" => contacts::comfort_history,
    post "/contacts/{id}/snooze" => contacts::snooze,
    get "/contacts/{id}/familiarity" => contacts::get_familiarity,
    post "/contacts/{id}/connection" => contacts::change_connection,
    get "/contacts/{id}/connection/history" => contacts::connection_history,
    post "/contacts/{id}/merge" => duplicates::merge,
    get "/network" => contacts::network,
    get "/interactions" => interactions::list_interactions,
    post "/interactions" => interactions::create_interaction,
    get "/interactions/{id}" => interactions::get_interaction,
    patch "/interactions/{id}" => interactions::update_interaction,
    delete "/interactions/{id}" => interactions::delete_interaction,
    get "/introductions" => introductions::list_introductions,
    post "/introductions" => introductions::create_introduction,
    get "/introductions/{id}" => introductions::get_introduction,
    patch "/introductions/{id}" => introductions::update_introduction,
    get "/nurture" => nurture::nurture_queue,
    get "/events" => events::list_events,
    post "/events" => events::create_event,
    get "/events/{id}" => events::get_event,
    patch "/events/{id}" => events::update_event,
    delete "/events/{id}" => events::delete_event,
    get "/events/{id}/contacts" => events::event_contacts,
    get "/contacts/{id}/invitation-draft" => invitations::invitation_draft_for,
    get "/public/events/{slug}" => public::get_public_event,
    post "/public/events/{slug}/cards" => public::drop_card,
    get "/imports" => imports::list_imports,
    post "/imports" => imports::create_import,
    get "/imports/{id}" => imports::get_import,
    get "/imports/{id}/rows" => imports::import_rows,
    put "/imports/{id}/mapping" => imports::map_columns,
    post "/imports/{id}/commit" => imports::commit_import,
    post "/imports/{id}/undo" => imports::undo_import,
    get "/export" => export::account,
    get "/export/contacts.csv" => export::contacts_csv,
    get "/export/contacts.vcf" => export::contacts_vcard,
    get "/teams" => teams::list_teams,
    post "/teams" => teams::create_team,
    post "/teams/join" => teams::join_team,
    get "/teams/{id}" => teams::get_team,
    patch "/teams/{id}" => teams::update_team,
    delete "/teams/{id}" => teams::delete_team,
    get "/teams/{id}/members" => teams::list_members,
    post "/teams/{id}/members" => teams::add_member,
    patch "/teams/{id}/members/{user_id}" => teams::update_member,
    delete "/teams/{id}/members/{user_id}" => teams::remove_member,
    post "/teams/{id}/join-codes" => teams::create_join_code,
    get "/teams/{id}/sharing" => sharing::get_sharing,
    put "/teams/{id}/sharing" => sharing::put_sharing,
    post "/teams/{id}/sharing/bulk" => sharing::bulk_share,
    get "/teams/{id}/sharing/contacts/{contact_id}" => sharing::get_contact_share,
    put "/teams/{id}/sharing/contacts/{contact_id}" => sharing::put_contact_share,
    get "/teams/{id}/reach" => sharing::reach,
    get "/teams/{id}/audit" => teams::audit_log,
    post "/teams/{id}/intro-requests" => intro_requests::create,
    get "/intro-requests" => intro_requests::list,
    get "/intro-requests/{id}" => intro_requests::get,
    post "/intro-requests/{id}/accept" => intro_requests::accept,
    post "/intro-requests/{id}/decline" => intro_requests::decline,
    post "/intro-requests/{id}/withdraw" => intro_requests::withdraw,
}

macro_rules! outside_api_routes {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Routes served outside `/api/v1` (in the same OpenAPI document)
        /// as (method, full path): addresses that other programs keep, such
        /// as a calendar app's feed subscription.
        pub const OUTSIDE_API_ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        pub fn configure_outside_api(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::$method().to($handler));)*
        }
    };
}

outside_api_routes! {
    get "/calendar/{secret}.ics" => calendar::feed,
}

/// Does a route template such as `/me/tokens/{id}` match a concrete path?
fn template_matches(template: &str, path: &str) -> bool {
    let mut expected = template.split('/');
    let mut actual = path.split('/');
    loop {
        match (expected.next(), actual.next()) {
            (None, None) => return true,
            (Some(e), Some(a)) if e.starts_with('{') || e == a => {}
            _ => return false,
        }
    }
}

/// Unknown API paths get a problem document (never the app's page), and a
/// known path with the wrong method gets 405 with `Allow`.
pub async fn api_fallback(req: HttpRequest) -> actix_web::HttpResponse {
    actix_web::ResponseError::error_response(&fallback_error(&req))
}

fn fallback_error(req: &HttpRequest) -> ApiError {
    let path = req.path();
    let under_v1 = path.strip_prefix("/api/v1").unwrap_or("");
    let mut allowed: Vec<String> = Vec::new();
    // A fixed path (`/contacts/duplicates`) is that route alone, though it
    // also matches a template (`/contacts/{id}`).
    let exact = API_ROUTES.iter().any(|(_, template)| *template == under_v1);
    for (method, _) in API_ROUTES.iter().filter(|(_, template)| {
        if exact {
            *template == under_v1
        } else {
            template_matches(template, under_v1)
        }
    }) {
        let method = method.to_uppercase();
        if !allowed.contains(&method) {
            allowed.push(method);
        }
    }
    if allowed.is_empty() {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RouteNotFound,
            format!("There is no API route at {path}. See /api/v1/openapi.json for the routes."),
        );
    }
    let mut error = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{path} accepts {}.", allowed.join(", ")),
    );
    error.allow = Some(allowed.join(", "));
    error
}

#[cfg(test)]
mod tests {
    use super::template_matches;

    #[test]
    fn templates_match_one_segment_per_parameter() {
        assert!(template_matches("/me/tokens/{id}", "/me/tokens/abc"));
        assert!(!template_matches("/me/tokens/{id}", "/me/tokens"));
        assert!(!template_matches("/me/tokens/{id}", "/me/tokens/abc/def"));
        assert!(template_matches("/me", "/me"));
    }
}
