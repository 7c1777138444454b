//! Contacts: the people in *my* network, with how we met, the referral
//! comfort I give them and the connection flow toward them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::validate::{self, optional_text, FieldErrors, Validate};

pub const NAME_MAX: usize = 200;
pub const SHORT_TEXT_MAX: usize = 200;
pub const NOTES_MAX: usize = 20_000;
pub const LIST_MAX: usize = 10;
pub const TAGS_MAX: usize = 30;
pub const TAG_MAX_CHARS: usize = 50;
pub const URL_MAX_CHARS: usize = 2048;
pub const PHONE_MAX_CHARS: usize = 50;
pub const PLACE_MAX: usize = 500;
pub const CONTEXT_MAX: usize = 2000;
pub const CADENCE_MAX_DAYS: u16 = 3650;

/// Distinguishes a field left out of a PATCH (`None`) from one set to null
/// (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A nested request object, read only from a JSON object: serde's derive
/// would also take an array of the fields in order (`[null, null]`), which
/// no client means and the API document does not allow.
pub fn object<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    struct Object<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Object<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_map(Object(std::marker::PhantomData))
}

/// [`object`], or null.
pub fn optional_object<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    struct Optional<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Optional<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object or null")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
            object(deserializer).map(Some)
        }
    }
    deserializer.deserialize_option(Optional(std::marker::PhantomData))
}

/// A patch's nested object: left out (no change), null (clear) or [`object`].
pub fn patch_object<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    optional_object(deserializer).map(Some)
}

/// How we met: the first meeting. Every field is optional; unknown fields
/// are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HowMet {
    /// The day we first met, `YYYY-MM-DD`, from 1900-01-01 to 2200-12-31.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            pattern = r"^(?:(?:19[0-9]{2}|2[01][0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$",
            example = "2026-03-12"
        )
    )]
    pub met_on: Option<NaiveDate>,
    /// The id of an event of mine where we met (another user's event, or an
    /// unknown id, is a 422).
    #[serde(default)]
    pub event_id: Option<Uuid>,
    /// Where we met: at most 500 characters, on one line, without control
    /// characters. Surrounding whitespace is trimmed and a blank value is
    /// stored as null.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*$",
            example = "Portland"
        )
    )]
    pub place: Option<String>,
    /// The circumstances, in my words: at most 2000 characters; line breaks
    /// and tabs are fine, other control characters are refused.
    /// Surrounding whitespace is trimmed and a blank value is stored as
    /// null.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 2000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Sat next to each other at the compiler talk."
        )
    )]
    pub context: Option<String>,
    /// The id of another of my contacts who introduced us (someone else's
    /// contact, or an unknown id, is a 422).
    #[serde(default)]
    pub introduced_by: Option<Uuid>,
}

impl HowMet {
    pub fn is_empty(&self) -> bool {
        *self == HowMet::default()
    }

    fn check(&self, errors: &mut FieldErrors) {
        optional_text(errors, "how_met.place", &self.place, PLACE_MAX, false);
        optional_text(errors, "how_met.context", &self.context, CONTEXT_MAX, true);
        if let Some(date) = self.met_on {
            errors.check("how_met.met_on", plausible_date(date));
        }
    }
}

/// Where I stand in asking to connect (on LinkedIn or on this instance):
/// `not_connected`; `asked` (I asked whether they are open to it); `open`
/// (they said yes); `not_now`; `invited` (I sent the invitation);
/// `connected`; `declined`; `they_invited_me`. The ask-first flow allows:
/// not_connected → asked, invited or they_invited_me; asked → open,
/// not_now or declined; open → invited; not_now → asked; invited and
/// they_invited_me → connected or declined; declined → asked or
/// not_connected; connected → not_connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Not connected, and not asked yet.
    NotConnected,
    /// I asked whether they are open to connecting.
    Asked,
    /// They said yes: I can send the invitation.
    Open,
    /// They said not now.
    NotNow,
    /// I sent the invitation.
    Invited,
    /// We are connected.
    Connected,
    /// The invitation or the ask was declined.
    Declined,
    /// They sent me an invitation.
    TheyInvitedMe,
}

