//! Taking my data out, `/export`: the full JSON of my account, and my
//! contacts as CSV or vCard.

use super::ApiResult;

/// The exports there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Everything of my account (it imports back into an empty account).
    Json,
    Csv,
    Vcard,
}

impl ExportFormat {
    fn path(self) -> &'static str {
        match self {
            ExportFormat::Json => "/export",
            ExportFormat::Csv => "/export/contacts.csv",
            ExportFormat::Vcard => "/export/contacts.vcf",
        }
    }

    /// The name the file is saved under.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::Json => "rapport-export.json",
            ExportFormat::Csv => "rapport-contacts.csv",
            ExportFormat::Vcard => "rapport-contacts.vcf",
        }
    }

    /// The file's media type.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv",
            ExportFormat::Vcard => "text/vcard",
        }
    }
}

/// The export's bytes (it needs the session's token, so the browser cannot
/// just follow a link to it).
pub async fn download(format: ExportFormat) -> ApiResult<Vec<u8>> {
    super::fetch_bytes(format.path()).await
}
