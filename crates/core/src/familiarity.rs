//! Familiarity ("know"): how well I know a contact, derived from the
//! interaction history and never typed in, with the sentences that explain it.
//!
//! The full write-up, with the same worked examples, is `docs/familiarity.md`;
//! unit tests check that both this page and that file show exactly what the
//! code computes.
//!
//! # The formula
//!
//! Every interaction `i`, `age_i` days before today (an interaction dated after
//! today counts as today), weighs
//!
//! ```text
//! w_i = depth(i) × kind(i) × (FLOOR + (1 − FLOOR) × 0.5^(age_i / HALF_LIFE))
//! ```
//!
//! | constant | value | meaning |
//! |---|---|---|
//! | `depth` | brief 1 · conversation 3 · in-depth 8 | [`DEPTH_WEIGHTS`]: deeper counts more |
//! | `kind` | live 1 · written 0.5 | [`WRITTEN_FACTOR`]: meetings, coffees, calls ([`InteractionKind::is_live`]) count double |
//! | `HALF_LIFE` | 180 days | [`HALF_LIFE_DAYS`]: an interaction's weight halves every six months… |
//! | `FLOOR` | 0.05 | [`MEMORY_FLOOR`]: …but never fades below 5 %: you don't un-know someone |
//! | `K` | 12 | [`SATURATION`]: the evidence at which the score is 50 |
//! | one-way cap | 40 | [`ONE_WAY_CAP`]: with nothing from them or mutual, the score stays ≤ 40 |
//! | cap step | 30 | [`CAP_STEP`]: each interaction from them or mutual lifts the cap by 30 |
//!
//! The evidence `E = Σ w_i` sums depth, frequency (every interaction adds) and
//! recency (each one decays on its own) in one number, which saturates:
//!
//! ```text
//! base  = 100 × E / (E + K)
//! cap   = min(100, 40 + 30 × r)      r = interactions initiated by them or mutual
//! score = round(min(base, cap))      (halves round up)
//! ```
//!
//! Reciprocity lifts a cap instead of scaling by a ratio, so logging one more
//! interaction, whoever started it, never lowers the score: every weight is
//! positive and `r` only grows. Time only shrinks weights and leaves `r` alone,
//! so it never raises the score.
//!
//! # Suggested comfort
//!
//! The score maps onto the 1–5 referral-comfort scale by [`COMFORT_BANDS`]:
//! 0–14 → 1, 15–34 → 2, 35–54 → 3, 55–74 → 4, 75–100 → 5. Until there has been
//! at least one in-depth interaction or [`CONVERSATIONS_TO_UNGATE`] (3)
//! interactions of depth conversation or deeper, the suggestion is capped at
//! [`GATED_COMFORT`] (2), whatever the score.
//!
//! # Mismatch
//!
//! See [`is_mismatch`]: a rating of 4 or 5 is flagged when it is at least
//! [`MISMATCH_GAP`] (2) above the suggested comfort, or when the score is below
//! [`BARELY_KNOWN_BELOW`] (15). Unrated is never a mismatch; a rating below
//! what the history supports is never flagged (knowing someone well is no
//! reason to vouch for them). The flag is shown, the rating is never changed.
//!
//! # Worked examples
//!
//! Today is the day of the calculation; ages are in days before it.
//!
//! | # | history | E | 100·E/(E+12) | cap | score | suggested |
//! |---|---|---|---|---|---|---|
//! | 1 | met once briefly at an event 3 weeks ago | 0.926 | 7.17 | 70 | 7 | 1 |
//! | 2 | coffee in depth last week + 3 emails both ways | 12.216 | 50.45 | 100 | 50 | 3 |
//! | 3 | 10 emails from me, never answered | 3.978 | 24.90 | 40 | 25 | 2 |
//! | 4 | close colleague, monthly calls for two years, last one 14 months ago | 8.348 | 41.03 | 100 | 41 | 3 |
//! | 5 | the same colleague on the day of the last call | 28.090 | 70.07 | 100 | 70 | 4 |
//! | 6 | 20 quick messages from me in the last 20 days, no reply | 9.661 | 44.60 | 40 | 40 | 2 |
//!
//! 1. One brief meeting at an event (mutual), 21 days ago:
//!    `w = 1 × 1 × (0.05 + 0.95 × 0.5^(21/180)) = 0.926`, so
//!    `100 × 0.926 / 12.926 = 7.17` → **7**, suggested **1**. Rated 4, that is a
//!    mismatch. Reasons: "1 brief meeting at an event 3 weeks ago",
//!    "1 interaction was mutual".
//! 2. An in-depth coffee (mutual) 7 days ago, `8 × 1 × 0.975 = 7.798`, and
//!    three conversation-depth emails 6, 5 and 4 days ago (from them, from me,
//!    from them), `3 × 0.5 × decay` = 1.467 + 1.473 + 1.478: `E = 12.216`,
//!    `100 × 12.216 / 24.216 = 50.45` → **50**, suggested **3** (the in-depth
//!    coffee lifts the gate).
//! 3. Ten brief emails from me, one every two weeks, the last 3 days ago,
//!    each `1 × 0.5 × decay`: `E = 3.978`, **25**, suggested **2**; the
//!    one-way cap of 40 would stop it anyway.
//! 4. 24 mutual calls of depth conversation, one every 30 days, the last 426
//!    days ago: `E = 3 × (24 × 0.05 + 0.95 × 0.5^(426/180) × Σ_{n<24} 0.5^(n/6))
//!    = 3 × (1.2 + 0.95 × 0.1939 × 8.593) = 8.348`, **41**, suggested **3**
//!    (24 conversations lift the gate), with "no contact for 14 months".
//! 5. The same 24 calls seen on the day of the last one:
//!    `E = 3 × (1.2 + 0.95 × 8.593) = 28.090`, **70**, suggested **4**:
//!    14 months without contact took 29 points off.
//! 6. Twenty brief messages from me, one a day, the last today: the base
//!    would be 44.60 but one-way contact is capped at **40**; the suggestion
//!    stays at **2** because none of them went beyond brief.
//!
//! ```
//! use chrono::{Days, NaiveDate};
//! use rapport_core::familiarity::{familiarity, InteractionFacts};
//! use rapport_core::interaction::{Depth, Initiator, InteractionKind};
//!
//! let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
//! let met = InteractionFacts {
//!     kind: InteractionKind::MetAtEvent,
//!     depth: Depth::Brief,
//!     initiated_by: Initiator::Mutual,
//!     occurred_on: today - Days::new(21),
//! };
//! let know = familiarity(&[met], today, Some(4));
//! assert_eq!((know.score, know.suggested_comfort, know.mismatch), (7, 1, true));
//! assert_eq!(know.reasons[0], "1 brief meeting at an event 3 weeks ago");
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::interaction::{Depth, Initiator, InteractionKind};