impl ConnectionStatus {
    pub const ALL: [ConnectionStatus; 8] = [
        ConnectionStatus::NotConnected,
        ConnectionStatus::Asked,
        ConnectionStatus::Open,
        ConnectionStatus::NotNow,
        ConnectionStatus::Invited,
        ConnectionStatus::Connected,
        ConnectionStatus::Declined,
        ConnectionStatus::TheyInvitedMe,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::NotConnected => "not_connected",
            ConnectionStatus::Asked => "asked",
            ConnectionStatus::Open => "open",
            ConnectionStatus::NotNow => "not_now",
            ConnectionStatus::Invited => "invited",
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::Declined => "declined",
            ConnectionStatus::TheyInvitedMe => "they_invited_me",
        }
    }

    pub fn parse(value: &str) -> Option<ConnectionStatus> {
        ConnectionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
    }

    /// The ask-first flow: not connected → asked → open / not now → invited
    /// → connected / declined, plus "they invited me". An open networker may
    /// invite without asking; a "not now" or a decline can be asked again
    /// later; a connection can end.
    pub fn allowed_next(self) -> &'static [ConnectionStatus] {
        use ConnectionStatus::*;
        match self {
            NotConnected => &[Asked, Invited, TheyInvitedMe],
            Asked => &[Open, NotNow, Declined],
            Open => &[Invited],
            NotNow => &[Asked],
            Invited => &[Connected, Declined],
            TheyInvitedMe => &[Connected, Declined],
            Declined => &[Asked, NotConnected],
            Connected => &[NotConnected],
        }
    }

    pub fn can_become(self, next: ConnectionStatus) -> bool {
        self.allowed_next().contains(&next)
    }
}

/// A new contact. Only `name` is required; unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    /// Their name: 1 to 200 characters once surrounding whitespace is
    /// trimmed, on one line, without control characters. Only whitespace
    /// is refused. Stored trimmed.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "Ada Lovelace"
        )
    )]
    pub name: String,
    /// Email addresses: at most 10. Each is a local part, `@` and a domain
    /// with a dot inside it (not at either end), without spaces or control
    /// characters, at most 254 characters; stored in lower case,
    /// without duplicates.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 10,
            max_length = 254,
            pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$",
            example = json!(["ada@example.com"])
        )
    )]
    pub emails: Vec<String>,
    /// Phone numbers: at most 10. Each is at most 50 characters of digits,
    /// spaces and `+ - ( ) . / x e t` (for "ext"), with at least 3 digits.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 10,
            max_length = 50,
            pattern = r"^[ ()+./etx-]*(?:[0-9][ ()+./etx-]*){3,}$",
            example = json!(["+44 20 7946 0958"])
        )
    )]
    pub phones: Vec<String>,
    /// The company they work for: at most 200 characters, on one line,
    /// without control characters. Trimmed; a blank value is stored as null.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*$",
            example = "Analytical Engines Ltd"
        )
    )]
    pub company: Option<String>,
    /// Their job title: at most 200 characters, on one line, without
    /// control characters. Trimmed; a blank value is stored as null.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*$",
            example = "Chief Mathematician"
        )
    )]
    pub title: Option<String>,
    /// Where they are based: at most 200 characters, on one line, without
    /// control characters. Trimmed; a blank value is stored as null.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*$",
            example = "London"
        )
    )]
    pub location: Option<String>,
    /// Profile and web addresses, e.g. a LinkedIn profile: at most 10. Each
    /// starts with `https://` or `http://` followed by a host (not `/`), has
    /// no spaces or control characters, and is at most 2048 characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 10,
            max_length = 2048,
            pattern = r"^https?://[^/?#\[\]\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\[\]\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = json!(["https://www.linkedin.com/in/ada-lovelace"])
        )
    )]
    pub urls: Vec<String>,
    /// Tags to group contacts by: at most 30. Each is 1 to 50 characters
    /// once surrounding whitespace is trimmed, without control characters;
    /// a tag of only whitespace is refused. Stored trimmed, without
    /// duplicates (ignoring case).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 30,
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = json!(["investor", "rust"])
        )
    )]
    pub tags: Vec<String>,
    /// My private notes: at most 20000 characters; line breaks and tabs are
    /// fine, other control characters are refused. Trimmed; a blank value
    /// is stored as null.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 20000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Wants an introduction to someone who builds compilers."
        )
    )]
    pub notes: Option<String>,
    /// How we met (the first meeting); null or left out: not recorded.
    #[serde(default, deserialize_with = "optional_object")]
    pub how_met: Option<HowMet>,
    /// Keep in touch every this many days, 1 to 3650; null or left out: my
    /// default cadence (see settings).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650, example = 90))]
    pub cadence_days: Option<u16>,
    /// Archived contacts are kept but left out of lists and the nurture
    /// queue unless asked for; default false.
    #[serde(default)]
    pub archived: bool,
}

