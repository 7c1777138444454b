//! The kinds of touchpoint a relationship is built from.

use serde::{Deserialize, Serialize};

/// What kind of touchpoint an interaction was: `met_at_event`, `meeting`,
/// `coffee_or_lunch`, `call` and `video_call` are live (they count double
/// towards familiarity); `email`, `message`, `shared_article`,
/// `introduction`, `referral` and `other` are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// We met at an event.
    MetAtEvent,
    /// A meeting.
    Meeting,
    /// Coffee or lunch together.
    CoffeeOrLunch,
    /// A phone call.
    Call,
    /// A video call.
    VideoCall,
    /// An email.
    Email,
    /// A message (chat, text, social network).
    Message,
    /// I shared an article, or they did.
    SharedArticle,
    /// An introduction to or from someone.
    Introduction,
    /// A referral.
    Referral,
    /// Anything else.
    Other,
}

impl InteractionKind {
    pub const ALL: [InteractionKind; 11] = [
        InteractionKind::MetAtEvent,
        InteractionKind::Meeting,
        InteractionKind::CoffeeOrLunch,
        InteractionKind::Call,
        InteractionKind::VideoCall,
        InteractionKind::Email,
        InteractionKind::Message,
        InteractionKind::SharedArticle,
        InteractionKind::Introduction,
        InteractionKind::Referral,
        InteractionKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::MetAtEvent => "met_at_event",
            InteractionKind::Meeting => "meeting",
            InteractionKind::CoffeeOrLunch => "coffee_or_lunch",
            InteractionKind::Call => "call",
            InteractionKind::VideoCall => "video_call",
            InteractionKind::Email => "email",
            InteractionKind::Message => "message",
            InteractionKind::SharedArticle => "shared_article",
            InteractionKind::Introduction => "introduction",
            InteractionKind::Referral => "referral",
            InteractionKind::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<InteractionKind> {
        InteractionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
    }

    /// Was the other person there in person or on a live line?
    pub fn is_live(self) -> bool {
        matches!(
            self,
            InteractionKind::MetAtEvent
                | InteractionKind::Meeting
                | InteractionKind::CoffeeOrLunch
                | InteractionKind::Call
                | InteractionKind::VideoCall
        )
    }
}

/// How much of a conversation it was: `brief` (a hello, a quick note, a
/// card exchanged), `conversation` (a real exchange) or `in_depth` (a long,
/// substantial exchange: we got to know each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Depth {
    /// A hello, a quick note, a card exchanged.
    Brief,
    /// A real exchange.
    Conversation,
    /// A long, substantial exchange: we got to know each other.
    InDepth,
}

impl Depth {
    pub fn as_str(self) -> &'static str {
        match self {
            Depth::Brief => "brief",
            Depth::Conversation => "conversation",
            Depth::InDepth => "in_depth",
        }
    }

    pub fn parse(value: &str) -> Option<Depth> {
        [Depth::Brief, Depth::Conversation, Depth::InDepth]
            .into_iter()
            .find(|d| d.as_str() == value)
    }
}

/// Who reached out: `me`, `them` or `mutual` (both, or it just happened).
/// Interactions from them or mutual lift familiarity's one-way cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Initiator {
    /// I reached out.
    Me,
    /// They reached out.
    Them,
    /// Both, or neither in particular.
    Mutual,
}

impl Initiator {
    pub fn as_str(self) -> &'static str {
        match self {
            Initiator::Me => "me",
            Initiator::Them => "them",
            Initiator::Mutual => "mutual",
        }
    }

    pub fn parse(value: &str) -> Option<Initiator> {
        [Initiator::Me, Initiator::Them, Initiator::Mutual]
            .into_iter()
            .find(|i| i.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in InteractionKind::ALL {
            assert_eq!(InteractionKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(Depth::parse("in_depth"), Some(Depth::InDepth));
        assert_eq!(Initiator::parse("mutual"), Some(Initiator::Mutual));
        assert_eq!(Depth::parse("deep"), None);
    }
}
