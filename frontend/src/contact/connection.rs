//! The ask-first connection flow with its history and the invitation
//! draft, and the introductions that involve the contact.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsValue;
use rapport_core::contact::ConnectionStatus;
use rapport_core::introduction::{IntroductionOutcome, IntroductionStatus};
use rapport_core::invitation::InvitationDraft;
use rapport_core::network::ConnectionRequest;
use rapport_core::Validate;

use super::{focus_later, part_status, status_of, Ctx, Feedback};
use crate::api;
use crate::components::{format_date, invalid_fields, status_label, TextArea};

/// What the button that records a step says.
fn action_label(next: ConnectionStatus) -> &'static str {
    match next {
        ConnectionStatus::Asked => "I asked if they're open",
        ConnectionStatus::Open => "They're open to it",
        ConnectionStatus::NotNow => "They said not now",
        ConnectionStatus::Invited => "I sent the invitation",
        ConnectionStatus::Connected => "We're connected",
        ConnectionStatus::Declined => "They declined",
        ConnectionStatus::TheyInvitedMe => "They invited me",
        ConnectionStatus::NotConnected => "Back to not connected",
    }
}

/// The path shown for a status: the ask-first flow, with a side branch
/// (not now, declined, they invited me) in the place it takes.
fn path_for(current: ConnectionStatus) -> Vec<ConnectionStatus> {
    use ConnectionStatus::*;
    if current == TheyInvitedMe {
        return vec![NotConnected, TheyInvitedMe, Connected];
    }
    let open = if current == NotNow { NotNow } else { Open };
    let end = if current == Declined {
        Declined
    } else {
        Connected
    };
    vec![NotConnected, Asked, open, Invited, end]
}

/// The path's steps, done ones ticked and the current one marked.
fn steps(current: ConnectionStatus) -> impl IntoView {
    let path = path_for(current);
    let at = path.iter().position(|s| *s == current).unwrap_or(0);
    path.into_iter()
        .enumerate()
        .map(|(i, status)| {
            let (class, mark, hidden) = if i < at {
                ("ct-step done", "✓".to_owned(), " (done)")
            } else if i == at {
                ("ct-step now", (i + 1).to_string(), " (now)")
            } else {
                ("ct-step", (i + 1).to_string(), "")
            };
            view! {
                <li class=class aria-current=(i == at).then_some("step")>
                    <span class="ct-mark" aria-hidden="true">{mark}</span>
                    <span>{status_label(status)}<span class="ct-sr">{hidden}</span></span>
                </li>
            }
        })
        .collect_view()
}

/// Whether asking or inviting is among the next steps.
fn offers_draft(status: ConnectionStatus) -> bool {
    status
        .allowed_next()
        .iter()
        .any(|s| matches!(s, ConnectionStatus::Asked | ConnectionStatus::Invited))
}

