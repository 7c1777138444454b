//! Teams: creating one, its members and roles, and joining with a code.
//! A team is visible to its members only (anyone else gets 404), and no
//! role, not even the owner's, reads a member's network.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use rapport_core::account::Page;
use rapport_core::intro_request::Teammate;
use rapport_core::sharing::{AuditContact, AuditEntry};
use rapport_core::team::{
    AddMemberRequest, CreateJoinCodeRequest, CreatedJoinCode, JoinTeamRequest, MemberPatch,
    NewTeam, Team, TeamMember, TeamPatch,
};
use rapport_core::{Problem, Validate};
use rapport_storage::{Cursor, JoinOutcome, NewJoinCode, StoreError, TeamRecord};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{optional_json, Caller, ValidJson};
use crate::routes::pagination::{
    decode_cursor, encode_cursor, page, parse_cursor, parse_limit, respond, split, ListParams,
};
use crate::routes::versioning::{etag, IfMatch};
use crate::service::teams::{may_create, member_view, team_view};

fn respond_team(mut builder: actix_web::HttpResponseBuilder, record: TeamRecord) -> HttpResponse {
    let team = team_view(record);
    builder
        .insert_header((header::ETAG, etag(team.version)))
        .json(team)
}

async fn load(state: &AppState, user: Uuid, team: Uuid) -> ApiResult<TeamRecord> {
    state
        .store
        .team(user, team)
        .await?
        .ok_or_else(|| ApiError::not_found("team"))
}

/// A missing team or member of it is a 404 naming which.
pub(crate) fn not_found_as(what: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |error| match error {
        StoreError::NotFound => ApiError::not_found(what),
        other => other.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "teams",
    summary = "List my teams",
    description = "Lists the teams you belong to, oldest first, with your role in each, \
        paginated with `limit` and `cursor`. Any signed-in caller may call it: a browser session \
        or a personal access token, read-only tokens included.",
    security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "Your teams, oldest first", body = Page<Team>)))]
pub async fn list_teams(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let (limit, cursor) = query.read()?;
    let teams = state
        .store
        .teams_of(caller.id(), cursor.as_ref(), limit + 1)
        .await?;
    let teams: Vec<Team> = teams.into_iter().map(team_view).collect();
    Ok(respond(&req, teams, limit, |t| Cursor {
        created_at: t.created_at,
        id: t.id,
    }))
}

