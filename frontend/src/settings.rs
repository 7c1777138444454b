//! Settings: profile, password, sessions, access tokens, network policy.

pub mod parts;

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use rapport_core::account::{
    ApiToken, ChangePasswordRequest, CreateTokenRequest, TokenScope, UpdateMeRequest,
};
use rapport_core::network::{ConnectionPolicy, Settings as NetworkSettings};
use rapport_core::{FieldErrors, Validate};

use crate::api;
use crate::api::export::ExportFormat;
use crate::auth::use_auth;
use crate::components::{loaded, set_title, PageHeading};
use parts::{ago, day, form, input, panel, select, Act, Call, List, Outcome, Row, Rows};

#[component]
pub fn Settings() -> impl IntoView {
    set_title("Settings");
    let sessions = List::new(sessions, "sessions-heading");
    view! {
        <section class="page set-page">
            <PageHeading>"Settings"</PageHeading>
            {profile()}
            {password(sessions)}
            {panel(
                "sessions-heading",
                "Sessions",
                "The browsers where you are signed in. Sign out any you no longer use or do not recognise.",
                vec![sessions.view("", "sessions", "No sessions.")],
            )}
            {tokens()}
            {network()}
            {export()}
            {calendar_feed()}
        </section>
    }
}

fn profile() -> AnyView {
    let auth = use_auth();
    let user = auth.user();
    let name = RwSignal::new(
        user.as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default(),
    );
    let email = RwSignal::new(user.as_ref().map(|u| u.email.clone()).unwrap_or_default());
    let time_zone = RwSignal::new(user.and_then(|u| u.time_zone).unwrap_or_default());
    let outcome = Outcome::new();
    let submit = move || {
        let email = email.get_untracked().trim().to_owned();
        let unchanged = auth.user().is_some_and(|u| u.email == email);
        let zone = time_zone.get_untracked().trim().to_owned();
        let request = UpdateMeRequest {
            display_name: Some(name.get_untracked().trim().to_owned()),
            email: (!unchanged).then_some(email),
            time_zone: (!zone.is_empty()).then_some(zone),
        };
        outcome.run(
            request.validate(),
            Box::pin(async move {
                let user = api::me::update(&request).await?;
                auth.set_user(user);
                Ok("Saved")
            }),
        );
    };
    let fields = vec![
        input(
            outcome,
            ("display_name", "profile-name"),
            "Your name",
            "text",
            "name",
            None,
            name,
        ),
        input(
            outcome,
            ("email", "profile-email"),
            "Email",
            "email",
            "email",
            Some("You sign in with it."),
            email,
        ),
        input(
            outcome,
            ("time_zone", "profile-time-zone"),
            "Time zone",
            "text",
            "off",
            Some("Today, due dates and overdue follow it. An IANA name such as Europe/Berlin."),
            time_zone,
        ),
    ];
    panel(
        "profile-heading",
        "Profile",
        "",
        vec![form(
            outcome,
            fields,
            ("save-profile", "Save profile"),
            Box::new(submit),
        )],
    )
}

fn password(sessions: List) -> AnyView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let outcome = Outcome::new();
    let submit = move || {
        let request = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        outcome.run(
            request.validate(),
            Box::pin(async move {
                // 204 No Content.
                api::me::change_password(&request).await?;
                current.set(String::new());
                new.set(String::new());
                sessions.reload();
                Ok("Password changed. Your other sessions are signed out.")
            }),
        );
    };
    let fields = vec![
        input(outcome, ("current_password", "current-password"),
            "Current password",
            "password",
            "current-password",
            None,
            current,
        ),
        input(outcome, ("new_password", "new-password"),
            "New password",
            "password",
            "new-password",
            Some("At least 8 characters; very common passwords are refused. A few unrelated words make a strong one."),
            new,
        ),
    ];
    panel(
        "password-heading",
        "Password",
        "Changing your password signs you out on every other browser and device; this one stays signed in. Access tokens keep working.",
        vec![form(outcome, fields, ("change-password", "Change password"), Box::new(submit))],
    )
}