/// Weight of a brief, a conversation-depth and an in-depth interaction.
pub const DEPTH_WEIGHTS: [f64; 3] = [1.0, 3.0, 8.0];
/// Weight factor of a written (not live) interaction; live ones count 1.
pub const WRITTEN_FACTOR: f64 = 0.5;
/// Days after which an interaction's weight has halved.
pub const HALF_LIFE_DAYS: f64 = 180.0;
/// Share of an interaction's weight that never fades.
pub const MEMORY_FLOOR: f64 = 0.05;
/// Evidence at which the score reaches 50.
pub const SATURATION: f64 = 12.0;
/// Highest score while every interaction so far was initiated by me.
pub const ONE_WAY_CAP: u8 = 40;
/// How much each interaction from them or mutual lifts the cap.
pub const CAP_STEP: u8 = 30;
/// Lowest score for suggested comfort 2, 3, 4 and 5.
pub const COMFORT_BANDS: [u8; 4] = [15, 35, 55, 75];
/// Highest suggested comfort before an in-depth interaction or several
/// conversations.
pub const GATED_COMFORT: u8 = 2;
/// Interactions of depth conversation or deeper that lift the gate.
pub const CONVERSATIONS_TO_UNGATE: usize = 3;
/// A rating this far above the suggestion is a mismatch (for ratings 4–5).
pub const MISMATCH_GAP: u8 = 2;
/// Below this score a contact is barely known: a rating of 4–5 is a mismatch.
pub const BARELY_KNOWN_BELOW: u8 = 15;
/// From this many days without contact, the reasons say so.
pub const NO_CONTACT_NOTE_AFTER_DAYS: i64 = 180;

/// One interaction as familiarity sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InteractionFacts {
    pub kind: InteractionKind,
    pub depth: Depth,
    pub initiated_by: Initiator,
    pub occurred_on: NaiveDate,
}

/// The derived "know" score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Familiarity {
    /// How well I know them, 0–100, derived from the interaction history
    /// (depth, frequency, recency with decay, reciprocity).
    #[cfg_attr(feature = "openapi", schema(maximum = 100, example = 7))]
    pub score: u8,
    /// The referral comfort (1–5) the history supports; at most 2 until
    /// there has been an in-depth interaction or three conversations.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5, example = 1))]
    pub suggested_comfort: u8,
    /// My rating (4 or 5) is well above what the history supports (see
    /// [`is_mismatch`]); shown, never changed for me.
    pub mismatch: bool,
    /// Plain-English sentences explaining the score, in a fixed order.
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = json!([
                "1 brief meeting at an event 3 weeks ago",
                "1 interaction was mutual"
            ])
        )
    )]
    pub reasons: Vec<String>,
}

/// The weight of one depth, from [`DEPTH_WEIGHTS`].
pub fn depth_weight(depth: Depth) -> f64 {
    match depth {
        Depth::Brief => DEPTH_WEIGHTS[0],
        Depth::Conversation => DEPTH_WEIGHTS[1],
        Depth::InDepth => DEPTH_WEIGHTS[2],
    }
}

/// 1 for a live kind, [`WRITTEN_FACTOR`] for a written one.
pub fn kind_factor(kind: InteractionKind) -> f64 {
    if kind.is_live() {
        1.0
    } else {
        WRITTEN_FACTOR
    }
}

/// Whole days from `occurred_on` to `today`; 0 for a date after today.
pub fn age_in_days(occurred_on: NaiveDate, today: NaiveDate) -> i64 {
    (today - occurred_on).num_days().max(0)
}

