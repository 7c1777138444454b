//! Rapport's server: the REST API under `/api/v1` and the single-page app,
//! over a [`rapport_storage::Store`].

pub mod allocator;
pub mod app;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod import;
pub mod openapi;
pub mod rate_limit;
pub mod routes;
pub mod security;
pub mod service;
pub mod session_cache;
pub mod spa;

pub use app::{AppState, Application};
pub use config::Config;
