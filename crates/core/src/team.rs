//! Teams on a shared instance: who belongs, with which role, and what each
//! role may do. A team never gives anyone access to a member's network:
//! roles decide who manages the team, not who reads whose contacts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::{self, FieldErrors, Validate};

pub const TEAM_NAME_MAX: usize = 100;
/// A team's own email domains (never indexed for reach) at most.
pub const TEAM_DOMAINS_MAX: usize = 20;
pub const DOMAIN_MAX: usize = 253;
/// Join codes last 1 to this many days.
pub const JOIN_CODE_DAYS_MAX: u32 = 30;
pub const JOIN_CODE_DAYS_DEFAULT: u32 = 7;

/// A member's role in a team, from most to least power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Everything an admin may do, and transfers ownership and deletes the
    /// team. A team always has exactly one owner.
    Owner,
    /// Manages members and guests, join codes and the team's settings;
    /// never sees anyone's contacts.
    Admin,
    /// Shares and searches.
    Member,
    /// Searches what is shared at profile level and asks for
    /// introductions; shares nothing and sees only members' names.
    Guest,
}

impl TeamRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Owner => "owner",
            TeamRole::Admin => "admin",
            TeamRole::Member => "member",
            TeamRole::Guest => "guest",
        }
    }

    pub fn parse(value: &str) -> Option<TeamRole> {
        match value {
            "owner" => Some(TeamRole::Owner),
            "admin" => Some(TeamRole::Admin),
            "member" => Some(TeamRole::Member),
            "guest" => Some(TeamRole::Guest),
            _ => None,
        }
    }

    /// Manages the team (members, codes, settings).
    pub fn manages(self) -> bool {
        matches!(self, TeamRole::Owner | TeamRole::Admin)
    }
}

/// The role someone is added with: never `owner` (add them, then hand
/// ownership over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AddedRole {
    /// By the owner only.
    Admin,
    /// Shares and searches.
    Member,
    /// Searches profiles and asks for introductions; shares nothing.
    Guest,
}

impl From<AddedRole> for TeamRole {
    fn from(role: AddedRole) -> Self {
        match role {
            AddedRole::Admin => TeamRole::Admin,
            AddedRole::Member => TeamRole::Member,
            AddedRole::Guest => TeamRole::Guest,
        }
    }
}

/// The role a join code gives: admins are made by the owner, from members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CodeRole {
    /// Shares and searches.
    Member,
    /// Searches profiles and asks for introductions; shares nothing.
    Guest,
}

impl From<CodeRole> for TeamRole {
    fn from(role: CodeRole) -> Self {
        match role {
            CodeRole::Member => TeamRole::Member,
            CodeRole::Guest => TeamRole::Guest,
        }
    }
}

/// Why a team refuses what a member asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamRefusal {
    /// The member's role does not allow it (HTTP 403).
    RoleRequired(&'static str),
    /// It would leave the team without an owner (HTTP 409).
    OwnerRequired,
    /// The member has as many open introduction requests as the team
    /// allows (HTTP 409).
    TooManyOpenRequests,
    /// The member asked about the same person lately (HTTP 409).
    AskedLately,
}

impl TeamRefusal {
    pub fn message(self) -> &'static str {
        match self {
            TeamRefusal::RoleRequired(message) => message,
            TeamRefusal::OwnerRequired => {
                "A team always keeps its owner: transfer ownership to another member first \
                 (PATCH their membership with role `owner`), or delete the team."
            }
            TeamRefusal::TooManyOpenRequests => {
                "You have as many open introduction requests as this team allows: wait for \
                 answers, or withdraw one."
            }
            TeamRefusal::AskedLately => {
                "You asked about this person in the last 30 days: wait for that request's \
                 answer."
            }
        }
    }
}

/// Something a member does to the team or to a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAction {
    /// Rename it or change its settings.
    Edit,
    Delete,
    /// Add someone (or issue a join code) with this role.
    Admit(TeamRole),
    /// Change the role of a member (maybe oneself) from one to another.
    ChangeRole {
        from: TeamRole,
        to: TeamRole,
        oneself: bool,
    },
    /// Take a member (maybe oneself: leaving) out of the team.
    Remove {
        role: TeamRole,
        oneself: bool,
    },
}

