//! Imports as the API, the app and `rapport import` use them: a file is
//! read and previewed (nothing written), previewed again under another
//! column mapping, committed in one transaction, or undone.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use rapport_core::import::{
    ColumnMapping, CommitOptions, Import, ImportFormat, ImportRow, ImportStatus, RowOutcome,
};
use rapport_storage::imports::{ImportRecord, ImportWrite, UndoRefusal};
use rapport_storage::{EventQuery, Store, StoreError};
use uuid::Uuid;

use crate::import::resolve::{exported_interaction_key, resolve, KnownEvent, Purpose, Resolution};
use crate::import::{self, Plan, Progress, Unreadable};
use rapport_core::import::ProgressUnit;

/// Why an import step is refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file cannot be read at all.
    #[error("{}", .0.message)]
    Unreadable(Unreadable),
    /// A mapping names a column or field that does not exist.
    #[error("{field}: {message}")]
    Mapping { field: String, message: String },
    /// Not in a state for this step (committed, undone, not a spreadsheet).
    #[error("{0}")]
    Conflict(String),
    /// The undo would remove or overwrite changes made since.
    #[error("changed since the import")]
    ChangedSince(Vec<Uuid>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Unreadable> for Error {
    fn from(unreadable: Unreadable) -> Self {
        Error::Unreadable(unreadable)
    }
}

/// The tag of the import: its source and its day.
fn tag_of(import: &Import) -> String {
    let day = import.created_at.date_naive();
    import::source_tag(import.format, day)
}

async fn known_events(store: &dyn Store, owner: Uuid) -> Result<Vec<KnownEvent>, Error> {
    let mut found = Vec::new();
    let mut query = EventQuery {
        q: None,
        after: None,
        limit: 500,
    };
    loop {
        let page = store.list_events(owner, &query).await?;
        let last = page.last().map(|e| (e.data.starts_on, e.id));
        found.extend(page.iter().map(|e| KnownEvent {
            id: e.id,
            name: e.data.name.clone(),
            starts_on: e.data.starts_on,
            passphrase: e.data.passphrase.clone(),
        }));
        if page.len() < query.limit as usize {
            return Ok(found);
        }
        query.after = last;
    }
}

/// Matches a plan with the owner's network as it is now.
async fn resolved(
    store: &dyn Store,
    owner: Uuid,
    plan: &std::sync::Arc<Plan>,
    options: &CommitOptions,
    tag: &str,
    purpose: Purpose,
) -> Result<Resolution, Error> {
    let contacts = store.contacts_to_match(owner).await?;
    let events = known_events(store, owner).await?;
    let keys: Vec<String> = plan
        .conversations
        .iter()
        .map(|c| format!("linkedin:message:{}:{}", c.id, c.day))
        .chain(plan.account.iter().flat_map(|doc| {
            doc.interactions
                .iter()
                .map(|i| exported_interaction_key(i.id))
        }))
        .collect();
    let known: HashSet<String> = store
        .known_import_keys(owner, &keys)
        .await?
        .into_iter()
        .collect();
    drop(keys);
    let plan = std::sync::Arc::clone(plan);
    let options = options.clone();
    let tag = tag.to_owned();
    // Matching thousands of rows is CPU work: off the async workers.
    let resolution = tokio::task::spawn_blocking(move || {
        resolve(&plan, &contacts, &events, &known, &options, &tag, purpose)
    })
    .await
    .map_err(|e| Error::Conflict(format!("the import could not be matched: {e}")))?;
    Ok(resolution)
}

/// An import's plan and row report as the store keeps them: JSON, packed
/// with gzip. A 50,000-message preview's documents are 25 MB as text and
/// about 2 MB packed; a bound value is copied by sqlx and again by SQLite,
/// and the text was the largest part of the server's memory at that step.
fn pack<T: serde::Serialize>(value: &T) -> Vec<u8> {
    use std::io::Write as _;
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut writer = std::io::BufWriter::with_capacity(64 * 1024, encoder);
    serde_json::to_writer(&mut writer, value).expect("import documents serialise");
    writer.flush().expect("writing to memory");
    let encoder = writer.into_inner().expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Reads back what [`pack`] wrote (or, from before documents were packed,
/// plain JSON).
fn unpack<T: serde::de::DeserializeOwned>(bytes: &[u8], column: &'static str) -> Result<T, Error> {
    use std::io::Read as _;
    let corrupt = || {
        Error::Store(StoreError::Corrupt {
            column,
            value: String::from_utf8_lossy(&bytes[..bytes.len().min(80)]).into_owned(),
        })
    };
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut json)
            .map_err(|_| corrupt())?;
        serde_json::from_slice(&json).map_err(|_| corrupt())
    } else {
        serde_json::from_slice(bytes).map_err(|_| corrupt())
    }
}

fn plan_of(record: &ImportRecord) -> Result<Plan, Error> {
    unpack(&record.plan, "imports.plan")
}

/// Imports whose step runs in the background (`Prefer: respond-async`), as
/// the API shows them while they run, and for a while after one failed.
/// Kept in this server's memory: another server of the same instance shows
/// the import as the database has it (previewed, or not yet there).
#[derive(Clone, Default)]
pub struct Running(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<Uuid, RunningImport>>>,
);

struct RunningImport {
    owner: Uuid,
    import: Import,
    progress: Progress,
    unit: ProgressUnit,
    failed_at: Option<std::time::Instant>,
    /// The store keeps it already (a commit runs), or not (it is read).
    kept: bool,
}

/// How long a failed step stays visible.
const FAILED_KEPT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

impl Running {
    fn entries(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Uuid, RunningImport>> {
        let mut entries = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.retain(|_, e| e.failed_at.is_none_or(|at| at.elapsed() < FAILED_KEPT));
        entries
    }

    fn view(entry: &RunningImport) -> Import {
        let mut import = entry.import.clone();
        if entry.failed_at.is_none() {
            import.progress = Some(entry.progress.report(entry.unit));
        }
        import
    }

    /// The import as its running (or failed) step shows it.
    pub fn get(&self, owner: Uuid, id: Uuid) -> Option<Import> {
        self.entries()
            .get(&id)
            .filter(|e| e.owner == owner)
            .map(Self::view)
    }

    /// The owner's imports being read, or whose reading failed: not kept
    /// by the store.
    pub fn unkept(&self, owner: Uuid) -> Vec<Import> {
        self.entries()
            .values()
            .filter(|e| e.owner == owner && !e.kept)
            .map(Self::view)
            .collect()
    }

    /// Starts a step (reading a file: `Bytes`, not kept yet; committing:
    /// `Rows`); refused while another runs for the same import.
    pub fn start(
        &self,
        owner: Uuid,
        import: Import,
        unit: ProgressUnit,
    ) -> Result<Progress, Error> {
        let kept = unit == ProgressUnit::Rows;
        let mut entries = self.entries();
        if entries
            .get(&import.id)
            .is_some_and(|e| e.failed_at.is_none())
        {
            return Err(Error::Conflict(format!(
                "This import is {} already.",
                import.status.as_str()
            )));
        }
        let progress = Progress::default();
        entries.insert(
            import.id,
            RunningImport {
                owner,
                import,
                progress: progress.clone(),
                unit,
                failed_at: None,
                kept,
            },
        );
        Ok(progress)
    }

    /// The step ended well: the database has the import now.
    pub fn finish(&self, id: Uuid) {
        self.entries().remove(&id);
    }

    /// The step failed: shown as `failed`, with why, for a while.
    pub fn fail(&self, id: Uuid, error: &Error) {
        if let Some(entry) = self.entries().get_mut(&id) {
            entry.import.status = ImportStatus::Failed;
            entry.import.progress = None;
            entry.import.error = Some(error.to_string());
            entry.failed_at = Some(std::time::Instant::now());
        }
    }
}

/// What a file is, from its first 64 KiB: for answering at once while the
/// whole file is read in the background. `None` when the start alone does
/// not tell (the whole file must be read first).
pub fn sniff(
    filename: Option<&str>,
    bytes: &[u8],
    today: NaiveDate,
) -> Option<Result<Import, Unreadable>> {
    const HEAD: usize = 64 * 1024;
    let head = if bytes.len() <= HEAD || bytes.starts_with(b"PK") {
        bytes
    } else {
        // Cut after a line feed (an even length, for UTF-16).
        let cut = bytes[..HEAD]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(HEAD, |i| i + 1);
        &bytes[..cut + (cut % 2)]
    };
    if bytes.starts_with(b"PK") && bytes.len() > 4 * HEAD {
        // An archive's directory is at its end: read it whole, in the background.
        return Some(Ok(blank(
            filename,
            rapport_core::import::ImportFormat::LinkedinArchive,
            "zip".into(),
            None,
            "LinkedIn data archive".into(),
        )));
    }
    match import::parse(filename, head, today) {
        Ok(parsed) => Some(Ok(blank(
            filename,
            parsed.format,
            parsed.encoding,
            parsed.separator.map(str::to_owned),
            parsed.format.label().to_owned(),
        ))),
        Err(unreadable) if head.len() == bytes.len() => Some(Err(unreadable)),
        Err(_) => None,
    }
}

fn blank(
    filename: Option<&str>,
    format: rapport_core::import::ImportFormat,
    encoding: String,
    separator: Option<String>,
    detected: String,
) -> Import {
    Import {
        id: Uuid::new_v4(),
        status: ImportStatus::Parsing,
        format,
        filename: filename.map(|f| f.chars().take(255).collect()),
        encoding,
        separator,
        detected,
        columns: Vec::new(),
        mapping: Default::default(),
        totals: Default::default(),
        progress: None,
        error: None,
        result: None,
        created_at: rapport_storage::now(),
        committed_at: None,
        undone_at: None,
    }
}

/// Reads a file and keeps its preview; nothing of the network is written.
pub async fn preview(
    store: &dyn Store,
    owner: Uuid,
    id: Uuid,
    filename: Option<String>,
    bytes: Vec<u8>,
    today: NaiveDate,
    progress: &Progress,
) -> Result<Import, Error> {
    let name = filename.clone();
    let reading = progress.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        import::parse_with(name.as_deref(), &bytes, today, &reading)
    })
    .await
    .map_err(|e| Error::Conflict(format!("the file could not be read: {e}")))??;
    let import = Import {
        id,
        status: ImportStatus::Previewed,
        format: parsed.format,
        filename: filename
            .filter(|f| !f.trim().is_empty())
            .map(|f| f.chars().take(255).collect()),
        encoding: parsed.encoding,
        separator: parsed.separator.map(str::to_owned),
        detected: parsed.detected,
        columns: parsed.columns,
        mapping: parsed.mapping,
        totals: Default::default(),
        progress: None,
        error: None,
        result: None,
        created_at: rapport_storage::now(),
        committed_at: None,
        undone_at: None,
    };
    let record = previewed(store, owner, import, parsed.plan).await?;
    let import = record.import.clone();
    store.create_import(owner, record).await?;
    crate::allocator::release_freed();
    Ok(import)
}