/// How much of its weight an interaction `age_days` old keeps:
/// `FLOOR + (1 − FLOOR) × 0.5^(age / HALF_LIFE)`.
pub fn decay(age_days: i64) -> f64 {
    let age = age_days.max(0) as f64;
    MEMORY_FLOOR + (1.0 - MEMORY_FLOOR) * 0.5_f64.powf(age / HALF_LIFE_DAYS)
}

/// The weight `w_i` of one interaction today.
pub fn weight(interaction: &InteractionFacts, today: NaiveDate) -> f64 {
    depth_weight(interaction.depth)
        * kind_factor(interaction.kind)
        * decay(age_in_days(interaction.occurred_on, today))
}

/// The evidence `E = Σ w_i`. The weights are summed smallest first, so the
/// result does not depend on the order of the interactions.
pub fn evidence(interactions: &[InteractionFacts], today: NaiveDate) -> f64 {
    let mut weights: Vec<f64> = interactions.iter().map(|i| weight(i, today)).collect();
    weights.sort_by(f64::total_cmp);
    weights.into_iter().sum()
}

/// The uncapped, unrounded score `100 × E / (E + K)`.
pub fn base_score(evidence: f64) -> f64 {
    if evidence <= 0.0 {
        0.0
    } else {
        100.0 * evidence / (evidence + SATURATION)
    }
}

/// The highest score `reciprocal` interactions (initiated by them or mutual)
/// allow: 40, 70, then 100.
pub fn reciprocity_cap(reciprocal: usize) -> u8 {
    let steps = reciprocal.min(usize::from(100 / CAP_STEP) + 1) as u16;
    (u16::from(ONE_WAY_CAP) + u16::from(CAP_STEP) * steps).min(100) as u8
}

/// The comfort a score supports before the depth gate, by [`COMFORT_BANDS`].
pub fn comfort_band(score: u8) -> u8 {
    1 + COMFORT_BANDS.iter().filter(|&&low| score >= low).count() as u8
}

/// Has there been an in-depth interaction, or enough conversations, to
/// suggest more than [`GATED_COMFORT`]?
pub fn depth_gate_open(interactions: &[InteractionFacts]) -> bool {
    interactions.iter().any(|i| i.depth == Depth::InDepth)
        || interactions
            .iter()
            .filter(|i| i.depth >= Depth::Conversation)
            .count()
            >= CONVERSATIONS_TO_UNGATE
}

/// Familiarity of one contact from its interaction history, as of `today`,
/// beside my own referral-comfort rating `comfort` (1–5, `None` = unrated).
///
/// See the [module documentation](self) for the formula and worked examples.
pub fn familiarity(
    interactions: &[InteractionFacts],
    today: NaiveDate,
    comfort: Option<u8>,
) -> Familiarity {
    if interactions.is_empty() {
        return Familiarity {
            score: 0,
            suggested_comfort: 1,
            mismatch: is_mismatch(comfort, 0, 1),
            reasons: vec!["no interactions logged yet".to_owned()],
        };
    }

    let base = base_score(evidence(interactions, today));
    let from_them = count_initiated(interactions, Initiator::Them);
    let mutual = count_initiated(interactions, Initiator::Mutual);
    let from_me = count_initiated(interactions, Initiator::Me);
    let reciprocal = from_them + mutual;
    let cap = reciprocity_cap(reciprocal);
    let score = base.min(f64::from(cap)).round().clamp(0.0, 100.0) as u8;

    let band = comfort_band(score);
    let gate_open = depth_gate_open(interactions);
    let suggested_comfort = if gate_open {
        band
    } else {
        band.min(GATED_COMFORT)
    };

    let mut reasons = interaction_reasons(interactions, today);
    if reciprocal == 0 {
        reasons.push(format!(
            "all contact so far was one-way (from you), so the score can't go above {ONE_WAY_CAP}"
        ));
    } else {
        if from_them > 0 {
            reasons.push(format!("they reached out {}", times(from_them)));
        }
        if mutual > 0 {
            reasons.push(format!(
                "{} {} mutual",
                count_of(mutual, "interaction", "interactions"),
                if mutual == 1 { "was" } else { "were" }
            ));
        }
        if from_me > 0 {
            reasons.push(format!("you reached out {}", times(from_me)));
        }
        if cap < 100 && base > f64::from(cap) {
            reasons.push(format!(
                "only {} from them or mutual so far, which caps the score at {cap}",
                count_of(reciprocal, "interaction was", "interactions were")
            ));
        }
    }
    let last_contact = interactions
        .iter()
        .map(|i| age_in_days(i.occurred_on, today))
        .min()
        .unwrap_or(0);
    if last_contact >= NO_CONTACT_NOTE_AFTER_DAYS {
        reasons.push(format!("no contact for {}", duration(last_contact)));
    }
    if !gate_open && band > GATED_COMFORT {
        reasons.push(format!(
            "suggested comfort stays at {GATED_COMFORT} until there has been an in-depth \
             interaction or at least {CONVERSATIONS_TO_UNGATE} conversations"
        ));
    }

    Familiarity {
        score,
        suggested_comfort,
        mismatch: is_mismatch(comfort, score, suggested_comfort),
        reasons,
    }
}

