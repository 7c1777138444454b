//! Introductions: I introduce contact A to contact B, with a reason. Double
//! opt-in — I propose it, ask both, and make it once both agreed — and a
//! guardrail: my word is behind both people, so introducing someone I would
//! not introduce with context (comfort below 3, or unrated) needs an explicit
//! confirmation after seeing both ratings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::network::REASON_MAX;
use crate::validate::{multiline_text, FieldErrors, Validate};

/// The comfort ("would introduce with context") both people need before an
/// introduction goes ahead without a confirmation.
pub const COMFORT_TO_INTRODUCE: u8 = 3;

/// Where an introduction stands: `proposed` (my idea so far; nobody has
/// been asked) → `asked` (I asked both whether they are open to it) →
/// `agreed` (both said yes) → `made` (I introduced them); until it is made
/// it can become `declined` (one of them said no, or I dropped it). `made`
/// and `declined` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntroductionStatus {
    /// My idea so far; nobody has been asked.
    Proposed,
    /// I asked both whether they are open to it.
    Asked,
    /// Both said yes.
    Agreed,
    /// I introduced them.
    Made,
    /// One of them said no, or I dropped it.
    Declined,
}

impl IntroductionStatus {
    pub const ALL: [IntroductionStatus; 5] = [
        IntroductionStatus::Proposed,
        IntroductionStatus::Asked,
        IntroductionStatus::Agreed,
        IntroductionStatus::Made,
        IntroductionStatus::Declined,
    ];

    /// Not made or declined yet: something is still to be done.
    pub const WAITING: [IntroductionStatus; 3] = [
        IntroductionStatus::Proposed,
        IntroductionStatus::Asked,
        IntroductionStatus::Agreed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IntroductionStatus::Proposed => "proposed",
            IntroductionStatus::Asked => "asked",
            IntroductionStatus::Agreed => "agreed",
            IntroductionStatus::Made => "made",
            IntroductionStatus::Declined => "declined",
        }
    }

    pub fn parse(value: &str) -> Option<IntroductionStatus> {
        IntroductionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
    }

    /// Double opt-in: proposed → asked → agreed → made; until it is made,
    /// it can be declined. Made and declined are final.
    pub fn allowed_next(self) -> &'static [IntroductionStatus] {
        use IntroductionStatus::*;
        match self {
            Proposed => &[Asked, Declined],
            Asked => &[Agreed, Declined],
            Agreed => &[Made, Declined],
            Made | Declined => &[],
        }
    }

    pub fn can_become(self, next: IntroductionStatus) -> bool {
        self.allowed_next().contains(&next)
    }

    pub fn is_waiting(self) -> bool {
        IntroductionStatus::WAITING.contains(&self)
    }
}

/// How a made introduction turned out: `positive`, `neutral` or
/// `negative`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntroductionOutcome {
    /// It went well for both.
    Positive,
    /// Nothing much came of it.
    Neutral,
    /// It went badly.
    Negative,
}

impl IntroductionOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            IntroductionOutcome::Positive => "positive",
            IntroductionOutcome::Neutral => "neutral",
            IntroductionOutcome::Negative => "negative",
        }
    }

    pub fn parse(value: &str) -> Option<IntroductionOutcome> {
        [
            IntroductionOutcome::Positive,
            IntroductionOutcome::Neutral,
            IntroductionOutcome::Negative,
        ]
        .into_iter()
        .find(|o| o.as_str() == value)
    }
}

/// `POST /introductions`: propose introducing two of my contacts to each
/// other. Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewIntroduction {
    /// The id of one of my contacts (someone else's contact, or an unknown
    /// id, is a 422).
    pub contact_a: Uuid,
    /// The id of another of my contacts, introduced to `contact_a`: it must
    /// differ from `contact_a` (the same id twice is a 422).
    pub contact_b: Uuid,
    /// Why they should meet: 1 to 2000 characters once surrounding
    /// whitespace is trimmed; line breaks and tabs are fine, other control
    /// characters are refused. Only whitespace is refused. Stored trimmed.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]{0,1998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "Both are building compilers in Rust and looking for a co-maintainer."
        )
    )]
    pub reason: String,
    /// Go ahead although my comfort for either is below 3 or unrated
    /// (default false: such a request is answered 409
    /// `comfort_below_threshold` with both ratings).
    #[serde(default)]
    pub confirm_low_comfort: bool,
}

