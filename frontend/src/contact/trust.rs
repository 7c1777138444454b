//! Referral comfort (my rating, its history as a step chart) and
//! familiarity (derived from the interactions, with its reasons).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rapport_core::familiarity::Familiarity;
use rapport_core::network::{ComfortRating, ComfortRequest};
use rapport_core::Validate;

use super::{part_status, status_of, Ctx, Feedback};
use crate::api;
use crate::components::{format_date, invalid_fields, FamiliarityBar, Stars, TextArea};

const WORDS: [&str; 5] = [
    "wouldn't refer yet",
    "could pass along their name",
    "would introduce with context",
    "would refer with confidence",
    "would vouch personally",
];

const STAR_IDS: [&str; 5] = [
    "comfort-1",
    "comfort-2",
    "comfort-3",
    "comfort-4",
    "comfort-5",
];

/// What a comfort level means, e.g. "would introduce with context".
pub fn comfort_word(level: u8) -> &'static str {
    WORDS[usize::from(level.clamp(1, 5)) - 1]
}

fn rating_text(rating: Option<u8>) -> String {
    rating.map_or_else(|| "unrated".to_owned(), |n| n.to_string())
}

pub fn comfort_panel(ctx: Ctx) -> impl IntoView {
    let choice = ctx.comfort_choice;
    let reason = RwSignal::new(String::new());
    let feedback = Feedback::new();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let request = ComfortRequest {
            rating: choice.get_untracked(),
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        if let Err(errors) = request.validate() {
            return feedback.fail(invalid_fields(errors));
        }
        if !feedback.start() {
            return;
        }
        spawn_local(async move {
            match api::contacts::set_comfort(ctx.id, &request).await {
                Ok(_) => {
                    reason.set(String::new());
                    feedback.done("Rating saved.");
                    ctx.changed();
                }
                Err(error) => feedback.fail(error),
            }
        });
    };
    let stars = STAR_IDS
        .iter()
        .zip(1u8..)
        .map(|(id, n)| {
            let on = move || choice.get().is_some_and(|c| c >= n);
            view! {
                <input
                    type="radio"
                    class="ct-sr"
                    id=*id
                    name="comfort"
                    value=n
                    prop:checked=Signal::derive(move || choice.get() == Some(n))
                    on:change=move |_| choice.set(Some(n))
                />
                <label for=*id class="ct-star" class:on=Signal::derive(on)>
                    <span aria-hidden="true">{Signal::derive(move || if on() { "★" } else { "☆" })}</span>
                    <span class="ct-sr">{format!("{n} of 5, {}", comfort_word(n))}</span>
                </label>
            }
        })
        .collect_view();
    let history = move || {
        ctx.state.with(|s| {
            s.comfort
                .iter()
                .flatten()
                .flatten()
                .rev()
                .map(|r| {
                    view! {
                        <li>
                            <Stars comfort=r.rating />
                            <span class="ct-when">{format_date(r.created_at.date_naive())}</span>
                            <p class="ct-reason" hidden=r.reason.is_none()>
                                {r.reason.clone()}
                            </p>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let empty = Signal::derive(move || {
        ctx.state
            .with(|s| !matches!(&s.comfort, Some(Ok(v)) if v.is_empty()))
    });
    view! {
        <section class="panel" aria-labelledby="comfort-heading">
            <h2 id="comfort-heading">"Referral comfort"</h2>
            <p class="ct-explain">
                "Would I be comfortable referring them? Your own judgement, from 1 (wouldn't refer yet) to 5 (would vouch personally)."
            </p>
            <form class="ct-stack" novalidate on:submit=on_submit>
                <fieldset class="ct-plain">
                    <legend>"Your rating"</legend>
                    <div class="ct-stars">
                        {stars}
                        <input
                            type="radio"
                            class="ct-sr"
                            id="comfort-unrated"
                            name="comfort"
                            value=""
                            prop:checked=Signal::derive(move || choice.get().is_none())
                            on:change=move |_| choice.set(None)
                        />
                        <label for="comfort-unrated" class="ct-unrated">
                            "Unrated"
                        </label>
                    </div>
                    <p class="ct-choice">
                        {Signal::derive(move || match choice.get() {
                            Some(n) => format!("{n} of 5: {}.", comfort_word(n)),
                            None => "Not rated yet.".to_owned(),
                        })}
                    </p>
                </fieldset>
                <TextArea id="comfort-reason" label="Why (optional)" rows=2 value=reason />
                {feedback.view("save-comfort", "Save rating")}
            </form>
            <h3 class="ct-h3">"How it changed"</h3>
            {part_status(ctx, |s| status_of(&s.comfort))}
            <p class="muted" hidden=empty>
                "No ratings yet."
            </p>
            {chart(ctx)}
            <ul class="ct-list" aria-label="Ratings, newest first">
                {history}
            </ul>
        </section>
    }
}

const W: i64 = 320;
const H: i64 = 120;
const LEFT: i64 = 24;
const RIGHT: i64 = 10;
const TOP: i64 = 10;
const STEP: i64 = 21;

/// The y of a rating (1 to 5) in the chart.
fn y(rating: u8) -> i64 {
    TOP + i64::from(5 - rating.clamp(1, 5)) * STEP
}

/// The chart's drawing, from the ratings oldest first.
#[derive(Clone, Default, PartialEq)]
struct Chart {
    path: String,
    /// (x, y, what the point says).
    dots: Vec<(i64, i64, String)>,
    first_day: String,
    summary: String,
}

fn draw(items: &[ComfortRating]) -> Chart {
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return Chart::default();
    };
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let start = first.created_at.timestamp();
    let end = now.max(last.created_at.timestamp()).max(start + 86_400);
    let x = |t: i64| LEFT + (t - start) * (W - LEFT - RIGHT) / (end - start);
    let mut chart = Chart {
        first_day: format_date(first.created_at.date_naive()),
        ..Chart::default()
    };
    let mut drawing = false;
    let mut said = Vec::new();
    for (i, rating) in items.iter().enumerate() {
        let from = x(rating.created_at.timestamp());
        let to = items
            .get(i + 1)
            .map_or(x(end), |next| x(next.created_at.timestamp()));
        let day = format_date(rating.created_at.date_naive());
        said.push(format!("{} on {day}", rating_text(rating.rating)));
        match rating.rating {
            Some(r) => {
                let pen = if drawing { 'L' } else { 'M' };
                chart.path.push_str(&format!("{pen}{from} {}H{to}", y(r)));
                chart.dots.push((from, y(r), format!("{r} on {day}")));
                drawing = true;
            }
            None => drawing = false,
        }
    }
    let earlier = said.len().saturating_sub(6);
    let intro = if earlier > 0 {
        format!("{earlier} earlier ratings, then ")
    } else {
        String::new()
    };
    chart.summary = format!(
        "Referral comfort over time: {intro}{}; now {}.",
        said[earlier..].join(", "),
        rating_text(last.rating)
    );
    chart
}

/// The ratings over time as a step line; unrated stretches are gaps.
fn chart(ctx: Ctx) -> impl IntoView {
    let chart = Memo::new(move |_| {
        ctx.state.with(|s| {
            draw(
                s.comfort
                    .as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .map_or(&[], |v| v),
            )
        })
    });
    let grid = (1..=5u8)
        .map(|r| {
            view! {
                <line class="ct-grid" x1=LEFT x2=W - RIGHT y1=y(r) y2=y(r) />
                <text class="ct-axis" x=LEFT - 8 y=y(r) dy="0.35em" text-anchor="end">
                    {r}
                </text>
            }
        })
        .collect_view();
    let dots = move || {
        chart.with(|c| {
            c.dots
                .iter()
                .map(|(x, y, label)| {
                    view! {
                        <circle class="ct-dot" cx=*x cy=*y r="3.5">
                            <title>{label.clone()}</title>
                        </circle>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div hidden=Signal::derive(move || chart.with(|c| c.path.is_empty() && c.dots.is_empty()))>
            <svg
                id="comfort-chart"
                class="ct-chart"
                viewBox=format!("0 0 {W} {H}")
                role="img"
                aria-label=Signal::derive(move || chart.with(|c| c.summary.clone()))
            >
                {grid}
                <path class="ct-line" d=Signal::derive(move || chart.with(|c| c.path.clone())) />
                {dots}
                <text class="ct-axis" x=LEFT y=H - 6 text-anchor="start">
                    {Signal::derive(move || chart.with(|c| c.first_day.clone()))}
                </text>
                <text class="ct-axis" x=W - RIGHT y=H - 6 text-anchor="end">
                    "today"
                </text>
            </svg>
        </div>
    }
}

/// Reads the familiarity, once loaded.
fn known<T>(ctx: Ctx, f: impl FnOnce(&Familiarity) -> T) -> Option<T> {
    ctx.state
        .with(|s| s.familiarity.as_ref().and_then(|r| r.as_ref().ok()).map(f))
}

pub fn familiarity_panel(ctx: Ctx) -> impl IntoView {
    let mismatch = move || {
        let rated = ctx.read(|c| c.comfort).flatten();
        known(ctx, |f| {
            f.mismatch.then(|| {
                let why: Vec<&str> = f.reasons.iter().take(2).map(String::as_str).collect();
                view! {
                    <p id="mismatch" class="ct-mismatch">
                        <strong>"Mismatch: "</strong>
                        {format!(
                            "you rated {} but the history supports {}: {}. Your rating stays as you set it; check that it is what you mean.",
                            rating_text(rated),
                            f.suggested_comfort,
                            why.join("; "),
                        )}
                    </p>
                }
            })
        })
        .flatten()
    };
    let reasons = move || {
        known(ctx, |f| {
            f.reasons
                .iter()
                .map(|r| view! { <li>{r.clone()}</li> })
                .collect_view()
        })
    };
    let suggested = Signal::derive(move || {
        known(ctx, |f| {
            format!(
                "The history supports a comfort of {} ({}).",
                f.suggested_comfort,
                comfort_word(f.suggested_comfort)
            )
        })
    });
    view! {
        <section class="panel" aria-labelledby="familiarity-heading">
            <h2 id="familiarity-heading">"Familiarity"</h2>
            <p class="ct-explain">
                "How well you know them, worked out from your interactions (never typed in)."
            </p>
            {part_status(ctx, |s| status_of(&s.familiarity))}
            <div class="ct-score" id="familiarity-score">
                {move || known(ctx, |f| view! { <FamiliarityBar score=f.score /> })}
            </div>
            <p>{suggested}</p>
            {mismatch}
            <ul class="ct-reasons" aria-label="Why">
                {reasons}
            </ul>
        </section>
    }
}
