//! Sharing with a team: per contact, its owner chooses what teammates may
//! learn. Private by default: nothing is shared until its owner says so,
//! with a default level, rules by tag, a blocklist and per-contact choices.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::{FieldErrors, Validate};

/// Most rules by tag, and most blocked people or domains, per team.
pub const RULES_MAX: usize = 50;
pub const BLOCKED_MAX: usize = 500;
pub const TAG_MAX: usize = 50;

/// What teammates may learn of a contact.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShareLevel {
    /// Nothing (the default).
    #[default]
    Hidden,
    /// Only that a teammate knows someone matching their search: not who,
    /// not which contact, until the owner accepts a request.
    Signal,
    /// The contact's name, company and title, which teammate knows them and
    /// a strength band; never the rating, scores, notes, history, emails
    /// or phones.
    Profile,
}

impl ShareLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ShareLevel::Hidden => "hidden",
            ShareLevel::Signal => "signal",
            ShareLevel::Profile => "profile",
        }
    }

    pub fn parse(value: &str) -> Option<ShareLevel> {
        match value {
            "hidden" => Some(ShareLevel::Hidden),
            "signal" => Some(ShareLevel::Signal),
            "profile" => Some(ShareLevel::Profile),
            _ => None,
        }
    }
}

/// How well a teammate knows someone, as teammates see it: derived from
/// the owner's comfort rating (their own judgement comes first) and, for
/// a contact not rated yet, from familiarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Met, rated low or hardly in touch.
    Acquainted,
    /// Rated 3, or in regular touch.
    Known,
    /// Rated 4 or 5, or in close touch.
    Trusted,
}

impl Band {
    /// Comfort 4–5: trusted; 3: known; 1–2: acquainted. Not rated:
    /// familiarity 70 and up is trusted, 35 and up known, less acquainted.
    pub fn of(comfort: Option<u8>, familiarity: u8) -> Band {
        match comfort {
            Some(4..) => Band::Trusted,
            Some(3) => Band::Known,
            Some(_) => Band::Acquainted,
            None if familiarity >= 70 => Band::Trusted,
            None if familiarity >= 35 => Band::Known,
            None => Band::Acquainted,
        }
    }
}

/// A rule by tag: contacts with this tag get this level (the first rule
/// that matches wins; a per-contact choice overrides every rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    /// A tag (case is ignored), 1 to 50 characters on one line.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "alumni"
        )
    )]
    pub tag: String,
    /// The level contacts with the tag get.
    pub level: ShareLevel,
}

/// A rule is read only from a JSON object (serde would also take an array
/// of its fields in order, which the API document does not allow).
impl<'de> Deserialize<'de> for TagRule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            tag: String,
            level: ShareLevel,
        }
        let fields: Fields = crate::contact::object(deserializer)?;
        Ok(TagRule {
            tag: fields.tag,
            level: fields.level,
        })
    }
}

/// My sharing with one team: a default, rules by tag and a blocklist.
/// Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Sharing {
    /// The level of a contact no rule or choice of mine covers (left out:
    /// `hidden`).
    #[serde(default)]
    pub default_level: ShareLevel,
    /// Rules by tag, first match wins (at most 50).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub rules: Vec<TagRule>,
    /// People never shown to this team, by email address or profile URL
    /// (at most 500; case is ignored).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 500,
            max_length = 500,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,498}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = json!(["ceo@rival.example"])
        )
    )]
    pub blocked_people: Vec<String>,
    /// Email domains whose people are never shown to this team (at most
    /// 500), such as `rival.example`.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 500,
            max_length = 253,
            pattern = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
            example = json!(["rival.example"])
        )
    )]
    pub blocked_domains: Vec<String>,
}

impl Sharing {
    /// Tags, people and domains lower-cased and trimmed, without repeats.
    pub fn normalize(mut self) -> Self {
        fn tidy(values: Vec<String>, trim: bool) -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for value in values {
                let mut value = value.to_lowercase();
                if trim {
                    value = value.trim().to_owned();
                }
                if !out.contains(&value) {
                    out.push(value);
                }
            }
            out
        }
        for rule in &mut self.rules {
            rule.tag = rule.tag.trim().to_lowercase();
        }
        self.blocked_people = tidy(self.blocked_people, true);
        self.blocked_domains = tidy(self.blocked_domains, false);
        self
    }

    /// The level of one of my contacts, before my per-contact choice.
    fn by_rules(&self, tags: &[String]) -> ShareLevel {
        self.rules
            .iter()
            .find(|rule| {
                tags.iter()
                    .any(|tag| tag.trim().eq_ignore_ascii_case(&rule.tag))
            })
            .map_or(self.default_level, |rule| rule.level)
    }
}