/// A preview as the store keeps it: the plan matched with the network as
/// it is now, the import's totals set, the plan and the report packed.
async fn previewed(
    store: &dyn Store,
    owner: Uuid,
    mut import: Import,
    plan: Plan,
) -> Result<ImportRecord, Error> {
    let tag = tag_of(&import);
    let plan = std::sync::Arc::new(plan);
    let resolution = resolved(
        store,
        owner,
        &plan,
        &CommitOptions::default(),
        &tag,
        Purpose::Preview,
    )
    .await?;
    import.totals = resolution.totals;
    Ok(ImportRecord {
        import,
        plan: pack(&*plan),
        rows: pack(&resolution.rows),
        undo: None,
    })
}

/// Previews a spreadsheet again under another column mapping.
pub async fn remap(
    store: &dyn Store,
    owner: Uuid,
    id: Uuid,
    mapping: ColumnMapping,
) -> Result<Import, Error> {
    let record = store.import(owner, id).await?.ok_or(StoreError::NotFound)?;
    if record.import.status != ImportStatus::Previewed {
        return Err(Error::Conflict(
            "Only a preview can be mapped again: this import was committed.".into(),
        ));
    }
    let mut plan = plan_of(&record)?;
    let Some(sheet) = plan.sheet.take() else {
        return Err(Error::Conflict(format!(
            "A {} is read by its own columns; only a spreadsheet of another kind takes a mapping.",
            record.import.format.label()
        )));
    };
    let mut chosen = BTreeMap::new();
    for (column, field) in mapping.mapping {
        if !sheet.headers.contains(&column) {
            return Err(Error::Mapping {
                field: format!("mapping.{column}"),
                message: format!(
                    "is not a column of the file; its columns are: {}",
                    sheet.headers.join(", ")
                ),
            });
        }
        if !rapport_core::import::MAPPABLE_FIELDS.contains(&field.as_str()) {
            return Err(Error::Mapping {
                field: format!("mapping.{column}"),
                message: format!(
                    "must be one of: {}",
                    rapport_core::import::MAPPABLE_FIELDS.join(", ")
                ),
            });
        }
        chosen.insert(column, field);
    }
    let mut import = record.import;
    let day = import.created_at.date_naive();
    let mut plan =
        crate::import::sheets::people(ImportFormat::GenericCsv, &sheet, &chosen, None, day);
    plan.sheet = Some(sheet);
    import.mapping = chosen;
    let record = previewed(store, owner, import, plan).await?;
    let import = record.import.clone();
    store.replace_preview(owner, record).await?;
    Ok(import)
}

