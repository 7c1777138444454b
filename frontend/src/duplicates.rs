//! Duplicates: contacts that are probably one person, side by side, to
//! merge into one. Lists (emails, phones, addresses, tags) are kept from
//! both; for every other field that differs, I choose whose value stays.

use std::collections::BTreeMap;

use leptos::prelude::*;
use rapport_core::contact::Contact;
use rapport_core::Problem;

use crate::api;
use crate::api::duplicates::{DuplicateGroup, Duplicates as Groups, Keep};
use crate::components::{failed, format_date, set_title, settled, PageHeading};
use crate::events::{problem_note, run};

#[component]
pub fn Duplicates() -> impl IntoView {
    set_title("Duplicates");
    let groups = LocalResource::new(api::duplicates::groups);
    let said = RwSignal::new(None::<String>);
    view! {
        <section class="page dup-page">
            <div class="page-head">
                <PageHeading>"Duplicates"</PageHeading>
                <a class="button inline" href="/import">"Import"</a>
            </div>
            <p class="lead">
                "People who appear more than once in your network: the same email or profile address, the same name at the same company, or close names with the same email domain. Merging keeps every interaction, rating, note, email, phone, address and tag of both."
            </p>
            <p class="set-saved" role="status" id="merge-status">{move || said.get()}</p>
            {settled(
                groups,
                move |result: Result<Groups, Problem>| match result {
                    Ok(found) => group_list(found.groups, groups, said),
                    // The server answers 404 where it has no duplicates
                    // finder (an older Rapport).
                    Err(problem) if problem.status == 404 => {
                        view! {
                            <p class="notice" id="duplicates-unavailable">
                                "This Rapport server cannot look for duplicates yet. Update it to review and merge them here."
                            </p>
                        }
                            .into_any()
                    }
                    Err(problem) => failed(problem),
                },
            )}
        </section>
    }
}