/// Is my rating `comfort` well above what the history supports?
///
/// Only ratings of 4 ("would refer with confidence") and 5 ("would vouch
/// personally") are flagged, when the rating is at least [`MISMATCH_GAP`] (2)
/// above `suggested`, or when `score` is below [`BARELY_KNOWN_BELOW`] (15).
/// For a score and suggestion computed together by [`familiarity`] the second
/// clause already follows from the first; it keeps the rule right for a
/// caller that pairs a score with a suggestion from elsewhere. Unrated
/// (`None`) is never a mismatch, and neither is a rating below the
/// suggestion.
///
/// ```
/// use rapport_core::familiarity::is_mismatch;
///
/// assert!(is_mismatch(Some(5), 7, 1)); // vouching for someone met once
/// assert!(is_mismatch(Some(4), 60, 2)); // well known, but only briefly
/// assert!(!is_mismatch(Some(4), 41, 3));
/// assert!(!is_mismatch(Some(3), 0, 1));
/// assert!(!is_mismatch(None, 0, 1));
/// ```
pub fn is_mismatch(comfort: Option<u8>, score: u8, suggested: u8) -> bool {
    match comfort {
        None => false,
        Some(rating) => {
            rating >= 4
                && (rating >= suggested.saturating_add(MISMATCH_GAP) || score < BARELY_KNOWN_BELOW)
        }
    }
}

fn count_initiated(interactions: &[InteractionFacts], who: Initiator) -> usize {
    interactions
        .iter()
        .filter(|i| i.initiated_by == who)
        .count()
}

/// One sentence per (depth, kind), deepest first, then in the order of
/// [`InteractionKind::ALL`].
fn interaction_reasons(interactions: &[InteractionFacts], today: NaiveDate) -> Vec<String> {
    let mut reasons = Vec::new();
    for depth in [Depth::InDepth, Depth::Conversation, Depth::Brief] {
        for kind in InteractionKind::ALL {
            let ages: Vec<i64> = interactions
                .iter()
                .filter(|i| i.depth == depth && i.kind == kind)
                .map(|i| age_in_days(i.occurred_on, today))
                .collect();
            let Some(&latest) = ages.iter().min() else {
                continue;
            };
            let adjective = match depth {
                Depth::Brief => "brief ",
                Depth::Conversation => "",
                Depth::InDepth => "in-depth ",
            };
            let (one, many) = kind_nouns(kind);
            reasons.push(if ages.len() == 1 {
                format!("1 {adjective}{one} {}", ago(latest))
            } else {
                format!(
                    "{} {adjective}{many}, most recent {}",
                    ages.len(),
                    ago(latest)
                )
            });
        }
    }
    reasons
}

fn kind_nouns(kind: InteractionKind) -> (&'static str, &'static str) {
    match kind {
        InteractionKind::MetAtEvent => ("meeting at an event", "meetings at events"),
        InteractionKind::Meeting => ("meeting", "meetings"),
        InteractionKind::CoffeeOrLunch => ("coffee or lunch", "coffees or lunches"),
        InteractionKind::Call => ("call", "calls"),
        InteractionKind::VideoCall => ("video call", "video calls"),
        InteractionKind::Email => ("email", "emails"),
        InteractionKind::Message => ("message", "messages"),
        InteractionKind::SharedArticle => ("shared article", "shared articles"),
        InteractionKind::Introduction => ("introduction", "introductions"),
        InteractionKind::Referral => ("referral", "referrals"),
        InteractionKind::Other => ("other interaction", "other interactions"),
    }
}

fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn times(n: usize) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// "today", "yesterday", "5 days ago", "3 weeks ago", "14 months ago",
/// "3 years ago".
fn ago(days: i64) -> String {
    match days {
        0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        days => format!("{} ago", duration(days)),
    }
}

