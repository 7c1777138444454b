//! The error body of every failed API call: RFC 9457 `application/problem+json`.

use serde::{Deserialize, Serialize};

/// Media type of every error response.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One invalid field and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The JSON field, e.g. `email`, `how_met.met_on` or `emails[1]`.
    #[cfg_attr(feature = "openapi", schema(example = "email"))]
    pub field: String,
    /// What is wrong and how to fix it, in plain words.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "must be an email address like name@example.com")
    )]
    pub message: String,
}

/// An RFC 9457 problem document with Rapport's stable machine `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, built from `code`.
    #[serde(rename = "type")]
    #[cfg_attr(
        feature = "openapi",
        schema(example = "https://rapport.invalid/problems/validation_failed")
    )]
    pub type_: String,
    /// A short summary of the kind of problem.
    #[cfg_attr(feature = "openapi", schema(example = "Invalid fields"))]
    pub title: String,
    /// The HTTP status code, repeated.
    #[cfg_attr(feature = "openapi", schema(example = 422))]
    pub status: u16,
    /// What went wrong this time and what to do about it.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Some fields are invalid; see `errors`.")
    )]
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`.
    #[cfg_attr(feature = "openapi", schema(example = "validation_failed"))]
    pub code: String,
    /// The invalid fields, when the request had any; absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Facts a client needs to act on this problem (e.g. the two comfort
    /// ratings behind `comfort_below_threshold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl Problem {
    pub fn new(status: u16, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            type_: format!("https://rapport.invalid/problems/{code}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            code: code.to_owned(),
            errors: Vec::new(),
            details: None,
        }
    }

    /// A message for a person: the detail, followed by the field messages.
    pub fn human_message(&self) -> String {
        if self.errors.is_empty() {
            return self.detail.clone();
        }
        let fields: Vec<String> = self
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        format!("{} ({})", self.detail, fields.join("; "))
    }
}
