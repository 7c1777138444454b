//! Rapport's domain core: the types, rules and API data that the server and
//! the browser app share. No I/O lives here, so it builds for
//! `wasm32-unknown-unknown` as well as for the server.

pub mod account;
pub mod contact;
pub mod duplicates;
pub mod event;
pub mod export;
pub mod familiarity;
pub mod import;
pub mod interaction;
pub mod intro_request;
pub mod introduction;
pub mod invitation;
pub mod network;
pub mod nurture;
pub mod problem;
pub mod sharing;
pub mod team;
pub mod validate;

pub use problem::{FieldError, Problem};
pub use validate::{FieldErrors, Validate};
