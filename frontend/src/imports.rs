//! Imports: bring a network in from a file. The file is uploaded and
//! previewed (nothing is written: every row says what would happen to it),
//! a spreadsheet's columns can be mapped, then the import is committed in
//! one transaction, reported, and can be undone.
//!
//! `/import` uploads a file and lists past imports; `/import/{id}` is one
//! import, whatever its status.

use std::collections::{BTreeMap, HashMap};

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use rapport_core::account::Page;
use rapport_core::import::{
    ColumnMapping, CommitOptions, DuplicateChoice, Import, ImportFormat, ImportProgress, ImportRow,
    ImportStatus, ImportTotals, ProgressUnit, RowKind, RowOutcome, MAPPABLE_FIELDS,
};
use rapport_core::Problem;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::{loaded, set_title, ErrorNote, Loading, PageHeading};
use crate::events::{problem_note, run};
use crate::settings::parts::day;

/// Rows of the preview read at a time.
const ROWS_PAGE: u32 = 50;

/// The upload and the list of past imports.
#[component]
pub fn ImportStart() -> impl IntoView {
    set_title("Import");
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let dragging = RwSignal::new(false);
    let navigate = use_navigate();
    let send = move |file: web_sys::File| {
        problem.set(None);
        let navigate = navigate.clone();
        run(busy, async move {
            match api::imports::upload(file).await {
                Ok(import) => navigate(&format!("/import/{}", import.id), Default::default()),
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let on_drop = {
        let send = send.clone();
        move |event: web_sys::DragEvent| {
            event.prevent_default();
            dragging.set(false);
            let file = event
                .data_transfer()
                .and_then(|transfer| transfer.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file {
                send(file);
            }
        }
    };
    let on_choose = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            send(file);
        }
        // Choosing the same file again is a new upload.
        input.set_value("");
    };
    let imports = LocalResource::new(|| api::imports::list(50));
    view! {
        <section
            class="page imp-page"
            class:imp-dragging=move || dragging.get()
            on:dragover=move |event: web_sys::DragEvent| {
                event.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <div class="page-head">
                <PageHeading>"Import"</PageHeading>
                <a id="review-duplicates" class="button inline" href="/duplicates">
                    "Review duplicates"
                </a>
            </div>
            <section class="panel imp-upload" aria-labelledby="upload-heading">
                <h2 id="upload-heading">"Bring your network in"</h2>
                <p class="lead">
                    "LinkedIn (Connections.csv, Invitations.csv, messages.csv or the whole archive .zip), Google or Outlook contacts (CSV), vCard files, any other spreadsheet, or a Rapport export. You see what would happen to every row before anything is written."
                </p>
                <div class="imp-drop" aria-busy=move || busy.get().then_some("true")>
                    <label for="import-file" class="button primary inline">
                        "Choose a file"
                    </label>
                    <input
                        id="import-file"
                        class="imp-file"
                        type="file"
                        accept=".csv,.tsv,.txt,.vcf,.vcard,.zip,.json"
                        aria-describedby="import-file-hint"
                        disabled=move || busy.get()
                        on:change=on_choose
                    />
                    <p class="hint" id="import-file-hint">
                        "Or drop it anywhere on this page. Up to 50 MB."
                    </p>
                </div>
                {move || busy.get().then(|| view! { <Loading label="Reading the file…" /> })}
                // An unreadable file's problem names its field with the same
                // words as its detail: the detail says it all.
                {move || {
                    problem
                        .get()
                        .map(|problem| {
                            view! {
                                <p class="alert" role="alert" id="upload-problem">
                                    {problem.detail}
                                </p>
                            }
                        })
                }}
            </section>
            <section class="panel" aria-labelledby="past-imports-heading">
                <h2 id="past-imports-heading">"Past imports"</h2>
                {loaded(imports, |page: Page<Import>| past_imports(page.items))}
            </section>
        </section>
    }
}

fn past_imports(imports: Vec<Import>) -> AnyView {
    if imports.is_empty() {
        return view! { <p class="muted" id="past-imports-none">"Nothing imported yet."</p> }
            .into_any();
    }
    view! {
        <ul class="imp-list" id="past-imports">
            {imports
                .into_iter()
                .map(|import| {
                    let name = file_label(&import);
                    let totals = &import.totals;
                    let meta = format!(
                        "{} · {} · {} rows: {} new, {} to update, {} errors",
                        import.format.label(),
                        day(import.created_at),
                        totals.rows,
                        totals.new,
                        totals.update,
                        totals.error,
                    );
                    view! {
                        <li class="imp-item">
                            <a href=format!("/import/{}", import.id)>{name}</a>
                            {status_badge(import.status)}
                            <span class="imp-meta">{meta}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn file_label(import: &Import) -> String {
    import
        .filename
        .clone()
        .unwrap_or_else(|| import.format.label().to_owned())
}

fn status_label(status: ImportStatus) -> &'static str {
    match status {
        ImportStatus::Parsing => "Reading",
        ImportStatus::Previewed => "Preview: not imported yet",
        ImportStatus::Committing => "Importing",
        ImportStatus::Committed => "Imported",
        ImportStatus::Undone => "Undone",
        ImportStatus::Failed => "Failed",
    }
}

fn status_badge(status: ImportStatus) -> impl IntoView {
    view! {
        <span class=format!("imp-status imp-status-{}", status.as_str())>
            {status_label(status)}
        </span>
    }
}

/// One import, by the id in the address.
#[component]
pub fn ImportPage() -> impl IntoView {
    set_title("Import");
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<Uuid>().ok()));
    let import = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api::imports::get(id).await,
                None => Err(Problem::new(
                    404,
                    "not_found",
                    "Not Found",
                    "There is no such import. Open one from the list of past imports.",
                )),
            }
        }
    });
    view! {
        <section class="page imp-page">
            <p class="imp-back">
                <a href="/import">"← Imports"</a>
            </p>
            {loaded(import, |import| view! { <ImportView import /> })}
        </section>
    }
}

/// The state of an import's page: the import as last answered, and the
/// writes to it (mapping, commit, undo), one at a time.
#[derive(Clone, Copy)]
struct Current {
    import: RwSignal<Import>,
    /// Bumped whenever the import changes, so that its rows load again.
    revision: RwSignal<u32>,
    busy: RwSignal<bool>,
    committing: RwSignal<bool>,
    problem: RwSignal<Option<Problem>>,
}

impl Current {
    fn id(self) -> Uuid {
        self.import.with_untracked(|i| i.id)
    }

    fn status(self) -> ImportStatus {
        self.import.with(|i| i.status)
    }

    /// Runs a write; its answer is the import as it now is.
    fn write(self, task: impl std::future::Future<Output = Result<Import, Problem>> + 'static) {
        self.problem.set(None);
        run(self.busy, async move {
            match task.await {
                Ok(import) => {
                    self.import.set(import);
                    self.revision.update(|r| *r += 1);
                }
                Err(problem) => self.problem.set(Some(problem)),
            }
        });
    }
}

#[component]
fn ImportView(import: Import) -> impl IntoView {
    set_title(&format!("Import of {}", file_label(&import)));
    let current = Current {
        import: RwSignal::new(import.clone()),
        revision: RwSignal::new(0),
        busy: RwSignal::new(false),
        committing: RwSignal::new(false),
        problem: RwSignal::new(None),
    };
    follow_progress(current);
    // Rows exist once the file is read (not while it is, nor when that failed).
    let shows_rows = Memo::new(move |_| {
        matches!(
            current.status(),
            ImportStatus::Previewed | ImportStatus::Committed | ImportStatus::Undone
        )
    });
    let heading = format!("Import of {}", file_label(&import));
    let detected = move || current.import.with(|i| i.detected.clone());
    view! {
        <div class="page-head">
            <PageHeading id="import-heading">{heading}</PageHeading>
            {move || status_badge(current.status())}
        </div>
        <p class="imp-detected">
            <span class="muted">"Detected: "</span>
            <span id="import-detected">{detected}</span>
        </p>
        {move || current.import.with(|i| totals_view(&i.totals, i.status))}
        {move || {
            let import = current.import.get();
            match import.status {
                ImportStatus::Previewed => {
                    view! {
                        {(import.format == ImportFormat::GenericCsv && !import.columns.is_empty())
                            .then(|| mapping_form(current, &import))}
                        {commit_panel(current, &import)}
                    }
                        .into_any()
                }
                ImportStatus::Committed => report(current, &import),
                ImportStatus::Undone => {
                    let when = import.undone_at.map(day).unwrap_or_default();
                    view! {
                        <p class="notice" id="import-undone" role="status">
                            {format!(
                                "Undone {when}: what this import created is removed and what it changed is as it was."
                            )}
                        </p>
                    }
                        .into_any()
                }
                ImportStatus::Parsing | ImportStatus::Committing => progress_view(current, &import),
                ImportStatus::Failed => {
                    let why = import.error.clone().unwrap_or_default();
                    view! {
                        <p class="alert" id="import-failed" role="alert">
                            {format!("This step failed and wrote nothing: {why}")}
                        </p>
                    }
                        .into_any()
                }
            }
        }}
        {move || shows_rows.get().then(|| view! { <RowBrowser current /> })}
    }
}

/// How often a step running on the server is asked how far it has got.
const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(400);

/// While the server reads or writes the import, reads it again every
/// [`POLL_EVERY`] (its progress moves the bar) until the step is over.
fn follow_progress(current: Current) {
    Effect::new(move |_| {
        if !matches!(
            current.status(),
            ImportStatus::Parsing | ImportStatus::Committing
        ) {
            return;
        }
        let id = current.id();
        let poll = move || {
            leptos::task::spawn_local(async move {
                match api::imports::get(id).await {
                    Ok(import) => {
                        let over = !matches!(
                            import.status,
                            ImportStatus::Parsing | ImportStatus::Committing
                        );
                        current.problem.try_set(None);
                        current.import.try_set(import);
                        if over {
                            current.revision.try_update(|r| *r += 1);
                        }
                    }
                    Err(problem) => {
                        // Shown, and asked again.
                        current.problem.try_set(Some(problem));
                        current.import.try_update(|_| ());
                    }
                }
            });
        };
        if let Ok(handle) = set_timeout_with_handle(poll, POLL_EVERY) {
            on_cleanup(move || handle.clear());
        }
    });
}

/// The totals, in the words of the preview or of the report.
fn totals_view(totals: &ImportTotals, status: ImportStatus) -> AnyView {
    let done = matches!(status, ImportStatus::Committed | ImportStatus::Undone);
    let mut facts = vec![
        ("total-rows", "Rows", totals.rows),
        ("total-new", "New", totals.new),
        (
            "total-update",
            if done { "Updated" } else { "Updates" },
            totals.update,
        ),
        (
            "total-possible-duplicate",
            "Possible duplicates",
            totals.possible_duplicate,
        ),
        ("total-error", "Errors", totals.error),
        ("total-skipped", "Skipped", totals.skipped),
    ];
    if totals.interactions > 0 {
        facts.push(("total-interactions", "Interactions", totals.interactions));
    }
    if totals.connection_changes > 0 {
        facts.push((
            "total-connection-changes",
            "Connection steps",
            totals.connection_changes,
        ));
    }
    view! {
        <dl class="facts imp-totals" id="import-totals">
            {facts
                .into_iter()
                .map(|(id, label, n)| {
                    view! {
                        <div>
                            <dt>{label}</dt>
                            <dd id=id>{n}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
    .into_any()
}

/// The fields a column can be mapped to, in words.
fn field_label(field: &str) -> &'static str {
    match field {
        "name" => "Full name",
        "first_name" => "First name",
        "last_name" => "Last name",
        "email" => "Email",
        "phone" => "Phone",
        "company" => "Company",
        "title" => "Job title",
        "location" => "Location",
        "url" => "Web or profile address",
        "tags" => "Tags",
        "notes" => "Notes",
        _ => "Other",
    }
}

/// A spreadsheet's column → field mapping, sent as a whole.
fn mapping_form(current: Current, import: &Import) -> AnyView {
    let choices: Vec<(String, RwSignal<String>)> = import
        .columns
        .iter()
        .map(|column| {
            let chosen = import.mapping.get(column).cloned().unwrap_or_default();
            (column.clone(), RwSignal::new(chosen))
        })
        .collect();
    let submitted = choices.clone();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let mapping: BTreeMap<String, String> = submitted
            .iter()
            .filter_map(|(column, field)| {
                let field = field.get_untracked();
                (!field.is_empty()).then(|| (column.clone(), field))
            })
            .collect();
        let id = current.id();
        current
            .write(async move { api::imports::map_columns(id, &ColumnMapping { mapping }).await });
    };
    view! {
        <section class="panel" aria-labelledby="mapping-heading">
            <h2 id="mapping-heading">"Columns"</h2>
            <p class="muted">
                "Say what each column holds; columns left on “Leave out” are not read. The preview follows your choice."
            </p>
            <form class="form" id="mapping-form" novalidate on:submit=on_submit>
                <div class="imp-mapping">
                    {choices
                        .into_iter()
                        .enumerate()
                        .map(|(index, (column, value))| {
                            let id = format!("map-{index}");
                            let initial = value.get_untracked();
                            view! {
                                <div class="field">
                                    <label for=id.clone()>{column}</label>
                                    <select
                                        id=id.clone()
                                        name=id
                                        on:change=move |event| value.set(event_target_value(&event))
                                    >
                                        <option value="" selected=initial.is_empty()>
                                            "Leave out"
                                        </option>
                                        {MAPPABLE_FIELDS
                                            .iter()
                                            .map(|&field| {
                                                view! {
                                                    <option value=field selected=initial == field>
                                                        {field_label(field)}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
                <button
                    id="save-mapping"
                    type="submit"
                    class="button"
                    disabled=move || current.busy.get()
                >
                    "Read the file with these columns"
                </button>
            </form>
        </section>
    }
    .into_any()
}

const DUPLICATE_CHOICES: [(DuplicateChoice, &str, &str); 3] = [
    (
        DuplicateChoice::Skip,
        "Leave them out",
        "Rows that resemble one of your contacts are not imported; you can merge by hand later.",
    ),
    (
        DuplicateChoice::Merge,
        "Merge them",
        "The contact they resemble is brought up to date with the row.",
    ),
    (
        DuplicateChoice::Create,
        "Add them anyway",
        "A new contact for each; the Duplicates page offers to merge them later.",
    ),
];

/// Holds messages whose text could be kept.
fn has_messages(import: &Import) -> bool {
    matches!(
        import.format,
        ImportFormat::LinkedinMessages | ImportFormat::LinkedinArchive
    ) && import.totals.interactions > 0
}

/// The commit's options, the button, and the progress while it runs.
fn commit_panel(current: Current, import: &Import) -> AnyView {
    let duplicates = RwSignal::new(DuplicateChoice::Skip);
    let keep_text = RwSignal::new(false);
    let totals = import.totals.clone();
    let to_write = totals.new + totals.update + totals.possible_duplicate;
    let nothing = to_write == 0 && totals.interactions == 0 && totals.connection_changes == 0;
    let commit = move |_| {
        if current.busy.get_untracked() {
            return;
        }
        let options = CommitOptions {
            duplicates: duplicates.get_untracked(),
            store_message_contents: keep_text.get_untracked(),
        };
        let id = current.id();
        current.committing.set(true);
        current.write(async move {
            let result = api::imports::commit(id, &options).await;
            current.committing.set(false);
            result
        });
    };
    let duplicate_choice = (totals.possible_duplicate > 0).then(|| {
        view! {
            <fieldset class="set-choices" id="duplicate-choice">
                <legend>
                    {format!(
                        "{} like one of your contacts",
                        count(totals.possible_duplicate, "row looks", "rows look"),
                    )}
                </legend>
                {DUPLICATE_CHOICES
                    .map(|(value, title, words)| {
                        let id = format!("duplicates-{}", choice_name(value));
                        let hint = format!("{id}-hint");
                        view! {
                            <div class="set-choice">
                                <input
                                    type="radio"
                                    name="duplicates"
                                    id=id.clone()
                                    aria-describedby=hint.clone()
                                    prop:checked=move || duplicates.get() == value
                                    on:change=move |_| duplicates.set(value)
                                />
                                <label for=id>{title}</label>
                                <p class="hint" id=hint>{words}</p>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
        }
    });
    let message_choice = has_messages(import).then(|| {
        view! {
            <div class="check">
                <input
                    type="checkbox"
                    id="store-message-contents"
                    aria-describedby="store-message-contents-hint"
                    prop:checked=move || keep_text.get()
                    on:change=move |event| keep_text.set(event_target_checked(&event))
                />
                <label for="store-message-contents">"Keep the text of the messages"</label>
            </div>
            <p class="hint" id="store-message-contents-hint">
                "Off: Rapport only records that you talked, and when. On: the text goes into the interactions' notes."
            </p>
        }
    });
    view! {
        <section class="panel" aria-labelledby="commit-heading">
            <h2 id="commit-heading">"Import"</h2>
            <p class="muted">
                {if nothing {
                    "Nothing in this file would change your network.".to_owned()
                } else {
                    let left_out = totals.error + totals.skipped;
                    let left_out = if left_out > 0 {
                        format!(" {} left out (errors and skipped rows).", count(left_out, "row", "rows"))
                    } else {
                        String::new()
                    };
                    format!(
                        "Nothing is written yet. Importing writes everything at once: if anything fails, nothing is written. You can undo it afterwards.{left_out}"
                    )
                }}
            </p>
            {duplicate_choice}
            {message_choice}
            {problem_note(current.problem)}
            {move || {
                current
                    .committing
                    .get()
                    .then(|| {
                        view! {
                            <div class="imp-progress" role="status">
                                <label for="import-progress">"Importing…"</label>
                                // Until the server answers with the progress.
                                <progress id="import-progress"></progress>
                            </div>
                        }
                    })
            }}
            <div class="actions">
                <button
                    id="commit-import"
                    type="button"
                    class="button primary inline"
                    disabled=move || current.busy.get() || nothing
                    aria-busy=move || current.committing.get().then_some("true")
                    on:click=commit
                >
                    {format!("Import {}", count(to_write, "contact", "contacts"))}
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// "1 contact", "3 contacts".
fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn choice_name(choice: DuplicateChoice) -> &'static str {
    match choice {
        DuplicateChoice::Skip => "skip",
        DuplicateChoice::Merge => "merge",
        DuplicateChoice::Create => "create",
    }
}

/// An import the server is still reading or writing (opened from the
/// list meanwhile): how far it has got, when it says.
fn progress_view(current: Current, import: &Import) -> AnyView {
    let bar = match import.progress {
        Some(progress) if progress.total > 0 => {
            let percent = progress.processed.min(progress.total) * 100 / progress.total;
            view! {
                <progress
                    id="import-progress"
                    max=progress.total.to_string()
                    value=progress.processed.to_string()
                ></progress>
                <span id="import-progress-text">
                    {format!("{percent}% ({})", progress_words(progress))}
                </span>
            }
            .into_any()
        }
        _ => view! { <progress id="import-progress"></progress> }.into_any(),
    };
    view! {
        <div class="panel imp-progress" role="status">
            <label for="import-progress">{status_label(import.status)}"…"</label>
            {bar}
            {problem_note(current.problem)}
        </div>
    }
    .into_any()
}

/// "1.2 of 7.0 MB read", "2000 of 10000 rows written".
fn progress_words(progress: ImportProgress) -> String {
    match progress.unit {
        ProgressUnit::Bytes => {
            let mb = |bytes: u64| bytes as f64 / 1_000_000.0;
            format!(
                "{:.1} of {:.1} MB read",
                mb(progress.processed),
                mb(progress.total)
            )
        }
        ProgressUnit::Rows => format!("{} of {} rows written", progress.processed, progress.total),
    }
}

/// What the commit did: counts, the contacts, and the undo button.
fn report(current: Current, import: &Import) -> AnyView {
    let result = import.result.clone().unwrap_or_default();
    let id = import.id;
    let when = import.committed_at.map(day).unwrap_or_default();
    let undo = move |_| {
        let question = "Undo this import? The contacts it created are removed and the ones it changed are put back as they were.";
        if !window().confirm_with_message(question).unwrap_or(false) {
            return;
        }
        current.write(async move { api::imports::undo(id).await });
    };
    // Names for the contacts' links, from the rows (they carry the ids once
    // committed).
    let names = LocalResource::new(move || async move {
        api::imports::rows(id, None, 200, None).await.map(|page| {
            page.items
                .into_iter()
                .filter_map(|row| Some((row.contact_id?, row.name?)))
                .collect::<HashMap<Uuid, String>>()
        })
    });
    let created = result.created.clone();
    let updated = result.updated.clone();
    view! {
        <section class="panel imp-report" id="import-report" aria-labelledby="report-heading">
            <h2 id="report-heading" tabindex="-1">"Imported"</h2>
            <p role="status">
                {format!(
                    "Imported {when}: {} created, {} updated, {} logged, {} recorded.",
                    count(result.created.len() as u32, "contact", "contacts"),
                    count(result.updated.len() as u32, "contact", "contacts"),
                    count(result.interactions, "interaction", "interactions"),
                    count(result.connection_changes, "connection step", "connection steps"),
                )}
            </p>
            {loaded(
                names,
                move |names: HashMap<Uuid, String>| {
                    view! {
                        {contact_links("created-contacts", "Created", &created, &names)}
                        {contact_links("updated-contacts", "Updated", &updated, &names)}
                    }
                },
            )}
            {move || current.problem.get().map(|problem| undo_problem(problem, names))}
            <div class="actions">
                <button
                    id="undo-import"
                    type="button"
                    class="button"
                    disabled=move || current.busy.get()
                    on:click=undo
                >
                    "Undo this import"
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// Why an undo was refused; when contacts changed since the import, links
/// to them.
fn undo_problem(
    problem: Problem,
    names: LocalResource<Result<HashMap<Uuid, String>, Problem>>,
) -> AnyView {
    if problem.code != "changed_since_import" {
        return view! { <ErrorNote problem /> }.into_any();
    }
    let changed: Vec<Uuid> = problem
        .errors
        .iter()
        .filter_map(|error| error.field.strip_prefix("contacts.")?.parse().ok())
        .collect();
    let links = changed
        .into_iter()
        .map(|contact| {
            let name = move || {
                names
                    .get()
                    .and_then(Result::ok)
                    .and_then(|names| names.get(&contact).cloned())
                    .unwrap_or_else(|| "A contact".to_owned())
            };
            view! {
                <li>
                    <a href=format!("/contacts/{contact}")>{name}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="alert" role="alert" id="undo-problem">
            <p>{problem.detail}</p>
            <ul class="imp-links">{links}</ul>
        </div>
    }
    .into_any()
}

/// Links shown for at most this many contacts of a report.
const LINKS_SHOWN: usize = 100;

fn contact_links(
    id: &'static str,
    title: &'static str,
    ids: &[Uuid],
    names: &HashMap<Uuid, String>,
) -> Option<AnyView> {
    if ids.is_empty() {
        return None;
    }
    let more = ids.len().saturating_sub(LINKS_SHOWN);
    let links = ids
        .iter()
        .take(LINKS_SHOWN)
        .map(|contact| {
            let name = names
                .get(contact)
                .cloned()
                .unwrap_or_else(|| "A contact".to_owned());
            view! {
                <li>
                    <a href=format!("/contacts/{contact}")>{name}</a>
                </li>
            }
        })
        .collect_view();
    Some(
        view! {
            <h3 class="set-subhead">{format!("{title} ({})", ids.len())}</h3>
            <ul class="imp-links" id=id>{links}</ul>
            {(more > 0).then(|| view! { <p class="muted">{format!("And {more} more, in your network.")}</p> })}
        }
        .into_any(),
    )
}

fn outcome_label(outcome: RowOutcome) -> &'static str {
    match outcome {
        RowOutcome::New => "New",
        RowOutcome::Update => "Update",
        RowOutcome::PossibleDuplicate => "Possible duplicate",
        RowOutcome::Error => "Error",
        RowOutcome::Skipped => "Skipped",
    }
}

fn outcome_count(totals: &ImportTotals, outcome: Option<RowOutcome>) -> u32 {
    match outcome {
        None => totals.rows,
        Some(RowOutcome::New) => totals.new,
        Some(RowOutcome::Update) => totals.update,
        Some(RowOutcome::PossibleDuplicate) => totals.possible_duplicate,
        Some(RowOutcome::Error) => totals.error,
        Some(RowOutcome::Skipped) => totals.skipped,
    }
}

/// The rows, filtered by outcome, a page at a time.
#[component]
fn RowBrowser(current: Current) -> impl IntoView {
    let outcome = RwSignal::new(None::<RowOutcome>);
    let id = current.id();
    let first = LocalResource::new(move || {
        let outcome = outcome.get();
        current.revision.track();
        async move { api::imports::rows(id, outcome, ROWS_PAGE, None).await }
    });
    let filters = std::iter::once(None)
        .chain(RowOutcome::ALL.map(Some))
        .map(|choice| {
            let key = choice.map_or("all", RowOutcome::as_str);
            let words = choice.map_or("All", outcome_label);
            let count = move || current.import.with(|i| outcome_count(&i.totals, choice));
            view! {
                <button
                    type="button"
                    id=format!("rows-{key}")
                    class="net-view"
                    aria-pressed=move || (outcome.get() == choice).to_string()
                    on:click=move |_| outcome.set(choice)
                >
                    {words}
                    " "
                    <span class="imp-count">{count}</span>
                </button>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="rows-heading">
            <h2 id="rows-heading">"Rows"</h2>
            <div class="net-views imp-filters" role="group" aria-label="Show rows">
                {filters}
            </div>
            {loaded(
                first,
                move |page| {
                    let committed = current.import.with_untracked(|i| i.status)
                        == ImportStatus::Committed;
                    view! { <RowPages id outcome=outcome.get_untracked() committed page /> }
                },
            )}
        </section>
    }
}

/// The first page of rows and those added by "Show more".
#[component]
fn RowPages(
    id: Uuid,
    outcome: Option<RowOutcome>,
    /// Rows name the contacts they created (links only once they exist).
    committed: bool,
    page: Page<ImportRow>,
) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p class="muted" id="import-rows-none">"No rows here."</p> }.into_any();
    }
    let rows = RwSignal::new(page.items);
    let next = RwSignal::new(page.next_cursor);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let more = move |_| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        problem.set(None);
        run(busy, async move {
            match api::imports::rows(id, outcome, ROWS_PAGE, Some(&cursor)).await {
                Ok(page) => {
                    rows.update(|rows| rows.extend(page.items));
                    next.set(page.next_cursor);
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    view! {
        <ul class="imp-rows" id="import-rows">
            {move || rows.with(|rows| rows.iter().map(|row| row_view(row, committed)).collect_view())}
        </ul>
        {problem_note(problem)}
        {move || {
            next.with(Option::is_some)
                .then(|| {
                    view! {
                        <button
                            id="more-rows"
                            type="button"
                            class="button"
                            disabled=move || busy.get()
                            on:click=more
                        >
                            "Show more rows"
                        </button>
                    }
                })
        }}
    }
    .into_any()
}

fn row_view(row: &ImportRow, committed: bool) -> impl IntoView {
    let place = match &row.file {
        Some(file) => format!("{file}, line {}", row.line),
        None => format!("Line {}", row.line),
    };
    let kind = match row.kind {
        RowKind::Contact => None,
        RowKind::Invitation => Some("Invitation"),
        RowKind::Message => Some("Messages"),
    };
    let name = row.name.clone().unwrap_or_else(|| "(no name)".to_owned());
    // A contact that exists: one to update, one resembled, one created
    // (a preview's new rows name contacts still to be made).
    let exists = committed || row.outcome != RowOutcome::New;
    let who = match (row.contact_id.filter(|_| exists), &row.candidate_name) {
        (Some(contact), Some(candidate)) if row.outcome == RowOutcome::PossibleDuplicate => view! {
            <span class="imp-name">{name}</span>
            <span class="imp-meta">
                "resembles "
                <a href=format!("/contacts/{contact}")>{candidate.clone()}</a>
            </span>
        }
        .into_any(),
        (Some(contact), _) => {
            view! { <a class="imp-name" href=format!("/contacts/{contact}")>{name}</a> }.into_any()
        }
        (None, _) => view! { <span class="imp-name">{name}</span> }.into_any(),
    };
    let why = match (&row.field, &row.reason) {
        (Some(field), Some(reason)) => Some(format!("{field}: {reason}")),
        (Some(field), None) => Some(field.clone()),
        (None, Some(reason)) => Some(reason.clone()),
        (None, None) => None,
    };
    let outcome = row.outcome;
    view! {
        <li class=format!("imp-row imp-row-{}", outcome.as_str())>
            <span class="imp-line">{place}</span>
            <span class=format!("imp-outcome imp-outcome-{}", outcome.as_str())>
                {outcome_label(outcome)}
            </span>
            {kind.map(|kind| view! { <span class="tag">{kind}</span> })}
            {who}
            {why.map(|why| view! { <span class="imp-why">{why}</span> })}
        </li>
    }
}
