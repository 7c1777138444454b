//! The nurture queue, my to-do list: the storage's queries for each kind
//! of to-do, merged into one page in the order of [`NurturePosition`].
//!
//! Overdue contacts and contacts ready to ask come from the contact list
//! (its `due_by` and `ready_to_ask` filters), waiting introductions from
//! the introduction list, the rest from [`NurtureStore`]'s own queries. No
//! query reads more than the page it is asked for.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rapport_core::familiarity::is_mismatch;
use rapport_core::introduction::IntroductionStatus;
use rapport_core::nurture::{
    NurtureCandidate, NurtureContact, NurtureFacts, NurtureItem, NurtureKind, NurturePosition,
    AWAITING_ANSWER_DAYS, FOLLOW_UP_HORIZON_DAYS,
};
use rapport_storage::network::sort_name;
use rapport_storage::nurture::Resume;
use rapport_storage::{
    ContactQuery, ContactRecord, ContactSort, IntroductionOrder, IntroductionQuery, Result,
    SortKey, Store,
};
use uuid::Uuid;

/// One page of my nurture queue, ready to show: up to `limit` items after
/// `after`, and the position of the last one when more follow.
pub async fn page(
    store: &dyn Store,
    owner: Uuid,
    today: NaiveDate,
    after: Option<NurturePosition>,
    limit: u32,
) -> Result<(Vec<NurtureItem>, Option<NurturePosition>)> {
    let mut candidates = queue(
        store,
        owner,
        &NurtureQuery {
            today,
            after,
            limit: limit + 1,
        },
    )
    .await?;
    let more = candidates.len() > limit as usize;
    candidates.truncate(limit as usize);
    let next = more
        .then(|| candidates.last().map(|last| last.position.clone()))
        .flatten();
    let settings = store.settings(owner).await?;
    let items = candidates
        .into_iter()
        .map(|candidate| candidate.into_item(&settings, today))
        .collect();
    Ok((items, next))
}

/// A page of the nurture queue.
#[derive(Debug, Clone)]
pub struct NurtureQuery {
    pub today: NaiveDate,
    /// The position of the last item of the previous page.
    pub after: Option<NurturePosition>,
    /// How many items to return at most.
    pub limit: u32,
}

/// What to read of one kind for a page that starts after `cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    /// The cursor is past every item of this kind.
    Skip,
    Start,
    /// Only items dated on or after this day (an earlier kind on the
    /// cursor's day: its items on that day are already shown).
    FromDay(NaiveDate),
    /// The cursor is an item of this kind.
    AfterCursor,
}

fn plan(kind: NurtureKind, cursor: Option<&NurturePosition>) -> Plan {
    let Some(cursor) = cursor else {
        return Plan::Start;
    };
    let (group, rank) = kind.order();
    let (cursor_group, cursor_day, cursor_rank) = cursor.urgency();
    if group != cursor_group {
        return if group > cursor_group {
            Plan::Start
        } else {
            Plan::Skip
        };
    }
    if rank == cursor_rank {
        return Plan::AfterCursor;
    }
    // Two dated kinds: on the cursor's day, the kinds ranked before the
    // cursor's are done and those ranked after it are still to come.
    let Some(day) = cursor_day else {
        return Plan::Skip;
    };
    if rank > cursor_rank {
        Plan::FromDay(day)
    } else {
        Plan::FromDay(day + Duration::days(1))
    }
}

/// Midnight (UTC) at the start of `day`.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

fn contact_of(record: &ContactRecord) -> NurtureContact {
    NurtureContact {
        id: record.id,
        name: record.data.name.clone(),
        company: record.data.company.clone(),
    }
}