/// Changes to a contact: a field left out stays as it is; for `company`,
/// `title`, `location`, `notes`, `how_met` and `cadence_days`, `null` clears
/// it, for the other fields `null` leaves it as it is. Each field follows
/// the same rules as in a new contact. Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    /// A new name: 1 to 200 characters once surrounding whitespace is
    /// trimmed, on one line, without control characters. Only whitespace
    /// is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "Ada King"
        )
    )]
    pub name: Option<String>,
    /// Replaces the email addresses: at most 10. Each is a local part, `@`
    /// and a domain with a dot inside it (not at either end), without
    /// spaces or control characters, at most 254 characters; stored in
    /// lower case, without duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 10,
            max_length = 254,
            pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$",
            example = json!(["ada@example.com"])
        )
    )]
    pub emails: Option<Vec<String>>,
    /// Replaces the phone numbers: at most 10. Each is at most 50
    /// characters of digits, spaces and `+ - ( ) . / x e t` (for "ext"),
    /// with at least 3 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 10,
            max_length = 50,
            pattern = r"^[ ()+./etx-]*(?:[0-9][ ()+./etx-]*){3,}$",
            example = json!(["+44 20 7946 0958"])
        )
    )]
    pub phones: Option<Vec<String>>,
    /// The company they work for: at most 200 characters, on one line,
    /// without control characters. Trimmed; a blank value is stored as null.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$", example = "Analytical Engines Ltd")
    )]
    pub company: Option<Option<String>>,
    /// Their job title: at most 200 characters, on one line, without
    /// control characters. Trimmed; a blank value is stored as null.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$", example = "Chief Mathematician")
    )]
    pub title: Option<Option<String>>,
    /// Where they are based: at most 200 characters, on one line, without
    /// control characters. Trimmed; a blank value is stored as null.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$", example = "London")
    )]
    pub location: Option<Option<String>>,
    /// Replaces the profile and web addresses: at most 10. Each starts
    /// with `https://` or `http://` followed by a host (not `/`), has no
    /// spaces or control characters, and is at most 2048 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 10,
            max_length = 2048,
            pattern = r"^https?://[^/?#\[\]\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\[\]\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = json!(["https://www.linkedin.com/in/ada-lovelace"])
        )
    )]
    pub urls: Option<Vec<String>>,
    /// Replaces the tags: at most 30. Each is 1 to 50 characters once
    /// surrounding whitespace is trimmed, without control characters; a
    /// tag of only whitespace is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 30,
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = json!(["investor", "rust"])
        )
    )]
    pub tags: Option<Vec<String>>,
    /// My private notes: at most 20000 characters; line breaks and tabs are
    /// fine, other control characters are refused; `null` clears them.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            max_length = 20000,
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            example = "Met again at the meetup; wants to hire."
        )
    )]
    pub notes: Option<Option<String>>,
    /// How we met: replaces the whole record; `null` clears it.
    #[serde(
        default,
        deserialize_with = "patch_object",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<HowMet>))]
    pub how_met: Option<Option<HowMet>>,
    /// Keep in touch every this many days, 1 to 3650; `null`: back to my
    /// default cadence.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<u16>, minimum = 1, maximum = 3650, example = 30)
    )]
    pub cadence_days: Option<Option<u16>>,
    /// Archive (true) or bring back (false) the contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