pub fn connection_panel(ctx: Ctx) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let feedback = Feedback::new();
    let status = Memo::new(move |_| ctx.read(|c| c.connection_status));
    let ready = Memo::new(move |_| ctx.read(|c| c.ready_to_ask).unwrap_or(false));
    let step = move |next: ConnectionStatus| {
        let request = ConnectionRequest {
            status: next,
            note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
        };
        if let Err(errors) = request.validate() {
            return feedback.fail(invalid_fields(errors));
        }
        if !feedback.start() {
            return;
        }
        spawn_local(async move {
            match api::contacts::change_connection(ctx.id, &request).await {
                Ok(_) => {
                    note.set(String::new());
                    feedback.done("Step recorded.");
                    ctx.changed();
                    focus_later("connection-steps");
                }
                Err(error) => ctx.failed(feedback, error),
            }
        });
    };
    let buttons = move || {
        status.get().map(|current| {
            current
                .allowed_next()
                .iter()
                .map(|&next| {
                    view! {
                        <button
                            id=format!("connection-{}", next.as_str())
                            type="button"
                            class="button small"
                            disabled=Signal::derive(move || feedback.busy.get())
                            on:click=move |_| step(next)
                        >
                            {action_label(next)}
                        </button>
                    }
                })
                .collect_view()
        })
    };
    let not_connected = move || status.get() == Some(ConnectionStatus::NotConnected);
    let history = move || {
        ctx.state.with(|s| {
            s.connection
                .iter()
                .flatten()
                .flatten()
                .rev()
                .map(|c| {
                    view! {
                        <li>
                            <span>
                                {status_label(c.from_status)} " → "
                                <strong>{status_label(c.to_status)}</strong>
                            </span>
                            <span class="ct-when">{format_date(c.created_at.date_naive())}</span>
                            <p class="ct-reason" hidden=c.note.is_none()>
                                {c.note.clone()}
                            </p>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let no_steps = Signal::derive(move || {
        ctx.state
            .with(|s| !matches!(&s.connection, Some(Ok(v)) if v.is_empty()))
    });
    view! {
        <section class="panel" aria-labelledby="connection-heading">
            <h2 id="connection-heading">"Connection"</h2>
            <p class="ct-explain">
                "Ask first: check that they're open to connecting before you send an invitation."
            </p>
            <ol class="ct-steps" id="connection-steps" tabindex="-1" aria-label="The ask-first path">
                {move || status.get().map(steps)}
            </ol>
            <p class="ct-ready" id="ready-to-ask" hidden=Signal::derive(move || !(not_connected() && ready.get()))>
                <strong>"Ready to ask. "</strong>
                "Under your connection policy, now is a good time to ask whether they're open to connecting."
            </p>
            <p class="muted" id="not-ready-to-ask" hidden=Signal::derive(move || !not_connected() || ready.get())>
                "Not ready to ask yet under your connection policy (" <a href="/settings">"change it in Settings"</a> ")."
            </p>
            <div class="ct-stack">
                <TextArea id="connection-note" label="Note on the next step (optional)" rows=2 value=note />
                <div class="ct-buttons" role="group" aria-label="Record the next step">
                    {buttons}
                </div>
                <span class="ct-note" role="status">{feedback.note}</span>
                {feedback.problem_view()}
            </div>
            {draft_box(ctx, Signal::derive(move || status.get().is_some_and(offers_draft)))}
            <h3 class="ct-h3">"History"</h3>
            {part_status(ctx, |s| status_of(&s.connection))}
            <p class="muted" hidden=no_steps>
                "No steps yet."
            </p>
            <ul class="ct-list" aria-label="Steps, newest first">
                {history}
            </ul>
        </section>
    }
}

/// The invitation draft, read-only, with a copy button.
fn draft_box(ctx: Ctx, shown: Signal<bool>) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let area = NodeRef::<html::Textarea>::new();
    let copy = move |_| {
        if let Some(area) = area.get_untracked() {
            copy_text(&area.value(), copied, area);
        }
    };
    let draft = move |f: fn(&InvitationDraft) -> Option<String>| {
        ctx.state
            .with(|s| s.draft.as_ref().and_then(|r| r.as_ref().ok()).and_then(f))
    };
    let text = Signal::derive(move || draft(|d| Some(d.text.clone())).unwrap_or_default());
    let passphrase = Signal::derive(move || {
        draft(|d| {
            let p = d.passphrase.as_ref()?;
            Some(format!(
                "It quotes the passphrase of {}, “{p}”, so that they can place you.",
                d.event_name.as_deref().unwrap_or("the event")
            ))
        })
    });
    view! {
        <div class="ct-draft" hidden=Signal::derive(move || !shown.get())>
            <label for="invitation-draft">"Invitation draft"</label>
            <p class="hint" id="invitation-draft-hint">
                "Asks first whether they're open to connecting. Copy it into LinkedIn or an email and make it yours."
            </p>
            {part_status(ctx, |s| status_of(&s.draft))}
            <textarea
                id="invitation-draft"
                readonly
                rows=8
                aria-describedby="invitation-draft-hint"
                node_ref=area
                prop:value=text
            ></textarea>
            <p class="hint" hidden=Signal::derive(move || passphrase.with(Option::is_none))>
                {passphrase}
            </p>
            <div class="ct-buttons">
                <button id="copy-draft" type="button" class="button small" on:click=copy>
                    "Copy"
                </button>
                <span class="ct-note" role="status">
                    {Signal::derive(move || match copied.get() {
                        Some(true) => "Copied",
                        Some(false) => "Couldn't copy: the text is selected, copy it with Ctrl+C (⌘C).",
                        None => "",
                    })}
                </span>
            </div>
        </div>
    }
}

/// Copies through `navigator.clipboard`; when that is missing (a page
/// served over plain HTTP) or refused, selects the text for the person.
fn copy_text(text: &str, copied: RwSignal<Option<bool>>, area: web_sys::HtmlTextAreaElement) {
    let fail = move || {
        copied.try_set(Some(false));
        area.select();
    };
    let navigator = window().navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !has_clipboard {
        return fail();
    }
    let done = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        copied.try_set(Some(true));
    });
    let failed = Closure::<dyn FnMut(JsValue)>::new(move |_| fail());
    let _ = navigator.clipboard().write_text(text).then2(&done, &failed);
    // Called once by the browser, later: they must outlive this call.
    done.forget();
    failed.forget();
}

fn intro_status(status: IntroductionStatus) -> &'static str {
    match status {
        IntroductionStatus::Proposed => "Proposed",
        IntroductionStatus::Asked => "Asked both",
        IntroductionStatus::Agreed => "Both agreed",
        IntroductionStatus::Made => "Made",
        IntroductionStatus::Declined => "Declined",
    }
}

fn outcome_label(outcome: IntroductionOutcome) -> &'static str {
    match outcome {
        IntroductionOutcome::Positive => "went well",
        IntroductionOutcome::Neutral => "neutral",
        IntroductionOutcome::Negative => "went badly",
    }
}

pub fn introductions_panel(ctx: Ctx) -> impl IntoView {
    let rows = move || {
        ctx.state.with(|s| {
            s.introductions
                .iter()
                .flatten()
                .flatten()
                .map(|i| {
                    let other = if i.contact_a.id == ctx.id {
                        &i.contact_b
                    } else {
                        &i.contact_a
                    };
                    let status = match i.outcome {
                        Some(o) => format!("{} · {}", intro_status(i.status), outcome_label(o)),
                        None => intro_status(i.status).to_owned(),
                    };
                    view! {
                        <li>
                            <span>
                                "With " <a href=format!("/contacts/{}", other.id)>{other.name.clone()}</a>
                            </span>
                            <span class="status">{status}</span>
                            <p class="ct-reason">{i.reason.clone()}</p>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let none = Signal::derive(move || {
        ctx.state
            .with(|s| !matches!(&s.introductions, Some(Ok(v)) if v.is_empty()))
    });
    view! {
        <section class="panel" aria-labelledby="introductions-heading">
            <div class="ct-panel-head">
                <h2 id="introductions-heading">"Introductions"</h2>
                <a
                    id="propose-introduction"
                    class="button small"
                    href=format!("/introductions?with={}", ctx.id)
                >
                    "Propose one"
                </a>
            </div>
            {part_status(ctx, |s| status_of(&s.introductions))}
            <p class="muted" hidden=none>
                "No introductions involving them yet."
            </p>
            <ul class="ct-list">{rows}</ul>
        </section>
    }
}