impl Validate for Sharing {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.rules.len() > RULES_MAX {
            errors.add("rules", format!("must hold at most {RULES_MAX} rules"));
        }
        for (index, rule) in self.rules.iter().enumerate() {
            errors.check(
                &format!("rules[{index}].tag"),
                crate::validate::required_text(&rule.tag, TAG_MAX),
            );
        }
        if self.blocked_people.len() > BLOCKED_MAX {
            errors.add("blocked_people", format!("must list at most {BLOCKED_MAX}"));
        }
        for (index, person) in self.blocked_people.iter().enumerate() {
            errors.check(
                &format!("blocked_people[{index}]"),
                crate::validate::required_text(person, 500),
            );
        }
        if self.blocked_domains.len() > BLOCKED_MAX {
            errors.add(
                "blocked_domains",
                format!("must list at most {BLOCKED_MAX}"),
            );
        }
        for (index, domain) in self.blocked_domains.iter().enumerate() {
            if !crate::team::is_domain(domain) {
                errors.add(
                    &format!("blocked_domains[{index}]"),
                    "must be a domain name such as example.com",
                );
            }
        }
        errors.into_result()
    }
}

/// What decides a contact's level for one team.
pub struct LevelInputs<'a> {
    /// My choice for this contact, if I made one.
    pub chosen: Option<ShareLevel>,
    pub tags: &'a [String],
    /// Lower-case email addresses.
    pub emails: &'a [String],
    /// Normalised profile URLs (`linkedin.com/in/…`).
    pub urls: &'a [String],
    pub archived: bool,
}

/// The level teammates see: archived contacts, blocked people, people at a
/// blocked domain and the team's own colleagues are never shared; then my
/// choice for the contact, the first rule by tag, my default.
pub fn effective_level(sharing: &Sharing, team_domains: &[String], of: &LevelInputs) -> ShareLevel {
    let domain_of = |email: &String| email.rsplit_once('@').map(|(_, d)| d.to_owned());
    let blocked = of
        .emails
        .iter()
        .chain(of.urls)
        .any(|key| sharing.blocked_people.contains(key))
        || of.emails.iter().filter_map(domain_of).any(|domain| {
            sharing.blocked_domains.contains(&domain) || team_domains.contains(&domain)
        });
    if of.archived || blocked {
        return ShareLevel::Hidden;
    }
    of.chosen.unwrap_or_else(|| sharing.by_rules(of.tags))
}

/// `PUT /teams/{id}/sharing/contacts/{contact_id}`: my choice for one
/// contact; `null` goes back to my rules and default. Unknown fields are
/// refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactShareRequest {
    /// `hidden`, `signal`, `profile`, or null: follow my rules and default.
    pub level: Option<ShareLevel>,
}

impl Validate for ContactShareRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        Ok(())
    }
}

/// One contact's sharing with a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactShare {
    /// The contact's id.
    pub contact_id: Uuid,
    /// The team's id.
    pub team_id: Uuid,
    /// My choice for this contact; null: my rules and default decide.
    pub chosen: Option<ShareLevel>,
    /// What teammates see now (the blocklist, archiving and the team's own
    /// domains hide a contact whatever the choice).
    pub level: ShareLevel,
}

/// Which of my contacts a bulk change covers: every filter given must
/// match. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareFilter {
    /// Contacts with this tag (case is ignored).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 50, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")
    )]
    pub tag: Option<String>,
    /// Comfort at least this (1–5); unrated contacts do not match.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub comfort_min: Option<u8>,
    /// Comfort at most this (1–5).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub comfort_max: Option<u8>,
    /// Familiarity at least this (0–100).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub familiarity_min: Option<u8>,
    /// Company, exactly (case is ignored).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")
    )]
    pub company: Option<String>,
}