impl ContactPatch {
    /// Applies the patch to a contact's editable fields.
    pub fn apply(self, to: &mut NewContact) {
        if let Some(v) = self.name {
            to.name = v;
        }
        if let Some(v) = self.emails {
            to.emails = v;
        }
        if let Some(v) = self.phones {
            to.phones = v;
        }
        if let Some(v) = self.company {
            to.company = v;
        }
        if let Some(v) = self.title {
            to.title = v;
        }
        if let Some(v) = self.location {
            to.location = v;
        }
        if let Some(v) = self.urls {
            to.urls = v;
        }
        if let Some(v) = self.tags {
            to.tags = v;
        }
        if let Some(v) = self.notes {
            to.notes = v;
        }
        if let Some(v) = self.how_met {
            to.how_met = v;
        }
        if let Some(v) = self.cadence_days {
            to.cadence_days = v;
        }
        if let Some(v) = self.archived {
            to.archived = v;
        }
    }
}

/// Dates from 1900 to 2200: anything else is a typo.
pub fn plausible_date(date: NaiveDate) -> Result<(), String> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
    let latest = NaiveDate::from_ymd_opt(2200, 12, 31).expect("a valid date");
    if date < earliest || date > latest {
        Err("must be a date between 1900-01-01 and 2200-12-31".into())
    } else {
        Ok(())
    }
}

fn check_list(
    errors: &mut FieldErrors,
    field: &str,
    values: &[String],
    max_items: usize,
    check: impl Fn(&str) -> Result<(), String>,
) {
    if values.len() > max_items {
        errors.add(field, format!("can hold at most {max_items} entries"));
        return;
    }
    for (index, value) in values.iter().enumerate() {
        if let Err(message) = check(value) {
            errors.add(&format!("{field}[{index}]"), message);
        }
    }
}

/// `http://` or `https://`, a host, no spaces.
pub fn url(value: &str) -> Result<(), String> {
    let value = value.trim();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        _ if value.chars().count() > URL_MAX_CHARS => {
            Err(format!("must be at most {URL_MAX_CHARS} characters long"))
        }
        // Square brackets are refused: a host in brackets must be an IPv6
        // address, and many programs that read an export fail on one that
        // is not (write them as %5B and %5D elsewhere in an address).
        Some(rest)
            if !rest.is_empty()
                && !rest.starts_with(['/', '?', '#'])
                && !value.contains(|c: char| {
                    c.is_whitespace() || c.is_control() || c == '[' || c == ']'
                }) =>
        {
            Ok(())
        }
        _ => Err(
            "must be a web address starting with https:// or http://, without spaces or square brackets"
                .into(),
        ),
    }
}

fn phone(value: &str) -> Result<(), String> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if value.chars().count() > PHONE_MAX_CHARS {
        Err(format!("must be at most {PHONE_MAX_CHARS} characters long"))
    } else if digits < 3
        || !value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().xext/".contains(c))
    {
        Err("must be a phone number (digits, spaces, + - ( ) .)".into())
    } else {
        Ok(())
    }
}

fn tag(value: &str) -> Result<(), String> {
    let value = value.trim();
    if value.is_empty() {
        Err("must not be empty".into())
    } else if value.chars().count() > TAG_MAX_CHARS {
        Err(format!("must be at most {TAG_MAX_CHARS} characters long"))
    } else if value.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(())
    }
}

impl Validate for NewContact {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("name", validate::required_text(&self.name, NAME_MAX));
        check_list(
            &mut errors,
            "emails",
            &self.emails,
            LIST_MAX,
            validate::email,
        );
        check_list(&mut errors, "phones", &self.phones, LIST_MAX, phone);
        optional_text(&mut errors, "company", &self.company, SHORT_TEXT_MAX, false);
        optional_text(&mut errors, "title", &self.title, SHORT_TEXT_MAX, false);
        optional_text(
            &mut errors,
            "location",
            &self.location,
            SHORT_TEXT_MAX,
            false,
        );
        check_list(&mut errors, "urls", &self.urls, LIST_MAX, url);
        check_list(&mut errors, "tags", &self.tags, TAGS_MAX, tag);
        optional_text(&mut errors, "notes", &self.notes, NOTES_MAX, true);
        if let Some(how_met) = &self.how_met {
            how_met.check(&mut errors);
        }
        if let Some(days) = self.cadence_days {
            if !(1..=CADENCE_MAX_DAYS).contains(&days) {
                errors.add(
                    "cadence_days",
                    format!("must be between 1 and {CADENCE_MAX_DAYS}"),
                );
            }
        }
        errors.into_result()
    }
}