impl Validate for NewIntroduction {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.contact_a == self.contact_b {
            errors.add(
                "contact_b",
                "must be a different contact from contact_a: introduce two people to each other",
            );
        }
        check_reason(&mut errors, &self.reason);
        errors.into_result()
    }
}

impl NewIntroduction {
    pub fn normalize(mut self) -> Self {
        self.reason = self.reason.trim().to_owned();
        self
    }
}

fn check_reason(errors: &mut FieldErrors, reason: &str) {
    let reason = reason.trim();
    if reason.is_empty() {
        errors.add(
            "reason",
            "is required: say why these two should meet (both will want to know)",
        );
    } else {
        errors.check("reason", multiline_text(reason, REASON_MAX));
    }
}

/// `PATCH /introductions/{id}`: a field left out stays as it is. Unknown
/// fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntroductionPatch {
    /// The next step, one of the introduction's `allowed_next` (another
    /// step is a 409); the current status again is no step. `null`: no
    /// change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IntroductionStatus>,
    /// How it turned out, once it is made (or made by this same patch);
    /// before that, a new outcome is a 409. `null` clears it.
    #[serde(
        default,
        deserialize_with = "crate::contact::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<IntroductionOutcome>))]
    pub outcome: Option<Option<IntroductionOutcome>>,
    /// A new reason: 1 to 2000 characters once surrounding whitespace is
    /// trimmed; line breaks and tabs are fine, other control characters are
    /// refused. Only whitespace is refused. `null`: no change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]{0,1998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "Both are hiring Rust engineers."
        )
    )]
    pub reason: Option<String>,
}

impl Validate for IntroductionPatch {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(reason) = &self.reason {
            check_reason(&mut errors, reason);
        }
        errors.into_result()
    }
}

/// What a patch changes, once it has been checked against the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroductionUpdate {
    pub status: IntroductionStatus,
    pub outcome: Option<IntroductionOutcome>,
    pub reason: String,
}

/// A patch the flow does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntroductionConflict {
    /// `to` is not a next step from `from`.
    IllegalStep {
        from: IntroductionStatus,
        to: IntroductionStatus,
    },
    /// An outcome is for introductions that were made.
    OutcomeBeforeMade { status: IntroductionStatus },
}

impl IntroductionConflict {
    /// The status the introduction is in.
    pub fn from(self) -> IntroductionStatus {
        match self {
            IntroductionConflict::IllegalStep { from, .. } => from,
            IntroductionConflict::OutcomeBeforeMade { status } => status,
        }
    }
}

impl IntroductionPatch {
    /// Applies the patch to an introduction's current state. Sending the
    /// current status again is no step at all, so a client may send the
    /// whole object back.
    pub fn apply(self, current: &Introduction) -> Result<IntroductionUpdate, IntroductionConflict> {
        let status = match self.status {
            Some(next) if next != current.status => {
                if !current.status.can_become(next) {
                    return Err(IntroductionConflict::IllegalStep {
                        from: current.status,
                        to: next,
                    });
                }
                next
            }
            _ => current.status,
        };
        let outcome = match self.outcome {
            None => current.outcome,
            Some(outcome) if outcome == current.outcome => outcome,
            Some(outcome) => {
                if status != IntroductionStatus::Made {
                    return Err(IntroductionConflict::OutcomeBeforeMade { status });
                }
                outcome
            }
        };
        Ok(IntroductionUpdate {
            status,
            outcome,
            reason: self
                .reason
                .map(|r| r.trim().to_owned())
                .unwrap_or_else(|| current.reason.clone()),
        })
    }
}

