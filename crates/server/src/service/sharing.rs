//! Team reach: the shared contacts a search found, made into results —
//! the same person known by several teammates is one result, profiles
//! before signals, the best band and the most recent contact first.

use std::collections::HashMap;

use rapport_core::sharing::{Band, Knower, ReachKind, ReachPerson, ReachResult, ShareLevel};
use rapport_storage::ReachHit;
use uuid::Uuid;

/// A profile result, the date that ranks it among its band, and the
/// (owner, contact) pairs it stands for.
type Ranked = (ReachResult, Option<chrono::NaiveDate>, Vec<(Uuid, Uuid)>);

/// Groups hits into results (at most `limit`). Profiles and signals are
/// grouped apart, so that a signal is never tied to a profile. Also says
/// which contacts (with their owners) the results shown stand for, for the
/// owners' audit logs.
pub fn results(hits: Vec<ReachHit>, limit: usize) -> (Vec<ReachResult>, Vec<(Uuid, Uuid)>) {
    let (profiles, signals): (Vec<ReachHit>, Vec<ReachHit>) = hits
        .into_iter()
        .partition(|hit| hit.level == ShareLevel::Profile);
    let pairs = |group: &[ReachHit]| -> Vec<(Uuid, Uuid)> {
        group
            .iter()
            .map(|hit| (hit.owner_id, hit.contact_id))
            .collect()
    };
    let mut profile_results: Vec<Ranked> = same_people(profiles)
        .into_iter()
        .map(|group| {
            let found = pairs(&group);
            let (result, recent) = profile_result(group);
            (result, recent, found)
        })
        .collect();
    profile_results.sort_by(|(a, a_recent, _), (b, b_recent, _)| {
        b.band.cmp(&a.band).then(b_recent.cmp(a_recent))
    });
    let mut signal_results: Vec<(ReachResult, Vec<(Uuid, Uuid)>)> = same_people(signals)
        .into_iter()
        .map(|group| {
            let found = pairs(&group);
            (signal_result(group), found)
        })
        .collect();
    signal_results.sort_by_key(|(result, _)| std::cmp::Reverse(result.teammates));
    let mut items = Vec::new();
    let mut found = Vec::new();
    for (result, pairs) in profile_results
        .into_iter()
        .map(|(result, _, pairs)| (result, pairs))
        .chain(signal_results)
        .take(limit)
    {
        items.push(result);
        found.extend(pairs);
    }
    (items, found)
}

/// Hits that share a key (email, profile URL, or name with company), as
/// groups, in the order their first hit came.
fn same_people(hits: Vec<ReachHit>) -> Vec<Vec<ReachHit>> {
    // Union-find over the hits, joined through the terms they share.
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_with: HashMap<&[u8], usize> = HashMap::new();
    for (index, hit) in hits.iter().enumerate() {
        for term in &hit.identity {
            match first_with.get(term.as_slice()) {
                Some(&other) => {
                    let (a, b) = (root(&mut parent, index), root(&mut parent, other));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    first_with.insert(term, index);
                }
            }
        }
    }
    let mut groups: Vec<Vec<ReachHit>> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    let roots: Vec<usize> = (0..hits.len()).map(|i| root(&mut parent, i)).collect();
    for (hit, root) in hits.into_iter().zip(roots) {
        let index = *group_of.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[index].push(hit);
    }
    groups
}

fn token(group: &[ReachHit]) -> String {
    let mut handles: Vec<&str> = group.iter().map(|hit| hit.handle.as_str()).collect();
    handles.sort_unstable();
    handles.join(".")
}

fn teammates(group: &[ReachHit]) -> u32 {
    let mut owners: Vec<uuid::Uuid> = group.iter().map(|hit| hit.owner_id).collect();
    owners.sort_unstable();
    owners.dedup();
    owners.len() as u32
}

fn profile_result(mut group: Vec<ReachHit>) -> (ReachResult, Option<chrono::NaiveDate>) {
    let band = |hit: &ReachHit| Band::of(hit.comfort, hit.familiarity);
    group.sort_by(|a, b| {
        band(b)
            .cmp(&band(a))
            .then(b.last_interaction_on.cmp(&a.last_interaction_on))
    });
    let best = &group[0];
    let person = ReachPerson {
        name: best.name.clone().unwrap_or_default(),
        company: best.company.clone(),
        title: best.title.clone(),
    };
    let mut known_by: Vec<Knower> = Vec::new();
    for hit in &group {
        if !known_by.iter().any(|k| k.user_id == hit.owner_id) {
            known_by.push(Knower {
                user_id: hit.owner_id,
                display_name: hit.owner_name.clone(),
                band: band(hit),
            });
        }
    }
    let recent = best.last_interaction_on;
    (
        ReachResult {
            kind: ReachKind::Profile,
            result: token(&group),
            teammates: teammates(&group),
            person: Some(person),
            band: Some(band(best)),
            known_by,
        },
        recent,
    )
}

fn signal_result(group: Vec<ReachHit>) -> ReachResult {
    ReachResult {
        kind: ReachKind::Signal,
        result: token(&group),
        teammates: teammates(&group),
        person: None,
        band: None,
        known_by: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn hit(owner: Uuid, level: ShareLevel, comfort: Option<u8>, identity: &[&[u8]]) -> ReachHit {
        ReachHit {
            contact_id: Uuid::new_v4(),
            handle: Uuid::new_v4().simple().to_string(),
            owner_id: owner,
            owner_name: owner.simple().to_string()[..6].to_owned(),
            level,
            name: (level == ShareLevel::Profile).then(|| "Ada".to_owned()),
            company: None,
            title: None,
            comfort,
            familiarity: 10,
            last_interaction_on: None,
            identity: identity.iter().map(|t| t.to_vec()).collect(),
        }
    }

    #[test]
    fn one_person_known_by_several_teammates_is_one_result_and_signals_stay_apart() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let hits = vec![
            hit(a, ShareLevel::Profile, Some(2), &[b"ada-email"]),
            hit(b, ShareLevel::Profile, Some(5), &[b"ada-email", b"ada-url"]),
            hit(c, ShareLevel::Signal, None, &[b"ada-url"]),
            hit(c, ShareLevel::Profile, None, &[b"grace"]),
        ];
        let (results, found) = results(hits, 10);
        assert_eq!(found.len(), 4);
        assert_eq!(results.len(), 3, "{results:#?}");
        assert_eq!(results[0].kind, ReachKind::Profile);
        assert_eq!(results[0].teammates, 2);
        assert_eq!(results[0].band, Some(Band::Trusted));
        assert_eq!(results[0].known_by[0].user_id, b);
        assert_eq!(results[0].known_by[1].band, Band::Acquainted);
        assert_eq!(results[1].band, Some(Band::Acquainted));
        assert_eq!(results[2].kind, ReachKind::Signal);
        assert!(results[2].known_by.is_empty() && results[2].person.is_none());
        assert_eq!(results[2].teammates, 1);
    }
}