/// Whether a member with role `actor` may do `action`.
pub fn permits(actor: TeamRole, action: TeamAction) -> Result<(), TeamRefusal> {
    use TeamRole::*;
    let managers_only = TeamRefusal::RoleRequired(
        "Only the team's owner and admins manage its members, codes and settings.",
    );
    let owner_only = TeamRefusal::RoleRequired("Only the team's owner may do this.");
    match action {
        TeamAction::Edit => actor.manages().then_some(()).ok_or(managers_only),
        TeamAction::Delete => (actor == Owner).then_some(()).ok_or(owner_only),
        TeamAction::Admit(Owner) => Err(TeamRefusal::RoleRequired(
            "Nobody joins as owner: add them, then transfer ownership.",
        )),
        TeamAction::Admit(Admin) => (actor == Owner).then_some(()).ok_or(owner_only),
        TeamAction::Admit(Member | Guest) => actor.manages().then_some(()).ok_or(managers_only),
        TeamAction::ChangeRole { from, to, oneself } => {
            if from == to {
                return Ok(());
            }
            if oneself {
                // The owner hands over by promoting someone else; an admin
                // who wants less steps down by leaving.
                return Err(if actor == Owner {
                    TeamRefusal::OwnerRequired
                } else {
                    TeamRefusal::RoleRequired("You cannot change your own role.")
                });
            }
            match actor {
                Owner => Ok(()),
                Admin if from >= Member && to >= Member => Ok(()),
                Admin => Err(TeamRefusal::RoleRequired(
                    "Admins change roles below admin only; the owner decides about admins.",
                )),
                _ => Err(managers_only),
            }
        }
        TeamAction::Remove { role, oneself } => {
            if role == Owner {
                return Err(TeamRefusal::OwnerRequired);
            }
            if oneself {
                return Ok(());
            }
            match actor {
                Owner => Ok(()),
                Admin if role >= Member => Ok(()),
                Admin => Err(TeamRefusal::RoleRequired(
                    "Admins remove members and guests; only the owner removes an admin.",
                )),
                _ => Err(managers_only),
            }
        }
    }
}

/// A team's settings, chosen by its owner and admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamSettings {
    /// When true, a member who shares nothing finds nothing in team reach.
    pub reach_requires_sharing: bool,
    /// How many introduction requests a member may have open at once, 1 to
    /// 100.
    pub max_open_requests: u16,
    /// Days after which an unanswered introduction request expires, 1 to 90.
    pub request_expiry_days: u16,
    /// Days the audit log keeps an entry, 30 to 3650.
    pub audit_retention_days: u16,
    /// The team's own email domains (lower case), at most 20: addresses at
    /// them are colleagues, never indexed for reach.
    pub email_domains: Vec<String>,
}

impl Default for TeamSettings {
    fn default() -> Self {
        TeamSettings {
            reach_requires_sharing: false,
            max_open_requests: 10,
            request_expiry_days: 14,
            audit_retention_days: 365,
            email_domains: Vec::new(),
        }
    }
}

impl TeamSettings {
    /// Lower-cased and de-duplicated domains.
    pub fn normalize(mut self) -> Self {
        let mut domains: Vec<String> = Vec::new();
        for domain in self.email_domains {
            let domain = domain.to_lowercase();
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        self.email_domains = domains;
        self
    }

    fn check(&self, errors: &mut FieldErrors) {
        let range = |errors: &mut FieldErrors, field: &str, value: u16, low: u16, high: u16| {
            if !(low..=high).contains(&value) {
                errors.add(field, format!("must be between {low} and {high}"));
            }
        };
        range(errors, "max_open_requests", self.max_open_requests, 1, 100);
        range(
            errors,
            "request_expiry_days",
            self.request_expiry_days,
            1,
            90,
        );
        range(
            errors,
            "audit_retention_days",
            self.audit_retention_days,
            30,
            3650,
        );
        if self.email_domains.len() > TEAM_DOMAINS_MAX {
            errors.add(
                "email_domains",
                format!("must list at most {TEAM_DOMAINS_MAX} domains"),
            );
        }
        for (index, domain) in self.email_domains.iter().enumerate() {
            if !is_domain(domain) {
                errors.add(
                    &format!("email_domains[{index}]"),
                    "must be a domain name such as example.com",
                );
            }
        }
    }
}

/// A DNS name of at least two labels: letters, digits and inner hyphens.
pub fn is_domain(value: &str) -> bool {
    let labels: Vec<&str> = value.split('.').collect();
    value.len() <= DOMAIN_MAX
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `POST /teams`: a new team, whose creator becomes its owner. Unknown
/// fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    /// The team's name: 1 to 100 characters once surrounding whitespace is
    /// trimmed, on one line, without control characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "Northwind partners"
        )
    )]
    pub name: String,
    /// The team's own email domains (see `TeamSettings`), at most 20, each
    /// a domain name such as `example.com` (at most 253 characters; case is
    /// ignored); left out: none.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 20,
            max_length = 253,
            pattern = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
            example = json!(["northwind.example"])
        )
    )]
    pub email_domains: Vec<String>,
}

impl NewTeam {
    pub fn settings(&self) -> TeamSettings {
        TeamSettings {
            email_domains: self.email_domains.clone(),
            ..TeamSettings::default()
        }
        .normalize()
    }
}