/// One page of the nurture queue, most urgent first (see
/// [`NurturePosition`]). Each group of kinds is read only while the page
/// still has room.
pub async fn queue(
    store: &dyn Store,
    owner: Uuid,
    query: &NurtureQuery,
) -> Result<Vec<NurtureCandidate>> {
    let want = query.limit as usize;
    let cursor = query.after.as_ref();
    let mut page: Vec<NurtureCandidate> = Vec::new();

    // 1. Dated items: three kinds, merged by (day, rank).
    let mut dated = Vec::new();
    let after = match plan(NurtureKind::Overdue, cursor) {
        Plan::Skip => None,
        Plan::Start => Some(None),
        // (next_due_on, id) > (the day before, the largest id): from `day` on.
        Plan::FromDay(day) => Some(Some((SortKey::Date(day - Duration::days(1)), Uuid::max()))),
        Plan::AfterCursor => match cursor {
            Some(NurturePosition::Overdue { on, contact }) => {
                Some(Some((SortKey::Date(*on), *contact)))
            }
            _ => None,
        },
    };
    if let Some(after) = after {
        let records = store
            .list_contacts(
                owner,
                &ContactQuery {
                    due_by: Some(query.today),
                    sort: ContactSort::NextDue,
                    after,
                    limit: query.limit,
                    ..ContactQuery::default()
                },
            )
            .await?;
        dated.extend(records.into_iter().filter_map(|record| {
            let on = record.next_due_on?;
            Some(NurtureCandidate {
                contact: contact_of(&record),
                facts: NurtureFacts::Overdue {
                    last_interaction_on: record.last_interaction_on,
                    met_on: record.data.how_met.as_ref().and_then(|h| h.met_on),
                    added_on: record.created_at.date_naive(),
                    cadence_days: record.data.cadence_days,
                },
                position: NurturePosition::Overdue {
                    on,
                    contact: record.id,
                },
            })
        }));
    }

    let resume = match plan(NurtureKind::FollowUp, cursor) {
        Plan::Skip => None,
        Plan::Start => Some(None),
        Plan::FromDay(day) => Some(Some(Resume::AtLeast(day))),
        Plan::AfterCursor => match cursor {
            Some(NurturePosition::FollowUp {
                on,
                name,
                contact,
                interaction,
            }) => Some(Some(Resume::After((
                *on,
                name.clone(),
                *contact,
                *interaction,
            )))),
            _ => None,
        },
    };
    if let Some(resume) = resume {
        let until = query.today + Duration::days(FOLLOW_UP_HORIZON_DAYS);
        dated.extend(
            store
                .open_follow_ups(owner, until, resume.as_ref(), query.limit)
                .await?,
        );
    }

    // Waiting since day d means asked on day d − 14.
    let asked_on = |day: NaiveDate| start_of(day - Duration::days(AWAITING_ANSWER_DAYS));
    let resume = match plan(NurtureKind::AwaitingAnswer, cursor) {
        Plan::Skip => None,
        Plan::Start => Some(None),
        Plan::FromDay(day) => Some(Some(Resume::AtLeast(asked_on(day)))),
        Plan::AfterCursor => match cursor {
            Some(NurturePosition::AwaitingAnswer { at, contact }) => {
                Some(Some(Resume::After((*at, *contact))))
            }
            _ => None,
        },
    };
    if let Some(resume) = resume {
        // Asked 14 or more days ago: before the start of day today − 13.
        let asked_before = asked_on(query.today + Duration::days(1));
        dated.extend(
            store
                .unanswered_asks(owner, asked_before, resume.as_ref(), query.limit)
                .await?,
        );
    }
    // A stable sort keeps each kind's own order among equal keys.
    dated.sort_by_key(|c| c.position.urgency());
    page.extend(dated);
    if page.len() >= want {
        page.truncate(want);
        return Ok(page);
    }

    // 2. Introductions waiting, the longest unchanged first.
    let after = match (plan(NurtureKind::IntroductionWaiting, cursor), cursor) {
        (Plan::Start, _) => Some(None),
        (Plan::AfterCursor, Some(NurturePosition::IntroductionWaiting { at, id })) => {
            Some(Some((*at, *id)))
        }
        _ => None,
    };
    if let Some(after) = after {
        let introductions = store
            .list_introductions(
                owner,
                &IntroductionQuery {
                    statuses: IntroductionStatus::WAITING.to_vec(),
                    contact_id: None,
                    order: IntroductionOrder::LongestWaiting,
                    after,
                    limit: (want - page.len()) as u32,
                },
            )
            .await?;
        page.extend(introductions.into_iter().map(|i| NurtureCandidate {
            contact: NurtureContact {
                id: i.contact_a.id,
                name: i.contact_a.name,
                company: i.contact_a.company,
            },
            facts: NurtureFacts::IntroductionWaiting {
                introduction_id: i.id,
                status: i.status,
                since: i.status_changed_at,
                other: i.contact_b.name,
            },
            position: NurturePosition::IntroductionWaiting {
                at: i.status_changed_at,
                id: i.id,
            },
        }));
        if page.len() >= want {
            return Ok(page);
        }
    }

    // 3. Ready to ask, by name: the contact list's own filter.
    let after = match (plan(NurtureKind::ReadyToAsk, cursor), cursor) {
        (Plan::Start, _) => Some(None),
        (Plan::AfterCursor, Some(NurturePosition::ReadyToAsk { name, contact })) => {
            Some(Some((SortKey::Text(name.clone()), *contact)))
        }
        _ => None,
    };
    if let Some(after) = after {
        let records = store
            .list_contacts(
                owner,
                &ContactQuery {
                    ready_to_ask: Some(true),
                    sort: ContactSort::Name,
                    after,
                    limit: (want - page.len()) as u32,
                    ..ContactQuery::default()
                },
            )
            .await?;
        page.extend(
            records
                .into_iter()
                .filter(|record| record.ready_to_ask)
                .map(|record| NurtureCandidate {
                    contact: contact_of(&record),
                    facts: NurtureFacts::ReadyToAsk {
                        comfort: record.comfort,
                        familiarity: record.familiarity,
                    },
                    position: NurturePosition::ReadyToAsk {
                        name: sort_name(&record.data.name),
                        contact: record.id,
                    },
                }),
        );
        if page.len() >= want {
            return Ok(page);
        }
    }

    // 4. Rating mismatches, by name.
    let after = match (plan(NurtureKind::Mismatch, cursor), cursor) {
        (Plan::Start, _) => Some(None),
        (Plan::AfterCursor, Some(NurturePosition::Mismatch { name, contact })) => {
            Some(Some((name.clone(), *contact)))
        }
        _ => None,
    };
    if let Some(after) = after {
        let mismatches = store
            .rating_mismatches(owner, after.as_ref(), (want - page.len()) as u32)
            .await?;
        page.extend(mismatches.into_iter().filter(|c| match c.facts {
            NurtureFacts::Mismatch {
                comfort,
                familiarity,
                suggested_comfort,
            } => is_mismatch(Some(comfort), familiarity, suggested_comfort),
            _ => false,
        }));
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn a_page_resumes_each_kind_where_the_cursor_leaves_it() {
        use NurtureKind::*;
        let id = Uuid::nil();
        let follow_up = NurturePosition::FollowUp {
            on: day(10),
            name: "ada".into(),
            contact: id,
            interaction: id,
        };
        let ready = NurturePosition::ReadyToAsk {
            name: "ada".into(),
            contact: id,
        };
        assert_eq!(plan(Overdue, None), Plan::Start);
        // The cursor is a follow-up due on the 10th: overdue items of the
        // 10th came before it, awaiting answers of the 10th come after it.
        assert_eq!(plan(Overdue, Some(&follow_up)), Plan::FromDay(day(11)));
        assert_eq!(
            plan(AwaitingAnswer, Some(&follow_up)),
            Plan::FromDay(day(10))
        );
        assert_eq!(plan(FollowUp, Some(&follow_up)), Plan::AfterCursor);
        assert_eq!(plan(ReadyToAsk, Some(&follow_up)), Plan::Start);
        assert_eq!(plan(FollowUp, Some(&ready)), Plan::Skip);
        assert_eq!(plan(Mismatch, Some(&ready)), Plan::Start);
    }
}
