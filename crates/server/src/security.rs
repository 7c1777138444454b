//! Response hardening and the cross-site check for cookie-authenticated calls.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{HttpMessage, HttpRequest};
use tracing_actix_web::RequestId;

use crate::error::ApiError;
use crate::error::ErrorCode;

/// WASM needs `'wasm-unsafe-eval'`; nothing else is loosened.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The API reference page: Redoc's inline styles and its search worker
/// (started from a `blob:`); scripts only from this origin, as elsewhere.
pub const API_DOCS_CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// Echoes the request id of the log span as `X-Request-Id`.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut response = next.call(req).await?;
    if let Some(id) = id {
        if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
            response
                .headers_mut()
                .insert(HeaderName::from_static("x-request-id"), value);
        }
    }
    Ok(response)
}

/// Refuses cross-site requests to calls that a cookie authenticates. Browsers
/// send `Sec-Fetch-Site` and `Origin`; scripts without them are not at risk.
pub fn require_same_origin(req: &HttpRequest) -> Result<(), ApiError> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(site) = header("sec-fetch-site") {
        if site != "same-origin" && site != "none" {
            return Err(cross_site());
        }
    }
    if let Some(origin) = header("origin") {
        let state = crate::extract::state(req);
        let expected = match &state.config.public_url {
            Some(url) => origin_of(url),
            None => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
        };
        if !origin.eq_ignore_ascii_case(&expected) {
            return Err(cross_site());
        }
    }
    Ok(())
}

fn cross_site() -> ApiError {
    ApiError::forbidden(
        ErrorCode::CrossSiteRequest,
        "This call must come from Rapport's own pages, not from another site.",
    )
}

/// `https://host:port/path` → `https://host:port`.
fn origin_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_owned(),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_drop_the_path() {
        assert_eq!(
            super::origin_of("https://r.example.com/app"),
            "https://r.example.com"
        );
        assert_eq!(
            super::origin_of("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
    }
}
