//! The nurture queue: my to-do list, computed from the network. Each item
//! says what to do, about whom, by when, and why in one line.
//!
//! The order is part of the domain: see [`NurturePosition`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::interaction::InteractionKind;
use crate::introduction::IntroductionStatus;
use crate::network::{ConnectionPolicy, Settings};

/// Follow-ups show up this many days before they are due.
pub const FOLLOW_UP_HORIZON_DAYS: i64 = 7;
/// An ask-to-connect without an answer for this many days needs a nudge.
pub const AWAITING_ANSWER_DAYS: i64 = 14;

/// What kind of to-do an item is: `overdue` (the keep-in-touch date has
/// come), `follow_up` (an interaction's follow-up date is near or past),
/// `awaiting_answer` (I asked to connect 14 or more days ago and heard
/// nothing), `introduction_waiting` (an introduction not yet made or
/// declined), `ready_to_ask` (ready to ask to connect under my policy) or
/// `mismatch` (my rating of 4 or 5 is far above what the history supports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NurtureKind {
    /// The keep-in-touch date has come.
    Overdue,
    /// An interaction's follow-up date is near or past, and nothing since.
    FollowUp,
    /// I asked to connect 14 or more days ago and heard nothing.
    AwaitingAnswer,
    /// An introduction not yet made or declined.
    IntroductionWaiting,
    /// Ready to ask to connect, under my connection policy.
    ReadyToAsk,
    /// My rating (4 or 5) is far above what the history supports.
    Mismatch,
}

impl NurtureKind {
    /// (group, rank among the dated kinds on one day); see [`NurturePosition`].
    pub fn order(self) -> (u8, u8) {
        match self {
            NurtureKind::Overdue => (0, 0),
            NurtureKind::FollowUp => (0, 1),
            NurtureKind::AwaitingAnswer => (0, 2),
            NurtureKind::IntroductionWaiting => (1, 0),
            NurtureKind::ReadyToAsk => (2, 0),
            NurtureKind::Mismatch => (3, 0),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NurtureKind::Overdue => "overdue",
            NurtureKind::FollowUp => "follow_up",
            NurtureKind::AwaitingAnswer => "awaiting_answer",
            NurtureKind::IntroductionWaiting => "introduction_waiting",
            NurtureKind::ReadyToAsk => "ready_to_ask",
            NurtureKind::Mismatch => "mismatch",
        }
    }
}

/// Who an item is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NurtureContact {
    /// The contact's id.
    pub id: Uuid,
    /// The contact's name.
    #[cfg_attr(feature = "openapi", schema(example = "Ada Lovelace"))]
    pub name: String,
    /// The company they work for; null when unknown.
    #[cfg_attr(feature = "openapi", schema(example = "Analytical Engines Ltd"))]
    pub company: Option<String>,
}

/// One entry of `GET /nurture`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NurtureItem {
    /// What kind of to-do it is.
    pub kind: NurtureKind,
    /// For an introduction: the first of the two people.
    pub contact: NurtureContact,
    /// When it is or was due (overdue, follow-up, awaiting answer); null for
    /// the kinds without a date.
    pub due_on: Option<NaiveDate>,
    /// One line for a person: what to do and why.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Due for a catch-up: last contact 94 days ago (every 90 days)")
    )]
    pub reason: String,
    /// For an introduction waiting: the introduction's id; absent for the
    /// other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction_id: Option<Uuid>,
    /// For a follow-up: the interaction that set it; absent for the other
    /// kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_id: Option<Uuid>,
}

/// The facts behind an item, from which its date and reason follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NurtureFacts {
    Overdue {
        last_interaction_on: Option<NaiveDate>,
        met_on: Option<NaiveDate>,
        added_on: NaiveDate,
        /// The contact's own cadence; none: my default.
        cadence_days: Option<u16>,
    },
    FollowUp {
        interaction_id: Uuid,
        kind: InteractionKind,
        occurred_on: NaiveDate,
        follow_up_on: NaiveDate,
    },
    AwaitingAnswer {
        asked_at: DateTime<Utc>,
    },
    IntroductionWaiting {
        introduction_id: Uuid,
        status: IntroductionStatus,
        since: DateTime<Utc>,
        /// The other person's name.
        other: String,
    },
    ReadyToAsk {
        comfort: Option<u8>,
        familiarity: u8,
    },
    Mismatch {
        comfort: u8,
        familiarity: u8,
        suggested_comfort: u8,
    },
}

