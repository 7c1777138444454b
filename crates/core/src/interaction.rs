//! The kinds of touchpoint a relationship is built from.

use serde::{Deserialize, Serialize};

/// What kind of touchpoint an interaction was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    MetAtEvent,
    Meeting,
    CoffeeOrLunch,
    Call,
    VideoCall,
    Email,
    Message,
    SharedArticle,
    Introduction,
    Referral,
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

/// How much of a conversation it was.
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

/// Who reached out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Initiator {
    Me,
    Them,
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