impl NewContact {
    /// Trims text, lower-cases emails, drops blank optional text and
    /// duplicate list entries, so that what is stored is canonical.
    pub fn normalize(mut self) -> Self {
        fn clean(value: Option<String>) -> Option<String> {
            value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
        }
        fn dedup(values: Vec<String>, key: impl Fn(&str) -> String) -> Vec<String> {
            let mut seen = std::collections::HashSet::new();
            values
                .into_iter()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty() && seen.insert(key(v)))
                .collect()
        }
        self.name = self.name.trim().to_owned();
        self.emails = dedup(self.emails, |v| v.to_lowercase())
            .into_iter()
            .map(|e| validate::normalize_email(&e))
            .collect();
        self.phones = dedup(self.phones, str::to_owned);
        self.urls = dedup(self.urls, |v| v.trim_end_matches('/').to_lowercase());
        self.tags = dedup(self.tags, |v| v.to_lowercase());
        self.company = clean(self.company);
        self.title = clean(self.title);
        self.location = clean(self.location);
        self.notes = clean(self.notes);
        self.how_met = self.how_met.map(|mut h| {
            h.place = clean(h.place);
            h.context = clean(h.context);
            h
        });
        self.how_met = self.how_met.filter(|h| !h.is_empty());
        self
    }
}

/// Familiarity in brief, as carried by every contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamiliaritySummary {
    /// How well I know them, 0 to 100, derived from the interaction history
    /// (depth, frequency, recency, reciprocity); never typed in.
    #[cfg_attr(feature = "openapi", schema(maximum = 100, example = 42))]
    pub score: u8,
    /// The referral comfort (1 to 5) the history supports.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5, example = 3))]
    pub suggested_comfort: u8,
    /// True when my rating (4 or 5) is well above what the history
    /// supports; shown, never changed for me.
    pub mismatch: bool,
}