/// Where an item sits in the queue; a page's cursor is the position of its
/// last item.
///
/// The queue is ordered by urgency:
///
/// 1. Dated items — overdue keep-in-touch dates, follow-ups, asks without an
///    answer — by their date, oldest first (follow-ups up to
///    [`FOLLOW_UP_HORIZON_DAYS`] ahead come after everything already due).
///    On the same day: overdue, then follow-up, then awaiting answer; within
///    a kind, a stable order (contact id; name; time asked).
/// 2. Introductions waiting, the longest unchanged first.
/// 3. Contacts ready to ask to connect, by name.
/// 4. Rating mismatches, by name.
///
/// Within one kind the order is the database's (names compare by its
/// collation), so [`NurturePosition::urgency`] compares only what tells
/// kinds apart: the group, the date and the kind's rank on that date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum NurturePosition {
    Overdue {
        on: NaiveDate,
        contact: Uuid,
    },
    FollowUp {
        on: NaiveDate,
        /// The contact's sort name.
        name: String,
        contact: Uuid,
        interaction: Uuid,
    },
    AwaitingAnswer {
        at: DateTime<Utc>,
        contact: Uuid,
    },
    IntroductionWaiting {
        at: DateTime<Utc>,
        id: Uuid,
    },
    ReadyToAsk {
        name: String,
        contact: Uuid,
    },
    Mismatch {
        name: String,
        contact: Uuid,
    },
}

/// The day an ask made at `asked_at` starts waiting for a nudge.
pub fn awaiting_due_on(asked_at: DateTime<Utc>) -> NaiveDate {
    asked_at.date_naive() + Duration::days(AWAITING_ANSWER_DAYS)
}

impl NurturePosition {
    pub fn kind(&self) -> NurtureKind {
        match self {
            NurturePosition::Overdue { .. } => NurtureKind::Overdue,
            NurturePosition::FollowUp { .. } => NurtureKind::FollowUp,
            NurturePosition::AwaitingAnswer { .. } => NurtureKind::AwaitingAnswer,
            NurturePosition::IntroductionWaiting { .. } => NurtureKind::IntroductionWaiting,
            NurturePosition::ReadyToAsk { .. } => NurtureKind::ReadyToAsk,
            NurturePosition::Mismatch { .. } => NurtureKind::Mismatch,
        }
    }

    /// The date of a dated item.
    pub fn due_on(&self) -> Option<NaiveDate> {
        match self {
            NurturePosition::Overdue { on, .. } | NurturePosition::FollowUp { on, .. } => Some(*on),
            NurturePosition::AwaitingAnswer { at, .. } => Some(awaiting_due_on(*at)),
            _ => None,
        }
    }

    /// (group, date, rank on that date): compares items of different kinds.
    pub fn urgency(&self) -> (u8, Option<NaiveDate>, u8) {
        let (group, rank) = self.kind().order();
        (group, self.due_on(), rank)
    }
}

/// A to-do found in the network, before it is put into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NurtureCandidate {
    pub contact: NurtureContact,
    pub facts: NurtureFacts,
    pub position: NurturePosition,
}

