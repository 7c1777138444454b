//! `rapport demo`: a realistic demo account — events, contacts met there
//! and elsewhere, two years of interactions, ratings and connection steps —
//! for trying Rapport and for benchmarks. Deterministic for a given seed.

use chrono::{Duration, NaiveDate};
use rapport_core::contact::{ConnectionStatus, HowMet, NewContact};
use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::network::NewInteraction;
use rapport_storage::Store;
use uuid::Uuid;

const FIRST: &[&str] = &[
    "Ada", "Alan", "Amara", "Anna", "Arjun", "Beatriz", "Ben", "Carlos", "Chen", "Chloe", "Dana",
    "David", "Elena", "Emeka", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jamal",
    "Jia", "Jonas", "Julia", "Kenji", "Lara", "Leo", "Lina", "Malik", "Maria", "Mateo", "Mei",
    "Nadia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Sofia", "Tariq",
    "Tom", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Adeyemi", "Alvarez", "Bauer", "Becker", "Chen", "Costa", "Dubois", "Eriksson", "Fischer",
    "Garcia", "Gupta", "Haddad", "Hansen", "Ito", "Jensen", "Kim", "Kowalski", "Larsen", "Lopez",
    "Martin", "Meyer", "Moreau", "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Petrov",
    "Quinn", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith", "Tanaka", "Torres", "Vogel",
    "Wagner", "Wang", "Weber", "Yilmaz", "Zhang",
];
const COMPANIES: &[&str] = &[
    "Acme Analytics",
    "Blue Harbor Capital",
    "Brightline Health",
    "Cedar Robotics",
    "Clearwater Labs",
    "Copperleaf Design",
    "Driftwood Ventures",
    "Evergreen Energy",
    "Fathom Data",
    "Foxglove Media",
    "Granite Logistics",
    "Helix Bio",
    "Ironbark Security",
    "Juniper Finance",
    "Kestrel Aerospace",
    "Lumen Learning",
    "Maple & Co",
    "Northwind Traders",
    "Orbit Software",
    "Pinecrest Legal",
    "Quarry Studio",
    "Redwood Partners",
    "Saltmarsh Foods",
    "Tidewater Consulting",
    "Umbra Games",
];
const TITLES: &[&str] = &[
    "CTO",
    "Head of Product",
    "Engineering Manager",
    "Founder",
    "Partner",
    "Recruiter",
    "Staff Engineer",
    "Designer",
    "Data Scientist",
    "VP Sales",
    "Marketing Lead",
    "Analyst",
];
const CITIES: &[&str] = &[
    "Amsterdam",
    "Austin",
    "Berlin",
    "Boston",
    "Lagos",
    "Lisbon",
    "London",
    "Montreal",
    "Nairobi",
    "New York",
    "Paris",
    "San Francisco",
    "Seoul",
    "Singapore",
    "Stockholm",
    "Sydney",
    "Toronto",
];
const TAGS: &[&str] = &[
    "investor", "mentor", "hiring", "rust", "design", "founder", "speaker", "alumni", "client",
];
const EVENTS: &[&str] = &[
    "RustConf",
    "Founders Breakfast",
    "Product Meetup",
    "Design Week",
    "Data Summit",
    "Women in Tech Night",
    "Startup Pitch Evening",
    "Open Source Day",
];
const PLACES: &[&str] = &[
    "a conference",
    "a friend's dinner",
    "a coworking space",
    "a hackathon",
    "a workshop",
];

/// How much demo data to make.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    pub contacts: usize,
    /// Average interactions per contact.
    pub interactions_per_contact: usize,
    pub seed: u64,
}

/// What was created.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub events: usize,
    pub contacts: usize,
    pub interactions: u64,
    pub ratings: usize,
    pub connections: usize,
    pub introductions: usize,
}

fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(..list.len())]
}

