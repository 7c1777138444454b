//! Sharing with teams and the team index (see [`crate::sharing`] and
//! [`crate::backend`]).

use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use rapport_core::contact::NewContact;
use rapport_core::sharing::{
    effective_level, ContactShare, LevelInputs, ShareFilter, ShareLevel, Sharing, TagRule,
};
use rapport_core::team::{TeamRefusal, TeamRole};
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use crate::backend::{Args, Conn, Db, Row, Sql, SqlBackend, Statement};
use crate::network::{normalize_url, prefix_end};
use crate::sharing::{ReachHit, ReachQuery};
use crate::sql::network::{contact_data_columns, to_json, ContactDataRow};
use crate::sql::{comfort, json_list, parsed, small};
use crate::StoreError;

/// Contacts per statement when the index is rewritten.
const CHUNK: usize = 500;
/// Words of a query looked at.
const QUERY_WORDS_MAX: usize = 5;

/// Lower case, accents taken off (`Zoë Åberg` → `zoe aberg`).
pub(crate) fn fold(text: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    text.to_lowercase()
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

/// The folded words of a text (letters and digits), at most 40 characters
/// each.
pub(crate) fn folded_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(crate::network::WORD_MAX_CHARS).collect())
        .collect();
    words.dedup();
    words
}

/// The keyed hash of a term (16 bytes of HMAC-SHA-256).
fn hash(key: &[u8], term: &str) -> Vec<u8> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(term.as_bytes());
    mac.finalize().into_bytes()[..16].to_vec()
}