/// Writes a previewed import in one transaction, matched against the
/// network as it is now; a contact changed between matching and writing
/// makes it match once more.
pub async fn commit(
    store: &dyn Store,
    owner: Uuid,
    id: Uuid,
    options: CommitOptions,
    today: NaiveDate,
    progress: &Progress,
) -> Result<Import, Error> {
    let record = store.import(owner, id).await?.ok_or(StoreError::NotFound)?;
    if record.import.status != ImportStatus::Previewed {
        return Err(Error::Conflict(format!(
            "This import is already {}.",
            record.import.status.as_str()
        )));
    }
    // The preview's report is not needed again: freed now (a shadowed
    // binding would keep it to the end).
    let mut record = record;
    record.rows = Vec::new();
    let written = write_matched(store, owner, &record, options, today, progress).await;
    crate::allocator::release_freed();
    written
}

/// Matches the record's plan with the network and writes it, once more
/// when a contact changed in between. The plan is unpacked for matching
/// and freed before writing (50,000 messages' plan is 25 MiB unpacked).
async fn write_matched(
    store: &dyn Store,
    owner: Uuid,
    record: &ImportRecord,
    options: CommitOptions,
    today: NaiveDate,
    progress: &Progress,
) -> Result<Import, Error> {
    let tag = tag_of(&record.import);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let plan = std::sync::Arc::new(plan_of(record)?);
        let resolution = resolved(store, owner, &plan, &options, &tag, Purpose::Commit).await?;
        drop(plan);
        let mut import = record.import.clone();
        import.totals = resolution.totals;
        let write = ImportWrite {
            create: resolution.create,
            update: resolution.update,
            interactions: resolution.interactions,
            rows: pack(&resolution.rows),
            import,
            restore: resolution.restore,
            progress: Some(progress.counter()),
        };
        progress.at(0);
        progress.set_total(write.rows());
        match store
            .commit_import(owner, record.import.id, write, today)
            .await
        {
            Err(StoreError::Stale) if attempts < 3 => continue,
            Err(StoreError::Stale) => {
                return Err(Error::Conflict(
                    "Your contacts kept changing while the import was written: try again.".into(),
                ))
            }
            Err(StoreError::Conflict(what)) => return Err(Error::Conflict(what.to_owned())),
            other => return Ok(other?),
        }
    }
}