/// `POST /teams/{id}/sharing/bulk`: one choice for every contact a filter
/// covers (archived ones are left out). Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkShareRequest {
    /// Which contacts (an empty filter: all of them).
    #[serde(default, deserialize_with = "crate::contact::object")]
    pub filter: ShareFilter,
    /// The choice to record for each; null: back to rules and default.
    pub level: Option<ShareLevel>,
    /// When true, nothing changes: the answer says how many would.
    #[serde(default)]
    pub dry_run: bool,
}

impl Validate for BulkShareRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let f = &self.filter;
        for (field, value) in [
            ("filter.comfort_min", f.comfort_min),
            ("filter.comfort_max", f.comfort_max),
        ] {
            if value.is_some_and(|v| !(1..=5).contains(&v)) {
                errors.add(field, "must be between 1 and 5");
            }
        }
        if f.familiarity_min.is_some_and(|v| v > 100) {
            errors.add("filter.familiarity_min", "must be between 0 and 100");
        }
        crate::validate::optional_text(&mut errors, "filter.tag", &f.tag, TAG_MAX, false);
        crate::validate::optional_text(&mut errors, "filter.company", &f.company, 200, false);
        errors.into_result()
    }
}

/// What a bulk change did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkShareOutcome {
    /// Contacts the filter covers.
    pub count: u64,
    /// Whether this was a dry run (nothing changed).
    pub dry_run: bool,
}

/// Who on the team knows a person found by a search (profile rows only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Knower {
    /// The teammate's account id.
    pub user_id: Uuid,
    /// The teammate's display name.
    pub display_name: String,
    /// How well they know the person.
    pub band: Band,
}

/// The person a profile result is about: what their teammates share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReachPerson {
    /// The person's name, as the best-placed teammate wrote it.
    pub name: String,
    /// Their company, if known.
    pub company: Option<String>,
    /// Their title, if known.
    pub title: Option<String>,
}

/// `profile`: teammates share who the person is; `signal`: only that
/// someone matching is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReachKind {
    /// Teammates share who the person is.
    Profile,
    /// Only that a teammate knows someone matching.
    Signal,
}

/// One person a team reach search found: the same person known by several
/// teammates is one result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReachResult {
    /// Whether teammates share who this is.
    pub kind: ReachKind,
    /// An opaque name for this result, to ask for an introduction.
    pub result: String,
    /// How many teammates know this person.
    pub teammates: u32,
    /// Who it is (profile results; null for a signal).
    pub person: Option<ReachPerson>,
    /// The best band among the teammates who share the profile (null for a
    /// signal).
    pub band: Option<Band>,
    /// The teammates who share the profile, best band first, then the most
    /// recent contact (empty for a signal: nobody is named until the owner
    /// accepts a request).
    pub known_by: Vec<Knower>,
}

/// The answer of `GET /teams/{id}/reach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReachResults {
    /// Profile results first (best band, then most recent), then signals.
    pub items: Vec<ReachResult>,
}

/// What an entry of a team's audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A teammate's reach search found some of your shared contacts.
    SearchMatched,
    /// A teammate asked you for an introduction.
    RequestReceived,
    /// You changed your default, rules or blocklist.
    SharingChanged,
    /// You changed one contact's level.
    ContactShareChanged,
    /// You changed many contacts' level at once.
    BulkShareChanged,
    /// (Admins) someone was added, or joined with a code.
    MemberAdded,
    /// (Admins) someone was removed, or left.
    MemberRemoved,
    /// (Admins) someone's role changed.
    RoleChanged,
    /// (Admins) the team's name or settings changed.
    TeamChanged,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::SearchMatched => "search_matched",
            AuditKind::RequestReceived => "request_received",
            AuditKind::SharingChanged => "sharing_changed",
            AuditKind::ContactShareChanged => "contact_share_changed",
            AuditKind::BulkShareChanged => "bulk_share_changed",
            AuditKind::MemberAdded => "member_added",
            AuditKind::MemberRemoved => "member_removed",
            AuditKind::RoleChanged => "role_changed",
            AuditKind::TeamChanged => "team_changed",
        }
    }

    pub fn parse(value: &str) -> Option<AuditKind> {
        use AuditKind::*;
        [
            SearchMatched,
            RequestReceived,
            SharingChanged,
            ContactShareChanged,
            BulkShareChanged,
            MemberAdded,
            MemberRemoved,
            RoleChanged,
            TeamChanged,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == value)
    }
}

