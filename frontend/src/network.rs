//! The network: list, trust rings and the know × trust map.
//!
//! The API sends the whole network at once (`GET /network`); searching,
//! filtering and sorting happen here, in memory. The search, the filters,
//! the order and the view live in the address (`?q=…&view=rings`), so that
//! a view can be bookmarked or shared and the back button undoes a choice.

mod charts;

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use rapport_core::contact::ConnectionStatus;
use rapport_core::network::NetworkEntry;

use crate::api;
use crate::app::encode_component;
use crate::components::{
    loaded, set_title, status_label, today, FamiliarityBar, PageHeading, Stars,
};

/// Rows of the list shown at first, and added by "Show more".
const PAGE: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum View {
    #[default]
    List,
    Rings,
    Map,
}

impl View {
    const ALL: [View; 3] = [View::List, View::Rings, View::Map];

    fn as_str(self) -> &'static str {
        match self {
            View::List => "list",
            View::Rings => "rings",
            View::Map => "map",
        }
    }

    fn label(self) -> &'static str {
        match self {
            View::List => "List",
            View::Rings => "Trust rings",
            View::Map => "Know × trust",
        }
    }

    fn id(self) -> &'static str {
        match self {
            View::List => "view-list",
            View::Rings => "view-rings",
            View::Map => "view-map",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Sort {
    #[default]
    Name,
    Comfort,
    Familiarity,
    LastInteraction,
}

impl Sort {
    const ALL: [Sort; 4] = [
        Sort::Name,
        Sort::Comfort,
        Sort::Familiarity,
        Sort::LastInteraction,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Comfort => "comfort",
            Sort::Familiarity => "familiarity",
            Sort::LastInteraction => "last_interaction",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Sort::Name => "Name (A–Z)",
            Sort::Comfort => "Comfort (highest first)",
            Sort::Familiarity => "Familiarity (highest first)",
            Sort::LastInteraction => "Last interaction (latest first)",
        }
    }
}

/// The referral comfort filter: at least a rating, or not rated at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum ComfortMin {
    #[default]
    Any,
    AtLeast(u8),
    Unrated,
}

impl ComfortMin {
    fn parse(value: &str) -> ComfortMin {
        match value {
            "unrated" => ComfortMin::Unrated,
            _ => match value.parse::<u8>() {
                Ok(n @ 1..=5) => ComfortMin::AtLeast(n),
                _ => ComfortMin::Any,
            },
        }
    }

    fn to_param(self) -> String {
        match self {
            ComfortMin::Any => String::new(),
            ComfortMin::AtLeast(n) => n.to_string(),
            ComfortMin::Unrated => "unrated".to_owned(),
        }
    }