impl Validate for NewTeam {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("name", validate::required_text(&self.name, TEAM_NAME_MAX));
        self.settings().check(&mut errors);
        errors.into_result()
    }
}

/// `PATCH /teams/{id}`: the fields to change; those left out stay.
/// Unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamPatch {
    /// A new name (as for `NewTeam.name`).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
        )
    )]
    pub name: Option<String>,
    /// When true, a member who shares nothing finds nothing in team reach.
    #[serde(default)]
    pub reach_requires_sharing: Option<bool>,
    /// Open introduction requests a member may have at once, 1 to 100.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub max_open_requests: Option<u16>,
    /// Days until an unanswered introduction request expires, 1 to 90.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub request_expiry_days: Option<u16>,
    /// Days the audit log keeps an entry, 30 to 3650.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 30, maximum = 3650))]
    pub audit_retention_days: Option<u16>,
    /// The team's own email domains, replacing the list: at most 20, each
    /// a domain name such as `example.com`.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_items = 20,
            max_length = 253,
            pattern = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
        )
    )]
    pub email_domains: Option<Vec<String>>,
}

impl TeamPatch {
    /// The name and settings once this patch is applied.
    pub fn apply(&self, name: &str, settings: &TeamSettings) -> (String, TeamSettings) {
        let name = self.name.as_deref().unwrap_or(name).trim().to_owned();
        let mut settings = settings.clone();
        if let Some(value) = self.reach_requires_sharing {
            settings.reach_requires_sharing = value;
        }
        if let Some(value) = self.max_open_requests {
            settings.max_open_requests = value;
        }
        if let Some(value) = self.request_expiry_days {
            settings.request_expiry_days = value;
        }
        if let Some(value) = self.audit_retention_days {
            settings.audit_retention_days = value;
        }
        if let Some(domains) = &self.email_domains {
            settings.email_domains = domains.clone();
        }
        (name, settings.normalize())
    }

    /// Checks the patched team.
    pub fn check(name: &str, settings: &TeamSettings) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("name", validate::required_text(name, TEAM_NAME_MAX));
        settings.check(&mut errors);
        errors.into_result()
    }
}

impl Validate for TeamPatch {
    /// Checks the fields sent (each one as the whole team is checked).
    fn validate(&self) -> Result<(), FieldErrors> {
        let (name, settings) = self.apply("-", &TeamSettings::default());
        TeamPatch::check(&name, &settings)
    }
}

/// A team as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    /// The team's id.
    pub id: Uuid,
    /// The team's name.
    pub name: String,
    /// Your role in it.
    pub my_role: TeamRole,
    /// How many people belong to it, guests included.
    pub member_count: i64,
    /// The team's settings.
    pub settings: TeamSettings,
    /// Changes with every change of the name or settings (the `ETag`).
    pub version: i64,
    /// When it was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When its name or settings last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

/// A member of a team. Guests see names only: for them every other field
/// is null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    /// The member's display name.
    pub display_name: String,
    /// The member's account id (null for a guest's view).
    pub user_id: Option<Uuid>,
    /// The member's email address (null for a guest's view).
    pub email: Option<String>,
    /// The member's role (null for a guest's view).
    pub role: Option<TeamRole>,
    /// When they joined (RFC 3339, UTC; null for a guest's view).
    pub joined_at: Option<DateTime<Utc>>,
}

/// `POST /teams/{id}/members`: add a user of this instance. Unknown fields
/// are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The email address the person signs in with on this instance.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 254,
            pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$",
            example = "ada@example.com"
        )
    )]
    pub email: String,
    /// `admin` (by the owner only), `member` or `guest`.
    pub role: AddedRole,
}

impl Validate for AddMemberRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("email", validate::email(&self.email));
        errors.into_result()
    }
}

/// `PATCH /teams/{id}/members/{user_id}`: a new role. Making someone
/// `owner` transfers ownership: the previous owner becomes an admin.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// The member's new role.
    pub role: TeamRole,
}

impl Validate for MemberPatch {
    fn validate(&self) -> Result<(), FieldErrors> {
        Ok(())
    }
}

/// `POST /teams/{id}/join-codes`: a single-use code to join. Unknown fields
/// are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateJoinCodeRequest {
    /// The role the code gives: `member` or `guest` (left out: `member`;
    /// admins are made by the owner, from members).
    #[serde(default)]
    pub role: Option<CodeRole>,
    /// Days until the code expires, 1 to 30; left out: 7.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 30, example = 7))]
    pub expires_in_days: Option<u32>,
}

impl CreateJoinCodeRequest {
    pub fn role(&self) -> TeamRole {
        self.role.map_or(TeamRole::Member, TeamRole::from)
    }
}

