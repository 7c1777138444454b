//! Teams: who may create one, and how a team and its members look to the
//! member who asks. What a member may change is decided by the store, in
//! the transaction of the change (see `rapport_storage::teams`).

use rapport_core::account::Role;
use rapport_core::team::{Team, TeamMember, TeamRole};
use rapport_storage::{MemberRecord, TeamRecord};

use crate::config::TeamCreation;

/// Whether an account with this instance role may create a team.
pub fn may_create(setting: TeamCreation, role: Role) -> bool {
    setting == TeamCreation::Anyone || role == Role::Admin
}

/// The API view of a team.
pub fn team_view(record: TeamRecord) -> Team {
    Team {
        id: record.id,
        name: record.name,
        my_role: record.my_role,
        member_count: record.member_count,
        settings: record.settings,
        version: record.version,
        created_at: record.created_at,
        updated_at: record.updated_at,
    }
}

/// A member as `viewer` (a member of the same team) may see them: a guest
/// sees names only.
pub fn member_view(record: MemberRecord, viewer: TeamRole) -> TeamMember {
    if viewer == TeamRole::Guest {
        return TeamMember {
            display_name: record.display_name,
            user_id: None,
            email: None,
            role: None,
            joined_at: None,
        };
    }
    TeamMember {
        display_name: record.display_name,
        user_id: Some(record.user_id),
        email: Some(record.email),
        role: Some(record.role),
        joined_at: Some(record.joined_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guests_see_names_only_and_admins_alone_create_teams_by_default() {
        let record = MemberRecord {
            user_id: uuid::Uuid::new_v4(),
            display_name: "Ada".into(),
            email: "ada@example.com".into(),
            role: TeamRole::Admin,
            joined_at: chrono::Utc::now(),
        };
        let seen = member_view(record.clone(), TeamRole::Guest);
        assert_eq!(seen.display_name, "Ada");
        assert!(seen.user_id.is_none() && seen.email.is_none() && seen.role.is_none());
        assert!(seen.joined_at.is_none());
        let seen = member_view(record, TeamRole::Member);
        assert_eq!(seen.email.as_deref(), Some("ada@example.com"));
        assert!(!may_create(TeamCreation::default(), Role::User));
        assert!(may_create(TeamCreation::Admins, Role::Admin));
        assert!(may_create(TeamCreation::Anyone, Role::User));
    }
}
