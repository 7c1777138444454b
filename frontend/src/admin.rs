//! Administration: users and invite codes (admins only).

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use rapport_core::account::{CreateInviteRequest, Role};
use rapport_core::Validate;

use crate::api::{self, Registration};
use crate::components::{set_title, ErrorNote, Loading, PageHeading};
use crate::pages::use_instance;
use crate::settings::parts::{
    day, form, panel, secret, select, Act, Call, List, Outcome, Row, Rows,
};

#[component]
pub fn Admin() -> impl IntoView {
    set_title("Admin");
    let users = List::new(users, "users-heading");
    // 0 loading, 1 loaded (or failed in a way the list shows), 2 refused.
    let state = Memo::new(move |_| {
        users.rows.with(|rows| match rows {
            None => 0,
            Some(Err(problem)) if problem.status == 403 => 2,
            Some(_) => 1,
        })
    });
    let body = move || {
        match state.get() {
        0 => view! { <Loading /> }.into_any(),
        // Not an admin: the server's answer, in words.
        2 => users
            .rows
            .with_untracked(|rows| match rows {
                Some(Err(problem)) => Some(problem.clone()),
                _ => None,
            })
            .map(|problem| view! { <ErrorNote problem /> })
            .into_any(),
        _ => vec![
            panel(
                "users-heading",
                "People",
                "Disabling an account signs it out everywhere and deletes its access tokens; its data is kept, and enabling it lets the person sign in again.",
                vec![users.view("", "users", "No accounts.")],
            ),
            invites(),
        ]
        .into_any(),
    }
    };
    view! {
        <section class="page set-page">
            <PageHeading>"Admin"</PageHeading>
            <p class="set-lead">
                "Accounts and invitations on this Rapport. Administrators never see anyone's contacts."
            </p>
            {body}
        </section>
    }
}

fn users() -> Pin<Box<dyn Future<Output = Rows>>> {
    Box::pin(async {
        let me = crate::auth::current()
            .and_then(|auth| auth.user())
            .map(|u| u.id);
        let users = api::admin::users().await?;
        Ok(users
            .into_iter()
            .map(|user| {
                let id = user.id;
                let mut tags = Vec::new();
                if me == Some(id) {
                    tags.push(("You", "tag"));
                }
                if user.role == Role::Admin {
                    tags.push(("Admin", "badge admin"));
                }
                tags.push(if user.disabled {
                    ("Disabled", "status set-off")
                } else {
                    ("Active", "status")
                });
                let name = &user.display_name;
                let (label, verb, confirm, done) = if user.disabled {
                    ("Enable", "enable", None, "Enabled.")
                } else {
                    let question = format!(
                        "Disable {name}'s account? They are signed out everywhere and their access tokens stop working."
                    );
                    ("Disable", "disable", Some(question), "Disabled.")
                };
                Row {
                    tags,
                    meta: format!("{} · joined {}", user.email, day(user.created_at)),
                    action: Some(Act {
                        id: format!("{verb}-user-{id}"),
                        label,
                        name: format!("{label} {name}"),
                        confirm,
                        call: Call::DisableUser(id, !user.disabled),
                        done,
                    }),
                    title: user.display_name,
                }
            })
            .collect())
    })
}

const INVITE_DAYS: &[(&str, &str)] = &[
    ("1", "1 day"),
    ("7", "7 days"),
    ("14", "14 days"),
    ("30", "30 days"),
    ("90", "90 days"),
];

fn invites() -> AnyView {
    let list = List::new(invite_rows, "invites-heading");
    let instance = use_instance();
    let days = RwSignal::new("14".to_owned());
    let code = RwSignal::new(None::<String>);
    let outcome = Outcome::new();
    let submit = move || {
        let request = CreateInviteRequest {
            expires_in_days: days.get_untracked().parse().ok(),
        };
        outcome.run(
            request.validate(),
            Box::pin(async move {
                let created = api::admin::create_invite(&request).await?;
                code.set(Some(created.code));
                list.reload();
                Ok("Invite code created")
            }),
        );
    };
    let mode = move || {
        let words = match instance.get()?.ok()?.registration {
            Registration::Invite => return None,
            Registration::Open => {
                "Registration is open on this Rapport: anyone can create an account without a code."
            }
            Registration::Closed => {
                "Registration is closed on this Rapport: invite codes cannot be used until it takes invitations."
            }
        };
        Some(view! { <p class="notice">{words}</p> })
    };
    let fields = vec![select(
        "invite-days",
        "Valid for",
        days,
        INVITE_DAYS,
        "It works once, until then.",
    )];
    panel(
        "invites-heading",
        "Invite codes",
        "A code lets one person create an account. Give it to them yourself.",
        vec![
            mode.into_any(),
            form(
                outcome,
                fields,
                ("create-invite", "Create invite code"),
                Box::new(submit),
            ),
            secret(
                code,
                ("invite-secret", "copy-invite"),
                "The new invite code",
                "Copy it now and send it to the person you invite: it will not be shown again.",
            ),
            list.view("Codes", "invites", "No invite codes yet."),
        ],
    )
}

fn invite_rows() -> Pin<Box<dyn Future<Output = Rows>>> {
    Box::pin(async {
        let invites = api::admin::invites().await?;
        // To say who used a code.
        let users = api::admin::users().await?;
        let now = chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64);
        Ok(invites
            .into_iter()
            .rev()
            .map(|invite| {
                let (state, class) = match invite.used_at {
                    Some(at) => {
                        let who = users
                            .iter()
                            .find(|u| Some(u.id) == invite.used_by)
                            .map_or(String::new(), |u| format!(" by {}", u.display_name));
                        (format!("used {}{who}", day(at)), ("Used", "status"))
                    }
                    None if Some(invite.expires_at) <= now => (
                        format!("expired {}", day(invite.expires_at)),
                        ("Expired", "status set-off"),
                    ),
                    None => (
                        format!("valid until {}", day(invite.expires_at)),
                        ("Open", "tag"),
                    ),
                };
                Row {
                    title: format!("{}…", invite.prefix),
                    tags: vec![class],
                    meta: format!("Created {} · {state}", day(invite.created_at)),
                    action: None,
                }
            })
            .collect())
    })
}
