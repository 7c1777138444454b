//! The one error type of the HTTP layer, rendered as
//! `application/problem+json`. Internal causes are logged, never sent.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use rapport_core::problem::{FieldError, Problem, PROBLEM_CONTENT_TYPE};
use rapport_core::FieldErrors;
use rapport_storage::{RegistrationRefusal, StoreError};

pub type ApiResult<T> = Result<T, ApiError>;

/// Every `code` a problem document can carry: what clients match on, so
/// each is spelt once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    AdminOnly,
    Busy,
    CannotDisableSelf,
    CardDropRefused,
    ComfortBelowThreshold,
    Conflict,
    ChangedSinceImport,
    CrossSiteRequest,
    Duplicate,
    EmailTaken,
    IllegalTransition,
    ImportUnreadable,
    InsufficientScope,
    InternalError,
    InvalidCredentials,
    InvalidIfMatch,
    InvalidQuery,
    InviteInvalid,
    InviteRequired,
    MalformedJson,
    MethodNotAllowed,
    NotFound,
    NulCharacter,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    RefreshTokenReused,
    RegistrationClosed,
    RouteNotFound,
    SessionRequired,
    AlreadyMember,
    AskedLately,
    RequestClosed,
    TooManyOpenRequests,
    JoinCodeInvalid,
    TeamOwnerRequired,
    TeamRoleRequired,
    TeamsAdminsOnly,
    TooManyTokens,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AdminOnly => "admin_only",
            ErrorCode::Busy => "busy",
            ErrorCode::CannotDisableSelf => "cannot_disable_self",
            ErrorCode::CardDropRefused => "card_drop_refused",
            ErrorCode::ComfortBelowThreshold => "comfort_below_threshold",
            ErrorCode::Conflict => "conflict",
            ErrorCode::ChangedSinceImport => "changed_since_import",
            ErrorCode::CrossSiteRequest => "cross_site_request",
            ErrorCode::Duplicate => "duplicate",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::IllegalTransition => "illegal_transition",
            ErrorCode::ImportUnreadable => "import_unreadable",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::InvalidIfMatch => "invalid_if_match",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InviteInvalid => "invite_invalid",
            ErrorCode::InviteRequired => "invite_required",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NulCharacter => "nul_character",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::PreconditionRequired => "precondition_required",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::RefreshTokenReused => "refresh_token_reused",
            ErrorCode::RegistrationClosed => "registration_closed",
            ErrorCode::RouteNotFound => "route_not_found",
            ErrorCode::SessionRequired => "session_required",
            ErrorCode::AlreadyMember => "already_member",
            ErrorCode::AskedLately => "asked_lately",
            ErrorCode::RequestClosed => "request_closed",
            ErrorCode::TooManyOpenRequests => "too_many_open_requests",
            ErrorCode::JoinCodeInvalid => "join_code_invalid",
            ErrorCode::TeamOwnerRequired => "team_owner_required",
            ErrorCode::TeamRoleRequired => "team_role_required",
            ErrorCode::TeamsAdminsOnly => "teams_admins_only",
            ErrorCode::TooManyTokens => "too_many_tokens",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::ValidationFailed => "validation_failed",
        }
    }
}

/// Boxed, so that `Result<T, ApiError>` stays small on the happy path.
#[derive(Debug)]
pub struct ApiError(Box<ApiErrorData>);

#[derive(Debug)]
pub struct ApiErrorData {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
    pub allow: Option<String>,
    /// Extra facts for the client, sent as the problem's `details`.
    pub details: Option<serde_json::Value>,
    /// The cause of a 500, logged and never shown.
    pub internal: Option<String>,
}

impl std::ops::Deref for ApiError {
    type Target = ApiErrorData;