impl Validate for CreateJoinCodeRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(days) = self.expires_in_days {
            if !(1..=JOIN_CODE_DAYS_MAX).contains(&days) {
                errors.add(
                    "expires_in_days",
                    format!("must be between 1 and {JOIN_CODE_DAYS_MAX}"),
                );
            }
        }
        errors.into_result()
    }
}

/// A new join code; the code itself is in this answer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedJoinCode {
    /// The code's id.
    pub id: Uuid,
    /// The team it lets someone join.
    pub team_id: Uuid,
    /// The role it gives.
    pub role: TeamRole,
    /// When it stops working if unused (RFC 3339, UTC).
    pub expires_at: DateTime<Utc>,
    /// The code to hand over; they send it to `POST /teams/join`. It is
    /// kept only hashed, works once and cannot be shown again.
    pub code: String,
}

/// `POST /teams/join`: join a team with a code. Unknown fields are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinTeamRequest {
    /// The join code you were given (surrounding spaces are ignored).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
            example = "k3Jd9sLq0pXa2mBv7RtY"
        )
    )]
    pub code: String,
}

impl Validate for JoinTeamRequest {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("code", validate::required_text(&self.code, 100));
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TeamRole::*;

    #[test]
    fn only_the_owner_deletes_admits_admins_and_touches_admins() {
        assert!(permits(Owner, TeamAction::Delete).is_ok());
        for actor in [Admin, Member, Guest] {
            assert!(permits(actor, TeamAction::Delete).is_err());
            assert!(permits(actor, TeamAction::Admit(Admin)).is_err());
        }
        assert!(permits(Owner, TeamAction::Admit(Admin)).is_ok());
        assert!(permits(Owner, TeamAction::Admit(Owner)).is_err());
        let promote = |from, to| TeamAction::ChangeRole {
            from,
            to,
            oneself: false,
        };
        assert!(permits(Owner, promote(Member, Owner)).is_ok());
        assert!(permits(Admin, promote(Member, Admin)).is_err());
        assert!(permits(Admin, promote(Admin, Member)).is_err());
        assert!(permits(Admin, promote(Guest, Member)).is_ok());
        assert!(permits(Member, promote(Guest, Member)).is_err());
    }

    #[test]
    fn managers_manage_members_and_anyone_but_the_owner_may_leave() {
        for actor in [Owner, Admin] {
            assert!(permits(actor, TeamAction::Edit).is_ok());
            assert!(permits(actor, TeamAction::Admit(Guest)).is_ok());
            let remove = TeamAction::Remove {
                role: Member,
                oneself: false,
            };
            assert!(permits(actor, remove).is_ok());
        }
        for actor in [Member, Guest] {
            assert!(permits(actor, TeamAction::Edit).is_err());
            assert!(permits(actor, TeamAction::Admit(Guest)).is_err());
            let leave = TeamAction::Remove {
                role: actor,
                oneself: true,
            };
            assert!(permits(actor, leave).is_ok());
        }
        let leave = TeamAction::Remove {
            role: Owner,
            oneself: true,
        };
        assert_eq!(permits(Owner, leave), Err(TeamRefusal::OwnerRequired));
        let demote_self = TeamAction::ChangeRole {
            from: Owner,
            to: Admin,
            oneself: true,
        };
        assert_eq!(permits(Owner, demote_self), Err(TeamRefusal::OwnerRequired));
        let remove_admin = TeamAction::Remove {
            role: Admin,
            oneself: false,
        };
        assert!(permits(Admin, remove_admin).is_err());
        assert!(permits(Owner, remove_admin).is_ok());
    }

    #[test]
    fn settings_are_bounded_and_domains_normalised() {
        let team = NewTeam {
            name: "  Northwind ".into(),
            email_domains: vec!["NorthWind.example".into(), "x".into()],
        };
        let errors = team.validate().unwrap_err().into_vec();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "email_domains[1]");
        let team = NewTeam {
            email_domains: vec!["NorthWind.example".into()],
            ..team
        };
        assert!(team.validate().is_ok());
        assert_eq!(team.settings().email_domains, ["northwind.example"]);
        let patch = TeamPatch {
            max_open_requests: Some(0),
            ..TeamPatch::default()
        };
        let (name, settings) = patch.apply(" Northwind ", &TeamSettings::default());
        assert_eq!(name, "Northwind");
        assert!(TeamPatch::check(&name, &settings).is_err());
        assert!(!is_domain("-a.example") && !is_domain("example") && is_domain("a-b.co.uk"));
        assert!(!is_domain("@a.example") && !is_domain(" a.example"));
        let long = format!(
            "{}.{}.{}.{}",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(62)
        );
        assert_eq!(long.len(), 254);
        assert!(!is_domain(&long) && is_domain(&long[1..]));
    }
}