impl NurtureCandidate {
    /// The item as the API shows it, with its one-line reason.
    pub fn into_item(self, settings: &Settings, today: NaiveDate) -> NurtureItem {
        let due_on = self.position.due_on();
        let kind = self.position.kind();
        let mut item = NurtureItem {
            kind,
            contact: self.contact,
            due_on,
            reason: String::new(),
            introduction_id: None,
            interaction_id: None,
        };
        item.reason = match self.facts {
            NurtureFacts::Overdue {
                last_interaction_on,
                met_on,
                added_on,
                cadence_days,
            } => {
                let cadence = cadence_days.or(settings.default_cadence_days);
                let every = cadence
                    .map(|days| format!(" (every {})", count(i64::from(days), "day", "days")))
                    .unwrap_or_default();
                let since = match (last_interaction_on, met_on) {
                    (Some(last), _) => format!("last contact {}", ago(today, last)),
                    (None, Some(met)) => format!("met {}, not in touch since", ago(today, met)),
                    (None, None) => format!("added {}, not in touch yet", ago(today, added_on)),
                };
                format!("Due for a catch-up: {since}{every}")
            }
            NurtureFacts::FollowUp {
                interaction_id,
                kind,
                occurred_on,
                follow_up_on,
            } => {
                item.interaction_id = Some(interaction_id);
                format!(
                    "Follow up on the {} {}: {}",
                    touchpoint(kind),
                    ago(today, occurred_on),
                    due(today, follow_up_on)
                )
            }
            NurtureFacts::AwaitingAnswer { asked_at } => {
                format!(
                    "Asked {}, no answer yet",
                    ago(today, asked_at.date_naive())
                )
            }
            NurtureFacts::IntroductionWaiting {
                introduction_id,
                status,
                since,
                other,
            } => {
                item.introduction_id = Some(introduction_id);
                let when = ago(today, since.date_naive());
                match status {
                    IntroductionStatus::Proposed => format!(
                        "Introduction to {other} proposed {when}: ask both whether they are open to it"
                    ),
                    IntroductionStatus::Asked => format!(
                        "Introduction to {other}: asked {when}, waiting for both to agree"
                    ),
                    _ => format!(
                        "Introduction to {other}: both agreed {when}, time to introduce them"
                    ),
                }
            }
            NurtureFacts::ReadyToAsk {
                comfort,
                familiarity,
            } => match settings.connection_policy {
                ConnectionPolicy::Open => {
                    "Ready to ask to connect: you have met (you connect with anyone you've met)"
                        .to_owned()
                }
                ConnectionPolicy::AfterTalking => format!(
                    "Ready to ask to connect: familiarity {familiarity} reaches your threshold of {}",
                    settings.familiarity_threshold
                ),
                ConnectionPolicy::WhenIWouldRefer => format!(
                    "Ready to ask to connect: you'd refer them (comfort {}, your threshold {})",
                    comfort.unwrap_or(0),
                    settings.comfort_threshold
                ),
            },
            NurtureFacts::Mismatch {
                comfort,
                familiarity,
                suggested_comfort,
            } => format!(
                "Rated {comfort} ({}) but the history supports {suggested_comfort} \
                 (familiarity {familiarity}): meet them again or review the rating",
                comfort_words(comfort)
            ),
        };
        item
    }
}

fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Exact days: a nudge should say "94 days", not "3 months".
fn ago(today: NaiveDate, day: NaiveDate) -> String {
    match (today - day).num_days() {
        days if days <= 0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        days => format!("{days} days ago"),
    }
}

fn due(today: NaiveDate, day: NaiveDate) -> String {
    match (day - today).num_days() {
        0 => "due today".to_owned(),
        1 => "due tomorrow".to_owned(),
        -1 => "was due yesterday".to_owned(),
        days if days > 1 => format!("due in {days} days"),
        days => format!("was due {} days ago", -days),
    }
}

fn touchpoint(kind: InteractionKind) -> &'static str {
    match kind {
        InteractionKind::MetAtEvent => "meeting at an event",
        InteractionKind::Meeting => "meeting",
        InteractionKind::CoffeeOrLunch => "coffee or lunch",
        InteractionKind::Call => "call",
        InteractionKind::VideoCall => "video call",
        InteractionKind::Email => "email",
        InteractionKind::Message => "message",
        InteractionKind::SharedArticle => "shared article",
        InteractionKind::Introduction => "introduction",
        InteractionKind::Referral => "referral",
        InteractionKind::Other => "interaction",
    }
}

