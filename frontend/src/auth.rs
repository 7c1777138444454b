//! The signed-in session.
//!
//! The access token lives only in memory, in a signal: never in
//! `localStorage`, `sessionStorage` or a cookie written here. The
//! long-lived refresh token is an HttpOnly cookie this code cannot read; on
//! start-up and shortly before the access token expires, `POST
//! /auth/refresh` exchanges it for a new access token.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use rapport_core::account::{LoginResponse, User};

use crate::api;

/// Refresh this long before the access token expires.
const REFRESH_MARGIN_SECS: u64 = 60;
/// Never schedule refreshes closer together than this.
const MIN_REFRESH_DELAY_SECS: u64 = 10;
/// After a failed refresh that may be temporary (network, busy server).
const RETRY_DELAY_SECS: u64 = 30;

#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub access_token: String,
    pub user: User,
}

/// Never prints the token.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("access_token", &"…")
            .field("user", &self.user)
            .finish()
    }
}

/// Shared through context; `Copy`, as it only holds arena handles.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    /// Changes only when the user does, not at every token renewal.
    user: Memo<Option<User>>,
    restoring: RwSignal<bool>,
    /// The server refused the token and the refresh cookie: the user must
    /// sign in again. The pages stay (with what was typed) under a sign-in
    /// dialog instead of being replaced by the sign-in page.
    expired: RwSignal<bool>,
    refresh_timer: StoredValue<Option<TimeoutHandle>>,
}

thread_local! {
    /// The app's one session, for API calls made outside components.
    static CURRENT: std::cell::Cell<Option<Auth>> = const { std::cell::Cell::new(None) };
}

/// The session of the running app (set by [`provide_auth`]).
pub fn current() -> Option<Auth> {
    CURRENT.with(std::cell::Cell::get)
}

pub fn provide_auth() -> Auth {
    let session = RwSignal::new(None::<Session>);
    let auth = Auth {
        session,
        user: Memo::new(move |_| session.with(|s| s.as_ref().map(|s| s.user.clone()))),
        restoring: RwSignal::new(true),
        expired: RwSignal::new(false),
        refresh_timer: StoredValue::new(None),
    };
    provide_context(auth);
    CURRENT.with(|current| current.set(Some(auth)));
    auth
}

/// The server's word that this browser holds a session cookie (the
/// `rapport_session` cookie, which carries no secret).
fn session_hint() -> bool {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.cookie().ok())
        .is_some_and(|cookies| {
            cookies
                .split(';')
                .any(|c| c.trim() == format!("{}=1", rapport_core::account::SESSION_HINT_COOKIE))
        })
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

impl Auth {
    /// Restores a session from the refresh cookie, if there is one. The
    /// cookie is out of reach of this code; the server sets a readable
    /// companion cookie beside it, so that a visit without a session asks
    /// nothing (and logs no refused request).
    pub fn restore(self) {
        if !session_hint() {
            self.restoring.set(false);
            return;
        }
        spawn_local(async move {
            // No cookie or an ended session: simply not signed in.
            if let Ok(response) = api::auth::refresh().await {
                self.signed_in(response);
            }
            self.restoring.set(false);
        });
    }

    /// True until the start-up refresh has answered.
    pub fn restoring(self) -> bool {
        self.restoring.get()
    }

    /// The signed-in user (reactive).
    pub fn user(self) -> Option<User> {
        self.user.get()
    }

    /// Whether someone is signed in (reactive).
    pub fn is_signed_in(self) -> bool {
        self.user.with(Option::is_some)
    }

    /// The current access token, for a request (not reactive).
    pub fn access_token(self) -> Option<String> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.access_token.clone()))
    }

    /// Whether the session ended under the user's feet (reactive).
    pub fn expired(self) -> bool {
        self.expired.get()
    }

    /// The server no longer accepts this session: ask to sign in again.
    pub fn expire(self) {
        self.cancel_refresh();
        if self.session.with_untracked(Option::is_some) {
            self.expired.set(true);
        }
    }

    /// Exchanges the refresh cookie for a new access token now (after a
    /// 401). Returns the new token, or `None` when the session is over.
    pub async fn refresh_now(self) -> Option<String> {
        match api::auth::refresh().await {
            Ok(response) => {
                let token = response.access_token.clone();
                self.signed_in(response);
                Some(token)
            }
            Err(_) => {
                self.expire();
                None
            }
        }
    }

    /// Keeps a new access token and schedules its renewal.
    pub fn signed_in(self, response: LoginResponse) {
        let delay = response
            .expires_in
            .saturating_sub(REFRESH_MARGIN_SECS)
            .max(MIN_REFRESH_DELAY_SECS);
        let needs_zone = response.user.time_zone.is_none();
        crate::components::set_time_zone(response.user.time_zone.clone());
        self.session.set(Some(Session {
            access_token: response.access_token,
            user: response.user,
        }));
        if needs_zone {
            self.adopt_browser_time_zone();
        }
        self.expired.set(false);
        self.schedule_refresh(delay);
    }

    /// A first sign-in: the user's days follow this browser's time zone
    /// until they choose another in the settings.
    fn adopt_browser_time_zone(self) {
        let Some(zone) = crate::components::browser_time_zone() else {
            return;
        };
        spawn_local(async move {
            let request = rapport_core::account::UpdateMeRequest {
                time_zone: Some(zone),
                ..Default::default()
            };
            if let Ok(user) = api::me::update(&request).await {
                self.set_user(user);
            }
        });
    }

    /// Shows a changed profile (after `PATCH /me`).
    pub fn set_user(self, user: User) {
        crate::components::set_time_zone(user.time_zone.clone());
        self.session.update(|session| {
            if let Some(session) = session {
                session.user = user;
            }
        });
    }

    /// Forgets the session here (the server side is `api::auth::logout`).
    pub fn clear(self) {
        self.cancel_refresh();
        self.expired.set(false);
        self.session.set(None);
    }

    fn schedule_refresh(self, delay_secs: u64) {
        self.cancel_refresh();
        let handle = set_timeout_with_handle(
            move || spawn_local(self.renew()),
            Duration::from_secs(delay_secs),
        )
        .ok();
        self.refresh_timer.set_value(handle);
    }

    fn cancel_refresh(self) {
        if let Some(handle) = self.refresh_timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    }

    async fn renew(self) {
        if !self.session.with_untracked(Option::is_some) {
            return;
        }
        let outcome = api::auth::refresh().await;
        if !self.session.with_untracked(Option::is_some) {
            // Signed out while the refresh was under way.
            return;
        }
        match outcome {
            Ok(response) => self.signed_in(response),
            // The session ended on the server (signed out elsewhere, disabled).
            Err(problem) if problem.status == 401 || problem.status == 403 => self.expire(),
            Err(_) => self.schedule_refresh(RETRY_DELAY_SECS),
        }
    }
}