fn sessions() -> Pin<Box<dyn Future<Output = Rows>>> {
    Box::pin(async {
        let sessions = api::me::sessions().await?;
        Ok(sessions
            .into_iter()
            .map(|session| {
                let device = device(session.user_agent.as_deref());
                let id = session.id;
                Row {
                    tags: if session.current {
                        vec![("This session", "tag")]
                    } else {
                        vec![]
                    },
                    meta: format!(
                        "Signed in {} · last active {}",
                        day(session.created_at),
                        ago(session.last_used_at)
                    ),
                    action: (!session.current).then(|| Act {
                        id: format!("revoke-session-{id}"),
                        label: "Sign out",
                        name: format!("Sign out {device}"),
                        confirm: None,
                        call: Call::RevokeSession(id),
                        done: "Signed out.",
                    }),
                    title: device,
                }
            })
            .collect())
    })
}

/// "Firefox on Linux" from a user agent.
fn device(agent: Option<&str>) -> String {
    let Some(agent) = agent else {
        return "Unknown browser".to_owned();
    };
    let find = |names: &[(&str, &'static str)]| {
        names
            .iter()
            .find(|(needle, _)| agent.contains(needle))
            .map(|&(_, name)| name)
    };
    let browser = find(&[
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]);
    let system = find(&[
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(name), None) | (None, Some(name)) => name.to_owned(),
        (None, None) => agent.chars().take(60).collect(),
    }
}

const SCOPES: &[(&str, &str)] = &[("read", "Read only"), ("write", "Read and write")];
const TOKEN_EXPIRY: &[(&str, &str)] = &[
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("365", "In a year"),
    ("", "Never"),
];

fn tokens() -> AnyView {
    let list = List::new(token_rows, "tokens-heading");
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new("read".to_owned());
    let expiry = RwSignal::new("90".to_owned());
    let secret = RwSignal::new(None::<String>);
    let outcome = Outcome::new();
    let submit = move || {
        let request = CreateTokenRequest {
            name: name.get_untracked().trim().to_owned(),
            scope: TokenScope::parse(&scope.get_untracked()).unwrap_or(TokenScope::Read),
            expires_in_days: expiry.get_untracked().parse().ok(),
        };
        outcome.run(
            request.validate(),
            Box::pin(async move {
                let created = api::me::create_token(&request).await?;
                secret.set(Some(created.secret));
                name.set(String::new());
                list.reload();
                Ok("Token created")
            }),
        );
    };
    let fields = vec![
        input(
            outcome,
            ("name", "token-name"),
            "Name",
            "text",
            "off",
            Some("What it is for, e.g. “backup script”."),
            name,
        ),
        select(
            "token-scope",
            "Access",
            scope,
            SCOPES,
            "Read only can look but not change.",
        ),
        select(
            "token-expiry",
            "Expires",
            expiry,
            TOKEN_EXPIRY,
            "You can revoke it any time.",
        ),
    ];
    panel(
        "tokens-heading",
        "Personal access tokens",
        "For scripts and other apps: they send a token as “Authorization: Bearer …”.",
        vec![
            form(
                outcome,
                fields,
                ("create-token", "Create token"),
                Box::new(submit),
            ),
            parts::secret(
                secret,
                ("token-secret", "copy-token"),
                "Your new token",
                "Copy it now and keep it somewhere safe: you will not see it again.",
            ),
            list.view("Your tokens", "tokens", "No access tokens yet."),
        ],
    )
}

fn token_rows() -> Pin<Box<dyn Future<Output = Rows>>> {
    Box::pin(async {
        let tokens = api::me::tokens().await?;
        Ok(tokens.into_iter().map(token_row).collect())
    })
}

fn token_row(token: ApiToken) -> Row {
    let id = token.id;
    let scope = match token.scope {
        TokenScope::Read => "Read only",
        TokenScope::Write => "Read and write",
    };
    let used = token.last_used_at.map_or("never used".to_owned(), |at| {
        format!("last used {}", ago(at))
    });
    let expires = token.expires_at.map_or("never expires".to_owned(), |at| {
        format!("expires {}", day(at))
    });
    Row {
        tags: vec![(scope, "tag")],
        meta: format!(
            "{}… · created {} · {used} · {expires}",
            token.prefix,
            day(token.created_at)
        ),
        action: Some(Act {
            id: format!("revoke-token-{id}"),
            label: "Revoke",
            name: format!("Revoke {}", token.name),
            confirm: Some(format!(
                "Revoke the token “{}”? Anything using it stops working at once.",
                token.name
            )),
            call: Call::RevokeToken(id),
            done: "Revoked.",
        }),
        title: token.name,
    }
}

fn network() -> AnyView {
    let settings = LocalResource::new(api::me::settings);
    panel(
        "network-heading",
        "Network",
        "When Rapport suggests asking a contact to connect, and how often to keep in touch.",
        vec![loaded(settings, network_form).into_any()],
    )
}

const POLICIES: [(ConnectionPolicy, &str, &str); 3] = [
    (
        ConnectionPolicy::Open,
        "Open networker",
        "Anyone you have met is ready to ask.",
    ),
    (
        ConnectionPolicy::AfterTalking,
        "After we've talked",
        "Ready once you know them well enough: their familiarity reaches the threshold below.",
    ),
    (
        ConnectionPolicy::WhenIWouldRefer,
        "When I'd refer them",
        "Ready once you would put your name to them: your comfort reaches the threshold below.",
    ),
];

const COMFORT: &[(&str, &str)] = &[
    ("1", "1 · wouldn't refer yet"),
    ("2", "2 · could pass on their name"),
    ("3", "3 · would introduce them"),
    ("4", "4 · would refer them"),
    ("5", "5 · would vouch for them"),
];

fn network_form(settings: NetworkSettings) -> AnyView {
    let policy = RwSignal::new(settings.connection_policy);
    let familiarity = RwSignal::new(settings.familiarity_threshold.to_string());
    let comfort = RwSignal::new(settings.comfort_threshold.to_string());
    let cadence = RwSignal::new(
        settings
            .default_cadence_days
            .map(|days| days.to_string())
            .unwrap_or_default(),
    );
    let outcome = Outcome::new();
    let submit = move || {
        let cadence = cadence.get_untracked();
        let cadence = cadence.trim();
        // Unreadable numbers become values the validation refuses.
        let request = NetworkSettings {
            connection_policy: policy.get_untracked(),
            familiarity_threshold: familiarity
                .get_untracked()
                .trim()
                .parse()
                .unwrap_or(u8::MAX),
            comfort_threshold: comfort.get_untracked().parse().unwrap_or(0),
            default_cadence_days: (!cadence.is_empty()).then(|| cadence.parse().unwrap_or(0)),
        };
        let checked = request.validate().map_err(|errors| {
            let mut worded = FieldErrors::new();
            for error in errors.into_vec() {
                worded.add(
                    &error.field,
                    error.message.replace("or null", "or left empty"),
                );
            }
            worded
        });
        outcome.run(
            checked,
            Box::pin(async move {
                api::me::replace_settings(&request).await?;
                Ok("Saved")
            }),
        );
    };
    let choices = view! {
        <fieldset class="set-choices">
            <legend>"Ready to ask to connect"</legend>
            {POLICIES
                .map(|(value, title, words)| {
                    let id = format!("policy-{}", value.as_str());
                    let hint = format!("{id}-hint");
                    view! {
                        <div class="set-choice">
                            <input
                                type="radio"
                                name="connection-policy"
                                id=id.clone()
                                value=value.as_str()
                                aria-describedby=hint.clone()
                                prop:checked=move || policy.get() == value
                                on:change=move |_| policy.set(value)
                            />
                            <label for=id>{title}</label>
                            <p class="hint" id=hint>{words}</p>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    };
    let fields = vec![
        choices.into_any(),
        input(
            outcome,
            ("familiarity_threshold", "threshold-familiarity"),
            "Familiarity threshold",
            "number",
            "off",
            Some("0 to 100, for “after we've talked”."),
            familiarity,
        ),
        select(
            "threshold-comfort",
            "Comfort threshold",
            comfort,
            COMFORT,
            "For “when I'd refer them”.",
        ),
        input(
            outcome,
            ("default_cadence_days", "default-cadence"),
            "Default keep-in-touch cadence (days)",
            "number",
            "off",
            Some("E.g. 30, 90 or 180; a contact's own cadence wins. Empty: no default."),
            cadence,
        ),
    ];
    form(
        outcome,
        fields,
        ("save-network-settings", "Save network settings"),
        Box::new(submit),
    )
}

const EXPORTS: [(ExportFormat, &str, &str); 3] = [
    (ExportFormat::Json, "export-json", "Everything (JSON)"),
    (ExportFormat::Csv, "export-csv", "Contacts (CSV)"),
    (ExportFormat::Vcard, "export-vcard", "Contacts (vCard)"),
];

fn export() -> AnyView {
    let outcome = Outcome::new();
    let buttons = EXPORTS
        .map(|(format, id, label)| {
            let download = move |_| {
                outcome.run(
                    Ok(()),
                    Box::pin(async move {
                        let bytes = api::export::download(format).await?;
                        parts::save_file(&bytes, format.file_name(), format.media_type())?;
                        Ok("Downloaded")
                    }),
                );
            };
            view! {
                <button
                    id=id
                    type="button"
                    class="button"
                    disabled=move || outcome.busy.get()
                    on:click=download
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    panel(
        "export-heading",
        "Export",
        "Take your data with you. The JSON file holds everything of your account (contacts, interactions, ratings, connection steps, events, introductions, settings) and imports back into an empty account. CSV and vCard hold your contacts, for spreadsheets and address books.",
        vec![
            view! { <div class="actions set-exports">{buttons}</div> }.into_any(),
            outcome.feedback().into_any(),
        ],
    )
}

fn calendar_feed() -> AnyView {
    let address = RwSignal::new(None::<String>);
    let outcome = Outcome::new();
    let create = move |_| {
        outcome.run(
            Ok(()),
            Box::pin(async move {
                let feed = api::me::create_calendar_feed().await?;
                address.set(Some(feed.url));
                Ok("New address made. An address made before it no longer works.")
            }),
        );
    };
    let revoke = move |_| {
        let question = "Stop the calendar feed? Calendars subscribed to it stop updating.";
        if !window().confirm_with_message(question).unwrap_or(false) {
            return;
        }
        outcome.run(
            Ok(()),
            Box::pin(async move {
                address.set(None);
                match api::me::revoke_calendar_feed().await {
                    Ok(()) => Ok("Calendar feed stopped."),
                    Err(problem) if problem.status == 404 => Ok("You had no calendar feed."),
                    Err(problem) => Err(problem),
                }
            }),
        );
    };
    panel(
        "calendar-heading",
        "Calendar feed",
        "Your follow-ups, keep-in-touch dates and events in your calendar app: subscribe to a secret address. Anyone who has the address can read the feed, so make a new one if it leaks; the old one then stops working.",
        vec![
            view! {
                <div class="actions set-exports">
                    <button
                        id="calendar-feed-create"
                        type="button"
                        class="button"
                        disabled=move || outcome.busy.get()
                        on:click=create
                    >
                        "Make a new address"
                    </button>
                    <button
                        id="calendar-feed-revoke"
                        type="button"
                        class="button quiet"
                        disabled=move || outcome.busy.get()
                        on:click=revoke
                    >
                        "Stop the feed"
                    </button>
                </div>
            }
            .into_any(),
            outcome.feedback().into_any(),
            parts::secret(
                address,
                ("calendar-feed-url", "copy-calendar-feed"),
                "Your calendar feed address",
                "Copy it into your calendar app now: it is shown only this once.",
            ),
        ],
    )
}