/// One of your contacts an entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditContact {
    /// Your contact's id.
    pub id: Uuid,
    /// Your contact's name now.
    pub name: String,
}

/// An entry of a team's audit log: what happened to what you share, and
/// (for the owner and admins) to the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// The entry's id.
    pub id: Uuid,
    /// What happened.
    pub kind: AuditKind,
    /// When (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// Who did it, if they are still on the instance.
    pub actor: Option<crate::intro_request::Teammate>,
    /// Which of your contacts it concerns (empty for team-wide entries).
    pub contacts: Vec<AuditContact>,
    /// What happened, in a line.
    pub detail: String,
    /// Whether the entry is about the team as a whole (seen by its owner
    /// and admins) rather than about what you share.
    pub team_wide: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs<'a>(
        chosen: Option<ShareLevel>,
        tags: &'a [String],
        emails: &'a [String],
    ) -> LevelInputs<'a> {
        LevelInputs {
            chosen,
            tags,
            emails,
            urls: &[],
            archived: false,
        }
    }

    #[test]
    fn a_choice_beats_rules_which_beat_the_default_and_blocks_beat_everything() {
        let sharing = Sharing {
            default_level: ShareLevel::Signal,
            rules: vec![
                TagRule {
                    tag: "clients".into(),
                    level: ShareLevel::Hidden,
                },
                TagRule {
                    tag: "alumni".into(),
                    level: ShareLevel::Profile,
                },
            ],
            blocked_people: vec!["ceo@rival.example".into()],
            blocked_domains: vec!["blocked.example".into()],
        };
        let team = vec!["northwind.example".to_owned()];
        let level = |chosen, tags: &[&str], emails: &[&str]| {
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            let emails: Vec<String> = emails.iter().map(|e| e.to_string()).collect();
            effective_level(&sharing, &team, &inputs(chosen, &tags, &emails))
        };
        assert_eq!(level(None, &[], &[]), ShareLevel::Signal);
        assert_eq!(level(None, &["Alumni"], &[]), ShareLevel::Profile);
        assert_eq!(
            level(None, &["clients", "alumni"], &[]),
            ShareLevel::Hidden,
            "first rule wins"
        );
        assert_eq!(
            level(Some(ShareLevel::Profile), &["clients"], &[]),
            ShareLevel::Profile
        );
        for email in [
            "ceo@rival.example",
            "x@blocked.example",
            "colleague@northwind.example",
        ] {
            assert_eq!(
                level(Some(ShareLevel::Profile), &[], &[email]),
                ShareLevel::Hidden,
                "{email}"
            );
        }
        let archived = LevelInputs {
            archived: true,
            ..inputs(Some(ShareLevel::Profile), &[], &[])
        };
        assert_eq!(
            effective_level(&sharing, &team, &archived),
            ShareLevel::Hidden
        );
        assert_eq!(
            Sharing::default().default_level,
            ShareLevel::Hidden,
            "private by default"
        );
    }

    #[test]
    fn nested_objects_are_read_from_objects_only() {
        let rules: Result<Sharing, _> =
            serde_json::from_str(r#"{"rules": [["alumni", "profile"]]}"#);
        assert!(rules.is_err());
        let rules: Sharing =
            serde_json::from_str(r#"{"rules": [{"tag": "alumni", "level": "profile"}]}"#).unwrap();
        assert_eq!(rules.rules[0].level, ShareLevel::Profile);
        let bulk: Result<BulkShareRequest, _> =
            serde_json::from_str(r#"{"filter": [null, null], "level": null}"#);
        assert!(bulk.is_err());
    }

    #[test]
    fn the_band_follows_the_owners_rating_first() {
        assert_eq!(Band::of(Some(5), 0), Band::Trusted);
        assert_eq!(Band::of(Some(3), 100), Band::Known);
        assert_eq!(Band::of(Some(1), 100), Band::Acquainted);
        assert_eq!(Band::of(None, 70), Band::Trusted);
        assert_eq!(Band::of(None, 35), Band::Known);
        assert_eq!(Band::of(None, 34), Band::Acquainted);
    }
}
