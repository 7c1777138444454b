//! Invitation drafts: a short, warm note that asks first whether someone is
//! open to connecting, says where we met, and quotes the event's passphrase
//! as proof that we were both in the room.

use serde::{Deserialize, Serialize};

/// `GET /contacts/{id}/invitation-draft`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationDraft {
    /// The note, ready to edit and send: it asks first whether they are
    /// open to connecting, says where we met and, when the event has one,
    /// quotes its passphrase.
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "Hi Grace,\n\nIt was great to meet you at RustConf in Portland. I'd like to stay in touch: would you be open to connecting? If so, I'll send you an invitation; if not, no worries at all.\n\nP.S. To place me: we were both at \"RustConf\" — the passphrase was \"ferris\".\n\nBest,\nAda"
        )
    )]
    pub text: String,
    /// The passphrase of the event where we met; null when there is none.
    #[cfg_attr(feature = "openapi", schema(example = "ferris"))]
    pub passphrase: Option<String>,
    /// The name of the event where we met; null when we did not meet at one.
    #[cfg_attr(feature = "openapi", schema(example = "RustConf"))]
    pub event_name: Option<String>,
}

/// What the draft may mention. Private notes and "how we met" context are
/// deliberately not among them: they are mine, not the recipient's.
#[derive(Debug, Clone, Copy, Default)]
pub struct DraftFacts<'a> {
    pub contact_name: &'a str,
    /// Signs the note; blank: unsigned.
    pub my_name: &'a str,
    pub event_name: Option<&'a str>,
    pub passphrase: Option<&'a str>,
    /// Where we met (the first meeting's place, or else the event's).
    pub place: Option<&'a str>,
    /// The contact who introduced us.
    pub introduced_by: Option<&'a str>,
}

/// The first word of a name, or "there" when there is none.
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("there")
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

pub fn invitation_draft(facts: &DraftFacts<'_>) -> InvitationDraft {
    let event = present(facts.event_name);
    let place = present(facts.place);
    let introducer = present(facts.introduced_by).map(first_name);
    let passphrase = event.and(present(facts.passphrase));

    let met = match (event, place) {
        (Some(event), Some(place)) => Some(format!("at {event} in {place}")),
        (Some(event), None) => Some(format!("at {event}")),
        (None, Some(place)) => Some(format!("at {place}")),
        (None, None) => None,
    };
    let opening = match (met, introducer) {
        (Some(met), Some(by)) => {
            format!("It was great to meet you {met} — thanks to {by} for introducing us.")
        }
        (Some(met), None) => format!("It was great to meet you {met}."),
        (None, Some(by)) => format!("{by} introduced us, and I'm glad they did."),
        (None, None) => "I hope you're well.".to_owned(),
    };

    let mut text = format!(
        "Hi {},\n\n{opening} I'd like to stay in touch: would you be open to connecting? \
         If so, I'll send you an invitation; if not, no worries at all.",
        first_name(facts.contact_name)
    );
    if let (Some(event), Some(passphrase)) = (event, passphrase) {
        text.push_str(&format!(
            "\n\nP.S. To place me: we were both at \"{event}\" — the passphrase was \"{passphrase}\"."
        ));
    }
    match present(Some(facts.my_name)) {
        Some(me) => text.push_str(&format!("\n\nBest,\n{me}")),
        None => text.push_str("\n\nBest wishes"),
    }
    InvitationDraft {
        text,
        passphrase: passphrase.map(str::to_owned),
        event_name: event.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_met_at_an_event_with_a_passphrase_quotes_it() {
        let draft = invitation_draft(&DraftFacts {
            contact_name: "Grace Hopper",
            my_name: "Ada",
            event_name: Some("RustConf"),
            passphrase: Some("ferris"),
            place: Some("Portland"),
            introduced_by: None,
        });
        assert!(draft.text.starts_with("Hi Grace,"), "{}", draft.text);
        assert!(draft.text.contains("meet you at RustConf in Portland"));
        assert!(draft.text.contains("would you be open to connecting?"));
        assert!(draft
            .text
            .contains("we were both at \"RustConf\" — the passphrase was \"ferris\""));
        assert!(draft.text.ends_with("Best,\nAda"));
        assert_eq!(draft.passphrase.as_deref(), Some("ferris"));
        assert_eq!(draft.event_name.as_deref(), Some("RustConf"));
    }

    #[test]
    fn no_event_no_passphrase() {
        let draft = invitation_draft(&DraftFacts {
            contact_name: "Linus",
            my_name: "Ada",
            passphrase: Some("orphan"),
            place: Some("the Helsinki meetup"),
            introduced_by: Some("Grace Hopper"),
            ..DraftFacts::default()
        });
        assert!(draft
            .text
            .contains("meet you at the Helsinki meetup — thanks to Grace for introducing us."));
        assert!(!draft.text.contains("passphrase"));
        assert_eq!(draft.passphrase, None);
        assert_eq!(draft.event_name, None);
    }

    #[test]
    fn a_draft_without_a_first_meeting_still_asks_first() {
        let draft = invitation_draft(&DraftFacts {
            contact_name: "  ",
            my_name: " ",
            ..DraftFacts::default()
        });
        assert!(draft.text.starts_with("Hi there,\n\nI hope you're well."));
        assert!(draft.text.contains("would you be open to connecting?"));
        assert!(draft.text.ends_with("Best wishes"));
        let introduced = invitation_draft(&DraftFacts {
            contact_name: "Ken",
            introduced_by: Some("Dennis"),
            ..DraftFacts::default()
        });
        assert!(introduced
            .text
            .contains("Dennis introduced us, and I'm glad they did."));
    }
}