    fn deref(&self) -> &ApiErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ApiErrorData {
        &mut self.0
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError(Box::new(ApiErrorData {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            allow: None,
            details: None,
            internal: None,
        }))
    }

    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, detail)
    }

    pub fn forbidden(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("There is no {what} with that id."),
        )
    }

    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            "Some fields are invalid; see `errors` for what to fix.",
        );
        error.errors = errors;
        error
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        Self::invalid_fields(errors.into_vec())
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("Too many attempts. Try again in {retry_after_secs} seconds."),
        );
        error.retry_after = Some(retry_after_secs);
        error
    }

    pub fn busy() -> Self {
        let mut error = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Busy,
            "The server is busy checking passwords. Try again in a moment.",
        );
        error.retry_after = Some(1);
        error
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut error = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on the server. It has been logged; try again later.",
        );
        error.internal = Some(cause.to_string());
        error
    }

    pub fn problem(&self) -> Problem {
        let title = self.status.canonical_reason().unwrap_or("Error").to_owned();
        let mut problem = Problem::new(
            self.status.as_u16(),
            self.code.as_str(),
            &title,
            &self.detail,
        );
        problem.errors = self.errors.clone();
        problem.details = self.details.clone();
        problem
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code.as_str(),
            self.detail
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.internal {
            tracing::error!(%cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if let Some(allow) = &self.allow {
            if let Ok(value) = HeaderValue::from_str(allow) {
                response.insert_header((header::ALLOW, value));
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"rapport\""));
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::invalid_fields(errors.into_vec())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "There is no such object.",
            ),
            StoreError::Duplicate => ApiError::conflict(
                ErrorCode::Duplicate,
                "Something with that unique value already exists.",
            ),
            StoreError::Conflict(what) => ApiError::conflict(ErrorCode::Conflict, format!("Not possible now: {what}.")),
            StoreError::Registration(refusal) => registration_refused(refusal),
            StoreError::Team(refusal) => match refusal {
                rapport_core::team::TeamRefusal::RoleRequired(message) => {
                    ApiError::forbidden(ErrorCode::TeamRoleRequired, message)
                }
                rapport_core::team::TeamRefusal::OwnerRequired => {
                    ApiError::conflict(ErrorCode::TeamOwnerRequired, refusal.message())
                }
                rapport_core::team::TeamRefusal::TooManyOpenRequests => {
                    ApiError::conflict(ErrorCode::TooManyOpenRequests, refusal.message())
                }
                rapport_core::team::TeamRefusal::AskedLately => {
                    ApiError::conflict(ErrorCode::AskedLately, refusal.message())
                }
            },
            StoreError::Stale => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                ErrorCode::PreconditionFailed,
                "It changed since you read it: fetch it again, reapply your change and send the new ETag in If-Match.",
            ),
            StoreError::InvalidReference { field } => {
                ApiError::invalid_field(&field, "names nothing of yours with that id")
            }
            StoreError::Transition { from, allowed } => {
                let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
                let mut error = ApiError::conflict(
                    ErrorCode::IllegalTransition,
                    format!(
                        "The connection is `{}`; from there it can become: {}.",
                        from.as_str(),
                        names.join(", ")
                    ),
                );
                error.errors = vec![FieldError {
                    field: "status".into(),
                    message: format!("must be one of: {}", names.join(", ")),
                }];
                error
            }
            other => ApiError::internal(other),
        }
    }
}

fn registration_refused(refusal: RegistrationRefusal) -> ApiError {
    match refusal {
        RegistrationRefusal::Closed => ApiError::forbidden(
            ErrorCode::RegistrationClosed,
            "This instance does not accept new accounts. Ask its administrator.",
        ),
        RegistrationRefusal::InviteRequired => {
            let mut error = ApiError::forbidden(
                ErrorCode::InviteRequired,
                "This instance registers by invitation: enter the invite code you were given.",
            );
            error.errors = vec![FieldError {
                field: "invite_code".into(),
                message: "is required on this instance".into(),
            }];
            error
        }
        RegistrationRefusal::InviteInvalid => {
            let mut error = ApiError::forbidden(
                ErrorCode::InviteInvalid,
                "That invite code is unknown, already used or expired.",
            );
            error.errors = vec![FieldError {
                field: "invite_code".into(),
                message: "is unknown, already used or expired".into(),
            }];
            error
        }
    }
}