/// A row's handle: unguessable, and the same for the same team and contact.
fn handle(key: &[u8], team: Uuid, contact: Uuid) -> String {
    hash(key, &format!("handle:{team}:{contact}"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a contact shared with a team puts in the index: (kind, term).
fn terms_of(data: &NewContact) -> Vec<(&'static str, String)> {
    let mut terms: Vec<(&'static str, String)> = crate::network::contact_keys(data)
        .into_iter()
        .map(|key| ("key", key))
        .collect();
    for word in folded_words(&data.name) {
        terms.push(("word", format!("n:{word}")));
    }
    for word in folded_words(data.company.as_deref().unwrap_or_default()) {
        terms.push(("word", format!("c:{word}")));
    }
    let person = format!(
        "person:{}|{}",
        folded_words(&data.name).join(" "),
        folded_words(data.company.as_deref().unwrap_or_default()).join(" ")
    );
    terms.push(("person", person));
    terms.sort();
    terms.dedup_by(|a, b| a.1 == b.1);
    terms
}

/// The prefix-searchable words of a profile row.
fn words_of(data: &NewContact) -> Vec<String> {
    let mut words: Vec<String> = folded_words(&data.name)
        .into_iter()
        .map(|w| format!("n:{w}"))
        .chain(
            folded_words(data.company.as_deref().unwrap_or_default())
                .into_iter()
                .map(|w| format!("c:{w}")),
        )
        .collect();
    words.sort();
    words.dedup();
    words
}

#[derive(sqlx::FromRow)]
struct SharingRow {
    default_level: String,
    rules: String,
    blocked_people: String,
    blocked_domains: String,
}

impl TryFrom<SharingRow> for Sharing {
    type Error = StoreError;

    fn try_from(row: SharingRow) -> crate::Result<Self> {
        let rules: Vec<TagRule> = serde_json::from_str(&row.rules)
            .map_err(|_| StoreError::corrupt("team_sharing.rules", &row.rules))?;
        Ok(Sharing {
            default_level: parsed(
                "team_sharing.default_level",
                &row.default_level,
                ShareLevel::parse,
            )?,
            rules,
            blocked_people: json_list("team_sharing.blocked_people", &row.blocked_people)?,
            blocked_domains: json_list("team_sharing.blocked_domains", &row.blocked_domains)?,
        })
    }
}

/// A team where the owner of the contacts shares, with their sharing.
#[derive(sqlx::FromRow)]
struct SharingTeamRow {
    team_id: Uuid,
    email_domains: String,
    default_level: Option<String>,
    rules: Option<String>,
    blocked_people: Option<String>,
    blocked_domains: Option<String>,
}

struct SharingTeam {
    id: Uuid,
    domains: Vec<String>,
    sharing: Sharing,
}

impl TryFrom<SharingTeamRow> for SharingTeam {
    type Error = StoreError;

    fn try_from(row: SharingTeamRow) -> crate::Result<Self> {
        let sharing = match (
            row.default_level,
            row.rules,
            row.blocked_people,
            row.blocked_domains,
        ) {
            (Some(default_level), Some(rules), Some(blocked_people), Some(blocked_domains)) => {
                SharingRow {
                    default_level,
                    rules,
                    blocked_people,
                    blocked_domains,
                }
                .try_into()?
            }
            _ => Sharing::default(),
        };
        Ok(SharingTeam {
            id: row.team_id,
            domains: json_list("teams.email_domains", &row.email_domains)?,
            sharing,
        })
    }
}

#[derive(sqlx::FromRow)]
struct IndexedContactRow {
    id: Uuid,
    #[sqlx(flatten)]
    data: ContactDataRow,
}

#[derive(sqlx::FromRow)]
struct HitRow {
    contact_id: Uuid,
    handle: String,
    owner_id: Uuid,
    owner_name: String,
    level: String,
    name: Option<String>,
    company: Option<String>,
    title: Option<String>,
    comfort: Option<i32>,
    familiarity: i32,
    last_interaction_on: Option<NaiveDate>,
}

impl<B> Sql<B>
where
    B: SqlBackend,
    for<'c> &'c mut Conn<B>: Executor<'c, Database = Db<B>>,
    for<'q> Args<'q, B>: IntoArguments<'q, Db<B>>,
    for<'r> &'r str: ColumnIndex<Row<B>>,
    usize: ColumnIndex<Row<B>>,
    for<'q, 'r> Uuid: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> String: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i64: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i32: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> bool: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> DateTime<Utc>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> NaiveDate: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> Vec<u8>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>>,
    for<'q> Option<DateTime<Utc>>: Encode<'q, Db<B>>,
    for<'q> Option<NaiveDate>: Encode<'q, Db<B>>,
{
    /// The key of the index's hashes, made on first use.
    pub(crate) async fn index_key(conn: &mut Conn<B>) -> crate::Result<Vec<u8>> {
        let read = "SELECT value FROM instance_secrets WHERE name = 'team_index'";
        if let Some(key) = sqlx::query_scalar(read).fetch_optional(&mut *conn).await? {
            return Ok(key);
        }
        // 244 random bits from the system's generator.
        let fresh = [*Uuid::new_v4().as_bytes(), *Uuid::new_v4().as_bytes()].concat();
        sqlx::query(
            "INSERT INTO instance_secrets (name, value) VALUES ('team_index', $1)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(fresh)
        .execute(&mut *conn)
        .await?;
        Ok(sqlx::query_scalar(read).fetch_one(&mut *conn).await?)
    }

    /// The key, if anyone ever shared (a search before that finds nothing).
    async fn index_key_if_any(conn: &mut Conn<B>) -> crate::Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = 'team_index'")
                .fetch_optional(&mut *conn)
                .await?,
        )
    }

    /// Brings the team index up to date for these contacts of `owner`, in
    /// every team where the owner shares (or in `only` team): one cheap
    /// read when the owner shares with no team.
    pub(crate) async fn index_contacts(
        conn: &mut Conn<B>,
        owner: Uuid,
        contacts: &[(Uuid, &NewContact)],
        only: Option<Uuid>,
    ) -> crate::Result<()> {
        if contacts.is_empty() {
            return Ok(());
        }
        let rows: Vec<SharingTeamRow> = sqlx::query_as(
            "SELECT m.team_id, t.email_domains, s.default_level, s.rules, s.blocked_people,
                s.blocked_domains
             FROM team_members m JOIN teams t ON t.id = m.team_id
             LEFT JOIN team_sharing s ON s.team_id = m.team_id AND s.user_id = m.user_id
             WHERE m.user_id = $1 AND m.role <> 'guest'",
        )
        .bind(owner)
        .fetch_all(&mut *conn)
        .await?;
        let teams: Vec<SharingTeam> = rows
            .into_iter()
            .map(SharingTeam::try_from)
            .filter(|team| {
                team.as_ref()
                    .map_or(true, |t| only.is_none_or(|id| id == t.id))
            })
            .collect::<crate::Result<_>>()?;
        if teams.is_empty() {
            return Ok(());
        }
        let key = Self::index_key(conn).await?;
        for chunk in contacts.chunks(CHUNK) {
            let ids = chunk.iter().map(|(id, _)| *id);
            let mut statement = Statement::<B>::new("DELETE FROM team_index WHERE owner_id = ");
            statement.push_bind(owner).push(" AND contact_id IN (");
            statement.push_list(ids.clone()).push(")");
            if let Some(team) = only {
                statement.push(" AND team_id = ").push_bind(team);
            }
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *conn).await?;

            let mut statement = Statement::<B>::new(
                "SELECT team_id, contact_id, level FROM team_contact_shares WHERE user_id = ",
            );
            statement.push_bind(owner).push(" AND contact_id IN (");
            statement.push_list(ids).push(")");
            let (sql, args) = statement.into_parts()?;
            let chosen: Vec<(Uuid, Uuid, String)> = sqlx::query_as_with(&sql, args)
                .fetch_all(&mut *conn)
                .await?;
            let chosen: std::collections::HashMap<(Uuid, Uuid), ShareLevel> = chosen
                .into_iter()
                .map(|(team, contact, level)| {
                    parsed("team_contact_shares.level", &level, ShareLevel::parse)
                        .map(|level| ((team, contact), level))
                })
                .collect::<crate::Result<_>>()?;

            let mut rows = Vec::new();
            let mut terms = Vec::new();
            let mut words = Vec::new();
            for team in &teams {
                for (id, data) in chunk {
                    let emails: Vec<String> = data
                        .emails
                        .iter()
                        .map(|e| e.trim().to_lowercase())
                        .collect();
                    let urls: Vec<String> = data.urls.iter().map(|u| normalize_url(u)).collect();
                    let level = effective_level(
                        &team.sharing,
                        &team.domains,
                        &LevelInputs {
                            chosen: chosen.get(&(team.id, *id)).copied(),
                            tags: &data.tags,
                            emails: &emails,
                            urls: &urls,
                            archived: data.archived,
                        },
                    );
                    let profile = match level {
                        ShareLevel::Hidden => continue,
                        ShareLevel::Signal => false,
                        ShareLevel::Profile => true,
                    };
                    rows.push((
                        team.id,
                        *id,
                        level,
                        handle(&key, team.id, *id),
                        profile,
                        *data,
                    ));
                    for (kind, term) in terms_of(data) {
                        terms.push((team.id, hash(&key, &term), *id, kind));
                    }
                    if profile {
                        for word in words_of(data) {
                            words.push((team.id, word, *id));
                        }
                    }
                }
            }
            for rows in rows.chunks(B::VALUES_PER_STATEMENT / 8) {
                let mut statement = Statement::<B>::rows(
                    "INSERT INTO team_index (team_id, contact_id, owner_id, level, handle, name,
                        company, title) VALUES ",
                );
                for (index, (team, id, level, handle, profile, data)) in rows.iter().enumerate() {
                    if index > 0 {
                        statement.push(", ");
                    }
                    let shown = |value: Option<&String>| value.filter(|_| *profile).cloned();
                    statement.push("(").push_bind(*team);
                    statement.push(", ").push_bind(*id);
                    statement.push(", ").push_bind(owner);
                    statement.push(", ").push_bind(level.as_str());
                    statement.push(", ").push_bind(handle.clone());
                    statement.push(", ").push_bind(shown(Some(&data.name)));
                    statement.push(", ").push_bind(shown(data.company.as_ref()));
                    statement.push(", ").push_bind(shown(data.title.as_ref()));
                    statement.push(")");
                }
                let (sql, args) = statement.into_parts()?;
                sqlx::query_with(&sql, args).execute(&mut *conn).await?;
            }
            terms.sort_by(|a, b| a.1.cmp(&b.1));
            for terms in terms.chunks(B::VALUES_PER_STATEMENT / 4) {
                let mut statement = Statement::<B>::rows(
                    "INSERT INTO team_index_terms (team_id, term, contact_id, kind) VALUES ",
                );
                for (index, (team, term, id, kind)) in terms.iter().enumerate() {
                    if index > 0 {
                        statement.push(", ");
                    }
                    statement.push("(").push_bind(*team);
                    statement.push(", ").push_bind(term.clone());
                    statement.push(", ").push_bind(*id);
                    statement.push(", ").push_bind(*kind).push(")");
                }
                // The same term twice for one row (an email written twice).
                statement.push(" ON CONFLICT DO NOTHING");
                let (sql, args) = statement.into_parts()?;
                sqlx::query_with(&sql, args).execute(&mut *conn).await?;
            }
            words.sort_by(|a, b| a.1.cmp(&b.1));
            Self::insert_rows(
                &mut *conn,
                "INSERT INTO team_index_words (team_id, word, contact_id) VALUES ",
                words,
            )
            .await?;
        }
        Ok(())
    }

    /// Rewrites the index of all of `owner`'s contacts in one team (after
    /// a change of their sharing rules, or of their role).
    pub(crate) async fn index_all(
        conn: &mut Conn<B>,
        owner: Uuid,
        team: Uuid,
    ) -> crate::Result<()> {
        sqlx::query("DELETE FROM team_index WHERE team_id = $1 AND owner_id = $2")
            .bind(team)
            .bind(owner)
            .execute(&mut *conn)
            .await?;
        let rows: Vec<IndexedContactRow> = sqlx::query_as(concat!(
            "SELECT id, ",
            contact_data_columns!(),
            " FROM contacts WHERE owner_id = $1 AND archived = false"
        ))
        .bind(owner)
        .fetch_all(&mut *conn)
        .await?;
        let contacts: Vec<(Uuid, NewContact)> = rows
            .into_iter()
            .map(|row| Ok((row.id, NewContact::try_from(row.data)?)))
            .collect::<crate::Result<_>>()?;
        let borrowed: Vec<(Uuid, &NewContact)> = contacts.iter().map(|(id, c)| (*id, c)).collect();
        Self::index_contacts(conn, owner, &borrowed, Some(team)).await
    }

    /// One contact of `owner`, for the index (`NotFound` when not theirs).
    async fn contact_for_index(
        conn: &mut Conn<B>,
        owner: Uuid,
        contact: Uuid,
    ) -> crate::Result<NewContact> {
        let row: Option<ContactDataRow> = sqlx::query_as(concat!(
            "SELECT ",
            contact_data_columns!(),
            " FROM contacts WHERE id = $1 AND owner_id = $2"
        ))
        .bind(contact)
        .bind(owner)
        .fetch_optional(&mut *conn)
        .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// `user`'s role in `team`, if a member (`NotFound` otherwise); a
    /// guest who would share is refused.
    async fn sharing_member(
        conn: &mut Conn<B>,
        user: Uuid,
        team: Uuid,
        shares: bool,
    ) -> crate::Result<TeamRole> {
        let role = Sql::<B>::role_in(conn, user, team)
            .await?
            .ok_or(StoreError::NotFound)?;
        if shares && role == TeamRole::Guest {
            return Err(StoreError::Team(TeamRefusal::RoleRequired(
                "Guests share nothing: they search what members share.",
            )));
        }
        Ok(role)
    }

    async fn sharing_of(conn: &mut Conn<B>, user: Uuid, team: Uuid) -> crate::Result<Sharing> {
        let row: Option<SharingRow> = sqlx::query_as(
            "SELECT default_level, rules, blocked_people, blocked_domains FROM team_sharing
             WHERE team_id = $1 AND user_id = $2",
        )
        .bind(team)
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?;
        row.map_or(Ok(Sharing::default()), TryInto::try_into)
    }

    /// A contact's sharing with a team (the caller has checked whose
    /// contact it is).
    async fn share_of(
        conn: &mut Conn<B>,
        team: Uuid,
        contact: Uuid,
    ) -> crate::Result<ContactShare> {
        let chosen: Option<String> = sqlx::query_scalar(
            "SELECT level FROM team_contact_shares WHERE team_id = $1 AND contact_id = $2",
        )
        .bind(team)
        .bind(contact)
        .fetch_optional(&mut *conn)
        .await?;
        let level: Option<String> = sqlx::query_scalar(
            "SELECT level FROM team_index WHERE team_id = $1 AND contact_id = $2",
        )
        .bind(team)
        .bind(contact)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(ContactShare {
            contact_id: contact,
            team_id: team,
            chosen: chosen
                .map(|l| parsed("team_contact_shares.level", &l, ShareLevel::parse))
                .transpose()?,
            level: level
                .map(|l| parsed("team_index.level", &l, ShareLevel::parse))
                .transpose()?
                .unwrap_or(ShareLevel::Hidden),
        })
    }
}

#[async_trait::async_trait]
impl<B> crate::SharingStore for B
where
    B: SqlBackend,
    for<'c> &'c mut Conn<B>: Executor<'c, Database = Db<B>>,
    for<'q> Args<'q, B>: IntoArguments<'q, Db<B>>,
    for<'r> &'r str: ColumnIndex<Row<B>>,
    usize: ColumnIndex<Row<B>>,
    for<'q, 'r> Uuid: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> String: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i64: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> i32: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> bool: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> DateTime<Utc>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q, 'r> NaiveDate: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q, 'r> Vec<u8>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>>,
    for<'q> Option<DateTime<Utc>>: Encode<'q, Db<B>>,
    for<'q> Option<NaiveDate>: Encode<'q, Db<B>>,
{
    async fn sharing(&self, user: Uuid, team: Uuid) -> crate::Result<Sharing> {
        let mut conn = self.reader().acquire().await?;
        Sql::<B>::sharing_member(&mut conn, user, team, false).await?;
        Sql::<B>::sharing_of(&mut conn, user, team).await
    }

    async fn put_sharing(
        &self,
        user: Uuid,
        team: Uuid,
        sharing: Sharing,
    ) -> crate::Result<Sharing> {
        let mut tx = self.begin_write().await?;
        Sql::<B>::sharing_member(&mut tx, user, team, true).await?;
        sqlx::query(
            "INSERT INTO team_sharing (team_id, user_id, default_level, rules, blocked_people,
                blocked_domains, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (team_id, user_id) DO UPDATE SET default_level = $3, rules = $4,
                blocked_people = $5, blocked_domains = $6, updated_at = $7",
        )
        .bind(team)
        .bind(user)
        .bind(sharing.default_level.as_str())
        .bind(to_json(&sharing.rules))
        .bind(to_json(&sharing.blocked_people))
        .bind(to_json(&sharing.blocked_domains))
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        Sql::<B>::index_all(&mut tx, user, team).await?;
        Sql::<B>::audit(
            &mut tx,
            crate::sql::audit::Entry {
                team,
                subject: Some(user),
                actor: user,
                kind: rapport_core::sharing::AuditKind::SharingChanged,
                contacts: &[],
                detail: format!(
                    "You set your default to {}, with {} rules by tag, {} blocked people and {} \
                     blocked domains",
                    sharing.default_level.as_str(),
                    sharing.rules.len(),
                    sharing.blocked_people.len(),
                    sharing.blocked_domains.len()
                ),
            },
        )
        .await?;
        let stored = Sql::<B>::sharing_of(&mut tx, user, team).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn contact_share(
        &self,
        user: Uuid,
        team: Uuid,
        contact: Uuid,
    ) -> crate::Result<ContactShare> {
        let mut conn = self.reader().acquire().await?;
        Sql::<B>::sharing_member(&mut conn, user, team, false).await?;
        Sql::<B>::contact_for_index(&mut conn, user, contact).await?;
        Sql::<B>::share_of(&mut conn, team, contact).await
    }

    async fn set_contact_share(
        &self,
        user: Uuid,
        team: Uuid,
        contact: Uuid,
        level: Option<ShareLevel>,
    ) -> crate::Result<ContactShare> {
        let mut tx = self.begin_write().await?;
        Sql::<B>::sharing_member(&mut tx, user, team, true).await?;
        let data = Sql::<B>::contact_for_index(&mut tx, user, contact).await?;
        match level {
            Some(level) => {
                sqlx::query(
                    "INSERT INTO team_contact_shares (team_id, contact_id, user_id, level)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (team_id, contact_id) DO UPDATE SET level = $4",
                )
                .bind(team)
                .bind(contact)
                .bind(user)
                .bind(level.as_str())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM team_contact_shares WHERE team_id = $1 AND contact_id = $2",
                )
                .bind(team)
                .bind(contact)
                .execute(&mut *tx)
                .await?;
            }
        }
        Sql::<B>::index_contacts(&mut tx, user, &[(contact, &data)], Some(team)).await?;
        let share = Sql::<B>::share_of(&mut tx, team, contact).await?;
        let level_name = level.map_or("your rules", ShareLevel::as_str);
        Sql::<B>::audit(
            &mut tx,
            crate::sql::audit::Entry {
                team,
                subject: Some(user),
                actor: user,
                kind: rapport_core::sharing::AuditKind::ContactShareChanged,
                contacts: &[contact],
                detail: format!("You set this contact to {level_name}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(share)
    }

    async fn bulk_share(
        &self,
        user: Uuid,
        team: Uuid,
        filter: &ShareFilter,
        level: Option<ShareLevel>,
        dry_run: bool,
    ) -> crate::Result<u64> {
        let mut tx = self.begin_write().await?;
        Sql::<B>::sharing_member(&mut tx, user, team, true).await?;
        let mut statement = Statement::<B>::new("SELECT id FROM contacts WHERE owner_id = ");
        statement.push_bind(user).push(" AND archived = false");
        if let Some(tag) = &filter.tag {
            statement
                .push(" AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = contacts.id AND t.owner_id = ")
                .push_bind(user)
                .push(" AND t.tag = ")
                .push_bind(tag.trim().to_lowercase())
                .push(")");
        }
        if let Some(v) = filter.comfort_min {
            statement.push(" AND comfort >= ").push_bind(i32::from(v));
        }
        if let Some(v) = filter.comfort_max {
            statement.push(" AND comfort <= ").push_bind(i32::from(v));
        }
        if let Some(v) = filter.familiarity_min {
            statement
                .push(" AND familiarity >= ")
                .push_bind(i32::from(v));
        }
        if let Some(company) = &filter.company {
            statement
                .push(" AND LOWER(company) = ")
                .push_bind(company.trim().to_lowercase());
        }
        let (sql, args) = statement.into_parts()?;
        let ids: Vec<Uuid> = sqlx::query_scalar_with(&sql, args)
            .fetch_all(&mut *tx)
            .await?;
        let count = ids.len() as u64;
        if dry_run || ids.is_empty() {
            return Ok(count);
        }
        for chunk in ids.chunks(CHUNK) {
            let mut statement =
                Statement::<B>::new("DELETE FROM team_contact_shares WHERE team_id = ");
            statement.push_bind(team).push(" AND contact_id IN (");
            statement.push_list(chunk.iter().copied()).push(")");
            let (sql, args) = statement.into_parts()?;
            sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        }
        if let Some(level) = level {
            for chunk in ids.chunks(B::VALUES_PER_STATEMENT / 4) {
                let mut statement = Statement::<B>::rows(
                    "INSERT INTO team_contact_shares (team_id, contact_id, user_id, level) VALUES ",
                );
                for (index, id) in chunk.iter().enumerate() {
                    if index > 0 {
                        statement.push(", ");
                    }
                    statement.push("(").push_bind(team);
                    statement.push(", ").push_bind(*id);
                    statement.push(", ").push_bind(user);
                    statement.push(", ").push_bind(level.as_str()).push(")");
                }
                let (sql, args) = statement.into_parts()?;
                sqlx::query_with(&sql, args).execute(&mut *tx).await?;
            }
        }
        Sql::<B>::index_all(&mut tx, user, team).await?;
        let level_name = level.map_or("your rules", ShareLevel::as_str);
        Sql::<B>::audit(
            &mut tx,
            crate::sql::audit::Entry {
                team,
                subject: Some(user),
                actor: user,
                kind: rapport_core::sharing::AuditKind::BulkShareChanged,
                contacts: &[],
                detail: format!("You set {count} contacts to {level_name}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(count)
    }

    async fn reach(
        &self,
        user: Uuid,
        team: Uuid,
        query: &ReachQuery,
    ) -> crate::Result<Vec<ReachHit>> {
        let mut conn = self.reader().acquire().await?;
        let role = Sql::<B>::sharing_member(&mut conn, user, team, false).await?;
        if role != TeamRole::Guest {
            let requires: bool =
                sqlx::query_scalar("SELECT reach_requires_sharing FROM teams WHERE id = $1")
                    .bind(team)
                    .fetch_one(&mut *conn)
                    .await?;
            if requires {
                let shares: Option<i32> = sqlx::query_scalar(
                    "SELECT 1 FROM team_index WHERE team_id = $1 AND owner_id = $2 LIMIT 1",
                )
                .bind(team)
                .bind(user)
                .fetch_optional(&mut *conn)
                .await?;
                if shares.is_none() {
                    return Ok(Vec::new());
                }
            }
        }
        let Some(key) = Sql::<B>::index_key_if_any(&mut conn).await? else {
            return Ok(Vec::new());
        };
        let mut statement = Statement::<B>::new(
            "SELECT i.contact_id, i.handle, i.owner_id, u.display_name AS owner_name, i.level,
                i.name, i.company, i.title, c.comfort, c.familiarity, c.last_interaction_on
             FROM team_index i JOIN contacts c ON c.id = i.contact_id
             JOIN users u ON u.id = i.owner_id
             WHERE i.team_id = ",
        );
        statement
            .push_bind(team)
            .push(" AND i.owner_id <> ")
            .push_bind(user);
        if role == TeamRole::Guest {
            statement.push(" AND i.level = 'profile'");
        }
        let mut conditions = 0;
        let q = query.q.as_deref().map(str::trim).unwrap_or_default();
        let exact = if q.contains('@') && !q.contains(char::is_whitespace) {
            Some(format!("email:{}", q.to_lowercase()))
        } else if normalize_url(q).starts_with("linkedin.com/") {
            Some(format!("url:{}", normalize_url(q)))
        } else {
            None
        };
        let mut word_conditions: Vec<(Vec<&'static str>, String)> = Vec::new();
        if exact.is_none() {
            for word in folded_words(q).into_iter().take(QUERY_WORDS_MAX) {
                word_conditions.push((vec!["n:", "c:"], word));
            }
        }
        let company = query.company.as_deref().unwrap_or_default();
        for word in folded_words(company).into_iter().take(QUERY_WORDS_MAX) {
            word_conditions.push((vec!["c:"], word));
        }
        if let Some(term) = &exact {
            statement
                .push(" AND i.contact_id IN (SELECT contact_id FROM team_index_terms WHERE team_id = ")
                .push_bind(team)
                .push(" AND term = ")
                .push_bind(hash(&key, term))
                .push(")");
            conditions += 1;
        }
        for (fields, word) in &word_conditions {
            statement
                .push(" AND i.contact_id IN (SELECT contact_id FROM team_index_words WHERE team_id = ")
                .push_bind(team)
                .push(" AND (");
            for (index, field) in fields.iter().enumerate() {
                if index > 0 {
                    statement.push(" OR ");
                }
                let prefix = format!("{field}{word}");
                statement
                    .push("(word >= ")
                    .push_bind(prefix.clone())
                    .push(" AND word < ")
                    .push_bind(prefix_end(&prefix))
                    .push(")");
            }
            statement
                .push(") UNION SELECT contact_id FROM team_index_terms WHERE team_id = ")
                .push_bind(team)
                .push(" AND term IN (");
            statement.push_list(
                fields
                    .iter()
                    .map(|field| hash(&key, &format!("{field}{word}"))),
            );
            statement.push("))");
            conditions += 1;
        }
        if conditions == 0 {
            return Ok(Vec::new());
        }
        statement.push_limit(query.limit);
        let (sql, args) = statement.into_parts()?;
        let rows: Vec<HitRow> = sqlx::query_as_with(&sql, args)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut statement = Statement::<B>::new(
            "SELECT contact_id, term FROM team_index_terms WHERE kind IN ('key', 'person') AND team_id = ",
        );
        statement.push_bind(team).push(" AND contact_id IN (");
        statement
            .push_list(rows.iter().map(|row| row.contact_id))
            .push(")");
        let (sql, args) = statement.into_parts()?;
        let identities: Vec<(Uuid, Vec<u8>)> = sqlx::query_as_with(&sql, args)
            .fetch_all(&mut *conn)
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(ReachHit {
                    identity: identities
                        .iter()
                        .filter(|(id, _)| *id == row.contact_id)
                        .map(|(_, term)| term.clone())
                        .collect(),
                    contact_id: row.contact_id,
                    handle: row.handle,
                    owner_id: row.owner_id,
                    owner_name: row.owner_name,
                    level: parsed("team_index.level", &row.level, ShareLevel::parse)?,
                    name: row.name,
                    company: row.company,
                    title: row.title,
                    comfort: comfort(row.comfort)?,
                    familiarity: small("contacts.familiarity", row.familiarity)?,
                    last_interaction_on: row.last_interaction_on,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_accents_and_case_and_terms_never_hold_raw_values() {
        assert_eq!(folded_words("Zoë ÅBERG-Núñez"), ["zoe", "aberg", "nunez"]);
        let data = NewContact {
            name: "Zoë Åberg".into(),
            company: Some("Acme".into()),
            emails: vec!["Zoe@Acme.example".into()],
            ..NewContact::default()
        };
        let terms = terms_of(&data);
        assert!(terms.contains(&("key", "email:zoe@acme.example".to_owned())));
        assert!(terms.contains(&("word", "n:zoe".to_owned())));
        assert!(terms.contains(&("person", "person:zoe aberg|acme".to_owned())));
        assert_eq!(words_of(&data), ["c:acme", "n:aberg", "n:zoe"]);
        let key = b"key";
        assert_eq!(hash(key, "n:zoe").len(), 16);
        assert_ne!(hash(key, "n:zoe"), hash(b"other key", "n:zoe"));
        let (team, contact) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(handle(key, team, contact), handle(key, team, contact));
        assert_ne!(
            handle(key, team, contact),
            handle(key, team, Uuid::new_v4())
        );
    }
}