/// A contact with its derived state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// The contact's id.
    pub id: Uuid,
    /// Their name, trimmed.
    #[cfg_attr(feature = "openapi", schema(example = "Ada Lovelace"))]
    pub name: String,
    /// Their email addresses, in lower case, without duplicates.
    #[cfg_attr(feature = "openapi", schema(example = json!(["ada@example.com"])))]
    pub emails: Vec<String>,
    /// Their phone numbers, as typed, without duplicates.
    #[cfg_attr(feature = "openapi", schema(example = json!(["+44 20 7946 0958"])))]
    pub phones: Vec<String>,
    /// The company they work for; null when unknown.
    #[cfg_attr(feature = "openapi", schema(example = "Analytical Engines Ltd"))]
    pub company: Option<String>,
    /// Their job title; null when unknown.
    #[cfg_attr(feature = "openapi", schema(example = "Chief Mathematician"))]
    pub title: Option<String>,
    /// Where they are based; null when unknown.
    #[cfg_attr(feature = "openapi", schema(example = "London"))]
    pub location: Option<String>,
    /// Profile and web addresses, e.g. a LinkedIn profile.
    #[cfg_attr(
        feature = "openapi",
        schema(example = json!(["https://www.linkedin.com/in/ada-lovelace"]))
    )]
    pub urls: Vec<String>,
    /// Tags, without duplicates (ignoring case).
    #[cfg_attr(feature = "openapi", schema(example = json!(["investor", "rust"])))]
    pub tags: Vec<String>,
    /// My private notes; null when none.
    pub notes: Option<String>,
    /// How we met; null when not recorded.
    pub how_met: Option<HowMet>,
    /// The contact's own keep-in-touch cadence in days (1 to 3650); null:
    /// my default applies.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650, example = 90))]
    pub cadence_days: Option<u16>,
    /// Archived contacts are kept but left out of lists and the nurture
    /// queue unless asked for.
    pub archived: bool,
    /// My current referral comfort, 1 to 5, or null when unrated: 1
    /// wouldn't refer yet · 2 could pass along their name · 3 would
    /// introduce with context · 4 would refer with confidence · 5 would
    /// vouch personally.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5, example = 4))]
    pub comfort: Option<u8>,
    /// How well I know them, derived from the interaction history.
    pub familiarity: FamiliaritySummary,
    /// Where I stand in asking to connect.
    pub connection_status: ConnectionStatus,
    /// The day of the latest interaction with them (`YYYY-MM-DD`); null
    /// when none is logged.
    pub last_interaction_on: Option<NaiveDate>,
    /// When to be in touch next (`YYYY-MM-DD`), from the cadence (theirs or
    /// my default) and the last contact, or a snooze; null without a
    /// cadence.
    pub next_due_on: Option<NaiveDate>,
    /// Ready to ask to connect, under my connection policy.
    pub ready_to_ask: bool,
    /// Changes with every write; sent as the `ETag` (send it back in
    /// `If-Match` to update).
    #[cfg_attr(feature = "openapi", schema(example = 3))]
    pub version: i64,
    /// When the contact was added (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the contact last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_addresses_have_a_host_and_no_square_brackets() {
        assert!(url("https://www.linkedin.com/in/ada").is_ok());
        assert!(url("http://example.org/?q=1#top").is_ok());
        for bad in [
            "https://[abc/x",
            "https://example.org/a[1]",
            "https:///path",
            "https://?q",
            "https://#x",
            "ftp://example.org",
            "https://exa mple.org",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_contact_needs_only_a_name() {
        let contact = NewContact {
            name: "Ada Lovelace".into(),
            ..NewContact::default()
        };
        assert!(contact.validate().is_ok());
        let nameless = NewContact::default();
        let fields: Vec<_> = nameless
            .validate()
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name"]);
    }

    #[test]
    fn every_field_is_bounded_and_named_when_wrong() {
        let contact = NewContact {
            name: "x".repeat(201),
            emails: vec!["ada@example.com".into(), "nope".into()],
            phones: vec!["call me".into()],
            urls: vec!["linkedin.com/in/ada".into()],
            tags: vec![" ".into()],
            notes: Some("n".repeat(20_001)),
            how_met: Some(HowMet {
                met_on: NaiveDate::from_ymd_opt(1850, 1, 1),
                ..HowMet::default()
            }),
            cadence_days: Some(0),
            ..NewContact::default()
        };
        let fields: Vec<_> = contact
            .validate()
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "emails[1]",
                "phones[0]",
                "urls[0]",
                "tags[0]",
                "notes",
                "how_met.met_on",
                "cadence_days"
            ]
        );
    }

    #[test]
    fn normalizing_trims_lowercases_and_deduplicates() {
        let contact = NewContact {
            name: "  Ada ".into(),
            emails: vec!["Ada@Example.com".into(), "ada@example.com".into()],
            tags: vec!["Investor".into(), "investor".into(), "  ".into()],
            company: Some("   ".into()),
            how_met: Some(HowMet::default()),
            ..NewContact::default()
        }
        .normalize();
        assert_eq!(contact.name, "Ada");
        assert_eq!(contact.emails, ["ada@example.com"]);
        assert_eq!(contact.tags, ["Investor"]);
        assert_eq!(contact.company, None);
        assert_eq!(contact.how_met, None);
    }

    #[test]
    fn a_patch_distinguishes_absent_from_null() {
        let patch: ContactPatch =
            serde_json::from_str(r#"{"company": null, "title": "CTO"}"#).unwrap();
        let mut contact = NewContact {
            name: "Ada".into(),
            company: Some("Acme".into()),
            location: Some("London".into()),
            ..NewContact::default()
        };
        patch.apply(&mut contact);
        assert_eq!(contact.company, None);
        assert_eq!(contact.title.as_deref(), Some("CTO"));
        assert_eq!(contact.location.as_deref(), Some("London"));
    }

    #[test]
    fn the_connection_flow_asks_first() {
        use ConnectionStatus::*;
        assert!(NotConnected.can_become(Asked));
        assert!(Asked.can_become(Open));
        assert!(Open.can_become(Invited));
        assert!(Invited.can_become(Connected));
        assert!(!NotConnected.can_become(Connected));
        assert!(!Asked.can_become(Connected));
        for status in ConnectionStatus::ALL {
            assert!(!status.can_become(status), "{status:?} to itself");
            assert_eq!(ConnectionStatus::parse(status.as_str()), Some(status));
        }
    }
}