#[utoipa::path(post, path = "/api/v1/teams", tag = "teams",
    summary = "Create a team",
    description = "Creates a team with you as its owner. Who may create teams is the instance's \
        setting `RAPPORT_TEAMS`: `admins` (the default: the instance's admins only; anyone else \
        gets 403 `teams_admins_only`) or `anyone`. Creating a team shares nothing: every contact \
        stays private to its owner. Needs a browser session or a personal access token with the \
        `write` scope.",
    security(("bearer" = [])),
    request_body = NewTeam,
    responses(
        (status = 201, description = "Created, with you as owner; `ETag` carries its version", body = Team),
        (status = 403, description = "Only the instance's admins create teams here, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_team(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewTeam>,
) -> ApiResult<HttpResponse> {
    if !may_create(state.config.teams, caller.user.role) {
        return Err(ApiError::forbidden(
            ErrorCode::TeamsAdminsOnly,
            "On this instance only its admins create teams (RAPPORT_TEAMS=admins): ask an admin \
             to create one and add you.",
        ));
    }
    let settings = body.0.settings();
    let record = state
        .store
        .create_team(caller.id(), body.0.name.trim().to_owned(), settings)
        .await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header((header::LOCATION, format!("/api/v1/teams/{}", record.id)));
    Ok(respond_team(builder, record))
}

#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "teams",
    summary = "Get a team",
    description = "Returns a team you belong to, with your role, its member count and settings. \
        Any signed-in caller may call it (read-only tokens included); a team you do not belong to \
        is a 404. The `ETag` is the version to send in `If-Match` to update or delete it.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The team; `ETag` carries its version", body = Team),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(respond_team(
        HttpResponse::Ok(),
        load(&state, caller.id(), *id).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "teams",
    summary = "Update a team",
    description = "Renames a team or changes its settings (a field left out stays). The team's \
        owner and admins only (403 `team_role_required` for members and guests). Needs a browser \
        session or a personal access token with the `write` scope. `If-Match` is required: send \
        the `ETag` you read (428 without it, 412 when the team changed since), or `*` to skip the \
        check.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    request_body = TeamPatch,
    responses(
        (status = 200, body = Team),
        (status = 403, description = "Only the owner and admins change the team", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatch,
    body: ValidJson<TeamPatch>,
) -> ApiResult<HttpResponse> {
    let current = load(&state, caller.id(), *id).await?;
    let (name, settings) = body.0.apply(&current.name, &current.settings);
    TeamPatch::check(&name, &settings)?;
    let record = state
        .store
        .update_team(
            caller.id(),
            *id,
            expected.or(current.version),
            name,
            settings,
        )
        .await
        .map_err(not_found_as("team"))?;
    Ok(respond_team(HttpResponse::Ok(), record))
}

#[utoipa::path(delete, path = "/api/v1/teams/{id}", tag = "teams",
    summary = "Delete a team",
    description = "Deletes a team with its memberships and join codes. The team's owner only \
        (403 `team_role_required` for anyone else in it). Nobody's contacts are touched. Needs a \
        browser session or a personal access token with the `write` scope. `If-Match` is \
        required: send the `ETag` you read (428 without it, 412 when the team changed since), or \
        `*` to skip the check.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only the owner deletes the team", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    expected: IfMatch,
) -> ApiResult<HttpResponse> {
    let expected = match expected.version() {
        Some(version) => version,
        None => load(&state, caller.id(), *id).await?.version,
    };
    state
        .store
        .delete_team(caller.id(), *id, expected)
        .await
        .map_err(not_found_as("team"))?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/teams/{id}/members", tag = "teams",
    summary = "List a team's members",
    description = "Lists the members of a team you belong to, in the order they joined, \
        paginated with `limit` and `cursor`. Members, admins and the owner see each member's \
        name, email address, role and joining date; a guest sees names only (every other field \
        null). Any signed-in caller may call it (read-only tokens included); a team you do not \
        belong to is a 404.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ListParams),
    responses(
        (status = 200, description = "A page of members", body = Page<TeamMember>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_members(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let mut errors = rapport_core::FieldErrors::new();
    let limit = parse_limit(&mut errors, query.limit.as_deref());
    let after = parse_cursor(
        &mut errors,
        query.cursor.as_deref(),
        decode_cursor::<MemberCursor>,
    );
    errors.into_result()?;
    let skip = after.map_or(0, |cursor| cursor.skip);
    let team = load(&state, caller.id(), *id).await?;
    let members = state
        .store
        .team_members(caller.id(), *id, skip, limit + 1)
        .await
        .map_err(not_found_as("team"))?;
    let shown = u32::try_from(members.len().min(limit as usize)).unwrap_or(limit);
    let (members, next_cursor) = split(members, limit, |_| {
        encode_cursor(&MemberCursor {
            skip: skip.saturating_add(shown),
        })
    });
    let members: Vec<TeamMember> = members
        .into_iter()
        .map(|m| member_view(m, team.my_role))
        .collect();
    Ok(page(&req, members, limit, next_cursor))
}

/// Where the next page of members starts: a count, not a member's id or
/// joining time, which a guest may not learn.
#[derive(serde::Serialize, serde::Deserialize)]
struct MemberCursor {
    skip: u32,
}

#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "teams",
    summary = "Add a member",
    description = "Adds a user of this instance, by the email address they sign in with, as \
        `admin` (by the owner only), `member` or `guest`; they see the team at once and may \
        leave. The team's owner and admins only (403 `team_role_required`). An address with no \
        account here is a 422 on `email`; someone already in the team is a 409 \
        `already_member`. Needs a browser session or a personal access token with the `write` \
        scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = AddMemberRequest,
    responses(
        (status = 201, description = "Added", body = TeamMember),
        (status = 403, description = "Your role does not allow adding with that role", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<AddMemberRequest>,
) -> ApiResult<HttpResponse> {
    let email = rapport_core::validate::normalize_email(&body.0.email);
    let member = state
        .store
        .add_team_member(caller.id(), *id, &email, body.0.role.into())
        .await
        .map_err(|error| match error {
            StoreError::InvalidReference { .. } => ApiError::invalid_field(
                "email",
                "names no account on this instance: they register first, or join with a code",
            ),
            StoreError::Duplicate => ApiError::conflict(
                ErrorCode::AlreadyMember,
                "They are already in this team: change their role instead.",
            ),
            other => not_found_as("team")(other),
        })?;
    Ok(HttpResponse::Created().json(member_view(member, rapport_core::team::TeamRole::Owner)))
}

#[utoipa::path(patch, path = "/api/v1/teams/{id}/members/{user_id}", tag = "teams",
    summary = "Change a member's role",
    description = "Changes a member's role. The owner may give any role; making someone `owner` \
        transfers ownership, and the previous owner becomes an admin. Admins change roles among \
        members and guests only. Nobody changes their own role (the owner transfers ownership; \
        anyone else may leave). Refusals are 403 `team_role_required`, or 409 \
        `team_owner_required` where the team would lose its owner. Needs a browser session or a \
        personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    request_body = MemberPatch,
    responses(
        (status = 200, description = "The member with the new role", body = TeamMember),
        (status = 403, description = "Your role does not allow this change", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The team would lose its owner", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: ValidJson<MemberPatch>,
) -> ApiResult<HttpResponse> {
    let (team, member) = path.into_inner();
    let member = state
        .store
        .set_team_role(caller.id(), team, member, body.0.role)
        .await
        .map_err(not_found_as("team member"))?;
    Ok(HttpResponse::Ok().json(member_view(member, rapport_core::team::TeamRole::Owner)))
}

#[utoipa::path(delete, path = "/api/v1/teams/{id}/members/{user_id}", tag = "teams",
    summary = "Remove a member, or leave",
    description = "Takes a member out of the team; your own id leaves it. Anyone but the owner \
        may leave (the owner transfers ownership first, or deletes the team: 409 \
        `team_owner_required`). The owner removes anyone; admins remove members and guests (403 \
        `team_role_required` otherwise). Nobody's contacts are touched. Needs a browser session \
        or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed (or left)"),
        (status = 403, description = "Your role does not allow removing them", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The owner cannot leave", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (team, member) = path.into_inner();
    state
        .store
        .remove_team_member(caller.id(), team, member)
        .await
        .map_err(not_found_as("team member"))?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/teams/{id}/join-codes", tag = "teams",
    summary = "Create a join code",
    description = "Issues a single-use code that lets whoever sends it to `POST /teams/join` \
        join as `member` (the default) or `guest`, valid for `expires_in_days` (1 to 30; 7 with \
        an empty body). The code is in this answer only and is stored hashed. The team's owner \
        and admins only (403 `team_role_required`). Needs a browser session or a personal access \
        token with the `write` scope.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Option<CreateJoinCodeRequest>, description = "Optional; an empty body gives a 7-day member code"),
    responses(
        (status = 201, description = "The code is shown this once", body = CreatedJoinCode),
        (status = 403, description = "Only the owner and admins issue codes", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_join_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let request: CreateJoinCodeRequest = optional_json(&req, &body)?;
    request.validate()?;
    let days = request
        .expires_in_days
        .unwrap_or(rapport_core::team::JOIN_CODE_DAYS_DEFAULT);
    let (code, _prefix, code_hash) = crate::auth::new_invite_code();
    let record = state
        .store
        .create_join_code(
            caller.id(),
            NewJoinCode {
                team_id: *id,
                role: request.role(),
                code_hash,
                expires_at: rapport_storage::now() + chrono::Duration::days(i64::from(days)),
            },
        )
        .await
        .map_err(not_found_as("team"))?;
    Ok(HttpResponse::Created().json(CreatedJoinCode {
        id: record.id,
        team_id: record.team_id,
        role: record.role,
        expires_at: record.expires_at,
        code,
    }))
}

#[utoipa::path(post, path = "/api/v1/teams/join", tag = "teams",
    summary = "Join a team with a code",
    description = "Joins the team a join code was issued for, with the code's role, and spends \
        the code. An unknown, used or expired code is a 404 `join_code_invalid`; if you are \
        already in that team the answer is a 409 `already_member` and the code stays unspent. \
        Needs a browser session or a personal access token with the `write` scope.",
    security(("bearer" = [])),
    request_body = JoinTeamRequest,
    responses(
        (status = 200, description = "Joined: the team as you now see it", body = Team),
        (status = 404, description = "The code is unknown, used or expired", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn join_team(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<JoinTeamRequest>,
) -> ApiResult<HttpResponse> {
    let hash = crate::auth::sha256(body.0.code.trim());
    match state
        .store
        .join_team(caller.id(), &hash, rapport_storage::now())
        .await?
    {
        JoinOutcome::Joined(team) => Ok(respond_team(HttpResponse::Ok(), team)),
        JoinOutcome::AlreadyMember(_) => Err(ApiError::conflict(
            ErrorCode::AlreadyMember,
            "You are already in this team; the code was not used.",
        )),
        JoinOutcome::Invalid => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::JoinCodeInvalid,
            "There is no such join code: it is unknown, used or expired. Ask the team's owner \
             or an admin for a new one.",
        )),
    }
}

#[utoipa::path(get, path = "/api/v1/teams/{id}/audit", tag = "teams",
    summary = "Read a team's audit log",
    description = "What happened to what you share in a team, newest first: every reach search \
        by a teammate that found one of your shared contacts (who, when, which of your \
        contacts — never what they typed), every introduction request to you, every change of \
        your sharing. The owner and admins also read the team-wide entries: members added, \
        removed or leaving, roles and settings changed. Entries are kept for the team's \
        `audit_retention_days` and never changed. Paginated with `limit` and `cursor`. Any \
        signed-in caller may call it (read-only tokens included); a team you do not belong to \
        is a 404.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ListParams),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn audit_log(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let (limit, cursor) = query.read()?;
    let records = state
        .store
        .audit_log(caller.id(), *id, cursor.as_ref(), limit + 1)
        .await
        .map_err(not_found_as("team"))?;
    let entries: Vec<AuditEntry> = records
        .into_iter()
        .map(|record| AuditEntry {
            id: record.id,
            kind: record.kind,
            at: record.at,
            actor: record.actor.map(|(user_id, display_name)| Teammate {
                user_id,
                display_name,
            }),
            contacts: record
                .contacts
                .into_iter()
                .map(|(id, name)| AuditContact { id, name })
                .collect(),
            detail: record.detail,
            team_wide: record.team_wide,
        })
        .collect();
    Ok(respond(&req, entries, limit, |e| Cursor {
        created_at: e.at,
        id: e.id,
    }))
}