/// Removes what an import created and restores what it changed.
pub async fn undo(
    store: &dyn Store,
    owner: Uuid,
    id: Uuid,
    today: NaiveDate,
) -> Result<Import, Error> {
    match store.undo_import(owner, id, today).await? {
        Ok(import) => Ok(import),
        Err(UndoRefusal::NotCommitted) => Err(Error::Conflict(
            "Only a committed import can be undone (this one is a preview, or undone already)."
                .into(),
        )),
        Err(UndoRefusal::ChangedSince(ids)) => Err(Error::ChangedSince(ids)),
    }
}

/// A page of an import's rows, optionally of one outcome; `after` is the
/// number of (matching) rows already read.
pub async fn rows(
    store: &dyn Store,
    owner: Uuid,
    id: Uuid,
    outcome: Option<RowOutcome>,
    after: usize,
    limit: usize,
) -> Result<(Vec<ImportRow>, Option<usize>), Error> {
    let record = store.import(owner, id).await?.ok_or(StoreError::NotFound)?;
    let rows: Vec<ImportRow> = unpack(&record.rows, "imports.row_report")?;
    let mut matching = rows
        .into_iter()
        .filter(|r| outcome.is_none_or(|o| r.outcome == o))
        .skip(after);
    let page: Vec<ImportRow> = matching.by_ref().take(limit).collect();
    let next = matching.next().map(|_| after + page.len());
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u32) -> ImportRow {
        crate::import::Origin { file: None, line }.skipped(
            rapport_core::import::RowKind::Message,
            "a draft, never sent",
        )
    }

    #[test]
    fn documents_are_packed_and_read_back() {
        let rows: Vec<ImportRow> = (1..2_000).map(row).collect();
        let packed = pack(&rows);
        let text = serde_json::to_vec(&rows).unwrap();
        assert!(packed.starts_with(&[0x1f, 0x8b]), "gzip");
        assert!(
            packed.len() * 10 < text.len(),
            "{} of {}",
            packed.len(),
            text.len()
        );
        let read: Vec<ImportRow> = unpack(&packed, "imports.row_report").unwrap();
        assert_eq!(read, rows);
    }

    #[test]
    fn documents_kept_as_text_before_packing_still_read() {
        let rows = vec![row(7)];
        let text = serde_json::to_vec(&rows).unwrap();
        let read: Vec<ImportRow> = unpack(&text, "imports.row_report").unwrap();
        assert_eq!(read, rows);
    }

    #[test]
    fn a_damaged_document_is_reported_not_guessed() {
        let mut packed = pack(&vec![row(1)]);
        packed.truncate(packed.len() / 2);
        match unpack::<Vec<ImportRow>>(&packed, "imports.row_report") {
            Err(Error::Store(StoreError::Corrupt { column, .. })) => {
                assert_eq!(column, "imports.row_report")
            }
            other => panic!("{other:?}"),
        }
    }
}