fn group_list(
    groups: Vec<DuplicateGroup>,
    resource: LocalResource<Result<Groups, Problem>>,
    said: RwSignal<Option<String>>,
) -> AnyView {
    if groups.is_empty() {
        return view! {
            <p class="panel empty" id="duplicates-none">"No likely duplicates. Nice and tidy."</p>
        }
        .into_any();
    }
    view! {
        <ul class="dup-groups" id="duplicate-groups">
            {groups
                .into_iter()
                .enumerate()
                .filter(|(_, group)| group.contacts.len() >= 2)
                .map(|(index, group)| view! { <GroupView index group resource said /> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn reason_label(reason: &str) -> &'static str {
    match reason {
        "same_email" => "Same email address",
        "same_profile_url" => "Same profile address",
        "same_name_and_company" => "Same name at the same company",
        "close_name_same_email_domain" => "Close names, same email domain",
        _ => "Alike",
    }
}

/// A field that a merge takes from one of the two contacts.
struct Choice {
    /// The API's name of the field.
    key: &'static str,
    label: &'static str,
    this: String,
    other: String,
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn how_met(contact: &Contact) -> String {
    let Some(how) = &contact.how_met else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(day) = how.met_on {
        parts.push(format_date(day));
    }
    if let Some(place) = &how.place {
        parts.push(place.clone());
    }
    if let Some(context) = &how.context {
        parts.push(context.clone());
    }
    if parts.is_empty() && (how.event_id.is_some() || how.introduced_by.is_some()) {
        parts.push("recorded".to_owned());
    }
    parts.join(" · ")
}

fn choices(this: &Contact, other: &Contact) -> Vec<Choice> {
    let cadence = |c: &Contact| {
        c.cadence_days
            .map(|d| format!("every {d} days"))
            .unwrap_or_default()
    };
    let comfort = |c: &Contact| c.comfort.map(|n| format!("{n} of 5")).unwrap_or_default();
    vec![
        Choice {
            key: "name",
            label: "Name",
            this: this.name.clone(),
            other: other.name.clone(),
        },
        Choice {
            key: "company",
            label: "Company",
            this: text(&this.company),
            other: text(&other.company),
        },
        Choice {
            key: "title",
            label: "Title",
            this: text(&this.title),
            other: text(&other.title),
        },
        Choice {
            key: "location",
            label: "Location",
            this: text(&this.location),
            other: text(&other.location),
        },
        Choice {
            key: "notes",
            label: "Notes",
            this: text(&this.notes),
            other: text(&other.notes),
        },
        Choice {
            key: "how_met",
            label: "How we met",
            this: how_met(this),
            other: how_met(other),
        },
        Choice {
            key: "cadence_days",
            label: "Keep in touch",
            this: cadence(this),
            other: cadence(other),
        },
        Choice {
            key: "comfort",
            label: "Comfort",
            this: comfort(this),
            other: comfort(other),
        },
    ]
}

/// The lists a merge keeps from both.
fn lists(contact: &Contact) -> [(&'static str, String); 4] {
    [
        ("Emails", contact.emails.join(", ")),
        ("Phones", contact.phones.join(", ")),
        ("Web addresses", contact.urls.join(", ")),
        ("Tags", contact.tags.join(", ")),
    ]
}

fn shown(value: &str) -> String {
    if value.is_empty() {
        "—".to_owned()
    } else {
        value.to_owned()
    }
}

/// Two contacts of a group side by side, with the merge.
#[component]
fn GroupView(
    index: usize,
    group: DuplicateGroup,
    resource: LocalResource<Result<Groups, Problem>>,
    said: RwSignal<Option<String>>,
) -> impl IntoView {
    let more = group.contacts.len() - 2;
    let this = group.contacts[0].clone();
    let other = group.contacts[1].clone();
    let merged = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let fields = choices(&this, &other);
    // Each differing field: whose value stays. An empty value gives way
    // to a filled one.
    let keep: Vec<(&'static str, RwSignal<Keep>)> = fields
        .iter()
        .filter(|f| f.this != f.other)
        .map(|f| {
            let initial = if f.this.is_empty() {
                Keep::Other
            } else {
                Keep::This
            };
            (f.key, RwSignal::new(initial))
        })
        .collect();
    let heading = format!("group-{index}-heading");
    let rows = fields
        .into_iter()
        .map(|field| {
            let choice = keep
                .iter()
                .find(|(key, _)| *key == field.key)
                .map(|(_, k)| *k);
            let name = format!("keep-{index}-{}", field.key);
            let cell = |side: Keep, value: String| {
                let id = format!(
                    "{name}-{}",
                    if side == Keep::This { "this" } else { "other" }
                );
                match choice {
                    Some(keep) => view! {
                        <td>
                            <input
                                type="radio"
                                id=id.clone()
                                name=name.clone()
                                prop:checked=move || keep.get() == side
                                on:change=move |_| keep.set(side)
                            />
                            <label for=id>{shown(&value)}</label>
                        </td>
                    }
                    .into_any(),
                    None => view! { <td>{shown(&value)}</td> }.into_any(),
                }
            };
            view! {
                <tr class:dup-differs=choice.is_some()>
                    <th scope="row">{field.label}</th>
                    {cell(Keep::This, field.this)}
                    {cell(Keep::Other, field.other)}
                </tr>
            }
        })
        .collect_view();
    let kept_rows = lists(&this)
        .into_iter()
        .zip(lists(&other))
        .map(|((label, a), (_, b))| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td>{shown(&a)}</td>
                    <td>{shown(&b)}</td>
                </tr>
            }
        })
        .collect_view();
    let this_link = (format!("/contacts/{}", this.id), this.name.clone());
    let other_link = (format!("/contacts/{}", other.id), other.name.clone());
    let merge = move |_| {
        let choice: BTreeMap<&'static str, Keep> = keep
            .iter()
            .map(|(key, keep)| (*key, keep.get_untracked()))
            .collect();
        let (this, other) = (this.clone(), other.clone());
        problem.set(None);
        run(busy, async move {
            match api::duplicates::merge(&this, &other, choice).await {
                Ok(contact) => {
                    merged.set(true);
                    said.set(Some(format!("Merged into {}.", contact.name)));
                    // The rest of a larger group comes back as a new pair.
                    if more > 0 {
                        resource.refetch();
                    }
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    view! {
        // A merged pair leaves the page.
        <li class="panel dup-group" aria-labelledby=heading.clone() hidden=move || merged.get()>
                <h2 id=heading.clone()>{reason_label(&group.reason)}</h2>
                {(more > 0).then(|| view! {
                    <p class="muted">
                        {format!("{more} more in this group: merge these two first.")}
                    </p>
                })}
                <div class="dup-scroll">
                    <table class="dup-table">
                        <thead>
                            <tr>
                                <th scope="col">"Field"</th>
                                <th scope="col">
                                    <a href=this_link.0>{this_link.1}</a>
                                </th>
                                <th scope="col">
                                    <a href=other_link.0>{other_link.1}</a>
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows}
                            {kept_rows}
                        </tbody>
                    </table>
                </div>
                <p class="hint">
                    "Choose whose value stays where they differ. Emails, phones, web addresses and tags are kept from both."
                </p>
                {problem_note(problem)}
                <button
                    id=format!("merge-{index}")
                    type="button"
                    class="button primary inline"
                    disabled=move || busy.get()
                    on:click=merge
                >
                    "Merge into one contact"
                </button>
        </li>
    }
}