/// One side of an introduction, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntroductionParty {
    /// The contact's id.
    pub id: Uuid,
    /// The contact's name.
    #[cfg_attr(feature = "openapi", schema(example = "Ada Lovelace"))]
    pub name: String,
    /// The company they work for; null when unknown.
    #[cfg_attr(feature = "openapi", schema(example = "Analytical Engines Ltd"))]
    pub company: Option<String>,
    /// My current referral comfort, 1 to 5, or null when unrated.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5, example = 4))]
    pub comfort: Option<u8>,
}

/// An introduction of two of my contacts, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Introduction {
    /// The introduction's id.
    pub id: Uuid,
    /// The first person, with my current comfort for them.
    pub contact_a: IntroductionParty,
    /// The second person, introduced to the first.
    pub contact_b: IntroductionParty,
    /// Why they should meet.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Both are building compilers in Rust and looking for a co-maintainer.")
    )]
    pub reason: String,
    /// Where it stands in the double opt-in flow.
    pub status: IntroductionStatus,
    /// How it turned out; set once the introduction is made, else null.
    pub outcome: Option<IntroductionOutcome>,
    /// When the status last changed (RFC 3339, UTC).
    pub status_changed_at: DateTime<Utc>,
    /// The statuses it can move to next (empty once made or declined).
    #[cfg_attr(feature = "openapi", schema(example = json!(["asked", "declined"])))]
    pub allowed_next: Vec<IntroductionStatus>,
    /// Changes with every write; sent as the `ETag` (send it back in
    /// `If-Match` to update).
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub version: i64,
    /// When it was proposed (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

/// Is either comfort below [`COMFORT_TO_INTRODUCE`] (unrated counts as below)?
pub fn needs_confirmation(comfort_a: Option<u8>, comfort_b: Option<u8>) -> bool {
    [comfort_a, comfort_b]
        .into_iter()
        .any(|c| c.unwrap_or(0) < COMFORT_TO_INTRODUCE)
}

/// The `details` of a `comfort_below_threshold` problem: both ratings, so
/// that the person sees them before confirming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LowComfort {
    /// The first person, with my comfort for them (null: unrated).
    pub contact_a: IntroductionParty,
    /// The second person, with my comfort for them (null: unrated).
    pub contact_b: IntroductionParty,
    /// The comfort both need for an introduction without confirmation:
    /// always 3 ("would introduce with context").
    #[cfg_attr(feature = "openapi", schema(example = 3))]
    pub threshold: u8,
}

impl LowComfort {
    pub fn new(contact_a: IntroductionParty, contact_b: IntroductionParty) -> Self {
        LowComfort {
            contact_a,
            contact_b,
            threshold: COMFORT_TO_INTRODUCE,
        }
    }

