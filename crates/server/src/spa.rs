//! The single-page app, embedded in the binary. Hashed assets are cached
//! for a year; `index.html` is revalidated. Pre-compressed `.br` / `.gz`
//! side files are served to browsers that accept them. Unknown paths that
//! look like app routes get `index.html`, so deep links work.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../frontend/dist"]
#[exclude = "*.br"]
#[exclude = "*.gz"]
struct Assets;

#[derive(RustEmbed)]
#[folder = "../../frontend/dist"]
#[include = "*.br"]
#[include = "*.gz"]
struct Compressed;

const NOT_BUILT: &str = "<!doctype html><title>Rapport</title>\
<p>This build of Rapport has no web app: run <code>scripts/build-frontend</code> \
and rebuild the server. The API is at <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>";

fn accepts(req: &HttpRequest, encoding: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| part.split(';').next().is_some_and(|e| e.trim() == encoding))
}

/// Files whose name, or whose top directory's name, carries a content hash
/// (`style-1a2b3c4d.css`, `app-1a2b3c4d/rapport.js`) never change.
fn is_hashed(path: &str) -> bool {
    let named = path.split('/').next().unwrap_or(path);
    path != "index.html"
        && named.rsplit_once('-').is_some_and(|(_, rest)| {
            rest.split('.')
                .next()
                .is_some_and(|h| h.len() >= 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
        })
}

pub async fn serve(req: HttpRequest) -> HttpResponse {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET, HEAD"))
            .finish();
    }
    let requested = req.path().trim_start_matches('/');
    let path = if requested.is_empty() || Assets::get(requested).is_none() {
        let last = requested.rsplit('/').next().unwrap_or("");
        if last.contains('.') {
            return HttpResponse::NotFound()
                .content_type("text/plain; charset=utf-8")
                .body("Not found");
        }
        "index.html"
    } else {
        requested
    };
    asset_response(&req, path)
}

/// The API reference page (Redoc over `/api/v1/openapi.json`). Redoc styles
/// itself with inline styles, so this page alone allows them; scripts are
/// still this origin's only.
pub async fn api_docs(req: HttpRequest) -> HttpResponse {
    let mut response = asset_response(&req, "api-docs.html");
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::security::API_DOCS_CONTENT_SECURITY_POLICY),
    );
    response
}

/// An embedded file, revalidated or cached for good by its name, in the
/// compression the client accepts.
fn asset_response(req: &HttpRequest, path: &str) -> HttpResponse {
    let Some(asset) = Assets::get(path) else {
        return HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE)
            .content_type("text/html; charset=utf-8")
            .body(NOT_BUILT);
    };
    let etag = format!("\"{}\"", hex_prefix(&asset.metadata.sha256_hash()));
    let cache = if is_hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::CONTENT_TYPE, content_type(path)));
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    if not_modified {
        return response.status(StatusCode::NOT_MODIFIED).finish();
    }
    for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
        if accepts(req, encoding) {
            if let Some(compressed) = Compressed::get(&format!("{path}.{suffix}")) {
                response
                    .insert_header((header::CONTENT_ENCODING, HeaderValue::from_static(encoding)));
                return response.body(compressed.data.into_owned());
            }
        }
    }
    response.body(asset.data.into_owned())
}

fn content_type(path: &str) -> String {
    match path.rsplit('.').next() {
        Some("wasm") => "application/wasm".to_owned(),
        Some("html") => "text/html; charset=utf-8".to_owned(),
        Some("js") => "text/javascript; charset=utf-8".to_owned(),
        Some("css") => "text/css; charset=utf-8".to_owned(),
        _ => mime_guess::from_path(path)
            .first_or_octet_stream()
            .to_string(),
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(super::is_hashed("rapport-frontend-0123abcd4567ef89.wasm"));
        assert!(!super::is_hashed("index.html"));
        assert!(!super::is_hashed("favicon.svg"));
        assert!(super::is_hashed("app-0123abcd4567ef89/rapport.js"));
        assert!(super::is_hashed("app-0123abcd4567ef89/chunk_1.wasm"));
        assert!(!super::is_hashed("app/rapport.js"));
    }
}