/// Days below two weeks, weeks below 60 days, 30-day months below two years,
/// then 365-day years.
fn duration(days: i64) -> String {
    let days = usize::try_from(days.max(0)).unwrap_or(usize::MAX);
    if days < 14 {
        count_of(days, "day", "days")
    } else if days < 60 {
        count_of(days / 7, "week", "weeks")
    } else if days < 730 {
        count_of(days / 30, "month", "months")
    } else {
        count_of(days / 365, "year", "years")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn days_ago(days: u64) -> NaiveDate {
        today() - Days::new(days)
    }

    fn fact(kind: InteractionKind, depth: Depth, by: Initiator, days: u64) -> InteractionFacts {
        InteractionFacts {
            kind,
            depth,
            initiated_by: by,
            occurred_on: days_ago(days),
        }
    }

    fn score(history: &[InteractionFacts]) -> u8 {
        familiarity(history, today(), None).score
    }

    // ---- The worked examples of docs/familiarity.md and the module docs ----

    struct Example {
        title: &'static str,
        history: Vec<InteractionFacts>,
        when: NaiveDate,
        score: u8,
        suggested: u8,
    }

    fn examples() -> Vec<Example> {
        use Depth::*;
        use Initiator::*;
        use InteractionKind::*;
        let monthly_calls = |last: u64| -> Vec<_> {
            (0..24)
                .map(|n| fact(Call, Conversation, Mutual, last + 30 * n))
                .collect()
        };
        vec![
            Example {
                title: "met once briefly at an event 3 weeks ago",
                history: vec![fact(MetAtEvent, Brief, Mutual, 21)],
                when: today(),
                score: 7,
                suggested: 1,
            },
            Example {
                title: "coffee in depth last week + 3 emails both ways",
                history: vec![
                    fact(CoffeeOrLunch, InDepth, Mutual, 7),
                    fact(Email, Conversation, Them, 6),
                    fact(Email, Conversation, Me, 5),
                    fact(Email, Conversation, Them, 4),
                ],
                when: today(),
                score: 50,
                suggested: 3,
            },
            Example {
                title: "10 emails from me, never answered",
                history: (0..10)
                    .map(|n| fact(Email, Brief, Me, 3 + 14 * n))
                    .collect(),
                when: today(),
                score: 25,
                suggested: 2,
            },
            Example {
                title: "close colleague, monthly calls for two years, last one 14 months ago",
                history: monthly_calls(426),
                when: today(),
                score: 41,
                suggested: 3,
            },
            Example {
                title: "the same colleague on the day of the last call",
                history: monthly_calls(426),
                when: days_ago(426),
                score: 70,
                suggested: 4,
            },
            Example {
                title: "20 quick messages from me in the last 20 days, no reply",
                history: (0..20).map(|n| fact(Message, Brief, Me, n)).collect(),
                when: today(),
                score: 40,
                suggested: 2,
            },
        ]
    }

    /// The table row both docs show for an example, computed here.
    fn table_row(number: usize, example: &Example) -> String {
        let e = evidence(&example.history, example.when);
        let reciprocal = example
            .history
            .iter()
            .filter(|i| i.initiated_by != Initiator::Me)
            .count();
        let know = familiarity(&example.history, example.when, None);
        format!(
            "| {number} | {} | {e:.3} | {:.2} | {} | {} | {} |",
            example.title,
            base_score(e),
            reciprocity_cap(reciprocal),
            know.score,
            know.suggested_comfort
        )
    }

    #[test]
    fn every_documented_example_scores_what_the_docs_say() {
        for example in examples() {
            let know = familiarity(&example.history, example.when, None);
            assert_eq!(
                (know.score, know.suggested_comfort),
                (example.score, example.suggested),
                "{}",
                example.title
            );
        }
    }

    #[test]
    fn the_docs_show_the_table_the_code_computes() {
        let guide = include_str!("../../../docs/familiarity.md");
        let rustdoc = include_str!("familiarity.rs");
        let rows: Vec<String> = examples()
            .iter()
            .enumerate()
            .map(|(n, example)| table_row(n + 1, example))
            .collect();
        let table = rows.join("\n");
        for row in &rows {
            assert!(
                guide.contains(row.as_str()),
                "docs/familiarity.md lacks the row\n{row}\nThe table is:\n{table}"
            );
            assert!(
                rustdoc.contains(&format!("//! {row}")),
                "the module docs lack the row\n{row}\nThe table is:\n{table}"
            );
        }
    }

    #[test]
    fn the_docs_show_the_weights_the_code_computes() {
        let guide = include_str!("../../../docs/familiarity.md");
        let rustdoc = include_str!("familiarity.rs");
        let ex = &examples()[1].history;
        let weights: Vec<String> = ex
            .iter()
            .map(|i| format!("{:.3}", weight(i, today())))
            .collect();
        assert_eq!(weights, ["7.798", "1.467", "1.473", "1.478"]);
        let single = format!("{:.3}", weight(&examples()[0].history[0], today()));
        assert_eq!(single, "0.926");
        for text in [guide, rustdoc] {
            for w in weights.iter().chain([&single]) {
                assert!(text.contains(w.as_str()), "the docs lack the weight {w}");
            }
        }
    }

    #[test]
    fn met_once_briefly_three_weeks_ago_is_barely_known() {
        let know = familiarity(&examples()[0].history, today(), Some(4));
        assert_eq!(know.score, 7);
        assert_eq!(know.suggested_comfort, 1);
        assert!(know.mismatch);
        assert_eq!(
            know.reasons,
            [
                "1 brief meeting at an event 3 weeks ago",
                "1 interaction was mutual"
            ]
        );
    }

    #[test]
    fn an_in_depth_coffee_and_three_emails_both_ways_support_an_introduction() {
        let know = familiarity(&examples()[1].history, today(), Some(3));
        assert_eq!((know.score, know.suggested_comfort), (50, 3));
        assert!(!know.mismatch);
        assert_eq!(
            know.reasons,
            [
                "1 in-depth coffee or lunch 7 days ago",
                "3 emails, most recent 4 days ago",
                "they reached out twice",
                "1 interaction was mutual",
                "you reached out once",
            ]
        );
    }

    #[test]
    fn ten_unanswered_emails_say_the_contact_was_one_way() {
        let know = familiarity(&examples()[2].history, today(), None);
        assert_eq!((know.score, know.suggested_comfort), (25, 2));
        assert_eq!(
            know.reasons,
            [
                "10 brief emails, most recent 3 days ago",
                "all contact so far was one-way (from you), so the score can't go above 40",
            ]
        );
    }

    #[test]
    fn a_close_colleague_fades_after_fourteen_months_without_contact() {
        let know = familiarity(&examples()[3].history, today(), Some(4));
        assert_eq!((know.score, know.suggested_comfort), (41, 3));
        assert!(!know.mismatch);
        assert_eq!(
            know.reasons,
            [
                "24 calls, most recent 14 months ago",
                "24 interactions were mutual",
                "no contact for 14 months",
            ]
        );
        let then = familiarity(&examples()[4].history, days_ago(426), None);
        assert_eq!((then.score, then.suggested_comfort), (70, 4));
        assert_eq!(
            then.reasons,
            ["24 calls, most recent today", "24 interactions were mutual"]
        );
    }

    #[test]
    fn many_brief_one_way_messages_hit_both_the_one_way_cap_and_the_depth_gate() {
        let history = &examples()[5].history;
        assert!(base_score(evidence(history, today())) > 40.0);
        let know = familiarity(history, today(), None);
        assert_eq!((know.score, know.suggested_comfort), (40, 2));
        assert_eq!(comfort_band(know.score), 3);
        assert_eq!(
            know.reasons,
            [
                "20 brief messages, most recent today",
                "all contact so far was one-way (from you), so the score can't go above 40",
                "suggested comfort stays at 2 until there has been an in-depth interaction \
                 or at least 3 conversations",
            ]
        );
    }

    // ---- Plain rules ----

    #[test]
    fn no_interactions_score_zero_and_suggest_comfort_one() {
        let know = familiarity(&[], today(), None);
        assert_eq!(know.score, 0);
        assert_eq!(know.suggested_comfort, 1);
        assert!(!know.mismatch);
        assert_eq!(know.reasons, ["no interactions logged yet"]);
        assert!(!familiarity(&[], today(), Some(3)).mismatch);
        assert!(familiarity(&[], today(), Some(5)).mismatch);
    }

    #[test]
    fn interactions_dated_after_today_count_as_today() {
        use InteractionKind::*;
        let now = fact(Call, Depth::Conversation, Initiator::Them, 0);
        let later = InteractionFacts {
            occurred_on: today() + Days::new(10),
            ..now
        };
        assert_eq!(
            familiarity(&[later], today(), None),
            familiarity(&[now], today(), None)
        );
    }

    #[test]
    fn live_interactions_weigh_more_than_written_ones() {
        let call = fact(
            InteractionKind::Call,
            Depth::Conversation,
            Initiator::Them,
            3,
        );
        let email = InteractionFacts {
            kind: InteractionKind::Email,
            ..call
        };
        assert!(score(&[call]) > score(&[email]));
        assert_eq!(weight(&call, today()), 2.0 * weight(&email, today()));
    }

    #[test]
    fn an_interaction_loses_half_its_fading_weight_every_half_life() {
        assert_eq!(decay(0), 1.0);
        assert!((decay(180) - (0.05 + 0.95 / 2.0)).abs() < 1e-12);
        assert!((decay(360) - (0.05 + 0.95 / 4.0)).abs() < 1e-12);
        assert!((decay(100_000) - MEMORY_FLOOR).abs() < 1e-12);
    }

    #[test]
    fn one_way_contact_alone_stays_at_forty_however_much_there_is() {
        let history: Vec<_> = (0..1000)
            .map(|_| fact(InteractionKind::Meeting, Depth::InDepth, Initiator::Me, 0))
            .collect();
        let know = familiarity(&history, today(), None);
        assert_eq!(know.score, 40);
        assert_eq!(know.suggested_comfort, 3);
    }

    #[test]
    fn each_reply_lifts_the_cap_until_two_lift_it_entirely() {
        assert_eq!(reciprocity_cap(0), 40);
        assert_eq!(reciprocity_cap(1), 70);
        assert_eq!(reciprocity_cap(2), 100);
        assert_eq!(reciprocity_cap(usize::MAX), 100);
        let mut history: Vec<_> = (0..50)
            .map(|_| fact(InteractionKind::Meeting, Depth::InDepth, Initiator::Me, 0))
            .collect();
        history.push(fact(
            InteractionKind::Email,
            Depth::Brief,
            Initiator::Them,
            0,
        ));
        let know = familiarity(&history, today(), None);
        assert_eq!(know.score, 70);
        assert!(know.reasons.contains(
            &"only 1 interaction was from them or mutual so far, which caps the score at 70"
                .to_owned()
        ));
        history.push(fact(
            InteractionKind::Email,
            Depth::Brief,
            Initiator::Mutual,
            0,
        ));
        assert!(score(&history) > 70);
    }

    #[test]
    fn three_conversations_lift_the_suggestion_above_two_but_two_do_not() {
        let call = fact(
            InteractionKind::Call,
            Depth::Conversation,
            Initiator::Mutual,
            0,
        );
        let mut history: Vec<_> = (0..40)
            .map(|_| fact(InteractionKind::Meeting, Depth::Brief, Initiator::Mutual, 0))
            .collect();
        history.extend([call, call]);
        let know = familiarity(&history, today(), None);
        assert_eq!(comfort_band(know.score), 5);
        assert_eq!(know.suggested_comfort, 2);
        history.push(call);
        assert_eq!(familiarity(&history, today(), None).suggested_comfort, 5);
    }

    #[test]
    fn one_in_depth_interaction_lifts_the_gate() {
        let history = [
            fact(
                InteractionKind::CoffeeOrLunch,
                Depth::InDepth,
                Initiator::Mutual,
                0,
            ),
            fact(
                InteractionKind::CoffeeOrLunch,
                Depth::Brief,
                Initiator::Mutual,
                0,
            ),
        ];
        let know = familiarity(&history, today(), None);
        assert_eq!((know.score, know.suggested_comfort), (43, 3));
    }

    #[test]
    fn suggested_comfort_follows_the_documented_bands() {
        let bands: Vec<u8> = [0, 14, 15, 34, 35, 54, 55, 74, 75, 100]
            .into_iter()
            .map(comfort_band)
            .collect();
        assert_eq!(bands, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    }

    // ---- Reasons ----

    #[test]
    fn reasons_use_singular_and_plural_correctly() {
        use InteractionKind::*;
        let history = [
            fact(Email, Depth::Brief, Initiator::Them, 1),
            fact(Call, Depth::Conversation, Initiator::Me, 1),
            fact(Call, Depth::Conversation, Initiator::Me, 8),
        ];
        assert_eq!(
            familiarity(&history, today(), None).reasons,
            [
                "2 calls, most recent yesterday",
                "1 brief email yesterday",
                "they reached out once",
                "you reached out twice",
                "suggested comfort stays at 2 until there has been an in-depth interaction \
                 or at least 3 conversations",
            ]
        );
        assert_eq!(ago(0), "today");
        assert_eq!(ago(1), "yesterday");
        assert_eq!(ago(2), "2 days ago");
        assert_eq!(ago(12), "12 days ago");
        assert_eq!(ago(14), "2 weeks ago");
        assert_eq!(ago(59), "8 weeks ago");
        assert_eq!(ago(60), "2 months ago");
        assert_eq!(ago(426), "14 months ago");
        assert_eq!(ago(730), "2 years ago");
        assert_eq!(duration(1), "1 day");
        assert_eq!(times(3), "3 times");
    }

    #[test]
    fn reasons_come_deepest_first_then_in_kind_order_whatever_the_logging_order() {
        use InteractionKind::*;
        let mut history = vec![
            fact(Message, Depth::Brief, Initiator::Them, 2),
            fact(Email, Depth::Conversation, Initiator::Mutual, 40),
            fact(VideoCall, Depth::InDepth, Initiator::Them, 12),
            fact(Meeting, Depth::Conversation, Initiator::Me, 300),
            fact(Email, Depth::Conversation, Initiator::Them, 70),
        ];
        let expected = [
            "1 in-depth video call 12 days ago",
            "1 meeting 10 months ago",
            "2 emails, most recent 5 weeks ago",
            "1 brief message 2 days ago",
            "they reached out 3 times",
            "1 interaction was mutual",
            "you reached out once",
        ];
        assert_eq!(familiarity(&history, today(), None).reasons, expected);
        history.reverse();
        assert_eq!(familiarity(&history, today(), None).reasons, expected);
    }

    #[test]
    fn a_long_silence_is_named() {
        let history = [fact(
            InteractionKind::Meeting,
            Depth::InDepth,
            Initiator::Them,
            3 * 365,
        )];
        let know = familiarity(&history, today(), None);
        assert_eq!(
            know.reasons,
            [
                "1 in-depth meeting 3 years ago",
                "they reached out once",
                "no contact for 3 years"
            ]
        );
        let recent = [fact(
            InteractionKind::Meeting,
            Depth::InDepth,
            Initiator::Them,
            179,
        )];
        assert!(!familiarity(&recent, today(), None)
            .reasons
            .iter()
            .any(|r| r.starts_with("no contact")));
    }

    // ---- Mismatch ----

    #[test]
    fn unrated_is_never_a_mismatch() {
        for score in [0, 10, 50, 100] {
            for suggested in 1..=5 {
                assert!(!is_mismatch(None, score, suggested));
            }
        }
    }

    #[test]
    fn vouching_for_someone_met_once_is_a_mismatch() {
        let met_once = [fact(
            InteractionKind::MetAtEvent,
            Depth::Brief,
            Initiator::Mutual,
            2,
        )];
        assert!(familiarity(&met_once, today(), Some(5)).mismatch);
        assert!(familiarity(&met_once, today(), Some(4)).mismatch);
        assert!(!familiarity(&met_once, today(), Some(3)).mismatch);
        assert!(!familiarity(&met_once, today(), Some(1)).mismatch);
    }

    #[test]
    fn a_rating_two_above_the_suggestion_is_a_mismatch_only_for_four_and_five() {
        assert!(is_mismatch(Some(4), 60, 2));
        assert!(is_mismatch(Some(5), 45, 3));
        assert!(!is_mismatch(Some(4), 41, 3));
        assert!(!is_mismatch(Some(5), 60, 4));
        assert!(!is_mismatch(Some(3), 5, 1));
        assert!(!is_mismatch(Some(1), 100, 5));
    }

    #[test]
    fn a_high_rating_on_a_barely_known_score_is_a_mismatch_whatever_the_suggestion() {
        assert!(is_mismatch(Some(4), 14, 4));
        assert!(!is_mismatch(Some(4), 15, 3));
    }

    // ---- Properties over random histories ----

    fn any_kind() -> impl Strategy<Value = InteractionKind> {
        prop::sample::select(InteractionKind::ALL.to_vec())
    }

    fn any_depth() -> impl Strategy<Value = Depth> {
        prop::sample::select(vec![Depth::Brief, Depth::Conversation, Depth::InDepth])
    }

    fn any_initiator() -> impl Strategy<Value = Initiator> {
        prop::sample::select(vec![Initiator::Me, Initiator::Them, Initiator::Mutual])
    }

    /// An interaction up to 30 years before today, or up to 30 days after.
    fn any_interaction() -> impl Strategy<Value = InteractionFacts> {
        (any_kind(), any_depth(), any_initiator(), -30i64..=11_000).prop_map(
            |(kind, depth, initiated_by, age)| InteractionFacts {
                kind,
                depth,
                initiated_by,
                occurred_on: today() - chrono::Duration::days(age),
            },
        )
    }

    /// Mostly recent, sometimes long histories.
    fn any_history() -> impl Strategy<Value = Vec<InteractionFacts>> {
        prop::collection::vec(any_interaction(), 0..60)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn another_interaction_never_lowers_the_score(
            history in any_history(),
            extra in any_interaction(),
            at in any::<prop::sample::Index>(),
            comfort in prop::option::of(1u8..=5),
        ) {
            let before = familiarity(&history, today(), comfort);
            let mut more = history.clone();
            more.insert(at.index(history.len() + 1), extra);
            let after = familiarity(&more, today(), comfort);
            prop_assert!(after.score >= before.score, "{} < {}", after.score, before.score);
            prop_assert!(after.suggested_comfort >= before.suggested_comfort);
        }

        #[test]
        fn the_passing_of_time_never_raises_the_score(
            history in any_history(),
            later in 0u64..5_000,
            step in 1u64..400,
        ) {
            let now = familiarity(&history, today(), None);
            let then = today() + Days::new(later);
            let at_then = familiarity(&history, then, None);
            let after_then = familiarity(&history, then + Days::new(step), None);
            prop_assert!(at_then.score <= now.score);
            prop_assert!(after_then.score <= at_then.score);
            prop_assert!(at_then.suggested_comfort <= now.suggested_comfort);
        }

        #[test]
        fn a_deeper_interaction_never_lowers_the_score(
            history in prop::collection::vec(any_interaction(), 1..60),
            at in any::<prop::sample::Index>(),
            deeper in any_depth(),
        ) {
            let i = at.index(history.len());
            let mut deepened = history.clone();
            deepened[i].depth = deepened[i].depth.max(deeper);
            let before = familiarity(&history, today(), None);
            let after = familiarity(&deepened, today(), None);
            prop_assert!(after.score >= before.score);
            prop_assert!(after.suggested_comfort >= before.suggested_comfort);
        }

        #[test]
        fn one_in_depth_interaction_scores_strictly_more_than_one_brief_one_on_the_same_day(
            interaction in any_interaction(),
        ) {
            let brief = InteractionFacts { depth: Depth::Brief, ..interaction };
            let in_depth = InteractionFacts { depth: Depth::InDepth, ..interaction };
            prop_assert!(score(&[in_depth]) > score(&[brief]));
        }

        #[test]
        fn one_way_contact_alone_never_scores_above_forty(
            history in prop::collection::vec(any_interaction(), 0..200),
        ) {
            let one_way: Vec<_> = history
                .into_iter()
                .map(|i| InteractionFacts { initiated_by: Initiator::Me, ..i })
                .collect();
            let know = familiarity(&one_way, today(), None);
            prop_assert!(know.score <= ONE_WAY_CAP);
            if !one_way.is_empty() {
                prop_assert!(know.reasons.iter().any(|r| r.starts_with("all contact so far was one-way")));
            }
        }

        #[test]
        fn suggested_comfort_stays_at_two_until_an_in_depth_interaction_or_three_conversations(
            history in any_history(),
        ) {
            let in_depth = history.iter().any(|i| i.depth == Depth::InDepth);
            let conversations = history.iter().filter(|i| i.depth >= Depth::Conversation).count();
            if !in_depth && conversations < 3 {
                prop_assert!(familiarity(&history, today(), None).suggested_comfort <= 2);
            }
        }

        #[test]
        fn the_score_stays_within_0_to_100_and_the_suggestion_within_1_to_5(
            history in any_history(),
            comfort in prop::option::of(1u8..=5),
        ) {
            let know = familiarity(&history, today(), comfort);
            prop_assert!(know.score <= 100);
            prop_assert!((1..=5).contains(&know.suggested_comfort));
            prop_assert!(!know.reasons.is_empty());
            if comfort.is_none() {
                prop_assert!(!know.mismatch);
            }
            if history.is_empty() {
                prop_assert_eq!((know.score, know.suggested_comfort), (0, 1));
            }
        }

        #[test]
        fn the_order_of_interactions_changes_nothing(
            history in any_history(),
            comfort in prop::option::of(1u8..=5),
        ) {
            let mut reversed = history.clone();
            reversed.reverse();
            prop_assert_eq!(
                familiarity(&history, today(), comfort),
                familiarity(&reversed, today(), comfort)
            );
        }
    }
}