    /// What is low and what to do about it, in plain words.
    pub fn message(&self) -> String {
        let low: Vec<String> = [&self.contact_a, &self.contact_b]
            .into_iter()
            .filter(|p| p.comfort.unwrap_or(0) < self.threshold)
            .map(|p| match p.comfort {
                Some(rating) => format!("{} is rated {rating}", p.name),
                None => format!("{} is unrated", p.name),
            })
            .collect();
        format!(
            "An introduction puts your word behind both people, and you have not said you would \
             introduce {} with context (comfort {} or more): {}. Review both ratings (see `details`), \
             then rate them or send the request again with `confirm_low_comfort: true` to \
             introduce them anyway.",
            if low.len() == 1 { "one of them" } else { "either of them" },
            self.threshold,
            low.join(" and ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(name: &str, comfort: Option<u8>) -> IntroductionParty {
        IntroductionParty {
            id: Uuid::from_u128(1),
            name: name.into(),
            company: None,
            comfort,
        }
    }

    fn introduction(status: IntroductionStatus) -> Introduction {
        let now = Utc::now();
        Introduction {
            id: Uuid::from_u128(2),
            contact_a: party("Ada", Some(4)),
            contact_b: party("Bob", Some(3)),
            reason: "both build compilers".into(),
            status,
            outcome: None,
            status_changed_at: now,
            allowed_next: status.allowed_next().to_vec(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn the_flow_is_double_opt_in() {
        use IntroductionStatus::*;
        assert!(Proposed.can_become(Asked));
        assert!(Asked.can_become(Agreed));
        assert!(Agreed.can_become(Made));
        assert!(!Proposed.can_become(Made), "nobody agreed yet");
        assert!(!Asked.can_become(Made), "not both agreed yet");
        for status in [Proposed, Asked, Agreed] {
            assert!(status.can_become(Declined));
            assert!(status.is_waiting());
        }
        for status in IntroductionStatus::ALL {
            assert!(!status.can_become(status), "{status:?} to itself");
            assert_eq!(IntroductionStatus::parse(status.as_str()), Some(status));
        }
        assert!(Made.allowed_next().is_empty() && Declined.allowed_next().is_empty());
    }

    #[test]
    fn an_outcome_needs_a_made_introduction() {
        let positive = IntroductionPatch {
            outcome: Some(Some(IntroductionOutcome::Positive)),
            ..IntroductionPatch::default()
        };
        assert_eq!(
            positive
                .clone()
                .apply(&introduction(IntroductionStatus::Agreed)),
            Err(IntroductionConflict::OutcomeBeforeMade {
                status: IntroductionStatus::Agreed
            })
        );
        let made_now = IntroductionPatch {
            status: Some(IntroductionStatus::Made),
            ..positive.clone()
        };
        let update = made_now
            .apply(&introduction(IntroductionStatus::Agreed))
            .unwrap();
        assert_eq!(update.status, IntroductionStatus::Made);
        assert_eq!(update.outcome, Some(IntroductionOutcome::Positive));
        let later = positive
            .apply(&introduction(IntroductionStatus::Made))
            .unwrap();
        assert_eq!(later.outcome, Some(IntroductionOutcome::Positive));
    }

    #[test]
    fn patches_name_illegal_steps_and_tolerate_the_current_status() {
        let skip = IntroductionPatch {
            status: Some(IntroductionStatus::Made),
            ..IntroductionPatch::default()
        };
        assert_eq!(
            skip.apply(&introduction(IntroductionStatus::Proposed)),
            Err(IntroductionConflict::IllegalStep {
                from: IntroductionStatus::Proposed,
                to: IntroductionStatus::Made
            })
        );
        let same = IntroductionPatch {
            status: Some(IntroductionStatus::Asked),
            reason: Some("  a better reason ".into()),
            ..IntroductionPatch::default()
        };
        let update = same
            .apply(&introduction(IntroductionStatus::Asked))
            .unwrap();
        assert_eq!(update.status, IntroductionStatus::Asked);
        assert_eq!(update.reason, "a better reason");
    }

    #[test]
    fn a_reason_is_required_and_the_two_people_differ() {
        let id = Uuid::from_u128(3);
        let request = NewIntroduction {
            contact_a: id,
            contact_b: id,
            reason: "   ".into(),
            confirm_low_comfort: false,
        };
        let fields: Vec<String> = request
            .validate()
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["contact_b", "reason"]);
        let long = NewIntroduction {
            contact_a: id,
            contact_b: Uuid::from_u128(4),
            reason: "x".repeat(REASON_MAX + 1),
            confirm_low_comfort: false,
        };
        assert!(long.validate().is_err());
        let fine = NewIntroduction {
            reason: "x".repeat(REASON_MAX),
            ..long
        };
        assert!(fine.validate().is_ok());
    }

    #[test]
    fn the_guardrail_wants_three_on_both_sides() {
        assert!(!needs_confirmation(Some(3), Some(5)));
        assert!(needs_confirmation(Some(2), Some(5)));
        assert!(needs_confirmation(Some(4), None), "unrated counts as low");
        let low = LowComfort::new(party("Ada", Some(2)), party("Bob", None));
        let message = low.message();
        assert!(
            message.contains("Ada is rated 2") && message.contains("Bob is unrated"),
            "{message}"
        );
        assert!(message.contains("confirm_low_comfort"));
        let details = serde_json::to_value(&low).unwrap();
        assert_eq!(details["contact_a"]["comfort"], 2);
        assert_eq!(details["contact_b"]["comfort"], serde_json::Value::Null);
        assert_eq!(details["threshold"], 3);
    }
}
