//! Home: the nurture queue, what to do today, acted on in place.

use chrono::Duration;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rapport_core::contact::ConnectionStatus;
use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::network::{ConnectionRequest, NewInteraction, SnoozeRequest};
use rapport_core::nurture::{NurtureItem, NurtureKind};
use rapport_core::{Problem, Validate};

use crate::api;
use crate::auth::use_auth;
use crate::components::{
    format_date, invalid_fields, loaded, relative_date, set_title, today, Loaded, PageHeading,
    ProblemAlert,
};

/// Items per page of the queue.
const PAGE: usize = 50;

#[component]
pub fn Home() -> impl IntoView {
    set_title("Today");
    let auth = use_auth();
    let first_name = move || {
        auth.user()
            .map(|u| {
                u.display_name
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .unwrap_or_default()
    };
    // How many pages to show; "Show more" asks for one more.
    let pages = RwSignal::new(1usize);
    let queue = LocalResource::new(move || {
        let pages = pages.get();
        async move { load_queue(pages).await }
    });
    // What the last action did, announced politely.
    let done = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let ctx = Acts {
        done,
        problem,
        queue,
    };

    view! {
        <section class="page home">
            <div class="page-head">
                <PageHeading>"Today"</PageHeading>
                <a class="button quiet" href="/contacts/new" id="add-contact-home">
                    "Add a contact"
                </a>
            </div>
            <p class="lead">
                {move || format!("Good to see you, {}. Here is who to look after.", first_name())}
            </p>
            <p class="done" role="status" id="nurture-status">{move || done.get()}</p>
            <ProblemAlert problem />
            {loaded(
                    queue,
                    move |(items, more): (Vec<NurtureItem>, bool)| {
                        if items.is_empty() {
                            return view! {
                                <div class="empty panel" id="nurture-empty">
                                    <p>"Nothing needs you today. Your network is in good shape."</p>
                                    <p>
                                        <a href="/network">"Browse your network"</a>
                                        " or "
                                        <a href="/contacts/new">"add someone you met"</a>
                                        "."
                                    </p>
                                </div>
                            }
                                .into_any();
                        }
                        view! {
                            <QueueSummary items=items.clone() />
                            <ol class="queue" id="nurture-list">
                                {items
                                    .into_iter()
                                    .map(|item| view! { <QueueItem item ctx /> })
                                    .collect_view()}
                            </ol>
                            {more
                                .then(|| {
                                    view! {
                                        <button
                                            type="button"
                                            class="button"
                                            id="nurture-more"
                                            on:click=move |_| pages.update(|p| *p += 1)
                                        >
                                            "Show more"
                                        </button>
                                    }
                                })}
                        }
                            .into_any()
                    },
                )}
        </section>
    }
}

/// The first `pages` pages of the queue, and whether more follow.
async fn load_queue(pages: usize) -> api::ApiResult<(Vec<NurtureItem>, bool)> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..pages {
        let page = api::nurture::page(PAGE, cursor.as_deref()).await?;
        items.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    Ok((items, cursor.is_some()))
}

type Queue = Loaded<(Vec<NurtureItem>, bool)>;

/// Where the items' actions report.
#[derive(Clone, Copy)]
struct Acts {
    done: RwSignal<String>,
    problem: RwSignal<Option<Problem>>,
    queue: Queue,
}

impl Acts {
    /// An action worked: say so and reload the queue.
    fn acted(self, message: String) {
        self.done.set(message);
        self.problem.set(None);
        self.queue.refetch();
    }

    fn failed(self, problem: Problem) {
        self.problem.set(Some(problem));
    }
}

/// "3 overdue · 1 introduction waiting …"
#[component]
fn QueueSummary(items: Vec<NurtureItem>) -> impl IntoView {
    let mut counts: Vec<(NurtureKind, usize)> = Vec::new();
    for item in &items {
        match counts.iter_mut().find(|(kind, _)| *kind == item.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((item.kind, 1)),
        }
    }
    view! {
        <ul class="summary" aria-label="Summary">
            {counts
                .into_iter()
                .map(|(kind, n)| {
                    view! {
                        <li class=format!("chip kind-{}", kind.as_str())>
                            <strong>{n}</strong>
                            " "
                            {kind_label(kind)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

fn kind_label(kind: NurtureKind) -> &'static str {
    match kind {
        NurtureKind::Overdue => "due to get in touch",
        NurtureKind::FollowUp => "follow-up",
        NurtureKind::AwaitingAnswer => "awaiting an answer",
        NurtureKind::IntroductionWaiting => "introduction waiting",
        NurtureKind::ReadyToAsk => "ready to ask to connect",
        NurtureKind::Mismatch => "rating to review",
    }
}

#[component]
fn QueueItem(item: NurtureItem, ctx: Acts) -> impl IntoView {
    let contact = item.contact.clone();
    let id = contact.id;
    let name = contact.name.clone();
    let logging = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let when = item.due_on.map(|due| {
        let overdue = due < today();
        view! {
            <time class=if overdue { "due late" } else { "due" } datetime=due.to_string() title=format_date(due)>
                {relative_date(due)}
            </time>
        }
    });

    // One connection step, from the queue.
    let step = move |status: ConnectionStatus, message: String| {
        let request = ConnectionRequest { status, note: None };
        act(ctx, busy, message, async move {
            api::contacts::change_connection(id, &request)
                .await
                .map(drop)
        });
    };
    let snooze = move |days: i64, label: &'static str| {
        let request = SnoozeRequest {
            until: Some(today() + Duration::days(days)),
        };
        let message = format!("{} is snoozed for {label}.", contact.name);
        act(ctx, busy, message, async move {
            api::contacts::snooze(id, &request).await.map(drop)
        });
    };

    let actions = match item.kind {
        NurtureKind::Overdue => {
            let later = snooze.clone();
            view! {
                <LogButton name=name.clone() logging />
                {action_button("Snooze a week", &name, busy, move || snooze(7, "a week"))}
                {action_button("Snooze a month", &name, busy, move || later(30, "a month"))}
            }
            .into_any()
        }
        NurtureKind::FollowUp => view! { <LogButton name logging /> }.into_any(),
        NurtureKind::ReadyToAsk => {
            let message = format!("Marked {name} as asked. Their answer will come up here.");
            view! {
                {action_button(
                    "Mark as asked",
                    &name,
                    busy,
                    move || step(ConnectionStatus::Asked, message.clone()),
                )}
                <a class="button small quiet" href=format!("/contacts/{id}#connection")>
                    "See the invitation draft"
                </a>
            }
            .into_any()
        }
        NurtureKind::AwaitingAnswer => {
            let yes = format!("{name} is open to connecting: send the invitation.");
            let later = format!("{name} said not now.");
            view! {
                {action_button(
                    "They said yes",
                    &name,
                    busy,
                    move || step(ConnectionStatus::Open, yes.clone()),
                )}
                {action_button(
                    "Not now",
                    &name,
                    busy,
                    move || step(ConnectionStatus::NotNow, later.clone()),
                )}
                <LogButton name logging />
            }
            .into_any()
        }
        NurtureKind::IntroductionWaiting => view! {
            <a class="button small" href="/introductions">
                "Open introductions"
            </a>
        }
        .into_any(),
        NurtureKind::Mismatch => view! {
            <a class="button small" href=format!("/contacts/{id}#comfort")>
                "Review the rating"
            </a>
        }
        .into_any(),
    };

    view! {
        <li class=format!("queue-item kind-{}", item.kind.as_str()) data-kind=item.kind.as_str()>
            <div class="queue-main">
                <span class="kind">{kind_label(item.kind)}</span>
                <a class="who" href=format!("/contacts/{id}")>
                    {item.contact.name.clone()}
                </a>
                {item.contact.company.clone().map(|c| view! { <span class="muted">" · " {c}</span> })}
                <p class="reason">{item.reason.clone()}</p>
            </div>
            <div class="queue-side">
                {when}
                <div class="queue-actions">{actions}</div>
            </div>
            <Show when=move || logging.get()>
                <QuickLog id name=item.contact.name.clone() logging ctx />
            </Show>
        </li>
    }
}

/// Sends one action of an item, then reports to the queue.
fn act(
    ctx: Acts,
    busy: RwSignal<bool>,
    message: String,
    request: impl std::future::Future<Output = api::ApiResult<()>> + 'static,
) {
    busy.set(true);
    spawn_local(async move {
        let result = request.await;
        busy.set(false);
        match result {
            Ok(_) => ctx.acted(message),
            Err(problem) => ctx.failed(problem),
        }
    });
}

/// A button of an item, named with its words and the person's name.
fn action_button(
    label: &'static str,
    name: &str,
    busy: RwSignal<bool>,
    on_press: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button small"
            disabled=move || busy.get()
            aria-label=format!("{label}: {name}")
            on:click=move |_| on_press()
        >
            {label}
        </button>
    }
}

/// Opens the quick log form of an item.
#[component]
fn LogButton(name: String, logging: RwSignal<bool>) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button small primary inline"
            aria-expanded=move || if logging.get() { "true" } else { "false" }
            aria-label=format!("Log interaction with {name}")
            on:click=move |_| logging.update(|open| *open = !*open)
        >
            "Log interaction"
        </button>
    }
}

/// The kinds offered by the quick log form, in words.
const QUICK_KINDS: [(InteractionKind, &str); 7] = [
    (InteractionKind::CoffeeOrLunch, "Coffee or lunch"),
    (InteractionKind::Call, "Call"),
    (InteractionKind::VideoCall, "Video call"),
    (InteractionKind::Meeting, "Meeting"),
    (InteractionKind::Email, "Email"),
    (InteractionKind::Message, "Message"),
    (InteractionKind::SharedArticle, "Sent an article"),
];

/// Logs an interaction with one contact, today, without leaving the queue.
#[component]
fn QuickLog(id: uuid::Uuid, name: String, logging: RwSignal<bool>, ctx: Acts) -> impl IntoView {
    let kind = RwSignal::new("coffee_or_lunch".to_owned());
    let depth = RwSignal::new("conversation".to_owned());
    let notes = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let field = |what: &str| format!("quick-{what}-{id}");
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let kind = InteractionKind::parse(&kind.get_untracked()).unwrap_or(InteractionKind::Other);
        let text = notes.get_untracked().trim().to_owned();
        let request = NewInteraction {
            contact_ids: vec![id],
            kind,
            occurred_on: today(),
            depth: Depth::parse(&depth.get_untracked()).unwrap_or(Depth::Conversation),
            // A live conversation goes both ways; a message I send is mine.
            initiated_by: if kind.is_live() {
                Initiator::Mutual
            } else {
                Initiator::Me
            },
            notes: (!text.is_empty()).then_some(text),
            follow_up_on: None,
        };
        if let Err(errors) = request.validate() {
            problem.set(Some(invalid_fields(errors)));
            return;
        }
        busy.set(true);
        let label = QUICK_KINDS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or("interaction", |(_, l)| l)
            .to_lowercase();
        let message = format!("Logged {label} with {name}.");
        spawn_local(async move {
            let result = api::interactions::create(&request).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    logging.set(false);
                    ctx.acted(message);
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    view! {
        <form class="quick-log" on:submit=on_submit novalidate>
            <div class="field">
                <label for=field("kind")>"What"</label>
                <select id=field("kind") bind:value=kind>
                    {QUICK_KINDS
                        .iter()
                        .map(|(k, label)| view! { <option value=k.as_str()>{*label}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=field("depth")>"How deep"</label>
                <select id=field("depth") bind:value=depth>
                    <option value="brief">"Brief hello"</option>
                    <option value="conversation">"A real conversation"</option>
                    <option value="in_depth">"In depth"</option>
                </select>
            </div>
            <div class="field grow">
                <label for=field("notes")>"Note (optional)"</label>
                <input id=field("notes") type="text" bind:value=notes />
            </div>
            <button type="submit" class="button primary inline" disabled=move || busy.get()>
                {move || if busy.get() { "Saving…" } else { "Save" }}
            </button>
            <ProblemAlert problem />
        </form>
    }
}