fn slug(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Fills the network of `owner` with demo data.
pub async fn populate(
    store: &dyn Store,
    owner: Uuid,
    size: DemoSize,
    today: NaiveDate,
) -> anyhow::Result<DemoSummary> {
    let mut rng = fastrand::Rng::with_seed(size.seed);
    let mut summary = DemoSummary::default();
    let two_years = 730;

    // Events over the last two years, half with a passphrase.
    let event_count = (size.contacts / 60).clamp(2, 40);
    let mut events: Vec<(Uuid, NaiveDate, String)> = Vec::new();
    for n in 0..event_count {
        let name = format!("{} {}", pick(&mut rng, EVENTS), 2024 + (n % 3));
        let day = today - Duration::days(rng.i64(14..two_years));
        let passphrase = rng
            .bool()
            .then(|| format!("{}-{}", pick(&mut rng, TAGS), rng.u16(10..99)));
        let city = pick(&mut rng, CITIES);
        let event = create_event(store, owner, &name, day, city, passphrase).await?;
        events.push((event, day, name));
    }
    summary.events = events.len();

    // Contacts, in batches.
    let mut contacts: Vec<(Uuid, NaiveDate)> = Vec::with_capacity(size.contacts);
    let mut remaining = size.contacts;
    let mut serial = 0usize;
    while remaining > 0 {
        let batch = remaining.min(1000);
        let mut data = Vec::with_capacity(batch);
        let mut met_dates = Vec::with_capacity(batch);
        for _ in 0..batch {
            serial += 1;
            let (first, last) = (pick(&mut rng, FIRST), pick(&mut rng, LAST));
            let company = pick(&mut rng, COMPANIES);
            let at_event = !events.is_empty() && rng.u8(..100) < 45;
            let (met_on, how_met) = if at_event {
                let (id, day, _) = &events[rng.usize(..events.len())];
                (
                    *day,
                    HowMet {
                        met_on: Some(*day),
                        event_id: Some(*id),
                        ..HowMet::default()
                    },
                )
            } else {
                let day = today - Duration::days(rng.i64(1..two_years));
                let place = pick(&mut rng, PLACES);
                (
                    day,
                    HowMet {
                        met_on: Some(day),
                        place: Some(place.to_owned()),
                        ..HowMet::default()
                    },
                )
            };
            let tags: Vec<String> = (0..rng.usize(..3))
                .map(|_| pick(&mut rng, TAGS).to_owned())
                .collect();
            let email = format!(
                "{}.{}{}@{}.example",
                slug(first),
                slug(last),
                serial,
                slug(company)
            );
            data.push(
                NewContact {
                    name: format!("{first} {last}"),
                    emails: vec![email],
                    phones: if rng.u8(..100) < 30 {
                        vec![format!("+1 555 {:04}", rng.u16(..10000))]
                    } else {
                        vec![]
                    },
                    company: Some(company.to_owned()),
                    title: Some(pick(&mut rng, TITLES).to_owned()),
                    location: Some(pick(&mut rng, CITIES).to_owned()),
                    urls: if rng.u8(..100) < 70 {
                        vec![format!(
                            "https://www.linkedin.com/in/{}-{}-{serial}",
                            slug(first),
                            slug(last)
                        )]
                    } else {
                        vec![]
                    },
                    tags,
                    notes: (rng.u8(..100) < 25).then(|| {
                        format!(
                            "Talked about {} and {}.",
                            pick(&mut rng, TAGS),
                            pick(&mut rng, TAGS)
                        )
                    }),
                    how_met: Some(how_met),
                    cadence_days: [None, None, Some(30), Some(90), Some(180)][rng.usize(..5)],
                    archived: rng.u8(..100) < 3,
                }
                .normalize(),
            );
            met_dates.push(met_on);
        }
        let ids = store.create_contacts(owner, data, today).await?;
        contacts.extend(ids.into_iter().zip(met_dates));
        remaining -= batch;
    }
    summary.contacts = contacts.len();

    // Interactions since each first meeting: brief first, deeper later.
    let kinds = [
        (InteractionKind::Email, 30),
        (InteractionKind::Message, 20),
        (InteractionKind::CoffeeOrLunch, 12),
        (InteractionKind::Call, 10),
        (InteractionKind::VideoCall, 10),
        (InteractionKind::Meeting, 8),
        (InteractionKind::SharedArticle, 7),
        (InteractionKind::Other, 3),
    ];
    let total_weight: u32 = kinds.iter().map(|(_, w)| w).sum();
    let mut batch: Vec<NewInteraction> = Vec::new();
    let mut counts = Vec::with_capacity(contacts.len());
    for (contact, met_on) in &contacts {
        let mean = size.interactions_per_contact as f64;
        let count = ((rng.f64() * rng.f64()) * mean * 4.0) as usize;
        counts.push(count);
        let span = (today - *met_on).num_days().max(1);
        let mut log = vec![NewInteraction {
            contact_ids: vec![*contact],
            kind: InteractionKind::MetAtEvent,
            occurred_on: *met_on,
            depth: Depth::Brief,
            initiated_by: Initiator::Mutual,
            notes: None,
            follow_up_on: None,
        }];
        for _ in 0..count {
            let mut roll = rng.u32(..total_weight);
            let kind = kinds
                .iter()
                .find(|(_, w)| {
                    let hit = roll < *w;
                    roll = roll.saturating_sub(*w);
                    hit
                })
                .map_or(InteractionKind::Email, |(k, _)| *k);
            let depth = match rng.u8(..100) {
                0..=49 => Depth::Brief,
                50..=84 => Depth::Conversation,
                _ => Depth::InDepth,
            };
            let initiated_by = match rng.u8(..100) {
                0..=44 => Initiator::Me,
                45..=79 => Initiator::Them,
                _ => Initiator::Mutual,
            };
            let occurred_on = *met_on + Duration::days(rng.i64(0..=span));
            let recent = (today - occurred_on).num_days() < 30;
            log.push(NewInteraction {
                contact_ids: vec![*contact],
                kind,
                occurred_on,
                depth,
                initiated_by,
                notes: (rng.u8(..100) < 15).then(|| "Caught up on work and plans.".to_owned()),
                follow_up_on: (recent && rng.u8(..100) < 30)
                    .then(|| occurred_on + Duration::days(rng.i64(3..21))),
            });
        }
        batch.extend(log);
        if batch.len() >= 2000 {
            summary.interactions += store
                .create_interactions(owner, std::mem::take(&mut batch), today)
                .await?;
        }
    }
    if !batch.is_empty() {
        summary.interactions += store.create_interactions(owner, batch, today).await?;
    }

    // Ratings for about half, following how well they are known, with a
    // few deliberate mismatches; connection steps for about a third.
    for ((contact, _), count) in contacts.iter().zip(&counts) {
        if rng.u8(..100) < 50 {
            let rating = match count {
                0 => {
                    if rng.u8(..100) < 10 {
                        5
                    } else {
                        1
                    }
                }
                1..=2 => rng.u8(1..=3),
                3..=6 => rng.u8(2..=4),
                _ => rng.u8(3..=5),
            };
            store
                .set_comfort(owner, *contact, Some(rating), None)
                .await?;
            summary.ratings += 1;
        }
        if rng.u8(..100) < 33 {
            let path: &[ConnectionStatus] = match rng.u8(..6) {
                0 => &[ConnectionStatus::Asked],
                1 => &[ConnectionStatus::Asked, ConnectionStatus::Open],
                2 => &[ConnectionStatus::Asked, ConnectionStatus::NotNow],
                3 => &[ConnectionStatus::TheyInvitedMe, ConnectionStatus::Connected],
                _ => &[
                    ConnectionStatus::Asked,
                    ConnectionStatus::Open,
                    ConnectionStatus::Invited,
                    ConnectionStatus::Connected,
                ],
            };
            for step in path {
                store
                    .change_connection(owner, *contact, *step, None)
                    .await?;
            }
            summary.connections += 1;
        }
    }
    // A few introductions between well-rated contacts, proposed and waiting.
    let rated: Vec<Uuid> = contacts
        .iter()
        .zip(&counts)
        .filter(|(_, count)| **count >= 7)
        .map(|((id, _), _)| *id)
        .collect();
    let reasons = [
        "Both are hiring for data roles and could share candidates.",
        "Working on the same problem from two sides.",
        "One is raising, the other invests in exactly this.",
    ];
    for pair in rated.chunks_exact(2).take((size.contacts / 50).max(1)) {
        let introduction = rapport_core::introduction::NewIntroduction {
            contact_a: pair[0],
            contact_b: pair[1],
            reason: pick(&mut rng, &reasons).to_owned(),
            confirm_low_comfort: true,
        };
        store.create_introduction(owner, &introduction).await?;
        summary.introductions += 1;
    }
    Ok(summary)
}

async fn create_event(
    store: &dyn Store,
    owner: Uuid,
    name: &str,
    day: NaiveDate,
    city: &str,
    passphrase: Option<String>,
) -> anyhow::Result<Uuid> {
    let event = store
        .create_event(
            owner,
            rapport_core::event::NewEvent {
                name: name.to_owned(),
                starts_on: day,
                ends_on: None,
                place: Some(city.to_owned()),
                notes: None,
                passphrase,
                card_drop: Default::default(),
            },
        )
        .await?;
    Ok(event.id)
}