/// The referral-comfort scale in words.
pub fn comfort_words(rating: u8) -> &'static str {
    match rating {
        0 | 1 => "wouldn't refer yet",
        2 => "could pass along their name",
        3 => "would introduce with context",
        4 => "would refer with confidence",
        _ => "would vouch personally",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()
    }

    fn days_ago(days: i64) -> NaiveDate {
        today() - Duration::days(days)
    }

    fn candidate(facts: NurtureFacts, position: NurturePosition) -> NurtureItem {
        NurtureCandidate {
            contact: NurtureContact {
                id: Uuid::nil(),
                name: "Ada".into(),
                company: None,
            },
            facts,
            position,
        }
        .into_item(&Settings::default(), today())
    }

    #[test]
    fn an_overdue_catch_up_counts_exact_days_since_the_last_contact() {
        let item = candidate(
            NurtureFacts::Overdue {
                last_interaction_on: Some(days_ago(94)),
                met_on: None,
                added_on: days_ago(200),
                cadence_days: None,
            },
            NurturePosition::Overdue {
                on: days_ago(4),
                contact: Uuid::nil(),
            },
        );
        assert_eq!(item.kind, NurtureKind::Overdue);
        assert_eq!(item.due_on, Some(days_ago(4)));
        assert_eq!(
            item.reason,
            "Due for a catch-up: last contact 94 days ago (every 90 days)"
        );
    }

    #[test]
    fn reasons_say_what_to_do_in_one_line() {
        let asked_at = (days_ago(16)).and_hms_opt(9, 0, 0).unwrap().and_utc();
        let awaiting = candidate(
            NurtureFacts::AwaitingAnswer { asked_at },
            NurturePosition::AwaitingAnswer {
                at: asked_at,
                contact: Uuid::nil(),
            },
        );
        assert_eq!(awaiting.reason, "Asked 16 days ago, no answer yet");
        assert_eq!(awaiting.due_on, Some(days_ago(2)));

        let interaction = Uuid::from_u128(1);
        let follow_up = candidate(
            NurtureFacts::FollowUp {
                interaction_id: interaction,
                kind: InteractionKind::CoffeeOrLunch,
                occurred_on: days_ago(10),
                follow_up_on: days_ago(-3),
            },
            NurturePosition::FollowUp {
                on: days_ago(-3),
                name: "ada".into(),
                contact: Uuid::nil(),
                interaction,
            },
        );
        assert_eq!(
            follow_up.reason,
            "Follow up on the coffee or lunch 10 days ago: due in 3 days"
        );
        assert_eq!(follow_up.interaction_id, Some(interaction));

        let mismatch = candidate(
            NurtureFacts::Mismatch {
                comfort: 5,
                familiarity: 7,
                suggested_comfort: 1,
            },
            NurturePosition::Mismatch {
                name: "ada".into(),
                contact: Uuid::nil(),
            },
        );
        assert!(
            mismatch
                .reason
                .starts_with("Rated 5 (would vouch personally) but the history supports 1"),
            "{}",
            mismatch.reason
        );
        assert_eq!(mismatch.due_on, None);
    }

    #[test]
    fn dates_say_today_tomorrow_and_past() {
        assert_eq!(due(today(), today()), "due today");
        assert_eq!(due(today(), days_ago(-1)), "due tomorrow");
        assert_eq!(due(today(), days_ago(1)), "was due yesterday");
        assert_eq!(due(today(), days_ago(5)), "was due 5 days ago");
        assert_eq!(ago(today(), today()), "today");
        assert_eq!(ago(today(), days_ago(1)), "yesterday");
    }

    #[test]
    fn urgency_puts_dated_items_first_then_introductions_ready_and_mismatches() {
        let id = Uuid::nil();
        let at = days_ago(30).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let mut positions = [
            NurturePosition::Mismatch {
                name: "a".into(),
                contact: id,
            },
            NurturePosition::ReadyToAsk {
                name: "a".into(),
                contact: id,
            },
            NurturePosition::IntroductionWaiting { at, id },
            NurturePosition::FollowUp {
                on: days_ago(-5),
                name: "z".into(),
                contact: id,
                interaction: id,
            },
            NurturePosition::AwaitingAnswer { at, contact: id },
            NurturePosition::Overdue {
                on: days_ago(16),
                contact: id,
            },
            NurturePosition::Overdue {
                on: days_ago(40),
                contact: id,
            },
        ];
        positions.sort_by_key(NurturePosition::urgency);
        let order: Vec<(NurtureKind, Option<NaiveDate>)> =
            positions.iter().map(|p| (p.kind(), p.due_on())).collect();
        assert_eq!(
            order,
            [
                (NurtureKind::Overdue, Some(days_ago(40))),
                (NurtureKind::Overdue, Some(days_ago(16))),
                (NurtureKind::AwaitingAnswer, Some(days_ago(16))),
                (NurtureKind::FollowUp, Some(days_ago(-5))),
                (NurtureKind::IntroductionWaiting, None),
                (NurtureKind::ReadyToAsk, None),
                (NurtureKind::Mismatch, None),
            ]
        );
    }

    #[test]
    fn positions_round_trip_as_cursors() {
        let position = NurturePosition::FollowUp {
            on: today(),
            name: "ada lovelace".into(),
            contact: Uuid::from_u128(2),
            interaction: Uuid::from_u128(3),
        };
        let json = serde_json::to_string(&position).unwrap();
        assert_eq!(
            serde_json::from_str::<NurturePosition>(&json).unwrap(),
            position
        );
    }
}
