//! Field validation shared by the server (authoritative) and the browser app
//! (early feedback). Rules say what to fix, never just "invalid".
//!
//! # The same rules in the OpenAPI document
//!
//! Request types repeat these rules as JSON Schema keywords (behind the
//! `openapi` feature), so that a client — or a schema-driven fuzzer — knows
//! exactly what is accepted. `utoipa` wants literal strings there, so the
//! regular expressions are written out at each field; they are built from
//! these pieces (keep them in step with the functions below):
//!
//! | piece | characters | Rust |
//! |---|---|---|
//! | `W` | `[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]` | what [`str::trim`] removes ([`char::is_whitespace`]) |
//! | `C` | `\x00-\x1f\x7f-\x9f` | [`char::is_control`] |
//! | `E` | `[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]` | neither `W` nor `C` |
//!
//! - [`required_text`] with at most `n` characters: `^W*E(?:[^C]{0,n-2}E)?W*$`
//!   and `minLength: 1`, with no `maxLength`: the limit counts the trimmed
//!   text, so surrounding whitespace may make the whole string longer.
//! - [`multiline_text`] / [`optional_text`]: `^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$`
//!   (several lines) or `^[^C]*$` (one line), with `maxLength`.
//! - [`email`]: `^[^@W C]+@[^@.W C][^@W C]*\.[^@W C]*[^@.W C]$` with
//!   `maxLength: 254`; the document asks for no surrounding whitespace,
//!   which the server would trim. No `format: email`: JSON Schema's email
//!   format is stricter than this check.
//! - Dates checked by `plausible_date` are strings with a pattern that
//!   spells out the valid days from 1900-01-01 to 2200-12-31 (leap years
//!   included) rather than `format: date`, which allows any year.
//!
//! JSON Schema counts the length of a string in Unicode code points, as
//! these functions count [`char`]s.

use crate::problem::FieldError;

/// Collects every invalid field of a request so that one answer names them all.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Records the outcome of one field check.
    pub fn check(&mut self, field: &str, result: Result<(), String>) {
        if let Err(message) = result {
            self.add(field, message);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    pub fn as_slice(&self) -> &[FieldError] {
        &self.0
    }
}

/// A request body that can check its own fields.
pub trait Validate {
    fn validate(&self) -> Result<(), FieldErrors>;
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 256;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const DISPLAY_NAME_MAX_CHARS: usize = 100;
pub const TOKEN_NAME_MAX_CHARS: usize = 100;

/// Length rules only: no composition rules (NIST SP 800-63B). The server
/// also refuses the most common passwords.
pub fn password(value: &str) -> Result<(), String> {
    let chars = value.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        Err(format!(
            "must be at least {PASSWORD_MIN_CHARS} characters long (it has {chars})"
        ))
    } else if chars > PASSWORD_MAX_CHARS {
        Err(format!(
            "must be at most {PASSWORD_MAX_CHARS} characters long"
        ))
    } else {
        Ok(())
    }
}

/// A pragmatic address check: one `@`, a non-empty local part, a domain
/// with a dot, no spaces. Deliverability is the mail server's business.
pub fn email(value: &str) -> Result<(), String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("is required".into());
    }
    if value.chars().count() > EMAIL_MAX_CHARS {
        return Err(format!("must be at most {EMAIL_MAX_CHARS} characters long"));
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Err("must be an email address like name@example.com".into());
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@');
    let odd = |c: char| c.is_whitespace() || c.is_control();
    if local.is_empty() || !domain_ok || value.chars().any(odd) {
        return Err("must be an email address like name@example.com".into());
    }
    Ok(())
}

/// Normalised form used for lookups and uniqueness.
pub fn normalize_email(value: &str) -> String {
    value.trim().to_lowercase()
}

/// A required single-line text of bounded length.
pub fn required_text(value: &str, max_chars: usize) -> Result<(), String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err("is required".into());
    }
    if trimmed.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters long"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must be a single line without control characters".into());
    }
    Ok(())
}

/// Free text of several lines: bounded, and no control characters but line
/// breaks and tabs (a NUL, say, is never wanted and some databases refuse it).
pub fn multiline_text(value: &str, max_chars: usize) -> Result<(), String> {
    if value.chars().count() > max_chars {
        Err(format!("must be at most {max_chars} characters long"))
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err("must not contain control characters other than line breaks and tabs".into())
    } else {
        Ok(())
    }
}

/// Checks an optional text field, single-line or not.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    max: usize,
    multiline: bool,
) {
    let Some(value) = value else { return };
    if multiline {
        errors.check(field, multiline_text(value, max));
    } else if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters long"));
    } else if value.chars().any(char::is_control) {
        errors.add(field, "must be a single line without control characters");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_judged_by_length_only() {
        assert!(password("short").is_err());
        assert!(password("eightchr").is_ok());
        assert!(password("all lowercase words are fine").is_ok());
        assert!(password(&"x".repeat(256)).is_ok());
        assert!(password(&"x".repeat(257)).is_err());
        // Characters, not bytes: eight accented letters are enough.
        assert!(password("éééééééé").is_ok());
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(email("ada@example.com").is_ok());
        assert!(email(" ada@example.com ").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "a@b@c.d",
        ] {
            assert!(email(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(normalize_email(" Ada@Example.COM "), "ada@example.com");
    }

    #[test]
    fn required_text_refuses_blank_long_and_multiline_values() {
        assert!(required_text("Ada", 10).is_ok());
        assert!(required_text("   ", 10).is_err());
        assert!(required_text("abcdefghijk", 10).is_err());
        assert!(required_text("two\nlines", 10).is_err());
    }

    #[test]
    fn multiline_text_keeps_line_breaks_but_no_other_control_characters() {
        assert!(multiline_text("first line\n\tsecond\r\n", 100).is_ok());
        assert!(multiline_text("nul \u{0} inside", 100).is_err());
        assert!(multiline_text("bell \u{7}", 100).is_err());
        assert!(multiline_text("long", 3).is_err());
    }

    #[test]
    fn field_errors_collect_every_failure() {
        let mut errors = FieldErrors::new();
        errors.check("email", email("nope"));
        errors.check("password", password("short"));
        errors.check("display_name", required_text("Ada", 10));
        let list = errors.into_result().unwrap_err().into_vec();
        let fields: Vec<_> = list.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password"]);
    }
}