    fn admits(self, comfort: Option<u8>) -> bool {
        match self {
            ComfortMin::Any => true,
            ComfortMin::AtLeast(n) => comfort.is_some_and(|c| c >= n),
            ComfortMin::Unrated => comfort.is_none(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Filters {
    /// As typed (spaces included, so that typing one is not undone).
    q: String,
    tag: String,
    comfort: ComfortMin,
    familiarity_min: u8,
    status: Option<ConnectionStatus>,
}

/// Everything the address holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct UrlState {
    filters: Filters,
    sort: Sort,
    view: View,
}

impl UrlState {
    fn from_query(query: &ParamsMap) -> UrlState {
        let get = |key: &str| query.get_str(key).unwrap_or_default();
        UrlState {
            filters: Filters {
                q: get("q").to_owned(),
                tag: get("tag").to_owned(),
                comfort: ComfortMin::parse(get("comfort_min")),
                familiarity_min: get("familiarity_min").parse::<u8>().unwrap_or(0).min(100),
                status: ConnectionStatus::parse(get("status")),
            },
            sort: Sort::ALL
                .into_iter()
                .find(|s| s.as_str() == get("sort"))
                .unwrap_or_default(),
            view: View::ALL
                .into_iter()
                .find(|v| v.as_str() == get("view"))
                .unwrap_or_default(),
        }
    }

    /// This state's address; defaults are left out.
    fn href(&self) -> String {
        let f = &self.filters;
        let familiarity = (f.familiarity_min > 0).then(|| f.familiarity_min.to_string());
        let params = [
            ("q", Some(f.q.clone())),
            ("tag", Some(f.tag.clone())),
            ("comfort_min", Some(f.comfort.to_param())),
            ("familiarity_min", familiarity),
            ("status", f.status.map(|s| s.as_str().to_owned())),
            (
                "sort",
                (self.sort != Sort::Name).then(|| self.sort.as_str().to_owned()),
            ),
            (
                "view",
                (self.view != View::List).then(|| self.view.as_str().to_owned()),
            ),
        ];
        let query: Vec<String> = params
            .into_iter()
            .filter_map(|(key, value)| {
                value
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{key}={}", encode_component(&v)))
            })
            .collect();
        if query.is_empty() {
            "/network".to_owned()
        } else {
            format!("/network?{}", query.join("&"))
        }
    }
}

/// The network as loaded, with what searching, sorting and drawing need
/// computed once.
pub struct Net {
    entries: Vec<NetworkEntry>,
    /// Lowercase name, company and tags, for the text search.
    haystacks: Vec<String>,
    /// Indices in name order.
    by_name: Vec<u32>,
    /// Each entry's place in name order (the tie-breaker of every order).
    name_rank: Vec<u32>,
    /// The tags present, sorted, with how many carry each.
    tags: Vec<(String, usize)>,
    layout: charts::Layout,
}

impl Net {
    fn new(entries: Vec<NetworkEntry>) -> Net {
        let haystacks: Vec<String> = entries
            .iter()
            .map(|e| {
                let mut text = e.name.clone();
                for part in e.company.iter().chain(&e.tags) {
                    text.push('\n');
                    text.push_str(part);
                }
                lowercase(&text)
            })
            .collect();
        // Sorting pairs (text, number) everywhere: one sort in the app.
        let mut names: Vec<(String, u32)> = haystacks
            .iter()
            .zip(0..)
            .map(|(text, i)| (text.split('\n').next().unwrap_or_default().to_owned(), i))
            .collect();
        names.sort_unstable();
        let by_name: Vec<u32> = names.into_iter().map(|(_, i)| i).collect();
        let mut name_rank = vec![0; entries.len()];
        for (rank, &i) in by_name.iter().enumerate() {
            name_rank[i as usize] = rank as u32;
        }
        let mut all_tags: Vec<(String, u32)> = entries
            .iter()
            .flat_map(|e| e.tags.iter().map(|t| (t.clone(), 0)))
            .collect();
        all_tags.sort_unstable();
        let mut tags: Vec<(String, usize)> = Vec::new();
        for (tag, _) in all_tags {
            match tags.last_mut() {
                Some((last, count)) if *last == tag => *count += 1,
                _ => tags.push((tag, 1)),
            }
        }
        let layout = charts::Layout::new(&entries);
        Net {
            haystacks,
            by_name,
            name_rank,
            tags,
            layout,
            entries,
        }
    }

    fn entry(&self, i: u32) -> &NetworkEntry {
        &self.entries[i as usize]
    }

    /// The entries the filters let through, in name order.
    fn matches(&self, filters: &Filters) -> Vec<u32> {
        let query = lowercase(&filters.q);
        let terms: Vec<&str> = query.split_whitespace().collect();
        self.by_name
            .iter()
            .copied()
            .filter(|&i| {
                let e = self.entry(i);
                filters.comfort.admits(e.comfort)
                    && e.familiarity >= filters.familiarity_min
                    && filters.status.is_none_or(|s| s == e.connection_status)
                    && (filters.tag.is_empty() || e.tags.contains(&filters.tag))
                    && terms.iter().all(|t| self.haystacks[i as usize].contains(t))
            })
            .collect()
    }

    /// `found` (in name order) in the chosen order; ties in name order.
    fn sorted(&self, found: &[u32], sort: Sort) -> Vec<u32> {
        let mut list = found.to_vec();
        if sort == Sort::Name {
            return list;
        }
        let keys: Vec<u64> = self
            .entries
            .iter()
            .zip(&self.name_rank)
            .map(|(e, &rank)| {
                // Highest first; nothing (unrated, never) last.
                let first = match sort {
                    Sort::Comfort => 5 - e.comfort.map_or(-1, i64::from),
                    Sort::Familiarity => 100 - i64::from(e.familiarity),
                    _ => e.last_interaction_on.map_or(i64::from(u32::MAX), |d| {
                        9_999_999 - i64::from(d.num_days_from_ce())
                    }),
                };
                ((first as u64) << 32) | u64::from(rank)
            })
            .collect();
        order_by(&mut list, &keys);
        list
    }
}

/// Sorts indices by their keys.
fn order_by(list: &mut [u32], keys: &[u64]) {
    list.sort_unstable_by_key(|&i| keys[i as usize]);
}

/// Lowercase with the browser's Unicode tables (Rust's would add kilobytes).
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

#[component]
pub fn Network() -> impl IntoView {
    set_title("Network");
    let network = LocalResource::new(|| async {
        api::network::entries()
            .await
            .map(|entries| Arc::new(Net::new(entries)))
    });
    let count = move || {
        network.get().and_then(Result::ok).map(|net| {
            let n = net.entries.len();
            format!(
                "{} {}",
                thousands(n),
                if n == 1 { "person" } else { "people" }
            )
        })
    };
    view! {
        <section class="page network" aria-labelledby="network-heading">
            <div class="page-head">
                <div class="net-title">
                    <PageHeading id="network-heading">"Network"</PageHeading>
                    <span class="net-count" id="network-count">{count}</span>
                </div>
                <div class="net-actions">
                    <a id="find-duplicates" class="button inline" href="/duplicates">
                        "Duplicates"
                    </a>
                    <a id="add-contact" class="button primary inline" href="/contacts/new">
                        "Add contact"
                    </a>
                </div>
            </div>
            {loaded(network, |net| view! { <Explorer net /> })}
        </section>
    }
}

/// The empty account: nothing to filter or draw yet.
fn empty_network() -> impl IntoView {
    view! {
        <div class="panel net-empty" id="network-empty">
            <h2>"Your network starts here"</h2>
            <p>
                "Add the people you meet, and Rapport shows how well you know each of them and whom you would refer."
            </p>
            <a class="button primary inline" href="/contacts/new">
                "Add your first contact"
            </a>
        </div>
    }
}

/// The toolbar, the summary line and the chosen view.
#[component]
fn Explorer(net: Arc<Net>) -> impl IntoView {
    if net.entries.is_empty() {
        return Either::Left(empty_network());
    }
    let total = net.entries.len();
    let net = StoredValue::new(net);
    let query = use_query_map();
    let state = Memo::new(move |_| query.with(UrlState::from_query));
    let filters = Memo::new(move |_| state.with(|s| s.filters.clone()));
    let sort = Memo::new(move |_| state.with(|s| s.sort));
    let view = Memo::new(move |_| state.with(|s| s.view));
    let found = Memo::new(move |_| filters.with(|f| net.with_value(|n| n.matches(f))));
    let ordered = Memo::new(move |_| {
        let sort = sort.get();
        found.with(|found| net.with_value(|n| n.sorted(found, sort)))
    });
    let limit = RwSignal::new(PAGE);
    let hovered = RwSignal::new(None::<u32>);

    let navigate = use_navigate();
    // `push`: a new history entry (a choice the back button undoes);
    // otherwise the entry is replaced (typing, dragging).
    let go = Callback::new(move |(next, push): (UrlState, bool)| {
        limit.set(PAGE);
        navigate(
            &next.href(),
            NavigateOptions {
                replace: !push,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let edit = move |push: bool, change: &dyn Fn(&mut UrlState)| {
        let mut next = state.get_untracked();
        change(&mut next);
        go.run((next, push));
    };
    let clear = move || {
        edit(true, &|s| s.filters = Filters::default());
    };

    // The search box keeps what is typed; the address follows it, and it
    // follows the address when that changes otherwise (back, clear).
    let text = RwSignal::new(filters.with_untracked(|f| f.q.clone()));
    Effect::new(move |_| {
        let q = filters.with(|f| f.q.clone());
        if q != text.get_untracked() {
            text.set(q);
        }
    });

    let tag_options = net.with_value(|n| {
        let mut options = vec![(String::new(), "Any tag".to_owned())];
        options.extend(
            n.tags
                .iter()
                .map(|(t, c)| (t.clone(), format!("{t} ({c})"))),
        );
        // A shared address may name a tag this network does not have.
        let asked = filters.with_untracked(|f| f.tag.clone());
        if !asked.is_empty() && !n.tags.iter().any(|(t, _)| *t == asked) {
            options.push((asked.clone(), format!("{asked} (0)")));
        }
        options
    });
    let comfort_options = [
        ("", "Any"),
        ("1", "Rated (1 or more)"),
        ("2", "2+ · could pass along their name"),
        ("3", "3+ · would introduce"),
        ("4", "4+ · would refer with confidence"),
        ("5", "5 · would vouch personally"),
        ("unrated", "Not rated yet"),
    ]
    .map(|(v, t)| (v.to_owned(), t.to_owned()))
    .to_vec();
    let status_options = std::iter::once((String::new(), "Any status".to_owned()))
        .chain(
            ConnectionStatus::ALL
                .into_iter()
                .map(|s| (s.as_str().to_owned(), status_label(s).to_owned())),
        )
        .collect::<Vec<_>>();
    let sort_options = Sort::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect::<Vec<_>>();
    let familiarity_min = Memo::new(move |_| filters.with(|f| f.familiarity_min));

    let summary = move || {
        let shown = found.with(Vec::len);
        if shown == total {
            format!("All {} shown", thousands(total))
        } else {
            format!("{} of {} match", thousands(shown), thousands(total))
        }
    };
    let active = move || filters.with(|f| *f != Filters::default());
    // Only a change between "some" and "none" redraws the whole view.
    let none = Memo::new(move |_| found.with(Vec::is_empty));

    Either::Right(view! {
        <form class="panel net-tools" role="search" on:submit=|ev| ev.prevent_default()>
            <div class="field net-search">
                <label for="network-search">"Search"</label>
                <input
                    id="network-search"
                    name="q"
                    type="search"
                    placeholder="Name, company or tag"
                    autocomplete="off"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        text.set(value.clone());
                        edit(false, &|s| s.filters.q = value.clone());
                    }
                />
            </div>
            <Choice
                id="filter-tag"
                label="Tag"
                options=tag_options
                current=Signal::derive(move || filters.with(|f| f.tag.clone()))
                on_pick=Callback::new(move |tag: String| edit(true, &|s| s.filters.tag = tag.clone()))
            />
            <Choice
                id="filter-comfort"
                label="Referral comfort"
                options=comfort_options
                current=Signal::derive(move || filters.with(|f| f.comfort.to_param()))
                on_pick=Callback::new(move |value: String| {
                    edit(true, &|s| s.filters.comfort = ComfortMin::parse(&value))
                })
            />
            <div class="field net-range">
                <label for="filter-familiarity">
                    "Familiarity at least " <span class="net-num">{familiarity_min}</span>
                </label>
                <input
                    id="filter-familiarity"
                    name="familiarity_min"
                    type="range"
                    min="0"
                    max="100"
                    step="5"
                    prop:value=move || familiarity_min.get().to_string()
                    on:input=move |ev| {
                        let value = event_target_value(&ev).parse::<u8>().unwrap_or(0);
                        edit(false, &|s| s.filters.familiarity_min = value.min(100));
                    }
                />
            </div>
            <Choice
                id="filter-status"
                label="Connection"
                options=status_options
                current=Signal::derive(move || {
                    filters.with(|f| f.status.map(|s| s.as_str().to_owned()).unwrap_or_default())
                })
                on_pick=Callback::new(move |value: String| {
                    edit(true, &|s| s.filters.status = ConnectionStatus::parse(&value))
                })
            />
            <Choice
                id="sort"
                label="Sort by"
                options=sort_options
                current=Signal::derive(move || sort.get().as_str().to_owned())
                on_pick=Callback::new(move |value: String| {
                    edit(
                        true,
                        &|s| {
                            s.sort = Sort::ALL
                                .into_iter()
                                .find(|o| o.as_str() == value)
                                .unwrap_or_default();
                        },
                    )
                })
            />
        </form>
        <div class="net-bar">
            <p class="net-summary" id="network-summary" role="status">
                {summary}
            </p>
            <button
                id="clear-filters"
                type="button"
                class="button quiet small"
                disabled=move || !active()
                on:click=move |_| clear()
            >
                "Clear filters"
            </button>
            <div class="net-views" role="group" aria-label="View">
                {View::ALL
                    .into_iter()
                    .map(|v| {
                        view! {
                            <button
                                id=v.id()
                                type="button"
                                class="net-view"
                                aria-pressed=move || if view.get() == v { "true" } else { "false" }
                                on:click=move |_| {
                                    if view.get_untracked() != v {
                                        edit(true, &|s| s.view = v);
                                    }
                                }
                            >
                                {v.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
        {move || {
            if none.get() {
                return EitherOf4::A(
                    view! {
                        <div class="panel empty" id="network-none">
                            <p>"No one matches these filters."</p>
                            <button type="button" class="button" on:click=move |_| clear()>
                                "Clear filters"
                            </button>
                        </div>
                    },
                );
            }
            match view.get() {
                View::List => EitherOf4::B(list(net, ordered, sort, limit)),
                View::Rings => EitherOf4::C(charts::rings(net, found, hovered)),
                View::Map => EitherOf4::D(charts::map(net, found, hovered)),
            }
        }}
    })
}

/// A labelled `<select>` showing `current` and reporting a pick.
#[component]
fn Choice(
    id: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    current: Signal<String>,
    on_pick: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=id on:change=move |ev| on_pick.run(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let this = value.clone();
                        view! {
                            <option value=value prop:selected=move || current.with(|c| *c == this)>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The list view: a table, rendered a page at a time.
fn list(
    net: StoredValue<Arc<Net>>,
    ordered: Memo<Vec<u32>>,
    sort: Memo<Sort>,
    limit: RwSignal<usize>,
) -> impl IntoView {
    let sorted_by =
        move |by: Sort, order: &'static str| move || (sort.get() == by).then_some(order);
    let rows = move || {
        let today = today();
        let limit = limit.get();
        ordered.with(|list| {
            net.with_value(|n| {
                list.iter()
                    .take(limit)
                    .map(|&i| row(n.entry(i), today))
                    .collect_view()
            })
        })
    };
    let left = move || ordered.with(Vec::len).saturating_sub(limit.get());
    view! {
        <div class="net-list">
            <table class="net-table" id="network-list" aria-label="People in your network">
                <thead>
                    <tr>
                        <th scope="col" aria-sort=sorted_by(Sort::Name, "ascending")>
                            "Name"
                        </th>
                        <th scope="col">"Company"</th>
                        <th scope="col" aria-sort=sorted_by(Sort::Comfort, "descending")>
                            "Comfort"
                        </th>
                        <th scope="col" aria-sort=sorted_by(Sort::Familiarity, "descending")>
                            "Familiarity"
                        </th>
                        <th scope="col">"Connection"</th>
                        <th scope="col">"Tags"</th>
                        <th scope="col" aria-sort=sorted_by(Sort::LastInteraction, "descending")>
                            "Last interaction"
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <Show when=move || { left() > 0 }>
                <div class="net-more">
                    <button
                        id="show-more"
                        type="button"
                        class="button"
                        on:click=move |_| limit.update(|n| *n += PAGE)
                    >
                        {move || format!("Show {} more", thousands(left().min(PAGE)))}
                    </button>
                    <span class="muted">
                        {move || format!("{} not shown yet", thousands(left()))}
                    </span>
                </div>
            </Show>
        </div>
    }
}

fn row(e: &NetworkEntry, today: NaiveDate) -> impl IntoView {
    let tags = e
        .tags
        .iter()
        .map(|t| view! { <span class="tag">{t.clone()}</span> })
        .collect_view();
    let last = match e.last_interaction_on {
        Some(date) => Either::Left(view! {
            <time
                datetime=format!("{}-{:02}-{:02}", date.year(), date.month(), date.day())
                title=day_month_year(date)
            >
                {ago(date, today)}
            </time>
        }),
        None => Either::Right(view! { <span class="muted">"Never"</span> }),
    };
    view! {
        <tr>
            <th scope="row" class="c-name">
                <a href=format!("/contacts/{}", e.id)>{e.name.clone()}</a>
            </th>
            <td class="c-company" data-label="Company">
                {e.company.clone()}
            </td>
            <td data-label="Comfort">
                <Stars comfort=e.comfort />
            </td>
            <td data-label="Familiarity">
                <FamiliarityBar score=e.familiarity />
            </td>
            <td data-label="Connection">
                <span class="status">{status_label(e.connection_status)}</span>
            </td>
            <td class="c-tags" data-label="Tags">
                {tags}
            </td>
            <td data-label="Last interaction">{last}</td>
        </tr>
    }
}

/// "Today", "3 days ago", "5 weeks ago", "4 months ago", "2 years ago".
fn ago(date: NaiveDate, today: NaiveDate) -> String {
    let days = (today - date).num_days();
    let (n, unit) = match days {
        d if d < 0 => return day_month_year(date),
        0 => return "Today".to_owned(),
        1 => return "Yesterday".to_owned(),
        d if d < 14 => (d, "day"),
        d if d < 61 => (d / 7, "week"),
        d if d < 730 => (d / 30, "month"),
        d => (d / 365, "year"),
    };
    format!("{n} {unit}s ago")
}

/// "12 Mar 2026" (without chrono's formatter, which is large).
fn day_month_year(date: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// 5000 → "5,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
